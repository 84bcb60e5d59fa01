//! Every round trip of one entry against the round trips of all traders closed in the same week,
//! in three peer groups (same symbol, same sector, whole tournament): the trade's percentiles and
//! the group's return bands (`queries/peer_round_trip_groups.sql`), and the peer distribution as
//! points for a scatter chart.

use bullpen_domain::Money;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::queries::run_report;
use bullpen_warehouse::{Report, ReportParams, WarehouseError, WarehouseResult};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cells::{self, query, rfc3339};
use super::EntryRef;

/// Whom a trade is compared with (always within the week it closed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeerGroup {
    /// Trades in the same symbol.
    #[default]
    Symbol,
    /// Trades in the same sector.
    Sector,
    /// Every trade of the tournament.
    Tournament,
}

impl PeerGroup {
    /// Every group.
    pub const ALL: [PeerGroup; 3] = [PeerGroup::Symbol, PeerGroup::Sector, PeerGroup::Tournament];

    /// The group's name in queries and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerGroup::Symbol => "symbol",
            PeerGroup::Sector => "sector",
            PeerGroup::Tournament => "tournament",
        }
    }

    /// The group named `text`.
    pub fn parse(text: &str) -> WarehouseResult<PeerGroup> {
        PeerGroup::ALL.into_iter().find(|g| g.as_str() == text).ok_or_else(|| {
            WarehouseError::Invalid(format!("peer group must be symbol, sector or tournament, got `{text}`"))
        })
    }

    /// The SQL expression of a round trip's key in this group (`r` the round trip, `i` its
    /// instrument): a fixed text, never built from input.
    fn key_sql(self) -> &'static str {
        match self {
            PeerGroup::Symbol => "r.symbol",
            PeerGroup::Sector => "COALESCE(i.sector, 'Unknown')",
            PeerGroup::Tournament => "'all'",
        }
    }
}

/// One of the entry's round trips against one peer group.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeerTrade {
    /// Sequence number of the closing fill.
    pub close_seq: i64,
    /// Which lot the fill closed; with `close_seq` the trade's key.
    pub piece: i32,
    /// Instrument.
    pub symbol: String,
    /// Its sector.
    pub sector: String,
    /// The Monday of the week it closed (`YYYY-MM-DD`).
    #[schema(value_type = String)]
    pub week: NaiveDate,
    /// Closed (RFC 3339).
    pub closed_at: String,
    /// Return (0.05 = +5 %).
    pub trade_return: f64,
    /// Seconds held.
    pub holding_seconds: i64,
    /// Size (decimal string).
    #[schema(value_type = String)]
    pub notional: Money,
    /// Profit or loss net of fees (decimal string).
    #[schema(value_type = String)]
    pub realized_pnl: Money,
    /// Share of the group's trades that week with a lower return (0–1).
    pub return_percentile: f64,
    /// Share held for less time (0–1).
    pub holding_percentile: f64,
    /// Share smaller (0–1).
    pub size_percentile: f64,
    /// Trades in the group that week (this one included).
    pub peer_trades: i64,
    /// Traders behind them.
    pub peer_traders: i64,
    /// 10th percentile of the group's returns.
    pub return_p10: f64,
    /// Median return.
    pub return_p50: f64,
    /// 90th percentile.
    pub return_p90: f64,
}

/// The entry's round trips against one peer group.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeerTrades {
    /// The group.
    pub group: PeerGroup,
    /// One row per round trip, oldest first.
    pub trades: Vec<PeerTrade>,
}

/// The entry's round trips against every peer group.
pub async fn peer_trades(ctx: &SessionContext, at: EntryRef) -> WarehouseResult<Vec<PeerTrades>> {
    let params = ReportParams { tournament_id: at.tournament_id.0, entry_id: at.entry_id.0 };
    let result = run_report(ctx, Report::PeerRoundTripGroups, params).await?;
    let mut out: Vec<PeerTrades> =
        PeerGroup::ALL.into_iter().map(|group| PeerTrades { group, trades: Vec::new() }).collect();
    for b in &result.batches {
        let (group, seq, piece, symbol, sector, week, closed) = (
            cells::texts(b, "peer_group")?,
            cells::ints(b, "close_seq")?,
            cells::ints(b, "piece")?,
            cells::texts(b, "symbol")?,
            cells::texts(b, "sector")?,
            cells::dates(b, "week")?,
            cells::times(b, "closed_at")?,
        );
        let (ret, held, notional, pnl) = (
            cells::floats(b, "trade_return")?,
            cells::ints(b, "holding_seconds")?,
            cells::moneys(b, "notional")?,
            cells::moneys(b, "realized_pnl")?,
        );
        let (rp, hp, sp, trades, traders) = (
            cells::floats(b, "return_percentile")?,
            cells::floats(b, "holding_percentile")?,
            cells::floats(b, "size_percentile")?,
            cells::ints(b, "peer_trades")?,
            cells::ints(b, "peer_traders")?,
        );
        let (p10, p50, p90) =
            (cells::floats(b, "return_p10")?, cells::floats(b, "return_p50")?, cells::floats(b, "return_p90")?);
        for i in 0..b.num_rows() {
            let Some(g) = cells::text(&group, i).and_then(|g| PeerGroup::parse(&g).ok()) else { continue };
            let row = PeerTrade {
                close_seq: cells::int(&seq, i).unwrap_or_default(),
                piece: i32::try_from(cells::int(&piece, i).unwrap_or_default()).unwrap_or_default(),
                symbol: cells::text(&symbol, i).unwrap_or_default(),
                sector: cells::text(&sector, i).unwrap_or_default(),
                week: cells::date(&week, i).unwrap_or_default(),
                closed_at: cells::time(&closed, i).map(rfc3339).unwrap_or_default(),
                trade_return: cells::float(&ret, i).unwrap_or_default(),
                holding_seconds: cells::int(&held, i).unwrap_or_default(),
                notional: cells::money(&notional, i).unwrap_or_default(),
                realized_pnl: cells::money(&pnl, i).unwrap_or_default(),
                return_percentile: cells::float(&rp, i).unwrap_or_default(),
                holding_percentile: cells::float(&hp, i).unwrap_or_default(),
                size_percentile: cells::float(&sp, i).unwrap_or_default(),
                peer_trades: cells::int(&trades, i).unwrap_or_default(),
                peer_traders: cells::int(&traders, i).unwrap_or_default(),
                return_p10: cells::float(&p10, i).unwrap_or_default(),
                return_p50: cells::float(&p50, i).unwrap_or_default(),
                return_p90: cells::float(&p90, i).unwrap_or_default(),
            };
            if let Some(bucket) = out.iter_mut().find(|o| o.group == g) {
                bucket.trades.push(row);
            }
        }
    }
    Ok(out)
}

/// One round trip of the peer distribution.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeerPoint {
    /// Whether it is one of the entry's own trades.
    pub own: bool,
    /// Sequence number of the closing fill (a key only within the tournament).
    pub close_seq: i64,
    /// Which lot the fill closed.
    pub piece: i32,
    /// Instrument.
    pub symbol: String,
    /// The Monday of the week it closed.
    #[schema(value_type = String)]
    pub week: NaiveDate,
    /// Return (0.05 = +5 %).
    pub trade_return: f64,
    /// Seconds held.
    pub holding_seconds: i64,
    /// Size (decimal string).
    #[schema(value_type = String)]
    pub notional: Money,
}

/// The distribution the entry's trades are drawn against.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeerPoints {
    /// The group.
    pub group: PeerGroup,
    /// The entry's own trades and up to `limit` of the peers' (the most recent), in the weeks
    /// and group keys of the entry's trades.
    pub points: Vec<PeerPoint>,
    /// Peer trades left out by the limit.
    pub omitted: i64,
}

/// The round trips of every trader in the weeks (and symbols or sectors, by group) of the
/// entry's own: all of the entry's, and at most `limit` of the others' (the most recent).
pub async fn peer_points(
    ctx: &SessionContext,
    at: EntryRef,
    group: PeerGroup,
    limit: usize,
) -> WarehouseResult<PeerPoints> {
    let key = group.key_sql();
    let sql = format!(
        "WITH mine AS (\
             SELECT DISTINCT r.week, {key} AS group_key FROM round_trips r \
             LEFT JOIN instruments i ON i.symbol = r.symbol \
             WHERE r.tournament_id = $1 AND r.entry_id = $2), \
         pool AS (\
             SELECT r.entry_id = $2 AS own, r.close_seq, r.piece, r.symbol, r.week, r.trade_return, \
                    r.holding_seconds, r.notional, \
                    ROW_NUMBER() OVER (PARTITION BY r.entry_id = $2 ORDER BY r.close_seq DESC, r.piece DESC) AS newest \
             FROM round_trips r LEFT JOIN instruments i ON i.symbol = r.symbol \
             JOIN mine m ON m.week = r.week AND m.group_key = {key} \
             WHERE r.tournament_id = $1) \
         SELECT own, close_seq, piece, symbol, week, trade_return, holding_seconds, notional, newest, \
                COUNT(*) OVER (PARTITION BY own) AS in_pool \
         FROM pool ORDER BY close_seq, piece"
    );
    let params = vec![ScalarValue::Int64(Some(at.tournament_id.0)), ScalarValue::Int64(Some(at.entry_id.0))];
    let mut points = Vec::new();
    let mut peers_total = 0;
    for b in query(ctx, &sql, params).await? {
        let (own, seq, piece, symbol, week) = (
            cells::bools(&b, "own")?,
            cells::ints(&b, "close_seq")?,
            cells::ints(&b, "piece")?,
            cells::texts(&b, "symbol")?,
            cells::dates(&b, "week")?,
        );
        let (ret, held, notional, newest, in_pool) = (
            cells::floats(&b, "trade_return")?,
            cells::ints(&b, "holding_seconds")?,
            cells::moneys(&b, "notional")?,
            cells::ints(&b, "newest")?,
            cells::ints(&b, "in_pool")?,
        );
        for i in 0..b.num_rows() {
            let is_own = own.value(i);
            if !is_own {
                peers_total = cells::int(&in_pool, i).unwrap_or_default();
                if cells::int(&newest, i).unwrap_or_default() > i64::try_from(limit).unwrap_or(i64::MAX) {
                    continue;
                }
            }
            points.push(PeerPoint {
                own: is_own,
                close_seq: cells::int(&seq, i).unwrap_or_default(),
                piece: i32::try_from(cells::int(&piece, i).unwrap_or_default()).unwrap_or_default(),
                symbol: cells::text(&symbol, i).unwrap_or_default(),
                week: cells::date(&week, i).unwrap_or_default(),
                trade_return: cells::float(&ret, i).unwrap_or_default(),
                holding_seconds: cells::int(&held, i).unwrap_or_default(),
                notional: cells::money(&notional, i).unwrap_or_default(),
            });
        }
    }
    let shown = points.iter().filter(|p| !p.own).count() as i64;
    Ok(PeerPoints { group, points, omitted: (peers_total - shown).max(0) })
}
