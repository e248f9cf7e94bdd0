import React, { ChangeEvent, useEffect, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection, DataSourceDescription } from '@grafana/plugin-ui';
import { Alert, Divider, Input, SecretInput, TextLink } from '@grafana/ui';

import { OpenAIDataSourceOptions, OpenAISecureJsonData } from '../types';
import { ConfigField } from './config/ConfigField';
import { KeyHintAlert, ScopeList } from './config/KeyHintAlert';
import { ADMIN_KEYS_URL, DEFAULT_API_URL, DOCS_URL } from '../api/urls';
import { apiUrlWarning, isValidOrganizationId, keyHint, normalizeApiUrl } from './config/settings';
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

  const setJsonData = (patch: Partial<OpenAIDataSourceOptions>) => {
    const next: OpenAIDataSourceOptions = { ...jsonData, ...patch };
    // Unset rather than empty, so the route template falls back to the default endpoint.
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

  // Save & test reads this to ask for a key before any request; the key itself never reaches the browser.
  const keyPresent = Boolean(secureJsonFields?.adminApiKey) || typedKey !== '';
  useEffect(() => {
    if (jsonData.adminKeyConfigured !== keyPresent) {
      onOptionsChange({ ...options, jsonData: { ...jsonData, adminKeyConfigured: keyPresent } });
    }
  }, [keyPresent, jsonData, options, onOptionsChange]);

  const orgId = jsonData.organizationId ?? '';
  const orgInvalid = !isValidOrganizationId(orgId);
  const apiUrl = jsonData.apiUrl ?? '';
  const urlWarning = apiUrlWarning(apiUrl);
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
          error={
            orgInvalid ? 'An organization ID looks like org-AbC123…: "org-" followed by letters and digits.' : undefined
          }
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
          label="API endpoint"
          htmlFor="openai-api-url"
          tooltip={`Leave empty to call ${DEFAULT_API_URL}. Set it for a corporate proxy or gateway that forwards /v1/organization/… to OpenAI. Enter the base URL without /v1; it is trimmed on leaving the field.`}
          description={`Optional. Default ${DEFAULT_API_URL}.`}
        >
          <Input
            id="openai-api-url"
            data-testid={selectors.config.apiUrl}
            value={apiUrl}
            placeholder={DEFAULT_API_URL}
            width={INPUT_WIDTH}
            onChange={(e) => setJsonData({ apiUrl: e.currentTarget.value })}
            onBlur={(e) => {
              const normalized = normalizeApiUrl(e.currentTarget.value);
              setJsonData({ apiUrl: normalized === DEFAULT_API_URL ? '' : normalized });
            }}
          />
        </ConfigField>
        {urlWarning && (
          <Alert severity="warning" title="Check the API endpoint" data-testid={selectors.config.apiUrlWarning}>
            {urlWarning}
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
