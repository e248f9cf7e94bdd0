/**
 * The benchmark: each scenario runs through the plugin's own query path (DataSource.query over the dev proxy
 * and the simulator with latency and a rate limit), beside the lower bounds the API allows (per panel, and with
 * the panels of a refresh merged), a naive client and a fair one. The simulator and the proxy run in processes of
 * their own, as the API and Grafana's server are apart from the browser; the large-organization scenarios get a
 * simulator of their own serving LARGE_ORG.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { DataQueryResponse } from '@grafana/data';
import { getTemplateSrv, setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import { DEFAULT_CONCURRENCY } from '../../src/api/limiter';
import { RequestCache } from '../../src/api/cache';
import { AdminApiClient, Params, encodeQuery } from '../../src/api/client';
import { wideUnlessFew } from '../../src/query/coalesce';
import { fetchBuckets, nameKindsOf, planQuery, shownDims } from '../../src/query/engine';
import { collectSeries, renderFrames, shownProjects } from '../../src/query/frames';
import { RecentBuckets } from '../../src/query/recent';
import { timeSeriesPlan } from '../../src/query/timeSeries';
import { prepareQuery } from '../../src/queryTypes';
import { DataSource } from '../../src/datasource';
import { instanceSettings, panelRequest } from '../harness';
import { createTemplateSrv } from '../harness/templateSrv';
import { createBackendSrv } from '../proxy/backendSrv';
import { LARGE_ORG, SimOrg, type Faults, type RequestLogEntry } from '../simulator/server';
import { BaselineClient, BaselineStyle, FAIR, NAIVE } from './baselines';
import { LowerBound, lowerBound, mergedLowerBound, refreshLowerBound } from './lowerBound';
import { RemoteProxy, startRemoteProxy } from './remoteProxy';
import { RemoteSimulator, startRemoteSimulator } from './remoteSimulator';
import { LARGE_ORG_SCENARIOS, PanelRequest, REFRESH_AFTER_S, Scenario, scenarios } from './scenarios';

/** 150 ± 50 ms per request: the simulator adds latencyMs plus a uniform 0..jitterMs. */
const LATENCY = { latencyMs: 100, jitterMs: 100 };
const RATE_LIMIT = { capacity: 20, refillPerSec: 5 };
const FAULTS: Partial<Faults> = { ...LATENCY, rateLimit: RATE_LIMIT };
/** A fixed, unaligned "now" on a weekday (Wednesday 2025-06-18 14:37:23 UTC): every run plans the same requests. */
const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const NO_FAULTS: Partial<Faults> = { latencyMs: 0, jitterMs: 0, rateLimit: null };
const FRAME_RUNS = 5;
/** Paths of the bucketed endpoints; every other request is a name list. */
const BUCKET_PATH = /^\/v1\/organization\/(usage\/|costs$)/;
/** Times the slowest request is sent again alone, to show how much of it is the API's own work. */
const SERVICE_RUNS = 3;

/** The simulator's demo key with access to every endpoint; the proxy adds it as Grafana adds the stored key. */
const ADMIN_KEY = 'sk-admin-sim-full';

const TARGET = {
  /** Requests at most the merged lower bound plus this share. */
  requestsOverMerged: 0.1,
  wallOverFloor: 1.5,
  naiveSpeedup: 5,
  fairSpeedup: 5,
  refreshShare: 0.2,
  /** Scenario 3's frame building. */
  framesMs: 200,
  /** The 3,000-key panel: series shown and frame building. */
  keySeries: 21,
  keyFramesMs: 60,
  /** The 3,000-key cold query against the same query with its names already known. */
  namesOverhead: 1.5,
};
/** Scenarios whose speed-up over a baseline is a target: naive for these, fair for the dashboards. */
const NAIVE_TARGET_IDS = [1, 2];
const FAIR_TARGET_IDS = [1];

interface Run {
  requests: number;
  rateLimited: number;
  wallMs: number;
  roundTrips: number;
  meanLatencyMs: number;
  /** Mean latency of the name lists' requests alone (small answers, on the lists' chain). */
  meanListLatencyMs: number;
  /** The successful requests, slowest first, as the simulator logged them. */
  slowest: RequestLogEntry[];
  /** Heap in use after a collection just before the run: the harness (jsdom, Grafana's packages) and caches. */
  baseHeapMb: number;
  /** Peak heap during the run above that baseline. */
  heapDeltaMb: number;
  failures: string[];
  /** Every request of the run as the simulator logged it, and when the run started (ms since the epoch). */
  log: RequestLogEntry[];
  startedAt: number;
}

interface Frames {
  /** JSON.parse of the answers the panels' fetch receives. */
  parseMs: number;
  /** The fetch's own work: checks, compacting settled windows, expanding kept ones, joins. */
  fetchMs: number;
  /** collectSeries, shownProjects and renderFrames, as the query runner calls them. */
  framesMs: number;
  /** Runs the medians are taken over. */
  runs: number;
  /** Series (a target's groups), their frames (one per series and metric), points, and the answers' JSON. */
  series: number;
  seriesFrames: number;
  points: number;
  jsonBytes: number;
}

/** One request sent again with nothing else in flight and no injected latency: the API's own time for it. */
interface Service {
  path: string;
  /** Fastest of SERVICE_RUNS, from the simulator's log. */
  ms: number;
}

interface Result {
  scenario: Scenario;
  /** One request per panel's endpoint, grouping and filters. */
  lb: LowerBound;
  /** Panels sharing endpoint, width and filters merged. */
  merged: LowerBound;
  plugin: Run;
  /** The plugin's slowest request, timed alone (shown, not part of the bound). */
  service?: Service;
  naive?: Run;
  fair?: Run;
  frames: Frames;
  /** The name lists the panels need, loaded alone on a fresh DataSource. */
  names?: Run;
  /** The same panels on a fresh DataSource whose names are already known. */
  withoutNames?: Run;
}

/** The simulator, Grafana's proxy in front of it, and the organization the simulator serves. */
interface Bed {
  sim: RemoteSimulator;
  proxy: RemoteProxy;
  proxyBase: string;
  org: SimOrg;
  /** The simulator's clock, Unix seconds. */
  now: number;
}

const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** The longest chain of requests in which each starts after the previous one ended: round trips as observed. */
function criticalPath(log: RequestLogEntry[]): number {
  const sorted = [...log].sort((a, b) => a.start - b.start);
  const chain: number[] = [];
  sorted.forEach((r, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) {
      if (sorted[j].end <= r.start) {
        best = Math.max(best, chain[j]);
      }
    }
    chain.push(best + 1);
  });
  return Math.max(0, ...chain);
}

async function measure(bed: Bed, work: () => Promise<string[]>): Promise<Run> {
  await bed.sim.resetStats();
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  const startedAt = Date.now();
  const t0 = performance.now();
  const failures = await work();
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const stats = await bed.sim.stats();
  const ok = stats.log.filter((e) => e.status === 200);
  return {
    requests: stats.requests,
    rateLimited: stats.rateLimited,
    wallMs,
    roundTrips: criticalPath(stats.log),
    meanLatencyMs: meanLatency(ok),
    meanListLatencyMs: meanLatency(ok.filter((e) => !BUCKET_PATH.test(e.path))),
    slowest: [...ok].sort((a, b) => latencyMs(b) - latencyMs(a)),
    baseHeapMb: base / 2 ** 20,
    heapDeltaMb: (peak - base) / 2 ** 20,
    failures,
    log: stats.log,
    startedAt,
  };
}

function meanLatency(entries: RequestLogEntry[]): number {
  return entries.reduce((a, e) => a + latencyMs(e), 0) / Math.max(1, entries.length);
}

/** A DataSource as Grafana creates it for the harness's proxy: a fresh client, limiter, cache and names. */
function freshDataSource(bed: Bed): DataSource {
  // A cold start is a new browser session: no organization lists kept from an earlier run.
  sessionStorage.clear();
  return new DataSource(instanceSettings(bed.proxyBase, {}), () => bed.now * 1000);
}

function panelQuery(ds: DataSource, panel: PanelRequest): Promise<DataQueryResponse> {
  const request = panelRequest(panel.targets, panel.from, panel.to, panel.maxDataPoints, panel.title);
  return ds.query(request) as Promise<DataQueryResponse>;
}

/** Every panel at once, as a dashboard loads, through DataSource.query. */
async function runPlugin(bed: Bed, ds: DataSource, panels: PanelRequest[]): Promise<Run> {
  // Each run starts with a full token bucket, as after an idle minute.
  await bed.sim.configure(FAULTS);
  return measure(bed, async () => {
    const responses: DataQueryResponse[] = await Promise.all(panels.map((p) => panelQuery(ds, p)));
    return responses.flatMap((r, i) => (r.errors ?? []).map((e) => `${panels[i].title} ${e.refId}: ${e.message}`));
  });
}

async function runBaseline(bed: Bed, panels: PanelRequest[], style: BaselineStyle): Promise<Run> {
  const client = new BaselineClient(bed.proxyBase, style);
  await bed.sim.configure(FAULTS);
  return measure(bed, async () => {
    const outcomes = await Promise.allSettled(panels.map((p) => client.query(p, bed.now)));
    return outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${panels[i].title}: ${describe(o.reason)}`] : []));
  });
}

/**
 * How much of the run's slowest request is the API's own work, when it took longer than the injected latency
 * can: it is sent again straight to the simulator with no injected latency, no rate limit and nothing else in
 * flight, its answer read as fast as it comes; the fastest of a few tries is kept.
 */
async function measureService(bed: Bed, run: Run): Promise<Service | undefined> {
  const slowest = run.slowest[0];
  if (!slowest || latencyMs(slowest) <= LATENCY.latencyMs + LATENCY.jitterMs) {
    return undefined;
  }
  const path = `${slowest.path}${slowest.query ? `?${slowest.query}` : ''}`;
  await bed.sim.configure(NO_FAULTS);
  await bed.sim.resetStats();
  for (let i = 0; i < SERVICE_RUNS; i++) {
    const res = await fetch(`${bed.sim.url}${path}`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    await res.arrayBuffer();
  }
  const ok = (await bed.sim.stats()).log.filter((e) => e.status === 200);
  return ok.length ? { path, ms: Math.min(...ok.map(latencyMs)) } : undefined;
}

type ReplayClient = Pick<AdminApiClient, 'getJson' | 'cache'>;

/**
 * The answers of one fetch of the panels' buckets, recorded as text and replayed without the network: what the plugin
 * does with them (parsing, checks, compaction, frames) is timed alone. Parsing is timed as it is replayed.
 */
class Replay {
  private readonly answers = new Map<string, string>();
  parseMs = 0;
  bytes = 0;
  /** The last answer replayed: the next arrives a task after it. */
  private arrived: Promise<void> = Promise.resolve();

  constructor(private readonly client: AdminApiClient) {}

  private static key(path: string, params?: Params): string {
    return `${path}?${encodeQuery(params)}`;
  }

  /** A client that fetches through the real one and records each answer, keeping settled windows in `cache`. */
  recording(cache: RequestCache): ReplayClient {
    return {
      cache,
      getJson: async <T>(path: string, params?: Params) => {
        const answer = await this.client.getJson<T>(path, params);
        const text = JSON.stringify(answer);
        this.answers.set(Replay.key(path, params), text);
        this.bytes += Buffer.byteLength(text);
        return answer;
      },
    };
  }

  /** A client answering from the recording, keeping settled windows in `cache`. */
  replaying(cache: RequestCache): ReplayClient {
    return {
      cache,
      getJson: async <T>(path: string, params?: Params) => {
        const text = this.answers.get(Replay.key(path, params));
        if (text === undefined) {
          throw new Error(`benchmark: no recorded answer for ${Replay.key(path, params)}`);
        }
        // Answers come one at a time, each in a task of its own, as from the network: what the fetch defers after an
        // answer (compacting a settled window) runs before the next one, as it does between a panel's answers.
        const arrival = this.arrived.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
        this.arrived = arrival;
        await arrival;
        const t0 = performance.now();
        const answer = JSON.parse(text) as T;
        this.parseMs += performance.now() - t0;
        return answer;
      },
    };
  }
}

/**
 * Parse and frame time, measured apart from the network, on the query runner's own path: every panel's buckets as
 * fetchBuckets gives them to the runner (settled windows compacted and kept, then read from their columns), and its
 * frames as the runner builds them (collectSeries, shownProjects, renderFrames). The panels' answers are recorded from
 * one real fetch and replayed: a cold run starts each time from an empty cache, so it parses every answer and
 * compacts every settled window; a refresh starts from the DataSource's cache as the refresh left it, with the views
 * of its kept windows. Timed apart: JSON.parse of the answers, the fetch's own work (checks, compaction, expanding
 * kept windows, joins, one timer turn for the panels' shared requests) and the frames. The median of several runs.
 */
async function measureFrames(
  bed: Bed,
  ds: DataSource,
  panels: PanelRequest[],
  runs: number,
  cold: boolean
): Promise<Frames> {
  await bed.sim.configure(NO_FAULTS);
  const nowMs = bed.now * 1000;
  const targets = panels.flatMap((panel) =>
    panel.targets.map((target) => {
      const query = prepareQuery(target, getTemplateSrv(), {});
      const plan = timeSeriesPlan(query, panel.from * 1000, panel.to * 1000, nowMs, panel.maxDataPoints);
      return { panel, query, plan };
    })
  );
  const replay = new Replay(ds.client);
  const cacheOf = () => (cold ? new RequestCache() : ds.client.cache);
  // Every panel at once, as a dashboard asks, so that their shared requests are the runner's.
  const fetchAll = (client: ReplayClient) => {
    const recent = new RecentBuckets(
      client,
      0,
      wideUnlessFew((kind) => ds.names.knownCount(kind))
    );
    return Promise.all(targets.map((t) => fetchBuckets({ client, now: () => nowMs, recent }, t.plan)));
  };
  // Names first: which users and keys may share a request depends on the lists known, the same at every replay.
  const named = await Promise.all(
    targets.map(async (t) => (await ds.names.resolve(nameKindsOf(shownDims(t.plan)))).maps)
  );
  await fetchAll(replay.recording(cacheOf()));
  const parse: number[] = [];
  const fetching: number[] = [];
  const frames: number[] = [];
  const groups = new Set<string>();
  let seriesFrames = 0;
  let points = 0;
  for (let run = 0; run < runs; run++) {
    replay.parseMs = 0;
    const busy = performance.eventLoopUtilization();
    const fetched = await fetchAll(replay.replaying(cacheOf()));
    // The fetch's work, without the waits between answers.
    const fetchMs = performance.eventLoopUtilization(busy).active - replay.parseMs;
    const t1 = performance.now();
    targets.forEach(({ panel, query, plan }, i) => {
      const buckets = fetched[i];
      // The runner's steps: the series, the projects whose keys to name, the frames.
      const collected = collectSeries({ ...plan, buckets, costByModel: query.costByModel });
      shownProjects(collected, query.topN);
      const built = renderFrames(collected, {
        ...plan,
        buckets,
        names: named[i],
        costByModel: query.costByModel,
        legendFormat: query.legendFormat,
        topN: query.topN,
        refId: query.refId,
      });
      if (run === 0) {
        for (const frame of built.filter((x) => x.fields.length > 1)) {
          // One frame per series and metric: a series is a target's group, whatever its metrics.
          groups.add(JSON.stringify([query.refId, panels.indexOf(panel), frame.fields[1].labels ?? {}]));
          seriesFrames++;
          points += frame.length;
        }
      }
    });
    frames.push(performance.now() - t1);
    parse.push(replay.parseMs);
    fetching.push(fetchMs);
  }
  return {
    parseMs: median(parse),
    fetchMs: median(fetching),
    framesMs: median(frames),
    runs,
    series: groups.size,
    seriesFrames,
    points,
    jsonBytes: replay.bytes,
  };
}

/** The name lists the panels need, on a fresh DataSource, under the same latency and rate limit. */
async function measureNames(bed: Bed, ds: DataSource, panels: PanelRequest[]): Promise<Run> {
  const kinds = panels.flatMap((p) =>
    p.targets.flatMap((t) => {
      const plan = planQuery(t, p.from * 1000, p.to * 1000, bed.now * 1000, p.maxDataPoints);
      return nameKindsOf(plan.groupBy);
    })
  );
  await bed.sim.configure(FAULTS);
  return measure(bed, async () => (await ds.names.resolve(kinds)).warnings);
}

/** `npm run bench -- 11 --trace`: each plugin run's requests are listed too, to see where its time goes. */
const TRACE_FLAG = '--trace';

/** The plugin run's requests in the order they reached the API: when each started and ended, and its answer. */
function printTrace(run: Run) {
  console.log('  trace: ms from the start of the run to the request reaching the API and its last byte sent');
  for (const e of [...run.log].sort((a, b) => a.start - b.start)) {
    const path = e.query ? `${e.path}?${decodeURIComponent(e.query)}` : e.path;
    console.log(
      `  ${String(e.start - run.startedAt).padStart(7)} ${String(e.end - run.startedAt).padStart(7)}  ${e.status}  ${shortPath(path)}`
    );
  }
}

/** A request path cut to fit one line of output. */
function shortPath(path: string): string {
  return path.length > 90 ? `${path.slice(0, 87)}...` : path;
}

function describe(e: unknown): string {
  const err = e as { status?: number; data?: { error?: { message?: string } }; message?: string };
  return err?.status ? `HTTP ${err.status} ${err.data?.error?.message ?? ''}` : (err?.message ?? String(e));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const fmt = {
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
  x: (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(2)}` : '–'),
  mb: (mb: number) => `${mb.toFixed(0)} MB`,
  n: (n: number) => n.toLocaleString('en-US'),
};

/** No client is faster than the rate limit lets a bound's requests through. */
function rateFloorMs(bound: LowerBound): number {
  return (Math.max(0, bound.requests - RATE_LIMIT.capacity) / RATE_LIMIT.refillPerSec) * 1000;
}

function latencyMs(e: RequestLogEntry): number {
  return e.end - e.start;
}

/**
 * A round trip lasts until its slowest request is answered, so the critical path is no shorter than the slowest
 * request, as the API took it in this run (arrival to last byte sent; the proxy takes the answer as it comes,
 * so the plugin's own pace does not lengthen it). Counted only when the plugin made exactly the bound's
 * requests: extra ones could slow the API down for the others.
 */
function slowestFloorMs(r: Result, bound: LowerBound): number {
  const slowest = r.plugin.slowest[0];
  return slowest && r.plugin.requests === bound.requests ? latencyMs(slowest) : 0;
}

/**
 * The wall floor of a bound, the largest of: its requests in rounds of the concurrency budget at the measured mean
 * latency; the name lists' chain at the lists' own mean latency (their answers are small, so the mean of all
 * requests would overstate it); the slowest request; the rate limit's floor.
 */
function floorMs(r: Result, bound: LowerBound): number {
  return Math.max(
    Math.ceil(bound.requests / DEFAULT_CONCURRENCY) * r.plugin.meanLatencyMs,
    bound.listDepth * r.plugin.meanListLatencyMs,
    slowestFloorMs(r, bound),
    rateFloorMs(bound)
  );
}

function describeBound(label: string, b: LowerBound, refresh: boolean): string {
  return refresh
    ? `  ${label}: the recent buckets, ${b.requests} requests (every settled bucket and name already known); ${b.roundTrips} round trips`
    : `  ${label}: ${b.signatures} request sets → ${b.bucketRequests} bucket requests + ${b.listRequests} name-list requests = ${b.requests}; ` +
        `dependency depth ${b.depth}; ${b.roundTrips} round trips at concurrency ${DEFAULT_CONCURRENCY}` +
        (b.hindsightRequests !== undefined && b.hindsightRequests !== b.requests
          ? `; ${b.hindsightRequests} had each union's groups been known before asking`
          : '');
}

function baselineText(run: Run | undefined, what: (r: Run) => string): string {
  return run ? what(run) : 'not run';
}

function printResult(r: Result, note?: string) {
  const { lb, merged, plugin, naive, fair, frames } = r;
  const refresh = r.scenario.refreshOf !== undefined;
  const targets = r.scenario.panels.reduce((a, p) => a + p.targets.length, 0);
  console.log(
    `\nScenario ${r.scenario.id}: ${r.scenario.name} (${r.scenario.panels.length} panels, ${targets} targets)`
  );
  console.log(describeBound('merged lower bound   ', merged, refresh));
  console.log(describeBound('per-panel lower bound', lb, refresh));
  const baselines = (what: (b: Run) => string) =>
    `   naive ${baselineText(naive, what)}   fair ${baselineText(fair, what)}`;
  console.log(
    `  requests     ${String(plugin.requests).padStart(8)}   merged bound ${merged.requests} (${fmt.x(plugin.requests, merged.requests)}), ` +
      `per-panel bound ${lb.requests}; of which 429: ${plugin.rateLimited}` +
      baselines((b) => `${b.requests} (429: ${b.rateLimited})`)
  );
  const listTerm = merged.listDepth
    ? `, ${merged.listDepth} list pages × ${plugin.meanListLatencyMs.toFixed(0)} ms`
    : '';
  const slowestTerm =
    slowestFloorMs(r, merged) > 0 ? `, slowest request ${slowestFloorMs(r, merged).toFixed(0)} ms` : '';
  console.log(
    `  wall time    ${fmt.s(plugin.wallMs).padStart(8)}   merged floor ${fmt.s(floorMs(r, merged))} = max(${Math.ceil(merged.requests / DEFAULT_CONCURRENCY)} rounds × ${plugin.meanLatencyMs.toFixed(0)} ms mean latency${listTerm}${slowestTerm}, rate-limit floor) (${fmt.x(plugin.wallMs, floorMs(r, merged))}); ` +
      `per-panel floor ${fmt.s(floorMs(r, lb))}` +
      baselines((b) => `${fmt.s(b.wallMs)} (${(b.wallMs / plugin.wallMs).toFixed(1)}× the plugin's)`)
  );
  if (r.service) {
    console.log(
      `               slowest request alone, without injected latency: the API takes ${r.service.ms.toFixed(0)} ms for ${shortPath(r.service.path)}`
    );
  }
  const floor = rateFloorMs(merged) / 1000;
  if (floor > 0) {
    console.log(
      `               rate-limit floor: (${merged.requests} − ${RATE_LIMIT.capacity}) / ${RATE_LIMIT.refillPerSec} per s = ${floor.toFixed(2)} s for any client that never sees a 429`
    );
  }
  console.log(
    `  round trips  ${String(plugin.roundTrips).padStart(8)}   merged bound ${merged.roundTrips} (${fmt.x(plugin.roundTrips, merged.roundTrips)}), per-panel bound ${lb.roundTrips}` +
      baselines((b) => String(b.roundTrips))
  );
  console.log(
    `  parse+frame  ${`${(frames.parseMs + frames.fetchMs + frames.framesMs).toFixed(1)} ms`.padStart(8)}   (JSON.parse ${frames.parseMs.toFixed(1)} ms, ` +
      `fetch work ${frames.fetchMs.toFixed(1)} ms: checks, compaction, kept windows expanded; frames ${frames.framesMs.toFixed(1)} ms; median of ${frames.runs}, the network left out)`
  );
  console.log(
    `  shape        ${fmt.n(frames.series).padStart(8)} series (${fmt.n(frames.seriesFrames)} frames, one per series and metric), ${fmt.n(frames.points)} points, ${(frames.jsonBytes / 1e6).toFixed(1)} MB of JSON answers parsed`
  );
  if (r.names) {
    console.log(
      `  names        ${fmt.s(r.names.wallMs).padStart(8)}   alone on a fresh DataSource: ${r.names.requests} list requests (429: ${r.names.rateLimited})`
    );
  }
  if (r.withoutNames) {
    console.log(
      `  names known  ${fmt.s(r.withoutNames.wallMs).padStart(8)}   the same query with its names already known: ${r.withoutNames.requests} requests; ` +
        `the cold query takes ${fmt.x(plugin.wallMs, r.withoutNames.wallMs)} of it`
    );
  }
  console.log(
    `  peak heap    ${`+${fmt.mb(plugin.heapDeltaMb)}`.padStart(8)}   over the ${fmt.mb(plugin.baseHeapMb)} in use before the run (harness, jsdom, caches); ` +
      `the proxy and the simulator run apart` +
      baselines((b) => `+${fmt.mb(b.heapDeltaMb)}`)
  );
  if (note) {
    console.log(`  ${note}`);
  }
  const failures = [
    ...plugin.failures,
    ...(naive?.failures.map((f) => `naive: ${f}`) ?? []),
    ...(fair?.failures.map((f) => `fair: ${f}`) ?? []),
  ];
  failures.forEach((f) => console.log(`  FAILED QUERY ${f}`));
}

/**
 * Which scenarios to run, from the command line (`npm run bench -- 2 4`, `small`, `large`, `all`); none given runs
 * the small organization's (the large one's take as long again). A refresh scenario brings the one it refreshes.
 */
export function selectScenarios(args: string[], all: Scenario[]): Set<number> {
  const known = all.map((s) => s.id);
  const picked = new Set<number>();
  for (const arg of args.length ? args : ['small']) {
    if (arg === 'all') {
      known.forEach((id) => picked.add(id));
      continue;
    }
    if (arg === 'large' || arg === 'small') {
      known.filter((id) => LARGE_ORG_SCENARIOS.includes(id) === (arg === 'large')).forEach((id) => picked.add(id));
      continue;
    }
    const id = Number(arg);
    if (!/^\d+$/.test(arg) || !known.includes(id)) {
      throw new Error(`Unknown scenario "${arg}": expected some of ${known.join(', ')}, "small", "large" or "all".`);
    }
    picked.add(id);
  }
  for (const s of all) {
    if (picked.has(s.id) && s.refreshOf !== undefined) {
      picked.add(s.refreshOf);
    }
  }
  return picked;
}

export async function main(args: string[] = []) {
  const all = scenarios(NOW);
  const trace = args.includes(TRACE_FLAG);
  const selected = selectScenarios(
    args.filter((a) => a !== TRACE_FLAG),
    all
  );
  console.log('OpenAI Usage & Costs: query-path benchmark');
  console.log(
    `Simulator: latency ${LATENCY.latencyMs + LATENCY.jitterMs / 2} ± ${LATENCY.jitterMs / 2} ms per request; ` +
      `rate limit: token bucket of ${RATE_LIMIT.capacity} requests refilled at ${RATE_LIMIT.refillPerSec} per s (429 + Retry-After when empty)`
  );
  console.log(
    `Plugin: concurrency budget ${DEFAULT_CONCURRENCY}; clock ${new Date(NOW * 1000).toISOString()}; panels ${80} px per grid column`
  );
  setBackendSrv(createBackendSrv({ agent: new http.Agent({ keepAlive: true }) }));
  setTemplateSrv(
    createTemplateSrv([
      { name: 'datasource', value: '$__all', options: ['OpenAI'] },
      // The dashboards' filter variables at their defaults.
      { name: 'project', value: '$__all' },
      { name: 'model', value: '$__all' },
    ])
  );

  const results: Result[] = [];
  for (const large of [false, true]) {
    const group = all.filter((s) => selected.has(s.id) && LARGE_ORG_SCENARIOS.includes(s.id) === large);
    if (group.length === 0) {
      continue;
    }
    const bed = await startBed(large);
    try {
      results.push(...(await benchmark(bed, group, trace)));
    } finally {
      bed.proxy.close();
      bed.sim.close();
    }
  }
  report(results);
}

/**
 * One simulator for every run of an organization: it computes each day of usage once, and that cost is not the
 * plugin's. The bench keeps the same seeded organization for the bounds (list sizes, groups in the data).
 */
async function startBed(large: boolean): Promise<Bed> {
  const sim = await startRemoteSimulator(NOW, large ? ['--org', 'large'] : []);
  const proxy = await startRemoteProxy({
    url: sim.url,
    jsonData: {},
    secureJsonData: { adminApiKey: ADMIN_KEY },
    // A browser keeps its connection to Grafana open between refreshes (Chrome keeps a used idle one 5 minutes).
    keepAliveMs: 5 * 60 * 1000,
  }).catch((e: unknown) => {
    sim.close();
    throw e;
  });
  const org = new SimOrg({ seed: 42, now: () => NOW, size: large ? LARGE_ORG : undefined });
  return { sim, proxy, proxyBase: proxy.proxyBase, org, now: NOW };
}

/**
 * Every scenario once on a throw-away DataSource, so that the simulator has computed its days and the code is
 * compiled; the DataSource and its cache are left to the collector, outside the measured heap.
 */
async function warmUp(bed: Bed, cold: Scenario[]): Promise<void> {
  const warm = freshDataSource(bed);
  for (const scenario of cold) {
    await Promise.all(scenario.panels.map((p) => panelQuery(warm, p)));
  }
}

/**
 * The cold scenarios of one organization, each followed by its refresh when selected: the same panels on the
 * same DataSource (its cache and names kept) once REFRESH_AFTER_S has passed since the cold run started, in real
 * time too, as the data source's rate limiter keeps time by the wall clock; the baselines run meanwhile.
 */
async function benchmark(bed: Bed, group: Scenario[], trace = false): Promise<Result[]> {
  const cold = group.filter((s) => s.refreshOf === undefined);
  await warmUp(bed, cold);
  const results: Result[] = [];
  for (const scenario of cold) {
    const ds = freshDataSource(bed);
    const lb = lowerBound(scenario, bed.org, NOW, DEFAULT_CONCURRENCY);
    const merged = mergedLowerBound(scenario, bed.org, NOW, DEFAULT_CONCURRENCY);
    const started = Date.now();
    const plugin = await runPlugin(bed, ds, scenario.panels);
    const service = await measureService(bed, plugin);
    let names: Run | undefined;
    let withoutNames: Run | undefined;
    if (scenario.largeOrg) {
      const named = freshDataSource(bed);
      names = await measureNames(bed, named, scenario.panels);
      if (scenario.withoutNames) {
        // A fresh DataSource (empty cache, fresh limiter) given the resolver that has just listed the names.
        const bare = Object.assign(freshDataSource(bed), { names: named.names });
        withoutNames = await runPlugin(bed, bare, scenario.panels);
      }
    }
    // The naive client would take minutes on the large organization; the fair one stands for the baselines there.
    const naive = scenario.largeOrg ? undefined : await runBaseline(bed, scenario.panels, NAIVE);
    const fair = await runBaseline(bed, scenario.panels, FAIR);

    const refresh = group.find((s) => s.refreshOf === scenario.id);
    let later: Result | undefined;
    if (refresh) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + REFRESH_AFTER_S * 1000 - Date.now())));
      bed.now = NOW + REFRESH_AFTER_S;
      await bed.sim.configure({ now: bed.now });
      const run = await runPlugin(bed, ds, refresh.panels);
      later = {
        scenario: refresh,
        lb: refreshLowerBound(lowerBound(refresh, bed.org, bed.now, DEFAULT_CONCURRENCY), DEFAULT_CONCURRENCY),
        merged: refreshLowerBound(
          mergedLowerBound(refresh, bed.org, bed.now, DEFAULT_CONCURRENCY),
          DEFAULT_CONCURRENCY
        ),
        plugin: run,
        service: await measureService(bed, run),
        frames: await measureFrames(bed, ds, refresh.panels, FRAME_RUNS, false),
      };
      bed.now = NOW;
      await bed.sim.configure({ now: NOW });
    }
    // A cold run's frames start from an empty cache each time, apart from the DataSource's.
    const frames = await measureFrames(bed, ds, scenario.panels, FRAME_RUNS, true);
    const result: Result = { scenario, lb, merged, plugin, service, naive, fair, frames, names, withoutNames };
    results.push(result);
    printResult(result);
    if (trace) {
      printTrace(result.plugin);
    }
    if (later) {
      results.push(later);
      printResult(later, `baselines: no cache, so a refresh costs what scenario ${scenario.id} costs (not run again)`);
      if (trace) {
        printTrace(later.plugin);
      }
    }
  }
  return results;
}

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

function report(results: Result[]) {
  const checks: Check[] = [];
  const byId = new Map(results.map((r) => [r.scenario.id, r]));
  for (const r of results) {
    const id = r.scenario.id;
    const allowed = r.merged.requests * (1 + TARGET.requestsOverMerged);
    checks.push({
      name: `S${id} requests ≤ merged lower bound + ${TARGET.requestsOverMerged * 100} %`,
      pass: r.plugin.requests <= allowed,
      detail: `${r.plugin.requests} vs ${r.merged.requests} (at most ${Math.floor(allowed)}; per-panel bound ${r.lb.requests})${r.plugin.rateLimited ? `, ${r.plugin.rateLimited} answered 429` : ''}`,
    });
    checks.push({
      name: `S${id} wall ≤ ${TARGET.wallOverFloor}× the merged floor`,
      pass: r.plugin.wallMs <= TARGET.wallOverFloor * floorMs(r, r.merged),
      detail: `${fmt.s(r.plugin.wallMs)} vs ${fmt.s(floorMs(r, r.merged))} (${fmt.x(r.plugin.wallMs, floorMs(r, r.merged))})`,
    });
    if (NAIVE_TARGET_IDS.includes(id) && r.naive) {
      checks.push({
        name: `S${id} ≥ ${TARGET.naiveSpeedup}× faster than the naive client`,
        pass: r.naive.wallMs >= TARGET.naiveSpeedup * r.plugin.wallMs,
        detail: `${fmt.s(r.naive.wallMs)} vs ${fmt.s(r.plugin.wallMs)} (${(r.naive.wallMs / r.plugin.wallMs).toFixed(1)}×)`,
      });
    }
    if (FAIR_TARGET_IDS.includes(id) && r.fair) {
      checks.push({
        name: `S${id} ≥ ${TARGET.fairSpeedup}× faster than the fair baseline`,
        pass: r.fair.wallMs >= TARGET.fairSpeedup * r.plugin.wallMs,
        detail: `${fmt.s(r.fair.wallMs)} vs ${fmt.s(r.plugin.wallMs)} (${(r.fair.wallMs / r.plugin.wallMs).toFixed(1)}×)`,
      });
    }
    const cold = r.scenario.refreshOf !== undefined ? byId.get(r.scenario.refreshOf) : undefined;
    if (cold) {
      const share = r.plugin.requests / cold.plugin.requests;
      // The bounds' own share shows what any client that shows fresh data can reach.
      const boundShare = r.merged.requests / cold.merged.requests;
      checks.push({
        name: `S${id} refresh ≤ ${TARGET.refreshShare * 100} % of S${cold.scenario.id}'s cold requests`,
        pass: share <= TARGET.refreshShare,
        detail:
          `${r.plugin.requests} of ${cold.plugin.requests} (${(share * 100).toFixed(0)} %); ` +
          `the refresh bound is ${r.merged.requests} of the cold bound ${cold.merged.requests} (${(boundShare * 100).toFixed(0)} %)`,
      });
    }
    if (id === 3) {
      checks.push({
        name: `S3 frame building < ${TARGET.framesMs} ms`,
        pass: r.frames.framesMs < TARGET.framesMs,
        detail: `${r.frames.framesMs.toFixed(1)} ms`,
      });
    }
    if (r.scenario.withoutNames) {
      checks.push({
        name: `S${id} at most ${TARGET.keySeries} series`,
        pass: r.frames.series <= TARGET.keySeries,
        detail: `${fmt.n(r.frames.series)} series, ${fmt.n(r.frames.points)} points`,
      });
      checks.push({
        name: `S${id} frames built in ≤ ${TARGET.keyFramesMs} ms`,
        pass: r.frames.framesMs <= TARGET.keyFramesMs,
        detail: `${r.frames.framesMs.toFixed(1)} ms`,
      });
    }
    if (r.withoutNames) {
      checks.push({
        name: `S${id} cold query ≤ ${TARGET.namesOverhead}× the same query without names`,
        pass: r.plugin.wallMs <= TARGET.namesOverhead * r.withoutNames.wallMs,
        detail: `${fmt.s(r.plugin.wallMs)} vs ${fmt.s(r.withoutNames.wallMs)} (${fmt.x(r.plugin.wallMs, r.withoutNames.wallMs)})`,
      });
    }
    checks.push({
      name: `S${id} no failed query`,
      pass: r.plugin.failures.length === 0,
      detail: `${r.plugin.failures.length} failed`,
    });
  }

  console.log('\nTargets');
  for (const c of checks) {
    console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  }
  const failed = checks.filter((c) => !c.pass).length;
  console.log(
    failed ? `\n${failed} of ${checks.length} targets FAILED (see above).` : `\nAll ${checks.length} targets pass.`
  );

  console.log('\nMarkdown for README.md "## Performance":\n');
  console.log(
    '| Scenario | Requests (merged bound; per panel) | Round trips (bound) | Wall time (merged floor) | Naive: wall ÷ plugin | Fair: wall ÷ plugin | Heap Δ |'
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const slower = (b: Run | undefined, p: Run) => (b ? `${(b.wallMs / p.wallMs).toFixed(1)}×` : '—');
  for (const r of results) {
    const p = r.plugin;
    console.log(
      `| ${r.scenario.id}. ${r.scenario.name} | ${p.requests}${p.rateLimited ? ` (${p.rateLimited}×429)` : ''} (${r.merged.requests}; ${r.lb.requests}) | ` +
        `${p.roundTrips} (${r.merged.roundTrips}) | ${fmt.s(p.wallMs)} (${fmt.s(floorMs(r, r.merged))}) | ` +
        `${slower(r.naive, p)} | ${slower(r.fair, p)} | +${fmt.mb(p.heapDeltaMb)} |`
    );
  }
  console.log(
    `\nSimulator latency ${LATENCY.latencyMs + LATENCY.jitterMs / 2} ± ${LATENCY.jitterMs / 2} ms, rate limit ${RATE_LIMIT.capacity} requests + ${RATE_LIMIT.refillPerSec}/s; ` +
      `floor = the largest of the bound's requests in rounds of ${DEFAULT_CONCURRENCY} × measured mean latency, its name lists' chain × their mean latency, ` +
      `the slowest request's measured latency (when the plugin made exactly the bound's requests) and (requests − burst) / refill rate; ` +
      `heap Δ = peak heap over the heap in use just before the run.`
  );
}
