/** Pure checks and normalisation of the data source settings, shared by the config editor and its tests. */

/** Read scopes an admin key needs, and what each one unlocks here. */
export const REQUIRED_SCOPES: Array<{ scope?: string; label: string; unlocks: string }> = [
  { scope: 'api.usage.read', label: 'Usage API: Read', unlocks: 'usage and costs (required)' },
  { scope: 'api.management.read', label: 'Management API: Read', unlocks: 'project, user and API key names' },
  // OpenAI documents no scope id for audit logs.
  { label: 'Audit logs: Read', unlocks: 'audit log events' },
];

/**
 * The plugin's route appends `/v1/organization/...` to the endpoint, so the stored value must be the bare
 * origin (plus any proxy prefix): no trailing slash and no `/v1` or `/v1/organization...` suffix.
 */
export function normalizeApiUrl(url: string | undefined): string {
  let value = (url ?? '').trim();
  if (!value) {
    return '';
  }
  // A bare host would make the proxy route unparsable.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    value = `https://${value}`;
  }
  value = value.replace(/[?#].*$/, '');
  value = value.replace(/\/+$/, '');
  value = value.replace(/\/v1(\/organization(\/.*)?)?$/i, '');
  return value.replace(/\/+$/, '');
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', 'host.docker.internal']);

/** Hosts where plain http stays on this machine or a private container network (e.g. a compose service). */
function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  const singleLabel = !host.includes('.') && !host.includes(':') && !host.startsWith('[');
  return LOCAL_HOSTS.has(host) || host.endsWith('.localhost') || host.startsWith('127.') || singleLabel;
}

/** A problem with the endpoint worth saying before saving, or undefined. */
export function apiUrlWarning(url: string | undefined): string | undefined {
  const value = (url ?? '').trim();
  if (!value) {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(normalizeApiUrl(value));
  } catch {
    return 'This is not a valid URL. Use the form https://host[:port][/prefix].';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `Only http and https endpoints work; "${parsed.protocol}" will fail.`;
  }
  if (parsed.protocol === 'http:' && !isLocalHost(parsed.hostname)) {
    return 'Plain http sends the admin key unencrypted between Grafana and this host. Use https unless the proxy runs on the same machine.';
  }
  if (parsed.username || parsed.password) {
    return 'Credentials in the URL are stored unencrypted; leave them out.';
  }
  return undefined;
}

const ORGANIZATION_ID = /^org-[A-Za-z0-9]+$/;

export function isValidOrganizationId(id: string | undefined): boolean {
  const value = (id ?? '').trim();
  return value === '' || ORGANIZATION_ID.test(value);
}

export interface KeyHint {
  /** What the pasted text looks like. */
  kind: 'projectKey' | 'serviceAccountKey' | 'userKey' | 'otherVendor' | 'bearerPrefix' | 'whitespace' | 'notAKey';
  title: string;
  message: string;
}

/**
 * A hint about a key typed into the form, before it is saved. Only OpenAI's examples show the admin key's
 * format (`sk-admin-…`), so this warns rather than blocks; Save & test gives the definitive answer.
 */
export function keyHint(key: string | undefined): KeyHint | undefined {
  const value = key ?? '';
  if (!value.trim()) {
    return undefined;
  }
  if (/^\s*bearer\s/i.test(value)) {
    return {
      kind: 'bearerPrefix',
      title: 'Remove the "Bearer " prefix',
      message: 'Paste only the key. Grafana adds "Authorization: Bearer" itself.',
    };
  }
  if (/\s/.test(value.trim())) {
    return {
      kind: 'whitespace',
      title: 'The key contains spaces or line breaks',
      message: 'Paste the key exactly as OpenAI showed it, on one line.',
    };
  }
  const v = value.trim();
  if (v.startsWith('sk-admin-')) {
    return undefined;
  }
  if (v.startsWith('sk-proj-')) {
    return {
      kind: 'projectKey',
      title: 'This is a project API key, not an admin key',
      message: 'Project keys (sk-proj-…) call models; they cannot read organization usage or costs.',
    };
  }
  if (v.startsWith('sk-svcacct-')) {
    return {
      kind: 'serviceAccountKey',
      title: 'This is a service account key, not an admin key',
      message: 'Service account keys (sk-svcacct-…) cannot read organization usage or costs.',
    };
  }
  if (v.startsWith('sk-ant-')) {
    return {
      kind: 'otherVendor',
      title: 'This is an Anthropic key',
      message: 'This data source reads the OpenAI Admin API and needs an OpenAI admin key (sk-admin-…).',
    };
  }
  if (v.startsWith('sk-')) {
    return {
      kind: 'userKey',
      title: 'This looks like a regular API key, not an admin key',
      message: 'Regular API keys (sk-…) cannot read organization usage or costs. Admin keys start with sk-admin-.',
    };
  }
  return {
    kind: 'notAKey',
    title: 'This does not look like an OpenAI admin key',
    message: 'Admin keys start with sk-admin-.',
  };
}
