import Type, { type Static } from 'typebox';
import type { Cents } from '../ids.js';
import { AccountIdSchema, Currency, EntryIdSchema, Money, NO_NUL, Timestamp, TransferIdSchema } from '../schemas.js';

export const Account = Type.Object(
  { id: AccountIdSchema, owner: Type.String(), balance: Money, currency: Currency, created_at: Timestamp },
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
