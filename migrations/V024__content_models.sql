-- Content family: the models an organization registered (the built-in
-- `kubernetes` model ships in the binary and is not stored). A model is
-- kept as its definition (JSON: name, displayName, version, components,
-- relationship definitions and the schema's other fields); one row per
-- name and version in an organization: registering the same name and
-- version again replaces the definition in place, keeping the row's id.
CREATE TABLE content_models (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    definition    TEXT NOT NULL CHECK (json_valid(definition)),
    registered_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (org_id, name, version)
) STRICT;

-- Permission keys: members view the organization's models, its admins register them.
INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('61933d28-6c26-5f6a-8414-fea76572bad9', 'content.models.read', '00000000-0000-0000-0000-000000000000', 'read', 'content', 'models', 'View the organization''s models', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z'),
    ('54734ec3-6386-59af-866d-a84017f967c3', 'content.models.register', '00000000-0000-0000-0000-000000000000', 'register', 'content', 'models', 'Register models in the organization', '2026-12-07T00:00:00.000000Z', '2026-12-07T00:00:00.000000Z');

INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-07T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name IN ('Provider administration', 'Organization administration')
       AND k.code IN ('content.models.read', 'content.models.register');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-07T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name IN ('Workspace administration', 'Member') AND k.code = 'content.models.read';
