// On a terminal the logger is pretty where pino-pretty is installed, and plain JSON where it is not
// (production dependencies only): it never crashes looking for a dev dependency.
import { spawn, spawnSync } from 'node:child_process';
import { projectRoot } from '../../src/platform/paths.js';

/** Runs a snippet under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
function onTerminal(prettyModule: string): string {
  const snippet = `import('./src/platform/logger.ts').then((m) => m.createLogger('info', undefined, '${prettyModule}').info('hello from a tty'))`;
  const r = spawnSync('script', ['-qec', `node --import tsx -e "${snippet}"`, '/dev/null'], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'development' },
  });
  expect(r.status).toBe(0);
  return r.stdout;
}

it('pretty on a terminal when pino-pretty is there', () => {
  const out = onTerminal('pino-pretty');
  expect(out).toMatch(/INFO.*hello from a tty/);
  expect(out).not.toMatch(/"msg":"hello from a tty"/);
});

it('plain JSON on a terminal when it is not installed (production dependencies)', () => {
  const out = onTerminal('pino-pretty-is-not-installed-here');
  expect(out).toMatch(/"msg":"hello from a tty"/);
});

it('a Postgres error is logged without its row data (detail, where)', async () => {
  const { createLogger } = await import('../../src/platform/logger.js');
  const lines: string[] = [];
  const log = createLogger('info', { write: (l: string) => lines.push(l) } as never);
  const err = Object.assign(new Error('new row for relation "idempotency_keys" violates check constraint "idempotency_keys_key_length"'), {
    code: '23514',
    constraint: 'idempotency_keys_key_length',
    detail: 'Failing row contains (alice, , \\x01, 201, {"from_account": {"balance": 4242}}).',
    where: 'SQL statement "INSERT INTO idempotency_keys …"',
  });
  log.error({ err }, 'unhandled error');
  const line = JSON.parse(lines[0]!);
  expect(line.err).toMatchObject({ code: '23514', constraint: 'idempotency_keys_key_length' });
  expect(lines[0]).not.toMatch(/Failing row|4242|INSERT INTO/);
});

describe('lines to stdout are buffered, never lost on an orderly exit, and late by at most ≈ 100 ms', () => {
  const run = (body: string) =>
    spawn(process.execPath, ['--import', 'tsx', '-e', `import('./src/platform/logger.ts').then((m) => { ${body} })`], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });

  it('1,000 lines then process.exit at once: every line is written', async () => {
    const child = run(`const log = m.createLogger('info'); for (let i = 0; i < 1000; i++) log.info({ i }, 'line'); process.exit(0);`);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    // 'close': the process has exited and its stdout is drained.
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(0);
    const seen = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).i);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a lone line on an idle process arrives while the process still runs', async () => {
    const child = run(`const log = m.createLogger('info'); log.info('alone'); setTimeout(() => process.exit(0), 3000);`);
    const arrived = await new Promise<boolean>((resolve) => {
      child.stdout!.on('data', (d) => String(d).includes('"msg":"alone"') && resolve(child.exitCode === null));
      child.once('exit', () => resolve(false));
    });
    child.kill();
    expect(arrived).toBe(true);
  });
});
