// Who is calling, and what they may do. A Caller is made by `operations.auth.authenticate` from a
// verified access token of a live session, with the role the user has now in the database (never
// the token's). Authorization is decided by the operations, with these checks and no others.
import { ForbiddenError } from './errors.js';
import type { Role } from './users/users.schemas.js';

export interface Caller {
  sessionId: string;
  username: string;
  role: Role;
  issuedAt: Date;
  expiresAt: Date;
}

export function isBanker(caller: Caller): boolean {
  return caller.role === 'banker';
}

/** Accounts, entries and transfers are visible to their owner only. */
export function assertOwner(caller: Caller, owner: string, what = 'this resource'): void {
  if (caller.username !== owner) throw new ForbiddenError(`${what} belongs to someone else`);
}

/** A transfer is visible to the owner of either side. */
export function assertEitherOwner(caller: Caller, owners: string[]): void {
  if (!owners.includes(caller.username)) throw new ForbiddenError('this transfer belongs to someone else');
}

/** Deposits and withdrawals are the bank's own operations. */
export function assertBanker(caller: Caller): void {
  if (!isBanker(caller)) throw new ForbiddenError('this operation needs the banker role');
}

/** A user may change themselves; a banker may change anyone. */
export function assertSelfOrBanker(caller: Caller, username: string): void {
  if (caller.username !== username && !isBanker(caller)) throw new ForbiddenError('you may only change your own user');
}
