-- The standings of a tournament between two closes: every entry with a snapshot on the end day,
-- its equity then and on the start day (the starting cash when it has no snapshot that day, e.g.
-- a window starting with the tournament), its return over the window, its rank (1 = best return,
-- ties share a rank) and percentile (PERCENT_RANK: the share of the other entries with a lower
-- return; 1.0 = first of many). Both days are exact snapshot days, so only those two partitions
-- of equity_snapshots are read — callers pick them from the entry's own snapshots.
-- The one-row tournament comes first in its cross join: without file statistics (report
-- sessions skip them) the left side is the one collected, and a many-row left side made the
-- join emit one-row batches.
-- Parameters: $1 tournament id, $2 start day, $3 end day (dates).
WITH tournament AS (
    SELECT starting_cash FROM tournaments WHERE tournament_id = $1
),
ending AS (
    SELECT entry_id, equity FROM equity_snapshots WHERE tournament_id = $1 AND date = $3
),
starting AS (
    SELECT entry_id, equity FROM equity_snapshots WHERE tournament_id = $1 AND date = $2
),
joined AS (
    SELECT e.entry_id,
           COALESCE(s.equity, t.starting_cash) AS start_equity,
           e.equity AS end_equity
    FROM tournament t
    CROSS JOIN ending e
    LEFT JOIN starting s ON s.entry_id = e.entry_id
),
returns AS (
    SELECT entry_id,
           start_equity,
           end_equity,
           CASE WHEN start_equity > 0
                THEN CAST(end_equity - start_equity AS DOUBLE) / CAST(start_equity AS DOUBLE)
                ELSE 0.0 END AS period_return
    FROM joined
)
SELECT entry_id,
       start_equity,
       end_equity,
       period_return,
       RANK() OVER (ORDER BY period_return DESC) AS rank,
       PERCENT_RANK() OVER (ORDER BY period_return) AS percentile,
       COUNT(*) OVER () AS entries
FROM returns
ORDER BY rank, entry_id
