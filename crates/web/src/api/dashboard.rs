//! The trader dashboard of one entry, computed on the analytics warehouse (never on the
//! production store): history, equity against the benchmark, median and top decile, round trips
//! against their peers, who else traded a symbol that week, anomalies, and freshness.
//!
//! The caller sees their own entry (a signed-in player, or the entry's API key); admins see
//! any. Figures are as of the warehouse's last export (see `freshness`).

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_analytics::dashboard::{
    self, EntryRef, EquityCurve, Freshness, HistoryKind, HistoryPage, HistoryQuery, PeerGroup, PeerPoints, PeerTrades,
    SideFilter, WhoElse,
};
use bullpen_domain::{EntryId, Symbol, TournamentId};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::common::page_limit;
use crate::analytics::warehouse_error;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Peer trades drawn on the scatter when `limit` is not given.
pub const DEFAULT_POINTS: usize = 500;

/// This module's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    paths(history, equity, peers, peer_points, who_else, anomalies, freshness, platform_anomalies),
    components(schemas(
        HistoryPage,
        dashboard::FillRow,
        dashboard::RoundTripRow,
        HistoryKind,
        SideFilter,
        EquityCurve,
        dashboard::EquityPoint,
        PeerTrades,
        dashboard::PeerTrade,
        PeerGroup,
        PeerPoints,
        dashboard::PeerPoint,
        WhoElse,
        dashboard::WhoElseTrader,
        Freshness,
        dashboard::AnomalyView,
        dashboard::AnomalyFeature,
        dashboard::PairView,
        dashboard::PlatformView,
    )),
    tags((name = "dashboard", description = "Your trading dashboard, from the analytics warehouse"))
)]
pub struct ApiDoc;

/// The routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/tournaments/{tournament_id}/entries/{entry_id}/history", Access::TournamentRead, get(history))
        .get("/api/v1/tournaments/{tournament_id}/entries/{entry_id}/equity", Access::TournamentRead, get(equity))
        .get("/api/v1/tournaments/{tournament_id}/entries/{entry_id}/peers", Access::TournamentRead, get(peers))
        .get(
            "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/peers/{group}",
            Access::TournamentRead,
            get(peer_points),
        )
        .get(
            "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/round-trips/{close_seq}/{piece}/who-else",
            Access::TournamentRead,
            get(who_else),
        )
        .get("/api/v1/tournaments/{tournament_id}/entries/{entry_id}/anomalies", Access::TournamentRead, get(anomalies))
        .get("/api/v1/tournaments/{tournament_id}/entries/{entry_id}/freshness", Access::TournamentRead, get(freshness))
        .get("/api/v1/admin/anomalies", crate::policy::ADMIN, get(platform_anomalies))
}

/// `{tournament_id}` and `{entry_id}`.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// Tournament id.
    pub tournament_id: i64,
    /// Entry id.
    pub entry_id: i64,
}

impl EntryPath {
    fn entry(self) -> EntryRef {
        EntryRef { tournament_id: TournamentId(self.tournament_id), entry_id: EntryId(self.entry_id) }
    }
}

/// Filters and page of the history.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// `fills` (default) or `closed` (round trips only).
    pub kind: Option<HistoryKind>,
    /// Only this symbol.
    #[param(pattern = "^[A-Z][A-Z0-9.-]{0,11}$")]
    pub symbol: Option<String>,
    /// `buy` or `sell` (for closed trades: the opening side, long or short).
    pub side: Option<SideFilter>,
    /// From this UTC day (`YYYY-MM-DD`, inclusive).
    pub from: Option<NaiveDate>,
    /// To this UTC day (inclusive).
    pub to: Option<NaiveDate>,
    /// Cursor: the `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}(-[0-9]{1,9})?$")]
    pub after: Option<String>,
    /// Most rows to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl HistoryParams {
    /// The query these parameters ask for, or 422 naming the bad one.
    pub fn to_query(&self) -> ApiResult<HistoryQuery> {
        let symbol = match self.symbol.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(Symbol::parse(s).map_err(|e| ApiError::invalid(format!("symbol: {e}")))?),
            None => None,
        };
        Ok(HistoryQuery {
            kind: self.kind.unwrap_or_default(),
            symbol,
            side: self.side,
            from: self.from,
            to: self.to,
            after: self.after.clone().filter(|a| !a.is_empty()),
            limit: page_limit(self.limit)?,
        })
    }
}

/// `limit` of the peer distribution.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PointsParams {
    /// Most peer trades to return (1–1000, default 500); the entry's own are always all there.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// `{group}`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupPath {
    /// Tournament id.
    pub tournament_id: i64,
    /// Entry id.
    pub entry_id: i64,
    /// `symbol`, `sector` or `tournament`.
    pub group: String,
}

/// `{close_seq}` and `{piece}` of a round trip.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TripPath {
    /// Tournament id.
    pub tournament_id: i64,
    /// Entry id.
    pub entry_id: i64,
    /// Sequence number of the closing fill.
    pub close_seq: i64,
    /// Which lot it closed (0 = oldest).
    pub piece: i32,
}

/// Checks the caller may see the entry's dashboard and opens a warehouse session.
async fn open(
    state: &AppState,
    caller: &Caller,
    at: EntryRef,
) -> ApiResult<bullpen_warehouse::datafusion::prelude::SessionContext> {
    state.dashboard_entry(caller, at.tournament_id, at.entry_id).await?;
    state.analytics()?.session().await
}

/// The entry's fills or closed trades, newest first, filtered and paged.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/history",
    tag = "dashboard",
    params(EntryPath, HistoryParams),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "A page of history", body = HistoryPage),
        (status = 400, description = "Bad path or query string", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 422, description = "A filter out of range", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<EntryPath>,
    QueryParams(q): QueryParams<HistoryParams>,
) -> ApiResult<Json<HistoryPage>> {
    let query = q.to_query()?;
    let ctx = open(&state, &caller, p.entry()).await?;
    Ok(Json(dashboard::history(&ctx, p.entry(), &query).await.map_err(warehouse_error)?))
}

/// The entry's closing equity each day against the tournament's median and top decile and an
/// equal-weight buy-and-hold of the tournament's instruments.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/equity",
    tag = "dashboard",
    params(EntryPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The equity curve", body = EquityCurve),
        (status = 400, description = "Bad path", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn equity(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<EntryPath>,
) -> ApiResult<Json<EquityCurve>> {
    let ctx = open(&state, &caller, p.entry()).await?;
    Ok(Json(dashboard::equity_curve(&ctx, p.entry()).await.map_err(warehouse_error)?))
}

/// Every closed trade of the entry against the trades of all traders closed the same week, in
/// three peer groups (symbol, sector, tournament): percentiles of return, holding time and size,
/// and the group's return bands (10th, 50th, 90th percentiles).
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/peers",
    tag = "dashboard",
    params(EntryPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The entry's trades against each peer group", body = Vec<PeerTrades>),
        (status = 400, description = "Bad path", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn peers(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<EntryPath>,
) -> ApiResult<Json<Vec<PeerTrades>>> {
    let ctx = open(&state, &caller, p.entry()).await?;
    Ok(Json(dashboard::peer_trades(&ctx, p.entry()).await.map_err(warehouse_error)?))
}

/// The peer distribution for a scatter: the entry's closed trades and the most recent peer
/// trades of the same weeks in the group (same symbol, same sector, or the whole tournament).
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/peers/{group}",
    tag = "dashboard",
    params(GroupPath, PointsParams),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The distribution", body = PeerPoints),
        (status = 400, description = "Bad path or query string", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 422, description = "Unknown group or limit out of range", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn peer_points(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<GroupPath>,
    QueryParams(q): QueryParams<PointsParams>,
) -> ApiResult<Json<PeerPoints>> {
    let group = PeerGroup::parse(&p.group).map_err(warehouse_error)?;
    let limit = match q.limit {
        None => DEFAULT_POINTS,
        Some(n) => page_limit(Some(n))?,
    };
    let at = EntryRef { tournament_id: TournamentId(p.tournament_id), entry_id: EntryId(p.entry_id) };
    let ctx = open(&state, &caller, at).await?;
    Ok(Json(dashboard::peer_points(&ctx, at, group, limit).await.map_err(warehouse_error)?))
}

/// Who else traded the symbol of one of the entry's closed trades in the week it closed, and
/// how they did — by pseudonym (no names).
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/round-trips/{close_seq}/{piece}/who-else",
    tag = "dashboard",
    params(TripPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The week's traders of the symbol", body = WhoElse),
        (status = 400, description = "Bad path", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry or closed trade", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn who_else(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TripPath>,
) -> ApiResult<Json<WhoElse>> {
    let at = EntryRef { tournament_id: TournamentId(p.tournament_id), entry_id: EntryId(p.entry_id) };
    let ctx = open(&state, &caller, at).await?;
    match dashboard::who_else(&ctx, at, p.close_seq, p.piece).await.map_err(warehouse_error)? {
        Some(w) => Ok(Json(w)),
        None => Err(ApiError::not_found(format!("no closed trade {}-{} of this entry", p.close_seq, p.piece))),
    }
}

/// The entry's trades flagged as unusual for it (size, return, holding time, time of day,
/// concentration, frequency), highest score first, with the features that explain each.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/anomalies",
    tag = "dashboard",
    params(EntryPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "Flagged trades", body = Vec<dashboard::AnomalyView>),
        (status = 400, description = "Bad path", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn anomalies(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<EntryPath>,
) -> ApiResult<Json<Vec<dashboard::AnomalyView>>> {
    let ctx = open(&state, &caller, p.entry()).await?;
    Ok(Json(dashboard::entry_anomalies(&ctx, p.entry()).await.map_err(crate::api::reports::analytics_error)?))
}

/// `limit` of the platform view.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlatformParams {
    /// Most trades and most pairs to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Platform-wide anomalies (admins): the highest-scoring flagged trades of every tournament and
/// the pairs of entries flagged for coordinated trading.
#[utoipa::path(
    get,
    path = "/api/v1/admin/anomalies",
    tag = "admin",
    params(PlatformParams),
    security(("session" = [])),
    responses(
        (status = 200, description = "Flagged trades and pairs", body = dashboard::PlatformView),
        (status = 400, description = "Bad query string", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn platform_anomalies(
    State(state): State<AppState>,
    QueryParams(q): QueryParams<PlatformParams>,
) -> ApiResult<Json<dashboard::PlatformView>> {
    let limit = page_limit(q.limit)?;
    let ctx = state.analytics()?.session().await?;
    Ok(Json(dashboard::platform(&ctx, limit).await.map_err(crate::api::reports::analytics_error)?))
}

/// How current the warehouse is: the time of the newest exported ledger entry of the
/// tournament and how far the export is behind the store.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/entries/{entry_id}/freshness",
    tag = "dashboard",
    params(EntryPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "Freshness", body = Freshness),
        (status = 400, description = "Bad path", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a key of another tournament", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
        (status = 503, description = "No analytics warehouse on this server", body = ErrorBody),
    )
)]
pub async fn freshness(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<EntryPath>,
) -> ApiResult<Json<Freshness>> {
    Ok(Json(entry_freshness(&state, &caller, p.entry()).await?))
}

/// The freshness of the warehouse for an entry's tournament (the caller must see the entry).
pub async fn entry_freshness(state: &AppState, caller: &Caller, at: EntryRef) -> ApiResult<Freshness> {
    state.dashboard_entry(caller, at.tournament_id, at.entry_id).await?;
    let analytics = state.analytics()?;
    let source = bullpen_analytics::StoreSource(state.store.clone());
    dashboard::freshness(&analytics.location, at.tournament_id, Some(&source), analytics.refresh_seconds)
        .await
        .map_err(warehouse_error)
}
