// argon2id at the library's production costs unless config lowers them (tests only). Hashing runs
// with bounded concurrency: each hash takes ARGON2_MEMORY_KIB of memory and most of a core, so a
// flood of sign-ups or logins must queue (and, past the queue's bound, be refused with 503 and
// Retry-After) instead of starving every other request and the memory limit. Verifications (logins)
// go ahead of queued hashes (sign-ups, password changes), so a login waits for at most the hashes
// already running.
import argon2 from 'argon2';
import { UnavailableError } from '../errors.js';
import type { Config } from '../platform/config.js';

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

export interface HashingLimits {
  /** Hashes computed at once. */
  maxConcurrent?: number;
  /** Hashes waiting for a slot; one more is refused (503). */
  maxQueued?: number;
}

export function createPasswordHasher(costs: Config['argon2'], limits: HashingLimits = {}, onWait?: (seconds: number) => void) {
  const options = { type: argon2.argon2id, ...costs };
  const maxConcurrent = limits.maxConcurrent ?? 2;
  const maxQueued = limits.maxQueued ?? 32;
  let running = 0;
  const logins: (() => void)[] = [];
  const others: (() => void)[] = [];

  async function bounded<T>(urgent: boolean, work: () => Promise<T>): Promise<T> {
    if (running >= maxConcurrent) {
      // Each queue has its own bound: a flood of sign-ups or password changes fills its own queue and
      // is refused there, never the logins' (which go first, so a login waits for the running ones only).
      if ((urgent ? logins : others).length >= maxQueued) {
        throw new UnavailableError('password hashing is busy; retry shortly', 1, 'hashing');
      }
      const queuedAt = performance.now();
      await new Promise<void>((resolve) => (urgent ? logins : others).push(resolve));
      onWait?.((performance.now() - queuedAt) / 1000);
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      const next = logins.shift() ?? others.shift();
      if (next)
        next(); // the slot passes on
      else running--;
    }
  }

  // Verifying against this when the user does not exist costs the same as a real check, so an
  // unknown username and a wrong password cannot be told apart by timing.
  const dummy = argon2.hash('simple-bank dummy password', options);
  return {
    hash: (password: string) => bounded(false, () => argon2.hash(password, options)),
    /**
     * False for a wrong password, an unknown user (hash undefined) or an unusable stored hash. Logins
     * are urgent (ahead of the queue); other checks (a password change's current password) are not.
     */
    verify(hash: string | undefined, password: string, urgent = true): Promise<boolean> {
      return bounded(urgent, async () => {
        if (hash === undefined || !hash.startsWith('$argon2')) {
          await argon2.verify(await dummy, password).catch(() => false);
          return false;
        }
        try {
          return await argon2.verify(hash, password);
        } catch {
          return false;
        }
      });
    },
    /** Hashes running and waiting, for tests and diagnostics. */
    get load() {
      return { running, queued: logins.length + others.length };
    },
  };
}
