import { DataFrame, DataQueryRequest } from '@grafana/data';

import { AdminApiClient } from '../api/client';
import { OrgDirectory } from '../org/directory';
import { OpenAIDataSourceOptions, OpenAIQuery } from '../types';
import { RecentBuckets } from './recent';

/** What every query type's runner gets from the data source. */
export interface QueryContext {
  client: AdminApiClient;
  /** Organization lists and display names. */
  names: OrgDirectory;
  /** Kept settled buckets of windows that end at now, and coalesced fetches of what follows them. */
  recent?: RecentBuckets;
  settings: OpenAIDataSourceOptions;
  /** Milliseconds, like Date.now; injectable for tests. */
  now: () => number;
}

/** Runs one interpolated query of a query type. Throwing fails this query only. */
export type QueryRunner = (
  ctx: QueryContext,
  query: OpenAIQuery,
  request: Pick<DataQueryRequest<OpenAIQuery>, 'range' | 'maxDataPoints' | 'scopedVars'>
) => Promise<DataFrame[]>;

/** A problem with the query itself, found before any request. */
export class QueryError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'QueryError';
  }
}
