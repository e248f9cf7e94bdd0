/**
 * The benchmark: each scenario runs through the plugin's own query path (DataSource.query over the dev proxy
 * and the simulator with latency and a rate limit), beside the lower bound the API allows and a naive client.
 * The simulator and the proxy run in processes of their own, as the API and Grafana's server are apart from
 * the browser.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { DataQueryResponse } from '@grafana/data';
import { getTemplateSrv, setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import { DEFAULT_CONCURRENCY } from '../../src/api/limiter';
import { buildFrames } from '../../src/query/frames';
import { prepareQuery } from '../../src/queryTypes';
import { fetchBuckets, nameKindsOf, planQuery } from '../../src/query/engine';
import { DataSource } from '../../src/datasource';
import { instanceSettings, panelRequest } from '../harness';
import { createTemplateSrv } from '../harness/templateSrv';
import { createBackendSrv } from '../proxy/backendSrv';
import { SimOrg, type Faults, type RequestLogEntry } from '../simulator/server';
import { LowerBound, lowerBound, refreshLowerBound } from './lowerBound';
import { NaiveClient } from './naive';
import { startRemoteProxy } from './remoteProxy';
import { RemoteSimulator, startRemoteSimulator } from './remoteSimulator';
import { PanelRequest, Scenario, dashboardPanels, scenarios } from './scenarios';

/** 150 ± 50 ms per request: the simulator adds latencyMs plus a uniform 0..jitterMs. */
const LATENCY = { latencyMs: 100, jitterMs: 100 };
const RATE_LIMIT = { capacity: 20, refillPerSec: 5 };
const FAULTS: Partial<Faults> = { ...LATENCY, rateLimit: RATE_LIMIT };
/** A fixed, unaligned "now" on a weekday (Wednesday 2025-06-18 14:37:23 UTC): every run plans the same requests. */
const NOW = Date.UTC(2025, 5, 18, 14, 37, 23) / 1000;
const NO_FAULTS: Partial<Faults> = { latencyMs: 0, jitterMs: 0, rateLimit: null };
const REFRESH_AFTER_S = 60;
const FRAME_RUNS = 5;
/** Times the slowest request is sent again alone, to show how much of it is the API's own work. */
const SERVICE_RUNS = 3;

/** The simulator's demo key with access to every endpoint; the proxy adds it as Grafana adds the stored key. */
const ADMIN_KEY = 'sk-admin-sim-full';

const TARGET = { wallOverLowerBound: 1.5, naiveSpeedup: 5, refreshShare: 0.2, framesMs: 200 };

interface Run {
  requests: number;
  rateLimited: number;
  wallMs: number;
  roundTrips: number;
  meanLatencyMs: number;
  /** The successful requests, slowest first, as the simulator logged them. */
  slowest: RequestLogEntry[];
  peakHeapMb: number;
  failures: string[];
}

interface Frames {
  parseMs: number;
  framesMs: number;
}

/** One request sent again with nothing else in flight and no injected latency: the API's own time for it. */
interface Service {
  path: string;
  /** Fastest of SERVICE_RUNS, from the simulator's log. */
  ms: number;
}

interface Result {
  scenario: Scenario;
  lb: LowerBound;
  plugin: Run;
  /** The plugin's slowest request, timed alone (shown, not part of the bound). */
  service?: Service;
  naive?: Run;
  frames: Frames;
}

/** The simulator, Grafana's proxy in front of it, and the organization the simulator serves. */
interface Bed {
  sim: RemoteSimulator;
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
  let peak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
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
    meanLatencyMs: ok.reduce((a, e) => a + latencyMs(e), 0) / Math.max(1, ok.length),
    slowest: [...ok].sort((a, b) => latencyMs(b) - latencyMs(a)),
    peakHeapMb: peak / 2 ** 20,
    failures,
  };
}

/** A DataSource as Grafana creates it for the harness's proxy: a fresh client, limiter, cache and names. */
function freshDataSource(bed: Bed): DataSource {
  return new DataSource(instanceSettings(bed.proxyBase, { apiUrl: bed.sim.url }), () => bed.now * 1000);
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

async function runNaive(bed: Bed, panels: PanelRequest[]): Promise<Run> {
  const naive = new NaiveClient(bed.proxyBase);
  await bed.sim.configure(FAULTS);
  return measure(bed, async () => {
    const outcomes = await Promise.allSettled(panels.map((p) => naive.query(p, bed.now)));
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

/**
 * Parse and frame time, measured apart from the network: the scenario's buckets are fetched once through the
 * engine (planQuery, fetchBuckets, names), then JSON parsing of them and buildFrames are timed; the median of
 * several runs is kept so the figure survives a noisy machine.
 */
async function measureFrames(bed: Bed, ds: DataSource, panels: PanelRequest[]): Promise<Frames> {
  await bed.sim.configure(NO_FAULTS);
  const now = bed.now;
  const ctx = { client: ds.client, names: ds.names, settings: {}, now: () => now * 1000 };
  const inputs = [];
  for (const panel of panels) {
    for (const target of panel.targets) {
      const query = prepareQuery(target, getTemplateSrv(), {});
      const plan = planQuery(query, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints);
      const [buckets, names] = await Promise.all([
        fetchBuckets(ctx, plan),
        ctx.names.resolve(nameKindsOf(plan.groupBy)),
      ]);
      inputs.push({ query, plan, text: JSON.stringify({ object: 'page', data: buckets }), names: names.maps });
    }
  }
  const parse: number[] = [];
  const frames: number[] = [];
  for (let run = 0; run < FRAME_RUNS; run++) {
    let p = 0;
    let f = 0;
    for (const { query, plan, text, names } of inputs) {
      const t0 = performance.now();
      const buckets = JSON.parse(text).data;
      const t1 = performance.now();
      buildFrames({
        def: plan.def,
        metrics: plan.metrics,
        groupBy: plan.groupBy,
        width: plan.width,
        buckets,
        names,
        costByModel: query.costByModel,
        legendFormat: query.legendFormat,
        refId: query.refId,
      });
      f += performance.now() - t1;
      p += t1 - t0;
    }
    parse.push(p);
    frames.push(f);
  }
  return { parseMs: median(parse), framesMs: median(frames) };
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
};

/** No client is faster than its round trips, nor than the rate limit lets the requests through. */
function rateFloorMs(r: Result): number {
  return (Math.max(0, r.lb.requests - RATE_LIMIT.capacity) / RATE_LIMIT.refillPerSec) * 1000;
}

function latencyMs(e: RequestLogEntry): number {
  return e.end - e.start;
}

/**
 * A round trip lasts until its slowest request is answered, so the critical path is no shorter than the slowest
 * request, as the API took it in this run (arrival to last byte sent; the proxy takes the answer as it comes,
 * so the plugin's own pace does not lengthen it). Counted only when the plugin made exactly the lower bound's
 * requests: extra ones could slow the API down for the others.
 */
function slowestFloorMs(r: Result): number {
  const slowest = r.plugin.slowest[0];
  return slowest && r.plugin.requests === r.lb.requests ? latencyMs(slowest) : 0;
}

function lbWallMs(r: Result): number {
  return Math.max(r.lb.roundTrips * r.plugin.meanLatencyMs, slowestFloorMs(r), rateFloorMs(r));
}

function printResult(r: Result, naiveNote?: string) {
  const { lb, plugin, naive, frames } = r;
  const targets = r.scenario.panels.reduce((a, p) => a + p.targets.length, 0);
  console.log(
    `\nScenario ${r.scenario.id}: ${r.scenario.name} (${r.scenario.panels.length} panels, ${targets} targets)`
  );
  console.log(
    r.scenario.id === 5
      ? `  lower bound: the recent buckets of ${lb.requests} distinct endpoint, width and filter sets, every settled bucket ` +
          `and name already known; ${lb.roundTrips} round trips at concurrency ${DEFAULT_CONCURRENCY}`
      : `  lower bound: ${lb.signatures} distinct signatures → ${lb.bucketRequests} bucket requests + ${lb.listRequests} name-list requests; ` +
          `dependency depth ${lb.depth}; ${lb.roundTrips} round trips at concurrency ${DEFAULT_CONCURRENCY}`
  );
  const naiveCol = (text: string) => (naive ? `   naive ${text}` : '');
  console.log(
    `  requests     ${String(plugin.requests).padStart(8)}   lower bound ${lb.requests} (${fmt.x(plugin.requests, lb.requests)})` +
      `   of which 429: ${plugin.rateLimited}` +
      naiveCol(
        naive
          ? `${naive.requests} (${fmt.x(naive.requests, plugin.requests)} the plugin's; 429: ${naive.rateLimited})`
          : ''
      )
  );
  const slowestTerm = slowestFloorMs(r) > 0 ? `, slowest request ${slowestFloorMs(r).toFixed(0)} ms` : '';
  console.log(
    `  wall time    ${fmt.s(plugin.wallMs).padStart(8)}   lower bound ${fmt.s(lbWallMs(r))} = max(${lb.roundTrips} round trips × ${plugin.meanLatencyMs.toFixed(0)} ms mean latency${slowestTerm}, rate-limit floor) (${fmt.x(plugin.wallMs, lbWallMs(r))})` +
      naiveCol(naive ? `${fmt.s(naive.wallMs)} (${fmt.x(naive.wallMs, plugin.wallMs)} the plugin's)` : '')
  );
  if (r.service) {
    console.log(
      `               slowest request alone, without injected latency: the API takes ${r.service.ms.toFixed(0)} ms for ${shortPath(r.service.path)}`
    );
  }
  const floor = rateFloorMs(r) / 1000;
  if (floor > 0) {
    console.log(
      `               rate-limit floor: (${lb.requests} − ${RATE_LIMIT.capacity}) / ${RATE_LIMIT.refillPerSec} per s = ${floor.toFixed(2)} s for any client that never sees a 429`
    );
  }
  console.log(
    `  round trips  ${String(plugin.roundTrips).padStart(8)}   lower bound ${lb.roundTrips} (${fmt.x(plugin.roundTrips, lb.roundTrips)})` +
      naiveCol(naive ? `${naive.roundTrips} (${fmt.x(naive.roundTrips, plugin.roundTrips)} the plugin's)` : '')
  );
  console.log(
    `  parse+frame  ${`${(frames.parseMs + frames.framesMs).toFixed(1)} ms`.padStart(8)}   (JSON.parse ${frames.parseMs.toFixed(1)} ms, buildFrames ${frames.framesMs.toFixed(1)} ms; median of ${FRAME_RUNS})`
  );
  console.log(
    `  peak heap    ${fmt.mb(plugin.peakHeapMb).padStart(8)}   (the plugin; the proxy and the simulator run apart)` +
      naiveCol(naive ? fmt.mb(naive.peakHeapMb) : '')
  );
  if (naiveNote) {
    console.log(`  ${naiveNote}`);
  }
  const failures = [...plugin.failures, ...(naive?.failures.map((f) => `naive: ${f}`) ?? [])];
  failures.forEach((f) => console.log(`  FAILED QUERY ${f}`));
}

/**
 * Which scenarios to run, from the command line (`npm run bench -- 2 4`); none given runs them all. Scenario 5
 * refreshes scenario 1's DataSource, so it brings 1 along.
 */
export function selectScenarios(args: string[], known: number[]): Set<number> {
  if (args.length === 0) {
    return new Set(known);
  }
  const picked = new Set<number>();
  for (const arg of args) {
    const id = Number(arg);
    if (!/^\d+$/.test(arg) || !known.includes(id)) {
      throw new Error(`Unknown scenario "${arg}": expected some of ${known.join(', ')}.`);
    }
    picked.add(id);
  }
  if (picked.has(5)) {
    picked.add(1);
  }
  return picked;
}

export async function main(args: string[] = []) {
  const known = [...scenarios(NOW).map((s) => s.id), 5];
  const selected = selectScenarios(args, known);
  console.log('OpenAI Usage & Costs: query-path benchmark');
  console.log(
    `Simulator: latency ${LATENCY.latencyMs + LATENCY.jitterMs / 2} ± ${LATENCY.jitterMs / 2} ms per request; ` +
      `rate limit: token bucket of ${RATE_LIMIT.capacity} requests refilled at ${RATE_LIMIT.refillPerSec} per s (429 + Retry-After when empty)`
  );
  console.log(
    `Plugin: concurrency budget ${DEFAULT_CONCURRENCY}; clock ${new Date(NOW * 1000).toISOString()}; panels ${80} px per grid column`
  );

  // One simulator for every run: it computes each day of usage once, and that cost is not the plugin's.
  const sim = await startRemoteSimulator(NOW);
  const proxy = await startRemoteProxy({
    jsonData: { apiUrl: sim.url },
    secureJsonData: { adminApiKey: ADMIN_KEY },
  }).catch((e: unknown) => {
    sim.close();
    throw e;
  });
  setBackendSrv(createBackendSrv());
  setTemplateSrv(createTemplateSrv([{ name: 'datasource', value: '$__all', options: ['OpenAI'] }]));
  // The same seeded organization the simulator serves, for the sizes of the name lists.
  const bed: Bed = { sim, proxyBase: proxy.proxyBase, org: new SimOrg({ seed: 42, now: () => NOW }), now: NOW };
  try {
    await benchmark(bed, selected);
  } finally {
    proxy.close();
    sim.close();
  }
}

/**
 * Every scenario once on a throw-away DataSource, so that the simulator has computed its days and the code is
 * compiled; the DataSource and its cache are left to the collector, outside the measured heap.
 */
async function warmUp(bed: Bed, all: Scenario[]): Promise<void> {
  const warm = freshDataSource(bed);
  for (const scenario of all) {
    await Promise.all(scenario.panels.map((p) => panelQuery(warm, p)));
  }
}

async function benchmark(bed: Bed, selected: Set<number>) {
  const all = scenarios(NOW).filter((s) => selected.has(s.id));
  await warmUp(bed, all);

  const results: Result[] = [];
  let refresh: Result | undefined;
  for (const scenario of all) {
    const ds = freshDataSource(bed);
    const lb = lowerBound(scenario, bed.org, NOW, DEFAULT_CONCURRENCY);
    const started = Date.now();
    const plugin = await runPlugin(bed, ds, scenario.panels);
    const service = await measureService(bed, plugin);
    if (scenario.id === 1 && selected.has(5)) {
      // Scenario 5: the same dashboard a minute later on the same DataSource (its cache and names kept). The
      // minute passes in real time too, as the data source's rate limiter keeps time by the wall clock.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + REFRESH_AFTER_S * 1000 - Date.now())));
      bed.now = NOW + REFRESH_AFTER_S;
      await bed.sim.configure({ now: bed.now });
      const panels = dashboardPanels(NOW + REFRESH_AFTER_S);
      const refreshScenario = {
        id: 5,
        name: `Scenario 1 refreshed ${REFRESH_AFTER_S} s later (same DataSource)`,
        panels,
      };
      const refreshRun = await runPlugin(bed, ds, panels);
      const refreshLb = refreshLowerBound(
        lowerBound(refreshScenario, bed.org, bed.now, DEFAULT_CONCURRENCY),
        DEFAULT_CONCURRENCY
      );
      refresh = {
        scenario: refreshScenario,
        lb: refreshLb,
        plugin: refreshRun,
        service: await measureService(bed, refreshRun),
        frames: await measureFrames(bed, ds, panels),
      };
      bed.now = NOW;
      await bed.sim.configure({ now: NOW });
    }
    const frames = await measureFrames(bed, ds, scenario.panels);
    const naive = await runNaive(bed, scenario.panels);
    const result = { scenario, lb, plugin, service, naive, frames };
    results.push(result);
    printResult(result);
  }
  if (refresh) {
    results.push(refresh);
    printResult(refresh, 'naive: no cache, so a refresh costs what scenario 1 costs (not run again)');
  }
  report(results);
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
    checks.push({
      name: `S${id} requests = lower bound`,
      pass: r.plugin.requests === r.lb.requests,
      detail: `${r.plugin.requests} vs ${r.lb.requests}${r.plugin.rateLimited ? ` (${r.plugin.rateLimited} answered 429)` : ''}`,
    });
    checks.push({
      name: `S${id} wall ≤ ${TARGET.wallOverLowerBound}× lower-bound critical path`,
      pass: r.plugin.wallMs <= TARGET.wallOverLowerBound * lbWallMs(r),
      detail: `${fmt.s(r.plugin.wallMs)} vs ${fmt.s(lbWallMs(r))} (${fmt.x(r.plugin.wallMs, lbWallMs(r))})`,
    });
    if ((id === 1 || id === 2) && r.naive) {
      checks.push({
        name: `S${id} ≥ ${TARGET.naiveSpeedup}× faster than naive`,
        pass: r.naive.wallMs >= TARGET.naiveSpeedup * r.plugin.wallMs,
        detail: `${fmt.s(r.naive.wallMs)} vs ${fmt.s(r.plugin.wallMs)} (${(r.naive.wallMs / r.plugin.wallMs).toFixed(1)}×)`,
      });
    }
    checks.push({
      name: `S${id} no failed query`,
      pass: r.plugin.failures.length === 0,
      detail: `${r.plugin.failures.length} failed`,
    });
  }
  const cold = byId.get(1);
  const warm = byId.get(5);
  if (cold && warm) {
    const share = warm.plugin.requests / cold.plugin.requests;
    checks.push({
      name: `S5 refresh ≤ ${TARGET.refreshShare * 100}% of cold requests`,
      pass: share <= TARGET.refreshShare,
      detail: `${warm.plugin.requests} of ${cold.plugin.requests} (${(share * 100).toFixed(0)}%)`,
    });
  }
  const big = byId.get(3);
  if (big) {
    checks.push({
      name: `S3 frame building < ${TARGET.framesMs} ms`,
      pass: big.frames.framesMs < TARGET.framesMs,
      detail: `${big.frames.framesMs.toFixed(1)} ms`,
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
    '| Scenario | Requests (lower bound) | Wall time (lower bound) | Round trips (lower bound) | Naive client | Parse + frames | Peak heap |'
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const p = r.plugin;
    const naive = r.naive
      ? `${r.naive.requests} req, ${fmt.s(r.naive.wallMs)} (${(r.naive.wallMs / p.wallMs).toFixed(1)}× slower)`
      : 'same as 1 (no cache)';
    console.log(
      `| ${r.scenario.id}. ${r.scenario.name} | ${p.requests}${p.rateLimited ? ` (${p.rateLimited}×429)` : ''} (${r.lb.requests}) | ` +
        `${fmt.s(p.wallMs)} (${fmt.s(lbWallMs(r))}) | ${p.roundTrips} (${r.lb.roundTrips}) | ${naive} | ` +
        `${(r.frames.parseMs + r.frames.framesMs).toFixed(0)} ms | ${fmt.mb(p.peakHeapMb)} |`
    );
  }
  console.log(
    `\nSimulator latency ${LATENCY.latencyMs + LATENCY.jitterMs / 2} ± ${LATENCY.jitterMs / 2} ms, rate limit ${RATE_LIMIT.capacity} requests + ${RATE_LIMIT.refillPerSec}/s; ` +
      `wall lower bound = the largest of lower-bound round trips × measured mean latency, the slowest request's measured latency (when the plugin made exactly the lower bound's requests) and (requests − burst) / refill rate.`
  );
}
