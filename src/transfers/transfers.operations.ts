// The money operations, for every transport: transfer, deposit, withdrawal (each through the group
// commit, under the caller's Idempotency-Key when given) and reading a transfer. Authorization and
// idempotency are decided here; the movement itself is made in ./transfers.service.ts.
import { getTransfer } from '../../generated/transfers.queries.js';
import { assertBanker, assertEitherOwner } from '../auth/authorize.js';
import type { AppDeps, Caller, MoveOptions } from '../context.js';
import { one } from '../db/one.js';
import type { TransferId } from '../ids.js';
import { fingerprint } from './idempotency.js';
import { toTransfer } from './transfers.mappers.js';
import type { CreateTransferBody, FundingBody, Transfer } from './transfers.schemas.js';
import { checkAmount, type Movement, type MovementAnswer } from './transfers.service.js';

/**
 * What a money operation answers: the result or the refusal, and whether it is the replay of an
 * earlier request with the same Idempotency-Key. A value, not a throw, because a refusal that
 * committed (a stored 422) is replayed as faithfully as a success.
 */
export type MoneyAnswer = MovementAnswer;

/**
 * The scope a key's fingerprint is taken in: the operation (named as the HTTP route it first was, so
 * keys stored before this layer existed still match) and its input. Every transport shares it: a
 * retry over gRPC of a request first sent over HTTP replays it.
 */
const SCOPE = { transfer: ['POST', '/transfers'], deposit: ['POST', '/deposits'], withdrawal: ['POST', '/withdrawals'] } as const;

export function transferOperations(deps: Pick<AppDeps, 'pool' | 'moneyMover'>) {
  function move(caller: Caller, movement: Movement, input: object, opts: MoveOptions): Promise<MoneyAnswer> {
    checkAmount(movement.amount);
    const [method, route] = SCOPE[movement.kind];
    return deps.moneyMover.submit({
      movement,
      idempotency: opts.idempotencyKey === undefined
        ? undefined
        : { username: caller.username, key: opts.idempotencyKey, fingerprint: fingerprint(method, route, input) },
    });
  }
  return {
    /** From one of the caller's accounts to any account of the same currency. */
    createTransfer(caller: Caller, input: CreateTransferBody, opts: MoveOptions = {}): Promise<MoneyAnswer> {
      return move(caller, {
        kind: 'transfer',
        fromAccountId: input.from_account_id,
        toAccountId: input.to_account_id,
        amount: input.amount,
        currency: input.currency,
        actingOwner: caller.username,
      }, input, opts);
    },
    /** Banker: into an account, from the bank's funding account of its currency. */
    async createDeposit(caller: Caller, input: FundingBody, opts: MoveOptions = {}): Promise<MoneyAnswer> {
      assertBanker(caller);
      return move(caller, { kind: 'deposit', accountId: input.account_id, amount: input.amount }, input, opts);
    },
    /** Banker: out of an account, into the bank's funding account of its currency. */
    async createWithdrawal(caller: Caller, input: FundingBody, opts: MoveOptions = {}): Promise<MoneyAnswer> {
      assertBanker(caller);
      return move(caller, { kind: 'withdrawal', accountId: input.account_id, amount: input.amount }, input, opts);
    },
    /** Visible to the owner of either side. */
    async getTransfer(caller: Caller, input: { id: TransferId }): Promise<Transfer> {
      const row = one(await getTransfer.run({ id: input.id }, deps.pool), `transfer ${input.id}`);
      assertEitherOwner(caller, [row.from_owner, row.to_owner]);
      return toTransfer(row);
    },
  };
}
