/** What each insight shows and how exact it is, for the query editor and the docs. */
import { InsightKind } from '../types';

export interface InsightKindDef {
  label: string;
  description: string;
  /** Where the figure comes from and how far to trust it. */
  exactness: string;
}

export const INSIGHT_KINDS: Record<InsightKind, InsightKindDef> = {
  spendByModel: {
    label: 'Spend by model',
    description: 'Billed spend per model, optionally per token type and project',
    exactness:
      'Exact: billed cost line items ("gpt-4o-2024-08-06, output") split into model and token type; adds up to the bill.',
  },
  attributedSpend: {
    label: 'Spend by user or API key',
    description: 'Billed spend shared out to users or API keys by their tokens',
    exactness:
      'Estimate: each day’s line item of a model in a project is split among the users or keys that used it, in proportion to tokens. Parts plus "unallocated" equal the bill exactly.',
  },
  budget: {
    label: 'Budget',
    description: 'Month-to-date spend against a monthly budget, with a month-end projection',
    exactness:
      'Month to date is billed (exact; the last day or so is still settling). The projection is an estimate: the mean of the last 7 complete days, carried to month end.',
  },
  cacheEfficiency: {
    label: 'Cache efficiency',
    description: 'Cached share of input tokens by model, and money saved by caching',
    exactness:
      'Cached share is exact (completions usage). Money saved is an estimate from each day’s effective input and cached input prices.',
  },
  reconciliation: {
    label: 'Billed vs. attributed',
    description: 'Per project and day: billed cost, the part usage explains, and the gap',
    exactness:
      'Billed is exact. Attributed is the part of it that completions usage of the same model explains; the gap is the rest.',
  },
};

export const INSIGHT_KIND_IDS = Object.keys(INSIGHT_KINDS) as InsightKind[];

export const DEFAULT_INSIGHT_KIND: InsightKind = 'spendByModel';
