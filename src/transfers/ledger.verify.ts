// The ledger's invariants (docs/API.md 1-3 and 8-10, and balance_after), checked over the whole database
// (tests, the benchmark, verify-ledger).
import {
  accountsOutOfBalance,
  currenciesOutOfBalance,
  entriesWithWrongBalanceAfter,
  ledgerCounts,
  malformedTransfers,
  negativeAvailableAccounts,
  negativeCustomerAccounts,
  overReversedTransfers,
} from '../../generated/ledger.queries.js';
import { one } from '../db/one.js';
import type { Queryable } from '../db/pool.js';
import { fromInt8 } from '../ids.js';

export interface LedgerReport {
  ok: boolean;
  violations: string[];
  counts: { transfers: number; entries: number; accounts: number };
}

export async function verifyLedger(db: Queryable): Promise<LedgerReport> {
  // One after another: `db` may be a single client. Each check is one statement, so each sees one
  // consistent snapshot even while transfers go on; the counts may be a moment apart.
  const accounts = await accountsOutOfBalance.run(undefined, db);
  const currencies = await currenciesOutOfBalance.run(undefined, db);
  const negatives = await negativeCustomerAccounts.run(undefined, db);
  const transfers = await malformedTransfers.run(undefined, db);
  const history = await entriesWithWrongBalanceAfter.run(undefined, db);
  const available = await negativeAvailableAccounts.run(undefined, db);
  const reversals = await overReversedTransfers.run(undefined, db);
  const counts = await ledgerCounts.run(undefined, db);
  const violations = [
    ...accounts.map((a) => `account ${a.id} (${a.currency}): balance ${a.balance} ≠ Σ entries ${a.entries_total}`),
    ...currencies.map((c) => `currency ${c.currency}: Σ balances = ${c.total}, not 0`),
    ...negatives.map((a) => `account ${a.id} (${a.currency}): balance ${a.balance} below 0`),
    ...transfers.map((t) => `transfer ${t.id} (${t.status}): ${t.entry_count} entries that do not mirror posted_amount ${t.posted_amount}`),
    ...history.map((e) => `entry ${e.id} of account ${e.account_id}: balance_after ${e.balance_after}, the running sum is ${e.running}`),
    ...available.map((a) => `account ${a.id} (${a.currency}): balance ${a.balance} − live holds ${a.held} below 0 (invariant 8)`),
    ...reversals.map(
      (t) =>
        `transfer ${t.id}: reversed_amount ${t.reversed_amount}, reversals sum ${t.reversals_total}, posted_amount ${t.posted_amount} (invariant 10)`,
    ),
  ];
  const c = one(counts, 'ledger counts');
  return {
    ok: violations.length === 0,
    violations,
    counts: { transfers: fromInt8(c.transfers), entries: fromInt8(c.entries), accounts: fromInt8(c.accounts) },
  };
}
