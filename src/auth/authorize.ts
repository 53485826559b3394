// Authorization in one place: every route asks these, nothing else decides who may do what.
import { ForbiddenError } from '../errors.js';
import type { AccessClaims } from './tokens.js';

export function isBanker(auth: AccessClaims): boolean {
  return auth.role === 'banker';
}

/** Accounts, entries and transfers are visible to their owner only. */
export function assertOwner(auth: AccessClaims, owner: string, what = 'this resource'): void {
  if (auth.username !== owner) throw new ForbiddenError(`${what} belongs to someone else`);
}

/** A transfer is visible to the owner of either side. */
export function assertEitherOwner(auth: AccessClaims, owners: string[]): void {
  if (!owners.includes(auth.username)) throw new ForbiddenError('this transfer belongs to someone else');
}

/** Deposits and withdrawals are the bank's own operations. */
export function assertBanker(auth: AccessClaims): void {
  if (!isBanker(auth)) throw new ForbiddenError('this operation needs the banker role');
}

/** A user may change themselves; a banker may change anyone. */
export function assertSelfOrBanker(auth: AccessClaims, username: string): void {
  if (auth.username !== username && !isBanker(auth)) throw new ForbiddenError('you may only change your own user');
}
