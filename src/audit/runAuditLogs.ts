/**
 * Audit log events of the panel's range as a logs frame for Explore: time, a readable line, a level, and
 * label-like fields (event type, actor, project, id). Every page is read. When audit logging is off the
 * query fails with that reason, never with an empty panel.
 */
import { DataFrame, FieldType, QueryResultMetaNotice, createDataFrame } from '@grafana/data';

import { NameKind } from '../api/catalog';
import { Params, encodeQuery } from '../api/client';
import { ApiError } from '../api/errors';
import { AuditLog } from '../api/types';
import { QueryError, QueryRunner } from '../query/context';
import { actorOf, levelOf, splitType, summarize } from './summary';

export const AUDIT_LOGS_PATH = '/v1/organization/audit_logs';
const LIMIT = 100;

/** Field names of the logs frame; Explore takes the first string field as the line and `level` as the level. */
export const AUDIT_FIELDS = {
  time: 'time',
  body: 'body',
  level: 'level',
  type: 'type',
  actor: 'actor',
  project: 'project',
  id: 'id',
} as const;

/** `effective_at` bounds in Unix seconds: Grafana's range includes its last millisecond, so `lt` is the next second. */
export function effectiveAt(fromMs: number, toMs: number): { gte: number; lt: number } {
  return { gte: Math.floor(fromMs / 1000), lt: Math.floor(toMs / 1000) + 1 };
}

/** Names are worth a lookup only for the events that mention keys or users by ID. */
function nameKindsFor(logs: AuditLog[]): NameKind[] {
  const families = new Set(logs.map((l) => splitType(l.type).family));
  const kinds: NameKind[] = [];
  if (families.has('api_key')) {
    kinds.push('apiKey');
  }
  if (families.has('user')) {
    kinds.push('user');
  }
  return kinds;
}

export function auditFrame(
  logs: AuditLog[],
  summaries: string[],
  refId: string,
  meta: DataFrame['meta'] = {}
): DataFrame {
  return createDataFrame({
    refId,
    name: 'Audit logs',
    meta: { ...meta, preferredVisualisationType: 'logs' },
    fields: [
      { name: AUDIT_FIELDS.time, type: FieldType.time, values: logs.map((l) => l.effective_at * 1000), config: {} },
      { name: AUDIT_FIELDS.body, type: FieldType.string, values: summaries, config: {} },
      { name: AUDIT_FIELDS.level, type: FieldType.string, values: logs.map((l) => levelOf(l.type)), config: {} },
      {
        name: AUDIT_FIELDS.type,
        type: FieldType.string,
        values: logs.map((l) => l.type),
        config: { displayName: 'Event type' },
      },
      { name: AUDIT_FIELDS.actor, type: FieldType.string, values: logs.map(actorOf), config: { displayName: 'Actor' } },
      {
        name: AUDIT_FIELDS.project,
        type: FieldType.string,
        values: logs.map((l) => (l.project ? l.project.name || l.project.id || null : null)),
        config: { displayName: 'Project' },
      },
      {
        name: AUDIT_FIELDS.id,
        type: FieldType.string,
        values: logs.map((l) => l.id),
        config: { displayName: 'Event ID' },
      },
    ],
  });
}

export const runAuditLogs: QueryRunner = async (ctx, query, request) => {
  const fromMs = request.range.from.valueOf();
  const toMs = request.range.to.valueOf();
  if (!(toMs > fromMs)) {
    throw new QueryError(['The time range is empty.']);
  }
  const params: Params = {
    effective_at: effectiveAt(fromMs, toMs),
    event_types: query.auditEventTypes?.length ? query.auditEventTypes : undefined,
    actor_emails: query.auditActorEmails?.length ? query.auditActorEmails : undefined,
    project_ids: query.auditProjectIds?.length ? query.auditProjectIds : undefined,
    limit: LIMIT,
  };
  // An ApiError here (audit logging off, a missing scope) fails the query with its own message.
  const logs = await ctx.client.listAll<AuditLog>(AUDIT_LOGS_PATH, params);
  if (logs.some((l) => typeof l?.type !== 'string' || typeof l?.effective_at !== 'number')) {
    throw new ApiError(
      'malformed',
      'An audit log event has no type or effective_at; refusing to show a partial list.',
      {
        path: AUDIT_LOGS_PATH,
      }
    );
  }
  const names = await ctx.names.resolve(nameKindsFor(logs));
  const summaries = logs.map((l) => summarize(l, { apiKeys: names.maps.apiKey, users: names.maps.user }));
  const notices: QueryResultMetaNotice[] = names.warnings.map((text) => ({ severity: 'warning', text }));
  if (logs.length === 0) {
    notices.push({ severity: 'info', text: 'No audit log events match in this time range.' });
  }
  return [
    auditFrame(logs, summaries, query.refId, {
      notices: notices.length ? notices : undefined,
      executedQueryString: `GET ${AUDIT_LOGS_PATH}?${encodeQuery(params)} (all pages)`,
    }),
  ];
};
