-- One trader's results by symbol: fills, traded value and fees (fills), closed trades and
-- realized P&L net of fees (round trips), and the position held after the last ledger change
-- (trades, splits) with its value at the last bar close up to the tournament's last day.
-- Parameters: $1 tournament id, $2 entry id.
WITH traded AS (
    SELECT symbol,
           COUNT(*) AS fills,
           SUM(notional) AS traded_notional,
           SUM(fee) AS fees
    FROM fills WHERE tournament_id = $1 AND entry_id = $2
    GROUP BY symbol
),
closed AS (
    SELECT symbol,
           COUNT(*) AS round_trips,
           SUM(CASE WHEN realized_pnl > 0 THEN 1 ELSE 0 END) AS winning_trips,
           SUM(realized_pnl) AS realized_pnl,
           AVG(trade_return) AS avg_return
    FROM round_trips WHERE tournament_id = $1 AND entry_id = $2
    GROUP BY symbol
),
positions AS (
    SELECT symbol, qty_after AS open_qty FROM (
        SELECT symbol, qty_after, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY seq DESC) AS newest
        FROM ledger WHERE tournament_id = $1 AND entry_id = $2 AND symbol IS NOT NULL
    ) WHERE newest = 1
),
last_close AS (
    SELECT symbol, close AS last_close FROM (
        SELECT b.symbol, b.close, ROW_NUMBER() OVER (PARTITION BY b.symbol ORDER BY b.date DESC) AS newest
        FROM bars b JOIN tournaments t ON b.date <= t.ends_on
        WHERE t.tournament_id = $1
    ) WHERE newest = 1
)
SELECT traded.symbol,
       instruments.sector,
       traded.fills,
       traded.traded_notional,
       traded.fees,
       COALESCE(closed.round_trips, 0) AS round_trips,
       COALESCE(closed.winning_trips, 0) AS winning_trips,
       COALESCE(closed.realized_pnl, 0) AS realized_pnl,
       closed.avg_return,
       COALESCE(positions.open_qty, 0) AS open_qty,
       last_close.last_close,
       CAST(positions.open_qty AS DECIMAL(18, 0)) * last_close.last_close AS market_value
FROM traded
LEFT JOIN closed ON closed.symbol = traded.symbol
LEFT JOIN positions ON positions.symbol = traded.symbol
LEFT JOIN last_close ON last_close.symbol = traded.symbol
LEFT JOIN instruments ON instruments.symbol = traded.symbol
ORDER BY realized_pnl DESC, traded.symbol
