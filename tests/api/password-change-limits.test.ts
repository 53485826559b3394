// Safety v1.2, finding 1: guessing `current_password` on PATCH /users/{username} (and gRPC UpdateUser,
// the same operation) is limited like a login — per username and per client IP, in Postgres, shared
// by replicas — and runs on a queue of its own, so a flood of wrong guesses never starves logins.
import { createTestApp, signUp, type TestApp } from '../setup/app.js';

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginPerUsername: 5, loginPerIp: 1_000 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('wrong current_password guesses are 403 up to the login limit, then 429 with Retry-After, even with the right one', async () => {
    const victim = await signUp(t, { prefix: 'pwc' });
    const guess = (current_password: string) =>
      t.app.inject({
        method: 'PATCH',
        url: `/users/${victim.username}`,
        headers: victim.auth,
        payload: { password: 'new-password-1', current_password },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await guess(`wrong-guess-${i}`)).statusCode);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    const limited = await guess(victim.password);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().code).toBe('rate_limited');
  });

  it('the limit per client IP holds across usernames', async () => {
    const t2 = await createTestApp({ loginPerUsername: 1_000, loginPerIp: 3 });
    try {
      const users = [await signUp(t2, { prefix: 'pwi' }), await signUp(t2, { prefix: 'pwi' })];
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const u = users[i % 2]!;
        const r = await t2.app.inject({
          method: 'PATCH',
          url: `/users/${u.username}`,
          headers: u.auth,
          payload: { password: 'new-password-1', current_password: 'wrong-guess' },
        });
        statuses.push(r.statusCode);
      }
      // Guesses have counters of their own (logins do not use them up), per IP across usernames.
      expect(statuses).toEqual([403, 403, 403, 429]);
    } finally {
      await t2.close();
    }
  });
});

it("a flood of wrong current_password guesses does not make other users' logins fail", async () => {
  const t = await createTestApp({ loginPerUsername: 100_000, loginPerIp: 100_000, argon2MaxConcurrent: 1, argon2MaxQueue: 4 });
  try {
    const attacker = await signUp(t, { prefix: 'flood' });
    const bystander = await signUp(t, { prefix: 'by' });
    const flood = Array.from({ length: 40 }, (_, i) =>
      t.app.inject({
        method: 'PATCH',
        url: `/users/${attacker.username}`,
        headers: attacker.auth,
        payload: { password: 'new-password-1', current_password: `wrong-${i}` },
      }),
    );
    // One login at a time while the flood is in flight (the logins' own queue bound is not what is tested).
    const loginStatuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/users/login',
        payload: { username: bystander.username, password: bystander.password },
      });
      loginStatuses.push(r.statusCode);
    }
    const floodStatuses = (await Promise.all(flood)).map((r) => r.statusCode);
    expect(loginStatuses).toEqual(Array(6).fill(200));
    expect(floodStatuses.every((s) => s === 403 || s === 503)).toBe(true);
  } finally {
    await t.close();
  }
});
