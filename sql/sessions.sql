/* @name CreateSession */
INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)
VALUES (:id!, :username!, :refreshTokenHash!, :userAgent!, :clientIp!, :expiresAt!)
RETURNING id, username, user_agent, client_ip, is_blocked, expires_at, created_at;

/* @name GetSession */
SELECT id, username, refresh_token_hash, user_agent, client_ip, is_blocked, expires_at, created_at
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
