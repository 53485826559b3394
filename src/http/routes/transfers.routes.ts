// HTTP for money movement: an adapter over src/transfers/transfers.operations.ts (the movement itself
// is made by the ledger, src/transfers/ledger.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Account, BalanceAtQuery } from '../../accounts/accounts.schemas.js';
import type { Operations } from '../../operations.js';
import { AccountIdParams, TransferIdParams } from '../../schemas.js';
import type { LedgerResult, MovementAnswer } from '../../transfers/ledger.js';
import {
  BalanceAt,
  CreateTransferBody,
  FundingBody,
  PostTransferBody,
  ReverseTransferBody,
  Transfer,
  TransferResult,
} from '../../transfers/transfers.schemas.js';
import { authOf } from '../auth.plugin.js';
import { errorResponses, problem, sendProblem } from '../problem.js';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Optional. A repeat with the same key and body replays the stored answer (header Idempotent-Replayed: true) and moves no money; kept at least 24 h per caller.',
    }),
  ),
});

const IDEMPOTENCY_NOTE =
  ' With an `Idempotency-Key`, a repeat of the same request replays the first answer (its 200 or 201, or its 422) with `Idempotent-Replayed: true`; ' +
  'the same key with another body is 422 `idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_use`.';

/** The Idempotency-Key header, when the request has one; and when the request arrived (its answer is due 10 s later). */
function keyOf(request: FastifyRequest, reply: FastifyReply): { idempotencyKey?: string; receivedAt: number } {
  const key = request.headers['idempotency-key'];
  const receivedAt = performance.now() - reply.elapsedTime;
  return typeof key === 'string' ? { idempotencyKey: key, receivedAt } : { receivedAt };
}

/**
 * Answers a money operation. It has committed (or its refusal is final): nothing from here on may
 * answer 500 (invariant 7). The body is serialised here, where a failure can still be answered 503 —
 * the outcome is then unknown to the caller, and a retry with the same key replays what committed.
 */
function sendMoneyAnswer(request: FastifyRequest, reply: FastifyReply, answer: MovementAnswer<LedgerResult>): FastifyReply {
  try {
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.ok) {
      const body = reply
        .code(answer.status)
        .serialize(answer.status === 200 && 'account' in answer.result ? answer.result.account : answer.result);
      return reply.type('application/json; charset=utf-8').send(body);
    }
    const e = answer.error;
    return sendProblem(reply, problem(e.status, e.code, e.message, e.fields));
  } catch (err) {
    request.log.error({ err }, 'the answer to a committed money movement could not be built');
    reply.removeHeader('idempotent-replayed');
    return sendProblem(
      reply,
      problem(503, 'unavailable', 'the outcome of this request is unknown; retry it with the same Idempotency-Key'),
    );
  }
}

const transfersRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  const security = [{ bearerAuth: [] }];

  app.post(
    '/transfers',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'createTransfer',
        tags: ['transfers'],
        summary: 'Move money from one of your accounts to another account of the same currency',
        description: `One database transaction (shared with concurrent movements, each checked on its own): the transfer, both entries and both balances, or nothing. The sender's available balance (balance − pending_debits) must cover the amount. With \`pending: true\` it is a hold (two-phase transfer, as TigerBeetle's): the amount is reserved for \`timeout_seconds\` (default 86400), no entry is written and no balance moves (from_entry and to_entry null) until \`POST /transfers/{id}/post\`; \`/void\` or the expiry releases it. A hold is checked as a transfer is, and also refused (balance_limit_exceeded) when the receiver's balance with its pending credits would pass the limit. 422 codes: currency_mismatch, same_account, insufficient_funds, balance_limit_exceeded, account_frozen, account_closed.${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyHeaders,
        body: CreateTransferBody,
        response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      sendMoneyAnswer(request, reply, await ops.transfers.createTransfer(authOf(request), request.body, keyOf(request, reply))),
  );

  app.get(
    '/transfers/:id',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'getTransfer',
        description: 'Visible to the owner of either side.',
        tags: ['transfers'],
        summary: 'A transfer you sent or received',
        security,
        params: TransferIdParams,
        response: { 200: Transfer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ops.transfers.getTransfer(authOf(request), request.params),
  );

  /** The routes whose body is optional (or absent): no body reads as `{}`. */
  const noBodyIsEmpty = async (request: FastifyRequest) => {
    request.body ??= {};
  };
  const HOLD_RULES =
    'A hold is live while pending and before its expires_at by the database clock; from expires_at on it reserves nothing, reads as expired and can be neither posted nor voided (422 transfer_expired). A hold ends once: posted, voided or expired.';
  app.post(
    '/transfers/:id/post',
    {
      onRequest: app.authenticate,
      preValidation: noBodyIsEmpty,
      schema: {
        operationId: 'postTransfer',
        tags: ['transfers'],
        summary: 'Post (capture) a hold, all of it or part: the money moves, the rest is released',
        description: `By the sender's owner or a banker. 200: the hold, now posted (posted_amount: what moved), with the posting's two entries. 422: transfer_not_pending, transfer_expired, amount_exceeds_pending, and the rules of a transfer (insufficient_funds, balance_limit_exceeded, account_frozen, account_closed: the hold then stays pending). ${HOLD_RULES}${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyHeaders,
        params: TransferIdParams,
        body: Type.Optional(PostTransferBody),
        response: { 200: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      sendMoneyAnswer(
        request,
        reply,
        await ops.transfers.postTransfer(authOf(request), { ...request.body, ...request.params }, keyOf(request, reply)),
      ),
  );
  app.post(
    '/transfers/:id/void',
    {
      onRequest: app.authenticate,
      preValidation: noBodyIsEmpty,
      schema: {
        operationId: 'voidTransfer',
        tags: ['transfers'],
        summary: 'Void a hold: nothing moves, the reservation is released',
        description: `By either side's owner or a banker; a frozen account's holds may be voided. 200: the hold, now voided. 422: transfer_not_pending, transfer_expired. ${HOLD_RULES}${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyHeaders,
        params: TransferIdParams,
        response: { 200: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      sendMoneyAnswer(request, reply, await ops.transfers.voidTransfer(authOf(request), request.params, keyOf(request, reply))),
  );
  app.post(
    '/transfers/:id/reverse',
    {
      onRequest: app.authenticate,
      preValidation: noBodyIsEmpty,
      schema: {
        operationId: 'reverseTransfer',
        tags: ['transfers'],
        summary: 'Reverse (refund) a posted transfer: a new transfer from its receiver back to its sender',
        description: `By the receiver's owner (a refund) or a banker (any transfer, deposit or withdrawal). 201: the reversal, with reverses_transfer_id. The reversals of one transfer never sum past its posted_amount (422 reversal_exceeds_amount; a transfer that is not posted has nothing to reverse); the receiver needs the funds (422 insufficient_funds).${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyHeaders,
        params: TransferIdParams,
        body: Type.Optional(ReverseTransferBody),
        response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      sendMoneyAnswer(
        request,
        reply,
        await ops.transfers.reverseTransfer(authOf(request), { ...request.body, ...request.params }, keyOf(request, reply)),
      ),
  );

  for (const [action, operationId, summary, description] of [
    [
      'freeze',
      'freezeAccount',
      'Banker: freeze an account',
      'A frozen account neither sends nor receives (transfers, holds, postings, reversals, deposits, withdrawals: 422 account_frozen); voids and expiry still release its holds; reads work. Funding accounts cannot be frozen (403).',
    ],
    ['unfreeze', 'unfreezeAccount', 'Banker: unfreeze an account', 'The account sends and receives again.'],
    [
      'close',
      'closeAccount',
      'Close an account (its owner or a banker)',
      'Only at balance 0 with no live hold, in or out (else 422 account_not_empty); the owner cannot close a frozen account (422 account_frozen). Closing is final: every movement is then 422 account_closed; it stays readable; the owner may open a new account in that currency. Closing a closed account answers it as it is. Funding accounts cannot be closed (403).',
    ],
  ] as const) {
    const operation =
      action === 'freeze'
        ? ops.transfers.freezeAccount
        : action === 'unfreeze'
          ? ops.transfers.unfreezeAccount
          : ops.transfers.closeAccount;
    app.post(
      `/accounts/:id/${action}`,
      {
        onRequest: app.authenticate,
        preValidation: noBodyIsEmpty,
        schema: {
          operationId,
          tags: ['accounts'],
          summary,
          description: `${description} 422: account_closed.${IDEMPOTENCY_NOTE}`,
          security,
          headers: IdempotencyHeaders,
          params: AccountIdParams,
          response: { 200: Account, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => sendMoneyAnswer(request, reply, await operation(authOf(request), request.params, keyOf(request, reply))),
    );
  }

  app.get(
    '/accounts/:id/balance',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'getBalance',
        tags: ['accounts'],
        summary: 'The posted balance of an account as of a time',
        description:
          "The balance right after the account's last entry at or before `at` (default: now); 0 before its first. Same authorization as reading the account.",
        security,
        params: AccountIdParams,
        querystring: BalanceAtQuery,
        response: { 200: BalanceAt, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ops.accounts.getBalance(authOf(request), { ...request.params, ...request.query }),
  );

  for (const [path, operationId, direction] of [
    ['/deposits', 'createDeposit', 'deposit'],
    ['/withdrawals', 'createWithdrawal', 'withdrawal'],
  ] as const) {
    const operation = direction === 'deposit' ? ops.transfers.createDeposit : ops.transfers.createWithdrawal;
    app.post(
      path,
      {
        onRequest: app.authenticate,
        schema: {
          operationId,
          tags: ['transfers'],
          summary:
            direction === 'deposit'
              ? "Banker: pay money into an account from the bank's funding account of its currency"
              : "Banker: pay money out of an account into the bank's funding account of its currency",
          description: `An ordinary transfer with the funding account, with its two entries.${IDEMPOTENCY_NOTE}`,
          security,
          headers: IdempotencyHeaders,
          body: FundingBody,
          response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => sendMoneyAnswer(request, reply, await operation(authOf(request), request.body, keyOf(request, reply))),
    );
  }
};

export default transfersRoutes;
