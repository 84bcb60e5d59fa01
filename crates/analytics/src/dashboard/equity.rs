//! The equity curve of one entry against the tournament's median and top decile (from the
//! warehouse's end-of-day snapshots) and an equal-weight buy-and-hold of the tournament's
//! universe (from the warehouse's daily bars), all exact in fixed point.

use std::collections::{BTreeMap, HashMap};

use bullpen_domain::{
    benchmark_on, equal_weight_benchmark, Instrument, InstrumentId, InstrumentStatus, Money, Price, Symbol,
    TournamentRules,
};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::queries::run_report;
use bullpen_warehouse::{Report, ReportParams, WarehouseResult};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::cells::{self, date_param, query};
use super::EntryRef;

/// One trading day of the curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquityPoint {
    /// Trading day (`YYYY-MM-DD`).
    #[schema(value_type = String)]
    pub date: NaiveDate,
    /// The entry's closing equity (decimal string).
    #[schema(value_type = String)]
    pub equity: Money,
    /// The median closing equity of the tournament's entries (decimal string).
    #[schema(value_type = String)]
    pub median: Money,
    /// The top decile's threshold: the 90th percentile by nearest rank (decimal string).
    #[schema(value_type = String)]
    pub top_decile: Money,
    /// The equal-weight buy-and-hold benchmark's value, scaled to the starting cash (decimal
    /// string; null without bars that day or before).
    #[schema(value_type = Option<String>)]
    pub benchmark: Option<Money>,
    /// Entries with a snapshot that day.
    pub entries: i64,
}

/// The curve and what it is measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquityCurve {
    /// The tournament's starting cash (decimal string).
    #[schema(value_type = String)]
    pub starting_cash: Money,
    /// One point per day the entry has a snapshot.
    pub points: Vec<EquityPoint>,
    /// How many instruments the benchmark holds (0: no bars, no benchmark).
    pub benchmark_instruments: usize,
}

/// The tournament's starting cash, first and last days and rules, from the warehouse.
async fn tournament(
    ctx: &SessionContext,
    at: EntryRef,
) -> WarehouseResult<Option<(Money, NaiveDate, NaiveDate, TournamentRules)>> {
    let sql = "SELECT starting_cash, starts_on, ends_on, rules_json FROM tournaments WHERE tournament_id = $1";
    for b in query(ctx, sql, vec![ScalarValue::Int64(Some(at.tournament_id.0))]).await? {
        let (cash, starts, ends, rules) = (
            cells::moneys(&b, "starting_cash")?,
            cells::dates(&b, "starts_on")?,
            cells::dates(&b, "ends_on")?,
            cells::texts(&b, "rules_json")?,
        );
        if b.num_rows() > 0 {
            let rules: TournamentRules =
                cells::text(&rules, 0).and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default();
            return Ok(Some((
                cells::money(&cash, 0).unwrap_or_default(),
                cells::date(&starts, 0).unwrap_or_default(),
                cells::date(&ends, 0).unwrap_or_default(),
                rules,
            )));
        }
    }
    Ok(None)
}

/// The symbols of the tournament's universe, from the warehouse's instrument master.
async fn universe(ctx: &SessionContext, rules: &TournamentRules) -> WarehouseResult<Vec<Symbol>> {
    let mut out = Vec::new();
    for b in query(ctx, "SELECT symbol, sector FROM instruments ORDER BY symbol", Vec::new()).await? {
        let (symbol, sector) = (cells::texts(&b, "symbol")?, cells::texts(&b, "sector")?);
        for i in 0..b.num_rows() {
            let Some(symbol) = cells::text(&symbol, i).and_then(|s| Symbol::parse(&s).ok()) else { continue };
            let instrument = Instrument {
                id: InstrumentId(0),
                symbol,
                name: String::new(),
                sector: cells::text(&sector, i).unwrap_or_default(),
                status: InstrumentStatus::Active,
            };
            if rules.in_universe(&instrument) {
                out.push(instrument.symbol);
            }
        }
    }
    Ok(out)
}

/// Closing prices of some symbols between two days, by day.
async fn closes(
    ctx: &SessionContext,
    symbols: &[Symbol],
    from: NaiveDate,
    to: NaiveDate,
) -> WarehouseResult<BTreeMap<NaiveDate, HashMap<Symbol, Price>>> {
    let mut by_date: BTreeMap<NaiveDate, HashMap<Symbol, Price>> = BTreeMap::new();
    let sql = "SELECT date, symbol, close FROM bars WHERE date >= $1 AND date <= $2";
    for b in query(ctx, sql, vec![date_param(from), date_param(to)]).await? {
        let (date, symbol, close) =
            (cells::dates(&b, "date")?, cells::texts(&b, "symbol")?, cells::moneys(&b, "close")?);
        for i in 0..b.num_rows() {
            let (Some(d), Some(s), Some(c)) = (cells::date(&date, i), cells::text(&symbol, i), cells::money(&close, i))
            else {
                continue;
            };
            let Ok(s) = Symbol::parse(&s) else { continue };
            if c.0 > 0 && symbols.contains(&s) {
                by_date.entry(d).or_default().insert(s, Price(c.0));
            }
        }
    }
    Ok(by_date)
}

/// The entry's equity curve with the tournament's median, top decile and the benchmark.
/// Empty points when the tournament or the entry has no snapshot in the warehouse yet.
pub async fn equity_curve(ctx: &SessionContext, at: EntryRef) -> WarehouseResult<EquityCurve> {
    let Some((starting_cash, starts_on, ends_on, rules)) = tournament(ctx, at).await? else {
        return Ok(EquityCurve { starting_cash: Money::ZERO, points: Vec::new(), benchmark_instruments: 0 });
    };
    let params = ReportParams { tournament_id: at.tournament_id.0, entry_id: at.entry_id.0 };
    let result = run_report(ctx, Report::EquityCurve, params).await?;
    let mut points = Vec::new();
    for b in &result.batches {
        let (date, entries, equity, low, high, decile) = (
            cells::dates(b, "date")?,
            cells::ints(b, "entries")?,
            cells::moneys(b, "equity")?,
            cells::moneys(b, "middle_low")?,
            cells::moneys(b, "middle_high")?,
            cells::moneys(b, "top_decile")?,
        );
        for i in 0..b.num_rows() {
            let (Some(d), Some(e)) = (cells::date(&date, i), cells::money(&equity, i)) else { continue };
            let (lo, hi) = (cells::money(&low, i).unwrap_or(e), cells::money(&high, i).unwrap_or(e));
            points.push(EquityPoint {
                date: d,
                equity: e,
                median: Money((lo.0 + hi.0) / 2),
                top_decile: cells::money(&decile, i).unwrap_or(e),
                benchmark: None,
                entries: cells::int(&entries, i).unwrap_or_default(),
            });
        }
    }
    let mut benchmark_instruments = 0;
    if let Some(last) = points.last().map(|p| p.date) {
        let symbols = universe(ctx, &rules).await?;
        if !symbols.is_empty() && last >= starts_on {
            let by_date = closes(ctx, &symbols, starts_on, last.min(ends_on)).await?;
            benchmark_instruments = by_date.values().next().map_or(0, HashMap::len);
            let days = by_date.iter().map(|(date, day)| (*date, day.iter().map(|(s, p)| (s, *p))));
            let values = equal_weight_benchmark(days, starting_cash);
            for p in &mut points {
                p.benchmark = benchmark_on(&values, p.date);
            }
        }
    }
    Ok(EquityCurve { starting_cash, points, benchmark_instruments })
}
