// The deploy kit: every manifest parses and says what a production deploy needs; the container
// start script refuses to run without DATABASE_URL and migrates with dbmate.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestDb } from '../setup/db.js';

const read = (p: string) => readFileSync(join(projectRoot, p), 'utf8');
const yamlOf = (p: string) => {
  const docs = parseAllDocuments(read(p));
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS());
};

describe('deploy/k8s', () => {
  const [deployment] = yamlOf('deploy/k8s/deployment.yaml');
  const [service] = yamlOf('deploy/k8s/service.yaml');
  const [ingress] = yamlOf('deploy/k8s/ingress.yaml');
  const [job] = yamlOf('deploy/k8s/migrate-job.yaml');
  const [kustomization] = yamlOf('deploy/k8s/kustomization.yaml');
  const [pdb] = yamlOf('deploy/k8s/pdb.yaml');
  const version = JSON.parse(read('package.json')).version as string;
  const container = deployment.spec.template.spec.containers[0];

  it('Deployment: /readyz readiness, /healthz liveness, resources, non-root, config from a Secret, no migration at start', () => {
    expect(deployment.kind).toBe('Deployment');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container.resources.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.envFrom).toEqual([{ secretRef: { name: 'simple-bank' } }]);
    expect(container.env).toContainEqual({ name: 'MIGRATE', value: 'false' });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 8080 });
  });

  it('images by version, never :latest; the migration Job is named for its release', () => {
    expect(container.image).toBe(`ghcr.io/simple-bank/simple-bank:${version}`);
    expect(job.metadata.name).toBe(`simple-bank-migrate-${version.replace(/\./g, '-')}`);
    for (const f of ['deployment.yaml', 'migrate-job.yaml']) expect(read(`deploy/k8s/${f}`)).not.toMatch(/image:\s*\S+:latest/);
  });

  it('memory: the limit is above the measured peak with production argon2 (2 hashes at once)', () => {
    const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)![1]);
    const bench = JSON.parse(read('bench/results/latest.json'));
    const floodPeak = bench.flood?.serverPeakRssMb as number;
    expect(floodPeak).toBeGreaterThan(0);
    expect(mib(container.resources.limits.memory)).toBeGreaterThan(floodPeak * 1.5);
    expect(mib(container.resources.requests.memory)).toBeGreaterThanOrEqual(bench.serverPeakRssMb.underLoad);
  });

  it('a PodDisruptionBudget keeps one pod; a preStop pause takes the pod out of rotation before it closes', () => {
    expect(pdb.kind).toBe('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(5 + 20);
  });

  it("Service selects the Deployment's pods; Ingress terminates TLS with a cert-manager certificate", () => {
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBeTruthy();
    expect(ingress.spec.tls[0].secretName).toBeTruthy();
    expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(service.metadata.name);
  });

  it('the migration runs as a Job of the same image, with the same Secret, non-root', () => {
    expect(job.kind).toBe('Job');
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe(container.image);
    expect(c.args).toEqual(['migrate']);
    expect(c.envFrom).toEqual(container.envFrom);
    expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('kustomization lists every manifest but the example Secret', () => {
    expect(kustomization.resources.sort()).toEqual([
      'deployment.yaml',
      'ingress-grpc.yaml',
      'ingress.yaml',
      'migrate-job.yaml',
      'pdb.yaml',
      'service.yaml',
    ]);
  });

  it('gRPC: the pods expose 9090, the Service names it h2c, a second Ingress routes gRPC, the probes stay on HTTP', () => {
    const [grpcIngress] = yamlOf('deploy/k8s/ingress-grpc.yaml');
    expect(container.ports).toContainEqual({ name: 'grpc', containerPort: 9090 });
    expect(service.spec.ports).toContainEqual({ name: 'grpc', port: 9090, targetPort: 'grpc', appProtocol: 'kubernetes.io/h2c' });
    expect(grpcIngress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(grpcIngress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'simple-bank', port: { name: 'grpc' } });
    expect(grpcIngress.spec.tls[0].secretName).toBeTruthy();
    expect(container.readinessProbe.httpGet.port).toBe('http');
    expect(container.livenessProbe.httpGet.port).toBe('http');
    expect(read('Dockerfile')).toMatch(/^EXPOSE 8080 9090$/m);
    expect(read('Dockerfile')).toMatch(/GRPC_PORT=9090/);
    expect(parse(read('docker-compose.yaml')).services.api.ports).toEqual(['8080:8080', '9090:9090']);
  });
});

it('deploy/cloudnativepg renders (kubectl kustomize): a synchronous standby, a transaction-mode Pooler, the three URLs wired', () => {
  const r = spawnSync('kubectl', ['kustomize', join(projectRoot, 'deploy/cloudnativepg')], { encoding: 'utf8' });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const [cluster] = byKind('Cluster');
  const [pooler] = byKind('Pooler');
  expect(cluster).toMatchObject({
    apiVersion: 'postgresql.cnpg.io/v1',
    spec: { instances: 2, postgresql: { synchronous: { number: 1 } } },
  });
  expect(cluster.spec.postgresql.parameters?.fsync).toBeUndefined(); // durability stays at the defaults
  expect(pooler).toMatchObject({ spec: { cluster: { name: cluster.metadata.name }, type: 'rw', pgbouncer: { poolMode: 'transaction' } } });
  const env = (c: { env: { name: string; value?: string }[] }) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
  const api = env(byKind('Deployment')[0].spec.template.spec.containers[0]);
  const host = (url: string | undefined) => (url ? new URL(url.replaceAll('$(DB_USER):$(DB_PASSWORD)', 'u:p')).hostname : undefined);
  expect({ pool: host(api.DATABASE_URL), session: host(api.DATABASE_SESSION_URL), read: host(api.DATABASE_READ_URL) }).toEqual({
    pool: pooler.metadata.name,
    session: `${cluster.metadata.name}-rw`,
    read: `${cluster.metadata.name}-ro`,
  });
  // Migrations need a session: the Job goes to the primary directly, not through the pooler.
  const job = env(byKind('Job')[0].spec.template.spec.containers[0]);
  expect(host(job.DATABASE_URL)).toBe(`${cluster.metadata.name}-rw`);
});

describe('deploy/monitoring', () => {
  const [deployment] = yamlOf('deploy/k8s/deployment.yaml');
  const [service] = yamlOf('deploy/k8s/service.yaml');
  it('pods are annotated for scraping on the metrics port, which the Service names for the ServiceMonitor', () => {
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
    const container = pod.spec.containers[0];
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9464 });
    expect(container.env).toContainEqual({ name: 'METRICS_PORT', value: '9464' });
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain('metrics');
    const [monitor] = yamlOf('deploy/monitoring/servicemonitor.yaml');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
  });
  it('the plain Prometheus config keeps annotated simple-bank pods and reads the annotations', () => {
    const [prom] = yamlOf('deploy/monitoring/prometheus.yml');
    const job = prom.scrape_configs[0];
    const sources = job.relabel_configs.flatMap((r: { source_labels?: string[] }) => r.source_labels ?? []);
    for (const a of ['scrape', 'port', 'path']) expect(sources).toContain(`__meta_kubernetes_pod_annotation_prometheus_io_${a}`);
    expect(prom.rule_files).toEqual(['alerts.rules.yml']);
  });
  it('the PrometheusRule holds exactly the rules promtool tests', () => {
    const [rule] = yamlOf('deploy/monitoring/prometheusrule.yaml');
    const [plain] = yamlOf('deploy/monitoring/alerts.rules.yml');
    expect(rule.spec.groups).toEqual(plain.groups);
    expect(plain.groups[0].rules.map((r: { alert: string }) => r.alert)).toHaveLength(11);
  });
  it('the Grafana dashboard parses and has a panel per figure', () => {
    const dash = JSON.parse(read('deploy/monitoring/grafana-dashboard.json'));
    expect(dash.panels.length).toBeGreaterThanOrEqual(12);
    for (const p of dash.panels) expect(p.targets.length).toBeGreaterThan(0);
  });
});

it('docker-compose.yaml: Postgres with a health check, a one-shot migrate service, then the API', () => {
  const compose = parse(read('docker-compose.yaml'));
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'db', 'migrate']);
  expect(compose.services.db.healthcheck.test.join(' ')).toMatch(/pg_isready/);
  expect(compose.services.migrate.command).toEqual(['migrate']);
  expect(compose.services.migrate.depends_on.db.condition).toBe('service_healthy');
  expect(compose.services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
  expect(compose.services.api.environment.MIGRATE).toBe('false');
  expect(compose.services.api.healthcheck.test.join(' ')).toMatch(/readyz/);
  // Built once: the migrate service uses the api service's image.
  expect(compose.services.migrate.build).toBeUndefined();
  expect(compose.services.migrate.image).toBe(compose.services.api.image);
});

it('.dockerignore keeps the embedded database, its token key, modules and history out of the build context', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim());
  for (const p of ['.data', 'node_modules', '.git', '.env', 'dist']) expect(ignored).toContain(p);
});

it('Dockerfile: multi-stage on Node 24 slim, production dependencies only, non-root, health check', () => {
  const df = read('Dockerfile');
  expect(df.match(/^FROM node:24-slim/gm)).toHaveLength(2);
  expect(df).toMatch(/npm prune --omit=dev/);
  expect(df).toMatch(/^USER node$/m);
  expect(df).toMatch(/^HEALTHCHECK .*\n?.*healthz/m);
  expect(df).toMatch(/ENTRYPOINT \["\/app\/deploy\/start.sh"\]/);
});

it('the CI workflow runs the checks of .ci/run on Node 22 and 24 against a Postgres service, and builds the image', () => {
  const wf = parse(read('.github/workflows/ci.yml'));
  expect(wf.jobs.test.strategy.matrix.node).toEqual([22, 24]);
  expect(wf.jobs.test.services.postgres.image).toMatch(/^postgres:/);
  expect(wf.jobs.test.env.DATABASE_URL).toMatch(/^postgres:\/\//);
  const runs = wf.jobs.test.steps.map((s: { run?: string }) => s.run).filter(Boolean);
  expect(runs).toEqual([
    'npm ci',
    'npm run typecheck',
    'npm run lint',
    'npm run codegen:check',
    'npm run openapi:check',
    'npm run proto:check',
    'npm run client:check',
    'npm test',
  ]);
  const ciRun = read('.ci/run');
  for (const r of runs) expect(ciRun).toContain(r.replace('npm ci', 'npm ci --no-audit --no-fund'));
  expect(wf.jobs.image.steps.some((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action'))).toBe(true);
});

describe('deploy/start.sh', () => {
  it('refuses to start without DATABASE_URL, with one sentence', () => {
    const r = spawnSync('sh', [join(projectRoot, 'deploy/start.sh')], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr.trim()).toBe(
      'simple bank cannot start: DATABASE_URL is required in the container (postgres://user:pass@host:5432/db).',
    );
  });

  it('`start.sh migrate` waits for the database and applies the migrations with dbmate', async () => {
    const db = await createTestDb(1);
    try {
      await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const r = spawnSync('sh', [join(projectRoot, 'deploy/start.sh'), 'migrate'], {
        env: { PATH: process.env.PATH, DATABASE_URL: db.url },
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Applied: 20261129130001_users_and_sessions.sql/);
      const { rows } = await db.pool.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'accounts'",
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await db.drop();
    }
  });
});

// dist/ is what the image and the package's `client` entry ship: built once here (the only test file
// that reads it), exactly as `npm install`'s prepare script builds it.
beforeAll(() => {
  const build = spawnSync(
    process.execPath,
    [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', join(projectRoot, 'tsconfig.build.json')],
    { encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

it('`start.sh` migrates and then serves from the compiled dist/ as the image does, on DATABASE_URL', async () => {
  const { freePort, waitForReady, waitForOutput } = await import('./helpers.js');
  const { spawn } = await import('node:child_process');
  const { generateSecretKey } = await import('../../src/auth/tokens.js');
  const db = await createTestDb(1);
  const port = await freePort();
  try {
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const child = spawn('sh', [join(projectRoot, 'deploy/start.sh')], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        TOKEN_SECRET_KEY: await generateSecretKey(),
        PORT: String(port),
        GRPC_PORT: '0',
        METRICS_PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const proc = { child, output: () => out, exited };
    await waitForReady(`http://127.0.0.1:${port}`, proc);
    expect(out).toMatch(/Applied: /);
    // The server logs "ready" after its own /readyz check, which may finish after ours.
    await waitForOutput(proc, /simple bank ready/);
    expect(out).toMatch(/"database":"DATABASE_URL"/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    await db.drop();
  }
});

describe('the client is a package of its own (@simple-bank/client)', () => {
  // .ci/run packs it, installs the tarball into a scratch project, typechecks and runs its example
  // against a live server and checks the install size (scripts/client-package-check.sh): npm cannot be
  // spawned from a Jest worker, so that part is a CI step. This checks the manifests it relies on.
  it('a workspace whose only run-time dependency is openapi-fetch, shipping its built dist/', () => {
    const root = JSON.parse(read('package.json'));
    const client = JSON.parse(read('packages/client/package.json'));
    expect(root.workspaces).toEqual(['packages/client']);
    expect(root.exports).toBeUndefined(); // the server package exports nothing: installing it is not the way to the client
    expect(root.dependencies['openapi-fetch']).toBeUndefined();
    expect(client.name).toBe('@simple-bank/client');
    // Ready to publish to a team's registry: private there, its version the bank's own.
    expect(client.version).toBe(root.version);
    expect(client.publishConfig).toEqual({ access: 'restricted' });
    expect(client.repository).toMatchObject({ directory: 'packages/client' });
    expect(client.dependencies).toEqual({ 'openapi-fetch': '0.17.0' });
    expect(client.devDependencies).toBeUndefined();
    expect(client.files).toEqual(['dist', 'README.md']);
    expect(client.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(client.scripts.prepack).toMatch(/rmSync\('dist'.*tsc -p tsconfig.json/); // a packed tarball is always freshly built
    expect(read('.ci/run')).toContain('npm run client:check');
  });

  it('its source imports nothing of the server and no Node-only module; gRPC needs only its optional peers', () => {
    const root = join(projectRoot, 'packages/client/src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
    expect(files).toEqual([
      'api-types.ts',
      'grpc.ts',
      'index.ts',
      'proto/google/rpc/error_details_pb.ts',
      'proto/simplebank/v1/simplebank_pb.ts',
    ]);
    const imports = (f: string) => [...read(`packages/client/src/${f}`).matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    expect(imports('index.ts').sort()).toEqual(['./api-types.js', 'openapi-fetch']);
    const grpcSide = ['grpc.ts', 'proto/google/rpc/error_details_pb.ts', 'proto/simplebank/v1/simplebank_pb.ts'].flatMap(imports);
    const packages = [...new Set(grpcSide.filter((i) => !i.startsWith('.')).map((i) => i.split('/').slice(0, 2).join('/')))].sort();
    expect(packages).toEqual(['@bufbuild/protobuf', '@connectrpc/connect']);
    const client = JSON.parse(read('packages/client/package.json'));
    expect(Object.keys(client.peerDependencies).sort()).toEqual(packages);
    for (const p of packages) expect(client.peerDependenciesMeta[p]).toEqual({ optional: true });
    expect(client.exports['./grpc']).toEqual({ types: './dist/grpc.d.ts', default: './dist/grpc.js' });
  });
});

describe('production dependencies only (npm ci --omit=dev)', () => {
  it('nothing of the production path needs a dev dependency: compiled dist/, no tsx, prepare builds only where TypeScript is', async () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.dependencies['pino-pretty']).toBeUndefined();
    expect(pkg.scripts['start:prod']).toBe('exec node dist/src/server.js');
    expect(read('deploy/start.sh')).toMatch(/exec node "\$app\/dist\/src\/server.js"/);
    // Where TypeScript is not installed (the image, --omit=dev), prepare succeeds and builds nothing.
    const { mkdtemp, copyFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'prepare-'));
    try {
      await copyFile(join(projectRoot, 'scripts/prepare.mjs'), join(dir, 'prepare.mjs'));
      const r = spawnSync(process.execPath, [join(dir, 'prepare.mjs')], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/TypeScript is not installed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
