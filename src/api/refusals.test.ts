/**
 * What 429s cost a dashboard, on a virtual clock: the client and its limiter against an API that refuses
 * requests at random (for reasons unrelated to the request rate) or by a token bucket (a real rate limit).
 */
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { TokenBucket } from '../../tests/simulator/faults';
import { mulberry32 } from '../../tests/simulator/random';
import { AdminApiClient } from './client';
import { Limiter } from './limiter';

/** Timers on a virtual clock: time moves only when every task is waiting on it. */
class VirtualClock {
  t = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private seq = 0;
  now = () => this.t;
  sleep = (ms: number) =>
    new Promise<void>((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve }));

  async runUntil<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => (done = true));
    while (!done) {
      // Let every runnable task reach its next wait.
      for (let i = 0; i < 100; i++) {
        await Promise.resolve();
      }
      if (done) {
        break;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) {
        throw new Error('stalled: nothing to wait for');
      }
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    return result;
  }
}

interface Api {
  /** Answer to try `attempt` (1 = the first) of request `i` at virtual time `now`: 0 = success, else Retry-After seconds. */
  refuse(now: number, i: number, attempt: number): number;
  /** How long an answer takes: the same for every one, or by request and whether it is a refusal. */
  latencyMs: number | ((i: number, refused: boolean) => number);
}

interface Try {
  sent: number;
  answered: number;
}

interface Run {
  elapsedMs: number;
  requests: number;
  refused: number;
  retryAfterMs: number;
  /** Every try of each request, by request. */
  tries: Try[][];
}

/** N requests, as panels send them (all at once, the limiter keeps six in flight), until every one succeeds. */
async function runRequests(api: Api, n: number): Promise<Run> {
  const clock = new VirtualClock();
  const stats = { requests: 0, refused: 0, retryAfterMs: 0 };
  const tries: Try[][] = Array.from({ length: n }, () => []);
  const fetch = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((subscriber) => {
      stats.requests++;
      const i = Number(/x(\d+)$/.exec(req.url)![1]);
      const attempt: Try = { sent: clock.now(), answered: NaN };
      tries[i].push(attempt);
      const wait = api.refuse(clock.now(), i, tries[i].length);
      const latency = typeof api.latencyMs === 'number' ? api.latencyMs : api.latencyMs(i, wait > 0);
      void clock.sleep(latency).then(() => {
        attempt.answered = clock.now();
        if (wait > 0) {
          stats.refused++;
          stats.retryAfterMs += wait * 1000;
          subscriber.error({
            status: 429,
            data: { error: { message: 'Rate limit reached', type: 'requests' } },
            headers: { get: (name: string) => (name.toLowerCase() === 'retry-after' ? String(wait) : null) },
          });
        } else {
          subscriber.next({ data: { object: 'page', data: [] } } as unknown as FetchResponse<T>);
          subscriber.complete();
        }
      });
    });
  const client = new AdminApiClient('/proxy', {
    limiter: new Limiter({ now: clock.now, sleep: clock.sleep }),
    sleep: clock.sleep,
    maxAttempts: 50,
    backendSrv: () => ({ fetch }) as unknown as BackendSrv,
  });
  await clock.runUntil(Promise.all(Array.from({ length: n }, (_, i) => client.getJson(`/v1/organization/x${i}`))));
  return { elapsedMs: clock.now(), ...stats, tries };
}

const LATENCY_MS = 100;
const N = 600;

describe('sporadic refusals', () => {
  const clean = () => runRequests({ latencyMs: LATENCY_MS, refuse: () => 0 }, N);

  it.each([
    [0.05, 1],
    [0.05, 2],
    [0.02, 1],
    [0.1, 1],
  ])(
    '%p of requests refused at random with Retry-After %ps: the time lost stays within twice what waiting out each refusal once costs',
    async (share, retryAfter) => {
      const random = mulberry32(7);
      const base = await clean();
      const run = await runRequests({ latencyMs: LATENCY_MS, refuse: () => (random() < share ? retryAfter : 0) }, N);
      const lost = run.elapsedMs - base.elapsedMs;
      // A one-at-a-time client loses Retry-After once per refusal.
      const oneAtATime = run.refused * retryAfter * 1000;
      expect(run.refused).toBeGreaterThan(N * share * 0.5);
      expect(lost).toBeLessThanOrEqual(2 * oneAtATime);
    }
  );
});

describe('a sustained rate limit', () => {
  it('is learned: most requests are accepted and throughput stays near the allowed rate', async () => {
    const refill = 10;
    const clock = { t: 0 };
    const bucket = new TokenBucket(20, refill, () => clock.t);
    const run = await runRequests(
      {
        latencyMs: LATENCY_MS,
        refuse: (now) => {
          clock.t = now;
          return bucket.take();
        },
      },
      N
    );
    const rate = N / (run.elapsedMs / 1000);
    expect(rate).toBeGreaterThan(0.8 * refill);
    expect(run.refused).toBeLessThan(0.15 * N);
  });
});

describe('a burst of refusals', () => {
  it('has each refused request wait out its own Retry-After, however soon the others may go again', async () => {
    // 40 requests accepted, then the last 4 refused together, their 429s coming back 300 ms apart.
    const refused = (i: number) => i >= 40;
    const run = await runRequests(
      {
        latencyMs: (i, refusal) => (refusal ? LATENCY_MS + 300 * (i - 40) : LATENCY_MS),
        refuse: (_, i, attempt) => (refused(i) && attempt === 1 ? 1 : 0),
      },
      44
    );
    expect(run.refused).toBe(4);
    const retried = run.tries.filter((_, i) => refused(i));
    expect(retried.map((tries) => tries.length)).toEqual([2, 2, 2, 2]);
    for (const [first, retry] of retried) {
      expect(retry.sent).toBeGreaterThanOrEqual(first.answered + 1000);
    }
  });
});
