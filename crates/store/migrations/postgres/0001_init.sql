-- Bullpen schema, PostgreSQL dialect, version 1.
-- Money, prices and quantities are BIGINT fixed-point units (scale 10^4 for money and prices,
-- whole shares for quantities); timestamps are BIGINT microseconds since the Unix epoch (UTC).
-- Order and entry ids embed their tournament (OrderId::compose / EntryId::compose), so the
-- orders, ledger and snapshot tables need no tournament index: a tournament is an id range.

CREATE TABLE users (
    id           BIGSERIAL PRIMARY KEY,
    handle       TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    is_bot       BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL
);

CREATE TABLE instruments (
    id     BIGSERIAL PRIMARY KEY,
    symbol TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    sector TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active'
);

CREATE TABLE bars (
    symbol TEXT   NOT NULL,
    date   DATE   NOT NULL,
    open   BIGINT NOT NULL,
    high   BIGINT NOT NULL,
    low    BIGINT NOT NULL,
    close  BIGINT NOT NULL,
    volume BIGINT NOT NULL,
    PRIMARY KEY (symbol, date)
);

CREATE INDEX bars_by_date ON bars (date, symbol);

CREATE TABLE corporate_actions (
    symbol      TEXT   NOT NULL,
    date        DATE   NOT NULL,
    kind        TEXT   NOT NULL,
    numerator   BIGINT,
    denominator BIGINT,
    per_share   BIGINT,
    PRIMARY KEY (symbol, date, kind)
);

CREATE INDEX corporate_actions_by_date ON corporate_actions (date, symbol);

CREATE TABLE tournaments (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    kind       TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    starts_on  DATE   NOT NULL,
    ends_on    DATE   NOT NULL,
    rules      TEXT   NOT NULL,
    challenge  TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE entries (
    id            BIGINT PRIMARY KEY,
    tournament_id BIGINT NOT NULL REFERENCES tournaments (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    display_name  TEXT   NOT NULL,
    joined_at     BIGINT NOT NULL,
    UNIQUE (tournament_id, user_id)
);

CREATE TABLE leagues (
    id            BIGSERIAL PRIMARY KEY,
    tournament_id BIGINT NOT NULL REFERENCES tournaments (id),
    name          TEXT   NOT NULL,
    invite_code   TEXT   NOT NULL UNIQUE,
    commissioner  BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL
);

CREATE INDEX leagues_by_tournament ON leagues (tournament_id);

CREATE TABLE league_members (
    league_id BIGINT NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    entry_id  BIGINT NOT NULL REFERENCES entries (id),
    PRIMARY KEY (league_id, entry_id)
);

-- The hot path. No foreign keys here: every row comes from the tournament's sequencer, and the
-- store checks in commit_batch that ids belong to the batch's tournament.
CREATE TABLE orders (
    id                    BIGINT  PRIMARY KEY,
    tournament_id         BIGINT  NOT NULL,
    entry_id              BIGINT  NOT NULL,
    client_order_id       TEXT    NOT NULL,
    client_order_id_given BOOLEAN NOT NULL,
    symbol                TEXT    NOT NULL,
    side                  TEXT    NOT NULL,
    order_type            TEXT    NOT NULL,
    time_in_force         TEXT    NOT NULL,
    qty                   BIGINT  NOT NULL,
    filled_qty            BIGINT  NOT NULL,
    filled_avg_price      BIGINT,
    limit_price           BIGINT,
    stop_price            BIGINT,
    stop_triggered        BOOLEAN NOT NULL,
    status                TEXT    NOT NULL,
    reject_reason         TEXT,
    replaces              BIGINT,
    replaced_by           BIGINT,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    filled_at             BIGINT,
    canceled_at           BIGINT,
    expired_at            BIGINT,
    replaced_at           BIGINT,
    rejected_at           BIGINT,
    seq                   BIGINT  NOT NULL
);

-- A player's orders (API listings).
CREATE INDEX orders_by_entry ON orders (entry_id, id);
-- Working orders only: small, and exactly what a rebuild reads.
CREATE INDEX orders_open ON orders (id)
    WHERE status IN ('pending_new', 'accepted', 'new', 'partially_filled');
-- Idempotency keys the players chose (generated ones are unique by construction).
CREATE UNIQUE INDEX orders_client_id ON orders (entry_id, client_order_id) WHERE client_order_id_given;

CREATE TABLE ledger (
    tournament_id BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    entry_id      BIGINT NOT NULL,
    ts            BIGINT NOT NULL,
    kind          TEXT   NOT NULL,
    symbol        TEXT,
    qty_delta     BIGINT NOT NULL,
    cash_delta    BIGINT NOT NULL,
    price         BIGINT,
    fee           BIGINT NOT NULL,
    order_id      BIGINT,
    ratio_num     BIGINT NOT NULL,
    ratio_den     BIGINT NOT NULL,
    cash_after    BIGINT NOT NULL,
    qty_after     BIGINT NOT NULL,
    PRIMARY KEY (tournament_id, seq)
);

-- One entry's account activity.
CREATE INDEX ledger_by_entry ON ledger (entry_id, seq);

CREATE TABLE tournament_seq (
    tournament_id BIGINT PRIMARY KEY,
    last_seq      BIGINT NOT NULL
);

CREATE TABLE equity_snapshots (
    entry_id   BIGINT  NOT NULL,
    date       DATE    NOT NULL,
    equity     BIGINT  NOT NULL,
    cash       BIGINT  NOT NULL,
    low_equity BIGINT  NOT NULL,
    traded     BOOLEAN NOT NULL,
    PRIMARY KEY (entry_id, date)
);

CREATE TABLE final_standings (
    tournament_id BIGINT NOT NULL REFERENCES tournaments (id),
    entry_id      BIGINT NOT NULL,
    rank          BIGINT NOT NULL,
    score         BIGINT NOT NULL,
    equity        BIGINT NOT NULL,
    badges        TEXT   NOT NULL,
    PRIMARY KEY (tournament_id, entry_id)
);
