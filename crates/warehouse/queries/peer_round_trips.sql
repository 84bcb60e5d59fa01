-- Every round trip of one trader against all round trips of the tournament in the same symbol
-- closed in the same week (`week`: the Monday of the UTC week): the trade's percentile of return, holding
-- time and size among them, and the distribution's 10th, 50th and 90th percentiles of return.
-- Parameters: $1 tournament id, $2 entry id.
-- Percentiles are PERCENT_RANK: the share of the window's trades strictly below this one.
WITH mine AS (
    SELECT DISTINCT symbol, week
    FROM round_trips WHERE tournament_id = $1 AND entry_id = $2
),
peers AS (
    SELECT r.entry_id, r.close_seq, r.piece, r.symbol, m.week, r.closed_at,
           r.trade_return, r.holding_seconds, r.notional, r.realized_pnl
    FROM round_trips r
    JOIN mine m ON r.symbol = m.symbol AND r.week = m.week
    WHERE r.tournament_id = $1
),
ranked AS (
    SELECT p.*,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY trade_return) AS return_percentile,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY holding_seconds) AS holding_percentile,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY notional) AS size_percentile
    FROM peers p
),
bands AS (
    SELECT symbol, week,
           COUNT(*) AS peer_trades,
           COUNT(DISTINCT entry_id) AS peer_traders,
           percentile_cont(0.1) WITHIN GROUP (ORDER BY trade_return) AS return_p10,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY trade_return) AS return_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY trade_return) AS return_p90
    FROM peers
    GROUP BY symbol, week
)
SELECT r.close_seq, r.piece, r.symbol, r.week, r.closed_at,
       r.trade_return, r.holding_seconds, r.notional, r.realized_pnl,
       r.return_percentile, r.holding_percentile, r.size_percentile,
       b.peer_trades, b.peer_traders, b.return_p10, b.return_p50, b.return_p90
FROM ranked r
JOIN bands b ON b.symbol = r.symbol AND b.week = r.week
WHERE r.entry_id = $2
ORDER BY r.close_seq, r.piece
