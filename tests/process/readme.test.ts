// The README's first journey, run exactly as written (its one `sh` block under "A first journey")
// against a fresh service started the way `npm start` starts it: every line must work as a newcomer
// would type it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { freePort, type Proc, runTs, waitForReady } from './helpers.js';

function journey(): string {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.split('\n## A first journey')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no sh block under "## A first journey"');
  return block;
}

let dataDir: string;
let server: Proc | undefined;
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await rm(dataDir, { recursive: true, force: true });
});

it("the README's journey runs as written against a fresh start: accounts, a deposit, a transfer, a statement, a hold captured in part, a refund", async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'readme-'));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), DATABASE_URL: '', LOG_LEVEL: 'warn' };
  server = runTs('src/server.ts', [], { ...env, PORT: String(port) });
  await waitForReady(`http://127.0.0.1:${port}`, server, 90_000);

  const script = journey();
  expect(script).toContain('http://127.0.0.1:8080'); // the README speaks of the default port
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)], {
    cwd: projectRoot,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${run.stdout}\n${run.stderr}`;
  expect({ status: run.status, errors: /"status":\s*[45]\d\d/.test(run.stdout) ? out : '' }).toEqual({ status: 0, errors: '' });
  // Each answer, in order: two users, the deposit, the transfer, Bob's account, Alice's statement.
  const answers = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{') || l.startsWith('['))
    .map((l) => JSON.parse(l));
  expect(answers).toHaveLength(11);
  expect(answers[0]).toMatchObject({ username: 'alice', role: 'depositor' });
  expect(answers[1]).toMatchObject({ username: 'bob' });
  expect(answers[2]).toMatchObject({ transfer: { amount: 10000 }, from_account: { owner: 'simplebank_system' } });
  expect(answers[3]).toMatchObject({ transfer: { amount: 2500 }, from_account: { balance: 7500 } });
  expect(answers[4]).toMatchObject({ owner: 'bob', balance: 2500, currency: 'USD' });
  expect(answers[5].items.map((e: { amount: number }) => e.amount)).toEqual([-2500, 10000]);
  expect(answers[6]).toMatchObject({ balance: 7500, available_balance: 4500, pending_debits: 3000 });
  expect(answers[7]).toMatchObject({
    transfer: { status: 'posted', posted_amount: 2000, reference: 'order-42' },
    from_account: { balance: 5500 },
  });
  expect(answers[8]).toMatchObject({ transfer: { amount: 500, reverses_transfer_id: answers[7].transfer.id } });
  expect(answers[9]).toMatchObject({ balance: 6000, currency: 'USD' });
  // Bob's events: his account, the payment, the hold and its capture (the refund too, once numbered).
  const types = answers[10].items.map((e: { type: string }) => e.type);
  expect(types.slice(0, 4)).toEqual(['account.opened', 'transfer.posted', 'transfer.pending', 'transfer.posted']);
}, 240_000);
