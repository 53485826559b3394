import Type from 'typebox';
import { Currency, NO_NUL } from './common.js';
import { Entry } from './ledger.js';

export const CreateAccountBody = Type.Object({ currency: Currency }, { additionalProperties: false, title: 'CreateAccountRequest' });

export const ListAccountsQuery = Type.Object(
  {
    page_id: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    page_size: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);

export const ListEntriesQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: NO_NUL, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const EntryPage = Type.Object(
  {
    items: Type.Array(Entry),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  },
  { additionalProperties: false, title: 'EntryPage' },
);
