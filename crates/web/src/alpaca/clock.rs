//! `GET /v2/clock` and `GET /v2/calendar`: the NYSE calendar at the server's time (which is
//! simulated in demo and replay tournaments). Times are New York local with their offset, as
//! Alpaca gives them.

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::Ts;
use bullpen_market::calendar::{new_york_offset_seconds, to_new_york};
use bullpen_market::NyseCalendar;
use chrono::{Days, FixedOffset, NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};

use super::json::{parse_date, AlpacaError, AlpacaResult};
use super::AlpacaQuery;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Longest calendar range one request may ask for, in days.
pub const MAX_CALENDAR_DAYS: u64 = 3_700;

/// The clock and calendar routes.
pub fn routes() -> Routes {
    Routes::new().get("/v2/clock", Access::KeyRead, get(clock)).get("/v2/calendar", Access::KeyRead, get(calendar))
}

/// The market clock.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlpacaClock {
    /// Now, New York time.
    pub timestamp: String,
    /// Whether the market is in its regular session.
    pub is_open: bool,
    /// Next opening bell.
    pub next_open: String,
    /// Next closing bell.
    pub next_close: String,
}

/// A time in New York local time with its UTC offset (`2026-01-05T09:30:00-05:00`).
pub fn new_york_time(ts: Ts, format: SecondsFormat) -> String {
    match FixedOffset::east_opt(new_york_offset_seconds(ts)) {
        Some(offset) => ts.to_datetime().with_timezone(&offset).to_rfc3339_opts(format, true),
        None => ts.to_datetime().to_rfc3339_opts(format, true),
    }
}

/// The clock at `now`.
pub fn clock_at(now: Ts) -> AlpacaClock {
    let cal = NyseCalendar::new();
    let is_open = cal.is_open(now);
    let session = cal.current_or_next_session(now);
    let (next_open, next_close) = match session {
        Some(s) if is_open => (cal.current_or_next_session(s.close).map_or(s.open, |n| n.open), s.close),
        Some(s) => (s.open, s.close),
        None => (now, now),
    };
    AlpacaClock {
        timestamp: new_york_time(now, SecondsFormat::Micros),
        is_open,
        next_open: new_york_time(next_open, SecondsFormat::Secs),
        next_close: new_york_time(next_close, SecondsFormat::Secs),
    }
}

async fn clock(State(state): State<AppState>, caller: Caller) -> AlpacaResult<Json<AlpacaClock>> {
    caller.key()?;
    Ok(Json(clock_at(state.clock.now())))
}

/// Query of `GET /v2/calendar`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CalendarQuery {
    /// First date (default: today).
    pub start: Option<String>,
    /// Last date (default: a year after `start`).
    pub end: Option<String>,
}

/// One trading day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CalendarDay {
    /// The date.
    pub date: String,
    /// Opening time, `HH:MM` New York.
    pub open: String,
    /// Closing time, `HH:MM` New York (13:00 on early closes).
    pub close: String,
    /// Pre-market start, `HHMM`.
    pub session_open: String,
    /// After-hours end, `HHMM`.
    pub session_close: String,
    /// Settlement date of trades made that day (T+1).
    pub settlement_date: String,
}

/// The trading days from `start` to `end`, both inclusive.
pub fn calendar_days(start: NaiveDate, end: NaiveDate) -> Vec<CalendarDay> {
    let cal = NyseCalendar::new();
    cal.trading_days(start, end)
        .into_iter()
        .filter_map(|d| cal.session(d))
        .map(|s| CalendarDay {
            date: s.date.format("%Y-%m-%d").to_string(),
            open: to_new_york(s.open).format("%H:%M").to_string(),
            close: to_new_york(s.close).format("%H:%M").to_string(),
            session_open: "0400".into(),
            session_close: if s.early_close { "1700".into() } else { "2000".into() },
            settlement_date: cal.next_trading_day(s.date).format("%Y-%m-%d").to_string(),
        })
        .collect()
}

async fn calendar(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<CalendarQuery>,
) -> AlpacaResult<Json<Vec<CalendarDay>>> {
    caller.key()?;
    let today = to_new_york(state.clock.now()).date();
    let start = query.start.as_deref().map(|s| parse_date("start", s)).transpose()?.unwrap_or(today);
    let end = match query.end.as_deref() {
        Some(e) => parse_date("end", e)?,
        None => start.checked_add_days(Days::new(365)).unwrap_or(start),
    };
    if end < start {
        return Ok(Json(Vec::new()));
    }
    if start.checked_add_days(Days::new(MAX_CALENDAR_DAYS)).is_some_and(|limit| end > limit) {
        return Err(AlpacaError::validation(format!("ask for at most {MAX_CALENDAR_DAYS} days at once")));
    }
    Ok(Json(calendar_days(start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_knows_sessions() {
        // Monday 2026-01-05 09:30 New York.
        let open = clock_at(Ts(1_767_623_400_000_000));
        assert!(open.is_open);
        assert_eq!(open.next_close, "2026-01-05T16:00:00-05:00");
        assert_eq!(open.next_open, "2026-01-06T09:30:00-05:00");
        assert!(open.timestamp.starts_with("2026-01-05T09:30:00.000000-05:00"), "{}", open.timestamp);
        // Saturday.
        let weekend = clock_at(Ts(1_767_623_400_000_000 + 5 * 86_400_000_000));
        assert!(!weekend.is_open);
        assert_eq!(weekend.next_open, "2026-01-12T09:30:00-05:00");
    }

    #[test]
    fn the_calendar_skips_holidays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let days = calendar_days(d("2025-12-24"), d("2025-12-29"));
        let dates: Vec<&str> = days.iter().map(|c| c.date.as_str()).collect();
        assert_eq!(dates, ["2025-12-24", "2025-12-26", "2025-12-29"]);
        assert_eq!(days[0].close, "13:00");
        assert_eq!(days[1].open, "09:30");
    }
}
