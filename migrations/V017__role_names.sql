-- Built-in roles take the names of the Layer5 reference's role enum where it
-- has one: `provider admin` becomes `admin`, `member` becomes `user`
-- (`organization admin` and `workspace admin` are in the enum already). The
-- roles keep their ids, so every binding keeps; the former names stay
-- accepted wherever a role is named on input (docs/access.md).
--
-- Role names are now compared ignoring case and `-`/`_` against spaces,
-- built-in ones included. A custom role whose name equals a built-in one,
-- former or new, spelled so (or `admin`/`user`, free until now) is renamed
-- so that each name still means one role (with its row id where the org
-- already has a role of the new name).
UPDATE roles SET role_name = role_name || CASE
         WHEN EXISTS (SELECT 1 FROM roles taken WHERE taken.org_id = roles.org_id AND taken.deleted_at IS NULL
                         AND taken.role_name = roles.role_name || ' (custom)')
         THEN ' (custom ' || id || ')'
         ELSE ' (custom)'
       END
 WHERE org_id IS NOT NULL AND deleted_at IS NULL
   AND lower(replace(replace(role_name, '-', ' '), '_', ' '))
       IN ('admin', 'user', 'member', 'provider admin', 'organization admin', 'workspace admin');
UPDATE roles SET role_name = 'admin' WHERE uuid = '2ddf0e4a-c5b8-5598-961f-405c76718bfe';
UPDATE roles SET role_name = 'user' WHERE uuid = '364f881b-0e36-582c-bd1b-295bd70f8ced';
