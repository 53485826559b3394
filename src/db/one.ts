// Cardinality is checked once, here, so callers never index rows[0] blindly.
import { IntegrityError, NotFoundError } from '../errors.js';

export function maybeOne<T>(rows: T[], what = 'row'): T | undefined {
  if (rows.length > 1) throw new IntegrityError(`expected at most one ${what}, got ${rows.length}`);
  return rows[0];
}

export function one<T>(rows: T[], what = 'row'): T {
  const row = maybeOne(rows, what);
  if (row === undefined) throw new NotFoundError(`${what} not found`);
  return row;
}

/** An int8 from Postgres (a decimal string) as a JS integer; refuses what would lose precision. */
export function toSafeInt(value: string | number | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new IntegrityError(`integer ${String(value)} is beyond 2^53 - 1`);
  return n;
}
