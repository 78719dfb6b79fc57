-- Onboarding states already redeemed: an onboarding link works once.
CREATE TABLE oidc_used_states (
    id         TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Child columns of foreign keys: without them every token the cleanup job
-- deletes scans these tables to apply ON DELETE.
CREATE INDEX IF NOT EXISTS oauth_sessions_access_token ON oauth_sessions (access_token_id);
CREATE INDEX IF NOT EXISTS tokens_client ON tokens (client_id) WHERE client_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS oauth_codes_session ON oauth_codes (session_id);
