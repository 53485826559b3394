// Email verification as the Go project does it, through the worker: a real SMTP exchange with a local
// SMTP server (npm smtp-server) on loopback, the link, the 15-minute code, is_email_verified, the
// user.email_verified event; an email queued before the job queue existed is sent by the sweep.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { type Jobs, startJobs } from '../../src/platform/jobs.js';
import { createTestApp, expectProblem, signUp, type TestApp, uniqueName } from '../setup/app.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

const log = pino({ level: 'silent' });
let t: TestApp;
let jobs: Jobs;
let smtp: SMTPServer;
const inbox: Mail[] = [];
let smtpPort = 0;
const PUBLIC_URL = 'https://bank.example.test';

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
  t = await createTestApp({
    env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL, MAIL_FROM: 'Simple Bank <hello@bank.example.test>' },
  });
});
afterAll(async () => {
  await jobs?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await t.close();
});

const startTheJobs = async () => {
  jobs = await startJobs({
    sessionUrl: t.db.url,
    pool: t.db.pool,
    log,
    mail: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Simple Bank <hello@bank.example.test>', publicUrl: PUBLIC_URL },
  });
};

async function mailTo(address: string, ms = 20_000): Promise<Mail> {
  const start = Date.now();
  for (;;) {
    const m = inbox.find((x) => x.to.includes(address));
    if (m) return m;
    if (Date.now() - start > ms) throw new Error(`no mail to ${address} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The link of a mail (quoted-printable soft breaks undone). */
function linkIn(m: Mail): URL {
  const text = m.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const found = /https:\/\/bank\.example\.test\/verify_email\?email_id=\d+&secret_code=[A-Za-z0-9_-]+/.exec(text);
  if (!found) throw new Error(`no link in:\n${m.raw}`);
  return new URL(found[0]);
}

/** The user as a login shows it. */
const me = async (u: { username: string; password: string }) =>
  (await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: u.username, password: u.password } })).json().user;

const follow = (url: URL) => t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });

describe('email verification', () => {
  test('a sign-up queued before the job queue existed is sent once it runs (the sweep); the link verifies the email once', async () => {
    // No worker yet, so no job queue schema: the sign-up stores its email to send, nothing more.
    const early = await signUp(t, { prefix: 'early' });
    expect(Number((await t.db.pool.query('SELECT count(*) FROM verify_emails WHERE sent_at IS NULL')).rows[0].count)).toBeGreaterThan(0);
    await startTheJobs();
    // The sweep queues what is unsent a minute after it was queued: age it, then run the sweep now.
    await t.db.pool.query(`UPDATE verify_emails SET created_at = created_at - interval '2 minutes'`);
    await t.db.pool.query(`SELECT graphile_worker.add_job('verify_email_sweep', '{}'::json)`);
    const m = await mailTo(early.email);
    expect(m.from).toBe('hello@bank.example.test');
    expect(m.raw).toMatch(/Subject: Welcome to simple bank/);

    const link = linkIn(m);
    const ok = await follow(link);
    expect([ok.statusCode, ok.json()]).toEqual([200, { is_verified: true }]);
    expectProblem(await follow(link), 422, 'verification_invalid'); // used
    expect(await me(early)).toMatchObject({ email: early.email, is_email_verified: true });
  });

  test('a sign-up, with the queue running: the email goes at once; wrong and expired codes are 422; the event is the user’s', async () => {
    const bob = await signUp(t, { prefix: 'bob' });
    const other = await signUp(t, { prefix: 'other' });
    const link = linkIn(await mailTo(bob.email));
    const id = link.searchParams.get('email_id')!;

    expectProblem(
      await t.app.inject({ method: 'GET', url: `/verify_email?email_id=${id}&secret_code=wrongwrongwrong` }),
      422,
      'verification_invalid',
    );
    expectProblem(await t.app.inject({ method: 'GET', url: `/verify_email?email_id=999999&secret_code=abc` }), 422, 'verification_invalid');
    for (const q of ['', '?email_id=1', '?email_id=x&secret_code=abc', '?email_id=1&secret_code=a%20b', '?email_id=0&secret_code=abc']) {
      expectProblem(await t.app.inject({ method: 'GET', url: `/verify_email${q}` }), 400, 'validation_failed');
    }
    // Past its 15 minutes.
    await t.db.pool.query(`UPDATE verify_emails SET expired_at = now() - interval '1 second' WHERE id = $1`, [id]);
    expectProblem(await follow(link), 422, 'verification_invalid');
    await t.db.pool.query(`UPDATE verify_emails SET expired_at = now() + interval '15 minutes' WHERE id = $1`, [id]);
    expect((await follow(link)).statusCode).toBe(200);

    // user.email_verified: bob's own event, not another user's.
    const seen = async (u: typeof bob) => {
      for (let i = 0; i < 100; i++) {
        const items = (await t.app.inject({ method: 'GET', url: '/events?limit=1000', headers: u.auth })).json().items;
        if (items.length > 0 || u === other) return items;
        await new Promise((r) => setTimeout(r, 50));
      }
      return [];
    };
    const mine = await seen(bob);
    expect(mine.map((e: any) => e.type)).toEqual(['user.email_verified']);
    expect(mine[0].data.user).toMatchObject({ username: bob.username, email: bob.email, is_email_verified: true });
    expect(await seen(other)).toEqual([]);
  });

  test('a change of email is unverified until its own link is followed; the old link no longer verifies anything', async () => {
    const carol = await signUp(t, { prefix: 'carol' });
    const first = linkIn(await mailTo(carol.email));
    const newEmail = `${uniqueName('new')}@example.com`;
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/users/${carol.username}`,
      headers: carol.auth,
      payload: { email: newEmail },
    });
    expect(changed.json()).toMatchObject({ email: newEmail, is_email_verified: false });
    expectProblem(await follow(first), 422, 'verification_invalid'); // for the old address
    const second = linkIn(await mailTo(newEmail));
    expect((await follow(second)).statusCode).toBe(200);
    expect(await me(carol)).toMatchObject({ email: newEmail, is_email_verified: true });
  });

  test('without SMTP_URL nothing is sent, and the worker says so once, at start', async () => {
    const lines: string[] = [];
    const quiet = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const off = await startJobs({ sessionUrl: t.db.url, pool: t.db.pool, log: quiet });
    await off.stop();
    expect(lines.filter((l) => l.includes('SMTP_URL is not set'))).toHaveLength(1);
  });
});
