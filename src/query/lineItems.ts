/**
 * Cost line items name the model and the kind of spend in one text, e.g. `gpt-4o-2024-08-06, cached input`.
 * Splitting them is how spend per model is derived; items that name no model (tool calls, storage) keep
 * their whole text as the kind.
 */
export interface LineItemParts {
  /** Null for items that are not billed per model. */
  model: string | null;
  /** `input`, `cached input`, `output`, `batch input`, … or the whole item when it names no model. */
  tokenType: string;
}

export function parseLineItem(lineItem: string | null | undefined): LineItemParts {
  const text = (lineItem ?? '').trim();
  const comma = text.indexOf(', ');
  if (comma <= 0) {
    return { model: null, tokenType: text || 'unknown' };
  }
  return { model: text.slice(0, comma), tokenType: text.slice(comma + 2) };
}

/** What cost not billed per model (tool calls, storage) is called where series are per model. */
export const NOT_PER_MODEL = '(not per model)';
