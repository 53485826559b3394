// The OpenAPI document describes where it is served: its server resolves, against the document's own
// address, to the origin that served it (Swagger UI's "Try it out" and generated SDKs then call this
// service, not whatever owns :8080). The committed document carries the same relative default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestApp, type TestApp } from '../setup/app.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await t.close();
});

it('the served document points at the server that served it, on any port', async () => {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { servers: { url: string }[] };
  expect(doc.servers).toHaveLength(1);
  expect(new URL(doc.servers[0]!.url, `${base}/openapi.json`).origin).toBe(base);
  // And an operation called through it reaches this server.
  const url = new URL(`${doc.servers[0]!.url.replace(/\/$/, '')}/healthz`, `${base}/openapi.json`);
  expect((await fetch(url)).status).toBe(200);
});

it('the committed document has the same relative server', () => {
  const committed = JSON.parse(readFileSync(join(projectRoot, 'generated/openapi.json'), 'utf8'));
  expect(committed.servers.map((s: { url: string }) => s.url)).toEqual(['/']);
});
