import Type, { type Static } from 'typebox';
import { Account, Entry } from '../accounts/accounts.schemas.js';
import { AccountIdSchema, Amount, Currency, Timestamp, TransferIdSchema } from '../schemas.js';

export const Transfer = Type.Object(
  { id: TransferIdSchema, from_account_id: AccountIdSchema, to_account_id: AccountIdSchema, amount: Amount, created_at: Timestamp },
  { additionalProperties: false, title: 'Transfer' },
);
export type Transfer = Static<typeof Transfer>;

/** What the sender sees: the receiver's account (owner, balance) is not revealed. */
export const TransferResult = Type.Object(
  { transfer: Transfer, from_account: Account, from_entry: Entry, to_entry: Entry },
  {
    additionalProperties: false,
    title: 'TransferResult',
    description: "What the sender sees: the receiver's account (owner, balance) is not revealed.",
  },
);
export type TransferResult = Static<typeof TransferResult>;

export const CreateTransferBody = Type.Object(
  { from_account_id: AccountIdSchema, to_account_id: AccountIdSchema, amount: Amount, currency: Currency },
  { additionalProperties: false, title: 'CreateTransferRequest' },
);
export type CreateTransferBody = Static<typeof CreateTransferBody>;

export const FundingBody = Type.Object(
  { account_id: AccountIdSchema, amount: Amount },
  { additionalProperties: false, title: 'FundingRequest' },
);
export type FundingBody = Static<typeof FundingBody>;
