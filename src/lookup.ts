/**
 * Tables keyed by strings from saved queries: only a table's own entries count, so `constructor`, `toString` or
 * `__proto__` find nothing instead of Object.prototype's members.
 */
export function ownEntry<V>(table: Readonly<Record<string, V>>, key: unknown): V | undefined {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
