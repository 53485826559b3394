// `npm start` as a supervisor runs it: SIGTERM to the npm process stops the server and its embedded
// Postgres, leaving nothing running.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { freePort, portInUse, waitForReady } from './helpers.js';

it('SIGTERM to `npm start` stops node and its embedded Postgres', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
  const port = await freePort();
  const pgPort = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      EMBEDDED_PG_PORT: String(pgPort),
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await waitForReady(`http://127.0.0.1:${port}`, { child, output: () => out, exited }, 90_000);
    child.kill('SIGTERM');
    await exited;
    // Within a few seconds nothing of it runs: not the server, not its Postgres.
    const left = () =>
      spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.includes(dataDir));
    for (let i = 0; i < 100 && (left().length > 0 || (await portInUse(port)) || (await portInUse(pgPort))); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(left()).toEqual([]);
    expect(await portInUse(port)).toBe(false);
    expect(await portInUse(pgPort)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);

it('Ctrl-C on `npm start` (SIGINT to the whole process group: node gets it from the terminal and again from npm) stops cleanly, exit 0', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-int-'));
  const port = await freePort();
  const pgPort = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    detached: true, // a process group of its own, as a terminal's foreground job has
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      EMBEDDED_PG_PORT: String(pgPort),
      DATABASE_URL: '',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await waitForReady(`http://127.0.0.1:${port}`, { child, output: () => out, exited }, 90_000);
    process.kill(-child.pid!, 'SIGINT'); // what the terminal does on Ctrl-C
    expect(await exited).toBe(0);
    expect(out).not.toMatch(/second SIGINT/);
    expect(out).toMatch(/"msg":"stopped"/);
    for (let i = 0; i < 100 && ((await portInUse(port)) || (await portInUse(pgPort))); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await portInUse(pgPort)).toBe(false);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);
