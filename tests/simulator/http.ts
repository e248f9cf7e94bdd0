/** Query parsing and OpenAI-shaped errors shared by the simulator's handlers. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return errorBody(this.message, this.type, this.param, this.code);
  }
}

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

/**
 * A parsed query string. Arrays arrive either in the SDKs' bracket form (`a[]=1&a[]=2`, brackets possibly
 * percent-encoded) or as plain repeated keys (`a=1&a=2`); both land in the same list. `x[gte]=1` becomes a
 * nested entry.
 */
export class Query {
  private readonly values = new Map<string, string[]>();
  private readonly nestedValues = new Map<string, Record<string, string>>();

  constructor(raw: string) {
    for (const [key, value] of new URLSearchParams(raw)) {
      const m = /^([^[\]]+)\[([^[\]]*)\]$/.exec(key);
      if (m && m[2] !== '') {
        const entry = this.nestedValues.get(m[1]) ?? {};
        entry[m[2]] = value;
        this.nestedValues.set(m[1], entry);
        continue;
      }
      const name = m ? m[1] : key;
      const list = this.values.get(name) ?? [];
      list.push(value);
      this.values.set(name, list);
    }
  }

  /** Last value of a scalar parameter. */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    return list && list.length ? list[list.length - 1] : undefined;
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name) || this.nestedValues.has(name);
  }

  nested(name: string): Record<string, string> | undefined {
    return this.nestedValues.get(name);
  }
}

export function parseInteger(q: Query, name: string): number | undefined {
  const raw = q.get(name);
  return raw === undefined || raw === '' ? undefined : toInteger(raw, name);
}

export function requireInteger(q: Query, name: string): number {
  const value = parseInteger(q, name);
  if (value === undefined) {
    throw new ApiError(
      400,
      `Missing required parameter: '${name}'.`,
      'invalid_request_error',
      name,
      'missing_required_parameter'
    );
  }
  return value;
}

export function toInteger(raw: string, name: string): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ApiError(
      400,
      `Invalid type for '${name}': expected an integer, but got a string instead.`,
      'invalid_request_error',
      name,
      'invalid_type'
    );
  }
  return Number(raw.trim());
}

export function parseBoolean(q: Query, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === undefined) {
    return undefined;
  }
  if (raw === 'true' || raw === 'false') {
    return raw === 'true';
  }
  throw new ApiError(
    400,
    `Invalid type for '${name}': expected a boolean ('true' or 'false'), but got '${raw}' instead.`,
    'invalid_request_error',
    name,
    'invalid_type'
  );
}

export function invalidValue(name: string, value: string, allowed: readonly string[]): ApiError {
  return new ApiError(
    400,
    `Invalid value for '${name}': '${value}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`,
    'invalid_request_error',
    name,
    'invalid_value'
  );
}

/** `limit` within [1, max], else a 400 that names the maximum. */
export function parseLimit(q: Query, def: number, max: number, context = ''): number {
  const limit = parseInteger(q, 'limit') ?? def;
  if (limit < 1 || limit > max) {
    throw new ApiError(
      400,
      `Invalid value for 'limit': ${limit}. It must be between 1 and ${max}${context}.`,
      'invalid_request_error',
      'limit',
      'invalid_value'
    );
  }
  return limit;
}
