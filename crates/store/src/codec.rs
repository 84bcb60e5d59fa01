//! Text encodings of domain values shared by both dialects (enum names, dates, JSON columns).

use bullpen_domain::{CorporateActionKind, Money, TournamentKind, TournamentState};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{StoreError, StoreResult};

/// Order statuses that are still working, as stored. Must match the `orders_open` partial index.
pub(crate) const OPEN_STATUS_SQL: &str = "('pending_new', 'accepted', 'new', 'partially_filled')";

/// Stable name of a tournament kind.
pub(crate) fn kind_str(kind: TournamentKind) -> &'static str {
    match kind {
        TournamentKind::Season => "season",
        TournamentKind::AdHoc => "ad_hoc",
        TournamentKind::Challenge => "challenge",
    }
}

/// Parses a stored tournament kind.
pub(crate) fn parse_kind(s: &str) -> StoreResult<TournamentKind> {
    Ok(match s {
        "season" => TournamentKind::Season,
        "ad_hoc" => TournamentKind::AdHoc,
        "challenge" => TournamentKind::Challenge,
        _ => return Err(corrupt("tournament kind", s)),
    })
}

/// Stable name of a tournament state.
pub(crate) fn state_str(state: TournamentState) -> &'static str {
    match state {
        TournamentState::Draft => "draft",
        TournamentState::Registration => "registration",
        TournamentState::Running => "running",
        TournamentState::Finished => "finished",
        TournamentState::Archived => "archived",
    }
}

/// Parses a stored tournament state.
pub(crate) fn parse_state(s: &str) -> StoreResult<TournamentState> {
    Ok(match s {
        "draft" => TournamentState::Draft,
        "registration" => TournamentState::Registration,
        "running" => TournamentState::Running,
        "finished" => TournamentState::Finished,
        "archived" => TournamentState::Archived,
        _ => return Err(corrupt("tournament state", s)),
    })
}

/// A corporate action kind as columns: (kind, numerator, denominator, per_share).
pub(crate) fn action_columns(kind: &CorporateActionKind) -> (&'static str, Option<i64>, Option<i64>, Option<i64>) {
    match *kind {
        CorporateActionKind::Split { numerator, denominator } => ("split", Some(numerator), Some(denominator), None),
        CorporateActionKind::Dividend { per_share } => ("dividend", None, None, Some(per_share.0)),
    }
}

/// A corporate action kind from its columns.
pub(crate) fn action_from_columns(
    kind: &str,
    numerator: Option<i64>,
    denominator: Option<i64>,
    per_share: Option<i64>,
) -> StoreResult<CorporateActionKind> {
    match (kind, numerator, denominator, per_share) {
        ("split", Some(numerator), Some(denominator), _) => Ok(CorporateActionKind::Split { numerator, denominator }),
        ("dividend", _, _, Some(per_share)) => Ok(CorporateActionKind::Dividend { per_share: Money(per_share) }),
        _ => Err(corrupt("corporate action", kind)),
    }
}

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn date_str(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Parses a stored `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt("date", s))
}

/// A value as JSON text.
pub(crate) fn to_json<T: Serialize>(what: &str, value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("cannot encode {what} as JSON: {e}")))
}

/// A value from stored JSON text.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("stored {what} is not valid: {e}")))
}

/// The error for a stored value this program cannot read.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    let shown: String = value.chars().take(64).collect();
    StoreError::Corrupt(format!("unknown {what} `{shown}` in the database"))
}

/// Converts a stored non-negative count or rank that must fit in `u32`.
pub(crate) fn to_u32(what: &str, value: i64) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("stored {what} {value} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        for k in [TournamentKind::Season, TournamentKind::AdHoc, TournamentKind::Challenge] {
            assert_eq!(parse_kind(kind_str(k)).ok(), Some(k));
        }
        for s in [
            TournamentState::Draft,
            TournamentState::Registration,
            TournamentState::Running,
            TournamentState::Finished,
            TournamentState::Archived,
        ] {
            assert_eq!(parse_state(state_str(s)).ok(), Some(s));
        }
        assert!(matches!(parse_state("paused"), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn actions_and_dates_round_trip() {
        for kind in [
            CorporateActionKind::Split { numerator: 7, denominator: 1 },
            CorporateActionKind::Dividend { per_share: Money(2_400) },
        ] {
            let (k, n, d, p) = action_columns(&kind);
            assert_eq!(action_from_columns(k, n, d, p).ok(), Some(kind));
        }
        let date = NaiveDate::from_ymd_opt(2024, 3, 7).unwrap_or_default();
        assert_eq!(date_str(date), "2024-03-07");
        assert_eq!(parse_date("2024-03-07").ok(), Some(date));
        assert!(parse_date("07/03/2024").is_err());
    }
}
