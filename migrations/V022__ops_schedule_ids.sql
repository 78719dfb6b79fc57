-- A schedule's id is chosen by its owner and scoped to them: an id another
-- schedule already has (someone else's) is kept as the new schedule's alias,
-- so it neither conflicts with nor reveals the other one.
ALTER TABLE schedules ADD COLUMN alias_uuid TEXT;
CREATE UNIQUE INDEX schedules_alias ON schedules (user_id, alias_uuid) WHERE alias_uuid IS NOT NULL;
