-- A connection id a client chooses is unique within its organization only
-- (Meshery registers connections under its own ids). `uuid` stays unique
-- across the store; when another organization's connection already has the
-- id a client asks for, the row gets a fresh `uuid` and keeps the client's id
-- in `alias_uuid`. The id on the wire is COALESCE(alias_uuid, uuid).
ALTER TABLE connections ADD COLUMN alias_uuid TEXT;
CREATE UNIQUE INDEX connections_wire_id ON connections (org_id, COALESCE(alias_uuid, uuid));
CREATE INDEX connections_alias ON connections (alias_uuid) WHERE alias_uuid IS NOT NULL;
