-- Access control: permission keys, keychains, roles, teams and role bindings;
-- invitations, sign-up requests and badges.
--
-- Built-in keys, keychains and roles have fixed UUIDs and are owned by the
-- appliance (the nil UUID). Built-in roles have no org: they exist in every org.

CREATE TABLE permission_keys (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    code        TEXT UNIQUE,                    -- built-in keys only: what the server checks
    owner       TEXT NOT NULL,                  -- uuid of the owning org; nil uuid: the appliance
    function    TEXT NOT NULL,
    category    TEXT NOT NULL,
    subcategory TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX permission_keys_live ON permission_keys (category, subcategory, function) WHERE deleted_at IS NULL;

CREATE TABLE keychains (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    org_id     INTEGER REFERENCES organizations (id) ON DELETE CASCADE, -- NULL: built-in
    owner      TEXT NOT NULL,                   -- org uuid, or the nil uuid for built-ins
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE UNIQUE INDEX keychains_name ON keychains (coalesce(org_id, 0), name) WHERE deleted_at IS NULL;

CREATE TABLE keychain_keys (
    keychain_id INTEGER NOT NULL REFERENCES keychains (id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL REFERENCES permission_keys (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (keychain_id, key_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX keychain_keys_key ON keychain_keys (key_id, keychain_id);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER REFERENCES organizations (id) ON DELETE CASCADE, -- NULL: built-in
    role_name   TEXT NOT NULL,
    scope       TEXT NOT NULL DEFAULT 'organization' CHECK (scope IN ('provider', 'organization')),
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE UNIQUE INDEX roles_name ON roles (coalesce(org_id, 0), role_name) WHERE deleted_at IS NULL;

CREATE TABLE role_keychains (
    role_id     INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    keychain_id INTEGER NOT NULL REFERENCES keychains (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (role_id, keychain_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX role_keychains_keychain ON role_keychains (keychain_id, role_id);

CREATE TABLE teams (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    owner_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    mapping_uuid   TEXT NOT NULL UNIQUE,         -- the team-organization mapping's id
    mapped_at      TEXT NOT NULL,
    unmapped_at    TEXT,                         -- removed from its org (restorable)
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT                          -- tombstoned
) STRICT;
CREATE UNIQUE INDEX teams_name ON teams (org_id, name) WHERE deleted_at IS NULL;

CREATE TABLE team_members (
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uuid       TEXT NOT NULL UNIQUE,             -- the team-user mapping's id
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_members_user ON team_members (user_id, team_id);

-- A role held in an org, by a user directly or by a team (and so its members).
CREATE TABLE role_bindings (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    team_id    INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (team_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX role_bindings_user ON role_bindings (user_id, org_id, role_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX role_bindings_team ON role_bindings (team_id, role_id) WHERE team_id IS NOT NULL;
CREATE INDEX role_bindings_org ON role_bindings (org_id, role_id);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    emails      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(emails)),
    roles       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    teams       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(teams)),
    status      TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    expires_at  TEXT,
    quota       INTEGER,
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    accepted_by TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(accepted_by)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE INDEX invitations_org ON invitations (org_id, created_at) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX invitations_default ON invitations (org_id) WHERE is_default = 1 AND deleted_at IS NULL;

CREATE TABLE signup_requests (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT '',
    org_id        INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    password_hash TEXT,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    decided_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_at    TEXT,
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX signup_requests_pending ON signup_requests (email) WHERE status = 'pending';
CREATE INDEX signup_requests_status ON signup_requests (status, created_at);

CREATE TABLE badges (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    label       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    image_url   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
) STRICT;
CREATE UNIQUE INDEX badges_label ON badges (org_id, label) WHERE deleted_at IS NULL;

CREATE TABLE user_badges (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge_id   INTEGER NOT NULL REFERENCES badges (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, badge_id)
) STRICT, WITHOUT ROWID;

-- The built-in catalogue.

INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('a57fb884-b13a-5c49-8714-a877606135f3', 'identity.organization.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'organization', 'View the organization and its preferences', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('ecc4a008-4598-5166-a3d1-b3e15b909b01', 'identity.organization.update', '00000000-0000-0000-0000-000000000000', 'update', 'identity', 'organization', 'Change the organization''s name, domain and preferences', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('ad56e6ce-0d76-53cf-8436-63cbf61b6234', 'identity.organization.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'identity', 'organization', 'Delete the organization', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('99b992a9-330f-5360-a10e-7591eea4fb34', 'identity.members.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'members', 'List the organization''s users', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('87392cab-c19c-523c-b386-748f9b4a8095', 'identity.members.add', '00000000-0000-0000-0000-000000000000', 'add', 'identity', 'members', 'Add existing users to the organization', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('37a088c0-2c6a-50d6-b9bf-e0d051b56e74', 'identity.members.remove', '00000000-0000-0000-0000-000000000000', 'remove', 'identity', 'members', 'Remove users from the organization', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('2db4ea88-3997-5536-b868-e3d6a5189524', 'identity.members.invite', '00000000-0000-0000-0000-000000000000', 'invite', 'identity', 'members', 'Invite users to the organization', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('2980b55e-3ef0-5ef3-a184-d6feb1da137c', 'identity.teams.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'teams', 'View teams and their members', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('59b9d0a2-be09-56bc-b056-9123c8504ff4', 'identity.teams.create', '00000000-0000-0000-0000-000000000000', 'create', 'identity', 'teams', 'Create teams', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('5cfd2536-2eca-5c88-a888-69b97b82a726', 'identity.teams.update', '00000000-0000-0000-0000-000000000000', 'update', 'identity', 'teams', 'Rename and describe teams, add or remove them from the organization', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('076b0018-121e-5bc8-bfd2-0f3ef4549c3a', 'identity.teams.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'identity', 'teams', 'Delete teams', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('2742db29-39d6-5bc8-ba1b-f16b639f50a9', 'identity.teams.members', '00000000-0000-0000-0000-000000000000', 'members', 'identity', 'teams', 'Add users to teams and remove them', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('11dc2516-536f-504c-ba49-ca0fb8c24162', 'identity.roles.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'roles', 'View roles and the keychains they hold', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('ae43ffe4-52e4-5e6a-a6a4-d4baeb8cf151', 'identity.roles.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'roles', 'Create, change and delete roles and assign keychains to them', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('2224735c-b752-5512-b6e9-70297e0258f4', 'identity.roles.assign', '00000000-0000-0000-0000-000000000000', 'assign', 'identity', 'roles', 'Give roles to users and teams and take them away', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('d7738653-1004-5978-9767-c5d6c05158c6', 'identity.keychains.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'keychains', 'View keychains and their keys', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('ac03744d-f617-5145-bf24-569d48ae49f8', 'identity.keychains.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'keychains', 'Create, change and delete the organization''s keychains', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('16261818-ac6b-5e49-a4da-acb8b1a706d2', 'identity.keys.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'keys', 'View permission keys', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('76d70f97-b64f-5038-a032-2a8f2086681e', 'identity.keys.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'keys', 'Create, change and delete custom permission keys', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('b241645b-610e-566c-976c-c6f3e911eb84', 'identity.invitations.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'invitations', 'View the organization''s invitations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('f12db5e5-6a2b-577c-a20b-d66d6c64bf9f', 'identity.invitations.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'invitations', 'Create, change and delete invitations', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('0e084774-00a9-5655-8fe9-5bb978fb015e', 'identity.badges.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'badges', 'View the organization''s badges', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('5cb1ffa4-7868-5d04-a5a8-88a6e50df536', 'identity.badges.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'identity', 'badges', 'Create, change and delete badges', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('1fe2499d-1bca-57ab-99d5-266a157a2a3a', 'identity.badges.assign', '00000000-0000-0000-0000-000000000000', 'assign', 'identity', 'badges', 'Award badges to users', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('af22ea66-4c3f-5e13-9d3f-d433d63b4756', 'identity.signup_requests.read', '00000000-0000-0000-0000-000000000000', 'read', 'identity', 'signup_requests', 'View sign-up requests', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('25631525-2283-5d38-bdd2-dcd2942538ff', 'identity.signup_requests.decide', '00000000-0000-0000-0000-000000000000', 'decide', 'identity', 'signup_requests', 'Approve and deny sign-up requests', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('400ddb4b-0531-5d79-87bf-0095211d6fe6', 'infra.environments.read', '00000000-0000-0000-0000-000000000000', 'read', 'infra', 'environments', 'View environments', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('e83f08d4-4824-5945-a9e1-046cdc0f118a', 'infra.environments.create', '00000000-0000-0000-0000-000000000000', 'create', 'infra', 'environments', 'Create environments', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('1794dd21-5a6a-5a0e-861d-caff8825478e', 'infra.environments.update', '00000000-0000-0000-0000-000000000000', 'update', 'infra', 'environments', 'Change environments and their connections', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('3a34d304-6370-5d30-a5dc-cd4d72a246a9', 'infra.environments.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'infra', 'environments', 'Delete environments', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('de5e5339-2a1b-55ec-8989-a95fc24d9fb8', 'infra.connections.read', '00000000-0000-0000-0000-000000000000', 'read', 'infra', 'connections', 'View connections', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('d5a2151f-9e50-58aa-9f3b-4d84fe9ccfa5', 'infra.connections.create', '00000000-0000-0000-0000-000000000000', 'create', 'infra', 'connections', 'Register connections', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('c5e42f1e-1b9a-5609-ac6a-a214fef9183f', 'infra.connections.update', '00000000-0000-0000-0000-000000000000', 'update', 'infra', 'connections', 'Change connections', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('5198f76c-ed13-52dc-8198-171cab1df4c8', 'infra.connections.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'infra', 'connections', 'Delete connections', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('481c9de8-4385-5105-a1cd-6599a4b5bcc4', 'infra.credentials.read', '00000000-0000-0000-0000-000000000000', 'read', 'infra', 'credentials', 'View credentials (never their secrets)', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('b35b99df-427a-589b-b52d-bc881ae08918', 'infra.credentials.create', '00000000-0000-0000-0000-000000000000', 'create', 'infra', 'credentials', 'Create credentials', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('223eedda-2480-5de6-b75a-92cc3dd50835', 'infra.credentials.update', '00000000-0000-0000-0000-000000000000', 'update', 'infra', 'credentials', 'Change credentials', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('5469e51c-48f3-5bad-b748-1b969c179927', 'infra.credentials.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'infra', 'credentials', 'Delete credentials', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('a0491149-ea2e-5299-99e0-728b8d2fe5de', 'infra.workspaces.read', '00000000-0000-0000-0000-000000000000', 'read', 'infra', 'workspaces', 'View workspaces', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('b636149f-af5e-5105-9d7e-95b425188abc', 'infra.workspaces.create', '00000000-0000-0000-0000-000000000000', 'create', 'infra', 'workspaces', 'Create workspaces', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('47e85965-6f22-55e3-bd7f-453fcdd47fe9', 'infra.workspaces.update', '00000000-0000-0000-0000-000000000000', 'update', 'infra', 'workspaces', 'Change workspaces and what is assigned to them', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('0e04f740-a1db-5c57-aaa0-23006cb7bca3', 'infra.workspaces.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'infra', 'workspaces', 'Delete workspaces', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('b5849f0c-05a6-5a9c-b8f2-154f81459005', 'content.designs.read', '00000000-0000-0000-0000-000000000000', 'read', 'content', 'designs', 'View designs', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('fa197a49-9169-597d-879f-d9bc844386e7', 'content.designs.create', '00000000-0000-0000-0000-000000000000', 'create', 'content', 'designs', 'Create and import designs', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('d2304333-98b7-5766-a55f-936c1bf9e846', 'content.designs.update', '00000000-0000-0000-0000-000000000000', 'update', 'content', 'designs', 'Change designs', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('c046cdac-3579-5d6d-9cf0-899643c1b6ea', 'content.designs.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'content', 'designs', 'Delete designs', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('ba3395c4-0004-5d2a-8fb5-cb29ad7b99e9', 'events.events.read', '00000000-0000-0000-0000-000000000000', 'read', 'events', 'events', 'View the organization''s events', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('e7ef8b9c-e71e-5e1a-835b-86e9928eb748', 'events.events.update', '00000000-0000-0000-0000-000000000000', 'update', 'events', 'events', 'Mark events read or unread', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('523c3db2-de04-58ab-b76c-270bc6d36e03', 'events.events.delete', '00000000-0000-0000-0000-000000000000', 'delete', 'events', 'events', 'Delete events', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('0a277f12-359d-5cfd-a9d4-f34657d21d01', 'scheduler.schedules.read', '00000000-0000-0000-0000-000000000000', 'read', 'scheduler', 'schedules', 'View schedules', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('67934249-3db0-5edd-8208-5690d1aba010', 'scheduler.schedules.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'scheduler', 'schedules', 'Create, change and delete schedules', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

INSERT INTO keychains (uuid, name, org_id, owner, created_at, updated_at) VALUES
    ('56501489-19dd-5949-9784-53f425b0ce84', 'Provider administration', NULL, '00000000-0000-0000-0000-000000000000', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('efdd6052-b42c-5f77-a124-d69051144b2c', 'Organization administration', NULL, '00000000-0000-0000-0000-000000000000', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('a8e61f9e-0dad-5e83-b6c2-15723542ec4f', 'Workspace administration', NULL, '00000000-0000-0000-0000-000000000000', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('6ef04c69-e747-54f3-a320-88c0792dafde', 'Member', NULL, '00000000-0000-0000-0000-000000000000', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.uuid = '56501489-19dd-5949-9784-53f425b0ce84' AND k.code IN ('identity.organization.read', 'identity.organization.update', 'identity.organization.delete', 'identity.members.read', 'identity.members.add', 'identity.members.remove', 'identity.members.invite', 'identity.teams.read', 'identity.teams.create', 'identity.teams.update', 'identity.teams.delete', 'identity.teams.members', 'identity.roles.read', 'identity.roles.manage', 'identity.roles.assign', 'identity.keychains.read', 'identity.keychains.manage', 'identity.keys.read', 'identity.keys.manage', 'identity.invitations.read', 'identity.invitations.manage', 'identity.badges.read', 'identity.badges.manage', 'identity.badges.assign', 'identity.signup_requests.read', 'identity.signup_requests.decide', 'infra.environments.read', 'infra.environments.create', 'infra.environments.update', 'infra.environments.delete', 'infra.connections.read', 'infra.connections.create', 'infra.connections.update', 'infra.connections.delete', 'infra.credentials.read', 'infra.credentials.create', 'infra.credentials.update', 'infra.credentials.delete', 'infra.workspaces.read', 'infra.workspaces.create', 'infra.workspaces.update', 'infra.workspaces.delete', 'content.designs.read', 'content.designs.create', 'content.designs.update', 'content.designs.delete', 'events.events.read', 'events.events.update', 'events.events.delete', 'scheduler.schedules.read', 'scheduler.schedules.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.uuid = 'efdd6052-b42c-5f77-a124-d69051144b2c' AND k.code IN ('identity.organization.read', 'identity.organization.update', 'identity.organization.delete', 'identity.members.read', 'identity.members.remove', 'identity.members.invite', 'identity.teams.read', 'identity.teams.create', 'identity.teams.update', 'identity.teams.delete', 'identity.teams.members', 'identity.roles.read', 'identity.roles.manage', 'identity.roles.assign', 'identity.keychains.read', 'identity.keychains.manage', 'identity.keys.read', 'identity.invitations.read', 'identity.invitations.manage', 'identity.badges.read', 'identity.badges.manage', 'identity.badges.assign', 'infra.environments.read', 'infra.environments.create', 'infra.environments.update', 'infra.environments.delete', 'infra.connections.read', 'infra.connections.create', 'infra.connections.update', 'infra.connections.delete', 'infra.credentials.read', 'infra.credentials.create', 'infra.credentials.update', 'infra.credentials.delete', 'infra.workspaces.read', 'infra.workspaces.create', 'infra.workspaces.update', 'infra.workspaces.delete', 'content.designs.read', 'content.designs.create', 'content.designs.update', 'content.designs.delete', 'events.events.read', 'events.events.update', 'events.events.delete', 'scheduler.schedules.read', 'scheduler.schedules.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.uuid = 'a8e61f9e-0dad-5e83-b6c2-15723542ec4f' AND k.code IN ('identity.organization.read', 'identity.members.read', 'identity.teams.read', 'identity.roles.read', 'identity.keychains.read', 'identity.keys.read', 'identity.badges.read', 'infra.environments.read', 'infra.environments.create', 'infra.environments.update', 'infra.environments.delete', 'infra.connections.read', 'infra.connections.create', 'infra.connections.update', 'infra.connections.delete', 'infra.credentials.read', 'infra.credentials.create', 'infra.credentials.update', 'infra.credentials.delete', 'infra.workspaces.read', 'infra.workspaces.create', 'infra.workspaces.update', 'infra.workspaces.delete', 'content.designs.read', 'content.designs.create', 'content.designs.update', 'content.designs.delete', 'events.events.read', 'events.events.update', 'events.events.delete', 'scheduler.schedules.read', 'scheduler.schedules.manage');
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-11-23T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.uuid = '6ef04c69-e747-54f3-a320-88c0792dafde' AND k.code IN ('identity.organization.read', 'identity.members.read', 'identity.teams.read', 'identity.roles.read', 'identity.keychains.read', 'identity.keys.read', 'identity.badges.read', 'infra.environments.read', 'infra.connections.read', 'infra.credentials.read', 'infra.workspaces.read', 'content.designs.read', 'events.events.read', 'scheduler.schedules.read', 'events.events.update');

INSERT INTO roles (uuid, org_id, role_name, scope, description, created_at, updated_at) VALUES
    ('2ddf0e4a-c5b8-5598-961f-405c76718bfe', NULL, 'provider admin', 'provider', 'Operates this meshcloud installation: every permission in every organization.', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('3201f814-d317-5732-a99d-bbfeecaa9090', NULL, 'organization admin', 'organization', 'Manages the organization: users, teams, roles, invitations and all resources.', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('eabb0c3d-f8b5-5d6f-a926-7edf901104e4', NULL, 'workspace admin', 'organization', 'Manages workspaces, environments, connections, credentials and designs.', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z'),
    ('364f881b-0e36-582c-bd1b-295bd70f8ced', NULL, 'member', 'organization', 'Views the organization and its resources.', '2026-11-23T00:00:00.000000Z', '2026-11-23T00:00:00.000000Z');

INSERT INTO role_keychains (role_id, keychain_id, created_at)
    SELECT r.id, kc.id, '2026-11-23T00:00:00.000000Z' FROM roles r, keychains kc WHERE r.uuid = '2ddf0e4a-c5b8-5598-961f-405c76718bfe' AND kc.uuid = '56501489-19dd-5949-9784-53f425b0ce84';
INSERT INTO role_keychains (role_id, keychain_id, created_at)
    SELECT r.id, kc.id, '2026-11-23T00:00:00.000000Z' FROM roles r, keychains kc WHERE r.uuid = '3201f814-d317-5732-a99d-bbfeecaa9090' AND kc.uuid = 'efdd6052-b42c-5f77-a124-d69051144b2c';
INSERT INTO role_keychains (role_id, keychain_id, created_at)
    SELECT r.id, kc.id, '2026-11-23T00:00:00.000000Z' FROM roles r, keychains kc WHERE r.uuid = 'eabb0c3d-f8b5-5d6f-a926-7edf901104e4' AND kc.uuid = 'a8e61f9e-0dad-5e83-b6c2-15723542ec4f';
INSERT INTO role_keychains (role_id, keychain_id, created_at)
    SELECT r.id, kc.id, '2026-11-23T00:00:00.000000Z' FROM roles r, keychains kc WHERE r.uuid = '364f881b-0e36-582c-bd1b-295bd70f8ced' AND kc.uuid = '6ef04c69-e747-54f3-a320-88c0792dafde';

-- Existing memberships become role bindings; the admin flag is replaced by them.
INSERT INTO role_bindings (uuid, org_id, role_id, user_id, created_at)
    SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
                 || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
           m.org_id, r.id, m.user_id, m.created_at
      FROM org_members m JOIN roles r
        ON r.org_id IS NULL AND r.role_name = CASE m.is_admin WHEN 1 THEN 'organization admin' ELSE 'member' END;
ALTER TABLE org_members DROP COLUMN is_admin;
