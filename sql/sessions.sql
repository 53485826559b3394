/* @name CreateSession */
INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)
VALUES (:id!, :username!, :refreshTokenHash!, :userAgent!, :clientIp!, :expiresAt!)
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

/* Spends the presented refresh token (the session's current one, or the one spent less than 10 s ago:
   a lost answer) and stores the new one's hash. No row: the token is not one the session accepts now. */
/* @name RotateRefreshToken */
UPDATE sessions
SET refresh_token_hash          = :newHash!,
    previous_refresh_token_hash = CASE WHEN refresh_token_hash = :presentedHash! THEN refresh_token_hash ELSE previous_refresh_token_hash END,
    refresh_token_spent_at      = CASE WHEN refresh_token_hash = :presentedHash! THEN now() ELSE refresh_token_spent_at END
WHERE id = :id! AND NOT is_blocked AND expires_at > now()
  AND (refresh_token_hash = :presentedHash!
       OR (previous_refresh_token_hash = :presentedHash! AND refresh_token_spent_at > now() - interval '10 seconds'))
RETURNING id, username, expires_at;

/* A password change: every other session of the user is blocked (all of them when :keep is null). */
/* @name BlockOtherSessions */
UPDATE sessions
SET is_blocked = true
WHERE username = :username! AND NOT is_blocked AND id IS DISTINCT FROM :keep;
