/**
 * Injectable misbehaviour: latency, rate limiting, failures, hangs, malformed bodies and answers that are valid JSON
 * but wrong (buckets outside the request, errors with status 200, page cursors that go round in a circle).
 * Without a fault the simulator answers as strictly as the real API.
 */

export interface Faults {
  /** Added to every API response. */
  latencyMs: number;
  jitterMs: number;
  /** Token bucket over all API requests; when empty the request gets 429 with Retry-After. */
  rateLimit: { capacity: number; refillPerSec: number } | null;
  /** The next `count` matching requests answer `status` with an OpenAI error body. */
  failNext: Array<{ status: number; count: number; pathPrefix?: string }>;
  /** The next `count` matching requests never get an answer (until the simulator closes). */
  hangNext: { count: number; pathPrefix?: string } | null;
  /** The next `count` matching requests get 200 with a body that is not valid JSON. */
  malformedNext: { count: number; pathPrefix?: string } | null;
  /** The next `count` matching bucket pages (usage, costs) come back reshaped, see OddBuckets. */
  oddBucketsNext: { count: number; pathPrefix?: string; shape: OddBuckets } | null;
  /** The next `count` matching requests get 200 with an OpenAI error body, as some gateways pass errors on. */
  okWithErrorNext: { count: number; pathPrefix?: string; message: string; code?: string } | null;
  /** Matching paged answers always say more follows, and their cursors lead back to the first page (A → B → A). */
  cursorCycle: { pathPrefix?: string } | null;
  /** Costs `amount.value` sent as a string such as "0.1234". */
  amountAsString: boolean;
  /** false → audit_logs answers as for an organization without audit logging. */
  auditLogsEnabled: boolean;
}

export function defaultFaults(): Faults {
  return {
    latencyMs: 0,
    jitterMs: 0,
    rateLimit: null,
    failNext: [],
    hangNext: null,
    malformedNext: null,
    oddBucketsNext: null,
    okWithErrorNext: null,
    cursorCycle: null,
    amountAsString: false,
    auditLogsEnabled: true,
  };
}

export function cloneFaults(f: Faults): Faults {
  return {
    ...f,
    rateLimit: f.rateLimit ? { ...f.rateLimit } : null,
    failNext: f.failNext.map((x) => ({ ...x })),
    hangNext: f.hangNext ? { ...f.hangNext } : null,
    malformedNext: f.malformedNext ? { ...f.malformedNext } : null,
    oddBucketsNext: f.oddBucketsNext ? { ...f.oddBucketsNext } : null,
    okWithErrorNext: f.okWithErrorNext ? { ...f.okWithErrorNext } : null,
    cursorCycle: f.cursorCycle ? { ...f.cursorCycle } : null,
  };
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSec: number,
    private readonly now: () => number = Date.now
  ) {
    this.tokens = capacity;
    this.last = this.now();
  }

  /** Takes one token; returns 0 when allowed, else the whole seconds (≥ 1) until a token is back. */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSec);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    if (this.refillPerSec <= 0) {
      return 60;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.refillPerSec));
  }
}

/** Consumes one use of a counted fault when the path matches. */
export function consume(fault: { count: number; pathPrefix?: string } | null, path: string): boolean {
  if (!fault || fault.count <= 0 || (fault.pathPrefix && !path.startsWith(fault.pathPrefix))) {
    return false;
  }
  fault.count--;
  return true;
}

const SERVER_ERRORS: Record<number, string> = {
  500: 'The server had an error while processing your request. Sorry about that!',
  502: 'Bad gateway.',
  503: 'The server is overloaded or not ready yet.',
  504: 'Gateway timeout.',
};

export function serverErrorMessage(status: number): string {
  return SERVER_ERRORS[status] ?? 'The server had an error while processing your request. Sorry about that!';
}

/**
 * How a bucket page is reshaped: `minuteBuckets` answers one-minute buckets over the whole request whatever width was
 * asked for; `pastEnd` adds a bucket after end_time; `beforeStart` adds one before start_time; `wideBucket` merges the
 * first two buckets into one twice as wide.
 */
export type OddBuckets = 'minuteBuckets' | 'pastEnd' | 'beforeStart' | 'wideBucket';

interface BucketJson {
  object: string;
  start_time: number;
  end_time: number;
  results: unknown[];
}

const WIDTH_SECONDS: Record<string, number> = { '1m': 60, '1h': 3600, '1d': 86400 };
const MAX_MINUTE_BUCKETS = 100_000;

/** A correct bucket page (`page`), reshaped. */
export function reshapeBuckets(page: { data: BucketJson[] }, rawQuery: string, shape: OddBuckets): unknown {
  const q = new URLSearchParams(rawQuery);
  const width = WIDTH_SECONDS[q.get('bucket_width') ?? '1d'] ?? 86400;
  const start = Number(q.get('start_time'));
  const data = page.data;
  const end = data.length ? data[data.length - 1].end_time : Number(q.get('end_time'));
  const bucket = (s: number, e: number): BucketJson => ({ object: 'bucket', start_time: s, end_time: e, results: [] });
  switch (shape) {
    case 'minuteBuckets': {
      const minutes = Math.min(MAX_MINUTE_BUCKETS, Math.floor((end - start) / 60));
      return { ...page, data: Array.from({ length: minutes }, (_, i) => bucket(start + i * 60, start + (i + 1) * 60)) };
    }
    case 'pastEnd':
      return { ...page, data: [...data, bucket(end, end + width)] };
    case 'beforeStart':
      return { ...page, data: [bucket(start - width, start), ...data] };
    case 'wideBucket':
      return data.length < 2
        ? page
        : {
            ...page,
            data: [
              { ...data[0], end_time: data[1].end_time, results: [...data[0].results, ...data[1].results] },
              ...data.slice(2),
            ],
          };
  }
}

/** The query a cursor cycle answers: the cursor dropped, so every page is built from the first one. */
export function withoutCursor(rawQuery: string): string {
  const q = new URLSearchParams(rawQuery);
  q.delete('page');
  q.delete('after');
  return q.toString();
}

/**
 * A paged answer (built for the first page) made into one step of a cycle: A → B → A. Bucket pages name cursors
 * `cycle-a` and `cycle-b`; lists, whose cursor is the last item's id, alternate between the page and its reverse.
 */
export function cyclePage(first: Record<string, unknown>, rawQuery: string): unknown {
  const q = new URLSearchParams(rawQuery);
  if ('next_page' in first) {
    const page = q.get('page');
    return { ...first, has_more: true, next_page: page === 'cycle-a' ? 'cycle-b' : 'cycle-a' };
  }
  const data = (first.data as Array<{ id: string }>) ?? [];
  const reversed = [...data].reverse();
  const after = q.get('after');
  const second = after !== null && after === data[data.length - 1]?.id;
  const items = second ? reversed : data;
  return {
    ...first,
    data: items,
    has_more: true,
    first_id: items[0]?.id ?? null,
    last_id: items[items.length - 1]?.id ?? null,
  };
}
