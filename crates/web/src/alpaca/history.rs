//! `GET /v2/account/portfolio/history`: the entry's equity at each close (the engine's daily
//! snapshots) plus its current equity, with profit and loss against the equity before the
//! window (or the starting cash). Resolution is daily: finer timeframes are answered with
//! daily points and `timeframe: "1D"`.

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::{Money, Ts};
use bullpen_market::calendar::to_new_york;
use bullpen_market::NyseCalendar;
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::json::{money_number, parse_bool, parse_date, parse_time, AlpacaError, AlpacaResult};
use super::{AlpacaQuery, KeyContext};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The portfolio history route.
pub fn routes() -> Routes {
    Routes::new().get("/v2/account/portfolio/history", Access::KeyRead, get(history))
}

/// Query of the portfolio history.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryQuery {
    /// `<number><D|W|M|A>` (default `1M`).
    pub period: Option<String>,
    /// `1Min`, `5Min`, `15Min`, `1H` or `1D` (answered daily).
    pub timeframe: Option<String>,
    /// Last date of the window (default today).
    pub date_end: Option<String>,
    /// Accepted (no extended hours are simulated).
    pub extended_hours: Option<String>,
    /// Start of the window (overrides `period`).
    pub start: Option<String>,
    /// End of the window (overrides `date_end`).
    pub end: Option<String>,
    /// Accepted and ignored.
    pub intraday_reporting: Option<String>,
    /// Accepted and ignored.
    pub pnl_reset: Option<String>,
    /// Accepted and ignored.
    pub cashflow_types: Option<String>,
}

/// The portfolio history, in Alpaca's shape (numbers, not strings).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PortfolioHistory {
    /// Unix seconds of each point (the session's opening bell for daily points).
    pub timestamp: Vec<i64>,
    /// Equity at each point.
    pub equity: Vec<f64>,
    /// Equity minus `base_value`.
    pub profit_loss: Vec<f64>,
    /// `profit_loss / base_value`.
    pub profit_loss_pct: Vec<f64>,
    /// Equity before the window (starting cash when the window starts at the join).
    pub base_value: f64,
    /// Date of `base_value`.
    pub base_value_asof: Option<String>,
    /// Resolution: `1D`.
    pub timeframe: &'static str,
    /// Cash flows by activity type (none are reported).
    pub cashflow: serde_json::Map<String, serde_json::Value>,
}

/// Subtracts a period such as `1M`, `2W`, `10D` or `1A` from a date.
pub fn period_start(end: NaiveDate, period: &str) -> AlpacaResult<NaiveDate> {
    let bad = || AlpacaError::validation(format!("invalid period `{period}` (e.g. 7D, 2W, 1M, 1A)"));
    let unit = period.chars().last().ok_or_else(bad)?;
    let n: u32 = period[..period.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    if n == 0 || n > 10_000 {
        return Err(bad());
    }
    let start = match unit.to_ascii_uppercase() {
        'D' => end.checked_sub_days(Days::new(u64::from(n))),
        'W' => end.checked_sub_days(Days::new(7 * u64::from(n))),
        'M' => end.checked_sub_months(Months::new(n)),
        'A' | 'Y' => end.checked_sub_months(Months::new(12 * n)),
        _ => return Err(bad()),
    };
    start.ok_or_else(bad)
}

/// One point: date and equity.
pub type Point = (NaiveDate, Money);

/// Builds the history from daily closes (`closes`, ascending) over `[start, end]`, the current
/// equity `now_equity` (shown for `today` when it has no close yet) and the fallback base value.
pub fn build(
    closes: &[Point],
    start: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
    now: Ts,
    now_equity: Money,
    deposits: Money,
) -> PortfolioHistory {
    let cal = NyseCalendar::new();
    let mut points: Vec<(i64, Money)> = Vec::new();
    for (date, equity) in closes.iter().filter(|(d, _)| *d >= start && *d <= end) {
        points.push((cal.regular_hours(*date).open.0 / 1_000_000, *equity));
    }
    let has_today = closes.iter().any(|(d, _)| *d == today);
    if !has_today && today >= start && today <= end {
        let ts = if cal.is_trading_day(today) { cal.regular_hours(today).open } else { now };
        points.push((ts.0 / 1_000_000, now_equity));
    }
    let base = closes.iter().rfind(|(d, _)| *d < start);
    let base_value = base.map_or(deposits, |(_, e)| *e);
    let pct = |m: Money| if base_value.0 == 0 { 0.0 } else { m.0 as f64 / base_value.0 as f64 };
    PortfolioHistory {
        timestamp: points.iter().map(|(t, _)| *t).collect(),
        equity: points.iter().map(|(_, e)| money_number(*e)).collect(),
        profit_loss: points.iter().map(|(_, e)| money_number(*e - base_value)).collect(),
        profit_loss_pct: points.iter().map(|(_, e)| pct(*e - base_value)).collect(),
        base_value: money_number(base_value),
        base_value_asof: base.map(|(d, _)| d.format("%Y-%m-%d").to_string()),
        timeframe: "1D",
        cashflow: serde_json::Map::new(),
    }
}

async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<HistoryQuery>,
) -> AlpacaResult<Json<PortfolioHistory>> {
    match query.timeframe.as_deref() {
        None | Some("" | "1Min" | "5Min" | "15Min" | "1H" | "1D") => {}
        Some(other) => {
            return Err(AlpacaError::validation(format!("invalid timeframe `{other}` (1Min, 5Min, 15Min, 1H, 1D)")))
        }
    }
    if let Some(e) = &query.extended_hours {
        parse_bool("extended_hours", e)?;
    }
    let now = state.clock.now();
    let today = to_new_york(now).date();
    let end = match (&query.end, &query.date_end) {
        (Some(e), _) => to_new_york(parse_time("end", e)?).date(),
        (None, Some(d)) => parse_date("date_end", d)?,
        (None, None) => today,
    };
    let start = match &query.start {
        Some(s) => to_new_york(parse_time("start", s)?).date(),
        None => period_start(end, query.period.as_deref().unwrap_or("1M"))?,
    };
    let ctx = KeyContext::of(&state, &caller).await?;
    let account = ctx.handle.account(ctx.key.entry_id).await?;
    let mut closes: Vec<Point> = state
        .store
        .equity_snapshots(ctx.key.tournament_id)
        .await?
        .into_iter()
        .filter(|s| s.entry_id == ctx.key.entry_id)
        .map(|s| (s.date, s.equity))
        .collect();
    closes.sort_by_key(|(d, _)| *d);
    Ok(Json(build(&closes, start, end, today, now, account.equity, account.portfolio.deposits)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods() {
        assert_eq!(period_start(d("2026-03-31"), "1M").unwrap(), d("2026-02-28"));
        assert_eq!(period_start(d("2026-03-31"), "2W").unwrap(), d("2026-03-17"));
        assert_eq!(period_start(d("2026-03-31"), "1A").unwrap(), d("2025-03-31"));
        assert!(period_start(d("2026-03-31"), "1X").is_err());
        assert!(period_start(d("2026-03-31"), "M").is_err());
    }

    #[test]
    fn history_adds_today_and_measures_from_the_base() {
        let closes =
            vec![(d("2026-01-05"), Money::from_dollars(101_000)), (d("2026-01-06"), Money::from_dollars(99_000))];
        let now = Ts(1_767_796_200_000_000); // 2026-01-07 09:30 New York
        let h = build(
            &closes,
            d("2026-01-06"),
            d("2026-01-07"),
            d("2026-01-07"),
            now,
            Money::from_dollars(102_000),
            Money::from_dollars(100_000),
        );
        assert_eq!(h.equity, vec![99_000.0, 102_000.0]);
        assert_eq!(h.base_value, 101_000.0);
        assert_eq!(h.profit_loss, vec![-2_000.0, 1_000.0]);
        assert_eq!(h.timestamp[1], now.0 / 1_000_000);
        let h = build(
            &[],
            d("2026-01-01"),
            d("2026-01-07"),
            d("2026-01-07"),
            now,
            Money::from_dollars(100_500),
            Money::from_dollars(100_000),
        );
        assert_eq!(h.profit_loss, vec![500.0]);
        assert!((h.profit_loss_pct[0] - 0.005).abs() < 1e-12);
    }
}
