/**
 * Organization inventory as one table per kind: users (with recent activity), projects, project and admin
 * API keys, invites, service accounts. Every page of every list is read; IDs are shown next to names.
 */
import { DataFrame, FieldType, QueryResultMetaNotice } from '@grafana/data';

import { ENDPOINTS, findMetric } from '../api/catalog';
import { Params } from '../api/client';
import { AdminApiKey, Invite, Project, ProjectApiKey, ProjectServiceAccount } from '../api/types';
import { ownEntry } from '../lookup';
import { QueryContext, QueryError, QueryRunner } from '../query/context';
import { LIST_LIMIT, PROJECTS_PATH, USERS_PATH, listPerProject } from '../org/lists';
import { isArchived, projectName, userName } from '../org/names';
import { InventoryKind, OpenAIQuery } from '../types';
import { DEFAULT_INVENTORY_KIND, INVENTORY_KINDS } from './kinds';
import { Column, TableInput, msOf, tableFrame } from './table';
import { DEFAULT_ACTIVITY_WINDOW, UserActivity, activityDays, fetchUserActivity } from './userActivity';

/** Frame name and refId, passed through to the table. */
type Target = Pick<TableInput<unknown>, 'refId' | 'name'>;
type Builder = (ctx: QueryContext, query: OpenAIQuery, target: Target) => Promise<DataFrame>;

function list<T extends { id: string }>(ctx: QueryContext, path: string, params: Params = {}): Promise<T[]> {
  return ctx.client.listAll<T>(path, { limit: LIST_LIMIT, ...params });
}

/** A notice that ends with the names of the projects it is about, or none when there are none. */
function projectsNotice(
  severity: QueryResultMetaNotice['severity'],
  text: string,
  projects: Project[]
): QueryResultMetaNotice[] {
  return projects.length ? [{ severity, text: `${text}: ${projects.map(projectName).join(', ')}.` }] : [];
}

const users: Builder = async (ctx, query, target) => {
  const window = query.activityWindow || DEFAULT_ACTIVITY_WINDOW;
  // A window that cannot be read fails before any request.
  activityDays(window);
  const [members, activity] = await Promise.all([ctx.names.users(), fetchUserActivity(ctx, window)]);
  const none: UserActivity = { tokens: 0, requests: 0 };
  const rows = members.map((u) => ({ user: u, activity: activity.byUser.get(u.id) ?? none }));
  const notices: QueryResultMetaNotice[] = [];
  const known = new Set(members.map((u) => u.id));
  const former = [...activity.byUser.keys()].filter((id) => !known.has(id));
  if (former.length) {
    notices.push({
      severity: 'info',
      text: `${former.length} user ID${former.length > 1 ? 's' : ''} with usage in the last ${window} ${former.length > 1 ? 'are' : 'is'} no longer in the organization: ${former.join(', ')}.`,
    });
  }
  const columns: Array<Column<(typeof rows)[number]>> = [
    { name: 'Name', type: FieldType.string, value: (r) => r.user.name || userName(r.user) },
    { name: 'Email', type: FieldType.string, value: (r) => r.user.email },
    { name: 'Role', type: FieldType.string, value: (r) => r.user.role },
    { name: 'Added', type: FieldType.time, value: (r) => msOf(r.user.added_at) },
    {
      name: 'Last API activity',
      type: FieldType.time,
      value: (r) => msOf(r.activity.lastActive),
      description: `Start of the latest UTC day with completions usage in the last ${window}; empty = none`,
    },
    {
      name: 'Tokens',
      type: FieldType.number,
      value: (r) => r.activity.tokens,
      description: `Completions input + output tokens in the last ${window}`,
      // The unit of the token series, so a table and a chart say "23.5M tokens" alike.
      unit: findMetric(ENDPOINTS.completions, 'input_tokens')!.unit,
    },
    {
      name: 'Requests',
      type: FieldType.number,
      value: (r) => r.activity.requests,
      description: `Completions model requests in the last ${window}`,
      unit: findMetric(ENDPOINTS.completions, 'num_model_requests')!.unit,
    },
    { name: 'User ID', type: FieldType.string, value: (r) => r.user.id },
  ];
  return tableFrame({
    ...target,
    columns,
    rows,
    notices,
    executed: [`GET ${USERS_PATH} (all pages)`, activity.executed],
  });
};

const projects: Builder = async (ctx, _query, target) => {
  const rows = await ctx.names.projects();
  const columns: Array<Column<Project>> = [
    { name: 'Name', type: FieldType.string, value: projectName },
    { name: 'Status', type: FieldType.string, value: (p) => p.status ?? (isArchived(p) ? 'archived' : 'active') },
    { name: 'Archived', type: FieldType.boolean, value: isArchived },
    { name: 'Created', type: FieldType.time, value: (p) => msOf(p.created_at) },
    { name: 'Archived at', type: FieldType.time, value: (p) => msOf(p.archived_at) },
    { name: 'Project ID', type: FieldType.string, value: (p) => p.id },
  ];
  return tableFrame({
    ...target,
    columns,
    rows,
    executed: [`GET ${PROJECTS_PATH}?include_archived=true (all pages)`],
  });
};

type Owner = NonNullable<ProjectApiKey['owner']>;

function ownerType(o: Owner | null | undefined): string | null {
  return o?.type ?? (o?.user ? 'user' : o?.service_account ? 'service_account' : null);
}

function ownerName(o: Owner | null | undefined): string | null {
  if (o?.user) {
    return userName(o.user);
  }
  return o?.service_account ? o.service_account.name || o.service_account.id : null;
}

const projectApiKeys: Builder = async (ctx, _query, target) => {
  const [all, { keys: rows, refused }] = await Promise.all([ctx.names.projects(), ctx.names.projectApiKeys()]);
  const columns: Array<Column<(typeof rows)[number]>> = [
    { name: 'Name', type: FieldType.string, value: (r) => r.name || r.id },
    { name: 'Key', type: FieldType.string, value: (r) => r.redacted_value },
    { name: 'Project', type: FieldType.string, value: (r) => projectName(r.project) },
    { name: 'Owner', type: FieldType.string, value: (r) => ownerName(r.owner) },
    { name: 'Owner type', type: FieldType.string, value: (r) => ownerType(r.owner) },
    {
      name: 'Owner access',
      type: FieldType.string,
      value: (r) => r.owner_project_access,
      description: 'active: the owner is still in the project; inactive: the owner has left it',
    },
    { name: 'Created', type: FieldType.time, value: (r) => msOf(r.created_at) },
    { name: 'Last used', type: FieldType.time, value: (r) => msOf(r.last_used_at) },
    { name: 'Key ID', type: FieldType.string, value: (r) => r.id },
    { name: 'Project ID', type: FieldType.string, value: (r) => r.project.id },
  ];
  const notices = projectsNotice(
    'warning',
    `The API refused to list the keys of ${refused.length} project(s)`,
    refused
  );
  return tableFrame({
    ...target,
    columns,
    rows,
    notices,
    executed: [`GET ${PROJECTS_PATH}/{id}/api_keys?owner_project_access=any for ${all.length} projects (all pages)`],
  });
};

const adminApiKeys: Builder = async (ctx, _query, target) => {
  const rows = await list<AdminApiKey>(ctx, '/v1/organization/admin_api_keys');
  const columns: Array<Column<AdminApiKey>> = [
    { name: 'Name', type: FieldType.string, value: (k) => k.name || k.id },
    { name: 'Key', type: FieldType.string, value: (k) => k.redacted_value },
    { name: 'Owner', type: FieldType.string, value: (k) => k.owner?.name || k.owner?.id },
    { name: 'Owner type', type: FieldType.string, value: (k) => k.owner?.type },
    { name: 'Created', type: FieldType.time, value: (k) => msOf(k.created_at) },
    { name: 'Expires', type: FieldType.time, value: (k) => msOf(k.expires_at), description: 'Empty = never' },
    { name: 'Last used', type: FieldType.time, value: (k) => msOf(k.last_used_at) },
    { name: 'Key ID', type: FieldType.string, value: (k) => k.id },
  ];
  return tableFrame({ ...target, columns, rows, executed: ['GET /v1/organization/admin_api_keys (all pages)'] });
};

const invites: Builder = async (ctx, _query, target) => {
  const [rows, names] = await Promise.all([
    list<Invite>(ctx, '/v1/organization/invites'),
    ctx.names.resolve(['project']),
  ]);
  const projectNames = names.maps.project;
  const columns: Array<Column<Invite>> = [
    { name: 'Email', type: FieldType.string, value: (i) => i.email },
    { name: 'Role', type: FieldType.string, value: (i) => i.role },
    { name: 'Status', type: FieldType.string, value: (i) => i.status },
    // Older API versions call it `invited_at`.
    { name: 'Created', type: FieldType.time, value: (i) => msOf(i.created_at ?? i.invited_at) },
    { name: 'Expires', type: FieldType.time, value: (i) => msOf(i.expires_at) },
    { name: 'Accepted', type: FieldType.time, value: (i) => msOf(i.accepted_at) },
    {
      name: 'Projects',
      type: FieldType.string,
      value: (i) => (i.projects ?? []).map((p) => projectNames?.get(p.id) ?? p.id).join(', '),
    },
    { name: 'Invite ID', type: FieldType.string, value: (i) => i.id },
  ];
  const notices: QueryResultMetaNotice[] = names.warnings.map((text) => ({ severity: 'warning', text }));
  return tableFrame({ ...target, columns, rows, notices, executed: ['GET /v1/organization/invites (all pages)'] });
};

const serviceAccounts: Builder = async (ctx, _query, target) => {
  const all = await ctx.names.projects();
  // The API answers 400 for the members of an archived project, so those are not asked.
  const archived = all.filter(isArchived);
  const { items: rows, refused } = await listPerProject<ProjectServiceAccount>(
    ctx.client,
    all.filter((p) => !isArchived(p)),
    'service_accounts'
  );
  const skipped = [...archived, ...refused];
  const columns: Array<Column<(typeof rows)[number]>> = [
    { name: 'Name', type: FieldType.string, value: (r) => r.item.name || r.item.id },
    { name: 'Project', type: FieldType.string, value: (r) => projectName(r.project) },
    { name: 'Role', type: FieldType.string, value: (r) => r.item.role },
    { name: 'Created', type: FieldType.time, value: (r) => msOf(r.item.created_at) },
    { name: 'Service account ID', type: FieldType.string, value: (r) => r.item.id },
    { name: 'Project ID', type: FieldType.string, value: (r) => r.project.id },
  ];
  const notices = projectsNotice(
    'info',
    'Service accounts of archived projects are not listed (the API does not list them)',
    skipped
  );
  return tableFrame({
    ...target,
    columns,
    rows,
    notices,
    executed: [`GET ${PROJECTS_PATH}/{id}/service_accounts for ${all.length - archived.length} projects (all pages)`],
  });
};

const BUILDERS: Record<InventoryKind, Builder> = {
  users,
  projects,
  projectApiKeys,
  adminApiKeys,
  invites,
  serviceAccounts,
};

export const runInventory: QueryRunner = async (ctx, query) => {
  const kind = query.inventory ?? DEFAULT_INVENTORY_KIND;
  const build = ownEntry(BUILDERS, kind);
  if (!build) {
    throw new QueryError([`List: "${kind}" is not an inventory this plugin has. Choose one from the list.`]);
  }
  return [await build(ctx, query, { refId: query.refId, name: INVENTORY_KINDS[kind].label })];
};
