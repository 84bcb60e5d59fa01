//! Pieces every resource of the JSON API shares: pagination and cursors, strict decimal inputs,
//! timestamps, path parameters, tournament visibility and the mapping of administrative errors.

use axum::http::StatusCode;
use bullpen_domain::{Money, Price, Tournament, TournamentId, TournamentState, Ts};
use bullpen_engine::admin::AdminError;
use bullpen_engine::{LoadError, TournamentHandle};
use bullpen_store::Role;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};
use crate::identity::{Caller, Principal};
use crate::state::AppState;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest accepted `limit`.
pub const MAX_LIMIT: usize = 1000;
/// Longest numeric cursor, in digits.
const MAX_CURSOR_DIGITS: usize = 18;
/// Largest whole part of a decimal input, in digits.
const MAX_INTEGER_DIGITS: usize = 12;

/// Declares a page of a list endpoint: `{"items": [...], "next": cursor|null}`.
macro_rules! page {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items of this page.
            pub items: Vec<$item>,
            /// Cursor of the next page (pass it as `after`); null on the last page.
            pub next: Option<String>,
        }
    };
}
pub(crate) use page;

/// `limit` and `after` of a list keyed by a number (id, rank or sequence number).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Most items to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Cursor: the `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub after: Option<String>,
}

/// `limit` and `after` of a list keyed by symbol.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SymbolPageQuery {
    /// Most items to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Cursor: the `next` value of the previous page (a symbol).
    #[param(pattern = "^[A-Z][A-Z0-9.-]{0,11}$")]
    pub after: Option<String>,
}

/// The `{tournament_id}` path parameter.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TournamentPath {
    /// Tournament id.
    pub tournament_id: i64,
}

/// The page size asked for: the default when absent, 422 outside `1..=1000`.
pub fn page_limit(limit: Option<u32>) -> ApiResult<usize> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if n >= 1 && n as usize <= MAX_LIMIT => Ok(n as usize),
        Some(n) => Err(ApiError::invalid(format!("limit must be between 1 and {MAX_LIMIT}, got {n}"))),
    }
}

/// A numeric cursor (`after`): up to 18 digits, else 400 `invalid_cursor`.
pub fn number_cursor(after: Option<&str>) -> ApiResult<Option<i64>> {
    let Some(text) = after else { return Ok(None) };
    let digits_only = !text.is_empty() && text.len() <= MAX_CURSOR_DIGITS && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<i64>() {
        Ok(n) if digits_only => Ok(Some(n)),
        _ => Err(invalid_cursor()),
    }
}

/// A symbol cursor (`after`): a symbol exactly as the API writes it, else 400 `invalid_cursor`.
pub fn symbol_cursor(after: Option<&str>) -> ApiResult<Option<&str>> {
    match after {
        None => Ok(None),
        Some(text) if is_symbol_text(text) => Ok(Some(text)),
        Some(_) => Err(invalid_cursor()),
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "`after` must be the `next` value of a previous page")
}

/// True for canonical symbol text: 1–12 characters of `A-Z`, `0-9`, `.`, `-`, starting with a letter.
pub fn is_symbol_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 12
        && bytes[0].is_ascii_uppercase()
        && bytes.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
}

/// Cuts a list fetched with one item more than `limit` into a page and the cursor of the next.
pub fn into_page<T>(mut items: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(cursor);
        (items, next)
    } else {
        (items, None)
    }
}

/// The JSON-schema pattern of decimal inputs (non-negative, at most four decimals).
pub const DECIMAL_PATTERN: &str = "^[0-9]{1,12}(\\.[0-9]{1,4})?$";

/// Parses a non-negative decimal string exactly as [`DECIMAL_PATTERN`] describes it; 422 naming
/// the field otherwise.
fn decimal_units(field: &str, text: &str) -> ApiResult<i64> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let int_ok = !int.is_empty() && int.len() <= MAX_INTEGER_DIGITS && int.bytes().all(|b| b.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.len() <= 4 && f.bytes().all(|b| b.is_ascii_digit()));
    if !(int_ok && frac_ok) {
        return Err(ApiError::invalid(format!(
            "{field} must be a decimal string with at most {MAX_INTEGER_DIGITS} digits and 4 decimals, got `{text}`"
        )));
    }
    text.parse::<Price>().map(|p| p.0).map_err(|e| ApiError::invalid(format!("{field}: {e}")))
}

/// A price from a decimal string.
pub fn parse_price(field: &str, text: &str) -> ApiResult<Price> {
    decimal_units(field, text).map(Price)
}

/// An amount of money from a decimal string.
pub fn parse_money(field: &str, text: &str) -> ApiResult<Money> {
    decimal_units(field, text).map(Money)
}

/// A timestamp as RFC 3339 (UTC, microseconds).
pub fn ts(t: Ts) -> String {
    t.to_string()
}

/// True when the caller is a signed-in admin.
pub fn is_admin(caller: &Caller) -> bool {
    matches!(&caller.0, Principal::User(u) if u.role == Role::Admin)
}

/// A tournament the caller may see: drafts are visible to admins only (404 for everyone else).
pub async fn visible_tournament(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Tournament> {
    let found = state.store.tournament(TournamentId(id)).await?;
    match found {
        Some(t) if t.state != TournamentState::Draft || is_admin(caller) => Ok(t),
        _ => Err(ApiError::not_found(format!("no tournament {id}"))),
    }
}

/// The running sequencer of a tournament, started if it is open for entries or running but not
/// started yet.
pub async fn live_handle(state: &AppState, t: &Tournament) -> ApiResult<TournamentHandle> {
    if let Some(handle) = state.engine.handle(t.id) {
        return Ok(handle);
    }
    state.engine.start(t.id).await.map_err(load_error)
}

/// A sequencer that could not be started.
pub fn load_error(e: LoadError) -> ApiError {
    tracing::error!(error = %e, "could not start a tournament sequencer");
    ApiError::unavailable("the tournament engine could not be started; try again later")
}

/// Turns the body-size limit's plain-text 413 into the JSON error every other failure uses
/// (installed around the limit layer in [`crate::app`]).
pub async fn json_payload_too_large(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large")
            .into_response();
    }
    response
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        match e {
            AdminError::Invalid(m) => ApiError::invalid(m),
            AdminError::Forbidden(m) => ApiError::new(StatusCode::CONFLICT, "not_allowed_now", m),
            AdminError::Store(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_documented_pattern() {
        assert_eq!(parse_price("p", "12.34").map(|p| p.0).ok(), Some(123_400));
        assert_eq!(parse_price("p", "7").map(|p| p.0).ok(), Some(70_000));
        for bad in ["", ".5", "5.", "+5", " 5", "5 ", "-1", "1e3", "1.23456", "1234567890123", "5\n"] {
            assert!(parse_price("p", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cursors_are_strict() {
        assert_eq!(number_cursor(Some("42")).ok(), Some(Some(42)));
        assert!(number_cursor(Some("-1")).is_err());
        assert!(number_cursor(Some("1234567890123456789")).is_err());
        assert_eq!(symbol_cursor(Some("BRK.B")).ok(), Some(Some("BRK.B")));
        assert!(symbol_cursor(Some("aaa")).is_err());
        assert_eq!(page_limit(None).ok(), Some(DEFAULT_LIMIT));
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(1001)).is_err());
    }

    #[test]
    fn pages_cut_one_past_the_limit() {
        let (items, next) = into_page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((items, next), (vec![1, 2], Some("2".to_string())));
        let (items, next) = into_page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((items, next), (vec![1, 2], None));
    }
}
