/** The one classifier of API answers and the panel's message for each kind. */
import {
  API_ERROR_KINDS,
  ApiErrorKind,
  GRAFANA_AUTH_FAILED,
  PANEL_MESSAGES,
  classifyResponse,
  errorFromResponse,
  kindOf,
} from './errors';

const USAGE = '/v1/organization/usage/completions';

/** An OpenAI error body, as the API reference shows it. */
const openai = (message: string, code: string | null = null) => ({
  error: { message, type: 'invalid_request_error', param: null, code },
});

describe('classifyResponse', () => {
  it.each<[string, number | undefined, unknown, ApiErrorKind]>([
    ['no answer at all', undefined, undefined, 'network'],
    ['a refused key, as OpenAI says it', 401, openai('Incorrect API key provided: sk-abc.'), 'auth'],
    ['a refused key, as Grafana’s proxy rewrites it', 400, { message: GRAFANA_AUTH_FAILED }, 'auth'],
    [
      'a project key',
      401,
      openai(
        'You have insufficient permissions for this operation. Missing scopes: api.usage.read. Check that you are using an admin key.'
      ),
      'notAdminKey',
    ],
    ['audit logging off', 400, openai('Audit logging is not enabled.', 'audit_logs_not_enabled'), 'auditDisabled'],
    ['an unknown organization', 400, openai('No such organization: org-x.', 'no_such_organization'), 'organization'],
    ['a missing scope', 403, openai('Missing scopes: api.usage.read'), 'scope'],
    ['an unknown path', 404, openai('Invalid URL'), 'notFound'],
    ['a refused parameter', 400, openai("Invalid value for 'bucket_width'."), 'badRequest'],
    ['rate limiting', 429, openai('Rate limit reached'), 'rateLimit'],
    ['a gateway timeout', 504, 'Gateway Timeout', 'timeout'],
    ['a server error', 500, openai('The server had an error.'), 'server'],
  ])('%s', (_, status, body, kind) => {
    expect(errorFromResponse(status, body, USAGE).kind).toBe(kind);
  });

  it('tells an admin-key refusal apart from a refused key', () => {
    const text = 'Grafana: Authentication to data source failed. This is not an admin key: missing scopes';
    expect(classifyResponse(400, { detail: text })).toBe('notAdminKey');
  });
});

describe('PANEL_MESSAGES', () => {
  it('has a message for every kind, and only for kinds', () => {
    expect(Object.keys(PANEL_MESSAGES).sort()).toEqual([...API_ERROR_KINDS].sort());
  });

  it.each(API_ERROR_KINDS)('%s: says what happened in the plugin’s words, with the answer’s facts', (kind) => {
    const message = PANEL_MESSAGES[kind]({ status: 400, path: USAGE, openaiMessage: 'Missing scopes: api.usage.read' });
    expect(message).toMatch(/^[A-Z]/);
    expect(message).not.toMatch(/undefined|null|\[object/);
  });

  it('names the missing scope, from OpenAI’s words or else from the path', () => {
    expect(errorFromResponse(403, openai('Missing scopes: api.management.read'), USAGE).message).toContain(
      'missing scope api.management.read'
    );
    expect(errorFromResponse(403, {}, '/v1/organization/audit_logs').message).toContain(
      'missing scope api.audit_logs.read'
    );
  });
});

describe('kindOf', () => {
  it('reads the kind of an API error only', () => {
    expect(kindOf(errorFromResponse(429, {}, USAGE))).toBe('rateLimit');
    expect(kindOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(kindOf({ kind: 'something else' })).toBeUndefined();
    expect(kindOf(undefined)).toBeUndefined();
  });
});
