-- The most traded symbols of a tournament over a window of days [$2, $3], by traded value:
-- fills, distinct entries, shares, traded value and fees, with the instrument's sector.
-- Parameters: $1 tournament id, $2 first day, $3 last day (dates).
WITH traded AS (
    SELECT symbol,
           COUNT(*) AS fills,
           COUNT(DISTINCT entry_id) AS traders,
           SUM(qty) AS shares,
           SUM(notional) AS traded_notional,
           SUM(fee) AS fees
    FROM fills WHERE tournament_id = $1 AND date >= $2 AND date <= $3
    GROUP BY symbol
)
SELECT traded.symbol, instruments.sector, traded.fills, traded.traders, traded.shares, traded.traded_notional,
       traded.fees
FROM traded
LEFT JOIN instruments ON instruments.symbol = traded.symbol
ORDER BY traded.traded_notional DESC, traded.symbol
LIMIT 20
