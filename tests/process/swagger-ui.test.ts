// Swagger UI's "Try it out" in a real browser (#32 item 4): headless Chromium (Debian's, installed by
// scripts/install-system-deps.sh; driven by puppeteer-core) against a running server clicks through
// sign-up, login, Authorize, opening an account and a transfer, each sending the document's example
// untouched, and each answered with its success status.
import { execFileSync } from 'node:child_process';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { generateSecretKey } from '../../src/auth/tokens.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { freePort, type Proc, runTs, waitForReady } from './helpers.js';

let db: TestDb;
let server: Proc;
let api: string;
let browser: Browser;

beforeAll(async () => {
  db = await createTestDb(4);
  const port = await freePort();
  server = runTs('src/server.ts', [], {
    DATABASE_URL: db.url,
    TOKEN_SECRET_KEY: await generateSecretKey(),
    PORT: String(port),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOG_LEVEL: 'warn',
  });
  api = `http://127.0.0.1:${port}`;
  await waitForReady(api, server);
  const chromium = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  server.child.kill('SIGTERM');
  await server.exited;
  await db.drop();
});

const call = async (method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(api + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
};

/** Expands an operation, presses "Try it out" then "Execute" with its example as it is: status and body. */
async function tryItOut(page: Page, tag: string, operationId: string): Promise<{ status: string; body: string }> {
  const op = `#operations-${tag}-${operationId}`;
  await page.waitForSelector(`${op} .opblock-summary`);
  if (!(await page.$(`${op}.is-open`))) await page.click(`${op} .opblock-summary`);
  await page.waitForSelector(`${op} button.try-out__btn`);
  await page.click(`${op} button.try-out__btn`);
  await page.waitForSelector(`${op} button.execute`);
  await page.click(`${op} button.execute`);
  await page.waitForSelector(`${op} .live-responses-table tbody .response-col_status`, { timeout: 10_000 });
  return page.$eval(`${op} .live-responses-table`, (el) => ({
    status: (el.querySelector('tbody .response-col_status')?.textContent ?? '').trim(),
    body: el.querySelector('tbody .response-col_description pre')?.textContent ?? '',
  }));
}

it('sign-up, login, Authorize, an account and a transfer, each with its example as it is', async () => {
  const page = await browser.newPage();
  await page.goto(`${api}/docs`, { waitUntil: 'networkidle0' });

  const signUp = await tryItOut(page, 'users', 'createUser');
  expect(signUp.status).toBe('201');
  expect(JSON.parse(signUp.body)).toMatchObject({ username: 'alice', email: 'alice@example.com' });

  const login = await tryItOut(page, 'users', 'loginUser');
  expect(login.status).toBe('200');
  const token = JSON.parse(login.body).access_token as string;

  // Authorize: the bearer token for every call that needs one.
  await page.click('.auth-wrapper button.authorize');
  await page.waitForSelector('.modal-ux input[type=text]');
  await page.type('.modal-ux input[type=text]', token);
  await page.click('.modal-ux button.modal-btn.auth.authorize');
  await page.click('.modal-ux button.modal-btn.auth.btn-done');

  const opened = await tryItOut(page, 'accounts', 'createAccount');
  expect(opened.status).toBe('201');
  expect(JSON.parse(opened.body)).toMatchObject({ id: 4, owner: 'alice', currency: 'USD' });

  // The rest of the journey, through the API: bob and his account (5), alice a banker with 10000 cents.
  await call('POST', '/users', { username: 'bob', full_name: 'Bob', email: 'bob@example.com', password: 'bob-secret-12' });
  const bob = (await call('POST', '/users/login', { username: 'bob', password: 'bob-secret-12' })).body.access_token as string;
  expect((await call('POST', '/accounts', { currency: 'USD' }, bob)).body.id).toBe(5);
  // As `npm run cli -- grant-banker alice` does; the server hears of the role change through its
  // listener (within 2 s): a deposit refused 403 until then moves nothing.
  await grantBanker(db.pool, 'alice');
  let deposited = 0;
  for (const until = Date.now() + 5_000; deposited !== 201 && Date.now() < until; ) {
    deposited = (await call('POST', '/deposits', { account_id: 4, amount: 10_000 }, token)).status;
    if (deposited !== 201) await new Promise((r) => setTimeout(r, 200));
  }
  expect(deposited).toBe(201);

  const paid = await tryItOut(page, 'transfers', 'createTransfer');
  expect(paid.status).toBe('201');
  expect(JSON.parse(paid.body)).toMatchObject({ transfer: { from_account_id: 4, to_account_id: 5, amount: 2500 } });
  expect((await call('GET', '/accounts/5', undefined, bob)).body.balance).toBe(2500);
}, 60_000);
