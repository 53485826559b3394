-- migrate:up
-- Authority comes from the database: a role granted or revoked is announced on the sessions channel
-- (payload `user:<username>`) when it commits, so every replica drops that user's cached sessions
-- and reads the new role on the next request.
CREATE FUNCTION notify_user_authority_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('simplebank_sessions', 'user:' || NEW.username);
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_authority_changed_notify AFTER UPDATE ON users
  FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role)
  EXECUTE FUNCTION notify_user_authority_change();

-- migrate:down
DROP TRIGGER users_authority_changed_notify ON users;
DROP FUNCTION notify_user_authority_change();
