// Rotating TOKEN_SECRET_KEY with live sessions on two replicas: with the old key's public key in
// TOKEN_PREVIOUS_PUBLIC_KEYS, tokens it signed keep working on both and renew into tokens of the new
// key; dropped from the list, they end.
import { generateSecretKey, publicKeyOf } from '../../src/auth/tokens.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, run, runTs, waitForReady } from './helpers.js';

let db: TestDb;
let replicas: { proc: Proc; base: string }[] = [];
beforeAll(async () => {
  db = await createTestDb(2);
});
afterAll(async () => {
  await stopAll();
  await db.drop();
});

async function stopAll() {
  for (const r of replicas) r.proc.child.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.proc.exited));
  replicas = [];
}
async function startReplicas(env: Record<string, string>) {
  await stopAll();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const proc = runTs('src/server.ts', [], {
      DATABASE_URL: db.url,
      PORT: String(port),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
      LOG_LEVEL: 'warn',
      ...env,
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(base, proc);
    replicas.push({ proc, base });
  }
}
const get = async (base: string, token: string) =>
  (await fetch(`${base}/accounts`, { headers: { authorization: `Bearer ${token}` } })).status;
const post = async (base: string, path: string, body: unknown) => {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (r.status === 204 ? null : await r.json()) as any };
};

it('the old key stays accepted while listed (never signs), and its tokens end when it leaves the list', async () => {
  const oldKey = await generateSecretKey();
  const newKey = await generateSecretKey();
  await startReplicas({ TOKEN_SECRET_KEY: oldKey });
  const [a] = replicas;
  expect(
    (await post(a!.base, '/users', { username: 'rot_user', full_name: 'R', email: 'rot@example.com', password: 'rotation-pw' })).status,
  ).toBe(201);
  const login = await post(a!.base, '/users/login', { username: 'rot_user', password: 'rotation-pw' });
  const oldAccess: string = login.body.access_token;
  const oldRefresh: string = login.body.refresh_token;

  // `npm run cli -- token-public-key` with the old key gives what the list needs.
  const printed = await run('scripts/cli.ts', ['token-public-key'], { TOKEN_SECRET_KEY: oldKey, DATABASE_URL: undefined });
  expect(printed.output.trim()).toBe(await publicKeyOf(oldKey));

  await startReplicas({ TOKEN_SECRET_KEY: newKey, TOKEN_PREVIOUS_PUBLIC_KEYS: printed.output.trim() });
  for (const r of replicas) expect(await get(r.base, oldAccess)).toBe(200); // live sessions keep working on both
  const renewed = await post(replicas[1]!.base, '/tokens/renew_access', { refresh_token: oldRefresh });
  expect(renewed.status).toBe(200);
  const newAccess: string = renewed.body.access_token;
  for (const r of replicas) expect(await get(r.base, newAccess)).toBe(200);

  // The old key dropped: its tokens end, the new key's go on.
  await startReplicas({ TOKEN_SECRET_KEY: newKey });
  for (const r of replicas) {
    expect(await get(r.base, oldAccess)).toBe(401);
    expect(await get(r.base, newAccess)).toBe(200);
  }
  // New tokens were signed by the new key only: without it, they are refused.
  await startReplicas({ TOKEN_SECRET_KEY: oldKey });
  expect(await get(replicas[0]!.base, newAccess)).toBe(401);
}, 120_000);

it('a previous key that is not a k4.public key stops the start with one sentence', async () => {
  const r = await run('src/server.ts', [], {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    TOKEN_PREVIOUS_PUBLIC_KEYS: 'k4.secret.oops',
    PORT: String(await freePort()),
  });
  expect(r.code).not.toBe(0);
  expect(r.output).toMatch(/TOKEN_PREVIOUS_PUBLIC_KEYS must be comma-separated PASERK k4\.public keys/);
});

it('npm run cli -- --help names every command and exits 0; an unknown command prints the usage and exits 1', async () => {
  const help = await run('scripts/cli.ts', ['--help'], { DATABASE_URL: undefined });
  expect(help.code).toBe(0);
  for (const c of ['grant-banker', 'revoke-banker', 'new-token-key', 'token-public-key', 'verify-ledger']) expect(help.output).toContain(c);
  const unknown = await run('scripts/cli.ts', ['no-such-command'], { DATABASE_URL: undefined });
  expect(unknown.code).toBe(1);
  expect(unknown.output).toContain('usage: npm run cli --');
});
