// Protobuf messages ↔ the operations' inputs and results. Requests are checked against the same
// TypeBox schemas as the HTTP bodies (src/validate.ts), after int64 fields are taken down to numbers
// (refused beyond 2^53 − 1) and proto3's zero values of the paged fields mean "absent".
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  type Account,
  AccountSchema,
  type Entry,
  EntrySchema,
  type Event,
  EventSchema,
  type GetBalanceResponse,
  GetBalanceResponseSchema,
  type ListEntriesResponse,
  ListEntriesResponseSchema,
  type ListEventsResponse,
  ListEventsResponseSchema,
  type LoginUserResponse,
  LoginUserResponseSchema,
  type RenewAccessTokenResponse,
  RenewAccessTokenResponseSchema,
  type Transfer,
  type TransferResult,
  TransferResultSchema,
  TransferSchema,
  type User,
  UserSchema,
} from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import type { Account as AccountDto, Entry as EntryDto, EntryPage } from '../accounts/accounts.schemas.js';
import type { LoginResponse, RenewResponse } from '../auth/auth.schemas.js';
import { ValidationError } from '../errors.js';
import type { EventPage } from '../events/events.schemas.js';
import type { BankEvent } from '../events/feed.js';
import type { BalanceAt, Transfer as TransferDto, TransferResult as TransferResultDto } from '../transfers/transfers.schemas.js';
import type { User as UserDto } from '../users/users.schemas.js';

/** An int64 field as a number, or ValidationError naming it. */
export function int64(field: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(-Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(field, 'must be within ±9007199254740991');
  }
  return Number(value);
}

const ts = (iso: string) => timestampFromDate(new Date(iso));

export const user = (u: UserDto): User =>
  create(UserSchema, {
    username: u.username,
    fullName: u.full_name,
    email: u.email,
    role: u.role,
    passwordChangedAt: ts(u.password_changed_at),
    createdAt: ts(u.created_at),
    isEmailVerified: u.is_email_verified,
  });

export const account = (a: AccountDto): Account =>
  create(AccountSchema, {
    id: BigInt(a.id),
    owner: a.owner,
    balance: BigInt(a.balance),
    currency: a.currency,
    createdAt: ts(a.created_at),
    status: a.status,
    pendingDebits: BigInt(a.pending_debits),
    pendingCredits: BigInt(a.pending_credits),
    availableBalance: BigInt(a.available_balance),
  });

export const entry = (e: EntryDto): Entry =>
  create(EntrySchema, {
    id: BigInt(e.id),
    accountId: BigInt(e.account_id),
    amount: BigInt(e.amount),
    transferId: BigInt(e.transfer_id),
    createdAt: ts(e.created_at),
    balanceAfter: BigInt(e.balance_after),
  });

export const transfer = (t: TransferDto): Transfer =>
  create(TransferSchema, {
    id: BigInt(t.id),
    fromAccountId: BigInt(t.from_account_id),
    toAccountId: BigInt(t.to_account_id),
    amount: BigInt(t.amount),
    createdAt: ts(t.created_at),
    status: t.status,
    postedAmount: BigInt(t.posted_amount),
    ...(t.expires_at === null ? {} : { expiresAt: ts(t.expires_at) }),
    ...(t.reference === null ? {} : { reference: t.reference }),
    metadata: t.metadata,
    ...(t.reverses_transfer_id === null ? {} : { reversesTransferId: BigInt(t.reverses_transfer_id) }),
  });

export const transferResult = (r: TransferResultDto): TransferResult =>
  create(TransferResultSchema, {
    transfer: transfer(r.transfer),
    fromAccount: account(r.from_account),
    ...(r.from_entry ? { fromEntry: entry(r.from_entry) } : {}),
    ...(r.to_entry ? { toEntry: entry(r.to_entry) } : {}),
  });

export const loginResponse = (r: LoginResponse): LoginUserResponse =>
  create(LoginUserResponseSchema, {
    sessionId: r.session_id,
    accessToken: r.access_token,
    accessTokenExpiresAt: ts(r.access_token_expires_at),
    refreshToken: r.refresh_token,
    refreshTokenExpiresAt: ts(r.refresh_token_expires_at),
    user: user(r.user),
  });

export const renewResponse = (r: RenewResponse): RenewAccessTokenResponse =>
  create(RenewAccessTokenResponseSchema, {
    accessToken: r.access_token,
    accessTokenExpiresAt: ts(r.access_token_expires_at),
    refreshToken: r.refresh_token,
    refreshTokenExpiresAt: ts(r.refresh_token_expires_at),
  });

export const entryPage = (p: EntryPage): ListEntriesResponse =>
  create(ListEntriesResponseSchema, { items: p.items.map(entry), ...(p.next_cursor === null ? {} : { nextCursor: p.next_cursor }) });

export const balanceAt = (b: BalanceAt): GetBalanceResponse =>
  create(GetBalanceResponseSchema, { accountId: BigInt(b.account_id), currency: b.currency, at: ts(b.at), balance: BigInt(b.balance) });

/** An event: its data as the message of what it is about. */
export const event = (e: BankEvent): Event => {
  const d = e.data as { transfer?: TransferDto; account?: AccountDto; user?: UserDto };
  return create(EventSchema, {
    id: e.id,
    sequence: BigInt(e.sequence),
    type: e.type,
    createdAt: ts(e.created_at),
    data: d.transfer
      ? { case: 'transfer', value: transfer(d.transfer) }
      : d.account
        ? { case: 'account', value: account(d.account) }
        : d.user
          ? { case: 'user', value: user(d.user) }
          : { case: undefined },
  });
};

export const eventPage = (p: EventPage): ListEventsResponse =>
  create(ListEventsResponseSchema, { items: p.items.map((e) => event(e as BankEvent)), nextAfter: BigInt(p.next_after) });
