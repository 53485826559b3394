// Examples for the OpenAPI document, so Swagger UI's "Try it out" sends something that works: the
// README's journey (alice and bob, a deposit of 10000 cents, a transfer of 2500, a hold of 3000 of
// which 2000 is captured), with the ids a fresh `npm start` gives them (the three funding accounts
// are 1–3: alice's USD account is 4, bob's 5; the deposit is transfer 1, the payment 2, the hold 3).
// tests/api/openapi-examples.test.ts holds every example to its schema.
type Json = Record<string, unknown>;

const at = '2026-12-07T09:30:00.000Z';
const alice = {
  username: 'alice',
  full_name: 'Alice',
  email: 'alice@example.com',
  role: 'banker',
  password_changed_at: at,
  created_at: at,
  is_email_verified: true,
};
const token = 'v4.public.eyJzdWIiOiJhbGljZSIsInNpZCI6IjZlNjk4NzRi…';
const account = (id: number, owner: string, balance: number, extra: Json = {}) => ({
  id,
  owner,
  balance,
  currency: 'USD',
  created_at: at,
  status: 'open',
  pending_debits: 0,
  pending_credits: 0,
  available_balance: balance,
  ...extra,
});
const entry = (id: number, accountId: number, amount: number, transferId: number, balanceAfter: number) => ({
  id,
  account_id: accountId,
  amount,
  transfer_id: transferId,
  created_at: at,
  balance_after: balanceAfter,
});
const transfer = (id: number, amount: number, extra: Json = {}) => ({
  id,
  from_account_id: 4,
  to_account_id: 5,
  amount,
  created_at: at,
  status: 'posted',
  posted_amount: amount,
  expires_at: null,
  reference: null,
  metadata: {},
  reverses_transfer_id: null,
  ...extra,
});
const payment = {
  transfer: transfer(2, 2500),
  from_account: account(4, 'alice', 7500),
  from_entry: entry(3, 4, -2500, 2, 7500),
  to_entry: entry(4, 5, 2500, 2, 2500),
};
const hold = transfer(3, 3000, {
  status: 'pending',
  posted_amount: 0,
  expires_at: '2026-12-08T09:30:00.000Z',
  reference: 'order-42',
});
const captured = {
  transfer: { ...hold, status: 'posted', posted_amount: 2000 },
  from_account: account(4, 'alice', 5500),
  from_entry: entry(5, 4, -2000, 3, 5500),
  to_entry: entry(6, 5, 2000, 3, 4500),
};

/** Per operation: the request body, the parameters, and the answer of success. */
export const EXAMPLES: Record<string, { body?: unknown; params?: Record<string, unknown>; ok?: unknown }> = {
  healthz: { ok: { status: 'ok' } },
  readyz: { ok: { status: 'ready' } },
  createUser: {
    body: { username: 'alice', full_name: 'Alice', email: 'alice@example.com', password: 'alice-secret-1' },
    ok: { ...alice, role: 'depositor' },
  },
  loginUser: {
    body: { username: 'alice', password: 'alice-secret-1' },
    ok: {
      session_id: '6e69874b-ffd8-4ecc-a3ad-495e30004434',
      access_token: token,
      access_token_expires_at: '2026-12-07T09:45:00.000Z',
      refresh_token: token,
      refresh_token_expires_at: '2026-12-08T09:30:00.000Z',
      user: alice,
    },
  },
  renewAccessToken: {
    body: { refresh_token: token },
    ok: {
      access_token: token,
      access_token_expires_at: '2026-12-07T09:45:00.000Z',
      refresh_token: token,
      refresh_token_expires_at: '2026-12-08T09:30:00.000Z',
    },
  },
  revokeSession: { body: { refresh_token: token } },
  updateUser: { params: { username: 'alice' }, body: { full_name: 'Alice Liddell' }, ok: { ...alice, full_name: 'Alice Liddell' } },
  createAccount: { body: { currency: 'USD' }, ok: account(4, 'alice', 0) },
  listAccounts: { params: { page_id: 1, page_size: 10 }, ok: [account(4, 'alice', 7500)] },
  getAccount: { params: { id: 4 }, ok: account(4, 'alice', 7500, { pending_debits: 3000, available_balance: 4500 }) },
  listAccountEntries: {
    params: { id: 4, limit: 10, cursor: 'eyJpZCI6M30' },
    ok: { items: [entry(3, 4, -2500, 2, 7500), entry(2, 4, 10000, 1, 10000)], next_cursor: null },
  },
  createTransfer: {
    params: { 'idempotency-key': 'rent-2026-12' },
    body: { from_account_id: 4, to_account_id: 5, amount: 2500, currency: 'USD' },
    ok: payment,
  },
  getTransfer: { params: { id: 2 }, ok: transfer(2, 2500) },
  postTransfer: { params: { id: 3, 'idempotency-key': 'capture-42' }, body: { amount: 2000 }, ok: captured },
  voidTransfer: {
    params: { id: 3, 'idempotency-key': 'release-42' },
    ok: {
      transfer: { ...hold, status: 'voided' },
      from_account: account(4, 'alice', 7500),
      from_entry: null,
      to_entry: null,
    },
  },
  reverseTransfer: {
    params: { id: 3, 'idempotency-key': 'refund-42' },
    body: { amount: 500, reference: 'refund order-42' },
    ok: {
      transfer: transfer(4, 500, { from_account_id: 5, to_account_id: 4, reference: 'refund order-42', reverses_transfer_id: 3 }),
      from_account: account(5, 'bob', 4000),
      from_entry: entry(7, 5, -500, 4, 4000),
      to_entry: entry(8, 4, 500, 4, 6000),
    },
  },
  freezeAccount: { params: { id: 5, 'idempotency-key': 'freeze-5' }, ok: account(5, 'bob', 4000, { status: 'frozen' }) },
  unfreezeAccount: { params: { id: 5, 'idempotency-key': 'unfreeze-5' }, ok: account(5, 'bob', 4000) },
  closeAccount: { params: { id: 5, 'idempotency-key': 'close-5' }, ok: account(5, 'bob', 0, { status: 'closed' }) },
  listEvents: {
    params: { after: 0, limit: 100, wait: 10 },
    ok: {
      items: [
        { id: 'evt_1', sequence: 1, type: 'account.opened', created_at: at, data: { account: account(4, 'alice', 0) } },
        { id: 'evt_2', sequence: 2, type: 'account.opened', created_at: at, data: { account: account(5, 'bob', 0) } },
        {
          id: 'evt_3',
          sequence: 3,
          type: 'transfer.posted',
          created_at: at,
          data: { transfer: transfer(1, 10000, { from_account_id: 1, to_account_id: 4 }) },
        },
      ],
      next_after: 3,
    },
  },
  verifyEmail: { params: { email_id: 1, secret_code: 'o2VPsG8a3hQn1bXk5Jt0cW9yR4mLzEuA' }, ok: { is_verified: true } },
  createWebhookEndpoint: {
    body: { url: 'https://hooks.example.com/simple-bank', event_types: ['transfer.posted', 'transfer.pending'] },
    ok: {
      id: 1,
      url: 'https://hooks.example.com/simple-bank',
      event_types: ['transfer.posted', 'transfer.pending'],
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/Qe6dFSn5+8=',
      created_at: at,
    },
  },
  listWebhookEndpoints: {
    ok: [{ id: 1, url: 'https://hooks.example.com/simple-bank', event_types: ['transfer.posted', 'transfer.pending'], created_at: at }],
  },
  deleteWebhookEndpoint: { params: { id: 1 } },
  listWebhookDeliveries: {
    params: { id: 1, limit: 20 },
    ok: {
      items: [
        { event_id: 'evt_4', attempt: 2, outcome: 'delivered', status_code: 204, error: null, duration_ms: 41, created_at: at },
        { event_id: 'evt_4', attempt: 1, outcome: 'retrying', status_code: 503, error: null, duration_ms: 12, created_at: at },
      ],
    },
  },
  getBalance: {
    params: { id: 4, at: '2026-12-07T09:00:00Z' },
    ok: { account_id: 4, currency: 'USD', at: '2026-12-07T09:00:00Z', balance: 6000 },
  },
  createDeposit: {
    params: { 'idempotency-key': 'deposit-1' },
    body: { account_id: 4, amount: 10000 },
    ok: {
      transfer: transfer(1, 10000, { from_account_id: 1, to_account_id: 4 }),
      from_account: account(1, 'simplebank_system', -10000),
      from_entry: entry(1, 1, -10000, 1, -10000),
      to_entry: entry(2, 4, 10000, 1, 10000),
    },
  },
  createWithdrawal: {
    params: { 'idempotency-key': 'withdrawal-1' },
    body: { account_id: 4, amount: 1000 },
    ok: {
      transfer: transfer(5, 1000, { from_account_id: 4, to_account_id: 1 }),
      from_account: account(4, 'alice', 5000),
      from_entry: entry(9, 4, -1000, 5, 5000),
      to_entry: entry(10, 1, 1000, 5, -9000),
    },
  },
};

/** A problem+json example for an error status: its usual code, said as the service says it. */
export const PROBLEMS: Record<string, Json> = {
  '400': { code: 'validation_failed', detail: 'amount must be an integer', errors: [{ field: 'amount', message: 'must be an integer' }] },
  '401': { code: 'unauthenticated', detail: 'the access token is invalid or expired' },
  '403': { code: 'forbidden', detail: 'the from-account does not belong to you' },
  '404': { code: 'not_found', detail: 'account 99 not found' },
  '409': { code: 'idempotency_key_in_use', detail: 'a request with this Idempotency-Key is still being processed' },
  '413': { code: 'payload_too_large', detail: 'the body is larger than this server accepts' },
  '414': { code: 'uri_too_long', detail: 'a path parameter is longer than 100 characters' },
  '415': { code: 'unsupported_media_type', detail: 'the body must be application/json, in UTF-8' },
  '422': { code: 'insufficient_funds', detail: 'the available balance is less than the amount' },
  '429': { code: 'rate_limited', detail: 'too many attempts: retry after the time in Retry-After' },
  '431': { code: 'headers_too_large', detail: 'the request line and headers are larger than 16 KiB' },
  '500': { code: 'internal', detail: 'an internal error occurred; it has been logged' },
  '503': { code: 'unavailable', detail: 'the database cannot be reached' },
};
