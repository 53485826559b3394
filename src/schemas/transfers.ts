import Type from 'typebox';
import { Amount, Currency, Id } from './common.js';

export const CreateTransferBody = Type.Object(
  { from_account_id: Id, to_account_id: Id, amount: Amount, currency: Currency },
  { additionalProperties: false, title: 'CreateTransferRequest' },
);

export const FundingBody = Type.Object({ account_id: Id, amount: Amount }, { additionalProperties: false, title: 'FundingRequest' });
