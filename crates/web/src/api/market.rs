//! Market data: the instrument master, a tournament's live quotes and daily bars.

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::{DailyBar, Instrument, Price, Symbol, TournamentId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{
    into_page, page, page_limit, symbol_cursor, ts, visible_tournament, SymbolPageQuery, TournamentPath,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Longest range of one bars request, in days.
pub const MAX_BAR_RANGE_DAYS: i64 = 3660;

/// Whether an instrument can be traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentStatus {
    /// Tradable.
    Active,
    /// Trading halted.
    Halted,
    /// No longer listed.
    Delisted,
}

impl From<bullpen_domain::InstrumentStatus> for InstrumentStatus {
    fn from(s: bullpen_domain::InstrumentStatus) -> Self {
        match s {
            bullpen_domain::InstrumentStatus::Active => InstrumentStatus::Active,
            bullpen_domain::InstrumentStatus::Halted => InstrumentStatus::Halted,
            bullpen_domain::InstrumentStatus::Delisted => InstrumentStatus::Delisted,
        }
    }
}

impl From<InstrumentStatus> for bullpen_domain::InstrumentStatus {
    fn from(s: InstrumentStatus) -> Self {
        match s {
            InstrumentStatus::Active => bullpen_domain::InstrumentStatus::Active,
            InstrumentStatus::Halted => bullpen_domain::InstrumentStatus::Halted,
            InstrumentStatus::Delisted => bullpen_domain::InstrumentStatus::Delisted,
        }
    }
}

/// An instrument of the master.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstrumentView {
    /// Ticker.
    pub symbol: String,
    /// Company name.
    pub name: String,
    /// Sector.
    pub sector: String,
    /// Tradability.
    pub status: InstrumentStatus,
}

impl From<&Instrument> for InstrumentView {
    fn from(i: &Instrument) -> Self {
        InstrumentView {
            symbol: i.symbol.to_string(),
            name: i.name.clone(),
            sector: i.sector.clone(),
            status: i.status.into(),
        }
    }
}

page!(
    /// A page of instruments, by symbol.
    InstrumentPage,
    InstrumentView
);

/// The `{symbol}` path parameter.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SymbolPath {
    /// Ticker (case-insensitive).
    pub symbol: String,
}

/// An instrument by (case-insensitive) symbol, or 404.
pub async fn find_instrument(state: &AppState, text: &str) -> ApiResult<Instrument> {
    let not_found = || ApiError::not_found(format!("no instrument {text}"));
    let symbol = Symbol::parse(text).map_err(|_| not_found())?;
    state.store.instruments().await?.into_iter().find(|i| i.symbol == symbol).ok_or_else(not_found)
}

/// The instrument master by symbol.
#[utoipa::path(
    get,
    path = "/api/v1/instruments",
    tag = "market",
    params(SymbolPageQuery),
    responses(
        (status = 200, description = "A page of instruments", body = InstrumentPage),
        (status = 400, description = "Bad query string or cursor", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn instruments(
    State(state): State<AppState>,
    QueryParams(q): QueryParams<SymbolPageQuery>,
) -> ApiResult<Json<InstrumentPage>> {
    let limit = page_limit(q.limit)?;
    let after = symbol_cursor(q.after.as_deref())?;
    let items: Vec<InstrumentView> = state
        .store
        .instruments()
        .await?
        .iter()
        .filter(|i| after.is_none_or(|a| i.symbol.as_str() > a))
        .take(limit + 1)
        .map(InstrumentView::from)
        .collect();
    let (items, next) = into_page(items, limit, |i| i.symbol.clone());
    Ok(Json(InstrumentPage { items, next }))
}

/// One instrument.
#[utoipa::path(
    get,
    path = "/api/v1/instruments/{symbol}",
    tag = "market",
    params(SymbolPath),
    responses(
        (status = 200, description = "The instrument", body = InstrumentView),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 404, description = "No such instrument", body = ErrorBody),
    )
)]
pub async fn instrument(
    State(state): State<AppState>,
    PathParams(p): PathParams<SymbolPath>,
) -> ApiResult<Json<InstrumentView>> {
    Ok(Json(InstrumentView::from(&find_instrument(&state, &p.symbol).await?)))
}

/// A last price.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteView {
    /// Ticker.
    pub symbol: String,
    /// Last price.
    #[schema(value_type = String)]
    pub price: Price,
    /// When it was set.
    #[schema(format = DateTime)]
    pub at: String,
}

/// A page of a tournament's quote board, by symbol.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotePage {
    /// Quotes of this page.
    pub items: Vec<QuoteView>,
    /// Cursor of the next page (pass it as `after`); null on the last page.
    pub next: Option<String>,
    /// Time of the newest tick.
    #[schema(format = DateTime)]
    pub as_of: String,
}

/// The last price of every instrument the tournament's engine has seen.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/quotes",
    tag = "market",
    params(TournamentPath, SymbolPageQuery),
    responses(
        (status = 200, description = "A page of quotes", body = QuotePage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 404, description = "No such tournament", body = ErrorBody),
        (status = 409, description = "The tournament is not running (`tournament_not_running`)", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn quotes(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    QueryParams(q): QueryParams<SymbolPageQuery>,
) -> ApiResult<Json<QuotePage>> {
    let limit = page_limit(q.limit)?;
    let after = symbol_cursor(q.after.as_deref())?;
    let t = visible_tournament(&state, &caller, p.tournament_id).await?;
    let handle = state.tournament_handle(TournamentId(t.id.0)).await?;
    let board = handle.quotes();
    let (items, as_of) = {
        let board = board.borrow();
        let items: Vec<QuoteView> = board
            .quotes
            .iter()
            .filter(|(s, _)| after.is_none_or(|a| s.as_str() > a))
            .take(limit + 1)
            .map(|(s, q)| QuoteView { symbol: s.to_string(), price: q.price, at: ts(q.at) })
            .collect();
        (items, ts(board.as_of))
    };
    let (items, next) = into_page(items, limit, |q| q.symbol.clone());
    Ok(Json(QuotePage { items, next, as_of }))
}

/// One day of trading.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BarView {
    /// Trading day.
    pub date: NaiveDate,
    /// Open.
    #[schema(value_type = String)]
    pub open: Price,
    /// High.
    #[schema(value_type = String)]
    pub high: Price,
    /// Low.
    #[schema(value_type = String)]
    pub low: Price,
    /// Close.
    #[schema(value_type = String)]
    pub close: Price,
    /// Shares traded.
    pub volume: i64,
}

impl From<&DailyBar> for BarView {
    fn from(b: &DailyBar) -> Self {
        BarView { date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }
    }
}

page!(
    /// A page of daily bars, by date.
    BarPage,
    BarView
);

/// The range of a bars request.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BarsQuery {
    /// First day (inclusive), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (inclusive), `YYYY-MM-DD`; at most 3660 days after `from`.
    pub to: NaiveDate,
    /// Most items to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Cursor: the `next` value of the previous page (a date).
    pub after: Option<NaiveDate>,
}

/// Daily bars of an instrument between two dates.
#[utoipa::path(
    get,
    path = "/api/v1/instruments/{symbol}/bars",
    tag = "market",
    params(SymbolPath, BarsQuery),
    responses(
        (status = 200, description = "A page of bars", body = BarPage),
        (status = 400, description = "Bad query string (dates are `YYYY-MM-DD`)", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 404, description = "No such instrument", body = ErrorBody),
        (status = 422, description = "`from` after `to`, a range over 3660 days, or limit out of range", body = ErrorBody),
    )
)]
pub async fn bars(
    State(state): State<AppState>,
    PathParams(p): PathParams<SymbolPath>,
    QueryParams(q): QueryParams<BarsQuery>,
) -> ApiResult<Json<BarPage>> {
    let limit = page_limit(q.limit)?;
    if q.from > q.to {
        return Err(ApiError::invalid(format!("from ({}) is after to ({})", q.from, q.to)));
    }
    if q.to.signed_duration_since(q.from).num_days() > MAX_BAR_RANGE_DAYS {
        return Err(ApiError::invalid(format!("a request covers at most {MAX_BAR_RANGE_DAYS} days")));
    }
    let instrument = find_instrument(&state, &p.symbol).await?;
    let from = match q.after {
        Some(a) if a >= q.from => match a.succ_opt() {
            Some(d) => d,
            None => return Ok(Json(BarPage { items: Vec::new(), next: None })),
        },
        _ => q.from,
    };
    if from > q.to {
        return Ok(Json(BarPage { items: Vec::new(), next: None }));
    }
    let items: Vec<BarView> = state
        .store
        .bars(Some(&instrument.symbol), from, q.to)
        .await?
        .iter()
        .take(limit + 1)
        .map(BarView::from)
        .collect();
    let (items, next) = into_page(items, limit, |b| b.date.to_string());
    Ok(Json(BarPage { items, next }))
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/instruments", Access::Public, get(instruments))
        .get("/api/v1/instruments/{symbol}", Access::Public, get(instrument))
        .get("/api/v1/instruments/{symbol}/bars", Access::Public, get(bars))
        .get("/api/v1/tournaments/{tournament_id}/quotes", Access::Public, get(quotes))
}
