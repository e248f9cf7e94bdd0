/** Addresses the settings form and Save & test both name. */
import plugin from '../plugin.json';

/** Where requests go when the API endpoint setting is empty. */
export const DEFAULT_API_URL = 'https://api.openai.com';

/** Where an organization owner creates admin keys. */
export const ADMIN_KEYS_URL = 'https://platform.openai.com/settings/organization/admin-keys';

/** This plugin's own documentation, as plugin.json lists it for Grafana's plugin catalog. */
export const DOCS_URL = plugin.info.links.find((l) => l.name === 'Documentation')!.url;
