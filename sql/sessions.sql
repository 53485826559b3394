/* A login's session, made only while the password it checked is still the user's: the user row is
   read FOR SHARE, so a password change in flight is waited for and its new hash seen (no row: no
   session), and a change that comes after waits for this insert and then blocks the session. */
/* @name CreateSession */
INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)
SELECT :id!, u.username, :refreshTokenHash!, :userAgent!, :clientIp!, :expiresAt!
FROM (SELECT username FROM users WHERE username = :username! AND hashed_password = :checkedHash! FOR SHARE) u
RETURNING id, username, user_agent, client_ip, is_blocked, expires_at, created_at;

/* @name GetSession */
SELECT id, username, refresh_token_hash, previous_refresh_token_hash, refresh_token_spent_at,
       user_agent, client_ip, is_blocked, expires_at, created_at
FROM sessions
WHERE id = :id!;

/* @name BlockSession */
UPDATE sessions
SET is_blocked = true
WHERE id = :id!
RETURNING id, is_blocked;

/* What an access token may do now: its session's state and its user's role, read together. */
/* @name GetSessionAuthority */
SELECT s.username, s.is_blocked, s.expires_at, u.role
FROM sessions s
JOIN users u ON u.username = s.username
WHERE s.id = :id!;

/* Spends the session's current refresh token at :spentAt and stores its successor's hash. No row: the
   presented token is no longer the current one (a concurrent renewal spent it first). */
/* @name RotateRefreshToken */
UPDATE sessions
SET refresh_token_hash          = :newHash!,
    previous_refresh_token_hash = refresh_token_hash,
    refresh_token_spent_at      = :spentAt!::timestamptz
WHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :presentedHash!
RETURNING id;

/* A graced renewal whose successor cannot be made again (signed by an earlier key, or before successors
   were derived): the unused successor :unusedHash is replaced by a new one; the spent token stays the
   session's previous one. No row: the successor was used meanwhile, or the grace is over. */
/* @name ReplaceUnusedRefreshToken */
UPDATE sessions
SET refresh_token_hash = :newHash!
WHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :unusedHash!
  AND previous_refresh_token_hash = :presentedHash! AND refresh_token_spent_at > now() - interval '10 seconds'
RETURNING id;

/* A password change: every other session of the user is blocked (all of them when :keep is null). */
/* @name BlockOtherSessions */
UPDATE sessions
SET is_blocked = true
WHERE username = :username! AND NOT is_blocked AND id IS DISTINCT FROM :keep;
