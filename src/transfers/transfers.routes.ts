// HTTP for money movement. The movement itself is made in src/ledger/transfer.service.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getTransfer } from '../../generated/transfers.queries.js';
import { assertBanker, assertEitherOwner } from '../auth/authorize.js';
import { one } from '../db/one.js';
import type { AppDeps } from '../deps.js';
import { authOf } from '../http/auth.plugin.js';
import { errorResponses } from '../http/problem.js';
import type { TransferOutcome } from '../ledger/ledger.mappers.js';
import { toTransfer } from '../ledger/ledger.mappers.js';
import { deposit, transfer, withdraw } from '../ledger/transfer.service.js';
import { IdParams } from '../schemas/common.js';
import { Transfer, TransferResult, type TransferResult as TransferResultT } from '../schemas/ledger.js';
import { CreateTransferBody, FundingBody } from '../schemas/transfers.js';

/** The receiver's account (owner, balance) is not revealed to the sender. */
const toResult = (o: TransferOutcome): TransferResultT => ({
  transfer: o.transfer,
  from_account: o.from_account,
  from_entry: o.from_entry,
  to_entry: o.to_entry,
});

const transfersRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const security = [{ bearerAuth: [] }];

  app.post('/transfers', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'createTransfer',
      tags: ['transfers'],
      summary: 'Move money from one of your accounts to another account of the same currency',
      description: 'One database transaction: the transfer, both entries and both balances, or nothing. 422 codes: currency_mismatch, same_account, insufficient_funds.',
      security,
      body: CreateTransferBody,
      response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const b = request.body;
    const outcome = await transfer(deps.pool, {
      fromAccountId: b.from_account_id,
      toAccountId: b.to_account_id,
      amount: b.amount,
      currency: b.currency,
      actingOwner: authOf(request).username,
    });
    return reply.code(201).send(toResult(outcome));
  });

  app.get('/transfers/:id', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'getTransfer',
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
        security,
        body: FundingBody,
        response: { 201: TransferResult, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    }, async (request, reply) => {
      assertBanker(authOf(request));
      const move = direction === 'deposit' ? deposit : withdraw;
      const outcome = await move(deps.pool, request.body.account_id, request.body.amount);
      return reply.code(201).send(toResult(outcome));
    });
  }
};

export default transfersRoutes;
