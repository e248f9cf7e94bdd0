import { encodeQuery } from './client';
import { RequestCache } from './cache';
import { Limiter } from './limiter';

describe('encodeQuery', () => {
  it('sends arrays and objects in the bracket form of the official SDKs, percent-encoded', () => {
    expect(
      encodeQuery({
        start_time: 1730419200,
        bucket_width: '1h',
        group_by: ['model', 'project_id'],
        batch: false,
        page: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=',
        models: [],
        user_ids: undefined,
      })
    ).toBe(
      'start_time=1730419200&bucket_width=1h&group_by%5B%5D=model&group_by%5B%5D=project_id&batch=false&page=page_AAAAAGdGxdEiJdKOAAAAAGcqsYA%3D'
    );
    expect(encodeQuery({ effective_at: { gte: 1722000000 }, event_types: ['api_key.created'] })).toBe(
      'effective_at%5Bgte%5D=1722000000&event_types%5B%5D=api_key.created'
    );
  });
});

describe('RequestCache', () => {
  it('sends identical requests in flight once and keeps only settled answers', async () => {
    const cache = new RequestCache(10_000);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await cache.get('k', load);
    expect(loads).toBe(2); // not settled: not kept
    await cache.get('s', load, () => 100);
    await cache.get('s', load, () => 100);
    expect(loads).toBe(3);
  });

  it('evicts the least recently used answers beyond its memory bound', async () => {
    const cache = new RequestCache(250);
    for (const key of ['a', 'b', 'c']) {
      await cache.get(
        key,
        () => Promise.resolve(key),
        () => 100
      );
    }
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
  });
});

describe('Limiter', () => {
  it('never runs more than its budget at once, and halves it on a rate limit', async () => {
    const limiter = new Limiter({ max: 4, sleep: () => Promise.resolve() });
    let active = 0;
    let peak = 0;
    const task = () =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      });
    await Promise.all(Array.from({ length: 12 }, task));
    expect(peak).toBe(4);
    limiter.onRateLimit(0);
    expect(limiter.concurrency).toBe(2);
  });

  it('gives the next free slots to steps of chains, in their order, before independent requests queued earlier', async () => {
    const limiter = new Limiter({ max: 1 });
    const order: string[] = [];
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const queued = ['window 1', 'window 2', 'list page 2', 'key list page 2'].map((name) =>
      limiter.run(async () => void order.push(name), name.includes('list') ? 1 : undefined)
    );
    // The first task has its slot; the others wait for it.
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all([first, ...queued]);
    expect(order).toEqual(['list page 2', 'key list page 2', 'window 1', 'window 2']);
  });
});

describe('Limiter pacing', () => {
  it('spaces request starts after a 429 at half the refused rate, and relaxes on success', async () => {
    // Timers of their own: a busy machine must not change the measured rates.
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = new Limiter({ max: 6 });
      const startTimes: number[] = [];
      const run = () => limiter.run(async () => void startTimes.push(Date.now()));
      await Promise.all(Array.from({ length: 8 }, run));
      // 8 starts within the last 2 s were refused: 4 per second is the refused rate, so 2 per second from now on.
      limiter.onRateLimit(0);
      expect(limiter.pacingMs).toBe(500);
      startTimes.length = 0;
      const paced = Promise.all(Array.from({ length: 3 }, run));
      await jest.advanceTimersByTimeAsync(2000);
      await paced;
      expect(startTimes).toEqual([0, 500, 1000]);
      limiter.onSuccess();
      expect(limiter.pacingMs).toBeLessThan(500);
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets as many requests as the API accepted in a row start at once after a quiet spell', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = new Limiter({ max: 4 });
      const burst = async (n: number, refuseLast = false) => {
        const startTimes: number[] = [];
        const run = (i: number) =>
          limiter.run(async () => {
            startTimes.push(Date.now());
            if (refuseLast && i === n - 1) {
              limiter.onRateLimit(0);
            }
          });
        const all = Promise.all(Array.from({ length: n }, (_, i) => run(i)));
        // Only as long as the paced starts need: a longer wait would be a quiet spell of its own.
        while (startTimes.length < n) {
          await jest.advanceTimersByTimeAsync(1);
        }
        await all;
        return startTimes.slice(1).map((t, i) => t - startTimes[i]);
      };
      // 40 accepted, the 41st refused: 20.5 per second was too many, so about 10 per second from now on.
      await burst(41, true);
      expect(Math.round(limiter.pacingMs)).toBe(98);
      // Paced at the learned interval (timers count whole milliseconds).
      expect((await burst(3)).every((gap) => gap >= 95)).toBe(true);
      // After a quiet spell the allowance has refilled: a few requests start together again.
      await jest.advanceTimersByTimeAsync(600);
      expect(await burst(4)).toEqual([0, 0, 0]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives the whole budget back once the allowance it saw has had time to refill', async () => {
    let t = 0;
    const limiter = new Limiter({ max: 4, now: () => t });
    await Promise.all(
      Array.from({ length: 41 }, (_, i) => limiter.run(async () => void (i === 40 && limiter.onRateLimit(0))))
    );
    expect(limiter.concurrency).toBe(2);
    // 40 accepted at about 10 per second refill in about 4 s.
    t += 3000;
    await limiter.run(async () => {});
    expect(limiter.concurrency).toBe(2);
    t += 4000;
    await limiter.run(async () => {});
    expect(limiter.concurrency).toBe(4);
  });
});
