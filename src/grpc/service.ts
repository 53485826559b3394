// simplebank.v1.SimpleBank: each RPC is a thin adapter over the operation layer (src/operations.ts):
// message → validated input → operation → message. No rule, authorization check or idempotency
// logic of its own; the refusals are the operations' typed errors (mapped in ./errors.ts).
import { create } from '@bufbuild/protobuf';
import { EmptySchema, timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, createContextKey, type HandlerContext } from '@connectrpc/connect';
import {
  CloseAccountResponseSchema,
  CreateAccountResponseSchema,
  CreateDepositResponseSchema,
  CreateTransferResponseSchema,
  CreateUserResponseSchema,
  CreateWithdrawalResponseSchema,
  FreezeAccountResponseSchema,
  GetAccountResponseSchema,
  GetTransferResponseSchema,
  ListAccountsResponseSchema,
  PostTransferResponseSchema,
  ReverseTransferResponseSchema,
  SimpleBank,
  UnfreezeAccountResponseSchema,
  UpdateUserResponseSchema,
  VoidTransferResponseSchema,
} from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { BalanceAtQuery, CreateAccountBody, ListAccountsQuery, ListEntriesQuery } from '../accounts/accounts.schemas.js';
import { LoginBody, RefreshTokenBody } from '../auth/auth.schemas.js';
import { ListEventsQuery } from '../events/events.schemas.js';
import type { JsonTextProblem } from '../json-text.js';
import type { Caller, MoveOptions, Operations, Origin } from '../operations.js';
import { AccountIdParams, TransferIdParams } from '../schemas.js';
import type { AccountResult, MovementAnswer } from '../transfers/ledger.js';
import { CreateTransferBody, FundingBody, PostTransferBody, ReverseTransferBody } from '../transfers/transfers.schemas.js';
import { CreateUserBody, UpdateUserBody, UsernameParams } from '../users/users.schemas.js';
import { validate } from '../validate.js';
import * as msg from './messages.js';

/** Set by the server for every call: where it came from, and (once authenticated) who made it. */
export const kClientIp = createContextKey<string>('', { description: 'client IP' });
export const kUser = createContextKey<{ username?: string }>({}, { description: 'the caller, for the log line' });
/** performance.now() when the request arrived, before its body was read. */
export const kReceivedAt = createContextKey<number>(0, { description: 'when the request arrived' });
/** What the raw JSON check refused in the request's body (./json-guard.ts), when it did. */
export const kJsonProblem = createContextKey<JsonTextProblem | undefined>(undefined, { description: 'a refused JSON body' });

function originOf(ctx: HandlerContext): Origin {
  return { clientIp: ctx.values.get(kClientIp), userAgent: ctx.requestHeader.get('user-agent') ?? '' };
}

/**
 * A money call's options: its Idempotency-Key, when it arrived (its answer is due 10 s later), and its
 * deadline — counted from its arrival, as gRPC says, not from when Connect started the handler (the
 * body is read first): a movement not yet sent when it passes is dropped, even with a slot free.
 */
function keyOf(ctx: HandlerContext): MoveOptions {
  const key = ctx.requestHeader.get('idempotency-key');
  const receivedAt = ctx.values.get(kReceivedAt) || performance.now();
  const timeoutMs = requestTimeoutMs(ctx.requestHeader);
  return {
    ...(key === null ? {} : { idempotencyKey: key }),
    signal: ctx.signal,
    receivedAt,
    ...(timeoutMs === undefined
      ? {}
      : {
          deadline: {
            at: receivedAt + timeoutMs,
            error: () =>
              new ConnectError('the deadline passed before the movement reached the ledger: nothing moved', Code.DeadlineExceeded),
          },
        }),
  };
}

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** The call's timeout in ms: `grpc-timeout` (gRPC, gRPC-Web) or `connect-timeout-ms` (Connect). */
export function requestTimeoutMs(headers: Headers): number | undefined {
  const grpc = headers.get('grpc-timeout');
  if (grpc !== null) {
    const m = GRPC_TIMEOUT.exec(grpc);
    return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
  }
  const connect = headers.get('connect-timeout-ms');
  return connect !== null && /^\d{1,10}$/.test(connect) ? Number(connect) : undefined;
}

/** A money operation's answer: the result, with `idempotent-replayed: true` on a replay; a refusal thrown. */
function moneyResult(ctx: HandlerContext, answer: MovementAnswer) {
  if (answer.replayed) ctx.responseHeader.set('idempotent-replayed', 'true');
  if (!answer.ok) throw answer.error;
  return msg.transferResult(answer.result);
}

/** An account state change's answer (freeze, unfreeze, close), as moneyResult. */
function accountResult(ctx: HandlerContext, answer: MovementAnswer<AccountResult>) {
  if (answer.replayed) ctx.responseHeader.set('idempotent-replayed', 'true');
  if (!answer.ok) throw answer.error;
  return msg.account(answer.result.account);
}

/** What a movement may carry besides its money: proto3's absent reference and empty map mean "none". */
function annotations(req: { reference?: string; metadata: { [key: string]: string } }) {
  return {
    ...(req.reference !== undefined ? { reference: req.reference } : {}),
    ...(Object.keys(req.metadata).length > 0 ? { metadata: { ...req.metadata } } : {}),
  };
}

export function simpleBankRoutes(ops: Operations) {
  async function authenticate(ctx: HandlerContext): Promise<Caller> {
    const c = await ops.auth.authenticate(ctx.requestHeader.get('authorization') ?? undefined);
    ctx.values.get(kUser).username = c.username;
    return c;
  }

  return (router: ConnectRouter) =>
    router.service(SimpleBank, {
      async createUser(req, ctx) {
        const input = validate<CreateUserBody>(CreateUserBody, {
          username: req.username,
          full_name: req.fullName,
          email: req.email,
          password: req.password,
        });
        return create(CreateUserResponseSchema, { user: msg.user(await ops.users.signUp(originOf(ctx), input)) });
      },
      async loginUser(req, ctx) {
        const input = validate<LoginBody>(LoginBody, { username: req.username, password: req.password });
        return msg.loginResponse(await ops.auth.login(originOf(ctx), input));
      },
      async renewAccessToken(req, ctx) {
        const input = validate<RefreshTokenBody>(RefreshTokenBody, { refresh_token: req.refreshToken });
        return msg.renewResponse(await ops.auth.renewAccess(originOf(ctx), input));
      },
      async revokeSession(req, ctx) {
        await ops.auth.revokeSession(originOf(ctx), validate<RefreshTokenBody>(RefreshTokenBody, { refresh_token: req.refreshToken }));
        return create(EmptySchema);
      },
      async updateUser(req, ctx) {
        const caller = await authenticate(ctx);
        const { username } = validate<{ username: string }>(UsernameParams, { username: req.username });
        const changes = validate<UpdateUserBody>(UpdateUserBody, {
          ...(req.fullName !== undefined ? { full_name: req.fullName } : {}),
          ...(req.email !== undefined ? { email: req.email } : {}),
          ...(req.password !== undefined ? { password: req.password } : {}),
          ...(req.currentPassword !== undefined ? { current_password: req.currentPassword } : {}),
        });
        return create(UpdateUserResponseSchema, {
          user: msg.user(await ops.users.updateUser(caller, { username, changes }, originOf(ctx))),
        });
      },
      async createAccount(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<CreateAccountBody>(CreateAccountBody, { currency: req.currency });
        return create(CreateAccountResponseSchema, { account: msg.account(await ops.accounts.createAccount(caller, input)) });
      },
      async getAccount(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('id', req.id) });
        return create(GetAccountResponseSchema, { account: msg.account(await ops.accounts.getAccount(caller, input)) });
      },
      async listAccounts(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<ListAccountsQuery>(ListAccountsQuery, {
          ...(req.pageId !== 0 ? { page_id: req.pageId } : {}),
          ...(req.pageSize !== 0 ? { page_size: req.pageSize } : {}),
        });
        return create(ListAccountsResponseSchema, { accounts: (await ops.accounts.listAccounts(caller, input)).map(msg.account) });
      },
      async listEntries(req, ctx) {
        const caller = await authenticate(ctx);
        const { id } = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('account_id', req.accountId) });
        const query = validate<ListEntriesQuery>(ListEntriesQuery, {
          ...(req.limit !== 0 ? { limit: req.limit } : {}),
          ...(req.cursor !== undefined ? { cursor: req.cursor } : {}),
        });
        return msg.entryPage(await ops.accounts.listAccountEntries(caller, { id, ...query }));
      },
      async createTransfer(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<CreateTransferBody>(CreateTransferBody, {
          from_account_id: msg.int64('from_account_id', req.fromAccountId),
          to_account_id: msg.int64('to_account_id', req.toAccountId),
          amount: msg.int64('amount', req.amount),
          currency: req.currency,
          ...(req.pending ? { pending: true } : {}),
          ...(req.timeoutSeconds !== undefined ? { timeout_seconds: req.timeoutSeconds } : {}),
          ...annotations(req),
        });
        return create(CreateTransferResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.createTransfer(caller, input, keyOf(ctx))),
        });
      },
      async getTransfer(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<TransferIdParams>(TransferIdParams, { id: msg.int64('id', req.id) });
        return create(GetTransferResponseSchema, { transfer: msg.transfer(await ops.transfers.getTransfer(caller, input)) });
      },
      async createDeposit(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<FundingBody>(FundingBody, {
          account_id: msg.int64('account_id', req.accountId),
          amount: msg.int64('amount', req.amount),
          ...annotations(req),
        });
        return create(CreateDepositResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.createDeposit(caller, input, keyOf(ctx))),
        });
      },
      async createWithdrawal(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<FundingBody>(FundingBody, {
          account_id: msg.int64('account_id', req.accountId),
          amount: msg.int64('amount', req.amount),
          ...annotations(req),
        });
        return create(CreateWithdrawalResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.createWithdrawal(caller, input, keyOf(ctx))),
        });
      },
      async postTransfer(req, ctx) {
        const caller = await authenticate(ctx);
        const { id } = validate<TransferIdParams>(TransferIdParams, { id: msg.int64('id', req.id) });
        const body = validate<PostTransferBody>(
          PostTransferBody,
          req.amount !== undefined ? { amount: msg.int64('amount', req.amount) } : {},
        );
        return create(PostTransferResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.postTransfer(caller, { ...body, id }, keyOf(ctx))),
        });
      },
      async voidTransfer(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<TransferIdParams>(TransferIdParams, { id: msg.int64('id', req.id) });
        return create(VoidTransferResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.voidTransfer(caller, input, keyOf(ctx))),
        });
      },
      async reverseTransfer(req, ctx) {
        const caller = await authenticate(ctx);
        const { id } = validate<TransferIdParams>(TransferIdParams, { id: msg.int64('id', req.id) });
        const body = validate<ReverseTransferBody>(ReverseTransferBody, {
          ...(req.amount !== undefined ? { amount: msg.int64('amount', req.amount) } : {}),
          ...annotations(req),
        });
        return create(ReverseTransferResponseSchema, {
          result: moneyResult(ctx, await ops.transfers.reverseTransfer(caller, { ...body, id }, keyOf(ctx))),
        });
      },
      async freezeAccount(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('id', req.id) });
        return create(FreezeAccountResponseSchema, {
          account: accountResult(ctx, await ops.transfers.freezeAccount(caller, input, keyOf(ctx))),
        });
      },
      async unfreezeAccount(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('id', req.id) });
        return create(UnfreezeAccountResponseSchema, {
          account: accountResult(ctx, await ops.transfers.unfreezeAccount(caller, input, keyOf(ctx))),
        });
      },
      async closeAccount(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('id', req.id) });
        return create(CloseAccountResponseSchema, {
          account: accountResult(ctx, await ops.transfers.closeAccount(caller, input, keyOf(ctx))),
        });
      },
      async getBalance(req, ctx) {
        const caller = await authenticate(ctx);
        const { id } = validate<AccountIdParams>(AccountIdParams, { id: msg.int64('account_id', req.accountId) });
        const query = validate<BalanceAtQuery>(BalanceAtQuery, req.at !== undefined ? { at: timestampDate(req.at).toISOString() } : {});
        return msg.balanceAt(await ops.accounts.getBalance(caller, { id, ...query }));
      },
      async listEvents(req, ctx) {
        const caller = await authenticate(ctx);
        const input = validate<ListEventsQuery>(ListEventsQuery, {
          after: msg.int64('after', req.after),
          ...(req.limit !== 0 ? { limit: req.limit } : {}),
          wait: req.waitSeconds,
        });
        return msg.eventPage(await ops.events.listEvents(caller, input, ctx.signal));
      },
      async *watchEvents(req, ctx) {
        const caller = await authenticate(ctx);
        const { after } = validate<ListEventsQuery>(ListEventsQuery, { after: msg.int64('after', req.after) });
        for await (const e of await ops.events.watchEvents(caller, after, ctx.signal)) yield msg.event(e);
      },
    });
}
