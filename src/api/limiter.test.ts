/** The shared limiter: its budget, the order of waiting requests, pacing learned from 429s, the pace kept. */
import { sessionStore } from '../org/cache';
import { Limiter, PACE_TTL_MS } from './limiter';

/** Runs `test` on fake timers from 0: a busy machine must not change the times measured. */
async function onFakeTimers(test: () => Promise<void>) {
  jest.useFakeTimers({ now: 0 });
  try {
    await test();
  } finally {
    jest.useRealTimers();
  }
}

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
    await onFakeTimers(async () => {
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
    });
  });

  it('lets as many requests as the API accepted in a row start at once after a quiet spell', async () => {
    await onFakeTimers(async () => {
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
    });
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

describe('Limiter chains', () => {
  it('gives a waiting step of the list that has read more pages the next slot, before lists that have read fewer', async () => {
    const limiter = new Limiter({ max: 1 });
    const order: string[] = [];
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const queued = (
      [
        ['window', undefined],
        ['projects page 1', 0],
        ['users page 4', 3],
        ['keys page 4', 3],
        ['keys page 2', 1],
      ] as const
    ).map(([name, step]) => limiter.run(async () => void order.push(name), step));
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all([first, ...queued]);
    expect(order).toEqual(['users page 4', 'keys page 4', 'keys page 2', 'projects page 1', 'window']);
  });

  it("keeps a list's slot for its next page, which is asked for once the answer is read", async () => {
    const limiter = new Limiter({ max: 1 });
    const order: string[] = [];
    const list = (async () => {
      for (let page = 0; page < 3; page++) {
        const answer = await limiter.run(async () => `page ${page + 1}`, page);
        order.push(answer);
      }
    })();
    // Queued while the first page is in flight: it gets the slot only once the list has no next page.
    const window = limiter.run(async () => void order.push('window'));
    await Promise.all([list, window]);
    expect(order).toEqual(['page 1', 'page 2', 'page 3', 'window']);
  });

  it("gives up a list's slot when a 429 has cut the budget below the requests running", async () => {
    const limiter = new Limiter({ max: 2 });
    const order: string[] = [];
    let finish!: () => void;
    const window = limiter.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const list = (async () => {
      for (let page = 0; page < 2; page++) {
        await limiter.run(async () => {
          order.push(`page ${page + 1}`);
          if (page === 0) {
            limiter.onRateLimit(0);
          }
        }, page);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The budget is 1 now, and the window holds it.
    expect([limiter.concurrency, order]).toEqual([1, ['page 1']]);
    order.push('window done');
    finish();
    await Promise.all([window, list]);
    expect(order).toEqual(['page 1', 'window done', 'page 2']);
  });
});

describe('Limiter: a burst of 429s', () => {
  it('pauses the others once, from the first refusal, for requests that were sent before it came back', async () => {
    await onFakeTimers(async () => {
      const limiter = new Limiter({ max: 6 });
      // Six requests start together; the API refuses them all, their 429s coming back over 50 ms.
      const sent = await Promise.all(Array.from({ length: 6 }, () => limiter.run(async (at) => at)));
      await jest.advanceTimersByTimeAsync(100);
      limiter.onRateLimit(1, sent[0]);
      const interval = limiter.pacingMs;
      for (const at of sent.slice(1)) {
        await jest.advanceTimersByTimeAsync(10);
        limiter.onRateLimit(1, at);
      }
      // One signal: halved once, paced once.
      expect(limiter.concurrency).toBe(3);
      expect(limiter.pacingMs).toBe(interval);
      let started = -1;
      const next = limiter.run(async (at) => void (started = at));
      await jest.advanceTimersByTimeAsync(2000);
      await next;
      // 1 s after the first refusal, not after the last.
      expect(started).toBe(1100);
      // A request sent after that pause and refused again is news: the others wait again.
      limiter.onRateLimit(1, started);
      expect(limiter.concurrency).toBe(1);
    });
  });
});

describe('Limiter: the pace kept across page loads', () => {
  beforeEach(() => sessionStorage.clear());
  const store = () => sessionStore('aiusage-openai-datasource:pace:test:');

  /** 40 requests accepted, the 41st refused: a pace of about 10 per second learned. */
  async function learn(limiter: Limiter) {
    await Promise.all(
      Array.from({ length: 41 }, (_, i) => limiter.run(async () => void (i === 40 && limiter.onRateLimit(1))))
    );
  }

  it('starts a new page at the pace a 429 taught, for PACE_TTL_MS', async () => {
    let t = 0;
    const first = new Limiter({ max: 4, now: () => t, store: store() });
    expect(first.pacingMs).toBe(0);
    await learn(first);
    expect(first.pacingMs).toBeGreaterThan(0);
    t += PACE_TTL_MS - 1;
    const reopened = new Limiter({ max: 4, now: () => t, store: store() });
    expect(reopened.pacingMs).toBe(first.pacingMs);
    // The whole budget: the allowance has had time to refill since.
    expect(reopened.concurrency).toBe(4);
    t += 1;
    expect(new Limiter({ now: () => t, store: store() }).pacingMs).toBe(0);
  });

  it('keeps a pace that has stopped as none', async () => {
    await onFakeTimers(async () => {
      const limiter = new Limiter({ max: 4, store: store() });
      await learn(limiter);
      // Waits for slots spend the probation the refusal earned (its Retry-After, 1 s); then pacing stops.
      for (let i = 0; i < 30 && limiter.pacingMs > 0; i++) {
        const paced = Promise.all(Array.from({ length: 8 }, () => limiter.run(async () => {})));
        await jest.advanceTimersByTimeAsync(2000);
        await paced;
      }
      expect(limiter.pacingMs).toBe(0);
      expect(new Limiter({ store: store() }).pacingMs).toBe(0);
    });
  });

  it('ignores a kept pace it cannot read', () => {
    for (const value of [
      '{',
      '{"at":0}',
      JSON.stringify({ at: Date.now(), value: { intervalMs: 'fast', burst: 2 } }),
      // Numbers no refusal gives: a credit of days, a refusal yet to come.
      JSON.stringify({ at: Date.now(), value: { intervalMs: 500, burst: 2, creditMs: 1e9, refusedAt: Date.now() } }),
      JSON.stringify({
        at: Date.now(),
        value: { intervalMs: 500, burst: 2, creditMs: 1000, refusedAt: Date.now() + 1e6 },
      }),
    ]) {
      sessionStorage.setItem('aiusage-openai-datasource:pace:test:pace', value);
      expect(new Limiter({ store: store() }).pacingMs).toBe(0);
    }
  });
});

describe('Limiter: relaxing the pace', () => {
  it('never starts a request later because earlier ones succeeded', async () => {
    await onFakeTimers(async () => {
      const limiter = new Limiter({ max: 4 });
      // 40 accepted, the 41st refused: about 10 per second from now on, 40 at once after a quiet spell.
      await Promise.all(
        Array.from({ length: 41 }, (_, i) => limiter.run(async () => void (i === 40 && limiter.onRateLimit(0))))
      );
      const interval = limiter.pacingMs;
      const starts: number[] = [];
      const paced = Promise.all(
        Array.from({ length: 6 }, () =>
          limiter.run(async () => void starts.push(Date.now())).then(() => limiter.onSuccess())
        )
      );
      await jest.advanceTimersByTimeAsync(2000);
      await paced;
      const gaps = starts.slice(1).map((t, i) => t - starts[i]);
      expect(gaps.every((gap) => gap <= Math.ceil(interval))).toBe(true);
    });
  });
});

describe('Limiter: the burst learned from a 429', () => {
  it('lets no more start over the span the API was watched than it accepted there', async () => {
    await onFakeTimers(async () => {
      const limiter = new Limiter({ max: 6 });
      // 24 accepted over 1.15 s (a bucket of 20 refilled at 5 per second would do that), then 4 refused together.
      const sent: number[] = [];
      for (let i = 0; i < 28; i++) {
        sent.push(await limiter.run(async (at) => at));
        await jest.advanceTimersByTimeAsync(50);
      }
      for (const at of sent.slice(24)) {
        limiter.onRateLimit(1, at);
      }
      // After a quiet spell, the same span again: at most what the API accepted over it.
      await jest.advanceTimersByTimeAsync(60_000);
      const starts: number[] = [];
      const again = Promise.all(Array.from({ length: 40 }, () => limiter.run(async (at) => void starts.push(at))));
      await jest.advanceTimersByTimeAsync(10_000);
      await again;
      const t0 = starts[0];
      expect(starts.filter((t) => t - t0 <= sent[23] - sent[0]).length).toBeLessThanOrEqual(24);
    });
  });
});
