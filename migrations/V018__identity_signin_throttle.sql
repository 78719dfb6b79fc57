-- Failed sign-ins, kept across restarts. One row per (account, address) pair
-- and per address; `key` is a SHA-256 (hex) of which, so the table holds no
-- address or e-mail in clear. A row goes when its failures are forgiven
-- (a success of the pair, or the reset period without a failure).
CREATE TABLE signin_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure INTEGER NOT NULL -- unix milliseconds
) STRICT;
