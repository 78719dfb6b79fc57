-- Pattern resources: one row per component of a live design's current
-- document (the Kubernetes resources it describes), an index the designs'
-- write transactions rewrite with every change of the document, so it never
-- disagrees with it. `uuid` is the resource's id on the wire: kept across
-- versions for the same component id, new for a new component. `org_id` is
-- the design's, copied so that lists start from the org's rows.

CREATE TABLE pattern_resources (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    design_id    INTEGER NOT NULL REFERENCES designs (id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    component_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    namespace    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    api_version  TEXT NOT NULL,
    model        TEXT NOT NULL,
    -- What the component was when `updated_at` was set (a hash of it).
    digest       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (design_id, component_id)
) STRICT;
CREATE INDEX pattern_resources_updated ON pattern_resources (org_id, updated_at, id);
CREATE INDEX pattern_resources_name ON pattern_resources (org_id, name, id);
CREATE INDEX pattern_resources_kind ON pattern_resources (org_id, kind, name, id);

-- What a designs list's count reads of every design of the org (its owner,
-- for the owner join and the visibility rule): without it the count reads
-- each design's row.
CREATE INDEX designs_visible ON designs (org_id, visibility, owner_id) WHERE deleted_at IS NULL;

-- The components of the designs already stored. Ids are random UUIDs; the
-- digest is left empty, so the first save of a design gives its components'
-- rows a new `updated_at`.
INSERT INTO pattern_resources (uuid, design_id, org_id, position, component_id, name, namespace, kind, api_version,
                               model, digest, created_at, updated_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
             || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-'
             || hex(randomblob(6))),
       d.id, d.org_id, c.key,
       coalesce(json_extract(c.value, '$.id'), ''),
       coalesce(nullif(json_extract(c.value, '$.displayName'), ''),
                iif(json_type(c.value, '$.configuration.metadata.name') = 'text',
                    json_extract(c.value, '$.configuration.metadata.name'), ''), ''),
       iif(json_type(c.value, '$.configuration.metadata.namespace') = 'text',
           json_extract(c.value, '$.configuration.metadata.namespace'), ''),
       coalesce(json_extract(c.value, '$.component.kind'), ''),
       coalesce(json_extract(c.value, '$.component.version'), ''),
       iif(json_type(c.value, '$.model.name') = 'text', json_extract(c.value, '$.model.name'), ''),
       '', d.updated_at, d.updated_at
FROM designs d, json_each(d.document, '$.components') c
WHERE d.deleted_at IS NULL AND c.type = 'object'
ON CONFLICT (design_id, component_id) DO NOTHING;
