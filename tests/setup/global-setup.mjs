// Jest loads global setup outside its TypeScript transform; tsx loads our TypeScript for it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  // The Debian packages some tests drive (PgBouncer, Prometheus, Chromium): present in a moment, else
  // installed (as root) by the project's own script, so `npm test` needs nothing done by hand.
  const script = fileURLToPath(new URL('../../scripts/install-system-deps.sh', import.meta.url));
  const deps = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (deps.status !== 0) throw new Error(`scripts/install-system-deps.sh failed (exit ${deps.status}): see above`);
  const { default: start } = await tsImport('./start-postgres.ts', import.meta.url);
  await start();
}
