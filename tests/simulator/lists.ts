/** The cursor-paginated organization lists: projects, users, keys, invites, project members and audit logs. */
import { ApiError, invalidValue, parseBoolean, parseLimit, toInteger, Query } from './http';
import type { SimAuditLog, SimOrg, SimProject } from './org';

interface ListPage {
  object: 'list';
  data: unknown[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** One page after the `after` id; `before` pages backwards. */
function paginate<T extends { id: string }>(items: T[], q: Query, strip?: (item: T) => unknown): ListPage {
  const limit = parseLimit(q, 20, 100);
  const after = q.get('after');
  const before = q.get('before');
  let from = 0;
  let to = items.length;
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) {
      throw new ApiError(
        400,
        `Invalid value for 'after': no object with id '${after}'.`,
        'invalid_request_error',
        'after',
        'invalid_value'
      );
    }
    from = i + 1;
  }
  if (before) {
    const i = items.findIndex((x) => x.id === before);
    if (i < 0) {
      throw new ApiError(
        400,
        `Invalid value for 'before': no object with id '${before}'.`,
        'invalid_request_error',
        'before',
        'invalid_value'
      );
    }
    to = i;
    from = Math.max(from, to - limit);
  }
  const page = items.slice(from, Math.min(to, from + limit));
  return {
    object: 'list',
    data: page.map((x) => (strip ? strip(x) : x)),
    first_id: page.length ? page[0].id : null,
    last_id: page.length ? page[page.length - 1].id : null,
    has_more: from + page.length < to,
  };
}

/** Drops the simulator's bookkeeping field from member objects. */
function withoutProject<T extends { project_id: string }>(item: T): Omit<T, 'project_id'> {
  const { project_id: _drop, ...rest } = item;
  return rest;
}

function requireProject(org: SimOrg, id: string): SimProject {
  const p = org.projectById(id);
  if (!p) {
    throw new ApiError(404, `No such project: '${id}'.`, 'invalid_request_error', 'project_id', 'not_found');
  }
  return p;
}

function requireActiveProject(org: SimOrg, id: string): SimProject {
  const p = requireProject(org, id);
  if (p.status === 'archived') {
    throw new ApiError(400, `Project '${id}' is archived.`, 'invalid_request_error', 'project_id', 'project_archived');
  }
  return p;
}

export function listProjects(org: SimOrg, q: Query): ListPage {
  const includeArchived = parseBoolean(q, 'include_archived') ?? false;
  return paginate(
    org.projects.filter((p) => includeArchived || p.status !== 'archived'),
    q
  );
}

export function getProject(org: SimOrg, id: string): SimProject {
  return requireProject(org, id);
}

export function listUsers(org: SimOrg, q: Query): ListPage {
  const emails = q.all('emails');
  return paginate(
    org.users.filter((u) => !emails.length || (u.email !== null && emails.includes(u.email))),
    q
  );
}

export function listProjectApiKeys(org: SimOrg, projectId: string, q: Query): ListPage {
  requireProject(org, projectId);
  const access = q.get('owner_project_access') ?? 'active';
  if (!['active', 'inactive', 'any'].includes(access)) {
    throw invalidValue('owner_project_access', access, ['active', 'inactive', 'any']);
  }
  return paginate(
    org.projectApiKeys.filter(
      (k) => k.project_id === projectId && (access === 'any' || k.owner_project_access === access)
    ),
    q,
    withoutProject
  );
}

export function listProjectUsers(org: SimOrg, projectId: string, q: Query): ListPage {
  requireActiveProject(org, projectId);
  return paginate(
    org.projectUsers.filter((u) => u.project_id === projectId),
    q,
    withoutProject
  );
}

export function listProjectServiceAccounts(org: SimOrg, projectId: string, q: Query): ListPage {
  requireActiveProject(org, projectId);
  return paginate(
    org.serviceAccounts.filter((s) => s.project_id === projectId),
    q,
    withoutProject
  );
}

export function listAdminApiKeys(org: SimOrg, q: Query): ListPage {
  const order = q.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') {
    throw invalidValue('order', order, ['asc', 'desc']);
  }
  const keys = [...org.adminApiKeys].sort((a, b) =>
    order === 'asc' ? a.created_at - b.created_at : b.created_at - a.created_at
  );
  return paginate(keys, q);
}

export function listInvites(org: SimOrg, q: Query): ListPage {
  return paginate(org.invites, q);
}

function actorIds(log: SimAuditLog): string[] {
  const a = log.actor;
  return a.type === 'session' ? [a.session.user.id] : [a.api_key.id, a.api_key.user.id];
}

function actorEmail(log: SimAuditLog): string {
  const a = log.actor;
  return a.type === 'session' ? a.session.user.email : a.api_key.user.email;
}

function resourceId(log: SimAuditLog): string | undefined {
  const details = log[log.type] as { id?: string } | undefined;
  return details?.id;
}

export function listAuditLogs(org: SimOrg, q: Query): ListPage {
  const range = q.nested('effective_at') ?? {};
  const bounds: Record<string, number> = {};
  for (const [op, raw] of Object.entries(range)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(op)) {
      throw invalidValue(`effective_at[${op}]`, raw, ['gt', 'gte', 'lt', 'lte']);
    }
    bounds[op] = toInteger(raw, `effective_at[${op}]`);
  }
  const sets = {
    project: new Set(q.all('project_ids')),
    type: new Set(q.all('event_types')),
    actor: new Set(q.all('actor_ids')),
    email: new Set(q.all('actor_emails')),
    resource: new Set(q.all('resource_ids')),
  };
  const now = org.now();
  const logs = org.auditLogs.filter((l) => {
    const t = l.effective_at;
    return (
      t <= now &&
      (bounds.gt === undefined || t > bounds.gt) &&
      (bounds.gte === undefined || t >= bounds.gte) &&
      (bounds.lt === undefined || t < bounds.lt) &&
      (bounds.lte === undefined || t <= bounds.lte) &&
      (!sets.project.size || (l.project !== undefined && sets.project.has(l.project.id))) &&
      (!sets.type.size || sets.type.has(l.type)) &&
      (!sets.actor.size || actorIds(l).some((id) => sets.actor.has(id))) &&
      (!sets.email.size || sets.email.has(actorEmail(l))) &&
      (!sets.resource.size || sets.resource.has(resourceId(l) ?? ''))
    );
  });
  return paginate(logs, q);
}
