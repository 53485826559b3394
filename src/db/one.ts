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
