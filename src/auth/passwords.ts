// argon2id at the library's production costs unless config lowers them (tests only).
import argon2 from 'argon2';
import type { Config } from '../config.js';

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

export function createPasswordHasher(costs: Config['argon2']) {
  const options = { type: argon2.argon2id, ...costs };
  // Verifying against this when the user does not exist costs the same as a real check, so an
  // unknown username and a wrong password cannot be told apart by timing.
  const dummy = argon2.hash('simple-bank dummy password', options);
  return {
    hash: (password: string) => argon2.hash(password, options),
    /** False for a wrong password, an unknown user (hash undefined) or an unusable stored hash. */
    async verify(hash: string | undefined, password: string): Promise<boolean> {
      if (hash === undefined || !hash.startsWith('$argon2')) {
        await argon2.verify(await dummy, password).catch(() => false);
        return false;
      }
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}
