// Safety v1.2, finding 8: guesses from one place lock out that place only. Wrong passwords from ten
// addresses (any case of the name) do not stop the real user logging in from their own; one address
// past the per-username limit is refused there; many addresses together meet a ceiling ten times higher.
import { RateLimitedError, UnauthenticatedError } from '../../src/errors.js';
import { createOperations, type Operations } from '../../src/operations.js';
import { createTestDeps, uniqueName } from '../setup/app.js';

let t: Awaited<ReturnType<typeof createTestDeps>>;
let ops: Operations;
beforeAll(async () => {
  t = await createTestDeps({ loginPerUsername: 3, loginPerIp: 1_000, signupPerIp: 1_000 });
  ops = createOperations(t.deps);
});
afterAll(async () => {
  await t.close();
});

const from = (ip: string) => ({ clientIp: ip, userAgent: 'lockout-test' });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

async function newUser() {
  const username = uniqueName('lk');
  await ops.users.signUp(from('192.0.2.1'), { username, full_name: 'L', email: `${username}@example.com`, password: 'the-real-password' });
  return username;
}

it('ten wrong attempts from ten addresses, the name in any case, leave the real user able to log in', async () => {
  const username = await newUser();
  for (let i = 0; i < 10; i++) {
    const name = i % 2 ? username.toUpperCase() : username;
    expect(await refusal(ops.auth.login(from(`198.51.100.${i + 1}`), { username: name, password: 'wrong' }))).toBeInstanceOf(
      UnauthenticatedError,
    );
  }
  const session = await ops.auth.login(from('203.0.113.50'), { username, password: 'the-real-password' });
  expect(session.user.username).toBe(username);
});

it('one address past the limit is refused there, not elsewhere', async () => {
  const username = await newUser();
  for (let i = 0; i < 3; i++) await refusal(ops.auth.login(from('198.51.100.77'), { username, password: 'wrong' }));
  expect(await refusal(ops.auth.login(from('198.51.100.77'), { username, password: 'the-real-password' }))).toBeInstanceOf(
    RateLimitedError,
  );
  expect((await ops.auth.login(from('203.0.113.9'), { username, password: 'the-real-password' })).user.username).toBe(username);
});

it('many addresses together meet a per-username ceiling ten times the per-address limit', async () => {
  const username = await newUser();
  const errors: unknown[] = [];
  for (let i = 0; i < 31; i++) errors.push(await refusal(ops.auth.login(from(`10.9.${i}.1`), { username, password: 'wrong' })));
  expect(errors.slice(0, 30).every((e) => e instanceof UnauthenticatedError)).toBe(true);
  expect(errors[30]).toBeInstanceOf(RateLimitedError);
});
