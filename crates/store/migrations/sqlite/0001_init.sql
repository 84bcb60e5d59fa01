-- Bullpen schema, SQLite dialect, version 1.
-- Money, prices and quantities are INTEGER fixed-point units (scale 10^4 for money and prices,
-- whole shares for quantities); timestamps are INTEGER microseconds since the Unix epoch (UTC);
-- dates are TEXT 'YYYY-MM-DD'.
-- Order and entry ids embed their tournament (OrderId::compose / EntryId::compose), so the
-- orders, ledger and snapshot tables need no tournament index: a tournament is an id range.

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    handle       TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    is_bot       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE instruments (
    id     INTEGER PRIMARY KEY,
    symbol TEXT    NOT NULL UNIQUE,
    name   TEXT    NOT NULL,
    sector TEXT    NOT NULL,
    status TEXT    NOT NULL DEFAULT 'active'
);

CREATE TABLE bars (
    symbol TEXT    NOT NULL,
    date   TEXT    NOT NULL,
    open   INTEGER NOT NULL,
    high   INTEGER NOT NULL,
    low    INTEGER NOT NULL,
    close  INTEGER NOT NULL,
    volume INTEGER NOT NULL,
    PRIMARY KEY (symbol, date)
) WITHOUT ROWID;

CREATE INDEX bars_by_date ON bars (date, symbol);

CREATE TABLE corporate_actions (
    symbol      TEXT    NOT NULL,
    date        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    numerator   INTEGER,
    denominator INTEGER,
    per_share   INTEGER,
    PRIMARY KEY (symbol, date, kind)
) WITHOUT ROWID;

CREATE INDEX corporate_actions_by_date ON corporate_actions (date, symbol);

CREATE TABLE tournaments (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    rules      TEXT    NOT NULL,
    challenge  TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE entries (
    id            INTEGER PRIMARY KEY,
    tournament_id INTEGER NOT NULL REFERENCES tournaments (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    display_name  TEXT    NOT NULL,
    joined_at     INTEGER NOT NULL,
    UNIQUE (tournament_id, user_id)
);

CREATE TABLE leagues (
    id            INTEGER PRIMARY KEY,
    tournament_id INTEGER NOT NULL REFERENCES tournaments (id),
    name          TEXT    NOT NULL,
    invite_code   TEXT    NOT NULL UNIQUE,
    commissioner  INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL
);

CREATE INDEX leagues_by_tournament ON leagues (tournament_id);

CREATE TABLE league_members (
    league_id INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    entry_id  INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (league_id, entry_id)
) WITHOUT ROWID;

-- The hot path. No foreign keys here: every row comes from the tournament's sequencer, and the
-- store checks in commit_batch that ids belong to the batch's tournament.
CREATE TABLE orders (
    -- The columns index the body; the body (see sqlite/order_blob.rs) holds the whole order.
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL,
    -- 0 pending_new, 1 accepted, 2 new, 3 partially_filled (open); 4 filled, 5 canceled,
    -- 6 expired, 7 replaced, 8 rejected.
    status          INTEGER NOT NULL,
    -- Only client order ids the player gave (generated ones are in the body).
    client_order_id TEXT,
    body            BLOB    NOT NULL
);

CREATE INDEX orders_by_entry ON orders ((id >> 10), entry_id, id);
CREATE INDEX orders_open ON orders (id) WHERE status < 4;
CREATE UNIQUE INDEX orders_client_id ON orders (entry_id, client_order_id) WHERE client_order_id IS NOT NULL;

CREATE TABLE ledger (
    tournament_id INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    entry_id      INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    symbol        TEXT,
    qty_delta     INTEGER NOT NULL,
    cash_delta    INTEGER NOT NULL,
    price         INTEGER,
    fee           INTEGER NOT NULL,
    order_id      INTEGER,
    ratio_num     INTEGER NOT NULL,
    ratio_den     INTEGER NOT NULL,
    cash_after    INTEGER NOT NULL,
    qty_after     INTEGER NOT NULL,
    PRIMARY KEY (tournament_id, seq)
) WITHOUT ROWID;

-- One entry's account activity, bucketed by 1,024 sequence numbers like orders_by_entry.
CREATE INDEX ledger_by_entry ON ledger ((seq >> 10), entry_id, seq);

CREATE TABLE tournament_seq (
    tournament_id INTEGER PRIMARY KEY,
    last_seq      INTEGER NOT NULL
);

CREATE TABLE equity_snapshots (
    entry_id   INTEGER NOT NULL,
    date       TEXT    NOT NULL,
    equity     INTEGER NOT NULL,
    cash       INTEGER NOT NULL,
    low_equity INTEGER NOT NULL,
    traded     INTEGER NOT NULL,
    PRIMARY KEY (entry_id, date)
) WITHOUT ROWID;

CREATE TABLE final_standings (
    tournament_id INTEGER NOT NULL REFERENCES tournaments (id),
    entry_id      INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    score         INTEGER NOT NULL,
    equity        INTEGER NOT NULL,
    badges        TEXT    NOT NULL,
    PRIMARY KEY (tournament_id, entry_id)
) WITHOUT ROWID;
