import { ApiErrorKind, ErrorFacts, kindOf } from '../../api/errors';

const TYPE_IDS = 'Type IDs instead.';

/** A picker's message for each kind: why its options could not be loaded, and what still works. */
export const PICKER_MESSAGES: Record<ApiErrorKind, (what: string, f: ErrorFacts) => string> = {
  scope: (what) =>
    `${what} could not be listed: the admin key lacks the Management API read scope (api.management.read). ${TYPE_IDS}`,
  auth: (what) => `${what} could not be listed: the key was refused. Check the admin key in the data source settings.`,
  notAdminKey: (what) =>
    `${what} could not be listed: the key was refused. Check the admin key in the data source settings.`,
  rateLimit: (what) =>
    `${what} could not be listed: OpenAI is rate limiting. Reopen the editor in a minute, or type IDs.`,
  network: (what) => `${what} could not be listed: the API endpoint is unreachable.`,
  timeout: (what) => `${what} could not be listed: the API did not answer in time. ${TYPE_IDS}`,
  server: (what, f) =>
    `${what} could not be listed: the API had a server error${f.status ? ` (HTTP ${f.status})` : ''}. ${TYPE_IDS}`,
  organization: (what) =>
    `${what} could not be listed: OpenAI does not know this organization for the key. Check the Organization ID setting.`,
  notFound: (what) => `${what} could not be listed: the API answered 404; check the API endpoint setting.`,
  badRequest: (what, f) =>
    `${what} could not be listed: OpenAI refused the request${f.openaiMessage ? ` (${f.openaiMessage})` : ''}. ${TYPE_IDS}`,
  auditDisabled: (what) => `${what} could not be listed: audit logging is not enabled for this organization.`,
  malformed: (what) => `${what} could not be listed: the answer is not the JSON the OpenAI API documents. ${TYPE_IDS}`,
};

/** Why a picker's options could not be loaded, and what still works. */
export function describeLoadError(error: unknown, what: string): string {
  const kind = kindOf(error);
  if (!kind) {
    // Not an API answer: the error's own text would mean nothing to the reader.
    return `${what} could not be listed. ${TYPE_IDS}`;
  }
  const { status, openaiMessage } = error as ErrorFacts;
  return PICKER_MESSAGES[kind](what, { status, openaiMessage });
}
