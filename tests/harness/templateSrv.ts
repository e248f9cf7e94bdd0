/**
 * A small stand-in for Grafana's template service: `$var`, `${var}`, `${var:csv}` and `[[var]]`, with
 * single and multi-value variables and "All", formatted the way Grafana formats them.
 */
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

export interface TestVariable {
  name: string;
  /** `$__all` for "All". */
  value: string | string[];
  /** Every option's value, used when the variable is set to "All". */
  options?: string[];
}

type Format = string | ((value: string | string[], variable?: unknown) => string) | undefined;

const PATTERN = /\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]/g;

function format(value: string | string[], fmt: Format): string {
  if (typeof fmt === 'function') {
    return fmt(value);
  }
  if (!Array.isArray(value)) {
    return value;
  }
  switch (fmt) {
    case 'csv':
      return value.join(',');
    case 'pipe':
      return value.join('|');
    default:
      return value.length === 1 ? value[0] : `{${value.join(',')}}`;
  }
}

export function createTemplateSrv(variables: TestVariable[] = []): TemplateSrv {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const current = (v: TestVariable) =>
    v.value === '$__all' || (Array.isArray(v.value) && v.value.includes('$__all')) ? (v.options ?? []) : v.value;
  return {
    getVariables: () =>
      variables.map((v) => ({
        name: v.name,
        type: 'custom',
        current: { value: v.value, text: v.value },
      })) as unknown as TypedVariableModel[],
    replace(target?: string, scopedVars?: ScopedVars, fmt?: Format) {
      return (target ?? '').replace(PATTERN, (match, a, b, inlineFmt, c) => {
        const name = a ?? b ?? c;
        const scoped = scopedVars?.[name];
        if (scoped) {
          return format(scoped.value as string | string[], inlineFmt ?? fmt);
        }
        const v = byName.get(name);
        return v ? format(current(v), inlineFmt ?? fmt) : match;
      });
    },
    containsTemplate: (target?: string) => Boolean(target && new RegExp(PATTERN.source).test(target)),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv;
}
