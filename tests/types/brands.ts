// Compile-time contract of the id and money types: `npm run typecheck` (CI) fails if any line marked
// as an expected error stops being one, i.e. if an account id could again be passed as a transfer id
// or an amount. Never executed. The brands come from the Postgres domains (migrations/*_domains.sql)
// through pgtyped's overrides and scripts/codegen-brands.ts into generated/.
import { getAccount } from '../../generated/accounts.queries.js';
import { listEntries } from '../../generated/entries.queries.js';
import { getTransfer, type IGetTransferResult } from '../../generated/transfers.queries.js';
import type { Account } from '../../src/accounts/accounts.schemas.js';
import { findAccount } from '../../src/accounts/accounts.service.js';
import type { Queryable } from '../../src/db/pool.js';
import { type AccountId, type Cents, fromInt8, type TransferId } from '../../src/ids.js';
import type { Transfer } from '../../src/transfers/transfers.schemas.js';
import { deposit, transfer } from '../setup/ledger.js';

export async function wrongUses(db: Queryable, account: Account, t: Transfer, row: IGetTransferResult): Promise<void> {
  const accountId: AccountId = account.id;
  const transferId: TransferId = t.id;
  const amount: Cents = t.amount;

  // @ts-expect-error a transfer id is not an account id
  await findAccount(db, transferId);
  // @ts-expect-error a bare number is not an account id: it must pass a schema or asAccountId()
  await findAccount(db, 42);
  // @ts-expect-error deposit(account, amount): the two cannot be swapped
  await deposit(db, amount, accountId);
  // @ts-expect-error an amount is Cents, never a bare number
  await deposit(db, accountId, 500);
  // @ts-expect-error the generated query of a transfer takes a transfer id
  await getTransfer.run({ id: accountId }, db);
  // @ts-expect-error the generated query of an account takes an account id
  await getAccount.run({ id: transferId }, db);
  // @ts-expect-error an entry cursor is an entry id, not an account id
  await listEntries.run({ accountId, beforeId: accountId, limit: 10 }, db);
  await transfer(db, {
    fromAccountId: accountId,
    // @ts-expect-error the receiving side is an account id too
    toAccountId: transferId,
    amount,
    currency: 'USD',
  });

  // Result columns of the domains are branded text: they become the right id, and only that one.
  const from: AccountId = fromInt8(row.from_account_id);
  const id: TransferId = fromInt8(row.id);
  // @ts-expect-error the from-account column holds an account id, not a transfer id
  const wrong: TransferId = fromInt8(row.from_account_id);
  // @ts-expect-error the amount column is cents, not an id
  const wrongAmount: AccountId = fromInt8(row.amount);
  // @ts-expect-error the text of a column is not yet a number
  const notYet: number = row.amount;
  void [from, id, wrong, wrongAmount, notYet];

  // Right uses compile.
  await findAccount(db, accountId);
  await deposit(db, accountId, amount);
  await getTransfer.run({ id: transferId }, db);
}
