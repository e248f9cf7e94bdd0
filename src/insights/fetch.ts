/**
 * Shared plumbing of the insights: every request goes through the time series engine's planning and fetching
 * (windows within the API's limits, pages followed, buckets checked to join up), so insights read exactly the
 * data a time series query would.
 */
import { QueryResultMetaNotice } from '@grafana/data';

import {
  BILLED_SOURCE,
  BucketWidth,
  DIMENSION_OF_KIND,
  ENDPOINTS,
  GroupByKey,
  NameKind,
  SourceId,
  noneOf,
} from '../api/catalog';
import { UsageBucket } from '../api/types';
import { QueryContext } from '../query/context';
import { ResolvedNames } from '../org/directory';
import { FetchPlan, describeRequests, fetchBuckets, planQuery, provisionalNotice } from '../query/engine';
import { OpenAIQuery } from '../types';

export const DAY_SECONDS = 86400;

export interface FetchSpec {
  source: SourceId;
  groupBy: GroupByKey[];
  width: BucketWidth | 'auto';
  projectIds?: string[];
  fromMs: number;
  toMs: number;
  maxDataPoints?: number;
}

export interface Fetched {
  plan: FetchPlan;
  buckets: UsageBucket[];
}

export async function fetchSource(ctx: QueryContext, spec: FetchSpec): Promise<Fetched> {
  const query: OpenAIQuery = {
    refId: 'insight',
    source: spec.source,
    bucketWidth: spec.width,
    groupBy: spec.groupBy,
    filters: spec.projectIds?.length ? { projectIds: spec.projectIds } : {},
  };
  const plan = planQuery(query, spec.fromMs, spec.toMs, ctx.now(), spec.maxDataPoints);
  return { plan, buckets: await fetchBuckets(ctx, plan) };
}

/** Request lines for the query inspector. */
export function executed(...fetched: Fetched[]): string {
  return fetched.flatMap(({ plan }) => describeRequests(plan)).join('\n');
}

/** Notices every insight shares: names that could not be read, and costs that may still rise. */
export function commonNotices(names: ResolvedNames | undefined, costsEndSec: number | undefined, nowMs: number) {
  const notices: QueryResultMetaNotice[] = (names?.warnings ?? []).map((text) => ({ severity: 'warning', text }));
  if (costsEndSec !== undefined) {
    const provisional = provisionalNotice(ENDPOINTS[BILLED_SOURCE], costsEndSec, nowMs);
    if (provisional) {
      notices.push(provisional);
    }
  }
  return notices;
}

export { NAME_LABEL } from '../query/frames';

/** Readable name of an ID, the ID itself when the list had no name for it, "(no project)" and the like for none. */
export function nameOf(names: ResolvedNames | undefined, kind: NameKind, id: string | null | undefined): string {
  if (id === null || id === undefined || id === '') {
    return noneOf(DIMENSION_OF_KIND[kind]);
  }
  return names?.maps[kind]?.get(id) ?? id;
}

export function projectIdsOf(query: OpenAIQuery): string[] | undefined {
  const ids = query.filters?.projectIds?.filter((p) => p !== '');
  return ids?.length ? ids : undefined;
}
