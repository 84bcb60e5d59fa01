//! Loaders shared by both reports: the tournament, the instrument master, bars and the
//! equal-weight benchmark. Every query reads the warehouse only.

use std::collections::{BTreeMap, HashMap};

use bullpen_domain::{
    equal_weight_benchmark, Instrument, InstrumentId, InstrumentStatus, Money, Price, Symbol, TournamentRules,
};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use chrono::NaiveDate;

use super::model::TournamentInfo;
use super::table::{date_param, id_param, query, required};
use crate::error::AnalyticsError;

/// Days of bars read before the window, to mark positions held into it.
pub(crate) const MARK_LOOKBACK_DAYS: u64 = 31;

/// A tournament as the reports need it.
#[derive(Debug, Clone)]
pub(crate) struct TournamentRow {
    pub info: TournamentInfo,
    /// `None` when the rules do not parse (every instrument is then in the universe).
    pub rules: Option<TournamentRules>,
}

/// The tournament, or a clear error when the warehouse does not have it.
pub(crate) async fn tournament(ctx: &SessionContext, tournament_id: i64) -> Result<TournamentRow, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT name, starts_on, ends_on, starting_cash, rules_json FROM tournaments WHERE tournament_id = $1",
        vec![id_param(tournament_id)],
    )
    .await?;
    if rows.len() == 0 {
        return Err(AnalyticsError::NotFound(format!(
            "tournament {tournament_id} is not in the warehouse (is it empty? run `bullpen etl` first)"
        )));
    }
    let name = required(rows.strings("name")?.swap_remove(0), "name")?;
    let starts_on = required(rows.dates("starts_on")?.swap_remove(0), "starts_on")?;
    let ends_on = required(rows.dates("ends_on")?.swap_remove(0), "ends_on")?;
    let starting_cash = required(rows.money("starting_cash")?.swap_remove(0), "starting_cash")?;
    let rules = rows.strings("rules_json")?.swap_remove(0).and_then(|json| serde_json::from_str(&json).ok());
    Ok(TournamentRow { info: TournamentInfo { tournament_id, name, starts_on, ends_on, starting_cash }, rules })
}

/// The instrument master: symbol → (sector, in the tournament's universe).
pub(crate) async fn instruments(
    ctx: &SessionContext,
    rules: Option<&TournamentRules>,
) -> Result<HashMap<String, (String, bool)>, AnalyticsError> {
    let rows = query(ctx, "SELECT instrument_id, symbol, name, sector, status FROM instruments", vec![]).await?;
    let (ids, symbols, names, sectors, statuses) = (
        rows.i64s("instrument_id")?,
        rows.strings("symbol")?,
        rows.strings("name")?,
        rows.strings("sector")?,
        rows.strings("status")?,
    );
    let mut out = HashMap::with_capacity(symbols.len());
    for i in 0..symbols.len() {
        let (Some(text), Some(sector)) = (&symbols[i], &sectors[i]) else { continue };
        let status = statuses[i].as_deref().and_then(InstrumentStatus::parse).unwrap_or(InstrumentStatus::Active);
        let in_universe = match (rules, Symbol::parse(text)) {
            (Some(rules), Ok(symbol)) => rules.in_universe(&Instrument {
                id: InstrumentId(ids[i].unwrap_or_default()),
                symbol,
                name: names[i].clone().unwrap_or_default(),
                sector: sector.clone(),
                status,
            }),
            _ => true,
        };
        out.insert(text.clone(), (sector.clone(), in_universe));
    }
    Ok(out)
}

/// Daily closes by day then symbol, from `first` to `last`.
pub(crate) type Closes = BTreeMap<NaiveDate, HashMap<String, Money>>;

/// Closes between two days (inclusive).
pub(crate) async fn closes(ctx: &SessionContext, first: NaiveDate, last: NaiveDate) -> Result<Closes, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT date, symbol, close FROM bars WHERE date >= $1 AND date <= $2",
        vec![date_param(first), date_param(last)],
    )
    .await?;
    let (dates, symbols, close) = (rows.dates("date")?, rows.strings("symbol")?, rows.money("close")?);
    let mut out = Closes::new();
    for ((date, symbol), close) in dates.into_iter().zip(symbols).zip(close) {
        if let (Some(date), Some(symbol), Some(close)) = (date, symbol, close) {
            out.entry(date).or_default().insert(symbol, close);
        }
    }
    Ok(out)
}

/// The last close of `symbol` on or before `day`.
pub(crate) fn close_on(closes: &Closes, symbol: &str, day: NaiveDate) -> Option<Money> {
    closes.range(..=day).rev().find_map(|(_, by_symbol)| by_symbol.get(symbol).copied())
}

/// The equal-weight buy-and-hold benchmark ([`equal_weight_benchmark`], the portfolio page's and
/// the dashboard's) of the universe's instruments, bought with `cash` at the first close in the
/// window. Empty without bars.
pub(crate) fn benchmark(
    closes: &Closes,
    universe: &dyn Fn(&str) -> bool,
    from: NaiveDate,
    to: NaiveDate,
    cash: Money,
) -> Vec<(NaiveDate, Money)> {
    let days = closes.range(from..=to).map(|(date, by_symbol)| {
        (*date, by_symbol.iter().filter(|(s, _)| universe(s)).map(|(s, close)| (s.as_str(), Price(close.0))))
    });
    equal_weight_benchmark(days, cash)
}

/// `end / start − 1`, 0 when `start` is not positive.
pub(crate) fn ratio_return(start: Money, end: Money) -> f64 {
    if start.0 > 0 {
        (end.0 - start.0) as f64 / start.0 as f64
    } else {
        0.0
    }
}
