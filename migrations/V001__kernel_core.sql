-- Core identity tables shared by every face, and the event log.
-- Timestamps are fixed-width RFC 3339 UTC text (microseconds), so text order is time order.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT NOT NULL UNIQUE,
    email             TEXT NOT NULL,
    user_id           TEXT NOT NULL,            -- username / external id
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    password_hash     TEXT,                     -- argon2id PHC string; NULL: no password sign-in
    provider          TEXT NOT NULL DEFAULT 'meshcloud',
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'pending')),
    is_provider_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_provider_admin IN (0, 1)),
    avatar_url        TEXT,
    bio               TEXT,
    country           TEXT,                     -- JSON
    region            TEXT,                     -- JSON
    preferences       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(preferences)),
    accepted_terms_at TEXT,
    first_login_time  TEXT,
    last_login_time   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT
) STRICT;
CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_user_id ON users (user_id) WHERE deleted_at IS NULL;

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT '',
    domain      TEXT,
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE UNIQUE INDEX organizations_domain ON organizations (domain) WHERE domain IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX organizations_live_name ON organizations (name, id) WHERE deleted_at IS NULL;
CREATE INDEX organizations_deleted ON organizations (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE org_members (
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_admin   INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX org_members_user ON org_members (user_id, org_id);

-- Machine credentials and web sessions: opaque secrets, stored as SHA-256 only.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    name         TEXT NOT NULL,
    purpose      TEXT NOT NULL DEFAULT '',
    provider     TEXT NOT NULL,
    secret_hash  BLOB NOT NULL,
    expires_at   TEXT,                          -- NULL: until revoked
    last_used_at TEXT,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;
CREATE INDEX tokens_user_live ON tokens (user_id, kind, created_at) WHERE revoked_at IS NULL;
CREATE INDEX tokens_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

-- The audit/event log: every mutation writes one row in its own transaction.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER,                        -- no FK: events outlive purged orgs
    user_id     INTEGER,                        -- the actor; NULL for the system
    category    TEXT NOT NULL,
    action      TEXT NOT NULL,
    acted_upon  TEXT,                           -- uuid of the entity changed
    severity    TEXT NOT NULL DEFAULT 'informational',
    status      TEXT NOT NULL DEFAULT 'unread',
    description TEXT NOT NULL DEFAULT '',
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX events_org ON events (org_id, id);
CREATE INDEX events_user ON events (user_id, id);
