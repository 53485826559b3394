// The money operations, for every transport: transfer, deposit, withdrawal (each an item of the
// group commit in ./ledger.ts, under the caller's Idempotency-Key when given) and reading a transfer.
// Authorization and idempotency are decided here; the movement itself is made by the ledger.
import { getTransfer } from '../../generated/transfers.queries.js';
import { assertBanker, assertEitherOwner, type Caller } from '../caller.js';
import type { AppDeps, MoveOptions } from '../context.js';
import { one } from '../db/one.js';
import { ValidationError } from '../errors.js';
import type { Cents, TransferId } from '../ids.js';
import { fingerprint } from './idempotency.js';
import type { Movement, MovementAnswer } from './ledger.js';
import { toTransfer } from './transfers.mappers.js';
import type { CreateTransferBody, FundingBody, Transfer } from './transfers.schemas.js';

/**
 * The scope a key's fingerprint is taken in: the operation (named as the HTTP route it first was, so
 * keys stored before this layer existed still match) and its input. Every transport shares it: a
 * retry over gRPC of a request first sent over HTTP replays it.
 */
const SCOPE = { transfer: ['POST', '/transfers'], deposit: ['POST', '/deposits'], withdrawal: ['POST', '/withdrawals'] } as const;

/** The one check of an amount before the ledger (the schemas of both transports check it too). */
function checkAmount(amount: Cents): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new ValidationError('amount', 'must be an integer from 1 to 9007199254740991');
  }
}

/** The money operations by name, and the kind of movement each counts as. */
export const MOVEMENT_KIND: Readonly<Record<string, Movement['kind'] | undefined>> = {
  createTransfer: 'transfer',
  createDeposit: 'deposit',
  createWithdrawal: 'withdrawal',
};

export function transferOperations(deps: Pick<AppDeps, 'reads' | 'groupCommit' | 'metrics'>) {
  /** Every money operation's answer is counted: `ok`, or the contract code it was refused with (what
   * it throws is counted where errors are translated: src/operations.ts, MOVEMENT_KIND). */
  async function counted(kind: Movement['kind'], run: () => Promise<MovementAnswer>): Promise<MovementAnswer> {
    const answer = await run();
    deps.metrics.moneyMovement(kind, answer.ok ? 'ok' : answer.error.code);
    return answer;
  }
  function move(caller: Caller, movement: Movement, input: object, opts: MoveOptions): Promise<MovementAnswer> {
    checkAmount(movement.amount);
    // The key is checked here, for every transport, before anything reaches the ledger.
    const key = opts.idempotencyKey;
    if (key !== undefined && (key.length < 1 || key.length > 255)) {
      throw new ValidationError('idempotency-key', 'must be 1 to 255 characters');
    }
    const [method, route] = SCOPE[movement.kind];
    return deps.groupCommit.submit(
      {
        movement,
        idempotency:
          opts.idempotencyKey === undefined
            ? undefined
            : { username: caller.username, key: opts.idempotencyKey, fingerprint: fingerprint(method, route, input) },
      },
      opts.signal,
    );
  }
  return {
    /** From one of the caller's accounts to any account of the same currency. */
    createTransfer(caller: Caller, input: CreateTransferBody, opts: MoveOptions = {}): Promise<MovementAnswer> {
      return counted('transfer', async () => {
        const movement: Movement = {
          kind: 'transfer',
          fromAccountId: input.from_account_id,
          toAccountId: input.to_account_id,
          amount: input.amount,
          currency: input.currency,
          actingOwner: caller.username,
        };
        return move(caller, movement, input, opts);
      });
    },
    /** Banker: into an account, from the bank's funding account of its currency. */
    createDeposit(caller: Caller, input: FundingBody, opts: MoveOptions = {}): Promise<MovementAnswer> {
      return counted('deposit', async () => {
        assertBanker(caller);
        return move(caller, { kind: 'deposit', accountId: input.account_id, amount: input.amount }, input, opts);
      });
    },
    /** Banker: out of an account, into the bank's funding account of its currency. */
    createWithdrawal(caller: Caller, input: FundingBody, opts: MoveOptions = {}): Promise<MovementAnswer> {
      return counted('withdrawal', async () => {
        assertBanker(caller);
        return move(caller, { kind: 'withdrawal', accountId: input.account_id, amount: input.amount }, input, opts);
      });
    },
    /** Visible to the owner of either side. */
    async getTransfer(caller: Caller, input: { id: TransferId }): Promise<Transfer> {
      const row = one(await getTransfer.run({ id: input.id }, deps.reads), `transfer ${input.id}`);
      assertEitherOwner(caller, [row.from_owner, row.to_owner]);
      return toTransfer(row);
    },
  };
}
