/**
 * One concurrency budget shared by every query of a data source. It adapts the way TCP does (AIMD): each
 * success widens it a little, each 429 halves it, and a `Retry-After` pauses every sender, not only the
 * request that was refused, so a dashboard backs off as a whole instead of hammering the API.
 * Concurrency alone does not bound the rate when answers are fast, so a 429 also paces request starts at
 * half the rate that was just refused; successes relax the pacing again, slowly. The pacing is a token bucket
 * (GCRA): under load starts are spaced evenly, and a quiet spell earns back as many starts at once as the API
 * let through before it first refused, since its own allowance refills while nothing is sent; once that
 * allowance has had time to refill, the whole concurrency budget is back too.
 * A 429 can also come for reasons unrelated to the rate. So pacing is on probation: each refusal earns it at
 * most the time a one-at-a-time client would lose waiting out that refusal's Retry-After; once its waits have
 * cost that much without another refusal, it stops until the next one. Sporadic refusals then cost about twice
 * their Retry-After, and a real limit keeps refusing, which keeps its pacing.
 */
export interface LimiterOptions {
  /** Concurrent requests at the start and at most. */
  max?: number;
  min?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_CONCURRENCY = 6;
/** Window over which the refused start rate is measured. */
const RATE_WINDOW_MS = 2000;
const MAX_INTERVAL_MS = 10_000;
const EPOCH_MS = 1000;

export class Limiter {
  private limit: number;
  private readonly max: number;
  private readonly min: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** How many of the first `waiting` are steps of a chain (see run). */
  private chainedWaiting = 0;
  private pausedUntil = 0;
  /** Least time between two request starts; 0 until the API first says 429. */
  private intervalMs = 0;
  /** When the next start is due if starts were evenly spaced (GCRA's theoretical arrival time). */
  private nextStart = 0;
  private lastReduction = -Infinity;
  /** Starts the API accepted in a row before refusing: how many may go at once after a quiet spell. */
  private burst = 1;
  private lastStart = -Infinity;
  private readonly starts: number[] = [];
  /** Wall-clock time pacing may still cost before it stops: earned by refusals, spent by waits for a slot. */
  private pacingCreditMs = 0;
  /** End of the waits already charged, so overlapping waits are charged once. */
  private chargedUntil = -Infinity;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: LimiterOptions = {}) {
    this.max = options.max ?? DEFAULT_CONCURRENCY;
    this.min = options.min ?? 1;
    this.limit = this.max;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Current budget, for tests and the benchmark. */
  get concurrency(): number {
    return Math.floor(this.limit);
  }

  /**
   * Runs `task` when the budget allows. A `chained` task is a step of a sequential chain (a list's pages) that
   * others wait on: it takes the next free slot ahead of independent requests, which can run side by side.
   */
  async run<T>(task: () => Promise<T>, chained = false): Promise<T> {
    await this.acquire(chained);
    try {
      await this.waitForTurn();
      return await task();
    } finally {
      this.release();
    }
  }

  /** Least time between request starts, for tests and the benchmark. */
  get pacingMs(): number {
    return this.intervalMs;
  }

  onSuccess() {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    this.intervalMs = this.intervalMs < 1 ? 0 : this.intervalMs * 0.97;
    this.drain();
  }

  /** A 429: halve the budget and the start rate, and pause everyone for `retryAfterSeconds`. */
  onRateLimit(retryAfterSeconds: number) {
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterSeconds * 1000);
    this.pacingCreditMs += Math.max(retryAfterSeconds * 1000, EPOCH_MS);
    // The requests in flight when the limit was hit are refused together: that is one signal, not several.
    if (now - this.lastReduction >= Math.max(EPOCH_MS, retryAfterSeconds * 1000)) {
      this.lastReduction = now;
      this.limit = Math.max(this.min, this.limit / 2);
      const recent = this.starts.filter((t) => t > now - RATE_WINDOW_MS).length;
      // The requests still in flight were most likely refused together with this one.
      this.burst = Math.max(this.burst, recent - this.active);
      const refusedRate = Math.max(recent, 1) / (RATE_WINDOW_MS / 1000);
      this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(this.intervalMs * 2, 2000 / refusedRate));
    }
    // No credit for the pause after a refusal: starts after it are spaced from the first on.
    this.nextStart = Math.max(this.nextStart, this.pausedUntil + this.burstMs());
  }

  /** How far ahead of the even spacing starts may run after a quiet spell. */
  private burstMs(): number {
    return (this.burst - 1) * this.intervalMs;
  }

  private async waitForTurn() {
    for (;;) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      // Reserve the next start slot before sleeping, so waiters queue up instead of starting together.
      let slot = Math.max(now, this.nextStart - this.burstMs());
      if (slot > now && !this.chargePacing(now, slot)) {
        slot = now;
      }
      this.nextStart = Math.max(this.nextStart, slot) + this.intervalMs;
      if (slot > now) {
        await this.sleep(slot - now);
      }
      if (this.pausedUntil <= this.now()) {
        break;
      }
    }
    const started = this.now();
    this.starts.push(started);
    this.lastStart = started;
    while (this.starts.length > 0 && this.starts[0] <= started - RATE_WINDOW_MS) {
      this.starts.shift();
    }
  }

  /** Charges a wait for a start slot to the pacing credit; with the credit spent, pacing stops (false). */
  private chargePacing(now: number, slot: number): boolean {
    const cost = Math.max(0, slot - Math.max(now, this.chargedUntil));
    if (cost > this.pacingCreditMs) {
      this.intervalMs = 0;
      this.nextStart = now;
      this.pacingCreditMs = 0;
      return false;
    }
    this.pacingCreditMs -= cost;
    this.chargedUntil = Math.max(this.chargedUntil, slot);
    return true;
  }

  private acquire(chained: boolean): Promise<void> {
    if (this.active === 0 && this.intervalMs > 0 && this.now() - this.lastStart >= this.burst * this.intervalMs) {
      // Quiet long enough for the allowance the API showed to refill: the whole budget again.
      this.limit = this.max;
    }
    if (this.active < Math.floor(this.limit)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (chained) {
        // Ahead of independent requests, behind the steps of chains that came first.
        this.waiting.splice(this.chainedWaiting++, 0, resolve);
      } else {
        this.waiting.push(resolve);
      }
    });
  }

  private release() {
    this.active--;
    this.drain();
  }

  private drain() {
    while (this.waiting.length > 0 && this.active < Math.floor(this.limit)) {
      this.active++;
      this.chainedWaiting = Math.max(0, this.chainedWaiting - 1);
      this.waiting.shift()!();
    }
  }
}
