// `npm install`'s prepare step: build dist/ (the typed client's entry point, the production server)
// where TypeScript is installed, and do nothing where it is not (`npm ci --omit=dev`, the image).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('prepare: TypeScript is not installed (production dependencies only): dist/ is not built here.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
