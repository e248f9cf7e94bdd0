/**
 * The fewest requests and round trips the API allows for a scenario, from the API's own rules: one request per
 * distinct signature and window of at most the per-width `limit` maximum, plus the name lists needed, the
 * lists' cursor pages being sequential. API keys are listed per project, and only the projects holding a shown key
 * need listing (the Top N's keys; "Other" needs no names): which those are is known once the data is in.
 */
import type { GroupByKey } from '../../src/api/catalog';
import { FEW_VALUES, WIDE, isShort } from '../../src/query/coalesce';
import { countBuckets } from '../../src/query/plan';
import { planQuery, type FetchPlan } from '../../src/query/engine';
import { topLimit } from '../../src/query/topN';
import type { OpenAIQuery } from '../../src/types';
import type { SimOrg } from '../simulator/server';
import { BUCKET_ENDPOINTS } from '../simulator/usage';
import type { Scenario } from './scenarios';

/** The API's per-width `limit` maxima (reference/openai-admin-api.md), not the engine's catalog. */
export const API_MAX_LIMIT = { '1d': 31, '1h': 168, '1m': 1440, costs: 180 } as const;
const WIDTH_SECONDS = { '1m': 60, '1h': 3600, '1d': 86400 } as const;
/** Largest page of the list endpoints. */
export const LIST_MAX_LIMIT = 100;

export interface LowerBound {
  /** Distinct bucket requests after de-duplication. */
  signatures: number;
  bucketRequests: number;
  listRequests: number;
  requests: number;
  /** Longest chain of requests that must follow one another. */
  depth: number;
  /** The name lists' own chain: sequential pages, key lists after the projects list. */
  listDepth: number;
  roundTrips: number;
  /**
   * The fewest requests for the same panels again a little later, with every settled bucket already known: the
   * provisional buckets of each endpoint, width and filter set are fetched again, once for all groupings when that
   * fetch is short (else as the cold requests are grouped), and a start off a bucket boundary (an unrounded range
   * such as now-7d) needs its new partial first bucket too.
   */
  refreshRequests: number;
  /**
   * The merged bound's request count had every union's number of groups been known before asking (it is known only
   * from the answer): wide dimensions merged beside others too wherever the simulated data keeps the union small.
   */
  hindsightRequests?: number;
}

const pages = (n: number) => Math.max(1, Math.ceil(n / LIST_MAX_LIMIT));

export function lowerBound(scenario: Scenario, org: SimOrg, now: number, concurrency: number): LowerBound {
  const windowsBySignature = new Map<string, number>();
  const families = new Map<string, Family>();
  const kinds = new Set<NameKind>();
  const keyProjects = new Set<string>();
  for (const panel of scenario.panels) {
    for (const target of panel.targets) {
      // Only the bucket width (auto resolves from maxDataPoints) and the sent group_by come from the engine.
      const plan = planQuery(target, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints);
      shownKeyProjects(org, target, plan).forEach((p) => keyProjects.add(p));
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
      const key = JSON.stringify([plan.def.path, plan.width, target.filters ?? {}]);
      const family = families.get(key) ?? { plan, members: [] };
      family.members.push({ groupBy: plan.groupBy, start: plan.start, end: plan.end });
      families.set(key, family);
      nameKinds(plan.groupBy, kinds);
    }
  }
  const bucketRequests = [...windowsBySignature.values()].reduce((a, b) => a + b, 0);
  // A short refresh fetches a few recent buckets, which every grouping can share, so even this bound merges them.
  const refresh = [...families.values()].reduce(
    (a, f) =>
      a +
      (shortRefresh(f.plan, f.members, now)
        ? refreshRequests(f.plan, f.members, now)
        : groupingsOf(f.members).reduce((b, part) => b + refreshRequests(f.plan, part, now), 0)),
    0
  );
  return withLists(windowsBySignature.size, bucketRequests, refresh, listBound(kinds, org, keyProjects), concurrency);
}

/**
 * The fewest requests to refresh panels of one endpoint, width and filter set: one for the recent buckets, which
 * may also start at one start off a bucket boundary when the span from there fits one request; every other such
 * start needs its own request for its partial first bucket, which no other bucket can give.
 */
function refreshRequests(plan: FetchPlan, members: Member[], now: number): number {
  const recent = members.filter((m) => m.end > now - plan.def.provisional.seconds);
  if (recent.length === 0) {
    return 0;
  }
  const w = WIDTH_SECONDS[plan.width];
  const max = plan.def.id === 'costs' ? API_MAX_LIMIT.costs : API_MAX_LIMIT[plan.width];
  const end = Math.max(...recent.map((m) => m.end));
  const starts = [...new Set(recent.map((m) => m.start).filter((t) => t % w !== 0))];
  const fits = starts.filter((t) => countBuckets(t, end, plan.width) <= max).length;
  return starts.length - fits + Math.max(1, fits);
}

type NameKind = 'project' | 'user' | 'apiKey';

function nameKinds(groupBy: string[], kinds: Set<NameKind>): void {
  for (const g of groupBy) {
    if (g === 'project_id') {
      kinds.add('project');
    } else if (g === 'user_id') {
      kinds.add('user');
    } else if (g === 'api_key_id') {
      kinds.add('apiKey');
    }
  }
}

/**
 * The name lists' pages, and the longest chain of them: the projects list, the key lists of the projects holding a
 * shown key (they wait for the data that tells which keys are shown), the users list.
 */
function listBound(kinds: Set<NameKind>, org: SimOrg, keyProjects: Set<string>): { requests: number; depth: number } {
  const projectPages = pages(org.projects.length);
  const keyPages = [...keyProjects].map((p) => pages(org.projectApiKeys.filter((k) => k.project_id === p).length));
  const userPages = pages(org.users.length);
  let requests = 0;
  let depth = 0;
  if (kinds.has('project') || kinds.has('apiKey')) {
    requests += projectPages;
    depth = Math.max(depth, projectPages);
  }
  if (kinds.has('apiKey') && keyPages.length > 0) {
    requests += keyPages.reduce((a, b) => a + b, 0);
    depth = Math.max(depth, 1 + Math.max(...keyPages));
  }
  if (kinds.has('user')) {
    requests += userPages;
    depth = Math.max(depth, userPages);
  }
  return { requests, depth };
}

/**
 * The projects holding an API key the target shows: with a Top, the keys whose total (every metric added up, as the
 * panel ranks them) reaches the N-th largest series' (ties kept, as names break them); else every key in the data.
 */
function shownKeyProjects(org: SimOrg, target: OpenAIQuery, plan: FetchPlan): string[] {
  if (!plan.groupBy.includes('api_key_id')) {
    return [];
  }
  const fields = plan.metrics.map((m) => m.field);
  const rows: Array<{ dims: Record<string, unknown>; value: number }> =
    plan.def.id === 'costs'
      ? org
          .costItemsByDay(plan.start, plan.end)
          .map((c) => ({ dims: { ...c } as Record<string, unknown>, value: c.micros }))
          .filter((c) => matchesFilters(c.dims, plan))
      : plan.def.id === 'vector_stores'
        ? []
        : org
            .events(plan.def.id, plan.start, plan.end)
            .filter((e) => matchesFilters(e.dims, plan))
            .map((e) => ({ dims: e.dims, value: fields.reduce((a, f) => a + (e.metrics[f] ?? 0), 0) }));
  const series = new Map<string, { score: number; key: unknown; project: unknown }>();
  for (const { dims, value } of rows) {
    const id = JSON.stringify(plan.groupBy.map((g) => dims[g] ?? null));
    const s = series.get(id) ?? { score: 0, key: dims.api_key_id, project: dims.project_id };
    s.score += value;
    series.set(id, s);
  }
  const all = [...series.values()];
  const top = topLimit(target.topN, plan.groupBy, all.length);
  const floor = top.n > 0 && all.length > top.n ? all.map((s) => s.score).sort((a, b) => b - a)[top.n - 1] : -Infinity;
  return [...new Set(all.filter((s) => s.score >= floor && typeof s.key === 'string').map((s) => String(s.project)))];
}

/** Whether usage matches the plan's filters as the API applies them; a dashboard variable (at All) matches all. */
function matchesFilters(dims: Record<string, unknown>, plan: FetchPlan): boolean {
  const specs = BUCKET_ENDPOINTS[plan.def.id].filters;
  return Object.entries(plan.params).every(([param, value]) => {
    const spec = specs[param];
    if (!spec || value === undefined) {
      return true;
    }
    const values = (Array.isArray(value) ? value : [value]).filter((v) => !String(v).startsWith('$'));
    return values.length === 0 || values.includes(dims[spec.field] as never);
  });
}

function withLists(
  signatures: number,
  bucketRequests: number,
  refreshRequests: number,
  lists: { requests: number; depth: number },
  concurrency: number
): LowerBound {
  const requests = bucketRequests + lists.requests;
  const depth = Math.max(bucketRequests > 0 ? 1 : 0, lists.depth);
  return {
    signatures,
    bucketRequests,
    listRequests: lists.requests,
    requests,
    depth,
    listDepth: lists.depth,
    roundTrips: Math.max(depth, Math.ceil(requests / concurrency)),
    refreshRequests,
  };
}

/**
 * Panels are merged only while the union of their groupings has at most this many distinct groups over the
 * merged range, or no more than the largest of them has alone: beyond that one answer would outgrow the
 * separate ones it replaces.
 */
export const MERGE_MAX_GROUPS = 1000;

interface Member {
  groupBy: string[];
  start: number;
  end: number;
}

interface Family {
  plan: FetchPlan;
  members: Member[];
}

/**
 * The merged lower bound: the panels of a refresh that share endpoint, bucket width and filters are served by one
 * request grouped by the union of their dimensions (while that union stays small, see MERGE_MAX_GROUPS) over the
 * union of their ranges, each panel summing back its own grouping; a panel whose start is not on a bucket
 * boundary needs one more request for its partial first bucket, unless the merged request starts there. A wide
 * dimension (thousands of values in a large organization) joins a union only where a grouping of the part
 * already holds the whole union: no client knows before the answer whether such a union stays small (with 3,000
 * keys, keys beside line items are keys × line items). The figure with that known in hindsight is kept beside.
 * Name lists as in the per-panel bound. Its refresh figure is the same merge applied to the recent buckets, where
 * a short refresh (the provisional period and little more) shares one request whatever the groupings, and users or
 * keys whose lists (read by then) are short count as narrow.
 */
export function mergedLowerBound(scenario: Scenario, org: SimOrg, now: number, concurrency: number): LowerBound {
  const bound = merged(scenario, org, now, concurrency, false);
  return { ...bound, hindsightRequests: merged(scenario, org, now, concurrency, true).requests };
}

function merged(scenario: Scenario, org: SimOrg, now: number, concurrency: number, hindsight: boolean): LowerBound {
  const families = new Map<string, Family>();
  const kinds = new Set<NameKind>();
  const keyProjects = new Set<string>();
  for (const panel of scenario.panels) {
    for (const target of panel.targets) {
      // Keys are grouped by their project too, as the panels send them: a key belongs to one project.
      const plan = planQuery(target, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints, {
        keyProjects: true,
      });
      shownKeyProjects(org, target, plan).forEach((p) => keyProjects.add(p));
      const key = JSON.stringify([plan.def.path, plan.width, target.filters ?? {}]);
      const family = families.get(key) ?? { plan, members: [] };
      family.members.push({ groupBy: [...plan.groupBy].sort(), start: plan.start, end: plan.end });
      families.set(key, family);
      nameKinds(plan.groupBy, kinds);
    }
  }
  let signatures = 0;
  let bucketRequests = 0;
  let refresh = 0;
  for (const { plan, members } of families.values()) {
    const w = WIDTH_SECONDS[plan.width];
    const max = plan.def.id === 'costs' ? API_MAX_LIMIT.costs : API_MAX_LIMIT[plan.width];
    // Hindsight knows every union's size; a client knows, at a refresh, the sizes of the lists it has read.
    const parts = partition(plan, members, org, hindsight ? () => false : (d) => WIDE.has(d as GroupByKey));
    const refreshParts = hindsight ? parts : partition(plan, members, org, (d) => wideIn(org, d));
    for (const part of parts) {
      signatures++;
      const start = Math.min(...part.map((m) => m.start));
      const end = Math.max(...part.map((m) => m.end));
      const unaligned = new Set(part.map((m) => m.start).filter((t) => t !== start && t % w !== 0));
      bucketRequests += Math.ceil(countBuckets(start, end, plan.width) / max) + unaligned.size;
    }
    refresh += shortRefresh(plan, members, now)
      ? refreshRequests(plan, members, now)
      : refreshParts.reduce((a, part) => a + refreshRequests(plan, part, now), 0);
  }
  return withLists(signatures, bucketRequests, refresh, listBound(kinds, org, keyProjects), concurrency);
}

/**
 * Whether a refresh of these panels fetches only a few buckets (see isShort): its request starts at the earliest
 * start off a bucket boundary whose span to now fits one request, else in the provisional period.
 */
function shortRefresh(plan: FetchPlan, members: Member[], now: number): boolean {
  const recent = members.filter((m) => m.end > now - plan.def.provisional.seconds);
  if (recent.length === 0) {
    return true;
  }
  const w = WIDTH_SECONDS[plan.width];
  const max = plan.def.id === 'costs' ? API_MAX_LIMIT.costs : API_MAX_LIMIT[plan.width];
  const end = Math.max(...recent.map((m) => m.end));
  const fits = recent.map((m) => m.start).filter((t) => t % w !== 0 && countBuckets(t, end, plan.width) <= max);
  return fits.length === 0 || isShort(plan, Math.min(...fits), end);
}

/** The members by their grouping. */
function groupingsOf(members: Member[]): Member[][] {
  const by = new Map<string, Member[]>();
  for (const m of members) {
    const key = [...m.groupBy].sort().join(',');
    by.set(key, [...(by.get(key) ?? []), m]);
  }
  return [...by.values()];
}

/** A wide dimension, unless the organization's list of its objects is short (see FEW_VALUES); vector stores have none. */
function wideIn(org: SimOrg, d: string): boolean {
  const listed = d === 'user_id' ? org.users.length : d === 'api_key_id' ? org.projectApiKeys.length : Infinity;
  return WIDE.has(d as GroupByKey) && listed > FEW_VALUES;
}

/** Whether a wide dimension in the union stays within one of the groupings that would share the request. */
function wideContained(groupings: string[][], union: string[], wide: (d: string) => boolean): boolean {
  return !union.some(wide) || groupings.some((g) => union.every((d) => g.includes(d)));
}

/**
 * Greedy: each grouping, largest first, joins the first part whose union stays small enough and keeps wide
 * dimensions contained, else starts one.
 */
function partition(plan: FetchPlan, members: Member[], org: SimOrg, wide: (d: string) => boolean): Member[][] {
  const byGrouping = new Map<string, Member[]>();
  for (const m of members) {
    const key = m.groupBy.join(',');
    byGrouping.set(key, [...(byGrouping.get(key) ?? []), m]);
  }
  if (byGrouping.size <= 1) {
    return [members];
  }
  const start = Math.min(...members.map((m) => m.start));
  const end = Math.max(...members.map((m) => m.end));
  const counted = new Map<string, number>();
  const count = (dims: string[]) => {
    const key = [...new Set(dims)].sort().join(',');
    let n = counted.get(key);
    if (n === undefined) {
      n = distinctGroups(org, plan, key ? key.split(',') : [], start, end);
      counted.set(key, n);
    }
    return n;
  };
  const groupings = [...byGrouping.keys()].sort((a, b) => count(b.split(',')) - count(a.split(',')));
  const parts: Array<{ dims: string[]; own: number; groupings: string[][]; members: Member[] }> = [];
  for (const g of groupings) {
    const dims = g ? g.split(',') : [];
    const own = count(dims);
    const part = parts.find(
      (p) =>
        wideContained([...p.groupings, dims], [...new Set([...p.dims, ...dims])], wide) &&
        count([...p.dims, ...dims]) <= Math.max(MERGE_MAX_GROUPS, p.own, own)
    );
    if (part) {
      part.dims = [...new Set([...part.dims, ...dims])];
      part.own = Math.max(part.own, own);
      part.groupings.push(dims);
      part.members.push(...byGrouping.get(g)!);
    } else {
      parts.push({ dims, own, groupings: [dims], members: [...byGrouping.get(g)!] });
    }
  }
  return parts.map((p) => p.members);
}

/** Distinct combinations of the dimensions in the organization's data over [start, end). */
function distinctGroups(org: SimOrg, plan: FetchPlan, dims: string[], start: number, end: number): number {
  if (dims.length === 0) {
    return 1;
  }
  const seen = new Set<string>();
  const source = plan.def.id;
  if (source === 'costs') {
    for (const c of org.costItemsByDay(start, end)) {
      const row = c as unknown as Record<string, unknown>;
      seen.add(JSON.stringify(dims.map((d) => row[d] ?? null)));
    }
  } else if (source === 'vector_stores') {
    return org.storageProjectIds().length;
  } else {
    for (const e of org.events(source, start, end)) {
      seen.add(JSON.stringify(dims.map((d) => e.dims[d] ?? null)));
    }
  }
  return seen.size;
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
    listDepth: 0,
    roundTrips: Math.ceil(requests / concurrency),
  };
}
