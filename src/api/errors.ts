/**
 * Failures of Admin API calls, sorted into kinds a person can act on. Grafana's data source proxy sits
 * between the browser and OpenAI, so some upstream answers arrive rewritten (a 401 becomes a 400).
 */
import { ErrorBody } from './types';

/** Every kind, so each context's message table can be checked for completeness. */
export const API_ERROR_KINDS = [
  /** The key was refused (upstream 401, which Grafana's proxy reports as 400). */
  'auth',
  /** A project or user key where an admin key is needed. */
  'notAdminKey',
  /** The admin key lacks a scope for this endpoint. */
  'scope',
  'auditDisabled',
  /** The `OpenAI-Organization` header names an organization the key does not belong to. */
  'organization',
  'notFound',
  /** OpenAI refused the request itself (a parameter it does not accept). */
  'badRequest',
  'rateLimit',
  'server',
  'network',
  'timeout',
  /** The answer is not the JSON the API documents. */
  'malformed',
] as const;

export type ApiErrorKind = (typeof API_ERROR_KINDS)[number];

/** What Grafana's data source proxy answers (HTTP 400) when the upstream API returns 401. */
export const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  /** OpenAI's own `error.message`, when there is one. */
  readonly openaiMessage?: string;
  /** Any other text of the answer, e.g. Grafana's proxy's "Authentication to data source failed". */
  readonly detail?: string;
  readonly code?: string;
  readonly path?: string;
  /** Seconds to wait, from a 429's `Retry-After`. */
  readonly retryAfter?: number;

  constructor(
    kind: ApiErrorKind,
    message: string,
    extra: {
      status?: number;
      openaiMessage?: string;
      detail?: string;
      code?: string;
      path?: string;
      retryAfter?: number;
    } = {}
  ) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    Object.assign(this, extra);
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** The kind of an ApiError, or of anything that carries a known `kind`; undefined for other errors. */
export function kindOf(e: unknown): ApiErrorKind | undefined {
  const kind = (e as { kind?: unknown } | null | undefined)?.kind;
  return (API_ERROR_KINDS as readonly unknown[]).includes(kind) ? (kind as ApiErrorKind) : undefined;
}

/** A scope named in OpenAI's message, e.g. `api.usage.read`. */
export function missingScope(text: string | undefined): string | undefined {
  return text ? /\bapi\.[a-z_]+\.(read|write)\b/i.exec(text)?.[0] : undefined;
}

/** The documented scope each path needs, for messages when OpenAI does not name it. */
export function scopeForPath(path: string): string {
  if (/\/organization\/(usage|costs)/.test(path)) {
    return 'api.usage.read';
  }
  if (path.includes('/audit_logs')) {
    return 'api.audit_logs.read';
  }
  return 'api.management.read';
}

function openaiError(data: unknown): ErrorBody['error'] | undefined {
  if (data && typeof data === 'object' && 'error' in data) {
    const error = (data as ErrorBody).error;
    return error && typeof error === 'object' ? error : undefined;
  }
  return undefined;
}

/** What the answer said, for the messages; never a JavaScript error's own text. */
export interface ErrorFacts {
  status?: number;
  openaiMessage?: string;
  /** The proxy's own text, e.g. "Authentication to data source failed". */
  detail?: string;
  path?: string;
}

const where = (f: ErrorFacts) => describePath(f.path ?? '');

/** A panel's message for each kind: what happened and what to do. */
export const PANEL_MESSAGES: Record<ApiErrorKind, (f: ErrorFacts) => string> = {
  auth: () =>
    'OpenAI refused the key: it is not an admin key (sk-admin-…), or it is mistyped, revoked or expired. Check the data source settings.',
  notAdminKey: () =>
    'The key is not an admin key: project and user keys (sk-proj-…) cannot read organization data. Use an admin key (sk-admin-…).',
  scope: (f) =>
    `The admin key cannot read ${where(f)}: missing scope ${
      missingScope(`${f.openaiMessage ?? ''} ${f.detail ?? ''}`) ?? scopeForPath(f.path ?? '')
    }. Give the key that read permission, or use another key.`,
  auditDisabled: () =>
    'Audit logging is not enabled for this organization. An owner can enable it in Organization settings › Data controls.',
  organization: (f) =>
    `OpenAI does not know this organization for the key${f.openaiMessage ? ` (${f.openaiMessage})` : ''}: check the Organization ID setting, or leave it empty.`,
  notFound: (f) => `The API answered 404 for ${where(f)}: check the API endpoint setting.`,
  badRequest: (f) =>
    `OpenAI refused the request for ${where(f)} (HTTP ${f.status})${
      f.openaiMessage || f.detail ? `: ${f.openaiMessage ?? f.detail}` : '.'
    }`,
  rateLimit: () => 'OpenAI is rate limiting this key and the retries ran out; try again in a minute.',
  server: (f) =>
    `The API had a server error (HTTP ${f.status}) for ${where(f)}${
      f.status === 502 ? '; often an unreachable or mistyped API endpoint' : ''
    }.`,
  network: (f) => `The API endpoint could not be reached${f.detail ? ` (${f.detail})` : ''}.`,
  timeout: (f) => `The API did not answer in time for ${where(f)}.`,
  malformed: (f) => `The answer for ${where(f)} is not the JSON the OpenAI API documents.`,
};

/** The one classifier: an HTTP status and body (from the proxy or from OpenAI) as a kind a person can act on. */
export function classifyResponse(status: number | undefined, facts: ErrorFacts & { code?: string }): ApiErrorKind {
  const text = `${facts.openaiMessage ?? ''} ${facts.detail ?? ''}`;
  if (status === undefined || status === 0) {
    return 'network';
  }
  if (status === 401 || (status === 400 && text.includes(GRAFANA_AUTH_FAILED))) {
    const notAdmin = /admin (api )?key/i.test(text) && /missing scopes|insufficient permissions/i.test(text);
    return notAdmin ? 'notAdminKey' : 'auth';
  }
  if (facts.code === 'audit_logs_not_enabled' || /audit log(ging|s)? (is |are )?not (enabled|activated)/i.test(text)) {
    return 'auditDisabled';
  }
  if (facts.code === 'no_such_organization' || /no such organization/i.test(text)) {
    return 'organization';
  }
  if (status === 403) {
    return 'scope';
  }
  if (status === 404) {
    return 'notFound';
  }
  if (status === 429) {
    return 'rateLimit';
  }
  if (status === 504) {
    return 'timeout';
  }
  return status >= 500 ? 'server' : 'badRequest';
}

/** Turns an HTTP status and body (from the proxy or from OpenAI) into an ApiError with the panel's message. */
export function errorFromResponse(
  status: number | undefined,
  data: unknown,
  path: string,
  retryAfter?: number
): ApiError {
  const oe = openaiError(data);
  const openaiMessage = oe?.message ?? undefined;
  const code = oe?.code ?? undefined;
  const proxyMessage =
    data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : typeof data === 'string'
        ? data.slice(0, 200)
        : undefined;
  const extra = { status, openaiMessage, detail: proxyMessage, code, path, retryAfter };
  const kind = classifyResponse(status, extra);
  return new ApiError(kind, PANEL_MESSAGES[kind](extra), extra);
}

/** `/v1/organization/usage/completions` → `usage of completions`. */
export function describePath(path: string): string {
  const rest = path.replace(/^.*\/v1\/organization\/?/, '').split('?')[0];
  if (rest.startsWith('usage/')) {
    return `usage of ${rest.slice('usage/'.length).replace(/_/g, ' ')}`;
  }
  if (rest.startsWith('projects/') && rest.endsWith('/api_keys')) {
    return 'project API keys';
  }
  return rest.replace(/_/g, ' ') || 'the organization';
}

/** Whether trying again may help. */
export function isRetryable(e: unknown): boolean {
  return (
    isApiError(e) && (e.kind === 'rateLimit' || e.kind === 'server' || e.kind === 'network' || e.kind === 'timeout')
  );
}
