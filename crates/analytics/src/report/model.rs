//! The report's content: plain data, serialised as the JSON report (snake_case). Amounts are
//! exact [`Money`] (decimal strings in JSON); returns and ratios are `f64` fractions
//! (0.05 = +5 %).

use bullpen_domain::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The tournament a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TournamentInfo {
    /// Tournament id.
    pub tournament_id: i64,
    /// Name.
    pub name: String,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Cash every entry starts with.
    pub starting_cash: Money,
}

/// The window a report covers: the requested days and the snapshot days that bound it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// First requested day.
    pub from: NaiveDate,
    /// Last requested day.
    pub to: NaiveDate,
    /// The close the window starts from: the last snapshot day before `from`; `None` when the
    /// window starts with the tournament (the start equity is then the starting cash).
    pub start_close: Option<NaiveDate>,
    /// The last snapshot day in the window (`None`: no snapshot in it).
    pub end_close: Option<NaiveDate>,
}

/// Headline figures of one entry over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Equity at the start of the window (see [`Period::start_close`]).
    pub start_equity: Money,
    /// Equity at the last close of the window.
    pub end_equity: Money,
    /// `end_equity − start_equity`.
    pub change: Money,
    /// `change / start_equity`.
    pub total_return: f64,
    /// The benchmark's return over the same closes: an equal-weight buy-and-hold of the
    /// tournament's universe (see [`CurvePoint::benchmark`]); `None` without bars.
    pub benchmark_return: Option<f64>,
    /// `total_return − benchmark_return`.
    pub excess_return: Option<f64>,
    /// Rank by return over the window among the tournament's entries (1 = best).
    pub rank: Option<i64>,
    /// Entries ranked.
    pub entries: i64,
    /// Share of the other entries with a lower return (1.0 = first).
    pub percentile: Option<f64>,
    /// Fills in the window.
    pub fills: i64,
    /// Round trips closed in the window.
    pub round_trips: i64,
    /// Of which with a positive realized P&L.
    pub winning_trips: i64,
}

/// Risk over the window's daily closes (the engine's definitions; see `entry_risk.sql`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    /// Daily returns measured.
    pub days: i64,
    /// Mean daily return.
    pub mean_daily_return: f64,
    /// Annualised volatility.
    pub volatility: f64,
    /// Annualised Sharpe ratio (no risk-free rate).
    pub sharpe: f64,
    /// Annualised Sortino ratio.
    pub sortino: f64,
    /// Largest fall from a peak, as a fraction of the peak.
    pub max_drawdown: f64,
}

/// One close of the equity curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Trading day.
    pub date: NaiveDate,
    /// The entry's equity at the close.
    pub equity: Money,
    /// The benchmark at the close: the start equity invested in equal parts in every instrument
    /// of the universe with a close on the window's first trading day, held (the portfolio
    /// page's benchmark, started at the window instead of the tournament).
    pub benchmark: Option<Money>,
}

/// One fill of the trade blotter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// Ledger sequence number.
    pub seq: i64,
    /// When it filled.
    pub ts: DateTime<Utc>,
    /// Order id.
    pub order_id: Option<i64>,
    /// Ticker.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: String,
    /// Shares.
    pub qty: i64,
    /// Price per share.
    pub price: Money,
    /// `qty × price`.
    pub notional: Money,
    /// Commission.
    pub fee: Money,
    /// Cash change, fee included.
    pub cash_delta: Money,
    /// Signed shares held after the fill.
    pub position_after: i64,
}

/// Results of one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolPnl {
    /// Ticker.
    pub symbol: String,
    /// Sector (`Unknown` when the instrument master lacks it).
    pub sector: String,
    /// Fills in the window.
    pub fills: i64,
    /// Traded value in the window.
    pub traded_notional: Money,
    /// Commissions in the window.
    pub fees: Money,
    /// Round trips closed in the window.
    pub round_trips: i64,
    /// Realized P&L of those round trips, net of their fees.
    pub realized_pnl: Money,
    /// Shares held at the end of the window.
    pub open_qty: i64,
    /// The last close on or before the window's end (`None`: no bar; then the last fill price).
    pub last_close: Option<Money>,
    /// `open_qty × mark`.
    pub market_value: Money,
    /// Unrealized P&L of the open position at the end of the window: market value plus every
    /// trade's cash flow in the symbol since the tournament began, less the realized P&L of
    /// every closed round trip (so opening fees of open lots count here).
    pub unrealized_pnl: Money,
    /// Dividends received in the window.
    pub dividends: Money,
}

/// Results of one sector (the sum of its symbols).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorPnl {
    /// Sector.
    pub sector: String,
    /// Symbols traded or held.
    pub symbols: i64,
    /// Traded value in the window.
    pub traded_notional: Money,
    /// Commissions in the window.
    pub fees: Money,
    /// Realized P&L in the window.
    pub realized_pnl: Money,
    /// Unrealized P&L at the end.
    pub unrealized_pnl: Money,
    /// Market value at the end.
    pub market_value: Money,
    /// Dividends in the window.
    pub dividends: Money,
}

/// Where the change in equity over the window came from. `start_equity + realized_pnl +
/// unrealized_change + dividends + interest + deposits + other = end_equity`, exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Equity at the start.
    pub start_equity: Money,
    /// Round trips closed in the window, net of their fees.
    pub realized_pnl: Money,
    /// Change in the unrealized P&L of open positions (marked at bar closes).
    pub unrealized_change: Money,
    /// Dividends.
    pub dividends: Money,
    /// Interest on cash less short-borrow fees.
    pub interest: Money,
    /// Deposits.
    pub deposits: Money,
    /// Commissions paid in the window (already inside realized and unrealized P&L; shown for
    /// information, not added again).
    pub fees: Money,
    /// What the rest leaves: the engine's marks differing from bar closes (0 when they agree).
    pub other: Money,
    /// Equity at the end.
    pub end_equity: Money,
}

/// A flagged trade (from the anomaly scoring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// When the trade happened.
    pub ts: Option<DateTime<Utc>>,
    /// Ticker.
    pub symbol: String,
    /// Anomaly score (higher = more unusual).
    pub score: f64,
    /// Why, in words: the features that contributed most.
    pub reasons: String,
}

/// The report of one entry over a window of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryReport {
    /// The tournament.
    pub tournament: TournamentInfo,
    /// Entry id.
    pub entry_id: i64,
    /// The trader's pseudonym in the warehouse.
    pub trader_id: String,
    /// The window.
    pub period: Period,
    /// Headline figures.
    pub summary: Summary,
    /// Risk.
    pub risk: Risk,
    /// Equity at each close of the window, with the benchmark.
    pub equity_curve: Vec<CurvePoint>,
    /// Fills in the window, oldest first.
    pub fills: Vec<Fill>,
    /// Results by symbol.
    pub pnl_by_symbol: Vec<SymbolPnl>,
    /// Results by sector.
    pub pnl_by_sector: Vec<SectorPnl>,
    /// Where the equity change came from.
    pub breakdown: Breakdown,
    /// Flagged trades in the window.
    pub anomalies: Vec<Anomaly>,
    /// Remarks on the data (missing bars, anomaly scoring unavailable, …).
    pub notes: Vec<String>,
}

/// One entry of the tournament standings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// Rank by return (1 = best; ties share a rank).
    pub rank: i64,
    /// Entry id.
    pub entry_id: i64,
    /// Equity at the start of the window.
    pub start_equity: Money,
    /// Equity at the end.
    pub end_equity: Money,
    /// Return over the window.
    pub period_return: f64,
    /// Share of the other entries with a lower return.
    pub percentile: f64,
    /// Risk over the window (`None`: no snapshot in it).
    pub risk: Option<Risk>,
}

/// One bucket of the distribution of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnBucket {
    /// Lower bound (inclusive).
    pub from_return: f64,
    /// Upper bound (exclusive; the last bucket includes it).
    pub to_return: f64,
    /// Entries in it.
    pub entries: i64,
}

/// Summary statistics of the entries' returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnDistribution {
    /// Entries.
    pub entries: i64,
    /// Mean return.
    pub mean: f64,
    /// 10th, 25th, 50th, 75th, 90th percentiles (linear interpolation).
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Lowest.
    pub min: f64,
    /// Highest.
    pub max: f64,
    /// Twenty equal-width buckets between the lowest and the highest.
    pub buckets: Vec<ReturnBucket>,
}

/// One of the most traded symbols.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradedSymbol {
    /// Ticker.
    pub symbol: String,
    /// Sector.
    pub sector: String,
    /// Fills.
    pub fills: i64,
    /// Distinct entries that traded it.
    pub traders: i64,
    /// Shares.
    pub shares: i64,
    /// Traded value.
    pub traded_notional: Money,
    /// Commissions.
    pub fees: Money,
}

/// The report of a whole tournament, for coaches and admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TournamentReport {
    /// The tournament.
    pub tournament: TournamentInfo,
    /// The window.
    pub period: Period,
    /// The benchmark's return over the window (`None` without bars).
    pub benchmark_return: Option<f64>,
    /// Every entry, best first, with its risk.
    pub standings: Vec<Standing>,
    /// The distribution of returns.
    pub distribution: Option<ReturnDistribution>,
    /// The twenty most traded symbols by traded value.
    pub most_traded: Vec<TradedSymbol>,
    /// Flagged trades in the window, all entries (`None`: scoring unavailable).
    pub anomalies: Option<i64>,
    /// Remarks on the data.
    pub notes: Vec<String>,
}

/// Either report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Report {
    /// One entry.
    Entry(Box<EntryReport>),
    /// A whole tournament.
    Tournament(Box<TournamentReport>),
}
