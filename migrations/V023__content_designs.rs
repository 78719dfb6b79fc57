//! Content family: designs (Meshery's pattern documents) and the versions a
//! saved change leaves behind, with the search index their list uses (built
//! by the generator of V012, so it behaves as every other list's).
//!
//! A design belongs to an organization and has an owner; it is stored as its
//! document (JSON) with the columns lists filter and sort on. `version` is the
//! document's own SemVer revision. DELETE is a soft delete; the purge job
//! removes the row and, by cascade, its versions.
//!
//! This file is part of the migration: it must never change once applied.

use super::V012__search_indexes::{Index, sql};

const TABLES: &str = "
CREATE TABLE designs (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    visibility  TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public', 'published')),
    version     TEXT NOT NULL,
    document    TEXT NOT NULL CHECK (json_valid(document)),
    catalog_data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(catalog_data)),
    location    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(location)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX designs_name ON designs (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX designs_created ON designs (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX designs_updated ON designs (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX designs_owner ON designs (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX designs_published ON designs (visibility, id) WHERE deleted_at IS NULL AND visibility = 'published';

-- The documents a design had before each saved change, by their version.
CREATE TABLE design_versions (
    design_id  INTEGER NOT NULL REFERENCES designs (id) ON DELETE CASCADE,
    version    TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL CHECK (json_valid(document)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (design_id, version)
) STRICT, WITHOUT ROWID;
";

const SEARCH: Index = Index {
    table: "designs",
    scope: Some("org_id"),
    live: Some("$.deleted_at IS NULL"),
    columns: &[("name", "$.name")],
};

pub fn migration() -> String {
    TABLES.to_string() + &sql(&SEARCH)
}
