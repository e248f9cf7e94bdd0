/** Rows of an organization list become one table frame, each column typed (text, number, time, yes/no). */
import { DataFrame, FieldType, QueryResultMetaNotice, createDataFrame } from '@grafana/data';

export interface Column<T> {
  /** Readable column name, also what panel overrides match. */
  name: string;
  type: FieldType.string | FieldType.number | FieldType.time | FieldType.boolean;
  value: (row: T) => string | number | boolean | null | undefined;
  description?: string;
  unit?: string;
}

export interface TableInput<T> {
  refId: string;
  name: string;
  columns: Array<Column<T>>;
  rows: T[];
  notices?: QueryResultMetaNotice[];
  executed?: string[];
}

/** Unix seconds (the API's timestamps) to milliseconds; a missing time stays empty, never 1970. */
export function msOf(seconds: number | null | undefined): number | null {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

export function tableFrame<T>({ refId, name, columns, rows, notices, executed }: TableInput<T>): DataFrame {
  return createDataFrame({
    refId,
    name,
    meta: {
      preferredVisualisationType: 'table',
      notices: notices?.length ? notices : undefined,
      executedQueryString: executed?.join('\n'),
    },
    fields: columns.map((c) => ({
      name: c.name,
      type: c.type,
      // A missing field and null mean the same thing: an empty cell.
      values: rows.map((r) => c.value(r) ?? null),
      config: { description: c.description, unit: c.unit },
    })),
  });
}
