// Ids and money as types of their own. Postgres has the domains (migrations/*_domains.sql:
// account_id, transfer_id, entry_id, cents); `npm run codegen` maps them to these branded types in
// generated/, so an account id passed where a transfer id or an amount is expected does not compile
// (tests/types/brands.ts). At run time they are plain numbers: the brand costs nothing.
declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

export type AccountId = Branded<number, 'AccountId'>;
export type TransferId = Branded<number, 'TransferId'>;
export type EntryId = Branded<number, 'EntryId'>;
/** Integer minor units (cents), within ±(2^53 − 1). */
export type Cents = Branded<number, 'Cents'>;

/** A bigint column of one of these domains as node-postgres returns it: its decimal text. */
declare const int8Of: unique symbol;
export type Int8<T extends AccountId | TransferId | EntryId | Cents> = string & { readonly [int8Of]: T };

/** The text of a bigint column → its number (branded for a domain-typed column), refusing what JSON cannot carry. */
export function fromInt8<T extends AccountId | TransferId | EntryId | Cents>(value: Int8<T>): T;
export function fromInt8(value: string): number;
export function fromInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${value} is beyond 2^53 - 1`);
  return n;
}

const positive = (what: string, n: number) => {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be an integer from 1 to 2^53 - 1, got ${n}`);
  return n;
};
/** For callers that hold a plain number they know to be one (scripts, tests): checked, then branded. */
export const asAccountId = (n: number): AccountId => positive('an account id', n) as AccountId;
export const asTransferId = (n: number): TransferId => positive('a transfer id', n) as TransferId;
export const asEntryId = (n: number): EntryId => positive('an entry id', n) as EntryId;
export const asCents = (n: number): Cents => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`an amount must be an integer number of cents within ±(2^53 - 1), got ${n}`);
  return n as Cents;
};
