// The accounts' operations, for every transport. Only the owner sees an account and its statement.
import { assertOwner } from '../caller.js';
import type { AppDeps, Caller } from '../context.js';
import { withTransaction } from '../db/transaction.js';
import { ValidationError } from '../errors.js';
import type { AccountId } from '../ids.js';
import type { BalanceAt } from '../transfers/transfers.schemas.js';
import type { Account, BalanceAtQuery, CreateAccountBody, EntryPage, ListAccountsQuery, ListEntriesQuery } from './accounts.schemas.js';
import { balanceAt, findAccount, listAccountEntries, listAccounts, openAccount } from './accounts.service.js';

export function accountOperations(deps: Pick<AppDeps, 'pool' | 'reads' | 'awaitReplica' | 'events'>) {
  async function ownAccount(caller: Caller, id: AccountId): Promise<Account> {
    const account = await findAccount(deps.reads, id);
    assertOwner(caller, account.owner, 'this account');
    return account;
  }
  return {
    /** The owner is the caller, never the input; the balance starts at 0. */
    async createAccount(caller: Caller, input: CreateAccountBody): Promise<Account> {
      const account = !deps.awaitReplica
        ? await openAccount(deps.pool, caller.username, input.currency)
        : await withTransaction(deps.pool, (tx) => openAccount(tx, caller.username, input.currency), { remoteApply: true });
      deps.events.poke(); // its account.opened event, committed with it
      return account;
    },
    getAccount(caller: Caller, input: { id: AccountId }): Promise<Account> {
      return ownAccount(caller, input.id);
    },
    listAccounts(caller: Caller, input: ListAccountsQuery): Promise<Account[]> {
      return listAccounts(deps.reads, caller.username, input.page_id, input.page_size);
    },
    /** The posted balance as of `at` (default: now): the balance after its last entry at or before it. */
    async getBalance(caller: Caller, input: { id: AccountId } & BalanceAtQuery): Promise<BalanceAt> {
      const account = await ownAccount(caller, input.id);
      const at = input.at === undefined ? new Date() : new Date(input.at);
      if (Number.isNaN(at.getTime())) throw new ValidationError('at', 'must be an RFC 3339 date-time');
      const balance = await balanceAt(deps.reads, account.id, at);
      return { account_id: account.id, currency: account.currency, at: at.toISOString(), balance };
    },
    /** Newest first, keyset-paged. */
    async listAccountEntries(caller: Caller, input: { id: AccountId } & ListEntriesQuery): Promise<EntryPage> {
      const account = await ownAccount(caller, input.id);
      return listAccountEntries(deps.reads, account.id, input.limit, input.cursor);
    },
  };
}
