// Compile-time contract of the typed client: `npm run typecheck` (CI) fails if any line marked as an
// expected error stops being one, i.e. if the client starts accepting wrong bodies or promising
// wrong result types. Never executed.
import type { BankClient, TransferResult } from '../../packages/client/src/index.js';

export async function wrongUses(c: BankClient): Promise<void> {
  // @ts-expect-error amount is an integer number of cents, never a string
  await c.transfer({ from_account_id: 1, to_account_id: 2, amount: '10', currency: 'USD' });
  // @ts-expect-error only USD, EUR and CAD exist
  await c.transfer({ from_account_id: 1, to_account_id: 2, amount: 10, currency: 'GBP' });
  // @ts-expect-error a transfer names both accounts
  await c.transfer({ from_account_id: 1, amount: 10, currency: 'USD' });
  // @ts-expect-error a deposit needs an amount
  await c.deposit({ account_id: 1 });
  // @ts-expect-error unknown fields are refused
  await c.deposit({ account_id: 1, amount: 5, memo: 'x' });

  const r: TransferResult = await c.transfer({ from_account_id: 1, to_account_id: 2, amount: 10, currency: 'USD' });
  const balance: number = r.from_account.balance;
  // @ts-expect-error balances are numbers
  const wrong: string = r.from_account.balance;
  // @ts-expect-error the receiver's account is not revealed to the sender
  void r.to_account;
  void balance;
  void wrong;
}
