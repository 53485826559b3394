// The security headers of every kind of answer are exactly what helmet itself produces for the API's
// policy (and for the Swagger UI page, its policy without CSP), byte for byte — whether they are set
// by a plugin per request or computed once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { DOCS_HELMET_OPTIONS, HELMET_OPTIONS } from '../../src/http/headers.js';
import { createTestApp, signUp, type TestApp, type TestUser } from '../setup/app.js';

function helmetSays(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await signUp(t, { prefix: 'hdr' });
});
afterAll(async () => {
  await t.close();
});

const api = helmetSays(HELMET_OPTIONS);
const docs = helmetSays(DOCS_HELMET_OPTIONS);
const pick = (headers: Record<string, unknown>, names: string[]) => Object.fromEntries(names.map((n) => [n, headers[n]]));

it.each([
  ['201', { method: 'POST', url: '/accounts', payload: { currency: 'USD' }, auth: true }],
  ['200', { method: 'GET', url: '/accounts', auth: true }],
  ['400', { method: 'POST', url: '/accounts', payload: { currency: 'XYZ' }, auth: true }],
  ['401', { method: 'GET', url: '/accounts' }],
  ['404 (no route)', { method: 'GET', url: '/no/such/thing' }],
  ['415', { method: 'POST', url: '/users', payload: 'x', headers: { 'content-type': 'text/plain' } }],
  [
    '413',
    {
      method: 'POST',
      url: '/users',
      payload: JSON.stringify({ pad: 'x'.repeat(80_000) }),
      headers: { 'content-type': 'application/json' },
    },
  ],
  ['healthz', { method: 'GET', url: '/healthz' }],
  ['openapi.json', { method: 'GET', url: '/openapi.json' }],
] as const)('%s: the API policy exactly', async (_name, r) => {
  const res = await t.app.inject({
    method: r.method,
    url: r.url,
    payload: 'payload' in r ? r.payload : undefined,
    headers: { ...('headers' in r ? r.headers : {}), ...('auth' in r ? user.auth : {}) },
  });
  expect(pick(res.headers, Object.keys(api))).toEqual(api);
});

it('the Swagger UI page: the same headers but CSP', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/docs/' });
  expect(res.statusCode).toBe(200);
  expect(pick(res.headers, Object.keys(docs))).toEqual(docs);
  expect(res.headers['content-security-policy']).toBeUndefined();
});
