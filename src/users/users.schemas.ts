import Type, { type Static } from 'typebox';
import { NO_CONTROL, NO_NUL, Timestamp } from '../schemas.js';

export const Username = Type.String({ pattern: '^[a-z0-9_]{3,100}$', description: 'lower-case letters, digits and _, 3–100' });
export const FullName = Type.String({ minLength: 1, maxLength: 100, pattern: NO_CONTROL, description: 'no control characters' });
export const Email = Type.String({ format: 'email', maxLength: 200, pattern: NO_CONTROL });
export const Password = Type.String({ minLength: 8, maxLength: 128, pattern: NO_NUL, writeOnly: true });
/** The roles, declared once: the schema, the tokens and the database's check constraint agree on them. */
export const ROLES = ['depositor', 'banker'] as const;
export const Role = Type.Union([Type.Literal(ROLES[0]), Type.Literal(ROLES[1])], { title: 'Role' });
export type Role = (typeof ROLES)[number];
export const isRole = (r: unknown): r is Role => (ROLES as readonly unknown[]).includes(r);

export const User = Type.Object(
  {
    username: Type.String(),
    full_name: Type.String(),
    email: Type.String(),
    role: Role,
    password_changed_at: Timestamp,
    created_at: Timestamp,
  },
  { additionalProperties: false, title: 'User' },
);
export type User = Static<typeof User>;

export const CreateUserBody = Type.Object(
  { username: Username, full_name: FullName, email: Email, password: Password },
  { additionalProperties: false, title: 'SignUpRequest' },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    full_name: Type.Optional(FullName),
    email: Type.Optional(Email),
    password: Type.Optional(Password),
    current_password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        pattern: NO_NUL,
        writeOnly: true,
        description: 'Required to change your own password; a banker resetting another user\'s does not send it.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateUserRequest' },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false });

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
