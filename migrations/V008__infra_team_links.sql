-- A workspace's link to a team follows the team, whichever face deletes or
-- tombstones it and the purge of tombstoned teams included: the identity core
-- owns teams and cannot call the infra family, whose table this is.
CREATE TRIGGER teams_unlink_on_delete AFTER DELETE ON teams BEGIN
    DELETE FROM workspace_links WHERE kind = 'team' AND target = OLD.uuid;
END;
CREATE TRIGGER teams_unlink_on_tombstone AFTER UPDATE OF deleted_at ON teams
WHEN NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
    DELETE FROM workspace_links WHERE kind = 'team' AND target = NEW.uuid;
END;

-- Links that earlier Layer5 team deletes left behind.
DELETE FROM workspace_links
 WHERE kind = 'team' AND target NOT IN (SELECT uuid FROM teams WHERE deleted_at IS NULL);
