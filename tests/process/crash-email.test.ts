// SIGKILL of the service while sign-ups commit loses no verification email: each sign-up that committed
// stored its email to send (and its job) in its own transaction; after the restart every one of them
// reaches a real SMTP server (npm smtp-server) on loopback, at least once — those whose jobs the dead
// worker held by the sweep, which the cron runs every minute (run at once here).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { attachOrStartEmbedded } from '../../src/platform/embedded-postgres.js';
import { freePort, type Proc, runTs, waitForOutput, waitForReady } from './helpers.js';

const received: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, done) {
    stream.resume();
    stream.on('end', () => {
      received.push(...session.envelope.rcptTo.map((r) => r.address));
      done();
    });
  },
});
const procs: Proc[] = [];
let dataDir = '';

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise((r) => setTimeout(r, 500));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('SIGKILL while sign-ups commit: after the restart every committed sign-up gets its verification email', async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  dataDir = await mkdtemp(join(tmpdir(), 'simplebank-mailcrash-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: undefined,
    TOKEN_SECRET_KEY: undefined,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(port),
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
  };
  let server = runTs('src/server.ts', [], env);
  procs.push(server);
  await waitForReady(base, server);

  // 60 sign-ups from 6 loops; the server is killed once 15 have been answered.
  const answered: string[] = [];
  let killed = false;
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < 60) {
        const name = `mail_${next++}`;
        try {
          const r = await fetch(`${base}/users`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: name, full_name: name, email: `${name}@example.com`, password: 'mail-password' }),
          });
          if (r.status === 201) answered.push(name);
        } catch {
          /* the server is gone */
        }
        if (!killed && answered.length >= 15) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    }),
  );
  await server.exited;
  expect(answered.length).toBeLessThan(60); // the kill really cut sign-ups off

  server = runTs('src/server.ts', [], env);
  procs.push(server);
  await waitForReady(base, server);
  // The worker starts beside the service (it does not hold up /readyz); on a first start it installs the
  // queue's schema (graphile-worker's own migrations), and a job added meanwhile can meet a table being
  // replaced. The test adds the sweep's job once the queue is there, as the cron would.
  await waitForOutput(server, /background jobs started/, 60_000);
  const db = await attachOrStartEmbedded({ dataDir, port: Number(env.EMBEDDED_PG_PORT) });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    // What committed: the users (answered or not), each with its email to send.
    const { rows } = await c.query<{ username: string; email: string }>(`SELECT username, email FROM users WHERE username LIKE 'mail\\_%'`);
    const committed = rows.map((r) => r.email).sort();
    expect(committed.length).toBeGreaterThanOrEqual(answered.length);
    const { rows: queued } = await c.query<{ n: string }>(
      `SELECT count(DISTINCT username) AS n FROM verify_emails WHERE username LIKE 'mail\\_%'`,
    );
    expect(Number(queued[0]!.n)).toBe(committed.length);
    // The sweep, as the cron runs it a minute on: emails still unsent are queued again.
    await c.query(`UPDATE verify_emails SET created_at = created_at - interval '2 minutes' WHERE sent_at IS NULL`);
    await c.query(`SELECT graphile_worker.add_job('verify_email_sweep', '{}'::json)`);
    for (let i = 0; committed.some((e) => !received.includes(e)); i++) {
      if (i > 300) throw new Error(`no email for ${committed.filter((e) => !received.includes(e)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Each is then marked sent — by its worker once the SMTP server has taken it, a moment after the
    // server saw it (CI once read 2 still unmarked at the instant the last one arrived).
    let unsent = -1;
    for (let i = 0; i < 100 && unsent !== 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM verify_emails WHERE sent_at IS NULL`);
      unsent = Number(rows[0]!.n);
    }
    expect(unsent).toBe(0);
  } finally {
    await c.end();
  }
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}, 180_000);
