/** Runs an insight query: dispatches to the figure the query asks for. */
import { ownEntry } from '../lookup';
import { QueryError, QueryRunner } from '../query/context';
import { InsightKind } from '../types';
import { runAttributedSpend } from './attributedSpend';
import { runBudget } from './budget';
import { runCacheEfficiency } from './cacheEfficiency';
import { runReconciliation } from './reconciliation';
import { runSpendByModel } from './spendByModel';

export const insightRunners: Record<InsightKind, QueryRunner> = {
  spendByModel: runSpendByModel,
  attributedSpend: runAttributedSpend,
  budget: runBudget,
  cacheEfficiency: runCacheEfficiency,
  reconciliation: runReconciliation,
};

export const runInsight: QueryRunner = (ctx, query, request) => {
  const runner = ownEntry(insightRunners, query.insight);
  if (!runner) {
    return Promise.reject(
      new QueryError([
        query.insight
          ? `Insight: "${query.insight}" is not an insight this plugin has. Choose one from the list.`
          : 'Choose an insight.',
      ])
    );
  }
  return runner(ctx, query, request);
};
