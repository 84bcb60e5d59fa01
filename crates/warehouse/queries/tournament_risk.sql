-- Every entry's risk over a window of days [$2, $3], with the definitions of entry_risk.sql
-- (one row per entry that has a snapshot in the window).
-- Parameters: $1 tournament id, $2 first day, $3 last day (dates).
WITH tournament AS (
    SELECT CAST(starting_cash AS DOUBLE) AS start FROM tournaments WHERE tournament_id = $1
),
daily AS (
    SELECT entry_id, date, CAST(equity AS DOUBLE) AS equity
    FROM equity_snapshots WHERE tournament_id = $1 AND date <= $3
),
chained AS (
    SELECT d.entry_id,
           d.date,
           d.equity,
           COALESCE(LAG(d.equity) OVER (PARTITION BY d.entry_id ORDER BY d.date), tournament.start) AS previous
    FROM tournament CROSS JOIN daily d
),
in_window AS (
    SELECT entry_id,
           date,
           equity,
           previous,
           FIRST_VALUE(previous) OVER (PARTITION BY entry_id ORDER BY date) AS window_start,
           MAX(equity) OVER (PARTITION BY entry_id ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS running_max
    FROM chained WHERE date >= $2
),
returns AS (
    SELECT entry_id,
           equity,
           CASE WHEN previous > 0 THEN (equity - previous) / previous ELSE 0.0 END AS ret,
           GREATEST(running_max, window_start) AS peak
    FROM in_window
),
stats AS (
    SELECT entry_id,
           COUNT(*) AS days,
           AVG(ret) AS mean_return,
           STDDEV_SAMP(ret) AS std_return,
           SQRT(SUM(CASE WHEN ret < 0 THEN ret * ret ELSE 0.0 END) / COUNT(*)) AS downside,
           MAX(CASE WHEN peak > 0 THEN (peak - equity) / peak ELSE 0.0 END) AS max_drawdown
    FROM returns
    GROUP BY entry_id
)
SELECT entry_id,
       days,
       COALESCE(mean_return, 0.0) AS mean_return,
       COALESCE(std_return * SQRT(252.0), 0.0) AS volatility,
       CASE WHEN days < 2 OR std_return IS NULL OR std_return <= 1e-12 THEN 0.0
            ELSE mean_return / std_return * SQRT(252.0) END AS sharpe,
       CASE WHEN days < 2 THEN 0.0
            WHEN downside <= 1e-12 THEN CASE WHEN mean_return > 0 THEN 1000000.0 ELSE 0.0 END
            ELSE mean_return / downside * SQRT(252.0) END AS sortino,
       COALESCE(GREATEST(max_drawdown, 0.0), 0.0) AS max_drawdown
FROM stats
ORDER BY entry_id
