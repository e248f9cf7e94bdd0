/** Runs an insight query: dispatches to the figure the query asks for. */
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
  const runner = query.insight ? insightRunners[query.insight] : undefined;
  if (!runner) {
    return Promise.reject(
      new QueryError([
        query.insight ? `Unknown insight "${query.insight}". Choose one from the list.` : 'Choose an insight.',
      ])
    );
  }
  return runner(ctx, query, request);
};
