/* @name CreateUser */
INSERT INTO users (username, hashed_password, full_name, email)
VALUES (:username!, :hashedPassword!, :fullName!, :email!)
RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified;

/* @name GetUser */
SELECT username, full_name, email, role, password_changed_at, created_at, is_email_verified
FROM users
WHERE username = :username!;

/* @name GetUserCredentials */
SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at, is_email_verified
FROM users
WHERE username = :username! AND role <> 'system';

/* @name UpdateUser */
UPDATE users
SET full_name           = COALESCE(:fullName, full_name),
    email               = COALESCE(:email, email),
    -- A new email is not verified (the same one again changes nothing).
    is_email_verified   = is_email_verified AND COALESCE(:email, email) = email,
    hashed_password     = COALESCE(:hashedPassword, hashed_password),
    password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END
WHERE username = :username! AND role <> 'system'
RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified;

/* @name SetUserRole */
UPDATE users
SET role = :role!
WHERE username = :username! AND role <> 'system'
RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified;

/* A verification email to send for the user's current email (sign-up, change of email), and its job,
   in the caller's transaction. */
/* @name QueueVerifyEmail */
WITH queued AS (
  INSERT INTO verify_emails (username, email, secret_code)
  SELECT u.username, u.email, :secretCode! FROM users u WHERE u.username = :username!
  RETURNING id
)
SELECT q.id AS "id!", enqueue_job('send_verify_email', json_build_object('id', q.id), 'verify_email:' || q.id) AS "queued!"
FROM queued q;

/* What one verification email says, while it is still to send and good. */
/* @name GetVerifyEmailToSend */
SELECT v.id, v.username, v.email, v.secret_code, v.expired_at, u.full_name
FROM verify_emails v JOIN users u ON u.username = v.username
WHERE v.id = :id! AND v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now();

/* @name MarkVerifyEmailSent */
UPDATE verify_emails SET sent_at = now() WHERE id = :id! AND sent_at IS NULL;

/* The sweep: emails still unsent a while after they were queued (a job lost before the queue existed,
   or a crash), queued again. */
/* @name QueueUnsentVerifyEmails */
SELECT v.id AS "id!", enqueue_job('send_verify_email', json_build_object('id', v.id), 'verify_email:' || v.id) AS "queued!"
FROM verify_emails v
WHERE v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now() AND v.created_at < now() - make_interval(secs => :olderThanS!)
ORDER BY v.created_at
LIMIT 1000;

/* The link: a right code, within its 15 minutes, once, for the email the user still has — the user's
   email is then verified, and user.email_verified appended, in this one statement. */
/* @name VerifyEmail */
WITH used AS (
  UPDATE verify_emails v SET is_used = true
  WHERE v.id = :id! AND v.secret_code = :secretCode! AND NOT v.is_used AND v.expired_at > now()
  RETURNING v.username, v.email
), verified AS (
  UPDATE users u SET is_email_verified = true
  FROM used WHERE u.username = used.username AND u.email = used.email
  RETURNING u.username, u.full_name, u.email, u.role, u.password_changed_at, u.created_at, u.is_email_verified
), announced AS (
  INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)
  SELECT ARRAY['user.email_verified'], ARRAY[NULL::bigint],
         ARRAY[json_build_object('user', json_build_object('username', v.username, 'full_name', v.full_name, 'email', v.email,
           'role', v.role, 'password_changed_at', api_timestamp(v.password_changed_at), 'created_at', api_timestamp(v.created_at),
           'is_email_verified', v.is_email_verified))],
         ARRAY[v.username], ARRAY[NULL::text]
  FROM verified v
)
SELECT (SELECT count(*) FROM verified)::int AS "verified!";
