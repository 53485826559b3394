import Type, { type Static } from 'typebox';
import { NO_CONTROL, NO_NUL, Timestamp } from '../schemas.js';

export const Username = Type.String({ pattern: '^[a-z0-9_]{3,100}$', description: 'lower-case letters, digits and _, 3–100' });
export const FullName = Type.String({ minLength: 1, maxLength: 100, pattern: NO_CONTROL, description: 'no control characters' });
export const Email = Type.String({ format: 'email', maxLength: 200, pattern: NO_CONTROL });
export const Password = Type.String({ minLength: 8, maxLength: 128, pattern: NO_NUL, writeOnly: true });
/** The roles of the API, declared once (the schema, the tokens). The database also knows `system`, the
 * owner of the bank's funding accounts, who never logs in: `roleOf` reads it as a depositor. */
export const ROLES = ['depositor', 'banker'] as const;
export const Role = Type.Union([Type.Literal(ROLES[0]), Type.Literal(ROLES[1])], { title: 'Role' });
export type Role = (typeof ROLES)[number];
export const isRole = (r: unknown): r is Role => (ROLES as readonly unknown[]).includes(r);
/** A role as the database holds it → the API's: anything but `banker` acts as a depositor. */
export const roleOf = (dbRole: string): Role => (dbRole === 'banker' ? 'banker' : 'depositor');

export const User = Type.Object(
  {
    username: Type.String(),
    full_name: Type.String(),
    email: Type.String(),
    role: Role,
    password_changed_at: Timestamp,
    created_at: Timestamp,
    is_email_verified: Type.Boolean({ description: 'true once the link of the verification email for this email was followed' }),
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
        description: "Required to change your own password; a banker resetting another user's does not send it.",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateUserRequest' },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false });

export const VerifyEmailQuery = Type.Object(
  {
    email_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'from the link of the verification email' }),
    secret_code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'from the link' }),
  },
  { additionalProperties: false },
);
export type VerifyEmailQuery = Static<typeof VerifyEmailQuery>;

export const VerifyEmailResponse = Type.Object(
  { is_verified: Type.Literal(true) },
  { additionalProperties: false, title: 'VerifyEmailResponse' },
);
export type VerifyEmailResponse = Static<typeof VerifyEmailResponse>;
