// The ledger operations, for every transport: transfer (immediate or a hold), deposit, withdrawal, a
// hold's post and void, a reversal, an account's freeze, unfreeze and close — each an item of the group
// commit in ./ledger.ts, under the caller's Idempotency-Key when given — and reading a transfer. Who may
// act is decided here where it needs no row (the banker role) and by the ledger, under its locks, where
// it needs one (the owner of an account or of a transfer's side); the change itself is the ledger's.
import { getTransfer } from '../../generated/transfers.queries.js';
import { assertBanker, assertEitherOwner, type Caller, isBanker } from '../caller.js';
import type { AppDeps, MoveOptions } from '../context.js';
import { one } from '../db/one.js';
import { ValidationError } from '../errors.js';
import type { AccountId, Cents, TransferId } from '../ids.js';
import { fingerprint } from './idempotency.js';
import type { AnswerTo, Movement } from './ledger.js';
import { toTransfer } from './transfers.mappers.js';
import type { CreateTransferBody, FundingBody, PostTransferBody, ReverseTransferBody, Transfer } from './transfers.schemas.js';

/**
 * The scope a key's fingerprint is taken in: the operation (named as the HTTP route it first was, so
 * keys stored before this layer existed still match) and its input. Every transport shares it: a
 * retry over gRPC of a request first sent over HTTP replays it.
 */
const SCOPE: Record<Movement['kind'], readonly [string, string]> = {
  transfer: ['POST', '/transfers'],
  deposit: ['POST', '/deposits'],
  withdrawal: ['POST', '/withdrawals'],
  post: ['POST', '/transfers/:id/post'],
  void: ['POST', '/transfers/:id/void'],
  reverse: ['POST', '/transfers/:id/reverse'],
  freeze: ['POST', '/accounts/:id/freeze'],
  unfreeze: ['POST', '/accounts/:id/unfreeze'],
  close: ['POST', '/accounts/:id/close'],
};

/** The one check of an amount before the ledger (the schemas of both transports check it too). */
function checkAmount(amount: Cents | undefined): void {
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0)) {
    throw new ValidationError('amount', 'must be an integer from 1 to 9007199254740991');
  }
}

/** The operations that reach the ledger, and the kind of item each counts as (metrics). */
export const MOVEMENT_KIND: Readonly<Record<string, Movement['kind'] | undefined>> = {
  createTransfer: 'transfer',
  createDeposit: 'deposit',
  createWithdrawal: 'withdrawal',
  postTransfer: 'post',
  voidTransfer: 'void',
  reverseTransfer: 'reverse',
  freezeAccount: 'freeze',
  unfreezeAccount: 'unfreeze',
  closeAccount: 'close',
};

/** A hold lasts 1 s … 30 days (default 1 day). */
export const HOLD_TIMEOUT_S = { min: 1, max: 2_592_000, default: 86_400 } as const;

const METADATA_KEY = /^[A-Za-z0-9_.-]{1,40}$/;

/** A movement's reference and metadata, as given; metadata's keys are checked here (the schemas check its values). */
const annotations = (input: { reference?: string; metadata?: Record<string, string> }) => {
  for (const key of Object.keys(input.metadata ?? {})) {
    if (!METADATA_KEY.test(key))
      throw new ValidationError('metadata', `key ${JSON.stringify(key.slice(0, 50))} must match ^[A-Za-z0-9_.-]{1,40}$`);
  }
  return annotationFields(input);
};
const annotationFields = (input: { reference?: string; metadata?: Record<string, string> }) => ({
  ...(input.reference === undefined ? {} : { reference: input.reference }),
  ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
});

export function transferOperations(deps: Pick<AppDeps, 'reads' | 'groupCommit' | 'metrics'>) {
  /** Every ledger operation's answer is counted: `ok`, or the contract code it was refused with (what
   * it throws is counted where errors are translated: src/operations.ts, MOVEMENT_KIND). */
  async function move<M extends Movement>(caller: Caller, movement: M, input: object, opts: MoveOptions): Promise<AnswerTo<M>> {
    checkAmount('amount' in movement ? movement.amount : undefined);
    // The key is checked here, for every transport, before anything reaches the ledger.
    const key = opts.idempotencyKey;
    if (key !== undefined && (key.length < 1 || key.length > 255)) {
      throw new ValidationError('idempotency-key', 'must be 1 to 255 characters');
    }
    const [method, route] = SCOPE[movement.kind];
    const answer = await deps.groupCommit.submit(
      {
        movement,
        idempotency:
          opts.idempotencyKey === undefined
            ? undefined
            : { username: caller.username, key: opts.idempotencyKey, fingerprint: fingerprint(method, route, input) },
      },
      { signal: opts.signal, receivedAt: opts.receivedAt, deadline: opts.deadline },
    );
    deps.metrics.moneyMovement(movement.kind, answer.ok ? 'ok' : answer.error.code);
    return answer;
  }
  /** A banker acts on any account or transfer; anyone else only as the owner the ledger checks. */
  const actingOwner = (caller: Caller) => (isBanker(caller) ? {} : { actingOwner: caller.username });
  return {
    /** From one of the caller's accounts to any account of the same currency; a hold with `pending`. */
    createTransfer(caller: Caller, input: CreateTransferBody, opts: MoveOptions = {}) {
      if (input.timeout_seconds !== undefined && input.pending !== true) {
        throw new ValidationError('timeout_seconds', 'is allowed only with pending: true');
      }
      return move(
        caller,
        {
          kind: 'transfer',
          fromAccountId: input.from_account_id,
          toAccountId: input.to_account_id,
          amount: input.amount,
          currency: input.currency,
          actingOwner: caller.username,
          ...(input.pending ? { hold: { timeoutSeconds: input.timeout_seconds ?? HOLD_TIMEOUT_S.default } } : {}),
          ...annotations(input),
        },
        input,
        opts,
      );
    },
    /** Banker: into an account, from the bank's funding account of its currency. */
    createDeposit(caller: Caller, input: FundingBody, opts: MoveOptions = {}) {
      assertBanker(caller);
      return move(caller, { kind: 'deposit', accountId: input.account_id, amount: input.amount, ...annotations(input) }, input, opts);
    },
    /** Banker: out of an account, into the bank's funding account of its currency. */
    createWithdrawal(caller: Caller, input: FundingBody, opts: MoveOptions = {}) {
      assertBanker(caller);
      return move(caller, { kind: 'withdrawal', accountId: input.account_id, amount: input.amount, ...annotations(input) }, input, opts);
    },
    /** A live hold's posting, all of it or `amount`: by the sender's owner or a banker. */
    postTransfer(caller: Caller, input: { id: TransferId } & PostTransferBody, opts: MoveOptions = {}) {
      return move(
        caller,
        { kind: 'post', transferId: input.id, ...(input.amount === undefined ? {} : { amount: input.amount }), ...actingOwner(caller) },
        input,
        opts,
      );
    },
    /** A live hold released, nothing moved: by either side's owner or a banker. */
    voidTransfer(caller: Caller, input: { id: TransferId }, opts: MoveOptions = {}) {
      return move(caller, { kind: 'void', transferId: input.id, ...actingOwner(caller) }, input, opts);
    },
    /** A posted transfer paid back by its receiver (a refund), all that is not yet reversed or `amount`. */
    reverseTransfer(caller: Caller, input: { id: TransferId } & ReverseTransferBody, opts: MoveOptions = {}) {
      return move(
        caller,
        {
          kind: 'reverse',
          transferId: input.id,
          ...(input.amount === undefined ? {} : { amount: input.amount }),
          ...actingOwner(caller),
          ...annotations(input),
        },
        input,
        opts,
      );
    },
    /** Banker: the account neither sends nor receives until unfrozen. */
    freezeAccount(caller: Caller, input: { id: AccountId }, opts: MoveOptions = {}) {
      assertBanker(caller);
      return move(caller, { kind: 'freeze', accountId: input.id }, input, opts);
    },
    unfreezeAccount(caller: Caller, input: { id: AccountId }, opts: MoveOptions = {}) {
      assertBanker(caller);
      return move(caller, { kind: 'unfreeze', accountId: input.id }, input, opts);
    },
    /** Its owner or a banker, at balance 0 with no live hold: final. */
    closeAccount(caller: Caller, input: { id: AccountId }, opts: MoveOptions = {}) {
      return move(caller, { kind: 'close', accountId: input.id, ...actingOwner(caller) }, input, opts);
    },
    /** Visible to the owner of either side. */
    async getTransfer(caller: Caller, input: { id: TransferId }): Promise<Transfer> {
      const row = one(await getTransfer.run({ id: input.id }, deps.reads), `transfer ${input.id}`);
      assertEitherOwner(caller, [row.from_owner, row.to_owner]);
      return toTransfer(row);
    },
  };
}
