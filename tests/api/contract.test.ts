// Every answer checked against the committed OpenAPI document, as a validating gateway or a generated
// client in another language would: its status must be declared for the operation, its body must
// match the declared schema (named components resolved), and every header of ours it carries must be
// declared. A scenario drives every operation through its success and its documented errors.

import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createTestApp, depositAs, openAccount, signUp, type TestApp, type TestUser, uniqueName } from '../setup/app.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
type Json = Record<string, any>;

let t: TestApp;
let doc: Json;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const seen = new Map<string, Set<string>>();

beforeAll(async () => {
  t = await createTestApp({ signupPerIp: 1_000 });
  doc = JSON.parse(await readFile(new URL('../../generated/openapi.json', import.meta.url), 'utf8'));
  // The components under one id, and every `#/components/…` reference pointed at it.
  const rebase = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(rebase)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? `doc${x}` : rebase(x)]))
        : v;
  ajv.addSchema({ $id: 'doc', components: rebase(doc.components) });
  (doc as Json).rebase = rebase;
});
afterAll(async () => {
  await t.close();
});

const OUR_HEADERS = ['x-request-id', 'idempotent-replayed', 'retry-after'];

/** Sends a request and checks its answer against the document's operation `method template`. */
async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  template: string,
  url: string,
  opts: { user?: TestUser; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await t.app.inject({
    method,
    url,
    headers: { ...(opts.user ? opts.user.auth : {}), ...opts.headers },
    ...(opts.body === undefined ? {} : { payload: opts.body as object }),
  });
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op).toBeDefined();
  const declared = op.responses[String(res.statusCode)];
  if (!declared) throw new Error(`${method} ${template} answered ${res.statusCode}, which the document does not declare: ${res.body}`);
  if (res.body) {
    const type = String(res.headers['content-type']).split(';')[0]!;
    const media = declared.content?.[type];
    if (!media) throw new Error(`${method} ${template} ${res.statusCode}: content type ${type} is not declared`);
    const validate = ajv.compile((doc as Json).rebase(media.schema));
    if (!validate(res.json()))
      throw new Error(`${method} ${template} ${res.statusCode}: body does not match: ${ajv.errorsText(validate.errors)}\n${res.body}`);
  }
  const headerNames = Object.keys(declared.headers ?? {}).map((h) => h.toLowerCase());
  for (const h of OUR_HEADERS) {
    if (res.headers[h] !== undefined && !headerNames.includes(h))
      throw new Error(`${method} ${template} ${res.statusCode}: header ${h} is not declared`);
  }
  const key = `${method} ${template}`;
  seen.set(key, (seen.get(key) ?? new Set()).add(String(res.statusCode)));
  return res;
}

it('every operation, its success and its documented errors, answer as the document says', async () => {
  const banker = await signUp(t, { prefix: 'cbank', banker: true });
  const ann = await signUp(t, { prefix: 'cann' });
  const ben = await signUp(t, { prefix: 'cben' });

  // Operations.
  await call('GET', '/healthz', '/healthz');
  await call('GET', '/readyz', '/readyz');

  // Users and sessions.
  const name = uniqueName('cnew');
  await call('POST', '/users', '/users', {
    body: { username: name, full_name: 'New', email: `${name}@example.com`, password: 'password-123' },
  });
  await call('POST', '/users', '/users', {
    body: { username: name, full_name: 'New', email: `${name}x@example.com`, password: 'password-123' },
  }); // 409
  await call('POST', '/users', '/users', { body: { username: 'X' } }); // 400
  await call('POST', '/users', '/users', { headers: { 'content-type': 'text/xml' }, body: '<a/>' }); // 415
  const login = await call('POST', '/users/login', '/users/login', { body: { username: name, password: 'password-123' } });
  await call('POST', '/users/login', '/users/login', { body: { username: name, password: 'wrong-password' } }); // 401
  await call('POST', '/users/login', '/users/login', { body: {} }); // 400
  const renewed = await call('POST', '/tokens/renew_access', '/tokens/renew_access', {
    body: { refresh_token: login.json().refresh_token },
  });
  await call('POST', '/tokens/renew_access', '/tokens/renew_access', { body: { refresh_token: 'v4.public.garbage' } }); // 401
  await call('POST', '/tokens/revoke', '/tokens/revoke', { body: { refresh_token: renewed.json().refresh_token } }); // 204
  await call('POST', '/tokens/revoke', '/tokens/revoke', { body: { refresh_token: 'nope' } }); // 401
  await call('PATCH', '/users/{username}', `/users/${ann.username}`, { user: ann, body: { full_name: 'Ann A.' } });
  await call('PATCH', '/users/{username}', `/users/${ann.username}`, {
    user: ann,
    body: { password: 'another-pass', current_password: 'wrong' },
  }); // 403 mismatch
  await call('PATCH', '/users/{username}', `/users/${ann.username}`, { user: ben, body: { full_name: 'Hijack' } }); // 403
  await call('PATCH', '/users/{username}', `/users/${uniqueName('ghost')}`, { user: banker, body: { full_name: 'X' } }); // 404
  await call('PATCH', '/users/{username}', `/users/${ann.username}`, { user: ann, body: { email: ben.email } }); // 409
  await call('PATCH', '/users/{username}', `/users/${ann.username}`, { body: { full_name: 'X' } }); // 401

  // Accounts and statements.
  const a = await call('POST', '/accounts', '/accounts', { user: ann, body: { currency: 'USD' } });
  await call('POST', '/accounts', '/accounts', { user: ann, body: { currency: 'USD' } }); // 409
  await call('POST', '/accounts', '/accounts', { user: ann, body: { currency: 'XYZ' } }); // 400
  const annId = a.json().id as number;
  const benId = (await openAccount(t, ben, 'USD')).id;
  const benEur = (await openAccount(t, ben, 'EUR')).id;
  await call('GET', '/accounts/{id}', `/accounts/${annId}`, { user: ann });
  await call('GET', '/accounts/{id}', `/accounts/${annId}`, { user: ben }); // 403
  await call('GET', '/accounts/{id}', '/accounts/999999', { user: ann }); // 404
  await call('GET', '/accounts/{id}', '/accounts/abc', { user: ann }); // 400
  await call('GET', '/accounts/{id}', `/accounts/${'1'.repeat(120)}`, { user: ann }); // 414
  await call('GET', '/accounts', '/accounts', { user: ann });
  await call('GET', '/accounts', '/accounts?page_size=1000', { user: ann }); // 400
  await call('GET', '/accounts', '/accounts'); // 401

  // Money.
  await depositAs(t, banker, annId, 1_000);
  const body = { from_account_id: annId, to_account_id: benId, amount: 10, currency: 'USD' };
  const first = await call('POST', '/transfers', '/transfers', { user: ann, body, headers: { 'idempotency-key': 'contract-1' } });
  const replay = await call('POST', '/transfers', '/transfers', { user: ann, body, headers: { 'idempotency-key': 'contract-1' } });
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.body).toBe(first.body);
  await call('POST', '/transfers', '/transfers', {
    user: ann,
    body: { ...body, amount: 11 },
    headers: { 'idempotency-key': 'contract-1' },
  }); // 422 reused
  await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, amount: 10_000 } }); // 422 funds
  await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, to_account_id: benEur } }); // 422 currency
  await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, to_account_id: 999_999 } }); // 404
  await call('POST', '/transfers', '/transfers', { user: ben, body }); // 403
  await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, amount: 0 } }); // 400
  await call('POST', '/transfers', '/transfers', { body }); // 401
  const tid = first.json().transfer.id as number;
  await call('GET', '/transfers/{id}', `/transfers/${tid}`, { user: ben });
  await call('GET', '/transfers/{id}', `/transfers/${tid}`, { user: banker }); // 403
  await call('GET', '/transfers/{id}', '/transfers/999999', { user: ann }); // 404
  await call('GET', '/accounts/{id}/entries', `/accounts/${annId}/entries?limit=1`, { user: ann });
  await call('GET', '/accounts/{id}/entries', `/accounts/${annId}/entries`, { user: ben }); // 403
  await call('GET', '/accounts/{id}/entries', '/accounts/999999/entries', { user: ann }); // 404
  await call('GET', '/accounts/{id}/entries', `/accounts/${annId}/entries?cursor=%%%`, { user: ann }); // 400
  await call('POST', '/deposits', '/deposits', { user: banker, body: { account_id: benEur, amount: 5 } });
  await call('POST', '/deposits', '/deposits', { user: ann, body: { account_id: benEur, amount: 5 } }); // 403
  await call('POST', '/deposits', '/deposits', { user: banker, body: { account_id: 999_999, amount: 5 } }); // 404
  await call('POST', '/deposits', '/deposits', { user: banker, body: { account_id: benEur, amount: Number.MAX_SAFE_INTEGER } }); // 422 limit
  await call('POST', '/withdrawals', '/withdrawals', { user: banker, body: { account_id: benEur, amount: 5 } });
  await call('POST', '/withdrawals', '/withdrawals', { user: banker, body: { account_id: benEur, amount: 5 } }); // 422 funds

  // Holds, postings, voids and reversals (v1.3).
  const held = { ...body, amount: 100, pending: true, timeout_seconds: 600, reference: 'order-1', metadata: { order: '1' } };
  const hold = await call('POST', '/transfers', '/transfers', { user: ann, body: held });
  expect(hold.json()).toMatchObject({ transfer: { status: 'pending', posted_amount: 0 }, from_entry: null, to_entry: null });
  const holdId = hold.json().transfer.id as number;
  await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, timeout_seconds: 600 } }); // 400: timeout without pending
  await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, { user: ann, body: { amount: 101 } }); // 422 amount_exceeds_pending
  await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, { user: ben, body: { amount: 60 } }); // 403: the receiver
  await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, { user: ann, body: { amount: 0 } }); // 400
  await call('POST', '/transfers/{id}/post', '/transfers/999999/post', { user: ann }); // 404
  await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, { body: {} }); // 401
  const postKey = { 'idempotency-key': 'contract-post' };
  const posted = await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, {
    user: ann,
    body: { amount: 60 },
    headers: postKey,
  });
  const postReplay = await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, {
    user: ann,
    body: { amount: 60 },
    headers: postKey,
  });
  expect([postReplay.statusCode, postReplay.headers['idempotent-replayed'], postReplay.body]).toEqual([200, 'true', posted.body]);
  expect(posted.json()).toMatchObject({ transfer: { status: 'posted', posted_amount: 60 }, from_entry: { amount: -60 } });
  await call('POST', '/transfers/{id}/post', `/transfers/${holdId}/post`, { user: ann }); // 422 transfer_not_pending
  const hold2 = await call('POST', '/transfers', '/transfers', { user: ann, body: { ...body, amount: 7, pending: true } });
  const hold2Id = hold2.json().transfer.id as number;
  await call('POST', '/transfers/{id}/void', `/transfers/${hold2Id}/void`, { user: ben }); // 200: either side
  await call('POST', '/transfers/{id}/void', `/transfers/${hold2Id}/void`, { user: ann }); // 422 transfer_not_pending
  await call('POST', '/transfers/{id}/void', '/transfers/999999/void', { user: ann }); // 404
  await call('POST', '/transfers/{id}/void', `/transfers/${tid}/void`, { user: banker }); // 422: not a hold
  await call('POST', '/transfers/{id}/void', `/transfers/${hold2Id}/void`); // 401
  const refund = await call('POST', '/transfers/{id}/reverse', `/transfers/${holdId}/reverse`, { user: ben, body: { amount: 20 } });
  expect(refund.json().transfer).toMatchObject({ reverses_transfer_id: holdId, from_account_id: benId, to_account_id: annId, amount: 20 });
  await call('POST', '/transfers/{id}/reverse', `/transfers/${holdId}/reverse`, { user: ben, body: { amount: 41 } }); // 422 exceeds
  await call('POST', '/transfers/{id}/reverse', `/transfers/${holdId}/reverse`, { user: ann }); // 403: the sender
  await call('POST', '/transfers/{id}/reverse', `/transfers/${holdId}/reverse`, { user: ben, body: { amount: -1 } }); // 400
  await call('POST', '/transfers/{id}/reverse', '/transfers/999999/reverse', { user: banker }); // 404
  await call('POST', '/transfers/{id}/reverse', `/transfers/${holdId}/reverse`, { body: {} }); // 401

  // Balance history and account states (v1.3).
  await call('GET', '/accounts/{id}/balance', `/accounts/${annId}/balance`, { user: ann });
  await call('GET', '/accounts/{id}/balance', `/accounts/${annId}/balance?at=2020-01-01T00:00:00Z`, { user: ann });
  await call('GET', '/accounts/{id}/balance', `/accounts/${annId}/balance?at=yesterday`, { user: ann }); // 400
  await call('GET', '/accounts/{id}/balance', `/accounts/${annId}/balance`, { user: ben }); // 403
  await call('GET', '/accounts/{id}/balance', '/accounts/999999/balance', { user: ann }); // 404
  await call('GET', '/accounts/{id}/balance', `/accounts/${annId}/balance`); // 401
  await call('POST', '/accounts/{id}/freeze', `/accounts/${benEur}/freeze`, { user: banker });
  await call('POST', '/accounts/{id}/freeze', `/accounts/${benEur}/freeze`, { user: ben }); // 403
  await call('POST', '/accounts/{id}/freeze', '/accounts/999999/freeze', { user: banker }); // 404
  await call('POST', '/accounts/{id}/freeze', `/accounts/${benEur}/freeze`); // 401
  await call('POST', '/deposits', '/deposits', { user: banker, body: { account_id: benEur, amount: 5 } }); // 422 account_frozen
  await call('POST', '/accounts/{id}/unfreeze', `/accounts/${benEur}/unfreeze`, { user: banker });
  await call('POST', '/accounts/{id}/unfreeze', `/accounts/${benEur}/unfreeze`, { user: ann }); // 403
  await call('POST', '/accounts/{id}/close', `/accounts/${annId}/close`, { user: ann }); // 422 account_not_empty
  await call('POST', '/accounts/{id}/close', `/accounts/${annId}/close`, { user: ben }); // 403
  await call('POST', '/accounts/{id}/close', '/accounts/999999/close', { user: ann }); // 404
  await call('POST', '/accounts/{id}/close', `/accounts/abc/close`, { user: ann }); // 400
  const closed = await call('POST', '/accounts/{id}/close', `/accounts/${(await openAccount(t, ann, 'EUR')).id}/close`, { user: ann });
  expect(closed.json().status).toBe('closed');

  // Email verification (v1.3): the code of a real queued email, then a wrong one.
  const { rows: codes } = await t.db.pool.query('SELECT id, secret_code FROM verify_emails ORDER BY id LIMIT 1');
  await call('GET', '/verify_email', `/verify_email?email_id=${codes[0].id}&secret_code=${codes[0].secret_code}`);
  await call('GET', '/verify_email', `/verify_email?email_id=${codes[0].id}&secret_code=${codes[0].secret_code}`); // 422 used
  await call('GET', '/verify_email', '/verify_email?email_id=abc&secret_code=x'); // 400

  // Events and webhooks (v1.3).
  await call('GET', '/events', '/events?after=0&limit=5', { user: ann });
  await call('GET', '/events', '/events?limit=0', { user: ann }); // 400
  await call('GET', '/events', '/events'); // 401
  const hook = await call('POST', '/webhook_endpoints', '/webhook_endpoints', { user: ann, body: { url: 'https://93.184.216.34/hook' } });
  await call('POST', '/webhook_endpoints', '/webhook_endpoints', { user: ann, body: { url: 'https://10.0.0.1/hook' } }); // 400
  await call('POST', '/webhook_endpoints', '/webhook_endpoints', { body: { url: 'https://93.184.216.34/hook' } }); // 401
  await call('GET', '/webhook_endpoints', '/webhook_endpoints', { user: ann });
  await call('GET', '/webhook_endpoints', '/webhook_endpoints'); // 401
  const hookId = hook.json().id as number;
  await call('GET', '/webhook_endpoints/{id}/deliveries', `/webhook_endpoints/${hookId}/deliveries`, { user: ann });
  await call('GET', '/webhook_endpoints/{id}/deliveries', `/webhook_endpoints/${hookId}/deliveries`, { user: ben }); // 404
  await call('GET', '/webhook_endpoints/{id}/deliveries', `/webhook_endpoints/${hookId}/deliveries?limit=0`, { user: ann }); // 400
  await call('GET', '/webhook_endpoints/{id}/deliveries', `/webhook_endpoints/${hookId}/deliveries`); // 401
  await call('DELETE', '/webhook_endpoints/{id}', `/webhook_endpoints/${hookId}`, { user: ben }); // 404
  await call('DELETE', '/webhook_endpoints/{id}', `/webhook_endpoints/${hookId}`, { user: ann }); // 204
  await call('DELETE', '/webhook_endpoints/{id}', '/webhook_endpoints/abc', { user: ann }); // 400
  await call('DELETE', '/webhook_endpoints/{id}', `/webhook_endpoints/${hookId}`); // 401

  // Every operation of the document was driven.
  const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item as Json).map((m) => `${m.toUpperCase()} ${p}`));
  expect([...seen.keys()].sort()).toEqual(operations.sort());
});

it('sign-up and login limits answer 429 with a declared Retry-After', async () => {
  const t2 = await createTestApp({ signupPerIp: 1, loginPerUsername: 1 });
  try {
    const swap = t;
    t = t2;
    const u = uniqueName('lim');
    await call('POST', '/users', '/users', { body: { username: u, full_name: 'L', email: `${u}@example.com`, password: 'password-123' } });
    const limited = await call('POST', '/users', '/users', {
      body: { username: `${u}2`, full_name: 'L', email: `${u}2@example.com`, password: 'password-123' },
    });
    expect(limited.statusCode).toBe(429);
    await call('POST', '/users/login', '/users/login', { body: { username: u, password: 'x-wrong-pass' } });
    const again = await call('POST', '/users/login', '/users/login', { body: { username: u, password: 'x-wrong-pass' } });
    expect(again.statusCode).toBe(429);
    t = swap;
  } finally {
    await t2.close();
  }
});
