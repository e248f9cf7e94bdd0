/**
 * The Organization ID setting, sent as the `OpenAI-Organization` header. A value of the wrong form (a line break
 * from provisioning YAML, a project ID) would be refused or dropped on the way and look like an unreachable API,
 * so it is checked before any request: in the config page, when the data source is created, and in Save & test.
 */
const ORGANIZATION_ID = /^org-[A-Za-z0-9]+$/;

/** The value to send: surrounding spaces are dropped, as the config page drops them on leaving the field. */
export function organizationIdValue(id: unknown): string {
  return typeof id === 'string' ? id.trim() : '';
}

/** What is wrong with an Organization ID setting, or undefined; none set is fine. */
export function organizationIdProblem(id: unknown): string | undefined {
  if (id === undefined || id === null) {
    return undefined;
  }
  if (typeof id !== 'string') {
    return `The Organization ID setting is ${typeof id === 'number' ? 'a number' : 'not text'}. An organization ID looks like org-AbC123 ("org-" followed by letters and digits). Correct it in the data source settings, or leave it empty.`;
  }
  const value = organizationIdValue(id);
  if (value === '' || ORGANIZATION_ID.test(value)) {
    return undefined;
  }
  const why = /\s/.test(value)
    ? 'contains a line break or a space'
    : !value.startsWith('org-')
      ? 'does not start with "org-"'
      : value === 'org-'
        ? 'has nothing after "org-"'
        : 'has characters other than letters and digits after "org-"';
  return `The Organization ID setting ${why}. An organization ID looks like org-AbC123 ("org-" followed by letters and digits). Correct it in the data source settings, or leave it empty.`;
}
