-- Content family: views (saved filter sets over the organization's
-- resources), filters (Meshery's WASM filters, stored as sent) and the shares
-- that open a design, view or filter to users, teams or organizations.
--
-- Views and filters belong to an organization and have an owner, with the
-- visibility rules of designs. DELETE of a filter is a soft delete, like a
-- design's; the purge job removes the row.

CREATE TABLE views (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    visibility  TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public', 'published')),
    filters     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX views_updated ON views (org_id, updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE filters (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name            TEXT NOT NULL,
    visibility      TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public', 'published')),
    filter_file     TEXT NOT NULL DEFAULT '',
    filter_resource TEXT NOT NULL DEFAULT '',
    catalog_data    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(catalog_data)),
    location        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(location)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
) STRICT;
CREATE INDEX filters_updated ON filters (org_id, updated_at, id) WHERE deleted_at IS NULL;

-- Who else may read or edit an item: a user, a team (its members) or an
-- organization (its members), by UUID. One row per item and actor.
CREATE TABLE shares (
    resource_type TEXT NOT NULL CHECK (resource_type IN ('design', 'view', 'filter')),
    resource_uuid TEXT NOT NULL,
    actor_type    TEXT NOT NULL CHECK (actor_type IN ('user', 'team', 'organization')),
    actor_uuid    TEXT NOT NULL,
    access        TEXT NOT NULL CHECK (access IN ('read', 'edit')),
    shared_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (resource_type, resource_uuid, actor_type, actor_uuid)
) STRICT, WITHOUT ROWID;
CREATE INDEX shares_actor ON shares (actor_uuid, resource_type, resource_uuid);

INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('a137f20c-84ff-5207-b0a7-0688f4d61dc2', 'content.views.read', '00000000-0000-0000-0000-000000000000', 'read', 'content', 'views', 'View views', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('8098dd9f-41e7-5ce5-b684-c471d478d76a', 'content.views.create', '00000000-0000-0000-0000-000000000000', 'create', 'content', 'views', 'Create views', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('1800e14b-cb32-52e3-afe6-4c0ed0450137', 'content.views.update', '00000000-0000-0000-0000-000000000000', 'update', 'content', 'views', 'Change views', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('9887ae59-bd56-5790-a337-d947dfaf2f67', 'content.views.share', '00000000-0000-0000-0000-000000000000', 'share', 'content', 'views', 'Share views with users, teams and organizations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('a27e1bbe-f97f-5017-9811-ecbd63f4b44b', 'content.filters.read', '00000000-0000-0000-0000-000000000000', 'read', 'content', 'filters', 'View filters', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('d7a77821-59ab-5c54-8196-4b45f1a3da74', 'content.filters.create', '00000000-0000-0000-0000-000000000000', 'create', 'content', 'filters', 'Create and clone filters', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('56bc80a8-3330-58d1-ac7c-bccdf90d8e89', 'content.filters.update', '00000000-0000-0000-0000-000000000000', 'update', 'content', 'filters', 'Change filters', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('c74e8934-c241-58ec-8a27-39dcb6485d70', 'content.filters.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'content', 'filters', 'Delete filters', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('55a9e21b-7987-585e-a722-9f0f061146d5', 'content.filters.share', '00000000-0000-0000-0000-000000000000', 'share', 'content', 'filters', 'Share filters with users, teams and organizations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('7e70ca38-57eb-5e4b-8a90-d5fed6792383', 'content.designs.share', '00000000-0000-0000-0000-000000000000', 'share', 'content', 'designs', 'Share designs with users, teams and organizations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

-- Administrators hold them all; members read views and filters (as designs).
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL
       AND kc.name IN ('Provider administration', 'Organization administration', 'Workspace administration')
       AND k.code IN ('content.views.read', 'content.views.create', 'content.views.update', 'content.views.share',
                      'content.filters.read', 'content.filters.create', 'content.filters.update',
                      'content.filters.delete', 'content.filters.share', 'content.designs.share');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Member' AND k.code IN ('content.views.read', 'content.filters.read');
