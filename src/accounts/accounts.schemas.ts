import Type, { type Static } from 'typebox';
import type { Cents } from '../ids.js';
import { AccountIdSchema, Currency, EntryIdSchema, NO_NUL, Timestamp, TransferIdSchema } from '../schemas.js';

export const AccountStatus = Type.Enum(['open', 'frozen', 'closed'], {
  title: 'AccountStatus',
  description: 'open; frozen (by a banker: neither sends nor receives); closed (final, only at balance 0)',
});

export const Account = Type.Object(
  {
    id: AccountIdSchema,
    owner: Type.String(),
    balance: Type.Unsafe<Cents>(Type.Integer({ description: 'the posted balance, integer minor units (cents)' })),
    currency: Currency,
    created_at: Timestamp,
    status: AccountStatus,
    pending_debits: Type.Unsafe<Cents>(
      Type.Integer({ minimum: 0, description: 'Σ of its live holds out (not yet posted, voided or expired)' }),
    ),
    pending_credits: Type.Unsafe<Cents>(Type.Integer({ minimum: 0, description: 'Σ of its live holds in' })),
    available_balance: Type.Unsafe<Cents>(Type.Integer({ description: 'balance − pending_debits: what it can send' })),
  },
  { additionalProperties: false, title: 'Account' },
);
export type Account = Static<typeof Account>;

export const Entry = Type.Object(
  {
    id: EntryIdSchema,
    account_id: AccountIdSchema,
    amount: Type.Unsafe<Cents>(Type.Integer({ description: 'negative for money out, positive for money in' })),
    transfer_id: TransferIdSchema,
    created_at: Timestamp,
    balance_after: Type.Unsafe<Cents>(Type.Integer({ description: "the account's posted balance right after this entry" })),
  },
  { additionalProperties: false, title: 'Entry' },
);
export type Entry = Static<typeof Entry>;

export const CreateAccountBody = Type.Object({ currency: Currency }, { additionalProperties: false, title: 'CreateAccountRequest' });
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const ListAccountsQuery = Type.Object(
  {
    page_id: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    page_size: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);
export type ListAccountsQuery = Static<typeof ListAccountsQuery>;

export const ListEntriesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: NO_NUL, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);
export type ListEntriesQuery = Static<typeof ListEntriesQuery>;

export const EntryPage = Type.Object(
  {
    items: Type.Array(Entry),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  },
  { additionalProperties: false, title: 'EntryPage' },
);
export type EntryPage = Static<typeof EntryPage>;

export const BalanceAtQuery = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339 (default: now)' })) },
  { additionalProperties: false },
);
export type BalanceAtQuery = Static<typeof BalanceAtQuery>;
