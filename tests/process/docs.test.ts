// The contract in docs/API.md and the OpenAPI document the server emits name the same operations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

it('every route of docs/API.md is in generated/openapi.json, and every operation of the document is in docs/API.md', () => {
  const md = readFileSync(join(projectRoot, 'docs/API.md'), 'utf8');
  const fromDocs = new Set(
    [...md.matchAll(/^\| (GET|POST|PATCH|PUT|DELETE) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]!.split('?')[0]}`),
  );
  const doc = JSON.parse(readFileSync(join(projectRoot, 'generated/openapi.json'), 'utf8'));
  const fromOpenApi = new Set(
    Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
  // /openapi.json and /docs are served but hidden from the document itself.
  for (const hidden of ['GET /openapi.json', 'GET /docs']) fromDocs.delete(hidden);
  expect([...fromDocs].sort()).toEqual([...fromOpenApi].sort());
});
