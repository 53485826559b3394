// The simplebank way, kept as the benchmark's yardstick: BEGIN; insert transfer; two entries; two
// balance updates in id order; COMMIT — seven round trips with the row locks held across them.
import {
  baselineAddBalance,
  baselineInsertEntry,
  baselineInsertTransfer,
} from '../generated/simplebank_baseline.queries.js';
import type { Pool } from '../src/db/pool.js';
import { withTransaction } from '../src/db/transaction.js';

export function simplebankTransfer(pool: Pool, from: number, to: number, amount: number, currency: string) {
  return withTransaction(pool, async (tx) => {
    const [t] = await baselineInsertTransfer.run({ fromAccountId: from, toAccountId: to, amount, currency }, tx);
    await baselineInsertEntry.run({ accountId: from, amount: -amount, transferId: t!.id }, tx);
    await baselineInsertEntry.run({ accountId: to, amount, transferId: t!.id }, tx);
    const [first, second] = from < to ? [[from, -amount], [to, amount]] : [[to, amount], [from, -amount]];
    await baselineAddBalance.run({ id: first![0]!, amount: first![1]! }, tx);
    await baselineAddBalance.run({ id: second![0]!, amount: second![1]! }, tx);
    return t!.id;
  });
}
