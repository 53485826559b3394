-- migrate:up
-- A session that is blocked, deleted or changed is announced on channel `simplebank_sessions`
-- (payload: its id) when the change commits, whoever made it (any replica, the CLI, SQL by hand):
-- every replica's session cache forgets it at once instead of trusting it until its entry expires.
CREATE FUNCTION notify_session_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('simplebank_sessions', OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_changed_notify AFTER UPDATE ON sessions
  FOR EACH ROW
  WHEN (OLD.is_blocked IS DISTINCT FROM NEW.is_blocked OR OLD.username IS DISTINCT FROM NEW.username
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
  EXECUTE FUNCTION notify_session_change();

CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION notify_session_change();

-- migrate:down
DROP TRIGGER sessions_deleted_notify ON sessions;
DROP TRIGGER sessions_changed_notify ON sessions;
DROP FUNCTION notify_session_change();
