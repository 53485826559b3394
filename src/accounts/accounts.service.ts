import { balanceAt as balanceAtQuery, createAccount, getAccount, listAccountsByOwner } from '../../generated/accounts.queries.js';
import { listEntries } from '../../generated/entries.queries.js';
import { one } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { ValidationError } from '../errors.js';
import { type AccountId, asEntryId, type Cents, type EntryId, fromInt8 } from '../ids.js';
import { toAccount, toEntry } from './accounts.mappers.js';
import type { Account, Entry } from './accounts.schemas.js';

/** A new account of `owner`'s, balance 0. */
export async function openAccount(db: Queryable, owner: string, currency: string): Promise<Account> {
  return toAccount(one(await createAccount.run({ owner, currency }, db), 'account'));
}

/** The account and its owner, or NotFoundError. */
export async function findAccount(db: Queryable, id: AccountId): Promise<Account> {
  return toAccount(one(await getAccount.run({ id }, db), `account ${id}`));
}

export async function listAccounts(db: Queryable, owner: string, page: number, size: number): Promise<Account[]> {
  const rows = await listAccountsByOwner.run({ owner, limit: size, offset: (page - 1) * size }, db);
  return rows.map(toAccount);
}

/** Above every entry id: ids this service hands out stay within 2^53 - 1. */
const NEWEST = asEntryId(Number.MAX_SAFE_INTEGER);

// The cursor is opaque to clients: the id of the last entry they saw, encoded.
const CURSOR_PREFIX = 'e1:';
const encodeCursor = (id: EntryId) => Buffer.from(CURSOR_PREFIX + id).toString('base64url');
function decodeCursor(cursor: string): EntryId {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || encodeCursor(id as EntryId) !== cursor) {
    throw new ValidationError('cursor', 'is not a cursor this API returned');
  }
  return id as EntryId; // checked just above
}

/** Newest first by (created_at, id), keyset-paged (no OFFSET scan); the cursor names the last entry given. */
export async function listAccountEntries(
  db: Queryable,
  accountId: AccountId,
  limit: number,
  cursor: string | undefined,
): Promise<{ items: Entry[]; next_cursor: string | null }> {
  const beforeId = cursor === undefined ? NEWEST : decodeCursor(cursor);
  const rows = await listEntries.run({ accountId, beforeId, limit: limit + 1 }, db);
  const items = rows.slice(0, limit).map(toEntry);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** The posted balance as of `at`: the balance after the account's last entry at or before it (0 before its first). */
export async function balanceAt(db: Queryable, id: AccountId, at: Date): Promise<Cents> {
  return fromInt8(one(await balanceAtQuery.run({ id, at }, db), 'balance').balance) as Cents;
}
