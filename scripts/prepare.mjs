// `npm install`'s prepare step: build dist/ (the production server and its scripts) and the client
// package's packages/client/dist/ (what `@simple-bank/client` resolves to in this workspace) where
// TypeScript is installed, and do nothing where it is not (`npm ci --omit=dev`, the image).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('prepare: TypeScript is not installed (production dependencies only): dist/ is not built here.');
  process.exit(0);
}
for (const project of ['tsconfig.build.json', 'packages/client/tsconfig.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
