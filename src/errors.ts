// The domain's errors: every refusal an operation can answer, with its stable code and status. They
// belong to no transport: HTTP turns them into problem+json (src/http/problem.ts), gRPC into a status
// with the code in a trailer. Postgres errors become them in src/db/pg-errors.ts, called once, where an
// operation returns (src/operations.ts). The ledger function answers its refusals as values; each
// becomes its error here (ledgerRefusal).

/** Every stable error code of the contract, declared once: the OpenAPI enum, the Problem schema, the
 * client's ApiErrorCode and the gRPC trailer all derive from this list. */
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'session_invalid',
  'forbidden',
  'current_password_mismatch',
  'not_found',
  'username_taken',
  'email_taken',
  'account_exists',
  'idempotency_key_in_use',
  'idempotency_key_reused',
  'currency_mismatch',
  'same_account',
  'insufficient_funds',
  'balance_limit_exceeded',
  'transfer_not_pending',
  'transfer_expired',
  'amount_exceeds_pending',
  'reversal_exceeds_amount',
  'account_frozen',
  'account_closed',
  'account_not_empty',
  'verification_invalid',
  'payload_too_large',
  'uri_too_long',
  'unsupported_media_type',
  'headers_too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The status of each code (the contract's table); every error class below answers its code's. */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  session_invalid: 401,
  forbidden: 403,
  current_password_mismatch: 403,
  not_found: 404,
  username_taken: 409,
  email_taken: 409,
  account_exists: 409,
  idempotency_key_in_use: 409,
  idempotency_key_reused: 422,
  currency_mismatch: 422,
  same_account: 422,
  insufficient_funds: 422,
  balance_limit_exceeded: 422,
  transfer_not_pending: 422,
  transfer_expired: 422,
  amount_exceeds_pending: 422,
  reversal_exceeds_amount: 422,
  account_frozen: 422,
  account_closed: 422,
  account_not_empty: 422,
  verification_invalid: 422,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Readonly<Record<ErrorCode, number>>;

/** The refusals the ledger function answers as values (sql/functions/ledger_apply.pgsql): its answers
 * are checked against this list, and each becomes the error of its code below. */
export const LEDGER_REFUSAL_CODES = [
  'validation_failed',
  'forbidden',
  'not_found',
  'idempotency_key_in_use',
  'idempotency_key_reused',
  'currency_mismatch',
  'same_account',
  'insufficient_funds',
  'balance_limit_exceeded',
  'transfer_not_pending',
  'transfer_expired',
  'amount_exceeds_pending',
  'reversal_exceeds_amount',
  'account_frozen',
  'account_closed',
  'account_not_empty',
] as const satisfies readonly ErrorCode[];
export type LedgerRefusalCode = (typeof LEDGER_REFUSAL_CODES)[number];

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  /** Field-level details for validation failures. */
  fields?: { field: string; message: string }[];
  /** Seconds after which a retry is worth it, when known: HTTP's Retry-After, gRPC's `retry-after`. */
  readonly retryAfterS?: number;
}

export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  readonly status = 400;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.fields = [{ field, message }];
  }
}
export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;
}
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
}
/** A user changing their own password gave a wrong current one. */
export class CurrentPasswordMismatchError extends DomainError {
  readonly code = 'current_password_mismatch';
  readonly status = 403;
}
export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: 'username_taken' | 'email_taken' | 'account_exists' | 'idempotency_key_in_use',
    message: string,
  ) {
    super(message);
  }
}
/** The 422 codes: a ledger rule refused the request, or a request that could be understood cannot be done. */
export type RuleCode = {
  [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends 422 ? C : never;
}[ErrorCode];

/** A verification link that is wrong, used, expired, or for an email the user no longer has. */
export class VerificationInvalidError extends DomainError {
  readonly code = 'verification_invalid';
  readonly status = 422;
}
/** A ledger rule refused the request (422): nothing was written. */
export class RuleViolationError extends DomainError {
  readonly status = 422;
  constructor(
    readonly code: RuleCode,
    message: string,
    /** The field the rule concerns, when one does (a posting's amount): named in the problem's errors. */
    field?: string,
  ) {
    super(message);
    if (field !== undefined) this.fields = [{ field, message }];
  }
}
/** A refusal of the ledger function with a code this build does not name (kept as it was said). */
export class LedgerRefusal extends DomainError {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A ledger refusal (code, detail and the field it concerns, as the function said them) → its typed
 * error, the same class any other layer would raise for that code, so the status is declared once.
 */
export function ledgerRefusal(code: LedgerRefusalCode, detail: string, field: string | null): DomainError {
  switch (code) {
    case 'validation_failed':
      return new ValidationError(field ?? 'body', detail);
    case 'forbidden':
      return new ForbiddenError(detail);
    case 'not_found':
      return new NotFoundError(detail);
    case 'idempotency_key_in_use':
      return new ConflictError(code, detail);
    default:
      return new RuleViolationError(code, detail, field ?? undefined);
  }
}
/** A request target over 8 KiB (a path parameter over 100 characters is refused by the router). */
export class UriTooLongError extends DomainError {
  readonly code = 'uri_too_long';
  readonly status = 414;
}
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
  readonly status = 401;
}
export class SessionInvalidError extends DomainError {
  readonly code = 'session_invalid';
  readonly status = 401;
}
/** The database cannot be reached, or a conflict outlived its retries: the outcome may be unknown. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
  readonly status = 503;
  /**
   * Seconds after which a retry is worth it (sent as Retry-After), when known; and what was unavailable
   * (the metric simplebank_unavailable_total's `cause`: database, contention, hashing, read_only, schema).
   */
  constructor(
    message: string,
    override readonly retryAfterS?: number,
    readonly reason: string = 'database',
  ) {
    super(message);
  }
}
/** The database returned something that breaks an assumption of the code: a bug, never the caller's fault. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}
/** Too many attempts in a window (login, sign-up): retry after `retryAfterS` seconds. */
export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(override readonly retryAfterS: number) {
    super(`too many attempts; retry in ${retryAfterS} s`);
  }
}
