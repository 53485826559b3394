import { roleOf, type User } from './users.schemas.js';

export const toUser = (r: {
  username: string;
  full_name: string;
  email: string;
  role: string;
  password_changed_at: Date;
  created_at: Date;
  is_email_verified: boolean;
}): User => ({
  username: r.username,
  full_name: r.full_name,
  email: r.email,
  role: roleOf(r.role),
  password_changed_at: r.password_changed_at.toISOString(),
  created_at: r.created_at.toISOString(),
  is_email_verified: r.is_email_verified,
});
