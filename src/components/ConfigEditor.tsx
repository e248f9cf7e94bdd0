import React, { ChangeEvent, useEffect, useRef, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection, DataSourceDescription } from '@grafana/plugin-ui';
import { Alert, Divider, Input, SecretInput, TextLink } from '@grafana/ui';

import { OpenAIDataSourceOptions, OpenAISecureJsonData } from '../types';
import { ConfigField } from './config/ConfigField';
import { KeyHintAlert, ScopeList } from './config/KeyHintAlert';
import { ADMIN_KEYS_URL, DEFAULT_API_HOST, DEFAULT_API_URL, DOCS_URL, apiHost } from '../api/endpoint';
import { apiUrlWarning, keyHint, migrateEndpoint, normalizeApiUrl, organizationIdProblem } from './config/settings';
import { selectors } from './selectors';

export { apiUrlWarning, isValidOrganizationId, keyHint, normalizeApiUrl } from './config/settings';

type Props = DataSourcePluginOptionsEditorProps<OpenAIDataSourceOptions, OpenAISecureJsonData>;

const INPUT_WIDTH = 60;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  // What the user typed this session; a saved key is never sent back to the browser.
  const typedKey = secureJsonData?.adminApiKey ?? '';
  const hint = keyHint(typedKey);
  const [budgetText, setBudgetText] = useState(jsonData.monthlyBudget?.toString() ?? '');
  // What the user typed; the stored URL is always the tidied form, so saving (even with Enter) stores it tidy.
  const [urlText, setUrlText] = useState(options.url ?? '');

  // On opening: the endpoint moves from the old jsonData.apiUrl into the URL field, tidied; a new data source
  // gets the default.
  // Save & test reads adminKeyConfigured to ask for a key before any request; the key itself never reaches the browser.
  const keyPresent = Boolean(secureJsonFields?.adminApiKey) || typedKey !== '';
  const withKeyFlag = (o: typeof options) =>
    o.jsonData.adminKeyConfigured === keyPresent
      ? o
      : { ...o, jsonData: { ...o.jsonData, adminKeyConfigured: keyPresent } };
  useEffect(() => {
    // Once, with the settings as loaded: one change, so neither update overwrites the other.
    const next = withKeyFlag(migrateEndpoint(options) ?? options);
    if (next !== options) {
      onOptionsChange(next);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // Follow a URL set from outside the field (the migration above), adjusting state while rendering.
  const [urlSeen, setUrlSeen] = useState(options.url);
  if (options.url !== urlSeen) {
    setUrlSeen(options.url);
    if (normalizeApiUrl(urlText) !== options.url) {
      setUrlText(options.url);
    }
  }

  const setJsonData = (patch: Partial<OpenAIDataSourceOptions>) => {
    const next: OpenAIDataSourceOptions = { ...jsonData, ...patch };
    // Unset rather than empty, so the saved settings hold only what was set.
    for (const key of Object.keys(patch) as Array<keyof OpenAIDataSourceOptions>) {
      if (next[key] === undefined || next[key] === '') {
        delete next[key];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };

  const onKeyChange = (e: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({
      ...options,
      secureJsonData: { ...secureJsonData, adminApiKey: e.currentTarget.value.trim() },
    });
  };

  const onKeyReset = () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, adminApiKey: false },
      secureJsonData: { ...secureJsonData, adminApiKey: '' },
    });
  };

  // Later key changes (typed or reset); the first render's is part of the change above.
  const loaded = useRef(false);
  useEffect(() => {
    if (!loaded.current) {
      loaded.current = true;
      return;
    }
    const next = withKeyFlag(options);
    if (next !== options) {
      onOptionsChange(next);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keyPresent, options, onOptionsChange]);

  const orgId = jsonData.organizationId ?? '';
  const orgProblem = organizationIdProblem(orgId);
  const orgInvalid = Boolean(orgProblem);
  const urlWarning = apiUrlWarning(urlText);
  const keyHost = apiHost(options.url);
  const urlMissing = !normalizeApiUrl(urlText);
  const budgetInvalid = budgetText !== '' && !(Number(budgetText) >= 0);

  return (
    <>
      <DataSourceDescription dataSourceName="OpenAI Usage & Costs" docsLink={DOCS_URL} hasRequiredFields />
      <Divider />

      <ConfigSection
        title="Authentication"
        description="An OpenAI admin key. Grafana stores it encrypted and adds it to requests on the server; browsers never see it."
      >
        <ConfigField
          label="Admin API key"
          htmlFor="openai-admin-key"
          required
          tooltip={
            <>
              An admin key (sk-admin-…) created by an organization owner under{' '}
              <TextLink href={ADMIN_KEYS_URL} external>
                Organization settings › Admin keys
              </TextLink>
              . Read access is enough: this data source only sends GET requests.
              <ScopeList />
            </>
          }
          description="Project and user keys (sk-proj-…, sk-…) cannot read usage or costs."
        >
          <SecretInput
            id="openai-admin-key"
            data-testid={selectors.config.adminKey}
            isConfigured={Boolean(secureJsonFields?.adminApiKey)}
            value={typedKey}
            placeholder="sk-admin-…"
            autoComplete="off"
            width={INPUT_WIDTH}
            onChange={onKeyChange}
            onReset={onKeyReset}
          />
        </ConfigField>
        {hint && <KeyHintAlert hint={hint} />}
      </ConfigSection>

      <Divider />

      <ConfigSection title="Organization and endpoint">
        <ConfigField
          label="Organization ID"
          htmlFor="openai-organization-id"
          tooltip="Sent as the OpenAI-Organization header. Needed only if the key's owner belongs to several organizations; it is not secret. Find it under Organization settings › General."
          description="Optional. Starts with org-."
          invalid={orgInvalid}
          error={orgProblem}
        >
          <Input
            id="openai-organization-id"
            data-testid={selectors.config.organizationId}
            value={orgId}
            placeholder="org-…"
            width={INPUT_WIDTH}
            onChange={(e) => setJsonData({ organizationId: e.currentTarget.value })}
            onBlur={(e) => setJsonData({ organizationId: e.currentTarget.value.trim() })}
          />
        </ConfigField>

        <ConfigField
          label="URL"
          htmlFor="openai-api-url"
          required
          tooltip={`The OpenAI API, ${DEFAULT_API_URL}, or a corporate proxy or gateway that forwards /v1/organization/… to it. Grafana appends /v1/organization/… itself, so a trailing /v1 is removed. Grafana's data_source_proxy_whitelist applies to this host.`}
          description={`Default ${DEFAULT_API_URL}.`}
          invalid={urlMissing}
          error={urlMissing ? `Enter the API's URL, e.g. ${DEFAULT_API_URL}.` : undefined}
        >
          <Input
            id="openai-api-url"
            data-testid={selectors.config.apiUrl}
            value={urlText}
            placeholder={DEFAULT_API_URL}
            width={INPUT_WIDTH}
            onChange={(e) => {
              const text = e.currentTarget.value;
              setUrlText(text);
              onOptionsChange({ ...options, url: normalizeApiUrl(text) });
            }}
            onBlur={(e) => setUrlText(normalizeApiUrl(e.currentTarget.value))}
          />
        </ConfigField>
        {urlWarning && (
          <Alert severity="warning" title="Check the URL" data-testid={selectors.config.apiUrlWarning}>
            {urlWarning}
          </Alert>
        )}
        {keyHost && keyHost !== DEFAULT_API_HOST && (
          <Alert
            severity="info"
            title={`The admin key will be sent to ${keyHost}`}
            data-testid={selectors.config.keyHost}
          >
            Grafana adds the admin key to every request to this host. Use it only if you trust it with full read access
            to the organization.
          </Alert>
        )}
      </ConfigSection>

      <Divider />

      <ConfigSection title="Budget" isCollapsible isInitiallyOpen={jsonData.monthlyBudget !== undefined}>
        <ConfigField
          label="Monthly budget (USD)"
          htmlFor="openai-monthly-budget"
          tooltip="Used by budget and forecast queries to show spend against budget. A query can override it."
          description="Optional."
          invalid={budgetInvalid}
          error={budgetInvalid ? 'Enter an amount in US dollars, zero or more.' : undefined}
        >
          <Input
            id="openai-monthly-budget"
            data-testid={selectors.config.monthlyBudget}
            type="number"
            min={0}
            step="any"
            prefix="$"
            value={budgetText}
            placeholder="e.g. 500"
            width={24}
            onChange={(e) => {
              const text = e.currentTarget.value;
              setBudgetText(text);
              const amount = Number(text);
              setJsonData({ monthlyBudget: text !== '' && amount >= 0 ? amount : undefined });
            }}
          />
        </ConfigField>
      </ConfigSection>
    </>
  );
}
