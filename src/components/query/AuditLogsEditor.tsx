import React, { useMemo, useState } from 'react';
import { EditorField, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { ComboboxOption, MultiCombobox } from '@grafana/ui';

import { COMMON_AUDIT_EVENT_TYPES, eventTypeGroup } from '../../audit/eventTypes';
import { OpenAIQuery } from '../../types';
import { selectors } from '../selectors';
import { PickerRoom } from './PickerRoom';
import { describeLoadError } from './loadError';
import type { OpenAIQueryEditorProps } from './editorProps';
import { variableOptions } from './templateVariables';
import { useChoices } from './useChoices';

const EVENT_TYPE_OPTIONS: Array<ComboboxOption<string>> = COMMON_AUDIT_EVENT_TYPES.map((t) => ({
  value: t,
  label: t,
  group: eventTypeGroup(t),
}));

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Audit logs filters: event types, who acted, and in which projects; empty = all. */
export function AuditLogsEditor({ query, datasource, onChange, onRunQuery }: OpenAIQueryEditorProps) {
  // Events of archived projects stay in the log, so their projects stay pickable.
  const projects = useChoices(datasource, 'projects', { includeArchived: true });
  const actors = useChoices(datasource, 'actors');
  const [notEmails, setNotEmails] = useState<string[]>([]);
  const variables = useMemo(() => variableOptions(), []);
  const actorOptions = useMemo(() => [...actors.choices, ...variables], [actors.choices, variables]);
  const eventTypeOptions = useMemo(() => [...EVENT_TYPE_OPTIONS, ...variables], [variables]);
  const projectOptions = useMemo(() => [...projects.choices, ...variables], [projects.choices, variables]);

  const apply = (next: OpenAIQuery) => {
    onChange(next);
    onRunQuery();
  };
  const values = (selected: Array<ComboboxOption<string>>) => {
    const v = selected.map((o) => o.value);
    return v.length ? v : undefined;
  };

  return (
    <EditorRows>
      <EditorRow>
        <EditorField
          label="Event types"
          htmlFor="openai-query-audit-event-types"
          optional
          tooltip="Only these event types, e.g. api_key.created or login.failed. Pick from the list or type any type of the Admin API."
        >
          <PickerRoom>
            <MultiCombobox<string>
              id="openai-query-audit-event-types"
              data-testid={selectors.query.auditEventTypes}
              options={eventTypeOptions}
              value={query.auditEventTypes ?? []}
              createCustomValue
              customValueDescription="Use this event type"
              placeholder="All"
              isClearable
              onChange={(selected) => apply({ ...query, auditEventTypes: values(selected) })}
            />
          </PickerRoom>
        </EditorField>
        <EditorField
          label="Actors"
          htmlFor="openai-query-audit-actor-emails"
          optional
          tooltip="Only events by these people: pick a user, type an email address, or use a dashboard variable."
          invalid={notEmails.length > 0 || Boolean(actors.error)}
          error={
            notEmails.length
              ? `Not an email address: ${notEmails.join(', ')}. Audit logs are filtered by the actor's email.`
              : actors.error
                ? describeLoadError(actors.error, 'Users')
                : undefined
          }
        >
          <PickerRoom>
            <MultiCombobox<string>
              id="openai-query-audit-actor-emails"
              data-testid={selectors.query.auditActorEmails}
              options={actorOptions}
              loading={actors.loading}
              value={query.auditActorEmails ?? []}
              createCustomValue
              customValueDescription="Use this email"
              placeholder="Anyone"
              isClearable
              onChange={(selected) => {
                // An email or a dashboard variable; other text would match no event.
                const ok = selected.filter((o) => EMAIL.test(o.value) || o.value.startsWith('$'));
                setNotEmails(selected.filter((o) => !ok.includes(o)).map((o) => o.value));
                apply({ ...query, auditActorEmails: values(ok) });
              }}
            />
          </PickerRoom>
        </EditorField>
        <EditorField
          label="Projects"
          htmlFor="openai-query-audit-project-ids"
          optional
          tooltip="Only events in these projects. Pick from the list, type an ID, or use a dashboard variable such as $project."
          invalid={Boolean(projects.error)}
          error={projects.error ? describeLoadError(projects.error, 'Projects') : undefined}
        >
          <PickerRoom>
            <MultiCombobox<string>
              id="openai-query-audit-project-ids"
              data-testid={selectors.query.auditProjectIds}
              options={projectOptions}
              value={query.auditProjectIds ?? []}
              loading={projects.loading}
              createCustomValue
              customValueDescription="Use this ID"
              placeholder="All"
              isClearable
              onChange={(selected) => apply({ ...query, auditProjectIds: values(selected) })}
            />
          </PickerRoom>
        </EditorField>
      </EditorRow>
    </EditorRows>
  );
}
