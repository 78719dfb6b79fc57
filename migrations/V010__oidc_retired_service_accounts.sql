-- An OAuth client acting as a service account loses its client_credentials
-- grant when the account's user is retired, whichever family retires it: the
-- identity core owns users and cannot call the OIDC family, whose table this is.
CREATE TRIGGER users_retired_unbind_clients AFTER UPDATE OF deleted_at ON users
WHEN NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
    UPDATE oauth_clients SET service_user_id = NULL WHERE service_user_id = NEW.id;
END;
