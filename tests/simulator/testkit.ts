/** Helpers for tests that talk to the simulator over real HTTP. */
import fs from 'node:fs';
import path from 'node:path';

import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

import type { Simulator } from './server';

export const FULL_KEY = 'sk-admin-sim-full';
/** Frozen clock for tests: 2025-11-23T12:13:20Z (a Sunday). */
export const NOW = 1763900000;
export const DAY = 86400;
export const TODAY = Math.floor(NOW / DAY) * DAY;

export type Params = Record<string, string | number | boolean | Array<string | number | boolean> | undefined>;

/** Encodes arrays in the official SDKs' bracket form (`key[]=a&key[]=b`), percent-encoded like they do. */
export function queryString(params: Params, arrays: 'brackets' | 'repeat' = 'brackets'): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) {
      continue;
    }
    if (Array.isArray(v)) {
      for (const item of v) {
        sp.append(arrays === 'brackets' ? `${k}[]` : k, String(item));
      }
    } else {
      sp.append(k, String(v));
    }
  }
  return sp.toString();
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(
  sim: Simulator,
  apiPath: string,
  params: Params = {},
  opts: {
    key?: string | null;
    headers?: Record<string, string>;
    method?: string;
    arrays?: 'brackets' | 'repeat';
    signal?: AbortSignal;
  } = {}
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? FULL_KEY : opts.key;
  if (key !== null) {
    headers.Authorization = `Bearer ${key}`;
  }
  const qs = queryString(params, opts.arrays);
  const res = await fetch(`${sim.url}${apiPath}${qs ? `?${qs}` : ''}`, {
    method: opts.method ?? 'GET',
    headers,
    signal: opts.signal,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Left as text: some tests expect malformed bodies.
  }
  return { status: res.status, headers: res.headers, body };
}

/** Follows next_page until the last page and returns every bucket. */
export async function allBuckets(sim: Simulator, apiPath: string, params: Params): Promise<any[]> {
  const buckets: any[] = [];
  let page: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const res = await api(sim, apiPath, { ...params, page });
    if (res.status !== 200) {
      throw new Error(`${apiPath}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    buckets.push(...res.body.data);
    if (!res.body.has_more) {
      return buckets;
    }
    page = res.body.next_page;
  }
  throw new Error('pagination did not end');
}

export function sumField(buckets: any[], field: string): number {
  let sum = 0;
  for (const b of buckets) {
    for (const r of b.results) {
      sum += field === 'amount' ? Number(r.amount.value) : (r[field] ?? 0);
    }
  }
  return sum;
}

const FIXTURES = path.resolve(__dirname, '../fixtures/openai');

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

/** Validators for the component schemas of OpenAI's published spec excerpt. */
export function loadSchemas(): (name: string) => ValidateFunction {
  const doc = yaml.load(fs.readFileSync(fixturePath('openai-openapi-admin-excerpt.yaml'), 'utf8')) as {
    components: unknown;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // OpenAI's own format name for Unix timestamps; the type (integer) is what matters.
  ajv.addFormat('unixtime', true);
  ajv.addSchema({ $id: 'openai-admin', components: doc.components });
  const cache = new Map<string, ValidateFunction>();
  return (name: string) => {
    let v = cache.get(name);
    if (!v) {
      v = ajv.getSchema(`openai-admin#/components/schemas/${name}`);
      if (!v) {
        throw new Error(`no schema ${name}`);
      }
      cache.set(name, v);
    }
    return v;
  };
}
