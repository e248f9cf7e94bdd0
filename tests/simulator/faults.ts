/** Injectable misbehaviour: latency, rate limiting, failures, hangs and malformed bodies. */

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
