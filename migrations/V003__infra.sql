-- Infrastructure family: environments, connections, credentials, workspaces
-- and the links between them. Everything belongs to one organization.

CREATE TABLE environments (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
-- One index per sortable column keeps a page and its count fast at 100k rows per org.
CREATE INDEX environments_name ON environments (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX environments_created ON environments (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX environments_updated ON environments (org_id, updated_at, id) WHERE deleted_at IS NULL;

-- Secrets are sealed (AES-256-GCM, the row's uuid as associated data); never plaintext.
-- A value sealed under the master key when the first server started: a start
-- with another key is refused before it can fail reads or seal under two keys.
CREATE TABLE sealing_canary (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sealed     BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE credentials (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    secret      BLOB,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX credentials_name ON credentials (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX credentials_created ON credentials (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX credentials_updated ON credentials (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX credentials_type ON credentials (org_id, type, id) WHERE deleted_at IS NULL;

CREATE TABLE connections (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT NOT NULL UNIQUE,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name              TEXT NOT NULL,
    type              TEXT NOT NULL,
    sub_type          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    metadata          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    credential_id     INTEGER REFERENCES credentials (id) ON DELETE SET NULL,
    meshery_server_id TEXT,                    -- from metadata: the Meshery server that registered it
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT
) STRICT;
CREATE INDEX connections_name ON connections (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_created ON connections (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_updated ON connections (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_status ON connections (org_id, status, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_kind ON connections (org_id, kind, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_type ON connections (org_id, type, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_sub_type ON connections (org_id, sub_type, id) WHERE deleted_at IS NULL;
CREATE INDEX connections_server ON connections (org_id, meshery_server_id) WHERE meshery_server_id IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE environment_connections (
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    uuid           TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (environment_id, connection_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX environment_connections_connection ON environment_connections (connection_id, environment_id);

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX workspaces_name ON workspaces (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX workspaces_created ON workspaces (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX workspaces_updated ON workspaces (org_id, updated_at, id) WHERE deleted_at IS NULL;

-- What a workspace holds. Environments and teams are rows of this database;
-- designs and views belong to a family still to come and are kept by UUID.
CREATE TABLE workspace_links (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('environment', 'team', 'design', 'view')),
    target       TEXT NOT NULL,                -- the linked entity's uuid
    uuid         TEXT NOT NULL UNIQUE,         -- the mapping's id
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, target)
) STRICT, WITHOUT ROWID;
CREATE INDEX workspace_links_target ON workspace_links (kind, target);

-- Live rows per org and table, kept by triggers in the writing transaction, so
-- that an unfiltered list's total_count is one lookup instead of a count of
-- every row of the org.
CREATE TABLE live_counts (
    org_id INTEGER NOT NULL,
    tbl    TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (org_id, tbl)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER environments_count_insert AFTER INSERT ON environments WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO live_counts (org_id, tbl, n) VALUES (NEW.org_id, 'environments', 1)
        ON CONFLICT (org_id, tbl) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER environments_count_soft_delete AFTER UPDATE OF deleted_at ON environments
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'environments';
END;
CREATE TRIGGER environments_count_delete AFTER DELETE ON environments WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'environments';
END;
CREATE TRIGGER connections_count_insert AFTER INSERT ON connections WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO live_counts (org_id, tbl, n) VALUES (NEW.org_id, 'connections', 1)
        ON CONFLICT (org_id, tbl) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER connections_count_soft_delete AFTER UPDATE OF deleted_at ON connections
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'connections';
END;
CREATE TRIGGER connections_count_delete AFTER DELETE ON connections WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'connections';
END;
CREATE TRIGGER credentials_count_insert AFTER INSERT ON credentials WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO live_counts (org_id, tbl, n) VALUES (NEW.org_id, 'credentials', 1)
        ON CONFLICT (org_id, tbl) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER credentials_count_soft_delete AFTER UPDATE OF deleted_at ON credentials
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'credentials';
END;
CREATE TRIGGER credentials_count_delete AFTER DELETE ON credentials WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'credentials';
END;
CREATE TRIGGER workspaces_count_insert AFTER INSERT ON workspaces WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO live_counts (org_id, tbl, n) VALUES (NEW.org_id, 'workspaces', 1)
        ON CONFLICT (org_id, tbl) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER workspaces_count_soft_delete AFTER UPDATE OF deleted_at ON workspaces
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'workspaces';
END;
CREATE TRIGGER workspaces_count_delete AFTER DELETE ON workspaces WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'workspaces';
END;

-- Events about a workspace and its links are found by the entity they acted upon.
CREATE INDEX IF NOT EXISTS events_acted_upon ON events (acted_upon, id) WHERE acted_upon IS NOT NULL;
