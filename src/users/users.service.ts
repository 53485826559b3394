import { createUser as createUserQuery, getUser, setUserRole, updateUser as updateUserQuery } from '../../generated/users.queries.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { one } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import type { CreateUserBody, UpdateUserBody, User } from '../schemas/users.js';
import { toUser } from './users.mappers.js';

export async function createUser(db: Queryable, passwords: PasswordHasher, body: CreateUserBody): Promise<User> {
  const hashedPassword = await passwords.hash(body.password);
  const rows = await createUserQuery.run(
    { username: body.username, hashedPassword, fullName: body.full_name, email: body.email },
    db,
  );
  return toUser(one(rows, 'user'));
}

export async function findUser(db: Queryable, username: string): Promise<User> {
  return toUser(one(await getUser.run({ username }, db), 'user'));
}

export async function updateUser(
  db: Queryable,
  passwords: PasswordHasher,
  username: string,
  patch: UpdateUserBody,
): Promise<User> {
  const hashedPassword = patch.password === undefined ? null : await passwords.hash(patch.password);
  const rows = await updateUserQuery.run(
    { username, fullName: patch.full_name ?? null, email: patch.email ?? null, hashedPassword },
    db,
  );
  return toUser(one(rows, 'user'));
}

export async function grantBanker(db: Queryable, username: string): Promise<User> {
  return toUser(one(await setUserRole.run({ username, role: 'banker' }, db), 'user'));
}

/** Takes the banker role away; tokens already issued lose it too (within 2 s, at once with a listener). */
export async function revokeBanker(db: Queryable, username: string): Promise<User> {
  return toUser(one(await setUserRole.run({ username, role: 'depositor' }, db), 'user'));
}
