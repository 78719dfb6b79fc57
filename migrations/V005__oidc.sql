-- The OIDC provider and the Identity face. Identity organizations, groups,
-- projects and users are the core organizations, teams, workspaces and users:
-- this migration adds the fields the Identity model has and the core lacked,
-- and the provider's own state (clients, codes, sessions, signing keys).

-- Organization type, sign-in provider, tags and asynchronous provisioning state.
ALTER TABLE organizations ADD COLUMN organization_type TEXT NOT NULL DEFAULT 'adhoc'
    CHECK (organization_type IN ('adhoc', 'domain'));
ALTER TABLE organizations ADD COLUMN provider_scope TEXT CHECK (provider_scope IN ('global', 'organization'));
ALTER TABLE organizations ADD COLUMN provider_id TEXT;
ALTER TABLE organizations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
ALTER TABLE organizations ADD COLUMN provisioning_status TEXT NOT NULL DEFAULT 'provisioned'
    CHECK (provisioning_status IN ('unknown', 'provisioning', 'provisioned', 'deprovisioning', 'error'));
ALTER TABLE organizations ADD COLUMN health_status TEXT NOT NULL DEFAULT 'healthy'
    CHECK (health_status IN ('unknown', 'healthy', 'degraded', 'error'));
CREATE INDEX organizations_provisioning ON organizations (provisioning_status)
    WHERE provisioning_status IN ('provisioning', 'deprovisioning');

ALTER TABLE teams ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));

ALTER TABLE workspaces ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
ALTER TABLE workspaces ADD COLUMN provisioning_status TEXT NOT NULL DEFAULT 'provisioned'
    CHECK (provisioning_status IN ('unknown', 'provisioning', 'provisioned', 'deprovisioning', 'error'));
ALTER TABLE workspaces ADD COLUMN health_status TEXT NOT NULL DEFAULT 'healthy'
    CHECK (health_status IN ('unknown', 'healthy', 'degraded', 'error'));
CREATE INDEX workspaces_provisioning ON workspaces (provisioning_status)
    WHERE provisioning_status IN ('provisioning', 'deprovisioning');

-- A user's standing in one organization (the Identity user `state`). Only
-- active memberships grant anything.
ALTER TABLE org_members ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
    CHECK (state IN ('active', 'pending', 'suspended'));

-- Service accounts are users that cannot sign in: they hold memberships and
-- team places like anyone else, so every face governs them with the same grants.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'service'));

CREATE TABLE service_accounts (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX service_accounts_name ON service_accounts (org_id, name);

-- OAuth clients of the provider.
CREATE TABLE oauth_clients (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    client_id       TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    secret_hash     BLOB NOT NULL,
    redirect_uris   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(redirect_uris)),
    onboarding_uri  TEXT,
    -- client_credentials act as this service account; NULL: no such grant.
    service_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

-- Credentials gain two kinds: OAuth access tokens (bound to a client and a
-- scope) and service-account tokens. SQLite cannot alter a CHECK, so the
-- table is rebuilt; nothing references it.
CREATE TABLE tokens_new (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('api', 'session', 'oauth', 'service')),
    name         TEXT NOT NULL,
    purpose      TEXT NOT NULL DEFAULT '',
    provider     TEXT NOT NULL,
    secret_hash  BLOB NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    revoked_at   TEXT,
    client_id    INTEGER REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO tokens_new (id, uuid, user_id, kind, name, purpose, provider, secret_hash, expires_at, last_used_at,
                        created_by, created_at, updated_at, revoked_at)
    SELECT id, uuid, user_id, kind, name, purpose, provider, secret_hash, expires_at, last_used_at,
           created_by, created_at, updated_at, revoked_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE INDEX tokens_user_live ON tokens (user_id, kind, created_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

-- One OAuth session per (user, client): its current access token and refresh
-- token family. Issuing again replaces both.
CREATE TABLE oauth_sessions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id       INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    access_token_id INTEGER REFERENCES tokens (id) ON DELETE SET NULL,
    scope           TEXT NOT NULL DEFAULT '',
    auth_time       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (user_id, client_id)
) STRICT;

-- Refresh tokens, kept after rotation so that a replayed one is recognised.
CREATE TABLE oauth_refresh_tokens (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    session_id  INTEGER NOT NULL REFERENCES oauth_sessions (id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    rotated_at  TEXT,
    revoked_at  TEXT
) STRICT;
CREATE INDEX oauth_refresh_tokens_session ON oauth_refresh_tokens (session_id);

-- Authorization codes: single use, short-lived, hashed.
CREATE TABLE oauth_codes (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    secret_hash      BLOB NOT NULL,
    client_id        INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri     TEXT NOT NULL,
    scope            TEXT NOT NULL DEFAULT '',
    nonce            TEXT,
    code_challenge   TEXT,
    challenge_method TEXT CHECK (challenge_method IN ('plain', 'S256')),
    auth_time        TEXT NOT NULL,
    claims           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(claims)),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT,
    session_id       INTEGER REFERENCES oauth_sessions (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- ID-token signing keys (ES512). The private half is sealed with the master
-- key; retired keys stay published until tokens they signed have expired.
CREATE TABLE signing_keys (
    id          INTEGER PRIMARY KEY,
    kid         TEXT NOT NULL UNIQUE,
    private_key BLOB NOT NULL,
    x           TEXT NOT NULL,
    y           TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
) STRICT;

-- Upstream OIDC providers: global (org_id NULL) or an organization's own.
CREATE TABLE oauth2_providers (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    org_id        INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    type          TEXT CHECK (type IN ('google', 'microsoft', 'github')),
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret BLOB,                          -- sealed
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX oauth2_providers_name ON oauth2_providers (coalesce(org_id, 0), name);

-- Quotas per organization and kind; kinds never set use the catalogue default.
CREATE TABLE quotas (
    org_id   INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (org_id, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE allocations (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    resource_kind TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX allocations_name ON allocations (workspace_id, name);
CREATE INDEX allocations_org ON allocations (org_id);

CREATE TABLE allocation_items (
    allocation_id INTEGER NOT NULL REFERENCES allocations (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    committed     INTEGER NOT NULL CHECK (committed >= 0),
    reserved      INTEGER NOT NULL CHECK (reserved >= 0),
    PRIMARY KEY (allocation_id, kind)
) STRICT, WITHOUT ROWID;

-- Permission keys for the Identity face's resources.
INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('34e5c8ab-3f65-522d-9c17-063e2bb67fb6', 'identity.oauth2providers.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'oauth2providers', 'View the organization''s sign-in providers', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('8e7fca67-95be-577d-a2c2-a4ba52896bca', 'identity.oauth2providers.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'oauth2providers', 'Create, change and delete the organization''s sign-in providers', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('62039672-a9c7-5b20-b60b-7f3ecd7d2c2d', 'identity.serviceaccounts.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'serviceaccounts', 'View service accounts', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('583b91bd-3787-5549-8583-2aa30226d5ff', 'identity.serviceaccounts.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'serviceaccounts', 'Create, change, rotate and delete service accounts', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('7580e13e-da3d-5242-bb98-5788cd7e164f', 'identity.quotas.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'quotas', 'View the organization''s quotas', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('bb1449a7-6511-5ee1-851e-9d5345b7ac2b', 'identity.quotas.update', '00000000-0000-0000-0000-000000000000', 'update', 'identity', 'quotas', 'Set the organization''s quotas', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('b0bb27bb-218f-5da9-a1c6-f05dd6434f28', 'infra.allocations.read', '00000000-0000-0000-0000-000000000000', 'read', 'infra', 'allocations', 'View resource allocations of workspaces', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('c7991b06-a94f-58fc-b214-eae15fce16b0', 'infra.allocations.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'infra', 'allocations', 'Create, change and delete resource allocations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

-- Provider administration holds everything; quotas are set by the provider.
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Provider administration'
       AND k.code IN ('identity.oauth2providers.read', 'identity.oauth2providers.manage', 'identity.serviceaccounts.read',
                      'identity.serviceaccounts.manage', 'identity.quotas.read', 'identity.quotas.update',
                      'infra.allocations.read', 'infra.allocations.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Organization administration'
       AND k.code IN ('identity.oauth2providers.read', 'identity.oauth2providers.manage', 'identity.serviceaccounts.read',
                      'identity.serviceaccounts.manage', 'identity.quotas.read',
                      'infra.allocations.read', 'infra.allocations.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Workspace administration'
       AND k.code IN ('identity.quotas.read', 'infra.allocations.read', 'infra.allocations.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Member' AND k.code IN ('identity.quotas.read', 'infra.allocations.read');
