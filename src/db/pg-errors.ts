// The one place where Postgres errors become domain errors: by the constraint that fired, or by the
// SQLSTATE class (retryable conflicts, an unreachable or unmigrated database).
import { ConflictError, DomainError, NotFoundError, RuleViolationError, UnavailableError, ValidationError } from '../errors.js';

interface PgErrorLike {
  code?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

const BY_CONSTRAINT: Record<string, (e: PgErrorLike) => DomainError> = {
  users_pkey: () => new ConflictError('username_taken', 'that username is taken'),
  users_email_key: () => new ConflictError('email_taken', 'that email address is already registered'),
  accounts_owner_currency_key: () => new ConflictError('account_exists', 'you already have an account in that currency'),
  accounts_balance_nonnegative: () => new RuleViolationError('insufficient_funds', 'insufficient funds'),
  accounts_balance_within_limit: () =>
    new RuleViolationError('balance_limit_exceeded', 'the movement would take a balance past ±9007199254740991'),
  // The cents domain: amounts are validated before they reach the database, so only a balance
  // pushed past the limit by arithmetic can meet it.
  cents_within_safe_integer: () =>
    new RuleViolationError('balance_limit_exceeded', 'the movement would take a balance past ±9007199254740991'),
  transfers_distinct_accounts: () => new RuleViolationError('same_account', 'from and to are the same account'),
  transfers_amount_positive: () => new ValidationError('amount', 'must be a positive integer'),
  accounts_currency_supported: () => new ValidationError('currency', 'is not a supported currency'),
  transfers_from_account_fkey: () => new NotFoundError('account not found'),
  transfers_to_account_fkey: () => new NotFoundError('account not found'),
  entries_account_fkey: () => new NotFoundError('account not found'),
  accounts_owner_fkey: () => new NotFoundError('user not found'),
  sessions_username_fkey: () => new NotFoundError('user not found'),
  // v1.3: the ledger function checks each of these as a rule first; the constraint is the last word.
  transfers_reverses_fkey: () => new NotFoundError('transfer not found'),
  transfers_reference_length: () => new ValidationError('reference', 'must be 1 to 128 characters'),
  transfers_metadata_object: () => new ValidationError('metadata', 'must be an object'),
};

// Text Postgres cannot store (U+0000, an invalid byte sequence): the caller's input, never a 500.
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** SQLSTATEs worth another attempt of the whole transaction. */
export function isRetryable(err: unknown): boolean {
  const code = (err as PgErrorLike | undefined)?.code;
  return code === '40P01' || code === '40001';
}

// The database cannot do the work now — the deploy's or the network's fault, not the request's: 503
// with Retry-After, never a 500. By SQLSTATE class: 08 (connection exceptions, PgBouncer's own
// 08P01 among them: "server login has been failing", "no more connections allowed", query_wait_timeout),
// 57 (operator intervention: a shutdown, a statement or lock timeout 57014), 53 (resources), 55P03 (a
// lock not granted within lock_timeout), 25006 (a read-only transaction: the primary is gone and a
// standby answers), 3D000/28000/28P01 (the database or the role is missing or refused), 42P01 (a table
// missing: a database not migrated yet).
const UNAVAILABLE_CLASSES = /^(08|57|53)/;
const UNAVAILABLE_SQLSTATES = new Set(['55P03', '25006', '3D000', '28000', '28P01', '42P01']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
// node-postgres's own words for a connection or query that did not come through, and PgBouncer's
// when it answers without a SQLSTATE we know.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection ended|the database system is (starting up|shutting down|in recovery)|server login has been failing|no more connections allowed|pgbouncer cannot connect to server|query_wait_timeout|server conn crashed/i;

/** Seconds a client should wait before retrying while the database is unavailable (Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

export function isUnavailable(err: unknown): boolean {
  const e = err as PgErrorLike | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.code && (UNAVAILABLE_CLASSES.test(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code))) return true;
  return UNAVAILABLE_MESSAGES.test(e.message ?? '');
}

/** Turns a Postgres error into a domain error where one applies; anything else is returned as is. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = err as PgErrorLike | undefined;
  if (!e || typeof e !== 'object') return err;
  if (e.constraint && BY_CONSTRAINT[e.constraint]) return BY_CONSTRAINT[e.constraint]!(e);
  if (e.code && UNSTORABLE_TEXT.has(e.code)) return new ValidationError('body', 'contains a character that cannot be stored');
  if (isRetryable(err)) return new UnavailableError('the database stayed too busy to finish this request; retry it', 1, 'contention');
  if (isUnavailable(err)) return new UnavailableError('the database cannot be reached now; retry it', UNAVAILABLE_RETRY_AFTER_S);
  return err;
}
