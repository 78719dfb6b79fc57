-- Domain claims: an organization admin asks for a domain; it is bound to the
-- organization (organizations.domain) only once proved by a DNS TXT record
-- or approved by a provider admin. Until then it blocks nobody: several
-- organizations may claim the same domain.
CREATE TABLE domain_claims (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    token       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'approved')),
    checked_at  TEXT,
    last_error  TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decided_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX domain_claims_org_domain ON domain_claims (org_id, domain);
CREATE INDEX domain_claims_pending ON domain_claims (status, id);
