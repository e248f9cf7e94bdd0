import { screen, waitFor } from '@testing-library/react';
import { readFileSync } from 'fs';
import { load } from 'js-yaml';
import { resolve } from 'path';

import { COMMON_AUDIT_EVENT_TYPES } from '../../audit/eventTypes';
import { OpenAIQuery, QueryType } from '../../types';
import { setupComboboxEnvironment } from '../comboboxTestSetup';
import { selectors } from '../selectors';
import { renderQueryEditor, settle, userEvent } from '../testing';
import { AuditLogsEditor } from './AuditLogsEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [{ name: 'project', label: 'Project' }],
    replace: (s: string) => s,
  }),
}));

setupComboboxEnvironment();
jest.setTimeout(20000);

const PROJECTS = [
  { id: 'proj_support', object: 'organization.project', name: 'Customer Support Bot', created_at: 1 },
  {
    id: 'proj_legacy',
    object: 'organization.project',
    name: 'Legacy Prototype',
    created_at: 1,
    archived_at: 2,
    status: 'archived',
  },
];

const USERS = [
  { id: 'user_ada', object: 'organization.user', email: 'ada@example.com', name: 'Ada', added_at: 1 },
  { id: 'user_svc', object: 'organization.user', email: null, name: 'No email', added_at: 1 },
];

function fakeDatasource() {
  return {
    client: {
      listAll: jest.fn(async (path: string, _params?: Record<string, unknown>) =>
        path === '/v1/organization/users' ? USERS : PROJECTS
      ),
      getJson: jest.fn(),
    },
  };
}

async function renderEditor(initial: Partial<OpenAIQuery>, ds = fakeDatasource()) {
  const rendered = renderQueryEditor(AuditLogsEditor, { queryType: QueryType.AuditLogs, ...initial }, ds);
  // Let the project list load.
  await settle();
  return { ...rendered, ds };
}

async function openOptions(testId: string): Promise<string[]> {
  await userEvent.click(screen.getByTestId(testId));
  return (await screen.findAllByRole('option')).map((o) => o.textContent ?? '');
}

/** The API's `AuditLogEventType` enum, from the spec excerpt. */
function specEventTypes(): string[] {
  const spec = load(
    readFileSync(resolve(__dirname, '../../../tests/fixtures/openai/openai-openapi-admin-excerpt.yaml'), 'utf8')
  ) as { components: { schemas: { AuditLogEventType: { enum: string[] } } } };
  return spec.components.schemas.AuditLogEventType.enum;
}

describe('AuditLogsEditor', () => {
  it('offers the common organization event types of the API', async () => {
    const spec = specEventTypes();
    expect(COMMON_AUDIT_EVENT_TYPES.filter((t) => !spec.includes(t))).toEqual([]);
    expect(COMMON_AUDIT_EVENT_TYPES.some((t) => t.startsWith('tenant.'))).toBe(false);
    await renderEditor({});
    const options = await openOptions(selectors.query.auditEventTypes);
    // The list is virtual: the first ones are rendered, the rest are found by typing.
    expect(options.slice(0, 3)).toEqual(['api_key.created', 'api_key.updated', 'api_key.deleted']);
    await userEvent.type(screen.getByTestId(selectors.query.auditEventTypes), 'login');
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(
      expect.arrayContaining(['login.succeeded', 'login.failed'])
    );
  });

  it('sets event types from the list and runs the query', async () => {
    const { last, onRunQuery } = await renderEditor({});
    await userEvent.type(screen.getByTestId(selectors.query.auditEventTypes), 'login.f');
    await userEvent.click(await screen.findByRole('option', { name: 'login.failed' }));
    expect(last().auditEventTypes).toEqual(['login.failed']);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('accepts an event type that is not in the list', async () => {
    const { last } = await renderEditor({ auditEventTypes: ['api_key.created'] });
    await userEvent.type(screen.getByTestId(selectors.query.auditEventTypes), 'tenant.user.added');
    await userEvent.click(await screen.findByRole('option', { name: /tenant\.user\.added/ }));
    expect(last().auditEventTypes).toEqual(['api_key.created', 'tenant.user.added']);
  });

  it('filters by actor emails typed in', async () => {
    const { last, onRunQuery } = await renderEditor({});
    await userEvent.type(screen.getByTestId(selectors.query.auditActorEmails), 'alice@example.com');
    const option = await screen.findByRole('option', { name: /alice@example\.com/ });
    expect(option).toHaveTextContent('Use this email');
    await userEvent.click(option);
    expect(last().auditActorEmails).toEqual(['alice@example.com']);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('offers the organization’s users by email, and refuses text that is not an email', async () => {
    const { last } = await renderEditor({});
    expect(await openOptions(selectors.query.auditActorEmails)).toEqual(
      expect.arrayContaining([expect.stringContaining('ada@example.com')])
    );
    await userEvent.click(screen.getByRole('option', { name: /ada@example\.com/ }));
    expect(last().auditActorEmails).toEqual(['ada@example.com']);
    await userEvent.type(screen.getByTestId(selectors.query.auditActorEmails), 'not an email');
    await userEvent.click(await screen.findByRole('option', { name: /not an email/ }));
    expect(last().auditActorEmails).toEqual(['ada@example.com']);
    expect(screen.getByText(/Not an email address: not an email/)).toBeInTheDocument();
  });

  it('shows projects by name, archived ones included, and keeps IDs as values', async () => {
    const { last, ds } = await renderEditor({ auditProjectIds: ['proj_support'] });
    expect(ds.client.listAll).toHaveBeenCalledWith(
      '/v1/organization/projects',
      expect.objectContaining({ include_archived: true })
    );
    const field = screen.getByTestId(selectors.query.auditProjectIds);
    await waitFor(() => expect(field.closest('span')).toHaveTextContent('Customer Support Bot'));
    const options = await openOptions(selectors.query.auditProjectIds);
    expect(options).toEqual(
      expect.arrayContaining([expect.stringContaining('Legacy Prototype'), expect.stringContaining('$project')])
    );
    await userEvent.click(screen.getByRole('option', { name: /Legacy Prototype/ }));
    expect(last().auditProjectIds).toEqual(['proj_support', 'proj_legacy']);
  });

  it('clears a filter back to all', async () => {
    const { last } = await renderEditor({ auditEventTypes: ['login.failed'] });
    await userEvent.type(screen.getByTestId(selectors.query.auditEventTypes), 'login.f');
    await userEvent.click(await screen.findByRole('option', { name: 'login.failed' }));
    expect(last().auditEventTypes).toBeUndefined();
  });

  it('explains when projects cannot be listed', async () => {
    const ds = fakeDatasource();
    ds.client.listAll.mockRejectedValue(Object.assign(new Error('403'), { kind: 'scope' }));
    await renderEditor({}, ds);
    expect(
      await screen.findByText(
        'Projects could not be listed: the admin key lacks the Management API read scope (api.management.read). Type IDs instead.'
      )
    ).toBeInTheDocument();
  });
});
