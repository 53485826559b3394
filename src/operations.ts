// Every API operation, transport-neutral: `(caller or origin, input) → result`, refusing with a typed
// error of src/errors.ts. HTTP (src/http/) and gRPC adapt these and hold no rule of their own.
// Layers, top to bottom, never imported upwards: adapters → operations → services → data access.
import { accountOperations } from './accounts/accounts.operations.js';
import { authOperations } from './auth/auth.operations.js';
import type { AppDeps } from './context.js';
import { healthOperations } from './health/health.operations.js';
import { transferOperations } from './transfers/transfers.operations.js';
import { userOperations } from './users/users.operations.js';

export function createOperations(deps: AppDeps) {
  return {
    auth: authOperations(deps),
    users: userOperations(deps),
    accounts: accountOperations(deps),
    transfers: transferOperations(deps),
    health: healthOperations(deps),
  };
}

export type Operations = ReturnType<typeof createOperations>;
export type { AppDeps, Caller, MoveOptions, Origin } from './context.js';
