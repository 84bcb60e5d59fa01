-- Bullpen schema, SQLite dialect, version 3: indexes for the analytics export, which reads
-- what changed since its last run.
-- Each order row carries the sequence number of its last change (it is also in the body), so
-- the orders changed in a range of sequence numbers are one index range per tournament. Rows
-- written before this version hold 0; the export takes them with its first range.
ALTER TABLE orders ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_by_seq ON orders ((id >> 40), seq);

-- End-of-day snapshots newer than a date.
CREATE INDEX equity_snapshots_by_date ON equity_snapshots (date, entry_id);
