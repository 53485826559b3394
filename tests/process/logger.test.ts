// On a terminal the logger is pretty where pino-pretty is installed, and plain JSON where it is not
// (production dependencies only): it never crashes looking for a dev dependency.
import { spawnSync } from 'node:child_process';
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
