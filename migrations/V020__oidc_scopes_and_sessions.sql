-- Scoped OAuth access tokens and OIDC sessions users can see and end.

-- Only clients a provider admin trusts may be granted `meshcloud:api`, the
-- scope without which meshcloud's APIs refuse an OAuth access token. Clients
-- acting as a service account were registered to call the API: they keep it.
ALTER TABLE oauth_clients ADD COLUMN trusted INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1));
UPDATE oauth_clients SET trusted = 1 WHERE service_user_id IS NOT NULL;

-- A session's public id: the user lists and revokes it by this.
ALTER TABLE oauth_sessions ADD COLUMN uuid TEXT;
UPDATE oauth_sessions
   SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
                    || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX oauth_sessions_uuid ON oauth_sessions (uuid);

-- The web session (browser sign-in) a session and a code were issued from:
-- signing out of it ends them. A session outlives its web session's expiry
-- (SET NULL); an unredeemed code goes with its web session's row.
ALTER TABLE oauth_sessions ADD COLUMN browser_session_id INTEGER REFERENCES tokens (id) ON DELETE SET NULL;
CREATE INDEX oauth_sessions_browser_session ON oauth_sessions (browser_session_id) WHERE browser_session_id IS NOT NULL;
ALTER TABLE oauth_codes ADD COLUMN browser_session_id INTEGER REFERENCES tokens (id) ON DELETE CASCADE;
CREATE INDEX oauth_codes_browser_session ON oauth_codes (browser_session_id) WHERE browser_session_id IS NOT NULL;
