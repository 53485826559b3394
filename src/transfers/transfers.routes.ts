// HTTP for money movement. The movement itself is made in src/ledger/transfer.service.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { getTransfer } from '../../generated/transfers.queries.js';
import { assertBanker, assertEitherOwner } from '../auth/authorize.js';
import { one } from '../db/one.js';
import type { AppDeps } from '../deps.js';
import { authOf } from '../http/auth.plugin.js';
import { errorResponses, problem, sendProblem } from '../http/problem.js';
import { fingerprint } from '../idempotency/idempotency.service.js';
import { toTransfer } from '../ledger/ledger.mappers.js';
import { checkAmount, type Movement } from '../ledger/transfer.service.js';
import { IdParams } from '../schemas/common.js';
import { Transfer, TransferResult } from '../schemas/ledger.js';
import { CreateTransferBody, FundingBody } from '../schemas/transfers.js';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Optional. A repeat with the same key and body replays the stored answer (header Idempotent-Replayed: true) and moves no money; kept at least 24 h per caller.',
    }),
  ),
});

const IDEMPOTENCY_NOTE =
  ' With an `Idempotency-Key`, a repeat of the same request replays the first answer (201 or 422) with `Idempotent-Replayed: true`; ' +
  'the same key with another body is 422 `idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_use`.';

const transfersRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const security = [{ bearerAuth: [] }];

  /**
   * Runs a money movement through the group commit, under its Idempotency-Key when the request has
   * one, and answers only after the COMMIT that made it durable.
   */
  async function moveMoney(request: FastifyRequest, reply: FastifyReply, movement: Movement): Promise<FastifyReply> {
    checkAmount(movement.amount);
    const key = request.headers['idempotency-key'];
    const answer = await deps.moneyMover.submit({
      movement,
      idempotency: typeof key === 'string'
        ? {
            username: authOf(request).username,
            key,
            fingerprint: fingerprint(request.method, request.routeOptions.url ?? request.url, request.body),
          }
        : undefined,
    });
    // The movement has committed (or its refusal is final): nothing from here on may answer 500
    // (invariant 7). The body is serialised here, where a failure can still be answered 503 — the
    // outcome is then unknown to the caller, and a retry with the same key replays what committed.
    try {
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      if (answer.ok) {
        const body = reply.code(201).serialize(answer.result);
        return reply.type('application/json; charset=utf-8').send(body);
      }
      const e = answer.error;
      return sendProblem(reply, problem(e.status, e.code, e.message, e.fields));
    } catch (err) {
      request.log.error({ err }, 'the answer to a committed money movement could not be built');
      reply.removeHeader('idempotent-replayed');
      return sendProblem(reply, problem(503, 'unavailable', 'the outcome of this request is unknown; retry it with the same Idempotency-Key'));
    }
  }

  app.post('/transfers', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'createTransfer',
      tags: ['transfers'],
      summary: 'Move money from one of your accounts to another account of the same currency',
      description: 'One database transaction (shared with concurrent movements, each checked on its own): the transfer, both entries and both balances, or nothing. 422 codes: currency_mismatch, same_account, insufficient_funds, balance_limit_exceeded.' + IDEMPOTENCY_NOTE,
      security,
      headers: IdempotencyHeaders,
      body: CreateTransferBody,
      response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const b = request.body;
    return moveMoney(request, reply, {
      kind: 'transfer',
      fromAccountId: b.from_account_id,
      toAccountId: b.to_account_id,
      amount: b.amount,
      currency: b.currency,
      actingOwner: authOf(request).username,
    });
  });

  app.get('/transfers/:id', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'getTransfer', description: 'Visible to the owner of either side.',
      tags: ['transfers'],
      summary: 'A transfer you sent or received',
      security,
      params: IdParams,
      response: { 200: Transfer, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const row = one(await getTransfer.run({ id: request.params.id }, deps.pool), `transfer ${request.params.id}`);
    assertEitherOwner(authOf(request), [row.from_owner, row.to_owner]);
    return toTransfer(row);
  });

  for (const [path, operationId, direction] of [
    ['/deposits', 'createDeposit', 'deposit'],
    ['/withdrawals', 'createWithdrawal', 'withdrawal'],
  ] as const) {
    app.post(path, {
      onRequest: app.authenticate,
      schema: {
        operationId,
        tags: ['transfers'],
        summary: direction === 'deposit'
          ? 'Banker: pay money into an account from the bank\'s funding account of its currency'
          : 'Banker: pay money out of an account into the bank\'s funding account of its currency',
        description: 'An ordinary transfer with the funding account, with its two entries.' + IDEMPOTENCY_NOTE,
        security,
        headers: IdempotencyHeaders,
        body: FundingBody,
        response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    }, async (request, reply) => {
      assertBanker(authOf(request));
      const { account_id: accountId, amount } = request.body;
      return moveMoney(request, reply, { kind: direction, accountId, amount });
    });
  }
};

export default transfersRoutes;
