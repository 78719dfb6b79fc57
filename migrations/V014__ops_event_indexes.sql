-- Indexes no query uses any more, a fifth of the event log's size:
-- `events_org` and `events_user` predate the live-row indexes that every
-- list and count uses (`events_org_live`, `events_org_user`), and the
-- retention job finds old events by walking ids on a reader instead of
-- through `events_created`.
DROP INDEX IF EXISTS events_org;
DROP INDEX IF EXISTS events_user;
DROP INDEX IF EXISTS events_created;
