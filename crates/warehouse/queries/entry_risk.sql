-- One entry's risk over a window of days [$3, $4], with the definitions of trader_risk.sql (the
-- engine's scoring): daily returns chained from the equity before the window (the entry's last
-- snapshot before $3, or the starting cash when there is none), volatility = sample standard
-- deviation × √252, Sharpe = mean / sample std × √252 (0 when the deviation is 0), Sortino =
-- mean / √(Σ min(r, 0)² / n) × √252, maximum drawdown = largest fall from the running peak
-- (which starts at the equity before the window) as a fraction of that peak.
-- Over the whole season it equals trader_risk.sql.
-- Parameters: $1 tournament id, $2 entry id, $3 first day, $4 last day (dates).
WITH tournament AS (
    SELECT CAST(starting_cash AS DOUBLE) AS start FROM tournaments WHERE tournament_id = $1
),
daily AS (
    SELECT date, CAST(equity AS DOUBLE) AS equity
    FROM equity_snapshots WHERE tournament_id = $1 AND entry_id = $2 AND date <= $4
),
chained AS (
    SELECT d.date,
           d.equity,
           COALESCE(LAG(d.equity) OVER (ORDER BY d.date), tournament.start) AS previous
    FROM tournament CROSS JOIN daily d
),
in_window AS (
    SELECT date,
           equity,
           previous,
           FIRST_VALUE(previous) OVER (ORDER BY date) AS window_start,
           MAX(equity) OVER (ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_max
    FROM chained WHERE date >= $3
),
returns AS (
    SELECT date,
           equity,
           CASE WHEN previous > 0 THEN (equity - previous) / previous ELSE 0.0 END AS ret,
           GREATEST(running_max, window_start) AS peak
    FROM in_window
),
stats AS (
    SELECT COUNT(*) AS days,
           AVG(ret) AS mean_return,
           STDDEV_SAMP(ret) AS std_return,
           SQRT(SUM(CASE WHEN ret < 0 THEN ret * ret ELSE 0.0 END) / COUNT(*)) AS downside,
           MAX(CASE WHEN peak > 0 THEN (peak - equity) / peak ELSE 0.0 END) AS max_drawdown
    FROM returns
)
SELECT days,
       COALESCE(mean_return, 0.0) AS mean_return,
       COALESCE(std_return * SQRT(252.0), 0.0) AS volatility,
       CASE WHEN days < 2 OR std_return IS NULL OR std_return <= 1e-12 THEN 0.0
            ELSE mean_return / std_return * SQRT(252.0) END AS sharpe,
       CASE WHEN days < 2 THEN 0.0
            WHEN downside <= 1e-12 THEN CASE WHEN mean_return > 0 THEN 1000000.0 ELSE 0.0 END
            ELSE mean_return / downside * SQRT(252.0) END AS sortino,
       COALESCE(GREATEST(max_drawdown, 0.0), 0.0) AS max_drawdown
FROM stats
