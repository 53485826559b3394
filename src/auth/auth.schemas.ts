// Sessions on the wire: login, renewal and revocation.
import Type, { type Static } from 'typebox';
import { NO_CONTROL, NO_NUL, Timestamp } from '../schemas.js';
import { User } from '../users/users.schemas.js';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100, pattern: NO_CONTROL }),
    password: Type.String({ minLength: 1, maxLength: 128, pattern: NO_NUL }),
  },
  { additionalProperties: false, title: 'LoginRequest' },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object(
  {
    session_id: Type.String({ format: 'uuid' }),
    access_token: Type.String(),
    access_token_expires_at: Timestamp,
    refresh_token: Type.String(),
    refresh_token_expires_at: Timestamp,
    user: User,
  },
  { additionalProperties: false, title: 'LoginResponse' },
);
export type LoginResponse = Static<typeof LoginResponse>;

export const RefreshTokenBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 2000, pattern: NO_NUL }) },
  { additionalProperties: false, title: 'RefreshTokenRequest' },
);
export type RefreshTokenBody = Static<typeof RefreshTokenBody>;

export const RenewResponse = Type.Object(
  {
    access_token: Type.String(),
    access_token_expires_at: Timestamp,
    refresh_token: Type.String({ description: 'the new refresh token: the one presented is spent' }),
    refresh_token_expires_at: Timestamp,
  },
  { additionalProperties: false, title: 'RenewResponse' },
);
export type RenewResponse = Static<typeof RenewResponse>;
