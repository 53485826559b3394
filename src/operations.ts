// Every API operation, transport-neutral: `(caller or origin, input) → result`, refusing with a typed
// error of src/errors.ts. HTTP (src/http/) and gRPC adapt these and hold no rule of their own.
// Layers, top to bottom, never imported upwards: adapters → operations → services → data access.
import { accountOperations } from './accounts/accounts.operations.js';
import { authOperations } from './auth/auth.operations.js';
import type { AppDeps } from './context.js';
import { translatePgError } from './db/pg-errors.js';
import { healthOperations } from './health/health.operations.js';
import { transferOperations } from './transfers/transfers.operations.js';
import { userOperations } from './users/users.operations.js';

export function createOperations(deps: AppDeps) {
  return {
    auth: typed(authOperations(deps)),
    users: typed(userOperations(deps)),
    accounts: typed(accountOperations(deps)),
    transfers: typed(transferOperations(deps)),
    health: typed(healthOperations(deps)),
  };
}

type AsyncFns = Record<string, (...args: never[]) => Promise<unknown>>;

/** Whatever an operation throws leaves it as a domain error where one applies (a unique violation, a lost connection). */
function typed<T extends AsyncFns>(fns: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw translatePgError(err);
      }
    };
  }
  return out as T;
}

export type Operations = ReturnType<typeof createOperations>;
export type { AppDeps, Caller, MoveOptions, Origin } from './context.js';
