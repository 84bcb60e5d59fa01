//! Trading history of one entry: its fills, or only its closed trades (round trips), newest
//! first, filtered by symbol, side and date range, in pages with a cursor.

use bullpen_domain::{Money, Price, Symbol};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::{WarehouseError, WarehouseResult};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cells::{self, date_param, query, rfc3339};
use super::EntryRef;

/// Largest page.
pub const MAX_PAGE: usize = 1000;

/// Fills, or closed trades only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// Every fill.
    #[default]
    Fills,
    /// Closed trades (round trips) only.
    Closed,
}

/// Which side: for fills the fill's side, for closed trades the side that opened them
/// (buy = long, sell = short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SideFilter {
    /// Buys (long trades).
    Buy,
    /// Sells (short trades).
    Sell,
}

/// The filters and page of a history request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Fills or closed trades.
    pub kind: HistoryKind,
    /// Only this symbol.
    pub symbol: Option<Symbol>,
    /// Only this side.
    pub side: Option<SideFilter>,
    /// From this UTC day (inclusive; the day of the fill, or of the close).
    pub from: Option<NaiveDate>,
    /// To this UTC day (inclusive).
    pub to: Option<NaiveDate>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page (1–1000).
    pub limit: usize,
}

/// One fill.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FillRow {
    /// Ledger sequence number.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub ts: String,
    /// Instrument.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: String,
    /// Shares.
    pub qty: i64,
    /// Price per share (decimal string).
    #[schema(value_type = String)]
    pub price: Price,
    /// `qty × price` (decimal string).
    #[schema(value_type = String)]
    pub notional: Money,
    /// Commission (decimal string).
    #[schema(value_type = String)]
    pub fee: Money,
    /// Signed shares held after the fill.
    pub position_after: i64,
}

/// One closed trade.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RoundTripRow {
    /// Sequence number of the closing fill.
    pub close_seq: i64,
    /// Which lot the closing fill closed (0 = oldest); with `close_seq` the trade's key.
    pub piece: i32,
    /// Instrument.
    pub symbol: String,
    /// `long` or `short`.
    pub direction: String,
    /// Shares.
    pub qty: i64,
    /// Entry price (decimal string).
    #[schema(value_type = String)]
    pub entry_price: Price,
    /// Exit price (decimal string).
    #[schema(value_type = String)]
    pub exit_price: Price,
    /// Opened (RFC 3339).
    pub opened_at: String,
    /// Closed (RFC 3339).
    pub closed_at: String,
    /// Seconds held.
    pub holding_seconds: i64,
    /// Size: entry price × shares (decimal string).
    #[schema(value_type = String)]
    pub notional: Money,
    /// Commissions of this trade (decimal string).
    #[schema(value_type = String)]
    pub fees: Money,
    /// Profit or loss net of fees (decimal string).
    #[schema(value_type = String)]
    pub realized_pnl: Money,
    /// `realized_pnl / notional` (0.05 = +5 %).
    pub trade_return: f64,
}

/// A page of history: fills or closed trades, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryPage {
    /// What the page lists.
    pub kind: HistoryKind,
    /// Fills (when `kind` is `fills`).
    pub fills: Vec<FillRow>,
    /// Closed trades (when `kind` is `closed`).
    pub round_trips: Vec<RoundTripRow>,
    /// Cursor of the next page (pass it as `after`); null on the last page.
    pub next: Option<String>,
}

/// A `WHERE` clause with numbered parameters: values are never spliced into the text.
struct Filter {
    conditions: Vec<String>,
    params: Vec<ScalarValue>,
}

impl Filter {
    fn new(at: EntryRef) -> Filter {
        Filter {
            conditions: vec!["tournament_id = $1".into(), "entry_id = $2".into()],
            params: vec![ScalarValue::Int64(Some(at.tournament_id.0)), ScalarValue::Int64(Some(at.entry_id.0))],
        }
    }

    /// Adds a condition; `?` in it stands for the next parameter.
    fn add(&mut self, condition: &str, value: ScalarValue) {
        self.params.push(value);
        self.conditions.push(condition.replace('?', &format!("${}", self.params.len())));
    }

    fn clause(&self) -> String {
        self.conditions.join(" AND ")
    }
}

fn invalid_cursor() -> WarehouseError {
    WarehouseError::Invalid("`after` must be the `next` value of a previous page".into())
}

/// Checks the filters: a page size in range, a date range in order.
fn validate(q: &HistoryQuery) -> WarehouseResult<()> {
    if q.limit == 0 || q.limit > MAX_PAGE {
        return Err(WarehouseError::Invalid(format!("limit must be between 1 and {MAX_PAGE}, got {}", q.limit)));
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(WarehouseError::Invalid(format!("from ({from}) is after to ({to})")));
        }
    }
    Ok(())
}

/// One page of an entry's history.
pub async fn history(ctx: &SessionContext, at: EntryRef, q: &HistoryQuery) -> WarehouseResult<HistoryPage> {
    validate(q)?;
    let mut filter = Filter::new(at);
    if let Some(s) = &q.symbol {
        filter.add("symbol = ?", ScalarValue::Utf8(Some(s.to_string())));
    }
    if let Some(from) = q.from {
        filter.add("date >= ?", date_param(from));
    }
    if let Some(to) = q.to {
        filter.add("date <= ?", date_param(to));
    }
    let fetch = q.limit + 1;
    match q.kind {
        HistoryKind::Fills => fills(ctx, filter, q, fetch).await,
        HistoryKind::Closed => round_trips(ctx, filter, q, fetch).await,
    }
}

async fn fills(
    ctx: &SessionContext,
    mut filter: Filter,
    q: &HistoryQuery,
    fetch: usize,
) -> WarehouseResult<HistoryPage> {
    if let Some(side) = q.side {
        let text = if side == SideFilter::Buy { "buy" } else { "sell" };
        filter.add("side = ?", ScalarValue::Utf8(Some(text.into())));
    }
    if let Some(after) = &q.after {
        let seq: i64 = after.parse().map_err(|_| invalid_cursor())?;
        filter.add("seq < ?", ScalarValue::Int64(Some(seq)));
    }
    let sql = format!(
        "SELECT seq, ts, symbol, side, qty, price, notional, fee, position_after FROM fills WHERE {} \
         ORDER BY seq DESC LIMIT {fetch}",
        filter.clause()
    );
    let mut rows = Vec::new();
    for b in query(ctx, &sql, filter.params).await? {
        let (seq, ts, symbol, side) =
            (cells::ints(&b, "seq")?, cells::times(&b, "ts")?, cells::texts(&b, "symbol")?, cells::texts(&b, "side")?);
        let (qty, price, notional, fee, after) = (
            cells::ints(&b, "qty")?,
            cells::moneys(&b, "price")?,
            cells::moneys(&b, "notional")?,
            cells::moneys(&b, "fee")?,
            cells::ints(&b, "position_after")?,
        );
        for i in 0..b.num_rows() {
            rows.push(FillRow {
                seq: cells::int(&seq, i).unwrap_or_default(),
                ts: cells::time(&ts, i).map(rfc3339).unwrap_or_default(),
                symbol: cells::text(&symbol, i).unwrap_or_default(),
                side: cells::text(&side, i).unwrap_or_default(),
                qty: cells::int(&qty, i).unwrap_or_default(),
                price: Price(cells::money(&price, i).unwrap_or_default().0),
                notional: cells::money(&notional, i).unwrap_or_default(),
                fee: cells::money(&fee, i).unwrap_or_default(),
                position_after: cells::int(&after, i).unwrap_or_default(),
            });
        }
    }
    let next = cut(&mut rows, q.limit).map(|last| last.seq.to_string());
    Ok(HistoryPage { kind: HistoryKind::Fills, fills: rows, round_trips: Vec::new(), next })
}

/// Parses a closed-trade cursor `close_seq-piece`.
fn trip_cursor(text: &str) -> WarehouseResult<(i64, i32)> {
    let (seq, piece) = text.split_once('-').ok_or_else(invalid_cursor)?;
    Ok((seq.parse().map_err(|_| invalid_cursor())?, piece.parse().map_err(|_| invalid_cursor())?))
}

async fn round_trips(
    ctx: &SessionContext,
    mut filter: Filter,
    q: &HistoryQuery,
    fetch: usize,
) -> WarehouseResult<HistoryPage> {
    if let Some(side) = q.side {
        let text = if side == SideFilter::Buy { "long" } else { "short" };
        filter.add("direction = ?", ScalarValue::Utf8(Some(text.into())));
    }
    if let Some(after) = &q.after {
        let (seq, piece) = trip_cursor(after)?;
        filter.add("close_seq <= ?", ScalarValue::Int64(Some(seq)));
        let n = filter.params.len();
        filter.params.push(ScalarValue::Int32(Some(piece)));
        filter.conditions.push(format!("(close_seq < ${n} OR piece < ${})", n + 1));
    }
    let sql = format!(
        "SELECT close_seq, piece, symbol, direction, qty, entry_price, exit_price, opened_at, closed_at, \
         holding_seconds, notional, fees, realized_pnl, trade_return FROM round_trips WHERE {} \
         ORDER BY close_seq DESC, piece DESC LIMIT {fetch}",
        filter.clause()
    );
    let mut rows = Vec::new();
    for b in query(ctx, &sql, filter.params).await? {
        let (seq, piece, symbol, direction, qty) = (
            cells::ints(&b, "close_seq")?,
            cells::ints(&b, "piece")?,
            cells::texts(&b, "symbol")?,
            cells::texts(&b, "direction")?,
            cells::ints(&b, "qty")?,
        );
        let (entry, exit, opened, closed, held) = (
            cells::moneys(&b, "entry_price")?,
            cells::moneys(&b, "exit_price")?,
            cells::times(&b, "opened_at")?,
            cells::times(&b, "closed_at")?,
            cells::ints(&b, "holding_seconds")?,
        );
        let (notional, fees, pnl, ret) = (
            cells::moneys(&b, "notional")?,
            cells::moneys(&b, "fees")?,
            cells::moneys(&b, "realized_pnl")?,
            cells::floats(&b, "trade_return")?,
        );
        for i in 0..b.num_rows() {
            rows.push(RoundTripRow {
                close_seq: cells::int(&seq, i).unwrap_or_default(),
                piece: i32::try_from(cells::int(&piece, i).unwrap_or_default()).unwrap_or_default(),
                symbol: cells::text(&symbol, i).unwrap_or_default(),
                direction: cells::text(&direction, i).unwrap_or_default(),
                qty: cells::int(&qty, i).unwrap_or_default(),
                entry_price: Price(cells::money(&entry, i).unwrap_or_default().0),
                exit_price: Price(cells::money(&exit, i).unwrap_or_default().0),
                opened_at: cells::time(&opened, i).map(rfc3339).unwrap_or_default(),
                closed_at: cells::time(&closed, i).map(rfc3339).unwrap_or_default(),
                holding_seconds: cells::int(&held, i).unwrap_or_default(),
                notional: cells::money(&notional, i).unwrap_or_default(),
                fees: cells::money(&fees, i).unwrap_or_default(),
                realized_pnl: cells::money(&pnl, i).unwrap_or_default(),
                trade_return: cells::float(&ret, i).unwrap_or_default(),
            });
        }
    }
    let next = cut(&mut rows, q.limit).map(|last| format!("{}-{}", last.close_seq, last.piece));
    Ok(HistoryPage { kind: HistoryKind::Closed, fills: Vec::new(), round_trips: rows, next })
}

/// Cuts rows fetched one past the limit; the last kept row when there is a next page.
fn cut<T: Clone>(rows: &mut Vec<T>, limit: usize) -> Option<T> {
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().cloned()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_and_ranges_are_checked() {
        assert_eq!(trip_cursor("12-3").ok(), Some((12, 3)));
        assert!(trip_cursor("12").is_err() && trip_cursor("a-1").is_err());
        let mut q = HistoryQuery { limit: 0, ..HistoryQuery::default() };
        assert!(validate(&q).is_err());
        q.limit = 10;
        q.from = NaiveDate::from_ymd_opt(2024, 2, 1);
        q.to = NaiveDate::from_ymd_opt(2024, 1, 1);
        assert!(validate(&q).is_err());
    }
}
