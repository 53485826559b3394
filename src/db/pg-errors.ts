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
};

// Text Postgres cannot store (U+0000, an invalid byte sequence): the caller's input, never a 500.
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** SQLSTATEs worth another attempt of the whole transaction. */
export function isRetryable(err: unknown): boolean {
  const code = (err as PgErrorLike | undefined)?.code;
  return code === '40P01' || code === '40001';
}

// 57014: a statement outlived statement_timeout (a lock held too long): busy, not broken.
// 3D000 / 28000 / 28P01: the database or the role is missing or refused; 42P01: a table missing, a
// database not migrated yet. The deploy's fault, not the request's: 503, never a 500.
const UNAVAILABLE_SQLSTATES = new Set([
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '3D000',
  '28000',
  '28P01',
  '42P01',
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isUnavailable(err: unknown): boolean {
  const e = err as PgErrorLike | undefined;
  if (!e) return false;
  if (e.code && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code))) return true;
  const msg = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly|the database system is (starting up|shutting down)/i.test(
    msg,
  );
}

/** Turns a Postgres error into a domain error where one applies; anything else is returned as is. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = err as PgErrorLike | undefined;
  if (!e || typeof e !== 'object') return err;
  if (e.constraint && BY_CONSTRAINT[e.constraint]) return BY_CONSTRAINT[e.constraint]!(e);
  if (e.code && UNSTORABLE_TEXT.has(e.code)) return new ValidationError('body', 'contains a character that cannot be stored');
  if (isRetryable(err)) return new UnavailableError('the database stayed too busy to finish this request; retry it');
  if (isUnavailable(err)) return new UnavailableError('the database cannot be reached');
  return err;
}
