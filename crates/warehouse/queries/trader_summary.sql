-- One trader's season summary: start and end equity, total return, rank and percentile among
-- every entry of the tournament on its last snapshot date, and trading activity.
-- Parameters: $1 tournament id, $2 entry id.
-- percentile: the share of entries that ended below this one (1.0 = first of many).
WITH tournament AS (
    SELECT starting_cash FROM tournaments WHERE tournament_id = $1
),
snaps AS (
    SELECT entry_id, date, equity FROM equity_snapshots WHERE tournament_id = $1
),
last_day AS (
    SELECT MAX(date) AS date FROM snaps
),
standings AS (
    SELECT s.entry_id,
           s.date,
           s.equity,
           RANK() OVER (ORDER BY s.equity DESC) AS rank,
           PERCENT_RANK() OVER (ORDER BY s.equity) AS percentile,
           COUNT(*) OVER () AS entries
    FROM snaps s JOIN last_day d ON s.date = d.date
),
activity AS (
    SELECT COUNT(*) AS fills,
           COALESCE(SUM(notional), 0) AS traded_notional,
           COALESCE(SUM(fee), 0) AS fees
    FROM fills WHERE tournament_id = $1 AND entry_id = $2
),
trips AS (
    SELECT COUNT(*) AS round_trips,
           COALESCE(SUM(CASE WHEN realized_pnl > 0 THEN 1 ELSE 0 END), 0) AS winning_trips,
           COALESCE(SUM(realized_pnl), 0) AS realized_pnl
    FROM round_trips WHERE tournament_id = $1 AND entry_id = $2
)
SELECT st.entry_id,
       st.date AS as_of,
       tournament.starting_cash AS start_equity,
       st.equity AS end_equity,
       CAST(st.equity - tournament.starting_cash AS DOUBLE) / CAST(tournament.starting_cash AS DOUBLE) AS total_return,
       st.rank,
       st.entries,
       st.percentile,
       activity.fills,
       activity.traded_notional,
       activity.fees,
       trips.round_trips,
       trips.winning_trips,
       trips.realized_pnl
FROM standings st
CROSS JOIN tournament
CROSS JOIN activity
CROSS JOIN trips
WHERE st.entry_id = $2
