// Domain errors → gRPC statuses, as the contract maps them (docs/API.md, "gRPC"). The contract's
// code travels in the trailer `x-error-code` and as the reason of a google.rpc.ErrorInfo detail.
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorInfoSchema } from '../../generated/proto/google/rpc/error_details_pb.js';
import { DomainError, type ErrorCode, ValidationError } from '../errors.js';

export const ERROR_DOMAIN = 'simplebank.v1';

const STATUS: Partial<Record<ErrorCode, Code>> = {
  validation_failed: Code.InvalidArgument,
  payload_too_large: Code.ResourceExhausted,
  unauthenticated: Code.Unauthenticated,
  session_invalid: Code.Unauthenticated,
  forbidden: Code.PermissionDenied,
  current_password_mismatch: Code.PermissionDenied,
  not_found: Code.NotFound,
  username_taken: Code.AlreadyExists,
  email_taken: Code.AlreadyExists,
  account_exists: Code.AlreadyExists,
  idempotency_key_in_use: Code.Aborted,
  idempotency_key_reused: Code.FailedPrecondition,
  currency_mismatch: Code.FailedPrecondition,
  same_account: Code.FailedPrecondition,
  insufficient_funds: Code.FailedPrecondition,
  balance_limit_exceeded: Code.FailedPrecondition,
  transfer_not_pending: Code.FailedPrecondition,
  transfer_expired: Code.FailedPrecondition,
  amount_exceeds_pending: Code.FailedPrecondition,
  reversal_exceeds_amount: Code.FailedPrecondition,
  account_frozen: Code.FailedPrecondition,
  account_closed: Code.FailedPrecondition,
  account_not_empty: Code.FailedPrecondition,
  rate_limited: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
};

function refusal(code: ErrorCode, message: string, status: Code, metadata: Record<string, string> = {}): ConnectError {
  return new ConnectError(message, status, { 'x-error-code': code, ...metadata }, [
    { desc: ErrorInfoSchema, value: { reason: code, domain: ERROR_DOMAIN, metadata } },
  ]);
}

/** Any error of a call → the ConnectError the client sees; `internal` never says what went wrong. */
export function toConnectError(raw: unknown): { error: ConnectError; unexpected: boolean } {
  if (raw instanceof ConnectError) {
    // Connect's own refusals (a malformed message, a deadline, a message too large) keep their status
    // and gain the contract's code.
    const code: ErrorCode =
      raw.code === Code.InvalidArgument
        ? 'validation_failed'
        : raw.code === Code.ResourceExhausted
          ? 'payload_too_large'
          : raw.code === Code.Unavailable || raw.code === Code.DeadlineExceeded
            ? 'unavailable'
            : 'internal';
    if (!raw.metadata.has('x-error-code')) raw.metadata.set('x-error-code', code);
    return { error: raw, unexpected: false };
  }
  // The operations hand out domain errors only (src/operations.ts translates the database's).
  if (raw instanceof DomainError) {
    const err = raw;
    const status = STATUS[err.code] ?? Code.Internal;
    const metadata: Record<string, string> = {};
    if (err instanceof ValidationError && err.fields?.length) metadata.fields = err.fields.map((f) => f.field).join(',');
    if (err.retryAfterS) metadata['retry-after'] = String(err.retryAfterS);
    return { error: refusal(err.code, err.message, status, metadata), unexpected: status === Code.Internal };
  }
  return { error: refusal('internal', 'an internal error occurred; it has been logged', Code.Internal), unexpected: true };
}
