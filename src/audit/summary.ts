/**
 * One readable line per audit event: who did what to which thing, where. Each event family has its own
 * sentence; a type without one lists the fields of its payload, so new event types still read well.
 */
import { AuditLog } from '../api/types';

export interface SummaryNames {
  /** Project API key ID → name. */
  apiKeys?: Map<string, string>;
  /** User ID → email or name. */
  users?: Map<string, string>;
}

type Details = Record<string, unknown>;

/** Who acted: the session's user, the user or service account behind an API key. */
export function actorOf(log: AuditLog): string {
  const a = log.actor;
  const session = a?.session?.user;
  if (session) {
    return session.email || session.id || 'someone';
  }
  const key = a?.api_key;
  if (key?.user) {
    return key.user.email || key.user.id || 'someone';
  }
  if (key?.service_account?.id) {
    return `service account ${key.service_account.id}`;
  }
  return key?.id ? `API key ${key.id}` : 'someone';
}

/** The level Explore colours the line with: removals and failures stand out. */
export function levelOf(type: string): 'info' | 'warning' {
  return /\.(deleted|removed|revoked|archived|failed|disabled|deactivated)$/.test(type) ? 'warning' : 'info';
}

export function detailsOf(log: AuditLog): Details {
  const d = log[log.type];
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Details) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function quoted(name: string): string {
  return `“${name}”`;
}

/** `{ scopes: ['a', 'b'], max_tokens_per_1_minute: 100 }` → `scopes: a, b; max tokens per 1 minute: 100`. */
export function describeFields(fields: unknown, skip: string[] = []): string {
  if (!fields || typeof fields !== 'object') {
    return str(fields) ?? '';
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields as Details)) {
    if (skip.includes(key) || value === null || value === undefined || value === '') {
      continue;
    }
    const label = key.replace(/_/g, ' ');
    if (Array.isArray(value)) {
      parts.push(`${label}: ${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}`);
    } else if (typeof value === 'object') {
      const inner = describeFields(value);
      if (inner) {
        parts.push(`${label}: {${inner}}`);
      }
    } else {
      parts.push(`${label}: ${String(value)}`);
    }
  }
  return parts.join('; ');
}

interface Parts {
  log: AuditLog;
  actor: string;
  action: string;
  details: Details;
  /** Name of the project the event is scoped to. */
  project?: string;
  /** ` in Project name` when the event is project-scoped. */
  where: string;
  names: SummaryNames;
}

type Summarizer = (p: Parts) => string;

function withChanges(text: string, details: Details): string {
  const changes = describeFields(details.changes_requested ?? details.data);
  return changes ? `${text}: ${changes}` : text;
}

const apiKey: Summarizer = ({ actor, action, details, where, names }) => {
  const id = str(details.id);
  const name = id ? names.apiKeys?.get(id) : undefined;
  const key = name ? `API key ${quoted(name)}` : id ? `API key ${id}` : 'an API key';
  const text = `${actor} ${action} ${key}${where}`;
  return action === 'deleted' ? text : withChanges(text, details);
};

const project: Summarizer = ({ log, actor, action, details }) => {
  const data = (details.data ?? {}) as Details;
  const name = str(data.title) ?? str(data.name) ?? log.project?.name ?? str(details.id) ?? 'a project';
  const text = `${actor} ${action} project ${quoted(name)}`;
  return action === 'updated' ? withChanges(text, details) : text;
};

const user: Summarizer = ({ actor, action, details, where, project, names }) => {
  const id = str(details.id);
  const target = (id && names.users?.get(id)) || id || 'a user';
  switch (action) {
    case 'added': {
      const role = str((details.data as Details | undefined)?.role);
      return `${actor} added ${target}${project ? ` to ${project}` : ''}${role ? ` as ${role}` : ''}`;
    }
    case 'updated': {
      const role = str((details.changes_requested as Details | undefined)?.role);
      return role
        ? `${actor} changed the role of ${target}${where} to ${role}`
        : withChanges(`${actor} updated ${target}${where}`, details);
    }
    case 'deleted':
      return `${actor} removed ${target}${project ? ` from ${project}` : ''}`;
    default:
      return `${actor} ${action} ${target}${where}`;
  }
};

const invite: Summarizer = ({ actor, action, details }) => {
  const data = (details.data ?? {}) as Details;
  const email = str(data.email);
  const id = str(details.id) ?? '';
  switch (action) {
    case 'sent':
      return `${actor} invited ${email ?? id}${str(data.role) ? ` as ${str(data.role)}` : ''}`;
    case 'accepted':
      return `${actor} accepted invite ${id}`.trim();
    default:
      return `${actor} ${action} invite ${email ?? id}`.trim();
  }
};

function session(log: AuditLog): string {
  const ip = log.actor?.session?.ip_address;
  return ip ? ` from ${ip}` : '';
}

const login: Summarizer = ({ log, actor, action, details }) => {
  const verb = log.type.startsWith('logout') ? 'log out' : 'log in';
  if (action === 'failed') {
    const why = str(details.error_message) ?? str(details.error_code);
    return `${actor} failed to ${verb}${session(log)}${why ? `: ${why}` : ''}`;
  }
  return `${actor} ${verb === 'log in' ? 'logged in' : 'logged out'}${session(log)}`;
};

const serviceAccount: Summarizer = ({ actor, action, details, where }) => {
  const id = str(details.id) ?? '';
  const role = str((details.data as Details | undefined)?.role);
  const text = `${actor} ${action} service account ${id}${where}`.replace(/ +/g, ' ');
  if (action === 'created') {
    return role ? `${text} as ${role}` : text;
  }
  return action === 'deleted' ? text : withChanges(text, details);
};

const rateLimit: Summarizer = ({ actor, action, details, where }) => {
  const text = `${actor} ${action} a rate limit${where}`;
  return action === 'deleted' ? text : withChanges(text, details);
};

const organization: Summarizer = ({ actor, action, details }) =>
  withChanges(`${actor} ${action} the organization`, details);

/** Any other type: its name, then every field of its payload. */
export const genericSummary: Summarizer = ({ log, actor, details, where }) => {
  const fields = describeFields(details);
  return `${log.type} by ${actor}${where}${fields ? ` (${fields})` : ''}`;
};

const FAMILIES: Record<string, Summarizer> = {
  api_key: apiKey,
  project,
  user,
  invite,
  login,
  logout: login,
  service_account: serviceAccount,
  rate_limit: rateLimit,
  organization,
};

/** The family of an event type: `api_key.created` → `api_key`; the action: `created`. */
export function splitType(type: string): { family: string; action: string } {
  const dot = type.indexOf('.');
  return dot < 0
    ? { family: type, action: '' }
    : { family: type.slice(0, dot), action: type.slice(type.lastIndexOf('.') + 1) };
}

export function summarize(log: AuditLog, names: SummaryNames = {}): string {
  const { family, action } = splitType(log.type);
  const projectName = log.project ? log.project.name || log.project.id : undefined;
  const parts: Parts = {
    log,
    actor: actorOf(log),
    action,
    details: detailsOf(log),
    project: projectName,
    where: projectName ? ` in ${projectName}` : '',
    names,
  };
  // Only plain `family.action` types have a sentence; deeper ones (`ip_allowlist.config.activated`) are generic.
  const summarizer = log.type.split('.').length === 2 ? FAMILIES[family] : undefined;
  return (summarizer ?? genericSummary)(parts);
}
