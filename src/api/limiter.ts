/**
 * One concurrency budget shared by every query of a data source. It adapts the way TCP does (AIMD): each
 * success widens it a little, each 429 halves it, and a `Retry-After` pauses every sender, not only the
 * request that was refused, so a dashboard backs off as a whole instead of hammering the API.
 */
export interface LimiterOptions {
  /** Concurrent requests at the start and at most. */
  max?: number;
  min?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_CONCURRENCY = 6;

export class Limiter {
  private limit: number;
  private readonly max: number;
  private readonly min: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private pausedUntil = 0;
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

  /** Runs `task` when the budget allows. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.waitForPause();
      return await task();
    } finally {
      this.release();
    }
  }

  onSuccess() {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    this.drain();
  }

  /** A 429: halve the budget and pause everyone for `retryAfterSeconds`. */
  onRateLimit(retryAfterSeconds: number) {
    this.limit = Math.max(this.min, this.limit / 2);
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterSeconds * 1000);
  }

  private async waitForPause() {
    for (let wait = this.pausedUntil - this.now(); wait > 0; wait = this.pausedUntil - this.now()) {
      await this.sleep(wait);
    }
  }

  private acquire(): Promise<void> {
    if (this.active < Math.floor(this.limit)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release() {
    this.active--;
    this.drain();
  }

  private drain() {
    while (this.waiting.length > 0 && this.active < Math.floor(this.limit)) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
