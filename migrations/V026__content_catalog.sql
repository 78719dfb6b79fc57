-- Content family: the catalog's publication requests. Asking to publish a
-- design or filter files a request with the item's catalog data; the item's
-- visibility stays as it is until the request is approved. At most one
-- request per item is pending at a time, and at most one is `approved` (the
-- one the item is published by; unpublishing withdraws it). `class` and
-- `content_type` repeat the catalog data's `class` and `type`, which catalog
-- lists filter and count by.

CREATE TABLE catalog_requests (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    resource_type TEXT NOT NULL CHECK (resource_type IN ('design', 'filter')),
    resource_uuid TEXT NOT NULL,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name          TEXT NOT NULL,
    catalog_data  TEXT NOT NULL CHECK (json_valid(catalog_data)),
    class         TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'withdrawn')),
    -- The item's visibility before approval, given back when it is unpublished.
    prior_visibility TEXT,
    decided_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX catalog_requests_pending ON catalog_requests (resource_type, resource_uuid) WHERE status = 'pending';
CREATE UNIQUE INDEX catalog_requests_approved ON catalog_requests (resource_type, resource_uuid) WHERE status = 'approved';
CREATE INDEX catalog_requests_org ON catalog_requests (org_id, created_at, id);

INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('ba9dc936-55f6-5b4d-8a76-6ee383dcce4f', 'content.catalog.publish', '00000000-0000-0000-0000-000000000000', 'publish', 'content', 'catalog', 'Ask for designs and filters to be published in the catalog, and unpublish them', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('080e90da-e151-54da-9c12-e30be118b74b', 'content.catalog.approve', '00000000-0000-0000-0000-000000000000', 'approve', 'content', 'catalog', 'Approve and deny catalog publication requests', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

-- Publishing is open to every organization's administrators; what the whole
-- installation reads is approved by the provider.
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL
       AND kc.name IN ('Provider administration', 'Organization administration', 'Workspace administration')
       AND k.code = 'content.catalog.publish';
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Provider administration' AND k.code = 'content.catalog.approve';
