/**
 * Template variables in filters and legends. A multi-value variable becomes several filter values; a
 * variable set to "All" drops the filter, so "All" also covers projects or users created after the
 * variable's options were loaded.
 */
import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { OpenAIQuery, QueryFilters } from '../types';

const ALL = '$__all';
const SINGLE_VARIABLE = /^\s*(?:\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\])\s*$/;

export type Replacer = Pick<TemplateSrv, 'replace'> & Partial<Pick<TemplateSrv, 'getVariables'>>;

function isAll(text: string, templateSrv: Replacer, scopedVars?: ScopedVars): boolean {
  const m = SINGLE_VARIABLE.exec(text);
  if (!m) {
    return false;
  }
  const name = m[1] ?? m[2] ?? m[3];
  const scoped = scopedVars?.[name]?.value;
  if (scoped !== undefined) {
    return scoped === ALL || (Array.isArray(scoped) && scoped.includes(ALL));
  }
  const variable = templateSrv.getVariables?.().find((v) => v.name === name) as
    { current?: { value?: string | string[] } } | undefined;
  const value = variable?.current?.value;
  return value === ALL || (Array.isArray(value) && value.includes(ALL));
}

/** Expands each entry; `undefined` means "All": no filter. */
export function interpolateList(
  values: string[] | undefined,
  templateSrv: Replacer,
  scopedVars?: ScopedVars
): string[] | undefined {
  if (!values?.length) {
    return values;
  }
  const out: string[] = [];
  for (const v of values) {
    if (isAll(v, templateSrv, scopedVars)) {
      return undefined;
    }
    const replaced = templateSrv.replace(v, scopedVars, (value: string | string[]) =>
      Array.isArray(value) ? value.join('\u0000') : value
    );
    out.push(
      ...replaced
        .split('\u0000')
        .map((s) => s.trim())
        .filter(Boolean)
    );
  }
  return [...new Set(out)];
}

/** Filters and legend: what time series and insights read. */
export function interpolateSeries(query: OpenAIQuery, templateSrv: Replacer, scopedVars?: ScopedVars): OpenAIQuery {
  const filters: QueryFilters = { ...query.filters };
  for (const key of Object.keys(filters) as Array<keyof QueryFilters>) {
    const value = filters[key];
    if (Array.isArray(value)) {
      const expanded = interpolateList(value, templateSrv, scopedVars);
      if (expanded === undefined) {
        delete filters[key];
      } else {
        (filters as Record<string, unknown>)[key] = expanded;
      }
    }
  }
  return {
    ...query,
    filters,
    legendFormat: query.legendFormat ? templateSrv.replace(query.legendFormat, scopedVars) : query.legendFormat,
  };
}

/** Audit log filters. */
export function interpolateAudit(query: OpenAIQuery, templateSrv: Replacer, scopedVars?: ScopedVars): OpenAIQuery {
  const list = (v?: string[]) => interpolateList(v, templateSrv, scopedVars);
  return {
    ...query,
    auditEventTypes: list(query.auditEventTypes),
    auditActorEmails: list(query.auditActorEmails),
    auditProjectIds: list(query.auditProjectIds),
  };
}
