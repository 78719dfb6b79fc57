-- The APISIX export holds what every other read hides (consumers'
-- credential secrets, certificates' private keys), so reading a control plane
-- is not enough to download it: administrators hold this key, and a gateway's
-- poller gets it through a role of its own.
INSERT INTO permission_keys (uuid, code, owner, function, category, subcategory, description, created_at, updated_at) VALUES
    ('1d2b8a52-01a1-5f26-bf68-769ac67a2a5a', 'gateway.controlplanes.export', '00000000-0000-0000-0000-000000000000', 'export', 'gateway', 'controlplanes', 'Download a control plane''s gateway (APISIX) configuration, consumers'' secrets and private keys included', '2026-12-08T00:00:00.000000Z', '2026-12-08T00:00:00.000000Z');

INSERT INTO keychain_keys (keychain_id, key_id, created_at)
    SELECT kc.id, k.id, '2026-12-08T00:00:00.000000Z' FROM keychains kc, permission_keys k
     WHERE kc.org_id IS NULL
       AND kc.name IN ('Provider administration', 'Organization administration', 'Workspace administration')
       AND k.code = 'gateway.controlplanes.export';
