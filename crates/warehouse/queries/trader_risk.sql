-- One trader's risk over the season, from end-of-day equity, with the same definitions as the
-- engine's scoring (bullpen_domain::scoring): daily returns chained from the starting cash,
-- volatility = sample standard deviation × √252, Sharpe = mean / sample std × √252 (0 when the
-- deviation is 0), Sortino = mean / √(Σ min(r, 0)² / n) × √252, maximum drawdown = largest fall
-- from the running peak (which starts at the starting cash) as a fraction of that peak.
-- Parameters: $1 tournament id, $2 entry id.
WITH tournament AS (
    SELECT CAST(starting_cash AS DOUBLE) AS start FROM tournaments WHERE tournament_id = $1
),
daily AS (
    SELECT date, CAST(equity AS DOUBLE) AS equity
    FROM equity_snapshots WHERE tournament_id = $1 AND entry_id = $2
),
chained AS (
    SELECT d.date,
           d.equity,
           COALESCE(LAG(d.equity) OVER (ORDER BY d.date), tournament.start) AS previous,
           MAX(d.equity) OVER (ORDER BY d.date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_max,
           tournament.start AS start
    FROM tournament CROSS JOIN daily d
),
returns AS (
    SELECT date,
           equity,
           CASE WHEN previous > 0 THEN (equity - previous) / previous ELSE 0.0 END AS ret,
           GREATEST(running_max, start) AS peak
    FROM chained
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
       mean_return,
       COALESCE(std_return * SQRT(252.0), 0.0) AS volatility,
       CASE WHEN days < 2 OR std_return IS NULL OR std_return <= 1e-12 THEN 0.0
            ELSE mean_return / std_return * SQRT(252.0) END AS sharpe,
       CASE WHEN days < 2 THEN 0.0
            WHEN downside <= 1e-12 THEN CASE WHEN mean_return > 0 THEN 1000000.0 ELSE 0.0 END
            ELSE mean_return / downside * SQRT(252.0) END AS sortino,
       COALESCE(GREATEST(max_drawdown, 0.0), 0.0) AS max_drawdown
FROM stats
