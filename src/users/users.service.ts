import { randomBytes } from 'node:crypto';
import { blockOtherSessions } from '../../generated/sessions.queries.js';
import {
  createUser as createUserQuery,
  getUserCredentials,
  queueVerifyEmail,
  setUserRole,
  updateUser as updateUserQuery,
  verifyEmail as verifyEmailQuery,
} from '../../generated/users.queries.js';
import { maybeOne, one } from '../db/one.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { CurrentPasswordMismatchError, ValidationError, VerificationInvalidError } from '../errors.js';
import type { PasswordHasher } from './passwords.js';
import { toUser } from './users.mappers.js';
import type { CreateUserBody, UpdateUserBody, User } from './users.schemas.js';

/** The code of a verification link: 32 characters of base64url (192 random bits), as the Go project's. */
const newSecretCode = () => randomBytes(24).toString('base64url');

/** A new user, and the verification email of their address queued in the same transaction. */
export async function createUser(pool: Pool, passwords: PasswordHasher, body: CreateUserBody): Promise<User> {
  const hashedPassword = await passwords.hash(body.password);
  return withTransaction(pool, async (tx) => {
    const rows = await createUserQuery.run({ username: body.username, hashedPassword, fullName: body.full_name, email: body.email }, tx);
    const user = toUser(one(rows, 'user'));
    await queueVerifyEmail.run({ username: user.username, secretCode: newSecretCode() }, tx);
    return user;
  });
}

/**
 * The link of a verification email: its code right, within 15 minutes, unused, for the email the user
 * still has. The user's email is then verified (and user.email_verified appended); else 422.
 */
export async function verifyEmail(db: Queryable, emailId: number, secretCode: string): Promise<void> {
  const [r] = await verifyEmailQuery.run({ id: emailId, secretCode }, db);
  if (!r || r.verified === 0) {
    throw new VerificationInvalidError('this verification link is wrong, used, expired, or for an email the user no longer has');
  }
}

/**
 * Changes a user. Changing one's own password needs the current one; a password change blocks every
 * other session of the user (a change of one's own keeps the session that made it; a banker's reset
 * blocks them all), in the same transaction.
 */
export async function updateUser(
  pool: Pool,
  passwords: PasswordHasher,
  actor: { username: string; sessionId: string },
  username: string,
  patch: UpdateUserBody,
): Promise<User> {
  const own = actor.username === username;
  if (patch.password !== undefined && own) {
    if (patch.current_password === undefined) {
      throw new ValidationError('current_password', 'is required to change your own password');
    }
    const cred = maybeOne(await getUserCredentials.run({ username }, pool), 'user');
    // Not urgent: a password change queues behind logins, never ahead of them.
    if (!(await passwords.verify(cred?.hashed_password, patch.current_password, false))) {
      throw new CurrentPasswordMismatchError('the current password is not right');
    }
  }
  const hashedPassword = patch.password === undefined ? null : await passwords.hash(patch.password);
  return withTransaction(pool, async (tx) => {
    const rows = await updateUserQuery.run({ username, fullName: patch.full_name ?? null, email: patch.email ?? null, hashedPassword }, tx);
    const user = toUser(one(rows, 'user'));
    if (hashedPassword !== null) await blockOtherSessions.run({ username, keep: own ? actor.sessionId : null }, tx);
    // A new email: its verification email, in the same transaction.
    if (patch.email !== undefined && !user.is_email_verified) await queueVerifyEmail.run({ username, secretCode: newSecretCode() }, tx);
    return user;
  });
}

export async function grantBanker(db: Queryable, username: string): Promise<User> {
  return toUser(one(await setUserRole.run({ username, role: 'banker' }, db), 'user'));
}

/** Takes the banker role away; tokens already issued lose it too (within 2 s, at once with a listener). */
export async function revokeBanker(db: Queryable, username: string): Promise<User> {
  return toUser(one(await setUserRole.run({ username, role: 'depositor' }, db), 'user'));
}
