/**
 * Two layers in front of the API: identical requests in flight are sent once, and answers for windows that
 * have settled (no longer revised by OpenAI) are kept in a memory-bounded LRU. Provisional answers are
 * never kept, so a refresh always shows the latest figures for recent buckets.
 */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

export class RequestCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly settled = new Map<string, { value: unknown; bytes: number }>();
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
    if (this.settled.has(key)) {
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
    this.bytes = 0;
  }

  /** Keeps a settled value of about `bytes`, replacing any under the same key; the least recently used go first. */
  put(key: string, value: unknown, bytes: number) {
    const old = this.settled.get(key);
    if (old) {
      this.settled.delete(key);
      this.bytes -= old.bytes;
    }
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
}
