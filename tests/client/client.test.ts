// The typed client against a real listening server and real Postgres.
import { BankApiError, BankClient } from '../../packages/client/src/index.js';
import { grantBanker } from '../../src/users/users.service.js';
import { run } from '../process/helpers.js';
import { createTestApp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp({ accessTokenMs: 5_000 }); // short-lived tokens: the client must renew
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const a = t.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await t.close();
});

/** A fetch that records every request and lets a test break chosen attempts. */
function recordingFetch(fault?: (req: Request, n: number) => 'lose-response' | 'answer-503' | undefined) {
  const calls: { method: string; path: string; key: string | null }[] = [];
  const f = async (req: Request) => {
    const path = new URL(req.url).pathname;
    calls.push({ method: req.method, path, key: req.headers.get('idempotency-key') });
    const n = calls.filter((c) => c.path === path && c.method === req.method).length;
    const what = fault?.(req, n);
    if (what === 'answer-503') {
      return new Response(
        JSON.stringify({
          type: 'urn:simple-bank:problem:unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'down',
          code: 'unavailable',
        }),
        {
          status: 503,
          headers: { 'content-type': 'application/problem+json' },
        },
      );
    }
    const res = await fetch(req);
    if (what === 'lose-response') throw new TypeError('fetch failed (simulated: the answer was lost after the server committed)');
    return res;
  };
  return { calls, fetch: f };
}

async function user(client: BankClient, banker = false) {
  const username = uniqueName(banker ? 'cbank' : 'cuser');
  await client.signUp({ username, full_name: username, email: `${username}@example.com`, password: 'client-pass-1' });
  if (banker) await grantBanker(t.db.pool, username);
  await client.login(username, 'client-pass-1');
  return username;
}

it('logs in, opens accounts, deposits, transfers and reads the statement with full types', async () => {
  const bank = new BankClient({ baseUrl });
  const alice = new BankClient({ baseUrl });
  const bob = new BankClient({ baseUrl });
  await user(bank, true);
  await user(alice);
  await user(bob);
  const a = await alice.createAccount('EUR');
  const b = await bob.createAccount('EUR');
  await bank.deposit({ account_id: a.id, amount: 900 });
  const r = await alice.transfer({ from_account_id: a.id, to_account_id: b.id, amount: 400, currency: 'EUR' });
  expect(r.from_account.balance).toBe(500);
  expect((await bob.getTransfer(r.transfer.id)).amount).toBe(400);
  expect((await alice.statement(a.id)).items.map((e) => e.amount)).toEqual([-400, 900]);
  expect((await alice.listAccounts()).map((x) => x.id)).toEqual([a.id]);
});

it('v1.3 with the typed client: a hold, a partial capture, a refund, the balance as of a time, freeze and close', async () => {
  const bank = new BankClient({ baseUrl });
  const shop = new BankClient({ baseUrl });
  const buyer = new BankClient({ baseUrl });
  await user(bank, true);
  await user(shop);
  await user(buyer);
  const b = await buyer.createAccount('CAD');
  const s = await shop.createAccount('CAD');
  await bank.deposit({ account_id: b.id, amount: 5_000, reference: 'top-up' });
  const before = new Date();
  const held = await buyer.transfer({
    from_account_id: b.id,
    to_account_id: s.id,
    amount: 2_500,
    currency: 'CAD',
    pending: true,
    timeout_seconds: 600,
    reference: 'order-7',
    metadata: { order: '7' },
  });
  expect(held).toMatchObject({
    transfer: { status: 'pending', posted_amount: 0 },
    from_account: { balance: 5_000, available_balance: 2_500 },
  });
  expect(held.from_entry).toBeNull();
  const captured = await buyer.postTransfer(held.transfer.id, { amount: 2_000 });
  expect(captured).toMatchObject({
    transfer: { status: 'posted', posted_amount: 2_000 },
    from_account: { balance: 3_000, available_balance: 3_000 },
  });
  const refund = await shop.reverseTransfer(held.transfer.id, { amount: 500, reference: 'refund-7' });
  expect(refund.transfer).toMatchObject({ reverses_transfer_id: held.transfer.id, amount: 500, reference: 'refund-7' });
  expect((await buyer.getAccount(b.id)).balance).toBe(3_500);
  expect((await buyer.balanceAt(b.id, before)).balance).toBe(5_000);
  const voidable = await buyer.transfer({ from_account_id: b.id, to_account_id: s.id, amount: 1, currency: 'CAD', pending: true });
  expect((await shop.voidTransfer(voidable.transfer.id)).transfer.status).toBe('voided');
  expect((await bank.setAccountState(s.id, 'freeze')).status).toBe('frozen');
  await expect(buyer.transfer({ from_account_id: b.id, to_account_id: s.id, amount: 1, currency: 'CAD' })).rejects.toMatchObject({
    status: 422,
    code: 'account_frozen',
  });
  await bank.setAccountState(s.id, 'unfreeze');
  await expect(shop.setAccountState(s.id, 'close')).rejects.toMatchObject({ code: 'account_not_empty' });
  await shop.transfer({ from_account_id: s.id, to_account_id: b.id, amount: 1_500, currency: 'CAD' });
  expect((await shop.setAccountState(s.id, 'close')).status).toBe('closed');
});

it('turns problem+json into BankApiError with the contract code, and does not retry it', async () => {
  const rec = recordingFetch();
  const alice = new BankClient({ baseUrl, fetch: rec.fetch });
  await user(alice);
  const a = await alice.createAccount('USD');
  const err = await alice.transfer({ from_account_id: a.id, to_account_id: a.id + 1_000_000, amount: 5, currency: 'USD' }).catch((e) => e);
  expect(err).toBeInstanceOf(BankApiError);
  expect([err.status, err.code]).toEqual([404, 'not_found']);
  expect(rec.calls.filter((c) => c.path === '/transfers')).toHaveLength(1);
});

it('renews the access token before it expires', async () => {
  const rec = recordingFetch();
  const alice = new BankClient({ baseUrl, fetch: rec.fetch });
  await user(alice);
  await alice.listAccounts(); // the 5 s token is within the 10 s renewal margin
  expect(rec.calls.some((c) => c.path === '/tokens/renew_access')).toBe(true);
  await new Promise((r) => setTimeout(r, 5_200)); // the first access token has expired by now
  await expect(alice.listAccounts()).resolves.toEqual([]);
});

it('retries a transfer whose answer was lost with the same key: the money moves once', async () => {
  const rec = recordingFetch((req, n) => (new URL(req.url).pathname === '/transfers' && n === 1 ? 'lose-response' : undefined));
  const bank = new BankClient({ baseUrl });
  const alice = new BankClient({ baseUrl, fetch: rec.fetch, backoffMs: 10 });
  await user(bank, true);
  const name = await user(alice);
  const a = await alice.createAccount('CAD');
  const other = new BankClient({ baseUrl });
  await user(other);
  const b = await other.createAccount('CAD');
  await bank.deposit({ account_id: a.id, amount: 1_000 });

  const r = await alice.transfer({ from_account_id: a.id, to_account_id: b.id, amount: 300, currency: 'CAD' });
  const attempts = rec.calls.filter((c) => c.path === '/transfers');
  expect(attempts).toHaveLength(2);
  expect(attempts[0]!.key).toBeTruthy();
  expect(attempts[1]!.key).toBe(attempts[0]!.key);
  expect(r.from_account.balance).toBe(700);
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM transfers WHERE from_account_id = $1', [a.id]);
  expect(rows[0].n).toBe(1);
  expect(name).toBeTruthy();
});

it('retries on 503 with back-off, and gives up with `unavailable` after its attempts', async () => {
  const flaky = recordingFetch((req, n) =>
    new URL(req.url).pathname === '/accounts' && req.method === 'GET' && n <= 2 ? 'answer-503' : undefined,
  );
  const alice = new BankClient({ baseUrl, fetch: flaky.fetch, backoffMs: 5 });
  await user(alice);
  await expect(alice.listAccounts()).resolves.toEqual([]);
  expect(flaky.calls.filter((c) => c.path === '/accounts' && c.method === 'GET')).toHaveLength(3);

  const down = recordingFetch((req) => (new URL(req.url).pathname === '/accounts' && req.method === 'GET' ? 'answer-503' : undefined));
  const bob = new BankClient({ baseUrl, fetch: down.fetch, backoffMs: 1, attempts: 3 });
  await user(bob);
  const err = await bob.listAccounts().catch((e) => e);
  expect([err.status, err.code]).toEqual([503, 'unavailable']);
  expect(down.calls.filter((c) => c.path === '/accounts' && c.method === 'GET')).toHaveLength(3);
});

it('never retries a call that is not safe to repeat (opening an account)', async () => {
  const rec = recordingFetch((req) => (new URL(req.url).pathname === '/accounts' && req.method === 'POST' ? 'answer-503' : undefined));
  const alice = new BankClient({ baseUrl, fetch: rec.fetch, backoffMs: 1 });
  await user(alice);
  await expect(alice.createAccount('USD')).rejects.toMatchObject({ status: 503, code: 'unavailable' });
  expect(rec.calls.filter((c) => c.path === '/accounts' && c.method === 'POST')).toHaveLength(1);
});

it("the client package's example (packages/client/examples/payout-job.ts) runs against a local server", async () => {
  // It imports `@simple-bank/client` as another project does: the workspace link to the built package.
  const { spawnSync } = await import('node:child_process');
  const { projectRoot } = await import('../../src/platform/paths.js');
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/client/tsconfig.json'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  expect(build.stdout + build.stderr).toBe('');
  const banker = uniqueName('payout');
  const setup = new BankClient({ baseUrl });
  await setup.signUp({ username: banker, full_name: 'Payout', email: `${banker}@example.com`, password: 'payout-banker' });
  await grantBanker(t.db.pool, banker);
  const res = await run('packages/client/examples/payout-job.ts', [], {
    BANK_URL: baseUrl,
    BANKER: banker,
    BANKER_PASSWORD: 'payout-banker',
  });
  expect(res.output).toMatch(/payout \d+: 12000 cents, merchant balance now 13000/);
  expect(res.output).toMatch(/second payout refused: insufficient_funds/);
  expect(res.output).toMatch(/entry \d+: -12000\n.*entry \d+: \+25000/s);
  expect(res.code).toBe(0);
});

describe('network failures are BankApiError unavailable; timeouts; Retry-After', () => {
  it('signUp and login against a server that is not there: BankApiError(0, unavailable), not a raw TypeError', async () => {
    const { freePort } = await import('../process/helpers.js');
    const nowhere = new BankClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, attempts: 2, backoffMs: 1 });
    for (const call of [
      () => nowhere.signUp({ username: 'nobody', full_name: 'N', email: 'n@example.com', password: 'password-1' }),
      () => nowhere.login('nobody', 'password-1'),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BankApiError);
      expect(err).toMatchObject({ status: 0, code: 'unavailable' });
    }
  });

  it('a server that never answers is abandoned after timeoutMs, whatever the garbage collector does meanwhile', async () => {
    // Node's fetch follows a Request's signal through weak references: a Request made only to carry
    // the timeout, once collected, took the timeout with it and the call hung for good (1 run in 5
    // on Node 24 without forcing it; every run with collections forced while it waits).
    const { createServer } = await import('node:net');
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    const collecting = setInterval(gc, 10);
    try {
      const c = new BankClient({ baseUrl: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, timeoutMs: 300 });
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const hung = new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5_000).unref());
        const err = await Promise.race([c.login('x', 'y').catch((e: unknown) => e), hung]);
        expect(err).toMatchObject({ status: 0, code: 'unavailable' });
        expect(Date.now() - t0).toBeLessThan(5_000);
      }
    } finally {
      clearInterval(collecting);
      silent.close();
    }
  });

  it('a 503 with Retry-After is retried after that long, not sooner', async () => {
    let n = 0;
    const retryAfterFetch = async (req: Request) => {
      if (new URL(req.url).pathname.startsWith('/accounts/') && n++ === 0) {
        return new Response(
          JSON.stringify({
            type: 'urn:simple-bank:problem:unavailable',
            title: 'Service Unavailable',
            status: 503,
            detail: 'busy',
            code: 'unavailable',
          }),
          {
            status: 503,
            headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
          },
        );
      }
      return fetch(req);
    };
    const c = new BankClient({ baseUrl, fetch: retryAfterFetch, backoffMs: 1 });
    await user(c);
    const a = await c.createAccount('CAD');
    const t0 = Date.now();
    expect((await c.getAccount(a.id)).id).toBe(a.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(n).toBe(2);
  });
});
