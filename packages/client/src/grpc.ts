// @simple-bank/client/grpc: the bank over gRPC for TypeScript callers, with the HTTP client's
// discipline: login keeps the tokens and renews the access token before it expires (or once after
// UNAUTHENTICATED), keeping the rotated refresh token; every refusal is a BankGrpcError whose `code`
// is the contract's (the trailer `x-error-code`); transfer/deposit/withdraw send one
// `idempotency-key` per logical operation and retry only with it (UNAVAILABLE, ABORTED in use).
// Bring a transport: `createGrpcTransport({ baseUrl })` from @connectrpc/connect-node in Node,
// `createGrpcWebTransport` from @connectrpc/connect-web in a browser.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { type Client, Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import type { ApiErrorCode } from './index.js';
import { ErrorInfoSchema } from './proto/google/rpc/error_details_pb.js';
import {
  type Account,
  type CreateUserRequestSchema,
  type Entry,
  type GetBalanceResponse,
  SimpleBank,
  type Transfer,
  type TransferResult,
  type User,
} from './proto/simplebank/v1/simplebank_pb.js';

export type { Account, Entry, GetBalanceResponse, Transfer, TransferResult, User } from './proto/simplebank/v1/simplebank_pb.js';

/** What a movement may carry besides its money: stored, returned on every read, part of what a key fingerprints. */
export interface Annotations {
  /** 1–128 characters, no control characters. */
  reference?: string;
  /** At most 20 keys `^[A-Za-z0-9_.-]{1,40}$`, values of at most 500 characters. */
  metadata?: Record<string, string>;
}
export interface TransferInput extends Annotations {
  fromAccountId: bigint;
  toAccountId: bigint;
  /** Integer cents. */
  amount: bigint;
  currency: string;
  /** A hold: reserved on the sender, nothing moves until postTransfer (or voidTransfer, or its expiry). */
  pending?: boolean;
  /** A hold's life, 1 … 2,592,000 s (default 86,400); only with `pending`. */
  timeoutSeconds?: number;
}
export interface FundingInput extends Annotations {
  accountId: bigint;
  amount: bigint;
}
export interface ReverseInput extends Annotations {
  /** Default: all that is not yet reversed. */
  amount?: bigint;
}
export { SimpleBank } from './proto/simplebank/v1/simplebank_pb.js';

/** A refusal of the bank over gRPC, or `unavailable` when it could not be reached. */
export class BankGrpcError extends Error {
  override name = 'BankGrpcError';
  constructor(
    readonly grpcCode: Code,
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${Code[grpcCode]} ${code}: ${message}`, options);
  }

  static from(err: unknown): BankGrpcError {
    if (err instanceof BankGrpcError) return err;
    const c = ConnectError.from(err);
    const code = c.metadata.get('x-error-code') ?? c.findDetails(ErrorInfoSchema)[0]?.reason;
    if (code !== undefined) return new BankGrpcError(c.code, code as ApiErrorCode, c.rawMessage, { cause: err });
    // No code: not an answer of the bank's operations. A message refused while being read keeps its
    // meaning; anything else means the bank was not reached (connection refused or reset, a proxy, a
    // deadline): `unavailable`, and for a money move the outcome is unknown.
    if (c.code === Code.InvalidArgument) return new BankGrpcError(c.code, 'validation_failed', c.rawMessage, { cause: err });
    if (c.code === Code.ResourceExhausted) return new BankGrpcError(c.code, 'payload_too_large', c.rawMessage, { cause: err });
    return new BankGrpcError(Code.Unavailable, 'unavailable', c.rawMessage || 'the bank could not be reached', { cause: err });
  }
}

export interface BankGrpcClientOptions {
  transport: Transport;
  /** Attempts in all for a money move (same key each time) and for reads. Default 5. */
  attempts?: number;
  /** First back-off in ms, doubled each attempt, with jitter. Default 100. */
  backoffMs?: number;
}

interface Session {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RENEW_BEFORE_MS = 30_000;

export class BankGrpcClient {
  /** The generated stubs, for anything the layer below does not cover (pass your own headers). */
  readonly rpc: Client<typeof SimpleBank>;
  private session: Session | undefined;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(opts: BankGrpcClientOptions) {
    this.rpc = createClient(SimpleBank, opts.transport);
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 100;
  }

  // ---- users and sessions -------------------------------------------------------------------

  async signUp(input: MessageInitShape<typeof CreateUserRequestSchema>): Promise<User> {
    return this.call(async () => (await this.rpc.createUser(input)).user!);
  }

  async login(username: string, password: string): Promise<User> {
    const r = await this.call(() => this.rpc.loginUser({ username, password }));
    this.session = { accessToken: r.accessToken, accessExpiresAt: timestampMs(r.accessTokenExpiresAt), refreshToken: r.refreshToken };
    return r.user!;
  }

  /** Revokes the session: its tokens stop working everywhere. */
  async logout(): Promise<void> {
    if (!this.session) return;
    await this.call(() => this.rpc.revokeSession({ refreshToken: this.session!.refreshToken }));
    this.session = undefined;
  }

  // ---- accounts -----------------------------------------------------------------------------

  createAccount(currency: 'USD' | 'EUR' | 'CAD'): Promise<Account> {
    return this.authed(async (headers) => (await this.rpc.createAccount({ currency }, { headers })).account!);
  }

  getAccount(id: bigint): Promise<Account> {
    return this.retried(() => this.authed(async (headers) => (await this.rpc.getAccount({ id }, { headers })).account!));
  }

  listAccounts(page = 1, size = 10): Promise<Account[]> {
    return this.retried(() =>
      this.authed(async (headers) => (await this.rpc.listAccounts({ pageId: page, pageSize: size }, { headers })).accounts),
    );
  }

  statement(accountId: bigint, opts: { limit?: number; cursor?: string } = {}): Promise<{ items: Entry[]; nextCursor?: string }> {
    return this.retried(() =>
      this.authed(async (headers) => {
        const r = await this.rpc.listEntries(
          { accountId, limit: opts.limit ?? 50, ...(opts.cursor ? { cursor: opts.cursor } : {}) },
          { headers },
        );
        return { items: r.items, ...(r.nextCursor !== undefined ? { nextCursor: r.nextCursor } : {}) };
      }),
    );
  }

  getTransfer(id: bigint): Promise<Transfer> {
    return this.retried(() => this.authed(async (headers) => (await this.rpc.getTransfer({ id }, { headers })).transfer!));
  }

  // ---- money: one idempotency-key per logical operation, retried only with that same key -------

  transfer(input: TransferInput, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.retried(
      () =>
        this.authed(async (headers) => (await this.rpc.createTransfer(input, { headers: { ...headers, 'idempotency-key': key } })).result!),
      true,
    );
  }

  deposit(input: FundingInput, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.retried(
      () =>
        this.authed(async (headers) => (await this.rpc.createDeposit(input, { headers: { ...headers, 'idempotency-key': key } })).result!),
      true,
    );
  }

  withdraw(input: FundingInput, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.retried(
      () =>
        this.authed(
          async (headers) => (await this.rpc.createWithdrawal(input, { headers: { ...headers, 'idempotency-key': key } })).result!,
        ),
      true,
    );
  }

  /** Capture a hold (`transfer({ …, pending: true })`): all of it, or `amount` (the rest released). */
  postTransfer(id: bigint, amount?: bigint, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    return this.keyed(
      opts,
      async (headers) => (await this.rpc.postTransfer({ id, ...(amount === undefined ? {} : { amount }) }, { headers })).result!,
    );
  }

  /** Release a hold: nothing moves. */
  voidTransfer(id: bigint, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    return this.keyed(opts, async (headers) => (await this.rpc.voidTransfer({ id }, { headers })).result!);
  }

  /** Refund a transfer you received (or, as a banker, reverse any): all not yet reversed, or `amount`. */
  reverseTransfer(id: bigint, input: ReverseInput = {}, opts: { idempotencyKey?: string } = {}): Promise<TransferResult> {
    return this.keyed(opts, async (headers) => (await this.rpc.reverseTransfer({ ...input, id }, { headers })).result!);
  }

  /** Banker: freeze or unfreeze an account; its owner or a banker: close it (at balance 0, no live hold; final). */
  setAccountState(id: bigint, action: 'freeze' | 'unfreeze' | 'close', opts: { idempotencyKey?: string } = {}): Promise<Account> {
    return this.keyed(opts, async (headers) => {
      const r =
        action === 'freeze'
          ? await this.rpc.freezeAccount({ id }, { headers })
          : action === 'unfreeze'
            ? await this.rpc.unfreezeAccount({ id }, { headers })
            : await this.rpc.closeAccount({ id }, { headers });
      return r.account!;
    });
  }

  /** The posted balance of one of your accounts as of `at` (default now). */
  balanceAt(accountId: bigint, at?: Date): Promise<GetBalanceResponse> {
    const when: Timestamp | undefined =
      at === undefined
        ? undefined
        : { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(Math.floor(at.getTime() / 1000)), nanos: (at.getTime() % 1000) * 1e6 };
    return this.retried(() =>
      this.authed(async (headers) => this.rpc.getBalance({ accountId, ...(when ? { at: when } : {}) }, { headers })),
    );
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** A money call under one idempotency-key (the caller's, or a new one), retried only with it. */
  private keyed<T>(opts: { idempotencyKey?: string }, fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.retried(() => this.authed((headers) => fn({ ...headers, 'idempotency-key': key })), true);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw BankGrpcError.from(err);
    }
  }

  /** With the access token, renewed first when it is about to expire, and once more after UNAUTHENTICATED. */
  private async authed<T>(fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    if (!this.session) throw new BankGrpcError(Code.Unauthenticated, 'unauthenticated', 'log in first');
    if (this.session.accessExpiresAt - Date.now() < RENEW_BEFORE_MS) await this.renew();
    try {
      return await this.call(() => fn({ authorization: `Bearer ${this.session!.accessToken}` }));
    } catch (err) {
      if (!(err instanceof BankGrpcError) || err.grpcCode !== Code.Unauthenticated) throw err;
      await this.renew();
      return this.call(() => fn({ authorization: `Bearer ${this.session!.accessToken}` }));
    }
  }

  private async renew(): Promise<void> {
    const s = this.session!;
    const r = await this.call(() => this.rpc.renewAccessToken({ refreshToken: s.refreshToken }));
    this.session = { accessToken: r.accessToken, accessExpiresAt: timestampMs(r.accessTokenExpiresAt), refreshToken: r.refreshToken };
  }

  /** Retries what is safe: reads, and money moves (always under their one key) while the bank is unavailable or the key in use. */
  private async retried<T>(fn: () => Promise<T>, money = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const e = BankGrpcError.from(err);
        const again = e.grpcCode === Code.Unavailable || (money && e.code === 'idempotency_key_in_use');
        if (!again || attempt >= this.attempts) throw e;
        await sleep(this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
    }
  }
}

function timestampMs(t: { seconds: bigint; nanos: number } | undefined): number {
  return t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0;
}
