import Type, { type Static } from 'typebox';
import { Account, Entry } from '../accounts/accounts.schemas.js';
import type { Cents } from '../ids.js';
import { AccountIdSchema, Amount, Currency, NO_CONTROL, NO_NUL, Timestamp, TransferIdSchema } from '../schemas.js';

export const TransferStatus = Type.Enum(['posted', 'pending', 'voided', 'expired'], {
  title: 'TransferStatus',
  description:
    'posted (money moved); pending (a hold: reserved, nothing moved yet); voided or expired (a hold that ended without moving money)',
});

/** 1–128 characters, no control characters: an invoice number, an order id. */
export const Reference = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: NO_CONTROL,
  description: 'the caller’s own reference (1–128 characters)',
});
/** At most 20 keys of `^[A-Za-z0-9_.-]{1,40}$` to strings of at most 500 characters. */
export const Metadata = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }), Type.String({ maxLength: 500, pattern: NO_NUL }), {
  maxProperties: 20,
  description: 'at most 20 keys (^[A-Za-z0-9_.-]{1,40}$) to strings of at most 500 characters',
});

export const Transfer = Type.Object(
  {
    id: TransferIdSchema,
    from_account_id: AccountIdSchema,
    to_account_id: AccountIdSchema,
    amount: Amount,
    created_at: Timestamp,
    status: TransferStatus,
    posted_amount: Type.Unsafe<Cents>(
      Type.Integer({
        minimum: 0,
        description: 'what moved: amount once posted in full, less after a partial posting, 0 for a hold not posted',
      }),
    ),
    expires_at: Type.Union([Timestamp, Type.Null()], { description: "a hold's expiry; null for an immediate transfer" }),
    reference: Type.Union([Reference, Type.Null()]),
    metadata: Metadata,
    reverses_transfer_id: Type.Union([TransferIdSchema, Type.Null()], {
      description: 'the transfer this one reverses; null unless a reversal',
    }),
  },
  { additionalProperties: false, title: 'Transfer' },
);
export type Transfer = Static<typeof Transfer>;

/** What the sender sees: the receiver's account (owner, balance) is not revealed. */
export const TransferResult = Type.Object(
  {
    transfer: Transfer,
    from_account: Account,
    from_entry: Type.Union([Entry, Type.Null()], { description: 'null while nothing moved (a hold, a void)' }),
    to_entry: Type.Union([Entry, Type.Null()], { description: 'null while nothing moved (a hold, a void)' }),
  },
  {
    additionalProperties: false,
    title: 'TransferResult',
    description: "What the sender sees: the receiver's account (owner, balance) is not revealed.",
  },
);
export type TransferResult = Static<typeof TransferResult>;

const annotated = {
  reference: Type.Optional(Reference),
  metadata: Type.Optional(Metadata),
};

export const CreateTransferBody = Type.Object(
  {
    from_account_id: AccountIdSchema,
    to_account_id: AccountIdSchema,
    amount: Amount,
    currency: Currency,
    pending: Type.Optional(
      Type.Boolean({ description: 'true: a hold — the amount is reserved on the sender, nothing moves until it is posted' }),
    ),
    timeout_seconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2_592_000, description: "a hold's life in seconds (default 86400); only with pending" }),
    ),
    ...annotated,
  },
  { additionalProperties: false, title: 'CreateTransferRequest' },
);
export type CreateTransferBody = Static<typeof CreateTransferBody>;

export const FundingBody = Type.Object(
  { account_id: AccountIdSchema, amount: Amount, ...annotated },
  { additionalProperties: false, title: 'FundingRequest' },
);
export type FundingBody = Static<typeof FundingBody>;

export const PostTransferBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Unsafe<Cents>(
        Type.Integer({
          minimum: 1,
          maximum: Number.MAX_SAFE_INTEGER,
          description: 'what to post, 1 … the hold’s amount (default: all of it); the rest is released',
        }),
      ),
    ),
  },
  { additionalProperties: false, title: 'PostTransferRequest' },
);
export type PostTransferBody = Static<typeof PostTransferBody>;

export const ReverseTransferBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Unsafe<Cents>(
        Type.Integer({
          minimum: 1,
          maximum: Number.MAX_SAFE_INTEGER,
          description: 'what to pay back (default: all that is not yet reversed)',
        }),
      ),
    ),
    ...annotated,
  },
  { additionalProperties: false, title: 'ReverseTransferRequest' },
);
export type ReverseTransferBody = Static<typeof ReverseTransferBody>;

/** The posted balance of an account as of a time. */
export const BalanceAt = Type.Object(
  {
    account_id: AccountIdSchema,
    currency: Currency,
    at: Timestamp,
    balance: Type.Unsafe<Cents>(Type.Integer({ description: 'the posted balance as of `at`' })),
  },
  { additionalProperties: false, title: 'BalanceAt' },
);
export type BalanceAt = Static<typeof BalanceAt>;
