/**
 * The one cache of organization lists: per data source, entries kept for a while, in-flight loads shared,
 * failures forgotten at once so the next caller retries.
 */

/** Organization lists change rarely; ten minutes keeps pickers and names quick without hiding changes long. */
export const ORG_TTL_MS = 10 * 60 * 1000;

interface Entry {
  /** When the load started (milliseconds of the cache's clock). */
  at: number;
  settled: boolean;
  value: Promise<unknown>;
}

export interface GetOptions {
  /** Reload unless a load is already in flight, e.g. for Save & test, which must see the API as it is now. */
  fresh?: boolean;
}

export class OrgCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Milliseconds, like Date.now; injectable for tests. */
    private readonly now: () => number = Date.now,
    private readonly ttlMs = ORG_TTL_MS
  ) {}

  get<T>(key: string, load: () => Promise<T>, options: GetOptions = {}): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && (!hit.settled || (!options.fresh && this.now() - hit.at < this.ttlMs))) {
      return hit.value as Promise<T>;
    }
    const entry: Entry = { at: this.now(), settled: false, value: load() };
    this.entries.set(key, entry);
    entry.value.then(
      () => {
        entry.settled = true;
      },
      () => {
        // A newer load may have taken the slot meanwhile; only this failure is forgotten.
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
        }
      }
    );
    return entry.value as Promise<T>;
  }

  clear() {
    this.entries.clear();
  }
}
