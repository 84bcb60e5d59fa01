-- Every round trip of one trader against the round trips of all traders of the tournament closed
-- in the same week (`week`: the Monday of the UTC week), in three peer groups: the same symbol,
-- the same sector (instruments.sector; `Unknown` without one) and the whole tournament.
-- Per trade and group: the percentile of its return, holding time and size among the group's
-- trades that week (PERCENT_RANK: the share strictly below it, the trade itself included in the
-- window) and the group's 10th, 50th and 90th percentiles of return.
-- Parameters: $1 tournament id, $2 entry id.
WITH my_weeks AS (
    SELECT DISTINCT week FROM round_trips WHERE tournament_id = $1 AND entry_id = $2
),
trips AS (
    SELECT r.entry_id, r.close_seq, r.piece, r.symbol, COALESCE(i.sector, 'Unknown') AS sector, r.week,
           r.closed_at, r.trade_return, r.holding_seconds, r.notional, r.realized_pnl
    FROM round_trips r
    JOIN my_weeks w ON r.week = w.week
    LEFT JOIN instruments i ON i.symbol = r.symbol
    WHERE r.tournament_id = $1
),
grouped AS (
    SELECT 'symbol' AS peer_group, symbol AS group_key, * FROM trips
    UNION ALL
    SELECT 'sector' AS peer_group, sector AS group_key, * FROM trips
    UNION ALL
    SELECT 'tournament' AS peer_group, 'all' AS group_key, * FROM trips
),
ranked AS (
    SELECT g.*,
           PERCENT_RANK() OVER (PARTITION BY peer_group, group_key, week ORDER BY trade_return) AS return_percentile,
           PERCENT_RANK() OVER (PARTITION BY peer_group, group_key, week ORDER BY holding_seconds) AS holding_percentile,
           PERCENT_RANK() OVER (PARTITION BY peer_group, group_key, week ORDER BY notional) AS size_percentile
    FROM grouped g
),
bands AS (
    SELECT peer_group, group_key, week,
           COUNT(*) AS peer_trades,
           COUNT(DISTINCT entry_id) AS peer_traders,
           percentile_cont(0.1) WITHIN GROUP (ORDER BY trade_return) AS return_p10,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY trade_return) AS return_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY trade_return) AS return_p90
    FROM grouped
    GROUP BY peer_group, group_key, week
)
SELECT r.peer_group, r.group_key, r.close_seq, r.piece, r.symbol, r.sector, r.week, r.closed_at,
       r.trade_return, r.holding_seconds, r.notional, r.realized_pnl,
       r.return_percentile, r.holding_percentile, r.size_percentile,
       b.peer_trades, b.peer_traders, b.return_p10, b.return_p50, b.return_p90
FROM ranked r
JOIN bands b ON b.peer_group = r.peer_group AND b.group_key = r.group_key AND b.week = r.week
WHERE r.entry_id = $2
ORDER BY r.peer_group, r.close_seq, r.piece
