//! Orders: submit, list, get (by id and by client order id), replace, cancel one, cancel all.
//!
//! Alpaca has two sides, `buy` and `sell`; Bullpen has four. A `buy` while short covers
//! (`buy_to_cover`), a `sell` without a long position opens or adds to a short
//! (`sell_short`); an explicit `position_intent` picks the side directly.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::Json;
use bullpen_domain::{Order, OrderId, OrderRequest, Price, RejectReason, Side, Symbol, TimeInForce, Ts};
use bullpen_engine::{EngineError, ReplaceRequest};
use bullpen_store::OrderFilter;
use serde::{Deserialize, Serialize};

use super::json::{
    order_uuid, parse_bool, parse_order_id, parse_order_type, parse_time, AlpacaError, AlpacaOrder, AlpacaResult,
    WholeQty,
};
use super::{AlpacaJson, AlpacaPath, AlpacaQuery, KeyContext};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Most orders one listing returns.
pub const MAX_LIST_LIMIT: usize = 500;
/// Orders a listing returns when no limit is given.
pub const DEFAULT_LIST_LIMIT: usize = 50;

/// The order routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/v2/orders", Access::KeyTrade, post(submit))
        .get("/v2/orders", Access::KeyRead, get(list))
        .delete("/v2/orders", Access::KeyTrade, delete(cancel_all))
        .get("/v2/orders:by_client_order_id", Access::KeyRead, get(by_client_order_id))
        .get("/v2/orders/{order_id}", Access::KeyRead, get(get_order))
        .patch("/v2/orders/{order_id}", Access::KeyTrade, patch(replace))
        .delete("/v2/orders/{order_id}", Access::KeyTrade, delete(cancel))
}

/// The body of `POST /v2/orders`, with every field Alpaca documents (unsupported ones are
/// refused with 422 when set).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitOrder {
    /// Symbol (or asset UUID).
    pub symbol: Option<String>,
    /// Whole shares, as a number or a string.
    pub qty: Option<WholeQty>,
    /// Not supported.
    pub notional: Option<serde_json::Value>,
    /// `buy` or `sell`.
    pub side: Option<String>,
    /// `market`, `limit`, `stop`, `stop_limit`.
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    /// `day`, `gtc`, `ioc`, `fok`.
    pub time_in_force: Option<String>,
    /// Limit price.
    pub limit_price: Option<Price>,
    /// Stop price.
    pub stop_price: Option<Price>,
    /// Not supported.
    pub trail_price: Option<serde_json::Value>,
    /// Not supported.
    pub trail_percent: Option<serde_json::Value>,
    /// Accepted and ignored (no extended-hours session is simulated).
    pub extended_hours: Option<bool>,
    /// The client's idempotency key.
    pub client_order_id: Option<String>,
    /// Only `simple` (or empty).
    pub order_class: Option<String>,
    /// Not supported.
    pub take_profit: Option<serde_json::Value>,
    /// Not supported.
    pub stop_loss: Option<serde_json::Value>,
    /// `buy_to_open`, `buy_to_close`, `sell_to_open`, `sell_to_close`.
    pub position_intent: Option<String>,
    /// Not supported.
    pub legs: Option<serde_json::Value>,
}

/// A submission, validated: the request (with the first side to try) and the side to retry with
/// when the first is refused because of the position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The order request.
    pub request: OrderRequest,
    /// True when the side came from Alpaca's `buy`/`sell` and may be resolved against the position.
    pub resolve_side: bool,
}

fn unsupported(field: &str, value: &Option<serde_json::Value>) -> AlpacaResult<()> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(_) => {
            Err(AlpacaError::unprocessable(format!("{field} is not supported: only simple orders in whole shares")))
        }
    }
}

/// Parses `day`, `gtc`, `ioc`, `fok` (`opg` and `cls` are not supported).
pub fn parse_tif(text: &str) -> AlpacaResult<TimeInForce> {
    match text {
        "opg" | "cls" => Err(AlpacaError::unprocessable(format!("time_in_force {text} is not supported"))),
        other => TimeInForce::parse(other)
            .ok_or_else(|| AlpacaError::validation(format!("invalid time_in_force `{other}` (day, gtc, ioc, fok)"))),
    }
}

fn parse_symbol(text: &str) -> AlpacaResult<Symbol> {
    super::json::symbol_or_asset_id(text)
        .ok_or_else(|| AlpacaError::unprocessable(format!("asset \"{text}\" not found")))
}

impl SubmitOrder {
    /// Checks the body and builds the order request.
    pub fn validate(self) -> AlpacaResult<Submission> {
        match self.order_class.as_deref() {
            None | Some("") | Some("simple") => {}
            Some(other) => return Err(AlpacaError::unprocessable(format!("order_class {other} is not supported"))),
        }
        if !matches!(self.notional, None | Some(serde_json::Value::Null)) {
            return Err(AlpacaError::unprocessable("notional orders are not supported: give qty in whole shares"));
        }
        unsupported("trail_price", &self.trail_price)?;
        unsupported("trail_percent", &self.trail_percent)?;
        unsupported("take_profit", &self.take_profit)?;
        unsupported("stop_loss", &self.stop_loss)?;
        unsupported("legs", &self.legs)?;
        let symbol = self.symbol.as_deref().ok_or_else(|| AlpacaError::validation("symbol is required"))?;
        let symbol = parse_symbol(symbol)?;
        let qty = self.qty.ok_or_else(|| AlpacaError::validation("qty is required"))?.0;
        if qty.0 <= 0 {
            return Err(AlpacaError::validation("qty must be > 0"));
        }
        let buy = match self.side.as_deref() {
            Some("buy") => true,
            Some("sell") => false,
            Some(other) => return Err(AlpacaError::validation(format!("invalid side `{other}` (buy, sell)"))),
            None => return Err(AlpacaError::validation("side is required")),
        };
        let (side, resolve_side) = match self.position_intent.as_deref() {
            None | Some("") => (if buy { Side::Buy } else { Side::Sell }, true),
            Some(intent) => {
                let side = match intent {
                    "buy_to_open" => Side::Buy,
                    "buy_to_close" => Side::BuyToCover,
                    "sell_to_open" => Side::SellShort,
                    "sell_to_close" => Side::Sell,
                    other => return Err(AlpacaError::validation(format!("invalid position_intent `{other}`"))),
                };
                if side.is_buy() != buy {
                    return Err(AlpacaError::validation(format!("position_intent {intent} does not match side")));
                }
                (side, false)
            }
        };
        let order_type =
            parse_order_type(self.order_type.as_deref().ok_or_else(|| AlpacaError::validation("type is required"))?)?;
        let time_in_force = parse_tif(
            self.time_in_force.as_deref().ok_or_else(|| AlpacaError::validation("time_in_force is required"))?,
        )?;
        let request = OrderRequest {
            client_order_id: self.client_order_id.filter(|c| !c.is_empty()),
            symbol,
            side,
            order_type,
            time_in_force,
            qty,
            limit_price: self.limit_price,
            stop_price: self.stop_price,
        };
        request.validate_shape().map_err(|r| super::json::reject_error(&r))?;
        Ok(Submission { request, resolve_side })
    }
}

/// The other side to try when Alpaca's `buy`/`sell` meets a position it cannot act on:
/// a buy while short covers; a sell with nothing long to sell goes short.
fn alternate_side(side: Side, reason: &RejectReason) -> Option<Side> {
    match (side, reason) {
        (Side::Buy, RejectReason::WrongSideForPosition(_)) => Some(Side::BuyToCover),
        (Side::Sell, RejectReason::WrongSideForPosition(_)) => Some(Side::SellShort),
        (Side::Sell, RejectReason::InsufficientPosition { held, .. }) if held.0 == 0 => Some(Side::SellShort),
        _ => None,
    }
}

/// Places an order for an entry, resolving Alpaca's two sides against the position.
pub async fn place(state: &AppState, ctx: &KeyContext, submission: Submission) -> AlpacaResult<Order> {
    let result = place_resolving_side(ctx, submission).await;
    match &result {
        Ok(_) => state.metrics.record_order("accepted"),
        Err(Placement::Rejected(reason)) => state.metrics.record_order(reason.code()),
        Err(Placement::Failed(_)) => {}
    }
    result.map_err(|e| match e {
        Placement::Rejected(reason) => reason.into_alpaca(),
        Placement::Failed(e) => e,
    })
}

/// Why a placement failed: refused by the engine (counted as a rejection), or not answered.
enum Placement {
    Rejected(RejectReason),
    Failed(AlpacaError),
}

impl From<EngineError> for Placement {
    fn from(e: EngineError) -> Placement {
        match e {
            EngineError::Rejected(reason) => Placement::Rejected(reason),
            other => Placement::Failed(other.into()),
        }
    }
}

async fn place_resolving_side(ctx: &KeyContext, submission: Submission) -> Result<Order, Placement> {
    let Submission { request, resolve_side } = submission;
    let first_side = request.side;
    let first = ctx.handle.place(ctx.key.entry_id, request.clone()).await;
    let reason = match first {
        Ok(order) => return Ok(order),
        Err(EngineError::Rejected(reason)) if resolve_side => reason,
        Err(e) => return Err(e.into()),
    };
    let Some(side) = alternate_side(first_side, &reason) else { return Err(Placement::Rejected(reason)) };
    match ctx.handle.place(ctx.key.entry_id, OrderRequest { side, ..request }).await {
        Ok(order) => Ok(order),
        // Shorting is off or not possible: the first refusal explains it best ("insufficient qty").
        Err(EngineError::Rejected(
            RejectReason::ShortSellingDisabled
            | RejectReason::WrongSideForPosition(_)
            | RejectReason::InsufficientShortPosition { .. },
        )) => Err(Placement::Rejected(reason)),
        Err(e) => Err(e.into()),
    }
}

trait IntoAlpaca {
    fn into_alpaca(self) -> AlpacaError;
}

impl IntoAlpaca for RejectReason {
    fn into_alpaca(self) -> AlpacaError {
        super::json::reject_error(&self)
    }
}

async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaJson(body): AlpacaJson<SubmitOrder>,
) -> AlpacaResult<Json<AlpacaOrder>> {
    let submission = body.validate()?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let order = place(&state, &ctx, submission).await?;
    Ok(Json(AlpacaOrder::of(&order)))
}

/// Query of `GET /v2/orders`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// `open` (default), `closed` or `all`.
    pub status: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<String>,
    /// Only orders submitted after this time.
    pub after: Option<String>,
    /// Only orders submitted before this time.
    pub until: Option<String>,
    /// `desc` (default, newest first) or `asc`.
    pub direction: Option<String>,
    /// Accepted (there are no multi-leg orders to nest).
    pub nested: Option<String>,
    /// Comma-separated symbols.
    pub symbols: Option<String>,
    /// `buy` or `sell`.
    pub side: Option<String>,
}

/// The parsed listing filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFilter {
    /// Open only, closed only, or all.
    pub open: Option<bool>,
    /// Most results.
    pub limit: usize,
    /// Submitted strictly after.
    pub after: Option<Ts>,
    /// Submitted strictly before.
    pub until: Option<Ts>,
    /// Oldest first.
    pub ascending: bool,
    /// Only these symbols (empty: all).
    pub symbols: Vec<Symbol>,
    /// Only buys (`Some(true)`) or sells.
    pub buys: Option<bool>,
}

impl ListQuery {
    /// Checks the parameters.
    pub fn parse(&self) -> AlpacaResult<ListFilter> {
        let open = match self.status.as_deref() {
            None | Some("open") => Some(true),
            Some("closed") => Some(false),
            Some("all") => None,
            Some(other) => {
                return Err(AlpacaError::validation(format!("invalid status `{other}` (open, closed, all)")))
            }
        };
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIST_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_LIST_LIMIT).contains(&n) => n,
                _ => return Err(AlpacaError::validation(format!("limit must be 1 to {MAX_LIST_LIMIT}, not `{text}`"))),
            },
        };
        let ascending = match self.direction.as_deref() {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(other) => return Err(AlpacaError::validation(format!("invalid direction `{other}` (asc, desc)"))),
        };
        if let Some(n) = &self.nested {
            parse_bool("nested", n)?;
        }
        let symbols = match self.symbols.as_deref() {
            None | Some("") => Vec::new(),
            Some(list) => list
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| Symbol::parse(s).map_err(|e| AlpacaError::validation(e.to_string())))
                .collect::<AlpacaResult<Vec<_>>>()?,
        };
        let buys = match self.side.as_deref() {
            None | Some("") => None,
            Some("buy") => Some(true),
            Some("sell") => Some(false),
            Some(other) => return Err(AlpacaError::validation(format!("invalid side `{other}` (buy, sell)"))),
        };
        Ok(ListFilter {
            open,
            limit,
            after: self.after.as_deref().map(|t| parse_time("after", t)).transpose()?,
            until: self.until.as_deref().map(|t| parse_time("until", t)).transpose()?,
            ascending,
            symbols,
            buys,
        })
    }
}

/// Applies a listing filter to an entry's orders (any order; sorted by submission time).
pub fn select(mut orders: Vec<Order>, f: &ListFilter) -> Vec<Order> {
    orders.retain(|o| {
        f.after.is_none_or(|t| o.created_at > t)
            && f.until.is_none_or(|t| o.created_at < t)
            && (f.symbols.is_empty() || f.symbols.contains(&o.symbol))
            && f.buys.is_none_or(|b| o.side.is_buy() == b)
    });
    orders.sort_by_key(|o| (o.created_at, o.id));
    if !f.ascending {
        orders.reverse();
    }
    orders.truncate(f.limit);
    orders
}

/// Every order of the key's entry (open only, closed only, or all).
async fn entry_orders(state: &AppState, ctx: &KeyContext, open: Option<bool>) -> AlpacaResult<Vec<Order>> {
    let filter = OrderFilter { entry: Some(ctx.key.entry_id), open, after_id: None, limit: None };
    Ok(state.store.orders(ctx.key.tournament_id, &filter).await?)
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<ListQuery>,
) -> AlpacaResult<Json<Vec<AlpacaOrder>>> {
    let filter = query.parse()?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let orders = entry_orders(&state, &ctx, filter.open).await?;
    Ok(Json(select(orders, &filter).iter().map(AlpacaOrder::of).collect()))
}

/// One order of the key's entry, or 404 (another entry's order does not exist for this key).
async fn own_order(state: &AppState, ctx: &KeyContext, text: &str) -> AlpacaResult<Order> {
    let id = parse_order_id(text).ok_or_else(|| AlpacaError::not_found("order not found"))?;
    match state.store.order(id).await? {
        Some(o) if o.entry_id == ctx.key.entry_id => Ok(o),
        _ => Err(AlpacaError::not_found("order not found")),
    }
}

/// Query of `GET /v2/orders/{order_id}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GetQuery {
    /// Accepted (there are no multi-leg orders to nest).
    pub nested: Option<String>,
}

async fn get_order(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(order_id): AlpacaPath<String>,
    AlpacaQuery(query): AlpacaQuery<GetQuery>,
) -> AlpacaResult<Json<AlpacaOrder>> {
    if let Some(n) = &query.nested {
        parse_bool("nested", n)?;
    }
    let ctx = KeyContext::of(&state, &caller).await?;
    Ok(Json(AlpacaOrder::of(&own_order(&state, &ctx, &order_id).await?)))
}

/// Query of `GET /v2/orders:by_client_order_id`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ByClientIdQuery {
    /// The client order id.
    pub client_order_id: Option<String>,
}

async fn by_client_order_id(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<ByClientIdQuery>,
) -> AlpacaResult<Json<AlpacaOrder>> {
    let wanted = query
        .client_order_id
        .filter(|c| !c.is_empty())
        .ok_or_else(|| AlpacaError::validation("client_order_id is required"))?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let orders = entry_orders(&state, &ctx, None).await?;
    orders
        .iter()
        .filter(|o| o.client_order_id == wanted)
        .max_by_key(|o| o.id)
        .map(|o| Json(AlpacaOrder::of(o)))
        .ok_or_else(|| AlpacaError::not_found("order not found"))
}

/// The error for an order the engine does not know as open: 404 when the entry has no such
/// order, 422 when it exists but is final.
async fn not_open_error(state: &AppState, ctx: &KeyContext, id: OrderId, verb: &str) -> AlpacaError {
    match state.store.order(id).await {
        Ok(Some(o)) if o.entry_id == ctx.key.entry_id => AlpacaError::unprocessable(format!(
            "order is already in \"{}\" state and cannot be {verb}",
            o.status.as_str()
        )),
        Ok(_) => AlpacaError::not_found("order not found"),
        Err(e) => e.into(),
    }
}

/// The body of `PATCH /v2/orders/{order_id}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceOrder {
    /// New quantity.
    pub qty: Option<WholeQty>,
    /// New time in force.
    pub time_in_force: Option<String>,
    /// New limit price.
    pub limit_price: Option<Price>,
    /// New stop price.
    pub stop_price: Option<Price>,
    /// Not supported.
    pub trail: Option<serde_json::Value>,
    /// Client order id of the new order.
    pub client_order_id: Option<String>,
}

impl ReplaceOrder {
    /// Checks the body and builds the engine's replacement.
    pub fn validate(self) -> AlpacaResult<ReplaceRequest> {
        unsupported("trail", &self.trail)?;
        if let Some(q) = self.qty {
            if q.0 .0 <= 0 {
                return Err(AlpacaError::validation("qty must be > 0"));
            }
        }
        Ok(ReplaceRequest {
            qty: self.qty.map(|q| q.0),
            limit_price: self.limit_price,
            stop_price: self.stop_price,
            time_in_force: self.time_in_force.as_deref().map(parse_tif).transpose()?,
            client_order_id: self.client_order_id.filter(|c| !c.is_empty()),
        })
    }
}

async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(order_id): AlpacaPath<String>,
    AlpacaJson(body): AlpacaJson<ReplaceOrder>,
) -> AlpacaResult<Json<AlpacaOrder>> {
    let change = body.validate()?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let id = parse_order_id(&order_id).ok_or_else(|| AlpacaError::not_found("order not found"))?;
    match ctx.handle.replace(ctx.key.entry_id, id, change).await {
        Ok(order) => Ok(Json(AlpacaOrder::of(&order))),
        Err(EngineError::Rejected(RejectReason::UnknownOrder)) => {
            Err(not_open_error(&state, &ctx, id, "replaced").await)
        }
        Err(e) => Err(e.into()),
    }
}

async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(order_id): AlpacaPath<String>,
) -> AlpacaResult<StatusCode> {
    let ctx = KeyContext::of(&state, &caller).await?;
    let id = parse_order_id(&order_id).ok_or_else(|| AlpacaError::not_found("order not found"))?;
    match ctx.handle.cancel(ctx.key.entry_id, id).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(EngineError::Rejected(RejectReason::UnknownOrder)) => {
            Err(not_open_error(&state, &ctx, id, "canceled").await)
        }
        Err(e) => Err(e.into()),
    }
}

/// One line of the multi-status answer of `DELETE /v2/orders`.
#[derive(Debug, Clone, Serialize)]
pub struct CancelStatus {
    /// Order UUID.
    pub id: String,
    /// HTTP status of this cancellation.
    pub status: u16,
    /// The canceled order.
    pub body: AlpacaOrder,
}

async fn cancel_all(State(state): State<AppState>, caller: Caller) -> AlpacaResult<Response> {
    let ctx = KeyContext::of(&state, &caller).await?;
    let canceled = ctx.handle.cancel_all(ctx.key.entry_id).await?;
    let lines: Vec<CancelStatus> =
        canceled.iter().map(|o| CancelStatus { id: order_uuid(o.id), status: 200, body: AlpacaOrder::of(o) }).collect();
    Ok((StatusCode::MULTI_STATUS, Json(lines)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alpaca::json::alpaca_side;
    use bullpen_domain::{OrderType, Qty};

    fn body(json: serde_json::Value) -> AlpacaResult<Submission> {
        serde_json::from_value::<SubmitOrder>(json).map_err(|e| AlpacaError::validation(e.to_string()))?.validate()
    }

    #[test]
    fn submissions_map_alpaca_fields() {
        let s = body(serde_json::json!({"symbol": "aaa", "qty": 10.0, "side": "buy", "type": "limit",
            "time_in_force": "gtc", "limit_price": 95.5, "extended_hours": false, "order_class": "simple"}))
        .unwrap();
        assert_eq!(s.request.symbol.as_str(), "AAA");
        assert_eq!(s.request.qty, Qty(10));
        assert_eq!(s.request.order_type, OrderType::Limit);
        assert_eq!(s.request.limit_price, Some(Price(955_000)));
        assert!(s.resolve_side);
        let s = body(serde_json::json!({"symbol": "AAA", "qty": "3", "side": "sell", "type": "market",
            "time_in_force": "day", "position_intent": "sell_to_open"}))
        .unwrap();
        assert_eq!(s.request.side, Side::SellShort);
        assert!(!s.resolve_side);
    }

    #[test]
    fn unsupported_and_invalid_submissions_are_refused() {
        let base =
            serde_json::json!({"symbol": "AAA", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"});
        let with = |k: &str, v: serde_json::Value| {
            let mut b = base.clone();
            b[k] = v;
            body(b).unwrap_err()
        };
        assert_eq!(with("notional", serde_json::json!(100)).status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(with("side", serde_json::json!("sideways")).code, super::super::json::CODE_VALIDATION);
        assert_eq!(with("type", serde_json::json!("trailing_stop")).code, super::super::json::CODE_UNPROCESSABLE);
        assert_eq!(with("time_in_force", serde_json::json!("opg")).code, super::super::json::CODE_UNPROCESSABLE);
        assert_eq!(with("qty", serde_json::json!(0)).code, super::super::json::CODE_VALIDATION);
        assert_eq!(with("limit_price", serde_json::json!(10)).code, super::super::json::CODE_VALIDATION);
        assert_eq!(
            with("position_intent", serde_json::json!("sell_to_open")).code,
            super::super::json::CODE_VALIDATION
        );
        assert!(serde_json::from_value::<SubmitOrder>(serde_json::json!({"bogus": 1})).is_err());
    }

    #[test]
    fn listing_filters_sort_and_limit() {
        let q = ListQuery {
            status: Some("all".into()),
            limit: Some("2".into()),
            direction: Some("asc".into()),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!((f.open, f.limit, f.ascending), (None, 2, true));
        assert!(ListQuery { limit: Some("501".into()), ..Default::default() }.parse().is_err());
        assert!(ListQuery { status: Some("weird".into()), ..Default::default() }.parse().is_err());
        assert!(ListQuery { nested: Some("True".into()), ..Default::default() }.parse().is_ok());
    }

    #[test]
    fn sides_resolve_against_the_position() {
        let short = RejectReason::WrongSideForPosition("short".into());
        assert_eq!(alternate_side(Side::Buy, &short), Some(Side::BuyToCover));
        let none = RejectReason::InsufficientPosition { wanted: Qty(5), held: Qty(0) };
        assert_eq!(alternate_side(Side::Sell, &none), Some(Side::SellShort));
        let some = RejectReason::InsufficientPosition { wanted: Qty(5), held: Qty(2) };
        assert_eq!(alternate_side(Side::Sell, &some), None);
        assert_eq!(alpaca_side(Side::SellShort), "sell");
    }
}
