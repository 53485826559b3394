// Webhooks: registration and its address rules, Standard Webhooks signatures checked with the
// specification's own npm library (standardwebhooks), visibility, retries after a receiver that was
// down, giving up, the 10 s bound, and the address checked again at delivery. A real receiver (an HTTP
// server on loopback) and the real job queue (graphile-worker) on Postgres.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook } from '../../packages/client/src/index.js';
import { type Jobs, startJobs } from '../../src/platform/jobs.js';
import { createTestApp, depositAs, expectProblem, openAccount, signUp, type TestApp, type TestUser } from '../setup/app.js';

const log = pino({ level: 'silent' });

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A receiver on loopback: what each path answers is up to the test. */
class Receiver {
  readonly got: Received[] = [];
  answer: (r: Received) => number | 'hang' = () => 204;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers as Record<string, string>, body };
      this.got.push(r);
      const a = this.answer(r);
      if (a === 'hang') return; // never answers
      res.writeHead(a).end();
    });
  });
  port = 0;
  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }
  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  on(path: string) {
    return this.got.filter((r) => r.path === path);
  }
  async stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
}

let t: TestApp;
let jobs: Jobs;
let receiver: Receiver;
let banker: TestUser;
let alice: TestUser;
let bob: TestUser;
let aliceAcct: number;
let bobAcct: number;

async function startTheJobs(allowed: string[]) {
  jobs = await startJobs({
    sessionUrl: t.db.url,
    pool: t.db.pool,
    log,
    webhooks: {
      allowedHosts: new Set(allowed),
      retryDelaysMs: [300, 300, 300],
      state: t.deps.webhooks,
      attemptTimeoutMs: 1_000,
    },
  });
}

beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  receiver = new Receiver();
  await receiver.start();
  await startTheJobs(['127.0.0.1']);
  t.deps.events.onNumbered(() => jobs.fanOut());
  banker = await signUp(t, { banker: true, prefix: 'whbank' });
  alice = await signUp(t, { prefix: 'whalice' });
  bob = await signUp(t, { prefix: 'whbob' });
  aliceAcct = (await openAccount(t, alice)).id;
  bobAcct = (await openAccount(t, bob)).id;
  await depositAs(t, banker, aliceAcct, 100_000);
});
afterAll(async () => {
  await jobs.stop();
  await receiver.stop();
  await t.close();
});

const register = (user: TestUser, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/webhook_endpoints', headers: user.auth, payload });

async function until<T>(what: string, check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

async function pay(amount: number) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/transfers',
    headers: alice.auth,
    payload: { from_account_id: aliceAcct, to_account_id: bobAcct, amount, currency: 'USD' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().transfer as { id: number };
}

async function deliveries(user: TestUser, id: number) {
  const res = await t.app.inject({ method: 'GET', url: `/webhook_endpoints/${id}/deliveries?limit=100`, headers: user.auth });
  expect(res.statusCode).toBe(200);
  return res.json().items as { event_id: string; attempt: number; outcome: string; status_code: number | null; error: string | null }[];
}

describe('webhook endpoints', () => {
  test('registration: the secret once, https to public addresses unless the host is allowed; 400 naming url otherwise', async () => {
    const ok = await register(alice, { url: 'https://93.184.216.34/hooks', event_types: ['transfer.posted'] });
    expect(ok.statusCode).toBe(201);
    const created = ok.json();
    expect(created).toMatchObject({ url: 'https://93.184.216.34/hooks', event_types: ['transfer.posted'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const listed = await t.app.inject({ method: 'GET', url: '/webhook_endpoints', headers: alice.auth });
    expect(listed.json()).toEqual([{ id: created.id, url: created.url, event_types: ['transfer.posted'], created_at: created.created_at }]);
    expect(listed.body).not.toContain(created.secret);

    for (const url of [
      'http://93.184.216.34/hooks', // not https
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest/meta-data',
      'https://192.168.1.1/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://localhost/', // resolves to loopback, which is not listed
      'https://user:pw@93.184.216.34/',
      'not a url',
      'ftp://93.184.216.34/',
    ]) {
      const res = await register(alice, { url });
      const body = expectProblem(res, 400, 'validation_failed');
      expect(body.errors?.[0]?.field ?? '').toBe('url');
    }
    expectProblem(await register(alice, { url: 'https://93.184.216.34/', event_types: ['transfer.nope'] }), 400, 'validation_failed');
    expectProblem(await register(alice, { url: 'https://93.184.216.34/', event_types: [] }), 400, 'validation_failed');
    expectProblem(await register(alice, { url: 'https://93.184.216.34/', extra: 1 }), 400, 'validation_failed');

    // Another's endpoint is as absent as one that never was; deleting is 204, then 404.
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${created.id}`, headers: bob.auth }), 404, 'not_found');
    expectProblem(
      await t.app.inject({ method: 'GET', url: `/webhook_endpoints/${created.id}/deliveries`, headers: bob.auth }),
      404,
      'not_found',
    );
    expect((await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${created.id}`, headers: alice.auth })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${created.id}`, headers: alice.auth }), 404, 'not_found');
  });

  test('at most 10 per user, even when registered at once', async () => {
    const carol = await signUp(t, { prefix: 'whcarol' });
    const all = await Promise.all(Array.from({ length: 14 }, (_, i) => register(carol, { url: `https://93.184.216.34/h${i}` })));
    expect(all.filter((r) => r.statusCode === 201)).toHaveLength(10);
    for (const r of all.filter((x) => x.statusCode !== 201)) {
      expect(expectProblem(r, 400, 'validation_failed').errors[0].field).toBe('url');
    }
  });
});

describe('deliveries', () => {
  test('each endpoint gets what its owner may see, signed as Standard Webhooks says (checked with the reference library)', async () => {
    const a = (await register(alice, { url: receiver.url('/alice') })).json();
    const b = (await register(bob, { url: receiver.url('/bob'), event_types: ['transfer.posted'] })).json();
    const all = (await register(banker, { url: receiver.url('/banker') })).json();
    const carol = await signUp(t, { prefix: 'whcarol2' });
    (await register(carol, { url: receiver.url('/carol') })).json();

    const sent = await pay(250);
    const frozen = await t.app.inject({ method: 'POST', url: `/accounts/${bobAcct}/freeze`, headers: banker.auth });
    expect(frozen.statusCode).toBe(200);
    await t.app.inject({ method: 'POST', url: `/accounts/${bobAcct}/unfreeze`, headers: banker.auth });

    const toBob = await until('bob’s delivery', () => receiver.on('/bob').length >= 1 && receiver.on('/bob'));
    await until('alice’s', () => receiver.on('/alice').length >= 1);
    await until('the banker’s', () => receiver.on('/banker').length >= 3);
    await new Promise((r) => setTimeout(r, 1_000)); // anything else that would come

    // Bob: the transfer (the type he asked for), not his account's freeze.
    expect(receiver.on('/bob')).toHaveLength(1);
    const verified = new Webhook(b.secret).verify(toBob[0]!.body, toBob[0]!.headers) as any;
    expect(verified).toMatchObject({ type: 'transfer.posted', data: { transfer: { id: sent.id, amount: 250 } } });
    expect(toBob[0]!.headers['webhook-id']).toBe(verified.id);
    // The typed client's helper agrees.
    expect(await verifyWebhook(b.secret, toBob[0]!.headers, toBob[0]!.body)).toEqual(verified);
    expect(toBob[0]!.headers['content-type']).toBe('application/json');
    // The body is the event as the feed shows it.
    const feed = await t.app.inject({ method: 'GET', url: `/events?after=${verified.sequence - 1}&limit=1`, headers: bob.auth });
    expect(feed.json().items[0]).toEqual(verified);
    // Signed with another secret, or tampered with: the library refuses it.
    expect(() => new Webhook(a.secret).verify(toBob[0]!.body, toBob[0]!.headers)).toThrow();
    expect(() => new Webhook(b.secret).verify(toBob[0]!.body.replace('250', '251'), toBob[0]!.headers)).toThrow();

    // Alice: the transfer only (the freeze is bob's account). The banker: all three. Carol: nothing.
    expect(receiver.on('/alice').map((r) => JSON.parse(r.body).type)).toEqual(['transfer.posted']);
    // Order across events is not promised (deliveries run side by side): `sequence` orders them.
    const bankers = receiver.on('/banker').map((r) => JSON.parse(r.body));
    expect(bankers.sort((x, y) => x.sequence - y.sequence).map((e) => e.type)).toEqual([
      'transfer.posted',
      'account.frozen',
      'account.unfrozen',
    ]);
    for (const r of receiver.on('/banker')) expect(() => new Webhook(all.secret).verify(r.body, r.headers)).not.toThrow();
    expect(receiver.on('/carol')).toEqual([]);

    expect((await deliveries(bob, b.id)).map((d) => [d.event_id, d.attempt, d.outcome, d.status_code])).toEqual([
      [verified.id, 1, 'delivered', 204],
    ]);
    for (const [u, e] of [
      [alice, a],
      [bob, b],
      [banker, all],
    ] as const) {
      await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${e.id}`, headers: u.auth });
    }
  });

  test('a receiver that is down for a while gets the event once it is back: the same webhook-id on every attempt', async () => {
    const e = (await register(alice, { url: receiver.url('/flaky') })).json();
    let refused = 0;
    receiver.answer = (r) => (r.path === '/flaky' && refused++ < 2 ? 503 : 204);
    const sent = await pay(17);
    const got = await until('the third attempt', () => receiver.on('/flaky').length >= 3 && receiver.on('/flaky'));
    receiver.answer = () => 204;
    const ids = new Set(got.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const r of got) expect(new Webhook(e.secret).verify(r.body, r.headers)).toMatchObject({ data: { transfer: { id: sent.id } } });
    const d = await deliveriesUntil(alice, e.id, (xs) => xs.some((x) => x.outcome === 'delivered'));
    expect(d.map((x) => [x.attempt, x.outcome, x.status_code]).reverse()).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'delivered', 204],
    ]);
    await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${e.id}`, headers: alice.auth });
  });

  test('a receiver that never answers 2xx: each attempt bounded, then given up and shown so', async () => {
    const e = (await register(alice, { url: receiver.url('/dead') })).json();
    receiver.answer = (r) => (r.path === '/dead' ? (receiver.on('/dead').length === 1 ? 'hang' : 500) : 204);
    await pay(18);
    const d = await deliveriesUntil(alice, e.id, (xs) => xs.some((x) => x.outcome === 'failed'), 30_000);
    receiver.answer = () => 204;
    expect(d.map((x) => [x.attempt, x.outcome]).reverse()).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'retrying'],
      [4, 'failed'],
    ]);
    // The first attempt hung: cut at the bound (1 s here, 10 s by default), no status.
    const first = d[d.length - 1]!;
    expect([first.status_code, first.error]).toEqual([null, 'no answer within 1 s']);
    await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${e.id}`, headers: alice.auth });
  }, 40_000);

  test('the address is checked again at every delivery: a host no longer allowed is refused, nothing is sent', async () => {
    const e = (await register(alice, { url: receiver.url('/later-refused') })).json();
    await jobs.stop();
    await startTheJobs([]); // WEBHOOK_ALLOWED_HOSTS now without 127.0.0.1
    try {
      await pay(19);
      const d = await deliveriesUntil(alice, e.id, (xs) => xs.length > 0);
      expect(d[0]).toMatchObject({
        attempt: 1,
        outcome: 'retrying',
        status_code: null,
        error: 'refused: 127.0.0.1 is not a public address',
      });
      expect(receiver.on('/later-refused')).toEqual([]);
    } finally {
      await t.app.inject({ method: 'DELETE', url: `/webhook_endpoints/${e.id}`, headers: alice.auth });
      await jobs.stop();
      await startTheJobs(['127.0.0.1']);
    }
  });
});

async function deliveriesUntil(user: TestUser, id: number, pred: (xs: Awaited<ReturnType<typeof deliveries>>) => boolean, ms = 20_000) {
  const start = Date.now();
  for (;;) {
    const xs = await deliveries(user, id);
    if (pred(xs)) return xs;
    if (Date.now() - start > ms) throw new Error(`deliveries: ${JSON.stringify(xs)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
