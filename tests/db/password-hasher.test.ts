// Password hashing under load: bounded concurrency, a bounded queue, logins ahead of sign-ups.
import { UnavailableError } from '../../src/errors.js';
import { createPasswordHasher } from '../../src/users/passwords.js';

const CHEAP = { memoryCost: 1024, timeCost: 2, parallelism: 1 };

it('runs at most maxConcurrent hashes, queues maxQueued, refuses the rest with a retryable 503', async () => {
  const h = createPasswordHasher(CHEAP, { maxConcurrent: 1, maxQueued: 2 });
  const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => h.hash(`password-${i}`)));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(refused).toHaveLength(2);
  for (const r of refused) {
    expect(r.reason).toBeInstanceOf(UnavailableError);
    expect(r.reason.retryAfterS).toBe(1);
  }
  expect(h.load).toEqual({ running: 0, queued: 0 });
});

it('a login queued behind sign-ups goes first', async () => {
  const h = createPasswordHasher(CHEAP, { maxConcurrent: 1, maxQueued: 10 });
  const stored = await h.hash('the password');
  const order: string[] = [];
  const signUps = Array.from({ length: 4 }, (_, i) => h.hash(`new user ${i}`).then(() => order.push(`hash${i}`)));
  const login = h.verify(stored, 'the password').then((ok) => order.push(`login:${ok}`));
  await Promise.all([...signUps, login]);
  // hash0 was already running; the login came next, ahead of the sign-ups that were waiting.
  expect(order.slice(0, 2)).toEqual(['hash0', 'login:true']);
});
