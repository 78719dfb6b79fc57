-- Events API and the scheduler: indexes for event lists at scale, a live
-- count of each org's events, schedules (users' and the system's) and their runs.

-- Events from connected agents carry the agent's id.
ALTER TABLE events ADD COLUMN system_id TEXT;

CREATE INDEX events_org_live ON events (org_id, id) WHERE deleted_at IS NULL;
CREATE INDEX events_org_category ON events (org_id, category, id) WHERE deleted_at IS NULL;
CREATE INDEX events_org_status ON events (org_id, status, id) WHERE deleted_at IS NULL;
CREATE INDEX events_org_user ON events (org_id, user_id, id) WHERE deleted_at IS NULL;
CREATE INDEX events_created ON events (created_at);

CREATE TRIGGER events_count_insert AFTER INSERT ON events
    WHEN NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL BEGIN
    INSERT INTO live_counts (org_id, tbl, n) VALUES (NEW.org_id, 'events', 1)
        ON CONFLICT (org_id, tbl) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER events_count_soft_delete AFTER UPDATE OF deleted_at ON events
    WHEN NEW.org_id IS NOT NULL AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'events';
END;
CREATE TRIGGER events_count_delete AFTER DELETE ON events
    WHEN OLD.org_id IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE org_id = OLD.org_id AND tbl = 'events';
END;
-- Events written before the count existed.
INSERT INTO live_counts (org_id, tbl, n)
    SELECT org_id, 'events', count(*) FROM events WHERE org_id IS NOT NULL AND deleted_at IS NULL GROUP BY org_id
    ON CONFLICT (org_id, tbl) DO UPDATE SET n = excluded.n;

-- Live events per org and (category, action), so the types list is a lookup
-- rather than a scan of the whole log.
CREATE TABLE event_types (
    org_id   INTEGER NOT NULL,
    category TEXT NOT NULL,
    action   TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, category, action)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER event_types_insert AFTER INSERT ON events
    WHEN NEW.org_id IS NOT NULL AND NEW.deleted_at IS NULL BEGIN
    INSERT INTO event_types (org_id, category, action, n) VALUES (NEW.org_id, NEW.category, NEW.action, 1)
        ON CONFLICT (org_id, category, action) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER event_types_soft_delete AFTER UPDATE OF deleted_at ON events
    WHEN NEW.org_id IS NOT NULL AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE event_types SET n = n - 1 WHERE org_id = OLD.org_id AND category = OLD.category AND action = OLD.action;
END;
CREATE TRIGGER event_types_delete AFTER DELETE ON events
    WHEN OLD.org_id IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
    UPDATE event_types SET n = n - 1 WHERE org_id = OLD.org_id AND category = OLD.category AND action = OLD.action;
END;
INSERT INTO event_types (org_id, category, action, n)
    SELECT org_id, category, action, count(*) FROM events
     WHERE org_id IS NOT NULL AND deleted_at IS NULL GROUP BY org_id, category, action;

-- One table for every periodic thing: users' schedules (kind 'user') and the
-- system jobs (kind 'system', named, cron from the configuration).
CREATE TABLE schedules (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('user', 'system')),
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    org_id          INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    name            TEXT NOT NULL,
    cron_expression TEXT NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    next_run_at     TEXT,
    last_run_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((kind = 'user') = (user_id IS NOT NULL))
) STRICT;
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled = 1 AND next_run_at IS NOT NULL;
CREATE INDEX schedules_user ON schedules (user_id, name, id) WHERE kind = 'user';
CREATE UNIQUE INDEX schedules_system ON schedules (name) WHERE kind = 'system';

CREATE TABLE schedule_runs (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_at      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT CHECK (outcome IN ('ok', 'error')),
    message     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, id);
CREATE INDEX schedule_runs_started ON schedule_runs (started_at);

-- Agents report events: a key for that, held by admins of organizations and workspaces.
INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at)
    VALUES ('741b0fd9-9747-5c2f-b7bd-a25ec0e14065', 'events.events.create', '00000000-0000-0000-0000-000000000000', 'create', 'events', 'events',
            'Report events from connected agents', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name IN ('Provider administration', 'Organization administration', 'Workspace administration')
       AND k.code = 'events.events.create';
