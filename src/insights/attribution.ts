/**
 * Attribution of billed cost to users or API keys. The costs endpoint cannot group by user, so each day's line
 * item of a model in a project (`<model>, cached input`) is split among the users or keys that used that model in
 * that project that day, in proportion to the tokens that line item bills. Integer micro-dollars and a
 * largest-remainder split make the parts plus the unallocated rest equal the bill exactly.
 */
import { UsageBucket } from '../api/types';
import { parseLineItem } from '../query/lineItems';
import { dimValue, parseAmount } from '../query/values';
import { Principal } from '../types';
import { splitLargestRemainder, toMicros } from './allocate';
import { isTokenType, tokensFor, TOKEN_TYPES } from './tokenTypes';

export type { Principal } from '../types';

/** Why some cost found nobody to go to. */
export type UnallocatedReason = 'notPerModel' | 'notPerToken' | 'noUsage' | 'noTokens';

export const UNALLOCATED_REASONS: Record<UnallocatedReason, string> = {
  notPerModel: 'line items not billed per model (tool calls, storage…)',
  notPerToken: 'line items not billed per token (images, audio seconds…)',
  noUsage: 'models with no completions usage in that project that day',
  noTokens: 'token types with no matching tokens that day',
};

export interface ProjectDay {
  billed: number;
  /** The part of `billed` that found usage to go to. */
  attributed: number;
}

export interface DayAttribution {
  /** Bucket start, Unix seconds. */
  start: number;
  /** Micro-dollars per user or key ID; null = usage without one (e.g. service account traffic has no user). */
  byPrincipal: Map<string | null, number>;
  /** Micro-dollars per project ID ('' when the cost names no project). */
  byProject: Map<string, ProjectDay>;
  unallocated: number;
  unallocatedBy: Record<UnallocatedReason, number>;
  billed: number;
}

type Weights = Map<string, Map<string | null, number>>;

/** Tokens per token type and principal, for each project and model of one day's usage. */
function usageWeights(bucket: UsageBucket | undefined, by: Principal | null): Map<string, Weights> {
  const out = new Map<string, Weights>();
  for (const r of bucket?.results ?? []) {
    const model = dimValue(r.model);
    if (!model) {
      continue;
    }
    const key = JSON.stringify([dimValue(r.project_id) ?? '', model]);
    let perType = out.get(key);
    if (!perType) {
      perType = new Map();
      out.set(key, perType);
    }
    const principal = by ? dimValue(r[by]) : null;
    for (const tokenType of Object.keys(TOKEN_TYPES)) {
      const tokens = tokensFor(tokenType, r) ?? 0;
      let perPrincipal = perType.get(tokenType);
      if (!perPrincipal) {
        perPrincipal = new Map();
        perType.set(tokenType, perPrincipal);
      }
      perPrincipal.set(principal, (perPrincipal.get(principal) ?? 0) + tokens);
    }
  }
  return out;
}

/**
 * `costs`: daily costs grouped by project_id and line_item. `usage`: daily completions grouped by project_id,
 * model, batch and the principal (if any), over the same range so the days line up.
 */
export function attributeCosts(costs: UsageBucket[], usage: UsageBucket[], by: Principal | null): DayAttribution[] {
  const usageByDay = new Map(usage.map((b) => [b.start_time, b]));
  return costs.map((bucket) => {
    const weights = usageWeights(usageByDay.get(bucket.start_time), by);
    const day: DayAttribution = {
      start: bucket.start_time,
      byPrincipal: new Map(),
      byProject: new Map(),
      unallocated: 0,
      unallocatedBy: { notPerModel: 0, notPerToken: 0, noUsage: 0, noTokens: 0 },
      billed: 0,
    };
    for (const r of bucket.results) {
      const micros = toMicros(parseAmount(r));
      const projectId = dimValue(r.project_id) ?? '';
      const project = day.byProject.get(projectId) ?? { billed: 0, attributed: 0 };
      day.byProject.set(projectId, project);
      project.billed += micros;
      day.billed += micros;

      const { model, tokenType } = parseLineItem(r.line_item);
      const perPrincipal = model
        ? weights.get(JSON.stringify([projectId, model]))?.get(tokenType.trim().toLowerCase())
        : undefined;
      const reason = unallocatedReason(model, tokenType, perPrincipal);
      if (reason || !perPrincipal) {
        day.unallocated += micros;
        day.unallocatedBy[reason ?? 'noTokens'] += micros;
        continue;
      }
      const principals = [...perPrincipal.keys()];
      const parts = splitLargestRemainder(
        micros,
        principals.map((p) => perPrincipal.get(p)!)
      );
      principals.forEach((p, i) => {
        if (parts[i] !== 0) {
          day.byPrincipal.set(p, (day.byPrincipal.get(p) ?? 0) + parts[i]);
        }
      });
      project.attributed += micros;
    }
    return day;
  });
}

function unallocatedReason(
  model: string | null,
  tokenType: string,
  perPrincipal: Map<string | null, number> | undefined
): UnallocatedReason | undefined {
  if (!model) {
    return 'notPerModel';
  }
  if (!isTokenType(tokenType)) {
    return 'notPerToken';
  }
  if (!perPrincipal) {
    return 'noUsage';
  }
  let tokens = 0;
  perPrincipal.forEach((t) => (tokens += t));
  return tokens > 0 ? undefined : 'noTokens';
}
