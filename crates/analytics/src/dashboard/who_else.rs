//! For one of an entry's round trips: who else traded that symbol in the week it closed, and how
//! they did — by trader pseudonym only.

use bullpen_domain::Money;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::WarehouseResult;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::cells::{self, date_param, query};
use super::{trader_label, EntryRef};

/// The symbol and week of one of the entry's round trips.
const TRIP: &str = "SELECT symbol, week FROM round_trips \
     WHERE tournament_id = $1 AND entry_id = $2 AND close_seq = $3 AND piece = $4";

/// Per trader of the tournament: fills in the symbol during the week (Monday to Sunday, UTC)
/// and round trips in the symbol closed that week, with their result. `$3` symbol, `$4` the
/// Monday, `$5` the next Monday.
const TRADERS: &str = "WITH traded AS (\
         SELECT entry_id, \
                SUM(CASE WHEN side = 'buy' THEN qty ELSE 0 END) AS bought, \
                SUM(CASE WHEN side = 'sell' THEN qty ELSE 0 END) AS sold, \
                COUNT(*) AS fills \
         FROM fills WHERE tournament_id = $1 AND symbol = $3 AND date >= $4 AND date < $5 \
         GROUP BY entry_id), \
     closed AS (\
         SELECT entry_id, COUNT(*) AS round_trips, SUM(realized_pnl) AS realized_pnl, \
                SUM(notional) AS closed_notional, \
                SUM(CASE WHEN direction = 'long' THEN 1 ELSE 0 END) AS long_trips \
         FROM round_trips WHERE tournament_id = $1 AND symbol = $3 AND week = $4 \
         GROUP BY entry_id), \
     everyone AS (SELECT entry_id FROM traded UNION SELECT entry_id FROM closed) \
     SELECT w.entry_id = $2 AS is_you, e.trader_id, \
            COALESCE(t.bought, 0) AS bought, COALESCE(t.sold, 0) AS sold, COALESCE(t.fills, 0) AS fills, \
            COALESCE(c.round_trips, 0) AS round_trips, COALESCE(c.long_trips, 0) AS long_trips, \
            COALESCE(c.realized_pnl, 0) AS realized_pnl, c.closed_notional \
     FROM everyone w \
     LEFT JOIN traded t ON t.entry_id = w.entry_id \
     LEFT JOIN closed c ON c.entry_id = w.entry_id \
     LEFT JOIN entries e ON e.entry_id = w.entry_id AND e.tournament_id = $1 \
     ORDER BY realized_pnl DESC, e.trader_id";

/// One trader who traded the symbol that week.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WhoElseTrader {
    /// Warehouse pseudonym (32 hex digits; never a name or a user id).
    pub trader_id: String,
    /// Short label ("Trader 3f2a9c", or "You").
    pub label: String,
    /// Whether this is the dashboard's own entry.
    pub is_you: bool,
    /// Shares bought that week.
    pub bought: i64,
    /// Shares sold that week.
    pub sold: i64,
    /// Fills that week.
    pub fills: i64,
    /// Round trips closed that week.
    pub round_trips: i64,
    /// Of which long.
    pub long_trips: i64,
    /// Their realized profit or loss net of fees (decimal string).
    #[schema(value_type = String)]
    pub realized_pnl: Money,
    /// `realized_pnl` over the size of the closed trades (null without any).
    pub trade_return: Option<f64>,
}

/// Who traded a symbol in a week.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WhoElse {
    /// The symbol.
    pub symbol: String,
    /// The Monday of the week (`YYYY-MM-DD`).
    #[schema(value_type = String)]
    pub week: NaiveDate,
    /// Traders, best realized result first (you included, marked).
    pub traders: Vec<WhoElseTrader>,
}

/// Who else traded the symbol of the entry's round trip `(close_seq, piece)` in its week;
/// `None` when the entry has no such round trip.
pub async fn who_else(
    ctx: &SessionContext,
    at: EntryRef,
    close_seq: i64,
    piece: i32,
) -> WarehouseResult<Option<WhoElse>> {
    let (t, e) = (ScalarValue::Int64(Some(at.tournament_id.0)), ScalarValue::Int64(Some(at.entry_id.0)));
    let trip = vec![t.clone(), e.clone(), ScalarValue::Int64(Some(close_seq)), ScalarValue::Int32(Some(piece))];
    let mut found = None;
    for b in query(ctx, TRIP, trip).await? {
        let (symbol, week) = (cells::texts(&b, "symbol")?, cells::dates(&b, "week")?);
        if b.num_rows() > 0 {
            found = cells::text(&symbol, 0).zip(cells::date(&week, 0));
        }
    }
    let Some((symbol, week)) = found else { return Ok(None) };
    let next_week = week + chrono::Days::new(7);
    let params = vec![t, e, ScalarValue::Utf8(Some(symbol.clone())), date_param(week), date_param(next_week)];
    let mut traders = Vec::new();
    for b in query(ctx, TRADERS, params).await? {
        let (you, trader, bought, sold, fills) = (
            cells::bools(&b, "is_you")?,
            cells::texts(&b, "trader_id")?,
            cells::ints(&b, "bought")?,
            cells::ints(&b, "sold")?,
            cells::ints(&b, "fills")?,
        );
        let (trips, longs, pnl, notional) = (
            cells::ints(&b, "round_trips")?,
            cells::ints(&b, "long_trips")?,
            cells::moneys(&b, "realized_pnl")?,
            cells::moneys(&b, "closed_notional")?,
        );
        for i in 0..b.num_rows() {
            let is_you = you.value(i);
            let trader_id = cells::text(&trader, i).unwrap_or_default();
            let realized_pnl = cells::money(&pnl, i).unwrap_or_default();
            let trade_return =
                cells::money(&notional, i).filter(|n| n.0 != 0).map(|n| realized_pnl.to_f64_lossy() / n.to_f64_lossy());
            traders.push(WhoElseTrader {
                label: if is_you { "You".to_string() } else { trader_label(&trader_id) },
                trader_id,
                is_you,
                bought: cells::int(&bought, i).unwrap_or_default(),
                sold: cells::int(&sold, i).unwrap_or_default(),
                fills: cells::int(&fills, i).unwrap_or_default(),
                round_trips: cells::int(&trips, i).unwrap_or_default(),
                long_trips: cells::int(&longs, i).unwrap_or_default(),
                realized_pnl,
                trade_return,
            });
        }
    }
    Ok(Some(WhoElse { symbol, week, traders }))
}
