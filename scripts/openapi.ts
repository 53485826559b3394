// `npm run openapi` writes the OpenAPI document made from the route schemas to generated/openapi.json;
// `--check` fails when the committed one differs (CI's drift check). No database is needed.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createPasswordHasher } from '../src/auth/passwords.js';
import { createRateLimiter } from '../src/auth/rate-limit.js';
import { createSessionGuard } from '../src/auth/sessions.service.js';
import { createTokenMaker, generateSecretKey } from '../src/auth/tokens.js';
import { projectRoot } from '../src/paths.js';

export async function renderOpenApi(): Promise<string> {
  const pool = new pg.Pool({ max: 1 }); // never connected: documents need no database
  const app = await buildApp({
    pool,
    tokens: await createTokenMaker(await generateSecretKey(), { accessTokenMs: 60_000, refreshTokenMs: 120_000 }),
    passwords: createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    sessions: createSessionGuard(pool),
    loginLimiter: createRateLimiter({ windowMs: 1000 }),
    loginLimits: { perUsername: 1, perIp: 1 },
    idempotencyKeyTtlMs: 86_400_000,
  }, { docs: false });
  await app.ready();
  const doc = JSON.stringify(app.swagger(), null, 2) + '\n';
  await app.close();
  await pool.end();
  return doc;
}

const target = join(projectRoot, 'generated', 'openapi.json');

async function main(): Promise<number> {
  const doc = await renderOpenApi();
  if (process.argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== doc) {
      console.error('[openapi] DRIFT: generated/openapi.json differs from the route schemas. Run `npm run openapi` and commit it.');
      return 1;
    }
    console.log('[openapi] generated/openapi.json is up to date');
    return 0;
  }
  await writeFile(target, doc);
  console.log(`[openapi] wrote ${target}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((c) => process.exit(c), (err) => {
    console.error(`[openapi] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
