//! The report queries. Each lives in `queries/<name>.sql` beside this crate, takes `$1` (the
//! tournament id) and `$2` (the entry id) as typed parameters — never spliced into the text —
//! and is tested on fixed inputs with expected outputs (`tests/queries.rs`).

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;

use crate::error::{WarehouseError, WarehouseResult};

/// A report query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Report {
    /// Start and end equity, return, rank and percentile, activity.
    TraderSummary,
    /// Volatility, Sharpe, Sortino, maximum drawdown.
    TraderRisk,
    /// Fills, fees, realized P&L and open position by symbol.
    PnlBySymbol,
    /// Each round trip against its symbol-and-week peers.
    PeerRoundTrips,
    /// Each round trip against its week's peers in three groups: symbol, sector, tournament.
    PeerRoundTripGroups,
    /// Closing equity each day beside the tournament's median and top decile.
    EquityCurve,
    /// One entry's risk over a window of days (`$3`, `$4`: first and last day).
    EntryRisk,
    /// Every entry's risk over a window of days (`$1` tournament, `$2`, `$3`: first and last day).
    TournamentRisk,
    /// Every entry's return, rank and percentile between two closes (`$1` tournament, `$2` start
    /// day, `$3` end day).
    Standings,
    /// The most traded symbols over a window of days (`$1` tournament, `$2`, `$3`: first and last day).
    MostTraded,
}

impl Report {
    /// Every report.
    pub const ALL: [Report; 6] = [
        Report::TraderSummary,
        Report::TraderRisk,
        Report::PnlBySymbol,
        Report::PeerRoundTrips,
        Report::PeerRoundTripGroups,
        Report::EquityCurve,
    ];

    /// The report queries over a window of days: their parameters are in each file's header
    /// and they run with [`run_query`] (not by `bullpen sql --report`).
    pub const WINDOWED: [Report; 4] =
        [Report::EntryRisk, Report::TournamentRisk, Report::Standings, Report::MostTraded];

    /// The season report of one trader: summary, risk and P&L by symbol.
    pub const SEASON: [Report; 3] = [Report::TraderSummary, Report::TraderRisk, Report::PnlBySymbol];

    /// The query's name (its file name without `.sql`).
    pub fn name(self) -> &'static str {
        match self {
            Report::TraderSummary => "trader_summary",
            Report::TraderRisk => "trader_risk",
            Report::PnlBySymbol => "pnl_by_symbol",
            Report::PeerRoundTrips => "peer_round_trips",
            Report::PeerRoundTripGroups => "peer_round_trip_groups",
            Report::EquityCurve => "equity_curve",
            Report::EntryRisk => "entry_risk",
            Report::TournamentRisk => "tournament_risk",
            Report::Standings => "standings",
            Report::MostTraded => "most_traded",
        }
    }

    /// The report named `name`.
    pub fn parse(name: &str) -> WarehouseResult<Report> {
        Report::ALL.into_iter().find(|r| r.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Report::ALL.iter().map(|r| r.name()).collect();
            WarehouseError::Invalid(format!("unknown report `{name}`: one of {}", names.join(", ")))
        })
    }

    /// The SQL text.
    pub fn sql(self) -> &'static str {
        match self {
            Report::TraderSummary => include_str!("../queries/trader_summary.sql"),
            Report::TraderRisk => include_str!("../queries/trader_risk.sql"),
            Report::PnlBySymbol => include_str!("../queries/pnl_by_symbol.sql"),
            Report::PeerRoundTrips => include_str!("../queries/peer_round_trips.sql"),
            Report::PeerRoundTripGroups => include_str!("../queries/peer_round_trip_groups.sql"),
            Report::EquityCurve => include_str!("../queries/equity_curve.sql"),
            Report::EntryRisk => include_str!("../queries/entry_risk.sql"),
            Report::TournamentRisk => include_str!("../queries/tournament_risk.sql"),
            Report::Standings => include_str!("../queries/standings.sql"),
            Report::MostTraded => include_str!("../queries/most_traded.sql"),
        }
    }
}

/// The parameters of every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportParams {
    /// `$1`: the tournament.
    pub tournament_id: i64,
    /// `$2`: the entry.
    pub entry_id: i64,
}

/// A report's result.
#[derive(Debug, Clone)]
pub struct ReportResult {
    /// Column names and types (also when there are no rows).
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

impl ReportResult {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Runs `report` for `params` in a warehouse session.
pub async fn run_report(ctx: &SessionContext, report: Report, params: ReportParams) -> WarehouseResult<ReportResult> {
    let df = ctx.sql(report.sql()).await?.with_param_values(vec![
        ScalarValue::Int64(Some(params.tournament_id)),
        ScalarValue::Int64(Some(params.entry_id)),
    ])?;
    let schema = df.schema().inner().clone();
    let batches = df.collect().await?;
    Ok(ReportResult { schema, batches })
}

/// Runs `report` with positional parameters (`$1`, `$2`, …, as its file's header lists them).
pub async fn run_query(
    ctx: &SessionContext,
    report: Report,
    params: Vec<ScalarValue>,
) -> WarehouseResult<ReportResult> {
    let df = ctx.sql(report.sql()).await?.with_param_values(params)?;
    let schema = df.schema().inner().clone();
    let batches = df.collect().await?;
    Ok(ReportResult { schema, batches })
}

/// Runs any SQL statement and returns its result.
pub async fn run_sql(ctx: &SessionContext, sql: &str) -> WarehouseResult<ReportResult> {
    let df = ctx.sql(sql).await?;
    let schema = df.schema().inner().clone();
    let batches = df.collect().await?;
    Ok(ReportResult { schema, batches })
}
