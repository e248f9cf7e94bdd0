/**
 * The one cache of organization lists: per data source, entries kept for a while, in-flight loads shared,
 * failures forgotten at once so the next caller retries. Lists may also be kept in the browser's session
 * storage, so a reload or a re-opened dashboard within their lifetime lists nothing again. The same mechanism keeps
 * the pace the rate limiter learned from 429s (see Limiter).
 */

/** Organization lists change rarely; ten minutes keeps pickers and names quick without hiding changes long. */
export const ORG_TTL_MS = 10 * 60 * 1000;
/** Session storage is about 5 MB per site and shared with Grafana: a data source keeps at most this many characters. */
export const STORED_MAX_CHARS = 1_500_000;

interface Entry {
  /** When the load started (milliseconds of the cache's clock). */
  at: number;
  settled: boolean;
  value: Promise<unknown>;
  /** The loaded value, once settled. */
  result?: unknown;
}

export interface GetOptions {
  /** Reload unless a load is already in flight, e.g. for Save & test, which must see the API as it is now. */
  fresh?: boolean;
}

/** Where settled entries outlive the page: one text per entry key. Every call may fail (quota, privacy mode). */
export interface OrgStore {
  /** The stored entry keys. */
  keys(): string[];
  read(key: string): string | null;
  write(key: string, text: string): void;
  remove(key: string): void;
}

export interface OrgCacheOptions {
  /** Milliseconds, like Date.now; injectable for tests. */
  now?: () => number;
  ttlMs?: number;
  store?: OrgStore;
  /** Which entries go to the store: only lists any viewer of the data source's panels may see. */
  stored?: (key: string) => boolean;
}

export class OrgCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly store?: OrgStore;
  private readonly stored: (key: string) => boolean;
  /** Characters each stored entry takes, to keep under STORED_MAX_CHARS. */
  private readonly sizes = new Map<string, number>();

  constructor(options: OrgCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? ORG_TTL_MS;
    this.store = options.store;
    this.stored = options.stored ?? (() => false);
    this.restore();
  }

  get<T>(key: string, load: () => Promise<T>, options: GetOptions = {}): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && (!hit.settled || (!options.fresh && this.fresh(hit.at)))) {
      return hit.value as Promise<T>;
    }
    const entry: Entry = { at: this.now(), settled: false, value: load() };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        entry.settled = true;
        entry.result = value;
        if (this.entries.get(key) === entry) {
          this.keep(key, entry.at, value);
        }
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

  /** Keeps a value its owner already has, as if loaded at `at` (default now). */
  set(key: string, value: unknown, at = this.now()) {
    this.entries.set(key, { at, settled: true, value: Promise.resolve(value), result: value });
    this.keep(key, at, value);
  }

  /** A loaded value still within its lifetime, without loading anything. */
  peek<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit?.settled && this.fresh(hit.at) ? (hit.result as T) : undefined;
  }

  clear() {
    this.entries.clear();
    for (const key of [...this.sizes.keys()]) {
      this.drop(key);
    }
  }

  private fresh(at: number): boolean {
    const age = this.now() - at;
    return age >= 0 && age < this.ttlMs;
  }

  /** Settled entries of the store that are still within their lifetime; expired or unreadable ones are removed. */
  private restore() {
    for (const key of attempt(() => this.store!.keys(), [] as string[])) {
      const text = attempt(() => this.store!.read(key), null);
      const stored =
        text === null ? undefined : attempt(() => JSON.parse(text) as { at?: unknown; value?: unknown }, {});
      if (this.stored(key) && stored && typeof stored.at === 'number' && this.fresh(stored.at) && 'value' in stored) {
        this.entries.set(key, {
          at: stored.at,
          settled: true,
          value: Promise.resolve(stored.value),
          result: stored.value,
        });
        this.sizes.set(key, text!.length);
      } else {
        attempt(() => this.store!.remove(key), undefined);
      }
    }
  }

  private keep(key: string, at: number, value: unknown) {
    if (!this.store || !this.stored(key)) {
      return;
    }
    const text = attempt(() => JSON.stringify({ at, value }), '');
    this.drop(key);
    let total = 0;
    this.sizes.forEach((n) => (total += n));
    // A list that does not fit stays in memory only: the rest of the page's storage is not ours to crowd out.
    if (text && total + text.length <= STORED_MAX_CHARS && attempt(() => (this.store!.write(key, text), true), false)) {
      this.sizes.set(key, text.length);
    }
  }

  private drop(key: string) {
    if (this.sizes.delete(key)) {
      attempt(() => this.store!.remove(key), undefined);
    }
  }
}

function attempt<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** The browser's session storage under a prefix (one per data source and organization); none outside a browser. */
export function sessionStore(prefix: string): OrgStore | undefined {
  const storage = attempt(() => globalThis.sessionStorage, undefined);
  if (!storage) {
    return undefined;
  }
  return {
    keys: () => {
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k?.startsWith(prefix)) {
          keys.push(k.slice(prefix.length));
        }
      }
      return keys;
    },
    read: (key) => storage.getItem(prefix + key),
    write: (key, text) => storage.setItem(prefix + key, text),
    remove: (key) => storage.removeItem(prefix + key),
  };
}
