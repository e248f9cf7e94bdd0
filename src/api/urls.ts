/** Addresses the settings form and Save & test both name. */

/** Where requests go when the API endpoint setting is empty. */
export const DEFAULT_API_URL = 'https://api.openai.com';

/** Where an organization owner creates admin keys. */
export const ADMIN_KEYS_URL = 'https://platform.openai.com/settings/organization/admin-keys';
