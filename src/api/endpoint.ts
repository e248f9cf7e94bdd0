/**
 * The API endpoint is the data source's own URL field. Grafana's proxy appends the whole proxy path
 * (`v1/organization/…`) to it, so the key only ever reaches `<scheme>://<host>[:port][/base]/v1/organization/…`,
 * and Grafana's URL validation and `data_source_proxy_whitelist` apply to it.
 */
import plugin from '../plugin.json';

/** Where requests go unless the data source URL names a gateway. */
export const DEFAULT_API_URL = 'https://api.openai.com';

/** This plugin's own documentation, as plugin.json lists it for Grafana's plugin catalog. */
export const DOCS_URL = plugin.info.links.find((l) => l.name === 'Documentation')!.url;

/** Where an organization owner creates admin keys. */
export const ADMIN_KEYS_URL = 'https://platform.openai.com/settings/organization/admin-keys';
export const DEFAULT_API_HOST = new URL(DEFAULT_API_URL).host;

/**
 * The URL as it should be stored: the bare origin plus any gateway prefix, with no trailing slash and no `/v1`
 * or `/v1/organization…` suffix (Grafana appends `/v1/organization/…` itself), no query and no fragment.
 */
export function normalizeApiUrl(url: string | undefined): string {
  let value = (url ?? '').trim();
  if (!value) {
    return '';
  }
  // Grafana would read a bare host as http://; the API wants https.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    value = `https://${value}`;
  }
  value = value.replace(/[?#].*$/, '');
  value = value.replace(/\/+$/, '');
  value = value.replace(/\/v1(\/organization(\/.*)?)?$/i, '');
  return value.replace(/\/+$/, '');
}

/** The host the admin key is sent to, or undefined when the URL does not parse. */
export function apiHost(url: string | undefined): string | undefined {
  try {
    return new URL(normalizeApiUrl(url)).host || undefined;
  } catch {
    return undefined;
  }
}

export const NO_URL_MESSAGE = `This data source has no URL, so Grafana has nowhere to send its requests. Set URL to ${DEFAULT_API_URL} in the data source settings, or add \`url: ${DEFAULT_API_URL}\` to its provisioning file.`;

/** Grafana answers an empty URL's requests with a bare 502, the same as an unreachable host. */
export const UNREACHABLE_MESSAGE = `Grafana could not reach the data source URL (HTTP 502). A data source without a URL fails this way (one provisioned without \`url:\`): set it to ${DEFAULT_API_URL}. Otherwise check that Grafana's server can reach the URL's host.`;

export function doubledV1Message(url?: string): string {
  return `The data source URL${url ? ` ${url}` : ''} ends in /v1, but Grafana appends /v1/organization/… itself, so requests went to …/v1/v1/organization/…. Remove /v1 from the URL${url ? `: ${normalizeApiUrl(url)}` : ''}.`;
}

export const NOT_ALLOWED_MESSAGE =
  "Grafana's data_source_proxy_whitelist does not include the host of this data source's URL. A Grafana server administrator can add it ([security] data_source_proxy_whitelist = host:port), or the URL must change.";

export function invalidUrlMessage(detail?: string): string {
  return `Grafana cannot use the data source URL${detail ? ` (${detail})` : ''}. Set it to ${DEFAULT_API_URL} or to your gateway's https://host[:port][/prefix].`;
}

/** What is wrong with a configured URL before any request, or undefined when it can be used. */
export function urlProblem(url: string | undefined): string | undefined {
  const value = (url ?? '').trim();
  if (!value) {
    return NO_URL_MESSAGE;
  }
  const path = value.replace(/^[^:]*:\/\/[^/?#]*/, '').replace(/[?#].*$/, '');
  if (/\/v1(\/organization(\/.*)?)?\/*$/i.test(path)) {
    return doubledV1Message(value);
  }
  return undefined;
}
