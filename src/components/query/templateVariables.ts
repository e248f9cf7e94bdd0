import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

/** Dashboard variables offered as filter values (`$project`), interpolated when the query runs. */
export function variableOptions(): Array<ComboboxOption<string>> {
  let variables: Array<{ name: string; label?: string }> = [];
  try {
    variables = getTemplateSrv().getVariables();
  } catch {
    // No template service outside a dashboard (e.g. some tests); offer no variables.
  }
  return variables.map((v) => ({
    value: `$${v.name}`,
    label: `$${v.name}`,
    description: v.label ? `Variable: ${v.label}` : 'Dashboard variable',
    group: 'Variables',
  }));
}
