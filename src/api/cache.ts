/**
 * Two layers in front of the API: identical requests in flight are sent once, and answers for windows that
 * have settled (no longer revised by OpenAI) are kept in a memory-bounded LRU. Provisional answers are
 * never kept, so a refresh always shows the latest figures for recent buckets. An answer waiting for its compact
 * form (see keepLater) is counted once it has it, a task later.
 */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/** A value as kept, and its estimated size. */
export interface Settled<T> {
  value: T;
  bytes: number;
}

export class RequestCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly settled = new Map<string, { value: unknown; bytes: number }>();
  /** Values handed to their readers as loaded, waiting for the form they are kept in (see keepLater). */
  private readonly pending = new Map<string, { value: unknown }>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.settled.size, bytes: this.bytes };
  }

  /**
   * Returns the cached or in-flight answer for `key`, or starts `load`. When `keep` says the answer is
   * settled, it is stored with its estimated size.
   */
  get<T>(key: string, load: () => Promise<T>, keep?: (value: T) => number | undefined): Promise<T> {
    if (this.pending.has(key) || this.settled.has(key)) {
      return Promise.resolve(this.peek<T>(key)!);
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending as Promise<T>;
    }
    const promise = load().then(
      (value) => {
        this.inFlight.delete(key);
        const bytes = keep?.(value);
        if (bytes !== undefined) {
          this.put(key, value, bytes);
        }
        return value;
      },
      (error) => {
        this.inFlight.delete(key);
        throw error;
      }
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  /** A kept value, marked as most recently used; in-flight loads are not looked at. */
  peek<T>(key: string): T | undefined {
    const waiting = this.pending.get(key);
    if (waiting) {
      return waiting.value as T;
    }
    const hit = this.settled.get(key);
    if (!hit) {
      return undefined;
    }
    this.settled.delete(key);
    this.settled.set(key, hit);
    return hit.value as T;
  }

  clear() {
    this.settled.clear();
    this.pending.clear();
    this.bytes = 0;
  }

  /** Keeps a settled value of about `bytes`, replacing any under the same key; the least recently used go first. */
  put(key: string, value: unknown, bytes: number) {
    this.remove(key);
    if (bytes > this.maxBytes) {
      return;
    }
    this.settled.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.settled) {
      if (this.bytes <= this.maxBytes) {
        break;
      }
      this.settled.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  /**
   * Keeps `value` under `key` at once, as it is, and a macrotask later in the form `settle` gives with its size:
   * readers waiting on a large answer get it without waiting for its compact form too. Until then, readers get
   * `value` itself. A newer value under the key replaces it; if `settle` fails, nothing is kept (the next reader
   * loads the value again).
   */
  keepLater<T>(key: string, value: T, settle: (value: T) => Settled<unknown>) {
    this.remove(key);
    const entry = { value };
    this.pending.set(key, entry);
    setTimeout(() => {
      if (this.pending.get(key) !== entry) {
        return;
      }
      this.pending.delete(key);
      let kept: Settled<unknown>;
      try {
        kept = settle(value);
      } catch {
        return;
      }
      this.put(key, kept.value, kept.bytes);
    }, 0);
  }

  private remove(key: string) {
    this.pending.delete(key);
    const old = this.settled.get(key);
    if (old) {
      this.settled.delete(key);
      this.bytes -= old.bytes;
    }
  }
}
