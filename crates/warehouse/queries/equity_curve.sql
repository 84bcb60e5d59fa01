-- One trader's closing equity each day beside the tournament's median and top decile that day.
-- Parameters: $1 tournament id, $2 entry id.
-- median: the middle entry's equity (the mean of the two middle ones, rounded toward zero to
-- 1/10,000 of a dollar, when the count is even); top_decile: the 90th percentile by nearest rank
-- (the ⌈0.9 n⌉-th lowest equity). Both exact, as the portfolio page computes them.
WITH ranked AS (
    SELECT date, entry_id, equity,
           ROW_NUMBER() OVER (PARTITION BY date ORDER BY equity, entry_id) AS k,
           COUNT(*) OVER (PARTITION BY date) AS n
    FROM equity_snapshots WHERE tournament_id = $1
),
daily AS (
    SELECT date,
           MAX(n) AS entries,
           MAX(CASE WHEN entry_id = $2 THEN equity END) AS equity,
           MAX(CASE WHEN k = (n + 1) / 2 THEN equity END) AS middle_low,
           MAX(CASE WHEN k = n / 2 + 1 THEN equity END) AS middle_high,
           MAX(CASE WHEN k = (9 * n + 9) / 10 THEN equity END) AS top_decile
    FROM ranked
    GROUP BY date
)
SELECT date,
       entries,
       equity,
       middle_low,
       middle_high,
       top_decile
FROM daily
WHERE equity IS NOT NULL
ORDER BY date
