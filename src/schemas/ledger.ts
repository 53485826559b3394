import Type, { type Static } from 'typebox';
import { Amount, Currency, Id, Money, Timestamp } from './common.js';

export const Account = Type.Object(
  { id: Id, owner: Type.String(), balance: Money, currency: Currency, created_at: Timestamp },
  { additionalProperties: false, title: 'Account' },
);
export type Account = Static<typeof Account>;

export const Entry = Type.Object(
  {
    id: Id,
    account_id: Id,
    amount: Type.Integer({ description: 'negative for money out, positive for money in' }),
    transfer_id: Id,
    created_at: Timestamp,
  },
  { additionalProperties: false, title: 'Entry' },
);
export type Entry = Static<typeof Entry>;

export const Transfer = Type.Object(
  { id: Id, from_account_id: Id, to_account_id: Id, amount: Amount, created_at: Timestamp },
  { additionalProperties: false, title: 'Transfer' },
);
export type Transfer = Static<typeof Transfer>;

/** What the sender sees: the receiver's account (owner, balance) is not revealed. */
export const TransferResult = Type.Object(
  { transfer: Transfer, from_account: Account, from_entry: Entry, to_entry: Entry },
  { additionalProperties: false, title: 'TransferResult', description: 'What the sender sees: the receiver\'s account (owner, balance) is not revealed.' },
);
export type TransferResult = Static<typeof TransferResult>;
