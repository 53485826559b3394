// The accounts' operations, for every transport. Only the owner sees an account and its statement.
import { assertOwner } from '../caller.js';
import type { AppDeps, Caller } from '../context.js';
import { withTransaction } from '../db/transaction.js';
import type { AccountId } from '../ids.js';
import type { Account, CreateAccountBody, EntryPage, ListAccountsQuery, ListEntriesQuery } from './accounts.schemas.js';
import { findAccount, listAccountEntries, listAccounts, openAccount } from './accounts.service.js';

export function accountOperations(deps: Pick<AppDeps, 'pool' | 'reads' | 'awaitReplica'>) {
  async function ownAccount(caller: Caller, id: AccountId): Promise<Account> {
    const account = await findAccount(deps.reads, id);
    assertOwner(caller, account.owner, 'this account');
    return account;
  }
  return {
    /** The owner is the caller, never the input; the balance starts at 0. */
    createAccount(caller: Caller, input: CreateAccountBody): Promise<Account> {
      if (!deps.awaitReplica) return openAccount(deps.pool, caller.username, input.currency);
      return withTransaction(deps.pool, (tx) => openAccount(tx, caller.username, input.currency), { remoteApply: true });
    },
    getAccount(caller: Caller, input: { id: AccountId }): Promise<Account> {
      return ownAccount(caller, input.id);
    },
    listAccounts(caller: Caller, input: ListAccountsQuery): Promise<Account[]> {
      return listAccounts(deps.reads, caller.username, input.page_id, input.page_size);
    },
    /** Newest first, keyset-paged. */
    async listAccountEntries(caller: Caller, input: { id: AccountId } & ListEntriesQuery): Promise<EntryPage> {
      const account = await ownAccount(caller, input.id);
      return listAccountEntries(deps.reads, account.id, input.limit, input.cursor);
    },
  };
}
