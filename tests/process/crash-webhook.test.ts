// SIGKILL of the service while a webhook delivery is in flight: the attempt is cut, its job is left
// locked by a worker that no longer exists, and graphile-worker alone would wait 4 hours to run it
// again. After the restart the delivery arrives within seconds, with the same webhook-id
// (src/platform/job-liveness.ts frees the jobs of workers whose session is gone).
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { freePort, type Proc, runTs, waitForOutput, waitForReady } from './helpers.js';

const got: { id: string; at: number }[] = [];
let hang = true;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    got.push({ id: String(req.headers['webhook-id']), at: Date.now() });
    if (hang) return; // the first attempt is never answered: the service dies with it in flight
    res.writeHead(204).end();
  });
});
const procs: Proc[] = [];
let dataDir = '';

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  receiver.closeAllConnections();
  receiver.close();
  await new Promise((r) => setTimeout(r, 500));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('a delivery cut by SIGKILL is made again within seconds of the restart, under the same webhook-id', async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  dataDir = await mkdtemp(join(tmpdir(), 'simplebank-hookcrash-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: undefined,
    TOKEN_SECRET_KEY: undefined,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(port),
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
  };
  let server = runTs('src/server.ts', [], env);
  procs.push(server);
  await waitForReady(base, server);
  await waitForOutput(server, /background jobs started/, 60_000);

  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  expect((await post('/users', { username: 'hooked', full_name: 'H', email: 'h@example.com', password: 'hook-password' })).status).toBe(
    201,
  );
  const token = (await post('/users/login', { username: 'hooked', password: 'hook-password' })).body.access_token as string;
  expect((await post('/webhook_endpoints', { url: hook }, token)).status).toBe(201);
  expect((await post('/accounts', { currency: 'USD' }, token)).status).toBe(201); // account.opened: one delivery

  for (const end = Date.now() + 30_000; got.length === 0; ) {
    if (Date.now() > end) throw new Error(`no delivery attempt:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  server.child.kill('SIGKILL');
  await server.exited;
  const firstId = got[0]!.id;
  expect(firstId).toMatch(/^evt_[0-9]+$/);

  hang = false;
  server = runTs('src/server.ts', [], env);
  procs.push(server);
  await waitForReady(base, server);
  const restarted = Date.now();
  // The dead worker's job is freed once past the grace (10 s) by a sweep (every 10 s), then run.
  for (const end = restarted + 40_000; got.length < 2; ) {
    if (Date.now() > end) throw new Error(`the cut delivery was not made again within 40 s:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(got.map((g) => g.id)).toEqual([firstId, firstId]);
  expect(got[1]!.at - restarted).toBeLessThan(40_000);
  expect(server.output()).toMatch(/stopped job worker\(s\) freed/);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}, 180_000);
