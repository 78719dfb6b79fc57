-- The event catalogue names each kind once: OAuth client changes are
-- `oauth_client/*` and tokens issued at the token endpoint `oauth_token/issue`
-- (they were `oauth/client_*` and `oauth/token`). Earlier rows follow, so a
-- filter on the new names finds them.
UPDATE events SET category = 'oauth_client', action = 'create' WHERE category = 'oauth' AND action = 'client_create';
UPDATE events SET category = 'oauth_client', action = 'update' WHERE category = 'oauth' AND action = 'client_update';
UPDATE events SET category = 'oauth_client', action = 'rotate_secret' WHERE category = 'oauth' AND action = 'client_secret';
UPDATE events SET category = 'oauth_client', action = 'delete' WHERE category = 'oauth' AND action = 'client_delete';
UPDATE events SET category = 'oauth_token', action = 'issue' WHERE category = 'oauth' AND action = 'token';

-- The per-org type counts (kept by triggers on insert and delete, not on
-- update) are recounted for the renamed kinds.
DELETE FROM event_types WHERE category IN ('oauth', 'oauth_client', 'oauth_token');
INSERT INTO event_types (org_id, category, action, n)
    SELECT org_id, category, action, count(*) FROM events
     WHERE org_id IS NOT NULL AND deleted_at IS NULL AND category IN ('oauth', 'oauth_client', 'oauth_token')
     GROUP BY org_id, category, action;
