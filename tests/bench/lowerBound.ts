/**
 * The fewest requests and round trips the API allows for a scenario, from the API's own rules: one request per
 * distinct signature and window of at most the per-width `limit` maximum, plus the name lists needed, the
 * lists' cursor pages being sequential and per-project key lists waiting for the projects list.
 */
import { planQuery } from '../../src/query/engine';
import type { SimOrg } from '../simulator/server';
import type { Scenario } from './scenarios';

/** The API's per-width `limit` maxima (reference/openai-admin-api.md), not the engine's catalog. */
export const API_MAX_LIMIT = { '1d': 31, '1h': 168, '1m': 1440, costs: 180 } as const;
const WIDTH_SECONDS = { '1m': 60, '1h': 3600, '1d': 86400 } as const;
/** Largest page of the list endpoints. */
const LIST_MAX_LIMIT = 100;

export interface LowerBound {
  /** Distinct bucket requests after de-duplication. */
  signatures: number;
  bucketRequests: number;
  listRequests: number;
  requests: number;
  /** Longest chain of requests that must follow one another. */
  depth: number;
  roundTrips: number;
  /**
   * The fewest requests for the same panels again a little later, with every settled bucket already known: the
   * provisional buckets of each endpoint, width and filter set are fetched again, once for all groupings and for
   * every start on a bucket boundary (a partial first bucket needs its own request).
   */
  refreshRequests: number;
}

const pages = (n: number) => Math.max(1, Math.ceil(n / LIST_MAX_LIMIT));

export function lowerBound(scenario: Scenario, org: SimOrg, now: number, concurrency: number): LowerBound {
  const windowsBySignature = new Map<string, number>();
  const recent = new Set<string>();
  const kinds = new Set<'project' | 'user' | 'apiKey'>();
  for (const panel of scenario.panels) {
    for (const target of panel.targets) {
      // Only the bucket width (auto resolves from maxDataPoints) and the sent group_by come from the engine.
      const plan = planQuery(target, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints);
      const w = WIDTH_SECONDS[plan.width];
      const buckets = Math.ceil((plan.end - Math.floor(plan.start / w) * w) / w);
      const max = plan.def.id === 'costs' ? API_MAX_LIMIT.costs : API_MAX_LIMIT[plan.width];
      const signature = JSON.stringify([
        plan.def.path,
        plan.width,
        [...plan.groupBy].sort(),
        target.filters ?? {},
        plan.start,
        plan.end,
      ]);
      windowsBySignature.set(signature, Math.ceil(buckets / max));
      if (plan.end > now - plan.def.provisional.seconds) {
        recent.add(
          JSON.stringify([plan.def.path, plan.width, target.filters ?? {}, plan.start % w === 0 ? 0 : plan.start])
        );
      }
      for (const g of plan.groupBy) {
        if (g === 'project_id') {
          kinds.add('project');
        } else if (g === 'user_id') {
          kinds.add('user');
        } else if (g === 'api_key_id') {
          kinds.add('apiKey');
        }
      }
    }
  }
  const bucketRequests = [...windowsBySignature.values()].reduce((a, b) => a + b, 0);

  const projectPages = pages(org.projects.length);
  const keyPages = org.projects.map((p) => pages(org.projectApiKeys.filter((k) => k.project_id === p.id).length));
  const userPages = pages(org.users.length);
  let listRequests = 0;
  let depth = bucketRequests > 0 ? 1 : 0;
  if (kinds.has('project') || kinds.has('apiKey')) {
    listRequests += projectPages;
    depth = Math.max(depth, projectPages);
  }
  if (kinds.has('apiKey')) {
    listRequests += keyPages.reduce((a, b) => a + b, 0);
    depth = Math.max(depth, projectPages + Math.max(...keyPages));
  }
  if (kinds.has('user')) {
    listRequests += userPages;
    depth = Math.max(depth, userPages);
  }
  const requests = bucketRequests + listRequests;
  return {
    signatures: windowsBySignature.size,
    bucketRequests,
    listRequests,
    requests,
    depth,
    roundTrips: Math.max(depth, Math.ceil(requests / concurrency)),
    refreshRequests: recent.size,
  };
}

/** The same panels refreshed a little later: only the recent requests, with every name list still fresh. */
export function refreshLowerBound(cold: LowerBound, concurrency: number): LowerBound {
  const requests = cold.refreshRequests;
  return {
    ...cold,
    bucketRequests: requests,
    listRequests: 0,
    requests,
    depth: requests > 0 ? 1 : 0,
    roundTrips: Math.ceil(requests / concurrency),
  };
}
