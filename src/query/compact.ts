/**
 * Settled buckets held compactly. A large organization's window has hundreds of thousands of results, each a
 * JavaScript object of a dozen fields; kept as they are, a few windows fill the cache. Kept here, each field is one
 * column over every result of the window: counts in a typed array, dimension values (IDs, models, flags) as indexes
 * into a table of the distinct values, a field with one value throughout as that value. Expanding gives results
 * that every reader (frames, insights, pickers) reads exactly as the API's own.
 */
import { UsageBucket, UsageResult } from '../api/types';

type Dim = string | boolean | null | undefined;

type Column =
  /** The same value in every result (a dimension not grouped by is null throughout). */
  | { kind: 'same'; field: string; value: Dim | number }
  /** Numbers; NaN marks a result without the field. */
  | { kind: 'number'; field: string; values: Float64Array | Uint32Array | Uint16Array | Uint8Array }
  /** Text and flags, as indexes into the distinct values. */
  | { kind: 'dim'; field: string; table: Dim[]; index: Uint8Array | Uint16Array | Uint32Array }
  /** An amount `{ value, currency }`; the value read as a number, as every reader reads it. */
  | { kind: 'money'; field: string; values: Float64Array; currency: Column }
  /** Anything else, as it came. */
  | { kind: 'raw'; field: string; values: unknown[] };

export interface CompactBuckets {
  starts: Float64Array;
  ends: Float64Array;
  /** Results of bucket i are rows offsets[i] to offsets[i + 1]. */
  offsets: Uint32Array;
  columns: Column[];
  /** Estimated heap size. */
  bytes: number;
}

/** V8's cost of an object or typed array beside its contents, and of a table slot. */
const OBJECT_BYTES = 64;
const SLOT_BYTES = 8;

export function compactBuckets(buckets: UsageBucket[]): CompactBuckets {
  // Buckets still held as columns (a kept window joined with newer buckets) are read as columns, not as objects.
  const parts = buckets.map((b) => compactRows(b) ?? b.results);
  const offsets = new Uint32Array(buckets.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + (Array.isArray(p) ? p.length : p.to - p.from)));
  const total = offsets[buckets.length];
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    if (Array.isArray(p)) {
      for (const r of p) {
        for (const f in r) {
          if (!seen.has(f)) {
            seen.add(f);
            fields.push(f);
          }
        }
      }
    } else {
      for (const col of p.c.columns) {
        if (!seen.has(col.field)) {
          seen.add(col.field);
          fields.push(col.field);
        }
      }
    }
  }
  let columns: Column[];
  if (parts.every((p) => Array.isArray(p))) {
    // Parsed results (the usual case): each field read straight from them, one pass to tell its kind, one to store it.
    const rows = (parts as UsageResult[][]).flat();
    columns = fields.map((f) => column(f, total, (i) => rows[i][f]));
  } else {
    columns = fields.map((f) => {
      const values = new Array<unknown>(total);
      parts.forEach((p, i) => {
        const at = offsets[i];
        if (Array.isArray(p)) {
          p.forEach((r, k) => (values[at + k] = r[f]));
        } else {
          const col = p.c.columns.find((x) => x.field === f);
          for (let row = p.from; row < p.to; row++) {
            values[at + row - p.from] = col ? read(col, row) : undefined;
          }
        }
      });
      return column(f, total, (i) => values[i]);
    });
  }
  const starts = Float64Array.from(buckets, (b) => b.start_time);
  const ends = Float64Array.from(buckets, (b) => b.end_time);
  const bytes =
    OBJECT_BYTES * 4 +
    starts.byteLength +
    ends.byteLength +
    offsets.byteLength +
    columns.reduce((a, c) => a + sizeOf(c), 0);
  return { starts, ends, offsets, columns, bytes };
}

/**
 * The buckets as the API gave them. A bucket's result objects are built when its `results` are first read; until
 * then readers that can (frames, see compactRows) read the columns, so a large window costs no object per result.
 */
export function expandBuckets(c: CompactBuckets): UsageBucket[] {
  const buckets: UsageBucket[] = [];
  for (let i = 0; i < c.starts.length; i++) {
    const b = { object: 'bucket', start_time: c.starts[i], end_time: c.ends[i] } as UsageBucket;
    readFromColumns(b, c, i);
    buckets.push(b);
  }
  return buckets;
}

/** Bucket i of the window: its results built from the columns when first read. */
function readFromColumns(b: UsageBucket, c: CompactBuckets, i: number) {
  const rows: CompactRows = { c, from: c.offsets[i], to: c.offsets[i + 1] };
  let results: UsageResult[] | undefined;
  Object.defineProperty(b, 'results', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!results) {
        results = expandRows(rows);
        unread.delete(b);
      }
      return results;
    },
    set: (value: UsageResult[]) => {
      results = value;
      unread.delete(b);
    },
  });
  unread.set(b, rows);
}

/**
 * Results from which a window's parsed objects are let go once it is compacted: thousands of result objects take
 * megabytes, their columns a tenth of that.
 */
export const RELEASE_RESULTS = 5000;

/**
 * A settled window compacted for the cache. Readers still holding a large window's buckets (a panel waiting for its
 * other windows) then read them from the columns too, so the parsed objects can be collected; a smaller window's
 * readers keep its objects, which they read faster than columns they would have to expand.
 */
export function settleBuckets(buckets: UsageBucket[]): CompactBuckets {
  const c = compactBuckets(buckets);
  if (c.offsets[buckets.length] >= RELEASE_RESULTS) {
    buckets.forEach((b, i) => readFromColumns(b, c, i));
  }
  return c;
}

/**
 * A settled window as the cache holds it: its parsed buckets while their first readers build their answers, then its
 * columns, which take a fraction of the memory.
 */
export type KeptBuckets = UsageBucket[] | CompactBuckets;

/** The buckets of a kept window, in a new array. */
export function keptBuckets(kept: KeptBuckets): UsageBucket[] {
  return Array.isArray(kept) ? kept.slice() : expandBuckets(kept);
}

/** Rows [from, to) of a window's columns. */
export interface CompactRows {
  c: CompactBuckets;
  from: number;
  to: number;
}

/** Buckets of expandBuckets whose result objects are not built yet, and where their rows are. */
const unread = new WeakMap<UsageBucket, CompactRows>();

/** Where a bucket's results are still columns only; undefined once they are objects (or if they always were). */
export function compactRows(b: UsageBucket): CompactRows | undefined {
  return unread.get(b);
}

function expandRows({ c, from, to }: CompactRows): UsageResult[] {
  const results: UsageResult[] = [];
  for (let row = from; row < to; row++) {
    const r: Record<string, unknown> = {};
    for (const col of c.columns) {
      const v = read(col, row);
      if (v !== undefined) {
        r[col.field] = v;
      }
    }
    results.push(r as UsageResult);
  }
  return results;
}

/**
 * A field of a window as its readers need it, without an object per result: text, flags and nothing as indexes into
 * their distinct values (no index: every row holds the one value), numbers and amounts as read (NaN: none), or
 * undefined when the field holds anything else.
 */
export type ColumnView =
  | { kind: 'values'; table: unknown[]; index?: ArrayLike<number> }
  | { kind: 'numbers'; values: ArrayLike<number> }
  | { kind: 'amounts'; values: Float64Array };

export function columnView(c: CompactBuckets, field: string): ColumnView | undefined {
  const col = c.columns.find((x) => x.field === field);
  if (!col) {
    return { kind: 'values', table: [undefined] };
  }
  switch (col.kind) {
    case 'same':
      return { kind: 'values', table: [col.value] };
    case 'dim':
      return { kind: 'values', table: col.table, index: col.index };
    case 'number':
      return { kind: 'numbers', values: col.values };
    case 'money':
      return { kind: 'amounts', values: col.values };
    case 'raw':
      return undefined;
  }
}

/**
 * The currencies an amount field names in rows [from, to), read from its columns without an object per result
 * (`undefined` for a row that names none); undefined when the field is not kept as amounts.
 */
export function currenciesIn({ c, from, to }: CompactRows, field: string): unknown[] | undefined {
  const col = c.columns.find((x) => x.field === field);
  if (!col) {
    return [];
  }
  if (col.kind !== 'money') {
    return undefined;
  }
  const currency = col.currency;
  switch (currency.kind) {
    case 'same':
      return from < to ? [currency.value] : [];
    case 'dim': {
      const seen = new Set<number>();
      for (let row = from; row < to; row++) {
        seen.add(currency.index[row]);
      }
      return [...seen].map((i) => currency.table[i]);
    }
    default:
      return undefined;
  }
}

function read(col: Column, row: number): unknown {
  switch (col.kind) {
    case 'same':
      return col.value;
    case 'number': {
      const v = col.values[row];
      return Number.isNaN(v) ? null : v;
    }
    case 'dim':
      return col.table[col.index[row]];
    case 'money': {
      const currency = read(col.currency, row);
      return currency === undefined ? { value: col.values[row] } : { value: col.values[row], currency };
    }
    case 'raw':
      return col.values[row];
  }
}

const isDim = (v: unknown): v is Dim =>
  v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean';
const isAbsent = (v: unknown) => v === undefined || v === null;

/** A money value as the readers take it: a number, or a decimal string that reads as one. */
function moneyNumber(v: unknown): number | undefined {
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
    return Number(v);
  }
  return undefined;
}

function isMoney(v: unknown): v is { value: unknown; currency?: Dim } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (k !== 'value' && k !== 'currency') {
      return false;
    }
  }
  return moneyNumber(o.value) !== undefined && isDim(o.currency);
}

/** The `n` values `at` gives, as a column. */
function column(field: string, n: number, at: (i: number) => unknown): Column {
  // One pass tells text from numbers, one value throughout, and the narrowest array for whole counts.
  const first = at(0);
  let dims = true;
  let numbers = true;
  let same = true;
  let whole = true;
  let max = 0;
  for (let i = 0; i < n && (dims || numbers); i++) {
    const v = at(i);
    same = same && v === first;
    if (typeof v === 'number') {
      dims = false;
      if (whole && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) {
        max = v > max ? v : max;
      } else {
        whole = false;
      }
    } else if (isAbsent(v)) {
      whole = false;
    } else {
      numbers = false;
      dims = dims && isDim(v);
    }
  }
  if (dims || (numbers && same)) {
    return same ? { kind: 'same', field, value: first as Dim | number } : dimColumn(field, n, at);
  }
  if (numbers) {
    // Whole counts in the narrowest array that holds them all; anything else (or a result without one) as doubles.
    const out = new (!whole ? Float64Array : max <= 0xff ? Uint8Array : max <= 0xffff ? Uint16Array : Uint32Array)(n);
    for (let i = 0; i < n; i++) {
      const v = at(i);
      out[i] = isAbsent(v) ? NaN : (v as number);
    }
    return { kind: 'number', field, values: out };
  }
  let money = true;
  for (let i = 0; i < n && money; i++) {
    money = isMoney(at(i));
  }
  if (money) {
    const amount = (i: number) => at(i) as { value: unknown; currency?: Dim };
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = moneyNumber(amount(i).value)!;
    }
    return { kind: 'money', field, values, currency: column(field, n, (i) => amount(i).currency) };
  }
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    values[i] = at(i);
  }
  return { kind: 'raw', field, values };
}

function dimColumn(field: string, n: number, at: (i: number) => unknown): Column {
  const ids = new Map<Dim, number>();
  const table: Dim[] = [];
  const index = new Uint32Array(n);
  // Neighbouring results often hold the same value: no lookup for those.
  let last: Dim = undefined;
  let lastId = -1;
  for (let i = 0; i < n; i++) {
    const v = at(i) as Dim;
    if (v !== last || lastId < 0) {
      let id = ids.get(v);
      if (id === undefined) {
        id = table.length;
        ids.set(v, id);
        table.push(v);
      }
      last = v;
      lastId = id;
    }
    index[i] = lastId;
  }
  // Indexes sized to the distinct values, not to the rows.
  const narrow =
    table.length <= 0x100 ? Uint8Array.from(index) : table.length <= 0x10000 ? Uint16Array.from(index) : index;
  return { kind: 'dim', field, table, index: narrow };
}

/** Estimated heap bytes of a column: typed arrays by their length, text by its characters (two bytes each at most). */
function sizeOf(c: Column): number {
  switch (c.kind) {
    case 'same':
      return OBJECT_BYTES + textBytes(c.value);
    case 'number':
      return OBJECT_BYTES * 2 + c.values.byteLength;
    case 'dim':
      return OBJECT_BYTES * 3 + c.index.byteLength + c.table.reduce<number>((a, v) => a + SLOT_BYTES + textBytes(v), 0);
    case 'money':
      return OBJECT_BYTES * 2 + c.values.byteLength + sizeOf(c.currency);
    case 'raw':
      return OBJECT_BYTES + c.values.reduce<number>((a, v) => a + SLOT_BYTES + 2 * (JSON.stringify(v) ?? '').length, 0);
  }
}

function textBytes(v: unknown): number {
  return typeof v === 'string' ? OBJECT_BYTES / 4 + 2 * v.length : 0;
}
