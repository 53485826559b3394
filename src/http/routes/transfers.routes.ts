// HTTP for money movement: an adapter over src/transfers/transfers.operations.ts (the movement itself
// is made by the ledger, src/transfers/ledger.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Operations } from '../../operations.js';
import { TransferIdParams } from '../../schemas.js';
import type { MovementAnswer } from '../../transfers/ledger.js';
import { CreateTransferBody, FundingBody, Transfer, TransferResult } from '../../transfers/transfers.schemas.js';
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
  ' With an `Idempotency-Key`, a repeat of the same request replays the first answer (201 or 422) with `Idempotent-Replayed: true`; ' +
  'the same key with another body is 422 `idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_use`.';

/** The Idempotency-Key header, when the request has one. */
function keyOf(request: FastifyRequest): { idempotencyKey?: string } {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? { idempotencyKey: key } : {};
}

/**
 * Answers a money operation. It has committed (or its refusal is final): nothing from here on may
 * answer 500 (invariant 7). The body is serialised here, where a failure can still be answered 503 —
 * the outcome is then unknown to the caller, and a retry with the same key replays what committed.
 */
function sendMoneyAnswer(request: FastifyRequest, reply: FastifyReply, answer: MovementAnswer): FastifyReply {
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
        description: `One database transaction (shared with concurrent movements, each checked on its own): the transfer, both entries and both balances, or nothing. 422 codes: currency_mismatch, same_account, insufficient_funds, balance_limit_exceeded.${IDEMPOTENCY_NOTE}`,
        security,
        headers: IdempotencyHeaders,
        body: CreateTransferBody,
        response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      sendMoneyAnswer(request, reply, await ops.transfers.createTransfer(authOf(request), request.body, keyOf(request))),
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
      async (request, reply) => sendMoneyAnswer(request, reply, await operation(authOf(request), request.body, keyOf(request))),
    );
  }
};

export default transfersRoutes;
