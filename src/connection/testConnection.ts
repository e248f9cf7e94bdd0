/**
 * "Save & test": probes every stream the plugin reads, in parallel, and reports a checklist that says
 * what works, what does not and how to fix it. Usage and costs are required; the rest degrade gracefully.
 */
import { BILLED_SOURCE, ENDPOINTS } from '../api/catalog';
import type { AdminApiClient } from '../api/client';
import { ADMIN_KEYS_URL, DEFAULT_API_URL, UNREACHABLE_MESSAGE } from '../api/endpoint';
import {
  ApiError,
  ApiErrorKind,
  PANEL_MESSAGES,
  GRAFANA_AUTH_FAILED,
  ROUTE_READERS,
  isApiError,
  missingScope,
  scopeForPath,
} from '../api/errors';
import { UsagePage } from '../api/types';
import type { OrgDirectory } from '../org/directory';
import { listProjectApiKeys } from '../org/lists';
import { isArchived } from '../org/names';
import { organizationIdProblem } from '../api/organizationId';
import { OpenAIDataSourceOptions } from '../types';

export interface ConnectionTestResult {
  status: 'success' | 'error' | 'warning';
  message: string;
  details?: { message: string; verboseMessage?: string };
}

/** The parts of the Admin API client the test needs. */
export type ProbeClient = Pick<AdminApiClient, 'getJson' | 'listAll'>;

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

interface Reason {
  /** `unexpected`: a failure that is not an API answer (a bug in the plugin). */
  kind: ApiErrorKind | 'unexpected';
  text: string;
  /** The proxy's own answer when the upstream cannot be reached (502/504). */
  gateway?: boolean;
}

const isGateway = (e: ApiError) => e.status === 502 || e.status === 504;

/** Save & test's checklist text for each kind: short, lower case, to follow a stream's label. */
export const CHECK_MESSAGES: Record<ApiErrorKind, (e: ApiError) => string> = {
  auth: () =>
    `OpenAI refused the key: it is not an admin key (sk-admin-…), or it is mistyped, revoked or expired (Grafana reports a refused key as "${GRAFANA_AUTH_FAILED}")`,
  notAdminKey: () => 'this is not an admin key; project and user keys (sk-proj-…, sk-…) cannot read organization usage',
  scope: (e) => {
    const scope = missingScope(`${e.openaiMessage ?? ''} ${e.detail ?? ''}`) ?? (e.path && scopeForPath(e.path));
    return scope
      ? `missing scope ${scope}`
      : `the key lacks the permission${e.openaiMessage ? ` (${e.openaiMessage})` : ''}`;
  },
  auditDisabled: () =>
    'audit logging is not enabled for this organization — enable it in Organization settings › Data controls',
  organization: (e) =>
    `OpenAI does not know this organization for the key${e.openaiMessage ? ` (${e.openaiMessage})` : ''}; check the Organization ID setting, or leave it empty`,
  notFound: () => 'the endpoint answered 404 (not found) for this path',
  badRequest: (e) =>
    `OpenAI refused the request${e.status ? ` (HTTP ${e.status})` : ''}${e.openaiMessage ? `: ${e.openaiMessage}` : ''}`,
  rateLimit: () => 'OpenAI is rate limiting this key; try again in a minute',
  server: (e) =>
    `the endpoint had a server error${e.status ? ` (HTTP ${e.status})` : ''}${
      isGateway(e) ? ', often an unreachable or mistyped endpoint' : ''
    }`,
  network: (e) => `the endpoint could not be reached${e.detail ? ` (${e.detail})` : ''}`,
  timeout: (e) =>
    `the endpoint did not answer in time${e.status ? ` (HTTP ${e.status})` : ''}${
      isGateway(e) ? ', often an unreachable or mistyped endpoint' : ''
    }`,
  malformed: () => 'the endpoint answered, but not with OpenAI JSON (an HTML page or another service?)',
  roleDenied: () => `your Grafana role cannot read this; only ${ROUTE_READERS} can`,
  endpoint: (e) => PANEL_MESSAGES.endpoint(e),
};

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
  org: Pick<OrgDirectory, 'projects' | 'users'>,
  settings: Pick<OpenAIDataSourceOptions, 'organizationId' | 'adminKeyConfigured'> & {
    /** The data source URL, when the user may read it. */
    endpoint?: string;
  } = {}
): Promise<ConnectionTestResult> {
  const endpoint = settings.endpoint || 'the data source URL';
  const organizationProblem = organizationIdProblem(settings.organizationId);
  if (settings.adminKeyConfigured === false) {
    // Nothing to test without a key; OpenAI would only answer that it was refused.
    return {
      status: 'error',
      message: `Enter an admin API key (sk-admin-…) under Authentication, then Save & test. An organization owner creates one at ${ADMIN_KEYS_URL}.`,
    };
  }
  if (organizationProblem) {
    return { status: 'error', message: organizationProblem };
  }
  const now = Math.floor(Date.now() / 1000);
  const day = { start_time: now - 86400, end_time: now, bucket_width: '1d', limit: 1 };
  // Lists are read fresh, as the API answers now, and the answers fill the cache pickers and names read.
  const fresh = { fresh: true };

  const usage = probe('usage', async () => {
    checkPage(await client.getJson<UsagePage>(ENDPOINTS.completions.path, day), 'usage/completions');
  });
  const costs = probe('costs', async () => {
    checkPage(await client.getJson<UsagePage>(ENDPOINTS[BILLED_SOURCE].path, day), 'costs');
  });
  const projectList = org.projects(fresh);
  const projects = probe('projects', async () => {
    const n = (await projectList).filter((p) => !isArchived(p)).length;
    return `${n} project${n === 1 ? '' : 's'}`;
  });
  const users = probe('users', async () => {
    await org.users(fresh);
  });
  const apiKeys = projects.then(async (p): Promise<Probe> => {
    if (!p.ok) {
      // Keys are listed per project; without projects there is nothing to ask.
      return { id: 'apiKeys', ok: false, error: p.error, reason: p.reason };
    }
    // An archived project may refuse the listing, which says nothing about the key.
    const first = (await projectList).find((project) => !isArchived(project));
    if (!first) {
      return { id: 'apiKeys', ok: true, skipped: 'no project to list keys of' };
    }
    return probe('apiKeys', async () => {
      const { refused } = await listProjectApiKeys(client, [first]);
      if (refused.length) {
        throw new ApiError('badRequest', 'OpenAI refused to list the keys of a project.', { status: 400 });
      }
    });
  });
  const auditLogs = probe('auditLogs', async () => {
    checkList(await client.getJson<{ data?: unknown }>('/v1/organization/audit_logs', { limit: 1 }), 'audit_logs');
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

function checkPage(page: UsagePage, path: string) {
  if (!page || typeof page !== 'object' || !Array.isArray(page.data)) {
    throw new ApiError('malformed', `The answer for ${path} is not a usage page (no "data" array).`, { path });
  }
}

function checkList(page: { data?: unknown }, path: string) {
  if (!page || typeof page !== 'object' || !Array.isArray(page.data)) {
    throw new ApiError('malformed', `The answer for ${path} is not a list (no "data" array).`, { path });
  }
}

/** The status and OpenAI's own words, for the verbose part: what a support ticket needs. */
function rawAnswer(error: unknown): string {
  if (!isApiError(error)) {
    return 'no answer read (an unexpected error in the plugin; the browser console has details)';
  }
  if (error.status) {
    const text = error.openaiMessage ?? error.detail;
    return `HTTP ${error.status}${text ? `: ${text}` : ''}`;
  }
  return error.message;
}

/** Turns a failed probe into a reason a person can act on. */
export function classify(error: unknown): Reason {
  if (!isApiError(error)) {
    return { kind: 'unexpected', text: 'unexpected error in the plugin (the browser console has details)' };
  }
  const gateway = error.kind === 'network' || isGateway(error);
  return { kind: error.kind, text: CHECK_MESSAGES[error.kind](error), gateway };
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
  const answers = groupAnswers(failed);
  // Grafana shows `message` as one run of text and `verboseMessage` as preformatted lines behind a toggle.
  const details = {
    message: oneCause
      ? `Not readable: ${results.map((r) => inSentence(r.id)).join(', ')}.`
      : checklist.join(CHECKLIST_SEPARATOR),
    // The checklist is in `message` already; the details add what the API said, each distinct answer once.
    verboseMessage: answers.length ? ['What the API answered:', ...answers].join('\n') : undefined,
  };
  const where = organizationId ? `organization ${organizationId} at ${endpoint}` : endpoint;

  // One cause behind every failure says more than six lines.
  if (failed.length === results.length) {
    const kinds = new Set(failed.map((r) => r.reason?.kind));
    const only = kinds.size === 1 ? failed[0].reason : undefined;
    if (only?.kind === 'endpoint') {
      return { status: 'error', message: only.text, details };
    }
    if (failed.every((r) => r.reason?.kind === 'malformed' || r.reason?.kind === 'notFound')) {
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

/** "Usage, Costs: <answer>": streams that got the same answer share one line. */
function groupAnswers(failed: Probe[]): string[] {
  const byAnswer = new Map<string, string[]>();
  for (const r of failed) {
    const answer = rawAnswer(r.error);
    byAnswer.set(answer, [...(byAnswer.get(answer) ?? []), LABELS[r.id]]);
  }
  return [...byAnswer.entries()].map(([answer, labels]) => `${labels.join(', ')}: ${answer}`);
}

function reasonMessage(reason: Reason | undefined): string {
  switch (reason?.kind) {
    case 'endpoint':
      return reason.text;
    case 'auth':
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
