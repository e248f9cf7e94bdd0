/**
 * One concurrency budget shared by every query of a data source. It adapts the way TCP does (AIMD): each
 * success widens it a little, each 429 halves it, and a `Retry-After` pauses every sender, not only the
 * request that was refused, so a dashboard backs off as a whole instead of hammering the API.
 * Concurrency alone does not bound the rate when answers are fast, so a 429 also paces request starts at
 * half the rate that was just refused; successes relax the pacing again, slowly. The pacing is a token bucket
 * (GCRA): under load starts are spaced evenly, and a quiet spell earns back as many starts at once as the API
 * let through before it first refused (less what the pace itself would have let through meanwhile), since its own
 * allowance refills while nothing is sent; once that allowance has had time to refill, the whole concurrency
 * budget is back too.
 * A 429 can also come for reasons unrelated to the rate. So pacing is on probation: each refusal earns it at
 * most the time a one-at-a-time client would lose waiting out that refusal's Retry-After; once its waits have
 * cost that much without another refusal, it stops until the next one. Sporadic refusals then cost about twice
 * their Retry-After, and a real limit keeps refusing, which keeps its pacing.
 * Requests sent before the first refusal of a burst came back were sent blind: their refusals are the same signal,
 * so they neither pause the others again nor halve anything twice; each still waits out its own Retry-After.
 * The pace can be kept for a while (e.g. in the session's storage), so a re-opened dashboard starts paced.
 * Lists are read page by page, and whatever waits on them waits on every page: their pages go ahead of independent
 * requests, and a page's slot is kept for the next one (see run).
 */
import { OrgCache, OrgStore } from '../org/cache';

export interface LimiterOptions {
  /** Concurrent requests at the start and at most. */
  max?: number;
  min?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Where the pace learned from 429s outlives the page; none keeps it in memory only. */
  store?: OrgStore;
}

export const DEFAULT_CONCURRENCY = 6;
/** How long a learned pace is trusted after the refusal that taught it: an organization's limits change rarely. */
export const PACE_TTL_MS = 10 * 60 * 1000;
const PACE = 'pace';
/** More starts at once than any API lets through after a quiet spell: a kept pace beyond is not one. */
const MAX_BURST = 1000;

/** What 429s taught, as kept between page loads. */
interface Pace {
  intervalMs: number;
  burst: number;
  creditMs: number;
  /** When the last refusal came: the pace is trusted for PACE_TTL_MS from then. */
  refusedAt: number;
}

interface Waiter {
  resolve: () => void;
  /** Steps of its chain already answered; undefined for an independent request. */
  step?: number;
}
/** Window over which the refused start rate is measured. */
const RATE_WINDOW_MS = 2000;
const MAX_INTERVAL_MS = 10_000;
const EPOCH_MS = 1000;

export class Limiter {
  private limit: number;
  private readonly max: number;
  private readonly min: number;
  private active = 0;
  /**
   * Slots of chain steps just answered, kept for one turn of the event loop for a chain's next step (a list's next
   * page, or the first page of a list that waits on it), unless a 429 has cut the budget below them.
   */
  private readonly held: Array<{ taken: boolean }> = [];
  /** Steps of chains first (longest-running chain first), then independent requests, each in arrival order. */
  private readonly waiting: Waiter[] = [];
  private pausedUntil = 0;
  /** Least time between two request starts; 0 until the API first says 429. */
  private intervalMs = 0;
  /** When the next start is due if starts were evenly spaced (GCRA's theoretical arrival time). */
  private nextStart = 0;
  private lastReduction = -Infinity;
  private lastRefusal = -Infinity;
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
  private readonly kept?: OrgCache;

  constructor(options: LimiterOptions = {}) {
    this.max = options.max ?? DEFAULT_CONCURRENCY;
    this.min = options.min ?? 1;
    this.limit = this.max;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    if (options.store) {
      this.kept = new OrgCache({ now: this.now, ttlMs: PACE_TTL_MS, store: options.store, stored: (k) => k === PACE });
      this.restorePace(this.kept.peek<unknown>(PACE));
    }
  }

  /** Current budget, for tests and the benchmark. */
  get concurrency(): number {
    return Math.floor(this.limit);
  }

  /**
   * Runs `task` when the budget allows; it is given its start time, for onRateLimit. A task with a `chainStep` is a
   * step of a sequential chain (a list's pages, `chainStep` of them already answered) that others wait on: it takes
   * the next free slot ahead of independent requests, which can run side by side, and the chain that has run
   * longest goes first, as the longest chain so far is the likeliest to be the one everything waits for.
   */
  async run<T>(task: (startedAt: number) => Promise<T>, chainStep?: number): Promise<T> {
    await this.acquire(chainStep);
    try {
      return await task(await this.waitForTurn());
    } finally {
      this.release(chainStep !== undefined);
    }
  }

  /** Least time between request starts, for tests and the benchmark. */
  get pacingMs(): number {
    return this.intervalMs;
  }

  onSuccess() {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    const paced = this.intervalMs > 0;
    const burstMs = this.burstMs();
    this.intervalMs = this.intervalMs < 1 ? 0 : this.intervalMs * 0.97;
    // The next free start stays where it was: a shorter interval must not move it later through a shorter burst.
    this.nextStart += this.burstMs() - burstMs;
    if (paced) {
      this.keepPace();
    }
    this.drain();
  }

  /**
   * A 429 for a request started at `startedAt`: halve the budget and the start rate, and pause everyone for
   * `retryAfterSeconds`, unless the request was sent before an earlier refusal came back. The refused request waits
   * out its own Retry-After in any case (the caller's part).
   */
  onRateLimit(retryAfterSeconds: number, startedAt?: number) {
    const now = this.now();
    this.lastRefusal = now;
    this.pacingCreditMs += Math.max(retryAfterSeconds * 1000, EPOCH_MS);
    // The requests in flight when the limit was hit are refused together: that is one signal, not several.
    const news =
      startedAt === undefined
        ? now - this.lastReduction >= Math.max(EPOCH_MS, retryAfterSeconds * 1000)
        : startedAt > this.lastReduction;
    if (news) {
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterSeconds * 1000);
      this.lastReduction = now;
      this.limit = Math.max(this.min, this.limit / 2);
      const window = this.starts.filter((t) => t > now - RATE_WINDOW_MS);
      const refusedRate = Math.max(window.length, 1) / (RATE_WINDOW_MS / 1000);
      this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(this.intervalMs * 2, 2000 / refusedRate));
      // Accepted: the starts before the refused one (without its start, those not still in flight, most likely refused
      // together with it). Of those, the ones the pace itself lets through over the same span are not part of what
      // may start at once: paced starts on top of such a burst would have been refused sooner.
      const before = startedAt === undefined ? window : window.filter((t) => t < startedAt);
      const accepted = startedAt === undefined ? window.length - this.active : before.length;
      const span = before.length > 0 ? (startedAt ?? now) - before[0] : 0;
      this.burst = Math.max(this.burst, Math.floor(accepted - span / this.intervalMs));
    }
    // No credit for the pause after a refusal: starts after it are spaced from the first on.
    this.nextStart = Math.max(this.nextStart, this.pausedUntil + this.burstMs());
    this.keepPace();
  }

  /** The pace as it is now, kept for PACE_TTL_MS from the last refusal; a stopped pace is kept as none. */
  private keepPace() {
    const pace: Pace = {
      intervalMs: this.intervalMs,
      burst: this.burst,
      creditMs: this.pacingCreditMs,
      refusedAt: this.lastRefusal,
    };
    this.kept?.set(PACE, pace, this.lastRefusal);
  }

  /** A kept pace, if it reads as one: stored text is not trusted. */
  private restorePace(kept: unknown) {
    const p = (kept ?? {}) as Partial<Pace>;
    const ok = (x: unknown, lo: number, hi: number): x is number =>
      typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi;
    if (
      ok(p.intervalMs, 1, MAX_INTERVAL_MS) &&
      ok(p.burst, 1, MAX_BURST) &&
      ok(p.creditMs, 0, PACE_TTL_MS) &&
      ok(p.refusedAt, this.now() - PACE_TTL_MS, this.now())
    ) {
      this.intervalMs = p.intervalMs;
      this.burst = Math.floor(p.burst);
      this.pacingCreditMs = p.creditMs;
      this.lastRefusal = p.refusedAt;
    }
  }

  /** How far ahead of the even spacing starts may run after a quiet spell. */
  private burstMs(): number {
    return (this.burst - 1) * this.intervalMs;
  }

  /** Waits until the request may start, and returns its start time. */
  private async waitForTurn(): Promise<number> {
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
    return started;
  }

  /** Charges a wait for a start slot to the pacing credit; with the credit spent, pacing stops (false). */
  private chargePacing(now: number, slot: number): boolean {
    const cost = Math.max(0, slot - Math.max(now, this.chargedUntil));
    if (cost > this.pacingCreditMs) {
      this.intervalMs = 0;
      this.nextStart = now;
      this.pacingCreditMs = 0;
      this.keepPace();
      return false;
    }
    this.pacingCreditMs -= cost;
    this.chargedUntil = Math.max(this.chargedUntil, slot);
    return true;
  }

  private acquire(step?: number): Promise<void> {
    // Over a budget a 429 has cut, a held slot is given up as it comes free instead of passed on.
    const hold = step === undefined || this.active > Math.floor(this.limit) ? undefined : this.held.shift();
    if (hold) {
      // The slot a chain's previous step just left: independent requests must not slip in between two steps.
      hold.taken = true;
      return Promise.resolve();
    }
    if (this.active === 0 && this.intervalMs > 0 && this.now() - this.lastStart >= this.burst * this.intervalMs) {
      // Quiet long enough for the allowance the API showed to refill: the whole budget again.
      this.limit = this.max;
    }
    if (this.active < Math.floor(this.limit)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Behind the steps of chains that have run as long or longer, ahead of the rest.
      const at = step === undefined ? -1 : this.waiting.findIndex((w) => w.step === undefined || w.step < step);
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { resolve, step });
    });
  }

  private release(chained: boolean) {
    if (!chained) {
      this.active--;
      this.drain();
      return;
    }
    // A chain asks for its next step as soon as it has read this answer, which takes less than a turn of the loop.
    const hold = { taken: false };
    this.held.push(hold);
    void this.sleep(0).then(() => {
      if (!hold.taken) {
        this.held.splice(this.held.indexOf(hold), 1);
        this.active--;
        this.drain();
      }
    });
  }

  private drain() {
    while (this.waiting.length > 0 && this.active < Math.floor(this.limit)) {
      this.active++;
      this.waiting.shift()!.resolve();
    }
  }
}
