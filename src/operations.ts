// Every API operation, transport-neutral: `(caller or origin, input) → result`, refusing with a typed
// error of src/errors.ts. HTTP (src/http/) and gRPC adapt these and hold no rule of their own.
// Layers, top to bottom, never imported upwards: adapters → operations → services → data access.
import { accountOperations } from './accounts/accounts.operations.js';
import { authOperations } from './auth/auth.operations.js';
import type { AppDeps } from './context.js';
import { translatePgError } from './db/pg-errors.js';
import { DomainError } from './errors.js';
import { eventOperations } from './events/events.operations.js';
import { healthOperations } from './health/health.operations.js';
import { MOVEMENT_KIND, transferOperations } from './transfers/transfers.operations.js';
import { userOperations } from './users/users.operations.js';
import { webhookOperations } from './webhooks/webhooks.operations.js';

export function createOperations(deps: AppDeps) {
  return {
    auth: typed(authOperations(deps)),
    users: typed(userOperations(deps)),
    accounts: typed(accountOperations(deps)),
    // A money operation that throws is counted by the code it leaves with (its answers, in the operation).
    transfers: typed(transferOperations(deps), (name, err) => {
      const kind = MOVEMENT_KIND[name];
      if (kind) deps.metrics.moneyMovement(kind, err instanceof DomainError ? err.code : 'internal');
    }),
    health: typed(healthOperations(deps)),
    events: typed(eventOperations(deps)),
    webhooks: typed(webhookOperations(deps)),
  };
}

type AsyncFns = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * The one place where Postgres errors become the contract's: whatever an operation throws leaves it as
 * a domain error where one applies (a unique violation, a lost connection, retries used up). Below this
 * line errors are Postgres's own (classified, never translated, by src/db/pg-errors.ts); above it, the
 * transports see only domain errors and faults.
 */
function typed<T extends AsyncFns>(fns: T, failed?: (name: string, err: unknown) => void): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = async (...args: never[]) => {
      try {
        const result = await fn(...args);
        // A stream (WatchEvents): what it throws while it is read is translated the same way.
        return isAsyncGenerator(result) ? translatedStream(result) : result;
      } catch (err) {
        const typedErr = translatePgError(err);
        failed?.(name, typedErr);
        throw typedErr;
      }
    };
  }
  return out as T;
}

function isAsyncGenerator(x: unknown): x is AsyncGenerator<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x && typeof (x as AsyncGenerator).throw === 'function';
}

async function* translatedStream<T>(stream: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (err) {
    throw translatePgError(err);
  }
}

export type Operations = ReturnType<typeof createOperations>;
export type { AppDeps, Caller, MoveOptions, Origin } from './context.js';
