-- Gateway family (the API7 Cloud face): control planes of an organization,
-- and under each its applications (with their APIs), consumers and
-- certificates. Ids are the row ids (API7 shows them as decimal strings).
-- JSON columns hold the reference's nested objects as sent (checked);
-- secrets (consumer credentials' secret fields, private keys) are sealed
-- with the master key and never stored in the clear.

-- `status`: 1 pending, 2 creating, 3 normal, 4 create failed, 5 deleting,
-- 6 deleted (the reference's lifecycle; the `gateway` job moves it).
-- `config_version` counts every change to anything under the control plane.
CREATE TABLE gateway_control_planes (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    region_id      INTEGER NOT NULL DEFAULT 1,
    status         INTEGER NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 6),
    status_at      TEXT NOT NULL,
    domain         TEXT NOT NULL,
    settings       TEXT NOT NULL DEFAULT '{}',
    policies       TEXT NOT NULL DEFAULT '{}',
    config_version INTEGER NOT NULL DEFAULT 1,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (org_id, name)
) STRICT;
CREATE INDEX gateway_control_planes_created ON gateway_control_planes (org_id, created_at, id);
CREATE INDEX gateway_control_planes_updated ON gateway_control_planes (org_id, updated_at, id);
CREATE INDEX gateway_control_planes_moving ON gateway_control_planes (status, status_at) WHERE status IN (1, 2, 5);

-- `spec`: protocols, protocol, path_prefix, hosts, upstreams,
-- default_upstream_version, policies, canary lists. `active`: 0 published,
-- 1 unpublished (the reference's inversion). `status`: 50 normal.
CREATE TABLE gateway_applications (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    control_plane_id INTEGER NOT NULL REFERENCES gateway_control_planes (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    path_prefix      TEXT NOT NULL,
    spec             TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    status           INTEGER NOT NULL DEFAULT 50,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX gateway_applications_created ON gateway_applications (control_plane_id, created_at, id);
CREATE INDEX gateway_applications_updated ON gateway_applications (control_plane_id, updated_at, id);

-- Routing keys of a control plane's applications: one application per
-- (host, path prefix), so two applications never claim the same requests.
CREATE TABLE gateway_application_hosts (
    control_plane_id INTEGER NOT NULL REFERENCES gateway_control_planes (id) ON DELETE CASCADE,
    host             TEXT NOT NULL,
    path_prefix      TEXT NOT NULL,
    app_id           INTEGER NOT NULL REFERENCES gateway_applications (id) ON DELETE CASCADE,
    PRIMARY KEY (control_plane_id, host, path_prefix)
) STRICT, WITHOUT ROWID;
CREATE INDEX gateway_application_hosts_app ON gateway_application_hosts (app_id);

-- `spec`: methods, paths [{path, path_type}], strip_path_prefix, type, policies.
CREATE TABLE gateway_apis (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    app_id           INTEGER NOT NULL REFERENCES gateway_applications (id) ON DELETE CASCADE,
    control_plane_id INTEGER NOT NULL REFERENCES gateway_control_planes (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    spec             TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    status           INTEGER NOT NULL DEFAULT 50,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX gateway_apis_created ON gateway_apis (app_id, created_at, id);
CREATE INDEX gateway_apis_updated ON gateway_apis (app_id, updated_at, id);

-- `credentials`: the credential objects with their secret fields blanked;
-- `credentials_sealed`: the whole credentials object, sealed.
CREATE TABLE gateway_consumers (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    control_plane_id   INTEGER NOT NULL REFERENCES gateway_control_planes (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    credentials        TEXT,
    credentials_sealed BLOB,
    status             INTEGER NOT NULL DEFAULT 50,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (control_plane_id, name)
) STRICT;
CREATE INDEX gateway_consumers_created ON gateway_consumers (control_plane_id, created_at, id);
CREATE INDEX gateway_consumers_updated ON gateway_consumers (control_plane_id, updated_at, id);

-- The parsed metadata of `certificate`; `private_key_sealed` never leaves
-- the server except into the gateway configuration.
CREATE TABLE gateway_certificates (
    id                    INTEGER PRIMARY KEY,
    uuid                  TEXT NOT NULL UNIQUE,
    control_plane_id      INTEGER NOT NULL REFERENCES gateway_control_planes (id) ON DELETE CASCADE,
    type                  TEXT NOT NULL DEFAULT 'server' CHECK (type IN ('server', 'client')),
    certificate           TEXT NOT NULL,
    private_key_sealed    BLOB NOT NULL,
    client_ca_certificate TEXT,
    snis                  TEXT NOT NULL DEFAULT '[]',
    subject               TEXT NOT NULL DEFAULT '',
    issuer                TEXT NOT NULL DEFAULT '',
    serial_number         TEXT NOT NULL DEFAULT '',
    signature_algorithm   TEXT NOT NULL DEFAULT '',
    not_before            TEXT NOT NULL,
    not_after             TEXT NOT NULL,
    -- Set when the expiry warning event was written (cleared on replace).
    expiry_warned_at      TEXT,
    status                INTEGER NOT NULL DEFAULT 50,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX gateway_certificates_created ON gateway_certificates (control_plane_id, created_at, id);
CREATE INDEX gateway_certificates_updated ON gateway_certificates (control_plane_id, updated_at, id);
CREATE INDEX gateway_certificates_expiry ON gateway_certificates (control_plane_id, not_after, id);
CREATE INDEX gateway_certificates_warn ON gateway_certificates (not_after) WHERE expiry_warned_at IS NULL;

-- Labels, one table per kind so that they go with their row. A label filter
-- is "has all": the ids holding every label asked for.
CREATE TABLE gateway_application_labels (
    app_id INTEGER NOT NULL REFERENCES gateway_applications (id) ON DELETE CASCADE,
    label  TEXT NOT NULL,
    PRIMARY KEY (app_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX gateway_application_labels_label ON gateway_application_labels (label, app_id);
CREATE TABLE gateway_api_labels (
    api_id INTEGER NOT NULL REFERENCES gateway_apis (id) ON DELETE CASCADE,
    label  TEXT NOT NULL,
    PRIMARY KEY (api_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX gateway_api_labels_label ON gateway_api_labels (label, api_id);
CREATE TABLE gateway_consumer_labels (
    consumer_id INTEGER NOT NULL REFERENCES gateway_consumers (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    PRIMARY KEY (consumer_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX gateway_consumer_labels_label ON gateway_consumer_labels (label, consumer_id);
CREATE TABLE gateway_certificate_labels (
    certificate_id INTEGER NOT NULL REFERENCES gateway_certificates (id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    PRIMARY KEY (certificate_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX gateway_certificate_labels_label ON gateway_certificate_labels (label, certificate_id);

INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('33724f28-bce4-5247-97ad-f1f194aedeb1', 'gateway.controlplanes.read', '00000000-0000-0000-0000-000000000000', 'read', 'gateway', 'controlplanes', 'View API gateway control planes, their settings and their gateway configuration', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('acc5708b-68e1-59ef-81db-029ed49debfd', 'gateway.controlplanes.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'gateway', 'controlplanes', 'Create control planes and change their settings and policies', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('99c63ccc-faaf-54fa-81b5-bd7c44c1ddc4', 'gateway.applications.read', '00000000-0000-0000-0000-000000000000', 'read', 'gateway', 'applications', 'View applications and their APIs', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('ded886b1-b319-53fe-ad78-35bf7f8f3e54', 'gateway.applications.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'gateway', 'applications', 'Create, change, publish, import and delete applications and their APIs', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('d623bc7e-eef6-5c77-b6e4-bac38d439105', 'gateway.consumers.read', '00000000-0000-0000-0000-000000000000', 'read', 'gateway', 'consumers', 'View consumers (never their credentials'' secrets)', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('1508006a-14d4-53dd-a6eb-95ce5243b871', 'gateway.consumers.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'gateway', 'consumers', 'Create, change and delete consumers and their credentials, and issue their JSON Web Tokens', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('d0d94843-006c-5e58-966f-c4e37883dcfa', 'gateway.certificates.read', '00000000-0000-0000-0000-000000000000', 'read', 'gateway', 'certificates', 'View certificates (never their private keys)', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z'),
    ('9b459920-d0cd-5492-8723-1df346042e5c', 'gateway.certificates.manage', '00000000-0000-0000-0000-000000000000', 'manage', 'gateway', 'certificates', 'Upload, replace and delete certificates', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z');

-- Administrators (provider, organization, workspace) run the gateways;
-- members see them.
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-08T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL
       AND kc.name IN ('Provider administration', 'Organization administration', 'Workspace administration')
       AND k.category = 'gateway';
INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-08T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL AND kc.name = 'Member'
       AND k.code IN ('gateway.controlplanes.read', 'gateway.applications.read', 'gateway.consumers.read', 'gateway.certificates.read');
