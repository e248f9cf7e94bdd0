import { apiUrlWarning, isValidOrganizationId, keyHint, migrateEndpoint, normalizeApiUrl } from './settings';

describe('normalizeApiUrl', () => {
  it.each([
    ['', ''],
    ['   ', ''],
    ['https://api.openai.com', 'https://api.openai.com'],
    [' https://api.openai.com/ ', 'https://api.openai.com'],
    ['https://api.openai.com/v1', 'https://api.openai.com'],
    ['https://api.openai.com/v1/', 'https://api.openai.com'],
    ['https://api.openai.com/V1', 'https://api.openai.com'],
    ['https://proxy.corp/openai/v1//', 'https://proxy.corp/openai'],
    ['https://proxy.corp/openai/v1/organization/costs', 'https://proxy.corp/openai'],
    ['https://proxy.corp/v1organization', 'https://proxy.corp/v1organization'],
    ['proxy.corp:8443', 'https://proxy.corp:8443'],
    ['http://localhost:8080/v1?x=1#y', 'http://localhost:8080'],
    ['https://gateway.example/v1/openai/v1', 'https://gateway.example/v1/openai'],
  ])('%p -> %p', (input, expected) => {
    expect(normalizeApiUrl(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = normalizeApiUrl('https://x.example/v1/');
    expect(normalizeApiUrl(once)).toBe(once);
  });
});

describe('migrateEndpoint', () => {
  it.each([
    // [url, jsonData.apiUrl, stored url, or undefined when nothing changes]
    ['', undefined, 'https://api.openai.com'],
    ['https://api.openai.com', undefined, undefined],
    ['https://api.openai.com/', undefined, 'https://api.openai.com'],
    ['https://api.openai.com/v1', undefined, 'https://api.openai.com'],
    ['https://api.openai.com/v1/', undefined, 'https://api.openai.com'],
    ['https://gw.corp/openai', undefined, undefined],
    ['', 'https://gw.corp/openai/', 'https://gw.corp/openai'],
    ['', '', 'https://api.openai.com'],
    ['https://gw.corp/a', 'https://old.corp', 'https://gw.corp/a'],
  ])('url %p, apiUrl %p -> %p', (url, apiUrl, expected) => {
    const jsonData = apiUrl === undefined ? { organizationId: 'org-a' } : { apiUrl, organizationId: 'org-a' };
    const migrated = migrateEndpoint({ url, jsonData });
    expect(migrated?.url).toBe(expected);
    if (migrated) {
      expect(migrated.jsonData).toEqual({ organizationId: 'org-a' });
    }
  });
});

describe('apiUrlWarning', () => {
  it('accepts https and local http', () => {
    expect(apiUrlWarning('')).toBeUndefined();
    expect(apiUrlWarning('https://proxy.corp')).toBeUndefined();
    expect(apiUrlWarning('http://localhost:4010')).toBeUndefined();
    expect(apiUrlWarning('http://127.0.0.1:4010/v1')).toBeUndefined();
    expect(apiUrlWarning('http://openai-simulator:4010')).toBeUndefined();
  });
  it('warns about plain http to another host', () => {
    expect(apiUrlWarning('http://proxy.corp')).toMatch(/unencrypted/);
  });
  it('warns about non-http schemes and credentials in the URL', () => {
    expect(apiUrlWarning('ftp://proxy.corp')).toMatch(/Only http and https/);
    expect(apiUrlWarning('https://user:pw@proxy.corp')).toMatch(/Credentials/);
  });
});

describe('isValidOrganizationId', () => {
  it('accepts empty and org- ids', () => {
    expect(isValidOrganizationId('')).toBe(true);
    expect(isValidOrganizationId(undefined)).toBe(true);
    expect(isValidOrganizationId('org-sim0001')).toBe(true);
    expect(isValidOrganizationId(' org-AbC123 ')).toBe(true);
  });
  it('rejects anything else', () => {
    expect(isValidOrganizationId('org-')).toBe(false);
    expect(isValidOrganizationId('proj_abc')).toBe(false);
    expect(isValidOrganizationId('org-abc def')).toBe(false);
    expect(isValidOrganizationId('org-abc\ndef')).toBe(false);
  });
});

describe('keyHint', () => {
  it('says nothing for an empty field or an admin key', () => {
    expect(keyHint('')).toBeUndefined();
    expect(keyHint(undefined)).toBeUndefined();
    expect(keyHint('sk-admin-abc123')).toBeUndefined();
  });
  it.each([
    ['sk-proj-abc', 'projectKey', /project API key/],
    ['sk-svcacct-abc', 'serviceAccountKey', /service account/],
    ['sk-abc123', 'userKey', /regular API key/],
    ['sk-ant-admin01-abc', 'otherVendor', /Anthropic/],
    ['hello', 'notAKey', /does not look like/],
    ['Bearer sk-admin-abc', 'bearerPrefix', /Bearer/],
    ['sk-admin-abc def', 'whitespace', /spaces/],
  ])('%p is %p', (key, kind, title) => {
    const hint = keyHint(key);
    expect(hint?.kind).toBe(kind);
    expect(hint?.title).toMatch(title);
  });
});
