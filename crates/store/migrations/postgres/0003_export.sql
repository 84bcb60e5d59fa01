-- Bullpen schema, PostgreSQL dialect, version 3: indexes for the analytics export, which reads
-- what changed since its last run.
-- The orders changed in a range of sequence numbers (seq is the sequence number of an order's
-- last change).
CREATE INDEX orders_by_seq ON orders (tournament_id, seq);

-- End-of-day snapshots newer than a date.
CREATE INDEX equity_snapshots_by_date ON equity_snapshots (date, entry_id);
