/**
 * "Save & test": probes every stream the plugin reads, in parallel, and reports a checklist that says
 * what works, what does not and how to fix it. Usage and costs are required; the rest degrade gracefully.
 */
import type { AdminApiClient } from '../api/client';
import { DEFAULT_API_URL, UNREACHABLE_MESSAGE } from '../api/endpoint';
import { ROUTE_READERS } from '../api/errors';
import { ListPage, Project, UsagePage } from '../api/types';
import { OpenAIDataSourceOptions } from '../types';

export interface ConnectionTestResult {
  status: 'success' | 'error' | 'warning';
  message: string;
  details?: { message: string; verboseMessage?: string };
}

/** The part of the Admin API client the test needs. */
export type ProbeClient = Pick<AdminApiClient, 'getJson'>;

export const ADMIN_KEYS_URL = 'https://platform.openai.com/settings/organization/admin-keys';
/** What Grafana's data source proxy answers (HTTP 400) when the upstream API returns 401. */
const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';

type StreamId = 'usage' | 'costs' | 'projects' | 'users' | 'apiKeys' | 'auditLogs';

interface Probe {
  id: StreamId;
  ok: boolean;
  /** A short fact on success, e.g. "3 projects". */
  note?: string;
  error?: unknown;
  reason?: Reason;
  skipped?: string;
}

type ReasonKind =
  | 'keyRefused'
  | 'notAdminKey'
  | 'scope'
  | 'roleDenied'
  | 'endpoint'
  | 'auditDisabled'
  | 'notFound'
  | 'notOpenAI'
  | 'network'
  | 'rateLimit'
  | 'server'
  | 'other';

interface Reason {
  kind: ReasonKind;
  text: string;
  /** The proxy's own answer when the upstream cannot be reached (502/504). */
  gateway?: boolean;
}

const LABELS: Record<StreamId, string> = {
  usage: 'Usage',
  costs: 'Costs',
  projects: 'Projects',
  users: 'Users',
  apiKeys: 'API keys',
  auditLogs: 'Audit logs',
};

const NAME_STREAMS: StreamId[] = ['projects', 'users', 'apiKeys'];

/** Joins the checklist into the one line Grafana's alert shows. */
export const CHECKLIST_SEPARATOR = ' · ';

export async function testConnection(
  client: ProbeClient,
  settings: Pick<OpenAIDataSourceOptions, 'organizationId'> & {
    /** The data source URL, when the user may read it. */
    endpoint?: string;
  } = {}
): Promise<ConnectionTestResult> {
  const endpoint = settings.endpoint || 'the data source URL';
  const now = Math.floor(Date.now() / 1000);
  const day = { start_time: now - 86400, end_time: now, bucket_width: '1d', limit: 1 };

  const usage = probe('usage', async () => {
    checkPage(await client.getJson<UsagePage>('/v1/organization/usage/completions', day));
  });
  const costs = probe('costs', async () => {
    checkPage(await client.getJson<UsagePage>('/v1/organization/costs', day));
  });
  let firstProject: string | undefined;
  const projects = probe('projects', async () => {
    const page = checkList(await client.getJson<ListPage<Project>>('/v1/organization/projects', { limit: 100 }));
    firstProject = page.data[0]?.id;
    const n = page.data.length;
    return `${n}${page.has_more ? '+' : ''} project${n === 1 && !page.has_more ? '' : 's'}`;
  });
  const users = probe('users', async () => {
    checkList(await client.getJson<ListPage<unknown>>('/v1/organization/users', { limit: 1 }));
  });
  const apiKeys = projects.then(async (p): Promise<Probe> => {
    if (!p.ok) {
      // Keys are listed per project; without projects there is nothing to ask.
      return { id: 'apiKeys', ok: false, error: p.error, reason: p.reason };
    }
    if (!firstProject) {
      return { id: 'apiKeys', ok: true, skipped: 'no project to list keys of' };
    }
    const path = `/v1/organization/projects/${encodeURIComponent(firstProject)}/api_keys`;
    return probe('apiKeys', async () => {
      checkList(await client.getJson<ListPage<unknown>>(path, { limit: 1 }));
    });
  });
  const auditLogs = probe('auditLogs', async () => {
    checkList(await client.getJson<ListPage<unknown>>('/v1/organization/audit_logs', { limit: 1 }));
  });

  const results = await Promise.all([usage, costs, projects, users, apiKeys, auditLogs]);
  return summarize(results, endpoint, settings.organizationId, Boolean(settings.endpoint));
}

async function probe(id: StreamId, run: () => Promise<string | void>): Promise<Probe> {
  try {
    const note = await run();
    return { id, ok: true, note: note || undefined };
  } catch (error) {
    return { id, ok: false, error, reason: classify(error) };
  }
}

class NotOpenAIError extends Error {}

function checkPage(page: UsagePage): UsagePage {
  if (!page || typeof page !== 'object' || !Array.isArray(page.data)) {
    throw new NotOpenAIError('the answer is not a usage page (no "data" array)');
  }
  return page;
}

function checkList<T>(page: ListPage<T>): ListPage<T> {
  if (!page || typeof page !== 'object' || !Array.isArray(page.data)) {
    throw new NotOpenAIError('the answer is not a list (no "data" array)');
  }
  return page;
}

interface ErrorLike {
  kind?: string;
  detail?: string;
  status?: number;
  openaiMessage?: string;
  message?: string;
}

/** The status and OpenAI's own words, for the verbose part: what a support ticket needs. */
function rawAnswer(error: unknown): string {
  const e = (error ?? {}) as ErrorLike;
  if (e.status) {
    const text = e.openaiMessage ?? e.detail;
    return `HTTP ${e.status}${text ? `: ${text}` : ''}`;
  }
  return errorText(error) || String(error);
}

function errorText(error: unknown): string {
  const e = (error ?? {}) as ErrorLike;
  return [e.openaiMessage, e.message].filter(Boolean).join(' ');
}

/** Turns a failed probe into a reason a person can act on. */
export function classify(error: unknown): Reason {
  if (error instanceof NotOpenAIError) {
    return { kind: 'notOpenAI', text: `the endpoint answered, but not like the OpenAI API: ${error.message}` };
  }
  const e = (error ?? {}) as ErrorLike;
  const text = errorText(error);
  const scope = /api\.[a-z_]+\.(read|write)/i.exec(text)?.[0];
  if (e.kind === 'notAdminKey') {
    return {
      kind: 'notAdminKey',
      text: 'this is not an admin key; project and user keys (sk-proj-…, sk-…) cannot read organization usage',
    };
  }
  // Grafana's proxy replaces OpenAI's 401 body with its own text, so the exact cause is lost.
  if (e.kind === 'auth' || text.includes(GRAFANA_AUTH_FAILED) || e.status === 401) {
    return {
      kind: 'keyRefused',
      text: `OpenAI refused the key: it is not an admin key (sk-admin-…), or it is mistyped, revoked or expired (Grafana reports a refused key as "${GRAFANA_AUTH_FAILED}")`,
    };
  }
  switch (e.kind) {
    case 'scope':
      return {
        kind: 'scope',
        text: scope
          ? `missing scope ${scope}`
          : `the key lacks the permission${e.openaiMessage ? ` (${e.openaiMessage})` : ''}`,
      };
    case 'endpoint':
      return { kind: 'endpoint', text: e.message ?? '' };
    case 'roleDenied':
      return { kind: 'roleDenied', text: `your Grafana role cannot read this; only ${ROUTE_READERS} can` };
    case 'auditDisabled':
      return {
        kind: 'auditDisabled',
        text: 'audit logging is not enabled for this organization — enable it in Organization settings › Data controls',
      };
    case 'notFound':
      return { kind: 'notFound', text: 'the endpoint answered 404 (not found) for this path' };
    case 'malformed':
      return {
        kind: 'notOpenAI',
        text: 'the endpoint answered, but not with OpenAI JSON (an HTML page or another service?)',
      };
    case 'network':
      return { kind: 'network', text: `the endpoint could not be reached${e.message ? ` (${e.message})` : ''}` };
    case 'rateLimit':
      return { kind: 'rateLimit', text: 'OpenAI is rate limiting this key; try again in a minute' };
    case 'server':
      return {
        kind: 'server',
        gateway: e.status === 502 || e.status === 504,
        text: `the endpoint had a server error${e.status ? ` (HTTP ${e.status})` : ''}${
          e.status === 502 || e.status === 504 ? ', often an unreachable or mistyped endpoint' : ''
        }`,
      };
    default:
      return { kind: 'other', text: text || 'unexpected error' };
  }
}

function summarize(
  results: Probe[],
  endpoint: string,
  organizationId: string | undefined,
  endpointKnown: boolean
): ConnectionTestResult {
  const byId = Object.fromEntries(results.map((r) => [r.id, r])) as Record<StreamId, Probe>;
  const failed = results.filter((r) => !r.ok);
  const checklist = buildChecklist(byId);
  // One cause behind every failure is in the headline already; repeating it per stream only adds noise.
  const oneCause = failed.length === results.length && new Set(failed.map((r) => r.reason?.text)).size === 1;
  const answers = failed.map((r) => `${LABELS[r.id]}: ${rawAnswer(r.error)}`);
  // Grafana shows `message` as one run of text and `verboseMessage` as preformatted lines behind a toggle.
  const details = {
    message: oneCause
      ? `Not readable: ${results.map((r) => inSentence(r.id)).join(', ')}.`
      : checklist.join(CHECKLIST_SEPARATOR),
    verboseMessage: answers.length
      ? [...(oneCause ? [] : [...checklist, '']), 'What the API answered:', ...answers].join('\n')
      : undefined,
  };
  const where = organizationId ? `organization ${organizationId} at ${endpoint}` : endpoint;

  // One cause behind every failure says more than six lines.
  if (failed.length === results.length) {
    const kinds = new Set(failed.map((r) => r.reason?.kind));
    const only = kinds.size === 1 ? failed[0].reason : undefined;
    if (only?.kind === 'endpoint') {
      return { status: 'error', message: only.text, details };
    }
    if (failed.every((r) => r.reason?.kind === 'notOpenAI' || r.reason?.kind === 'notFound')) {
      return {
        status: 'error',
        message: `${endpoint} does not look like the OpenAI API: ${
          only?.text ?? 'every path answered 404 or not with OpenAI JSON'
        }. Check the data source URL (${DEFAULT_API_URL} for OpenAI).`,
        details,
      };
    }
  }

  const usage = byId.usage;
  const costs = byId.costs;
  // Usage and costs unreachable: the rows below (e.g. refused by role) do not change the cause.
  const unreachable = (p: Probe) => p.reason?.kind === 'network' || Boolean(p.reason?.gateway);
  if (!usage.ok && !costs.ok && unreachable(usage) && unreachable(costs)) {
    return {
      status: 'error',
      message: endpointKnown
        ? `Cannot reach ${endpoint}: check the data source URL and that Grafana's server can reach it.`
        : UNREACHABLE_MESSAGE,
      details,
    };
  }
  if (!usage.ok && !costs.ok) {
    const reason = usage.reason ?? costs.reason;
    const message = reasonMessage(reason);
    return { status: 'error', message, details };
  }

  const projectsNote = byId.projects.ok && byId.projects.note ? ` ${byId.projects.note}.` : '';
  if (failed.length === 0) {
    return {
      status: 'success',
      message: `Connected to ${where}.${projectsNote} Usage, costs, names and audit logs are readable.`,
      details,
    };
  }
  return {
    status: 'warning',
    message: `Connected to ${where}.${projectsNote} Some data is not readable: ${failed
      .map((r) => inSentence(r.id))
      .join(', ')}. See below.`,
    details,
  };
}

function reasonMessage(reason: Reason | undefined): string {
  switch (reason?.kind) {
    case 'endpoint':
      return reason.text;
    case 'keyRefused':
      return `The key was refused. ${capitalize(reason.text)}. Paste an admin key from ${ADMIN_KEYS_URL} and save again.`;
    case 'notAdminKey':
      return `Not an admin key: ${reason.text}. Create an admin key (sk-admin-…) at ${ADMIN_KEYS_URL}.`;
    case 'scope':
      return `Usage and costs are not readable: ${reason.text}. Give the admin key read access to the Usage API (api.usage.read).`;
    default:
      return `Usage and costs are not readable: ${reason?.text ?? 'unknown error'}.`;
  }
}

function buildChecklist(byId: Record<StreamId, Probe>): string[] {
  const lines = [line(byId.usage, 'readable'), line(byId.costs, 'readable')];
  const names = NAME_STREAMS.map((id) => byId[id]);
  const nameFailures = names.filter((p) => !p.ok);
  const sameReason =
    nameFailures.length === names.length && new Set(nameFailures.map((p) => p.reason?.text)).size === 1;
  if (sameReason) {
    lines.push(`✗ Names (projects/users/keys): ${nameFailures[0].reason?.text} — names will show as IDs`);
  } else {
    for (const p of names) {
      lines.push(
        p.ok
          ? line(p, p.note ?? 'readable')
          : `✗ ${LABELS[p.id]}: ${p.reason?.text ?? 'not readable'} — ${p.id === 'projects' ? 'project names' : p.id === 'users' ? 'user emails' : 'key names'} will show as IDs`
      );
    }
  }
  lines.push(line(byId.auditLogs, 'readable'));
  return lines;
}

function line(p: Probe, okText: string): string {
  if (p.ok) {
    return `✓ ${LABELS[p.id]}: ${p.skipped ? `not checked (${p.skipped})` : okText}`;
  }
  return `✗ ${LABELS[p.id]}: ${p.reason?.text ?? 'not readable'}`;
}

/** A stream's label inside a sentence: lower case, except the acronym. */
function inSentence(id: StreamId): string {
  return LABELS[id].replace(/^[A-Z][a-z]/, (m) => m.toLowerCase());
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
