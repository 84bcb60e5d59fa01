//! Orders of the caller's own entry: submit, list, show, cancel and replace.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Json;
use bullpen_domain as domain;
use bullpen_domain::{EntryId, Order, OrderId, OrderRequest, Qty, RejectReason, TournamentId};
use bullpen_engine::{EngineError, ReplaceRequest};
use bullpen_store::OrderFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{into_page, number_cursor, page, page_limit, parse_price, ts, TournamentPath};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Largest quantity of one order.
pub const MAX_ORDER_QTY: i64 = 1_000_000_000;

/// Direction of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Open or add to a long position.
    Buy,
    /// Reduce or close a long position.
    Sell,
    /// Open or add to a short position.
    SellShort,
    /// Reduce or close a short position.
    BuyToCover,
}

impl From<Side> for domain::Side {
    fn from(s: Side) -> Self {
        match s {
            Side::Buy => domain::Side::Buy,
            Side::Sell => domain::Side::Sell,
            Side::SellShort => domain::Side::SellShort,
            Side::BuyToCover => domain::Side::BuyToCover,
        }
    }
}

impl From<domain::Side> for Side {
    fn from(s: domain::Side) -> Self {
        match s {
            domain::Side::Buy => Side::Buy,
            domain::Side::Sell => Side::Sell,
            domain::Side::SellShort => Side::SellShort,
            domain::Side::BuyToCover => Side::BuyToCover,
        }
    }
}

/// How an order is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// At the next market price.
    Market,
    /// At the limit price or better.
    Limit,
    /// A market order once the stop price is touched.
    Stop,
    /// A limit order once the stop price is touched.
    StopLimit,
}

impl From<OrderType> for domain::OrderType {
    fn from(t: OrderType) -> Self {
        match t {
            OrderType::Market => domain::OrderType::Market,
            OrderType::Limit => domain::OrderType::Limit,
            OrderType::Stop => domain::OrderType::Stop,
            OrderType::StopLimit => domain::OrderType::StopLimit,
        }
    }
}

impl From<domain::OrderType> for OrderType {
    fn from(t: domain::OrderType) -> Self {
        match t {
            domain::OrderType::Market => OrderType::Market,
            domain::OrderType::Limit => OrderType::Limit,
            domain::OrderType::Stop => OrderType::Stop,
            domain::OrderType::StopLimit => OrderType::StopLimit,
        }
    }
}

/// How long an order stays working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Until the end of the trading day.
    Day,
    /// Good till canceled.
    Gtc,
    /// Immediate or cancel.
    Ioc,
    /// Fill or kill.
    Fok,
}

impl From<TimeInForce> for domain::TimeInForce {
    fn from(t: TimeInForce) -> Self {
        match t {
            TimeInForce::Day => domain::TimeInForce::Day,
            TimeInForce::Gtc => domain::TimeInForce::Gtc,
            TimeInForce::Ioc => domain::TimeInForce::Ioc,
            TimeInForce::Fok => domain::TimeInForce::Fok,
        }
    }
}

impl From<domain::TimeInForce> for TimeInForce {
    fn from(t: domain::TimeInForce) -> Self {
        match t {
            domain::TimeInForce::Day => TimeInForce::Day,
            domain::TimeInForce::Gtc => TimeInForce::Gtc,
            domain::TimeInForce::Ioc => TimeInForce::Ioc,
            domain::TimeInForce::Fok => TimeInForce::Fok,
        }
    }
}

/// Order status (Alpaca's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Received, not yet validated.
    PendingNew,
    /// Validated and working.
    Accepted,
    /// Working.
    New,
    /// Partly filled, the rest working.
    PartiallyFilled,
    /// Completely filled.
    Filled,
    /// Canceled.
    Canceled,
    /// Time in force ran out.
    Expired,
    /// Replaced by another order.
    Replaced,
    /// Rejected after acceptance.
    Rejected,
}

impl From<domain::OrderStatus> for OrderStatus {
    fn from(s: domain::OrderStatus) -> Self {
        use domain::OrderStatus as D;
        match s {
            D::PendingNew => OrderStatus::PendingNew,
            D::Accepted => OrderStatus::Accepted,
            D::New => OrderStatus::New,
            D::PartiallyFilled => OrderStatus::PartiallyFilled,
            D::Filled => OrderStatus::Filled,
            D::Canceled => OrderStatus::Canceled,
            D::Expired => OrderStatus::Expired,
            D::Replaced => OrderStatus::Replaced,
            D::Rejected => OrderStatus::Rejected,
        }
    }
}

/// A new order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"symbol": "AAA", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 10, "limit_price": "95.50"}))]
pub struct OrderBody {
    /// Instrument symbol.
    #[schema(min_length = 1, max_length = 12)]
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Pricing.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Lifetime (default `day`).
    #[serde(default)]
    pub time_in_force: Option<TimeInForce>,
    /// Whole shares.
    #[schema(minimum = 1, maximum = 1000000000)]
    pub qty: i64,
    /// Limit price (decimal string), for limit and stop-limit orders.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub limit_price: Option<String>,
    /// Stop price (decimal string), for stop and stop-limit orders.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub stop_price: Option<String>,
    /// Your own id for idempotent retries (unique per entry).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 128)]
    pub client_order_id: Option<String>,
}

fn check_qty(qty: i64) -> ApiResult<Qty> {
    if (1..=MAX_ORDER_QTY).contains(&qty) {
        Ok(Qty(qty))
    } else {
        Err(ApiError::invalid(format!("qty must be between 1 and {MAX_ORDER_QTY}, got {qty}")))
    }
}

fn optional_price(field: &str, text: Option<&str>) -> ApiResult<Option<domain::Price>> {
    text.map(|t| parse_price(field, t)).transpose()
}

impl OrderBody {
    /// The engine's request; 422 naming the first bad field.
    pub fn to_request(&self) -> ApiResult<OrderRequest> {
        let symbol = domain::Symbol::parse(&self.symbol).map_err(|e| ApiError::invalid(e.to_string()))?;
        Ok(OrderRequest {
            client_order_id: self.client_order_id.clone(),
            symbol,
            side: self.side.into(),
            order_type: self.order_type.into(),
            time_in_force: self.time_in_force.unwrap_or(TimeInForce::Day).into(),
            qty: check_qty(self.qty)?,
            limit_price: optional_price("limit_price", self.limit_price.as_deref())?,
            stop_price: optional_price("stop_price", self.stop_price.as_deref())?,
        })
    }
}

/// Changes to a working order (at least one field).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"qty": 12, "limit_price": "96.00"}))]
pub struct ReplaceBody {
    /// New quantity.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000000000)]
    pub qty: Option<i64>,
    /// New limit price (decimal string).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub limit_price: Option<String>,
    /// New stop price (decimal string).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub stop_price: Option<String>,
    /// New time in force.
    #[serde(default)]
    pub time_in_force: Option<TimeInForce>,
    /// Client order id of the new order.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 128)]
    pub client_order_id: Option<String>,
}

impl ReplaceBody {
    /// The engine's change; 422 naming the first bad field, or when nothing changes.
    pub fn to_change(&self) -> ApiResult<ReplaceRequest> {
        let change = ReplaceRequest {
            qty: self.qty.map(check_qty).transpose()?,
            limit_price: optional_price("limit_price", self.limit_price.as_deref())?,
            stop_price: optional_price("stop_price", self.stop_price.as_deref())?,
            time_in_force: self.time_in_force.map(Into::into),
            client_order_id: self.client_order_id.clone(),
        };
        if change == ReplaceRequest::default() {
            return Err(ApiError::invalid("give at least one of qty, limit_price, stop_price, time_in_force"));
        }
        Ok(change)
    }
}

/// An order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    /// Order id.
    pub id: i64,
    /// Tournament.
    pub tournament_id: i64,
    /// Entry.
    pub entry_id: i64,
    /// Client order id (generated when not given).
    pub client_order_id: String,
    /// Instrument.
    pub symbol: String,
    /// Direction.
    pub side: Side,
    /// Pricing.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Lifetime.
    pub time_in_force: TimeInForce,
    /// Shares ordered.
    pub qty: i64,
    /// Shares filled.
    pub filled_qty: i64,
    /// Average fill price (decimal string).
    #[schema(value_type = Option<String>)]
    pub filled_avg_price: Option<domain::Price>,
    /// Limit price (decimal string).
    #[schema(value_type = Option<String>)]
    pub limit_price: Option<domain::Price>,
    /// Stop price (decimal string).
    #[schema(value_type = Option<String>)]
    pub stop_price: Option<domain::Price>,
    /// Whether a stop has been triggered.
    pub stop_triggered: bool,
    /// Status.
    pub status: OrderStatus,
    /// Code of the rejection, for rejected orders.
    pub reject_code: Option<String>,
    /// Why it was rejected, for people.
    pub reject_message: Option<String>,
    /// The order this one replaced.
    pub replaces: Option<i64>,
    /// The order that replaced this one.
    pub replaced_by: Option<i64>,
    /// Submission time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// When it was filled completely.
    #[schema(format = DateTime)]
    pub filled_at: Option<String>,
    /// When it was canceled.
    #[schema(format = DateTime)]
    pub canceled_at: Option<String>,
    /// When it expired.
    #[schema(format = DateTime)]
    pub expired_at: Option<String>,
    /// When it was replaced.
    #[schema(format = DateTime)]
    pub replaced_at: Option<String>,
    /// When it was rejected.
    #[schema(format = DateTime)]
    pub rejected_at: Option<String>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        OrderView {
            id: o.id.0,
            tournament_id: o.tournament_id.0,
            entry_id: o.entry_id.0,
            client_order_id: o.client_order_id.clone(),
            symbol: o.symbol.to_string(),
            side: o.side.into(),
            order_type: o.order_type.into(),
            time_in_force: o.time_in_force.into(),
            qty: o.qty.0,
            filled_qty: o.filled_qty.0,
            filled_avg_price: o.filled_avg_price,
            limit_price: o.limit_price,
            stop_price: o.stop_price,
            stop_triggered: o.stop_triggered,
            status: o.status.into(),
            reject_code: o.reject_reason.as_ref().map(|r| r.code().to_string()),
            reject_message: o.reject_reason.as_ref().map(|r| r.to_string()),
            replaces: o.replaces.map(|i| i.0),
            replaced_by: o.replaced_by.map(|i| i.0),
            created_at: ts(o.created_at),
            updated_at: ts(o.updated_at),
            filled_at: o.filled_at.map(ts),
            canceled_at: o.canceled_at.map(ts),
            expired_at: o.expired_at.map(ts),
            replaced_at: o.replaced_at.map(ts),
            rejected_at: o.rejected_at.map(ts),
        }
    }
}

page!(
    /// A page of orders, by id.
    OrderPage,
    OrderView
);

/// Which orders to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Orders that may still fill.
    Open,
    /// Filled, canceled, expired, replaced or rejected orders.
    Closed,
    /// Every order.
    All,
}

/// Filters of the order list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Which orders (default `all`).
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Most items to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Cursor: the `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub after: Option<String>,
}

/// The `{tournament_id}` and `{order_id}` path parameters.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderPath {
    /// Tournament id.
    pub tournament_id: i64,
    /// Order id.
    pub order_id: i64,
}

/// An order of the caller's entry (404 for anyone else's, so ids reveal nothing).
pub async fn own_order(state: &AppState, entry: EntryId, tournament: TournamentId, id: OrderId) -> ApiResult<Order> {
    match state.store.order(id).await? {
        Some(o) if o.entry_id == entry && o.tournament_id == tournament => Ok(o),
        _ => Err(ApiError::not_found(format!("no order {}", id.0))),
    }
}

/// Engine errors of cancel and replace: an order that is yours but no longer open is 422
/// `order_not_open`, not 404.
async fn order_change_error(
    state: &AppState,
    entry: EntryId,
    tournament: TournamentId,
    id: OrderId,
    e: EngineError,
) -> ApiError {
    if e == EngineError::Rejected(RejectReason::UnknownOrder) {
        return match own_order(state, entry, tournament, id).await {
            Ok(o) => EngineError::Rejected(RejectReason::OrderNotOpen(o.status.as_str().to_string())).into(),
            Err(not_found) => not_found,
        };
    }
    e.into()
}

/// Submits an order for the caller's entry; answered once it is durable.
#[utoipa::path(
    post,
    path = "/api/v1/tournaments/{tournament_id}/orders",
    tag = "trading",
    params(TournamentPath),
    request_body = OrderBody,
    security(("session" = [], "csrf" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 201, description = "The order, accepted and durable (a repeated client_order_id returns the original)", body = OrderView),
        (status = 400, description = "Malformed JSON or bad path parameter", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A read-only key, a key of another tournament, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it (`not_joined`)", body = ErrorBody),
        (status = 409, description = "The tournament is not running (`tournament_not_running`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field (`validation_failed`) or refused by the rules (`insufficient_buying_power`, `market_closed`, …)", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    JsonBody(body): JsonBody<OrderBody>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let id = TournamentId(p.tournament_id);
    let handle = state.tournament_handle(id).await?;
    let entry = state.caller_entry(&caller, id).await?;
    let request = body.to_request()?;
    let placed = handle.place(entry, request).await;
    state.metrics.record_placement(&placed);
    let order = placed?;
    Ok((StatusCode::CREATED, Json(OrderView::from(&order))))
}

/// Lists the caller's orders by id.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/orders",
    tag = "trading",
    params(TournamentPath, OrderListQuery),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A key of another tournament", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    QueryParams(q): QueryParams<OrderListQuery>,
) -> ApiResult<Json<OrderPage>> {
    let limit = page_limit(q.limit)?;
    let after = number_cursor(q.after.as_deref())?;
    let id = TournamentId(p.tournament_id);
    if state.store.tournament(id).await?.is_none() {
        return Err(ApiError::not_found(format!("no tournament {}", id.0)));
    }
    let entry = state.caller_entry(&caller, id).await?;
    let filter = OrderFilter {
        entry: Some(entry),
        open: match q.status.unwrap_or(StatusFilter::All) {
            StatusFilter::Open => Some(true),
            StatusFilter::Closed => Some(false),
            StatusFilter::All => None,
        },
        after_id: after.map(OrderId),
        limit: Some(limit as i64 + 1),
    };
    let orders: Vec<OrderView> = state.store.orders(id, &filter).await?.iter().map(OrderView::from).collect();
    let (items, next) = into_page(orders, limit, |o| o.id.to_string());
    Ok(Json(OrderPage { items, next }))
}

/// One of the caller's orders.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/orders/{order_id}",
    tag = "trading",
    params(OrderPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A key of another tournament", body = ErrorBody),
        (status = 404, description = "No such order of yours, or you have not joined", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<OrderPath>,
) -> ApiResult<Json<OrderView>> {
    let id = TournamentId(p.tournament_id);
    let entry = state.caller_entry(&caller, id).await?;
    let order = own_order(&state, entry, id, OrderId(p.order_id)).await?;
    Ok(Json(OrderView::from(&order)))
}

/// Cancels one of the caller's open orders.
#[utoipa::path(
    delete,
    path = "/api/v1/tournaments/{tournament_id}/orders/{order_id}",
    tag = "trading",
    params(OrderPath),
    security(("session" = [], "csrf" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The canceled order", body = OrderView),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A read-only key, a key of another tournament, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such order of yours, or you have not joined", body = ErrorBody),
        (status = 409, description = "The tournament is not running", body = ErrorBody),
        (status = 422, description = "The order is no longer open (`order_not_open`)", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<OrderPath>,
) -> ApiResult<Json<OrderView>> {
    let order = cancel_order(&state, &caller, TournamentId(p.tournament_id), OrderId(p.order_id)).await?;
    Ok(Json(OrderView::from(&order)))
}

/// Cancels one of the caller's open orders: 404 for anyone else's, 422 `order_not_open` for one
/// that is no longer open.
pub async fn cancel_order(state: &AppState, caller: &Caller, id: TournamentId, order_id: OrderId) -> ApiResult<Order> {
    let handle = state.tournament_handle(id).await?;
    let entry = state.caller_entry(caller, id).await?;
    match handle.cancel(entry, order_id).await {
        Ok(order) => Ok(order),
        Err(e) => Err(order_change_error(state, entry, id, order_id, e).await),
    }
}

/// Replaces one of the caller's open orders with a changed copy (the old one becomes `replaced`).
#[utoipa::path(
    patch,
    path = "/api/v1/tournaments/{tournament_id}/orders/{order_id}",
    tag = "trading",
    params(OrderPath),
    request_body = ReplaceBody,
    security(("session" = [], "csrf" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The new order", body = OrderView),
        (status = 400, description = "Malformed JSON or bad path parameter", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A read-only key, a key of another tournament, or a missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such order of yours, or you have not joined", body = ErrorBody),
        (status = 409, description = "The tournament is not running", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid change, order no longer open, or refused by the rules", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<OrderPath>,
    JsonBody(body): JsonBody<ReplaceBody>,
) -> ApiResult<Json<OrderView>> {
    let id = TournamentId(p.tournament_id);
    let handle = state.tournament_handle(id).await?;
    let entry = state.caller_entry(&caller, id).await?;
    let change = body.to_change()?;
    let order = replace_order(&state, &handle, entry, OrderId(p.order_id), change).await?;
    Ok(Json(OrderView::from(&order)))
}

/// Replaces one of the caller's open orders (`entry` is the caller's entry): 404 for anyone
/// else's, 422 `order_not_open` for one that is no longer open, or the rules' refusal.
pub async fn replace_order(
    state: &AppState,
    handle: &bullpen_engine::TournamentHandle,
    entry: EntryId,
    order_id: OrderId,
    change: ReplaceRequest,
) -> ApiResult<Order> {
    match handle.replace(entry, order_id, change).await {
        Ok(order) => Ok(order),
        Err(e) => Err(order_change_error(state, entry, handle.id(), order_id, e).await),
    }
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/tournaments/{tournament_id}/orders", Access::TournamentTrade, axum::routing::post(create))
        .get("/api/v1/tournaments/{tournament_id}/orders", Access::TournamentRead, get(list))
        .get("/api/v1/tournaments/{tournament_id}/orders/{order_id}", Access::TournamentRead, get(show))
        .delete(
            "/api/v1/tournaments/{tournament_id}/orders/{order_id}",
            Access::TournamentTrade,
            axum::routing::delete(cancel),
        )
        .patch(
            "/api/v1/tournaments/{tournament_id}/orders/{order_id}",
            Access::TournamentTrade,
            axum::routing::patch(replace),
        )
}
