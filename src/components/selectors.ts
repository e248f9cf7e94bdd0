/**
 * Test ids and labels shared by the Jest tests and the e2e specs, so both find the same elements.
 * Strings that start with `data-testid` follow the convention of `@grafana/plugin-e2e`'s `getByGrafanaSelector`.
 */
export const selectors = {
  config: {
    adminKey: 'data-testid openai-config-admin-key',
    keyHint: 'data-testid openai-config-key-hint',
    organizationId: 'data-testid openai-config-organization-id',
    apiUrl: 'data-testid openai-config-api-url',
    apiUrlWarning: 'data-testid openai-config-api-url-warning',
    keyHost: 'data-testid openai-config-key-host',
    monthlyBudget: 'data-testid openai-config-monthly-budget',
  },
  query: {
    queryType: 'data-testid openai-query-type',
    source: 'data-testid openai-query-source',
    metrics: 'data-testid openai-query-metrics',
    bucketWidth: 'data-testid openai-query-bucket-width',
    groupBy: 'data-testid openai-query-group-by',
    filter: (key: string) => `data-testid openai-query-filter-${key}`,
    strayFilter: (key: string) => `data-testid openai-query-stray-filter-${key}`,
    legendFormat: 'data-testid openai-query-legend-format',
    costByModel: 'data-testid openai-query-cost-by-model',
    topN: 'data-testid openai-query-top-n',
    validation: 'data-testid openai-query-validation',
    sourceChangeNotice: 'data-testid openai-query-source-change-notice',
    optionsError: 'data-testid openai-query-options-error',
    insightKind: 'data-testid openai-query-insight-kind',
    insightExactness: 'data-testid openai-query-insight-exactness',
    attributeTo: 'data-testid openai-query-attribute-to',
    splitByTokenType: 'data-testid openai-query-split-by-token-type',
    byProject: 'data-testid openai-query-by-project',
    monthlyBudget: 'data-testid openai-query-monthly-budget',
    inventoryKind: 'data-testid openai-query-inventory-kind',
    activityWindow: 'data-testid openai-query-activity-window',
    auditEventTypes: 'data-testid openai-query-audit-event-types',
    auditActorEmails: 'data-testid openai-query-audit-actor-emails',
    auditProjectIds: 'data-testid openai-query-audit-project-ids',
  },
  variable: {
    kind: 'data-testid openai-variable-kind',
    includeArchived: 'data-testid openai-variable-include-archived',
    source: 'data-testid openai-variable-source',
    lookback: 'data-testid openai-variable-lookback',
    projectIds: 'data-testid openai-variable-project-ids',
  },
};
