import Type, { type Static } from 'typebox';
import { ERROR_CODES } from './errors.js';
import type { AccountId, Cents, EntryId, TransferId } from './ids.js';

/** Text fields never carry U+0000 (Postgres cannot store it); names, emails, usernames no C0 control at all. */
export const NO_NUL = '^[^\\u0000]*$';
export const NO_CONTROL = '^[^\\u0000-\\u001f]*$';

export const CURRENCIES = ['USD', 'EUR', 'CAD'] as const;
export const Currency = Type.Enum(CURRENCIES, {
  title: 'Currency',
  description: 'ISO 4217 code, exact case',
});
export type Currency = Static<typeof Currency>;

// Ids and money: integers on the wire, branded types in the code (src/ids.ts). A value that passed
// one of these schemas is what its brand says, so the schemas are where the brands are given.
const id = () => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const AccountIdSchema = Type.Unsafe<AccountId>(id());
export const TransferIdSchema = Type.Unsafe<TransferId>(id());
export const EntryIdSchema = Type.Unsafe<EntryId>(id());

/** Integer minor units (cents) moved by one movement; never a float, never a string. */
export const Amount = Type.Unsafe<Cents>(
  Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'integer minor units (cents), 1 … 9007199254740991',
  }),
);
export const Money = Type.Unsafe<Cents>(Type.Integer({ description: 'integer minor units (cents)' }));
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });

export const AccountIdParams = Type.Object({ id: AccountIdSchema }, { additionalProperties: false });
export const TransferIdParams = Type.Object({ id: TransferIdSchema }, { additionalProperties: false });

/** RFC 9457 problem details with the contract's stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Enum(ERROR_CODES, { title: 'ErrorCode', description: 'stable, machine-readable: the table of the contract' }),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false, title: 'Problem', description: 'application/problem+json (RFC 9457)' },
);
export type Problem = Static<typeof Problem>;
export type AccountIdParams = Static<typeof AccountIdParams>;
export type TransferIdParams = Static<typeof TransferIdParams>;
