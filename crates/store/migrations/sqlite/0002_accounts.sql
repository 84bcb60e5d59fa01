-- Bullpen schema, SQLite dialect, version 2: sign-in accounts and security records.
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC). Secrets are never stored in
-- clear: session tokens, API-key secrets and reset tokens as SHA-256 hex digests, passwords as
-- argon2id PHC strings.

CREATE TABLE accounts (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    active        INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_keys (
    key_id        TEXT    PRIMARY KEY,
    secret_hash   TEXT    NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    tournament_id INTEGER NOT NULL REFERENCES tournaments (id),
    entry_id      INTEGER NOT NULL REFERENCES entries (id),
    scope         TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
) WITHOUT ROWID;

CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);

CREATE TABLE reset_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX outbox_by_recipient ON outbox (recipient, id);

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE organisation_members (
    org_id  INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (org_id, user_id)
) WITHOUT ROWID;

CREATE INDEX organisation_members_by_user ON organisation_members (user_id, org_id);

-- Append-only and hash-chained: hash = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖ action ‖ target ‖
-- detail), see accounts::audit_hash. No foreign key on actor: the log outlives what it names.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     INTEGER,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
