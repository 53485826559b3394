// The architecture, checked: adapters → operations → services → data access, never imported upwards.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

const SRC = join(projectRoot, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** 4 edge, 3 adapter, 2 operations, 1 services and everything they use, 0 data access (and the errors it raises). */
function layer(path: string): number {
  const rel = relative(projectRoot, path);
  if (rel === 'src/server.ts' || rel === 'src/bank.ts') return 4;
  if (rel.startsWith('src/http/') || rel.startsWith('src/grpc/')) return 3;
  if (rel === 'src/operations.ts' || rel === 'src/context.ts' || rel.endsWith('.operations.ts')) return 2;
  // The tracer is cross-cutting like OpenTelemetry's own API: it imports nothing of the service.
  if (rel.startsWith('src/db/') || rel.startsWith('generated/') || rel === 'src/errors.ts' || rel === 'src/platform/tracing.ts') return 0;
  return 1;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
  );
}

const all = files(SRC);

it('no module imports from a layer above it', () => {
  const upward = all.flatMap((f) =>
    importsOf(f)
      .filter((i) => layer(i) > layer(f))
      .map((i) => `${relative(projectRoot, f)} → ${relative(projectRoot, i)}`),
  );
  expect(upward).toEqual([]);
});

it('only the HTTP adapter knows Fastify; the operations and below know no transport', () => {
  const fastify = all.filter((f) => layer(f) <= 2 && /from '(fastify|@fastify\/[^']+)'/.test(readFileSync(f, 'utf8')));
  expect(fastify.map((f) => relative(projectRoot, f))).toEqual([]);
});

it('the routes and RPCs call operations, never a service, a generated query or the database', () => {
  const routes = all.filter((f) => /^src\/(http\/routes|grpc)\//.test(relative(projectRoot, f)));
  expect(routes.length).toBeGreaterThanOrEqual(8);
  const reach = routes.flatMap((f) =>
    importsOf(f)
      .filter((i) => /\.service\.ts$|\/generated\/[^/]+\.queries\.ts$|\/src\/db\//.test(i))
      .map((i) => `${relative(projectRoot, f)} → ${relative(projectRoot, i)}`),
  );
  expect(reach).toEqual([]);
});

it('the two adapters do not import each other', () => {
  const cross = all.flatMap((f) => {
    const rel = relative(projectRoot, f);
    const other = rel.startsWith('src/http/') ? '/src/grpc/' : rel.startsWith('src/grpc/') ? '/src/http/' : null;
    return other
      ? importsOf(f)
          .filter((i) => i.includes(other))
          .map((i) => `${rel} → ${relative(projectRoot, i)}`)
      : [];
  });
  expect(cross).toEqual([]);
});

it('the data access layer imports no feature', () => {
  const db = all.filter((f) => layer(f) === 0);
  const reach = db.flatMap((f) => importsOf(f).filter((i) => layer(i) > 0));
  expect(db.map((f) => relative(projectRoot, f))).toContain('src/errors.ts');
  expect(reach.map((i) => relative(projectRoot, i))).toEqual([]);
});

it('one composition root: only src/bank.ts builds the operations, the adapters and the group commit', () => {
  const builders = /\b(createOperations|buildApp|createGrpcServer|createGroupCommit|createSessionCache)\(/;
  const here = [...all, ...files(join(projectRoot, 'scripts'))].filter((f) => builders.test(readFileSync(f, 'utf8')));
  const callers = here
    .map((f) => relative(projectRoot, f))
    .filter((f) => !/^src\/(bank|operations|http\/app|grpc\/server|transfers\/ledger|auth\/session-cache)\.ts$/.test(f));
  expect(callers).toEqual([]);
});

it('users/ and auth/ do not import each other: sessions use users, users know nothing of sessions', () => {
  const usersToAuth = all
    .filter((f) => relative(projectRoot, f).startsWith('src/users/'))
    .flatMap((f) =>
      importsOf(f)
        .filter((i) => i.includes('/src/auth/'))
        .map((i) => `${relative(projectRoot, f)} → ${relative(projectRoot, i)}`),
    );
  expect(usersToAuth).toEqual([]);
});

it('the only call of the ledger function is in src/transfers/ledger.ts', () => {
  const callers = all.filter((f) => /\bledgerApply\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(projectRoot, f));
  expect(callers).toEqual(['src/transfers/ledger.ts']);
});
