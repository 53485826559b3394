// @simple-bank/client: the typed client for internal services. openapi-fetch over the types generated
// from the bank's OpenAPI document (./api-types.ts, written by the bank's `npm run client:generate`),
// plus a small layer that keeps the tokens, renews the access token, turns problem+json into
// BankApiError with a typed `code`, and retries only what is safe to retry. Runs wherever fetch and
// Web Crypto exist (Node 20+, browsers, Deno, Bun).
import createClient from 'openapi-fetch';
import type { components, paths } from './api-types.js';

type Schemas = components['schemas'];

/** The named models of the OpenAPI document (OpenAPI document's `components.schemas`). */
export type Problem = Schemas['Problem'];
/** Every stable error code of the contract. */
export type ApiErrorCode = Schemas['ErrorCode'];
export type User = Schemas['User'];
export type Account = Schemas['Account'];
export type Entry = Schemas['Entry'];
export type EntryPage = Schemas['EntryPage'];
export type Transfer = Schemas['Transfer'];
export type TransferResult = Schemas['TransferResult'];
export type LoginResponse = Schemas['LoginResponse'];
export type TransferBody = Schemas['CreateTransferRequest'];
export type FundingBody = Schemas['FundingRequest'];
export type PostTransferBody = Schemas['PostTransferRequest'];
export type ReverseTransferBody = Schemas['ReverseTransferRequest'];
export type BalanceAt = Schemas['BalanceAt'];
export type SignUpBody = Schemas['SignUpRequest'];
export type Currency = Schemas['Currency'];
export type BankEvent = Schemas['Event'];
export type EventPage = Schemas['EventPage'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type CreatedWebhookEndpoint = Schemas['CreatedWebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];

/** A problem+json answer of the bank, or `unavailable` when it could not be reached at all. */
export class BankApiError extends Error {
  override name = 'BankApiError';
  constructor(
    /** The HTTP status; 0 when no answer came (network failure, timeout). */
    readonly status: number,
    readonly code: ApiErrorCode,
    readonly problem: Problem | undefined,
    /** The answer's Retry-After, in seconds, when it had one (429, 503). */
    readonly retryAfterS?: number,
    options?: { cause?: unknown },
  ) {
    super(`${status} ${code}: ${problem?.detail ?? 'the bank could not be reached'}`, options);
  }
}

export interface BankClientOptions {
  baseUrl: string;
  fetch?: (input: Request) => Promise<Response>;
  /** Attempts in all for what may be retried (money moves keep their key). Default 5. */
  attempts?: number;
  /** First back-off in ms, doubled each attempt, with jitter. Default 100. A Retry-After answer waits that long instead (at most 30 s). */
  backoffMs?: number;
  /** Abandon a request after this many ms (then `unavailable`). Default: no timeout. */
  timeoutMs?: number;
}

interface Session {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `req` again, aborted `ms` after now (the answer's body included). Node's fetch follows a Request's
 * signal through weak references, so a Request made only to carry a timeout (or AbortSignal.timeout's
 * own signal) could be collected while the call waits, and the timeout with it: the call then hung for
 * good. The timer holds the controller and the Request until it fires.
 */
function withTimeout(req: Request, ms: number): Request {
  const controller = new AbortController();
  const timed = new Request(req, { signal: controller.signal });
  const timer: unknown = setTimeout(() => {
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
    void timed;
  }, ms);
  // In Node the timer keeps no process alive (a browser's timers have no unref).
  (timer as { unref?: () => void }).unref?.();
  return timed;
}

export class BankClient {
  /** The raw typed client, for anything the layer below does not cover. */
  readonly api: ReturnType<typeof createClient<paths>>;
  private session: Session | undefined;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(opts: BankClientOptions) {
    const send = opts.fetch ?? ((req: Request) => fetch(req));
    const timeoutMs = opts.timeoutMs;
    // Every network failure and every timeout becomes BankApiError `unavailable` (status 0): for a
    // money move the outcome is unknown, and its retry carries the same Idempotency-Key.
    const guarded = async (req: Request): Promise<Response> => {
      try {
        return await send(timeoutMs ? withTimeout(req, timeoutMs) : req);
      } catch (err) {
        throw new BankApiError(0, 'unavailable', undefined, undefined, { cause: err });
      }
    };
    this.api = createClient<paths>({ baseUrl: opts.baseUrl, fetch: guarded });
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 100;
  }

  // ---- users and sessions -------------------------------------------------------------------

  async signUp(body: SignUpBody): Promise<User> {
    return this.expect(await this.api.POST('/users', { body }));
  }

  async login(username: string, password: string): Promise<User> {
    const data = this.expect(await this.api.POST('/users/login', { body: { username, password } }));
    this.session = {
      accessToken: data.access_token,
      accessExpiresAt: Date.parse(data.access_token_expires_at),
      refreshToken: data.refresh_token,
    };
    return data.user;
  }

  /** Revokes the session: its tokens stop working everywhere. */
  async logout(): Promise<void> {
    if (!this.session) return;
    const res = await this.api.POST('/tokens/revoke', { body: { refresh_token: this.session.refreshToken } });
    if (res.error) throw this.toError(res.response, res.error);
    this.session = undefined;
  }

  // ---- accounts -----------------------------------------------------------------------------

  createAccount(currency: Currency): Promise<Account> {
    return this.authed((headers) => this.api.POST('/accounts', { headers, body: { currency } }));
  }

  getAccount(id: number): Promise<Account> {
    return this.safely(() => this.authed((headers) => this.api.GET('/accounts/{id}', { headers, params: { path: { id } } })));
  }

  listAccounts(page = 1, size = 10): Promise<Account[]> {
    return this.safely(() =>
      this.authed((headers) => this.api.GET('/accounts', { headers, params: { query: { page_id: page, page_size: size } } })),
    );
  }

  statement(id: number, opts: { limit?: number; cursor?: string } = {}): Promise<EntryPage> {
    return this.safely(() =>
      this.authed((headers) =>
        this.api.GET('/accounts/{id}/entries', {
          headers,
          params: { path: { id }, query: { limit: opts.limit ?? 50, ...(opts.cursor ? { cursor: opts.cursor } : {}) } },
        }),
      ),
    );
  }

  getTransfer(id: number): Promise<Transfer> {
    return this.safely(() => this.authed((headers) => this.api.GET('/transfers/{id}', { headers, params: { path: { id } } })));
  }

  /** The posted balance of one of your accounts as of `at` (default now). */
  balanceAt(id: number, at?: Date): Promise<BalanceAt> {
    return this.safely(() =>
      this.authed((headers) =>
        this.api.GET('/accounts/{id}/balance', { headers, params: { path: { id }, query: at ? { at: at.toISOString() } : {} } }),
      ),
    );
  }

  // ---- money: one Idempotency-Key per logical operation, retried only with that same key -------

  transfer(body: TransferBody, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () => this.authed((headers) => this.api.POST('/transfers', { headers: { ...headers, 'idempotency-key': key }, body })),
      true,
    );
  }

  deposit(body: FundingBody, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () => this.authed((headers) => this.api.POST('/deposits', { headers: { ...headers, 'idempotency-key': key }, body })),
      true,
    );
  }

  withdraw(body: FundingBody, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () => this.authed((headers) => this.api.POST('/withdrawals', { headers: { ...headers, 'idempotency-key': key }, body })),
      true,
    );
  }

  /** Capture a hold (`transfer({ …, pending: true })`): all of it, or `body.amount` (the rest released). */
  postTransfer(id: number, body: PostTransferBody = {}, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () =>
        this.authed((headers) =>
          this.api.POST('/transfers/{id}/post', { headers: { ...headers, 'idempotency-key': key }, params: { path: { id } }, body }),
        ),
      true,
    );
  }

  /** Release a hold: nothing moves. */
  voidTransfer(id: number, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () =>
        this.authed((headers) =>
          this.api.POST('/transfers/{id}/void', { headers: { ...headers, 'idempotency-key': key }, params: { path: { id } } }),
        ),
      true,
    );
  }

  /** Refund a transfer you received (or, as a banker, reverse any): all that is not yet reversed, or `body.amount`. */
  reverseTransfer(id: number, body: ReverseTransferBody = {}, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.safely(
      () =>
        this.authed((headers) =>
          this.api.POST('/transfers/{id}/reverse', { headers: { ...headers, 'idempotency-key': key }, params: { path: { id } }, body }),
        ),
      true,
    );
  }

  /** Banker: freeze or unfreeze an account; its owner or a banker: close it (at balance 0, no live hold; final). */
  setAccountState(id: number, action: 'freeze' | 'unfreeze' | 'close', opts: { idempotencyKey?: string } = {}): Promise<Account> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    const path = `/accounts/{id}/${action}` as const;
    return this.safely(
      () => this.authed((headers) => this.api.POST(path, { headers: { ...headers, 'idempotency-key': key }, params: { path: { id } } })),
      true,
    );
  }

  // ---- events and webhooks ------------------------------------------------------------------

  /**
   * Your events after `after` (default 0), ascending; with `wait` (seconds, ≤ 30) and none yet, waits for
   * the first. Page with `after = next_after`: no event is ever missed.
   */
  listEvents(query: { after?: number; limit?: number; wait?: number } = {}): Promise<EventPage> {
    return this.safely(() => this.authed((headers) => this.api.GET('/events', { headers, params: { query } })));
  }

  /** Registers an endpoint; keep `secret` (shown only now) to verify deliveries with verifyWebhook. */
  createWebhookEndpoint(body: { url: string; event_types?: BankEvent['type'][] | null }): Promise<CreatedWebhookEndpoint> {
    return this.authed((headers) => this.api.POST('/webhook_endpoints', { headers, body }));
  }

  listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
    return this.safely(() => this.authed((headers) => this.api.GET('/webhook_endpoints', { headers })));
  }

  async deleteWebhookEndpoint(id: number): Promise<void> {
    await this.authed(async (headers) => {
      const res = await this.api.DELETE('/webhook_endpoints/{id}', { headers, params: { path: { id } } });
      return res.response.status === 204 ? { data: null, response: res.response } : res;
    });
  }

  async listWebhookDeliveries(id: number, limit = 20): Promise<WebhookDelivery[]> {
    const page = await this.safely(() =>
      this.authed((headers) => this.api.GET('/webhook_endpoints/{id}/deliveries', { headers, params: { path: { id }, query: { limit } } })),
    );
    return page.items;
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Calls with a fresh access token; renews it when it is about to expire or was refused as expired. */
  private async authed<T>(
    call: (headers: { authorization: string }) => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<T> {
    if (!this.session) throw new Error('not logged in: call login() first');
    if (this.session.accessExpiresAt - Date.now() < 10_000) await this.renew();
    let res = await call({ authorization: `Bearer ${this.session.accessToken}` });
    if (res.response.status === 401) {
      await this.renew();
      res = await call({ authorization: `Bearer ${this.session.accessToken}` });
    }
    return this.expect(res);
  }

  private async renew(): Promise<void> {
    const s = this.session!;
    const res = await this.api.POST('/tokens/renew_access', { body: { refresh_token: s.refreshToken } });
    if (res.error || !res.data) throw this.toError(res.response, res.error);
    // The refresh token rotates: the one presented is spent, keep the new one.
    s.accessToken = res.data.access_token;
    s.accessExpiresAt = Date.parse(res.data.access_token_expires_at);
    s.refreshToken = res.data.refresh_token;
  }

  /**
   * Retries on what says nothing happened or may be repeated safely: a network error or 503, and —
   * for money moves, which always carry the same key — 409 idempotency_key_in_use.
   */
  private async safely<T>(call: () => Promise<T>, moneyMove = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const retryable =
          err instanceof BankApiError && (err.status === 0 || err.status === 503 || (moneyMove && err.code === 'idempotency_key_in_use'));
        if (!retryable || attempt >= this.attempts) throw err;
        const backoff = this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        await sleep(err.retryAfterS ? Math.min(err.retryAfterS * 1000, 30_000) : backoff);
      }
    }
  }

  private expect<T>(res: { data?: T; error?: unknown; response: Response }): T {
    if (res.error !== undefined || res.data === undefined) throw this.toError(res.response, res.error);
    return res.data;
  }

  private toError(response: Response, body: unknown): BankApiError {
    const problem = body && typeof body === 'object' && 'code' in body ? (body as Problem) : undefined;
    const retryAfter = Number(response.headers.get('retry-after'));
    return new BankApiError(
      response.status,
      problem?.code ?? (response.status === 503 ? 'unavailable' : 'internal'),
      problem,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
}

/** A webhook delivery that is not the bank's, or not as sent. */
export class WebhookVerificationError extends Error {}

const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

/**
 * Verifies a webhook delivery as the Standard Webhooks specification says, and returns its event:
 * `webhook-signature` must hold a `v1,` HMAC-SHA256 of `webhook-id.webhook-timestamp.body` keyed with
 * the endpoint's secret, the timestamp must be within `toleranceS` (default 300) of now, and the body's
 * id must be `webhook-id`. Pass the body exactly as received (the raw text, before any JSON parsing).
 * Throws WebhookVerificationError. Dedupe by `id` (the same on every retry); order by `sequence`.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers | Record<string, string | string[] | undefined>,
  body: string,
  opts: { toleranceS?: number; now?: Date } = {},
): Promise<BankEvent> {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = get('webhook-id');
  const timestamp = get('webhook-timestamp');
  const signatures = get('webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  const sentAt = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(sentAt))
    throw new WebhookVerificationError('webhook-timestamp is not Unix seconds');
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - sentAt) > (opts.toleranceS ?? 300)) throw new WebhookVerificationError('webhook-timestamp is too old or too new');
  let key: Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;
  try {
    key = await globalThis.crypto.subtle.importKey(
      'raw',
      fromBase64(secret.replace(/^whsec_/, '')),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
  } catch {
    throw new WebhookVerificationError('the secret is not a whsec_ base64 key');
  }
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const candidate of signatures.split(' ')) {
    const [version, sig] = candidate.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = fromBase64(sig);
    } catch {
      continue;
    }
    // Web Crypto compares in constant time.
    if (await globalThis.crypto.subtle.verify('HMAC', key, bytes, signed)) {
      const event = JSON.parse(body) as BankEvent;
      if (event.id !== id) throw new WebhookVerificationError('the body is not the event webhook-id names');
      return event;
    }
  }
  throw new WebhookVerificationError('no valid signature');
}
