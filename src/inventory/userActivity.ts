/**
 * API activity per user over a recent window: completions usage grouped by user, in daily buckets, fetched
 * through the same planning and paging as the time series (so windows, limits and pages are the API's).
 */
import { UsageResult } from '../api/types';
import { QueryContext, QueryError } from '../query/context';
import { fetchBuckets, planQuery } from '../query/engine';
import { OpenAIQuery, QueryType } from '../types';

export const ACTIVITY_WINDOWS = ['7d', '30d', '90d'] as const;
export const DEFAULT_ACTIVITY_WINDOW = '30d';
const MAX_WINDOW_DAYS = 180;
const DAY_MS = 86_400_000;

export interface UserActivity {
  /** Unix seconds: start of the latest daily bucket with any usage by the user. */
  lastActive?: number;
  /** Input + output tokens. */
  tokens: number;
  requests: number;
}

export interface ActivityResult {
  byUser: Map<string, UserActivity>;
  /** Unix seconds, [start, end). */
  start: number;
  end: number;
  executed: string;
}

/** `30d` → 30; anything else is a problem the user can fix. */
export function activityDays(window: string | undefined): number {
  const text = (window ?? DEFAULT_ACTIVITY_WINDOW).trim();
  const m = /^(\d+)\s*d$/i.exec(text);
  const days = m ? Number(m[1]) : NaN;
  if (!(days >= 1 && days <= MAX_WINDOW_DAYS)) {
    throw new QueryError([
      `Activity window "${text}" is not a number of days between 1d and ${MAX_WINDOW_DAYS}d, e.g. 30d.`,
    ]);
  }
  return days;
}

function count(r: UsageResult, field: string): number {
  const v = r[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
}

export async function fetchUserActivity(ctx: QueryContext, window: string | undefined): Promise<ActivityResult> {
  const days = activityDays(window);
  const nowMs = ctx.now();
  const usageQuery: OpenAIQuery = {
    refId: 'activity',
    queryType: QueryType.TimeSeries,
    source: 'completions',
    bucketWidth: '1d',
    groupBy: ['user_id'],
    metrics: ['input_tokens', 'output_tokens', 'num_model_requests'],
  };
  // Whole UTC days, as the daily buckets count them: the window starts at midnight, `days` days back.
  const startMs = Math.floor(nowMs / DAY_MS) * DAY_MS - days * DAY_MS;
  const plan = planQuery(usageQuery, startMs, nowMs, nowMs);
  const buckets = await fetchBuckets(ctx, plan);
  const byUser = new Map<string, UserActivity>();
  for (const b of buckets) {
    for (const r of b.results) {
      if (!r.user_id) {
        continue;
      }
      const tokens = count(r, 'input_tokens') + count(r, 'output_tokens');
      const requests = count(r, 'num_model_requests');
      const a = byUser.get(r.user_id) ?? { tokens: 0, requests: 0 };
      a.tokens += tokens;
      a.requests += requests;
      if ((tokens > 0 || requests > 0) && (a.lastActive === undefined || b.start_time > a.lastActive)) {
        a.lastActive = b.start_time;
      }
      byUser.set(r.user_id, a);
    }
  }
  return {
    byUser,
    start: plan.start,
    end: plan.end,
    executed: `GET ${plan.def.path} grouped by user_id, 1d × ${days}`,
  };
}
