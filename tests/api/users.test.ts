// POST /users, POST /users/login, POST /tokens/renew_access, POST /tokens/revoke, PATCH /users/{username}.
import { createTokenMaker, generateSecretKey } from '../../src/auth/tokens.js';
import { createTestApp, expectProblem, logIn, signUp, snapshot, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ loginPerUsername: 5 });
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('POST /users', () => {
  it('201: the user, without any password or hash, stored as an argon2id hash', async () => {
    const username = uniqueName('new');
    const res = await post('/users', { username, full_name: 'New Person', email: `${username}@Example.com`, password: 'correct horse' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      username,
      full_name: 'New Person',
      email: `${username}@Example.com`,
      role: 'depositor',
      password_changed_at: expect.any(String),
      created_at: expect.any(String),
      is_email_verified: false,
    });
    expect(res.body).not.toMatch(/correct horse|argon2/);
    const { rows } = await t.db.pool.query('SELECT hashed_password FROM users WHERE username = $1', [username]);
    expect(rows[0].hashed_password).toMatch(/^\$argon2id\$/);
  });

  const valid = () => ({ username: uniqueName('v'), full_name: 'Valid', email: `${uniqueName('m')}@example.com`, password: 'long enough' });
  it.each([
    ['username with capitals', { username: 'Alice' }, 'username'],
    ['username too short', { username: 'ab' }, 'username'],
    ['username with a dash', { username: 'a-b-c' }, 'username'],
    ['empty full_name', { full_name: '' }, 'full_name'],
    ['full_name over 100', { full_name: 'x'.repeat(101) }, 'full_name'],
    ['email without @', { email: 'nobody' }, 'email'],
    ['email over 200', { email: `${'x'.repeat(195)}@e.com` }, 'email'],
    ['password under 8', { password: 'short' }, 'password'],
    ['password over 128', { password: 'p'.repeat(129) }, 'password'],
    ['an extra field', { role: 'banker' }, 'role'],
    ['password as a number', { password: 12345678 }, 'password'],
  ])('400 for %s, naming the field, creating nobody', async (_n, patch, field) => {
    const before = await snapshot(t);
    const problem = expectProblem(await post('/users', { ...valid(), ...patch }), 400, 'validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await snapshot(t)).toEqual(before);
  });

  it('400 lists every failing field at once', async () => {
    const problem = expectProblem(await post('/users', { username: 'X', email: 'no' }), 400, 'validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'full_name', 'password', 'username']);
  });

  it('409 username_taken, and 409 email_taken whatever the case of the address', async () => {
    const first = valid();
    expect((await post('/users', first)).statusCode).toBe(201);
    const before = await snapshot(t);
    expectProblem(await post('/users', { ...valid(), username: first.username }), 409, 'username_taken');
    expectProblem(await post('/users', { ...valid(), email: first.email.toUpperCase() }), 409, 'email_taken');
    expect(await snapshot(t)).toEqual(before);
  });

  it('409 for the reserved system username', async () => {
    expectProblem(await post('/users', { ...valid(), username: 'simplebank_system' }), 409, 'username_taken');
  });
});

describe('POST /users/login', () => {
  it('200: a session with access and refresh tokens and the user', async () => {
    const u = await signUp(t);
    const res = await post('/users/login', { username: u.username, password: u.password }, { 'user-agent': 'jest-agent' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.access_token).toMatch(/^v4\.public\./);
    expect(body.refresh_token).toMatch(/^v4\.public\./);
    expect(body.user.username).toBe(u.username);
    expect(new Date(body.access_token_expires_at).getTime()).toBeLessThan(new Date(body.refresh_token_expires_at).getTime());
    const { rows } = await t.db.pool.query('SELECT username, user_agent, client_ip, is_blocked FROM sessions WHERE id = $1', [
      body.session_id,
    ]);
    expect(rows[0]).toEqual({ username: u.username, user_agent: 'jest-agent', client_ip: '127.0.0.1', is_blocked: false });
  });

  it('401 for an unknown user and for a wrong password, with identical bodies', async () => {
    const u = await signUp(t);
    const wrong = await post('/users/login', { username: u.username, password: 'not the password' });
    const unknown = await post('/users/login', { username: uniqueName('ghost'), password: 'not the password' });
    expectProblem(wrong, 401, 'unauthenticated');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('401 for the system user, which has no password', async () => {
    expectProblem(await post('/users/login', { username: 'simplebank_system', password: '!' }), 401, 'unauthenticated');
  });

  it.each([
    ['missing password', { username: 'someone' }],
    ['empty username', { username: '', password: 'x' }],
    ['extra field', { username: 'someone', password: 'x', remember: true }],
  ])('400 for %s', async (_n, body) => {
    expectProblem(await post('/users/login', body), 400, 'validation_failed');
  });

  it('429 with Retry-After once a username has had too many attempts (limit 5 here)', async () => {
    const u = await signUp(t);
    // signUp logged in once: four more attempts reach the limit of five.
    for (let i = 0; i < 4; i++) {
      expect((await post('/users/login', { username: u.username, password: 'wrong password' })).statusCode).toBe(401);
    }
    const limited = await post('/users/login', { username: u.username, password: u.password });
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});

it('POST /users/login: 429 once one client IP has made too many attempts, whatever the usernames', async () => {
  const limited = await createTestApp({ loginPerIp: 3 });
  try {
    const attempt = (ip: string) =>
      limited.app.inject({
        method: 'POST',
        url: '/users/login',
        remoteAddress: ip,
        payload: { username: uniqueName('probe'), password: 'whatever1' },
      });
    for (let i = 0; i < 3; i++) expect((await attempt('10.1.2.3')).statusCode).toBe(401);
    expectProblem(await attempt('10.1.2.3'), 429, 'rate_limited');
    expect((await attempt('10.1.2.4')).statusCode).toBe(401); // another client is not affected
  } finally {
    await limited.close();
  }
});

describe('POST /tokens/renew_access and /tokens/revoke', () => {
  it('200: a fresh access token that works', async () => {
    const u = await signUp(t);
    const res = await post('/tokens/renew_access', { refresh_token: u.refreshToken });
    expect(res.statusCode).toBe(200);
    const { access_token } = res.json();
    expect(access_token).not.toBe(u.token);
    const me = await t.app.inject({ method: 'GET', url: '/accounts', headers: { authorization: `Bearer ${access_token}` } });
    expect(me.statusCode).toBe(200);
  });

  it("401 session_invalid for an access token presented as a refresh token, garbage, or another key's token", async () => {
    const u = await signUp(t);
    expectProblem(await post('/tokens/renew_access', { refresh_token: u.token }), 401, 'session_invalid');
    expectProblem(await post('/tokens/renew_access', { refresh_token: 'v4.public.garbage' }), 401, 'session_invalid');
    const other = await createTokenMaker(await generateSecretKey(), { accessTokenMs: 60_000, refreshTokenMs: 120_000 });
    const forged = await other.createRefreshToken(u.sessionId, u.username);
    expectProblem(await post('/tokens/renew_access', { refresh_token: forged.token }), 401, 'session_invalid');
  });

  it('401 session_invalid for an expired refresh token and for one whose session row is gone', async () => {
    const u = await signUp(t);
    const expired = await t.deps.tokens.createRefreshToken(u.sessionId, u.username, new Date(Date.now() - 2 * 24 * 3_600_000));
    expectProblem(await post('/tokens/renew_access', { refresh_token: expired.token }), 401, 'session_invalid');
    const orphan = await t.deps.tokens.createRefreshToken('00000000-0000-4000-8000-000000000000', u.username);
    expectProblem(await post('/tokens/renew_access', { refresh_token: orphan.token }), 401, 'session_invalid');
  });

  it('401 session_invalid for a validly signed refresh token that is not the one stored for its session', async () => {
    const u = await signUp(t);
    const other = await t.deps.tokens.createRefreshToken(u.sessionId, u.username);
    expectProblem(await post('/tokens/renew_access', { refresh_token: other.token }), 401, 'session_invalid');
  });

  it('204 revoke: the session is blocked, renew is refused and its access tokens stop working', async () => {
    const u = await signUp(t);
    const res = await post('/tokens/revoke', { refresh_token: u.refreshToken });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await post('/tokens/renew_access', { refresh_token: u.refreshToken }), 401, 'session_invalid');
    expectProblem(await post('/tokens/revoke', { refresh_token: u.refreshToken }), 401, 'session_invalid');
    expectProblem(await t.app.inject({ method: 'GET', url: '/accounts', headers: u.auth }), 401, 'unauthenticated');
    // Another session of the same user is untouched.
    const again = await logIn(t, u.username, u.password);
    expect((await t.app.inject({ method: 'GET', url: '/accounts', headers: again.auth })).statusCode).toBe(200);
  });

  it.each(['/tokens/renew_access', '/tokens/revoke'])('400 on %s without refresh_token', async (url) => {
    expectProblem(await post(url, {}), 400, 'validation_failed');
  });
});

describe('PATCH /users/{username}', () => {
  const patch = (username: string, auth: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: `/users/${username}`, headers: auth, payload: payload as object });

  it('200: changes only the given fields; a password change sets password_changed_at and the new password works', async () => {
    const u = await signUp(t);
    const before = (await patch(u.username, u.auth, { full_name: 'Renamed' })).json();
    expect(before.full_name).toBe('Renamed');
    expect(before.email).toBe(u.email);
    const res = await patch(u.username, u.auth, { password: 'a brand new password', current_password: u.password });
    expect(res.statusCode).toBe(200);
    expect(new Date(res.json().password_changed_at).getTime()).toBeGreaterThan(new Date(before.password_changed_at).getTime());
    await expect(logIn(t, u.username, u.password)).rejects.toThrow(/401/);
    await expect(logIn(t, u.username, 'a brand new password')).resolves.toBeTruthy();
  });

  it('200 for a banker changing someone else; 403 for a depositor doing so', async () => {
    const u = await signUp(t);
    const other = await signUp(t);
    const banker = await signUp(t, { banker: true });
    expectProblem(await patch(u.username, other.auth, { full_name: 'Hijack' }), 403, 'forbidden');
    const ok = await patch(u.username, banker.auth, { full_name: 'Fixed by the bank' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().full_name).toBe('Fixed by the bank');
  });

  it('404 for a banker changing a user that does not exist', async () => {
    const banker = await signUp(t, { banker: true });
    expectProblem(await patch(uniqueName('ghost'), banker.auth, { full_name: 'X' }), 404, 'not_found');
  });

  it('409 email_taken', async () => {
    const u = await signUp(t);
    const other = await signUp(t);
    expectProblem(await patch(u.username, u.auth, { email: other.email }), 409, 'email_taken');
  });

  it.each([
    ['an empty body', {}],
    ['a bad email', { email: 'nope' }],
    ['a short password', { password: 'short' }],
    ['an unknown field', { role: 'banker' }],
  ])('400 for %s', async (_n, body) => {
    const u = await signUp(t);
    expectProblem(await patch(u.username, u.auth, body), 400, 'validation_failed');
  });

  it('401 without a token', async () => {
    expectProblem(await patch('anyone', {}, { full_name: 'X' }), 401, 'unauthenticated');
  });
});
