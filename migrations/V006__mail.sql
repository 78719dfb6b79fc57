-- Outgoing mail and the Identity face's e-mail sign-up.

-- Messages waiting for the mail transport. A message is written in the same
-- transaction as the change that causes it, so an acknowledged change never
-- loses its mail; the delivery job sends it and deletes the row. The body can
-- carry a one-time link, so it is sealed with the master key (`uuid` is the
-- associated data).
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    -- Undelivered by then, the message is useless (its link has expired) and is dropped.
    expires_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);

-- One-time sign-up links: a pending membership becomes active when its
-- invitee opens the link. Stored as SHA-256 only; one live link per
-- membership, gone with the membership.
CREATE TABLE signup_tokens (
    token_hash BLOB PRIMARY KEY,
    org_id     INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    UNIQUE (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES org_members (org_id, user_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
