//! Positions: list, get, close one, close all.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Json;
use bullpen_domain::portfolio::Position;
use bullpen_domain::{Money, Order, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce};
use bullpen_engine::{AccountSnapshot, QuoteBoard};
use serde::{Deserialize, Serialize};

use super::json::{
    asset_uuid, order_uuid, parse_bool, parse_whole_qty, per_share, ratio, symbol_or_asset_id, AlpacaError,
    AlpacaOrder, AlpacaResult, CODE_FORBIDDEN,
};
use super::orders::{place, Submission};
use super::{AlpacaPath, AlpacaQuery, KeyContext};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The position routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/v2/positions", Access::KeyRead, get(list))
        .delete("/v2/positions", Access::KeyTrade, delete(close_all))
        .get("/v2/positions/{symbol}", Access::KeyRead, get(get_position))
        .delete("/v2/positions/{symbol}", Access::KeyTrade, delete(close))
}

/// A position as Alpaca shows it (quantities and values signed: negative for shorts).
#[derive(Debug, Clone, Serialize)]
pub struct AlpacaPosition {
    /// Asset UUID.
    pub asset_id: String,
    /// Symbol.
    pub symbol: String,
    /// Exchange (instruments carry none; always `NYSE`, whose calendar the market follows).
    pub exchange: &'static str,
    /// `us_equity`.
    pub asset_class: &'static str,
    /// Whether margin applies in this tournament.
    pub asset_marginable: bool,
    /// Average price of the open lots.
    pub avg_entry_price: String,
    /// Signed shares.
    pub qty: String,
    /// Shares not promised to open closing orders.
    pub qty_available: String,
    /// `long` or `short`.
    pub side: &'static str,
    /// Signed value at the current price.
    pub market_value: String,
    /// Signed value of the open lots at their prices.
    pub cost_basis: String,
    /// Unrealized profit or loss.
    pub unrealized_pl: String,
    /// Unrealized profit or loss over the cost basis.
    pub unrealized_plpc: String,
    /// Not tracked (no previous close per symbol): null.
    pub unrealized_intraday_pl: Option<String>,
    /// Not tracked: null.
    pub unrealized_intraday_plpc: Option<String>,
    /// Current price.
    pub current_price: String,
    /// Not tracked: null.
    pub lastday_price: Option<String>,
    /// Not tracked: null.
    pub change_today: Option<String>,
}

/// The Alpaca view of one open position.
pub fn position_view(p: &Position, board: &QuoteBoard, open_orders: &[Order], marginable: bool) -> AlpacaPosition {
    let cost = p.cost_basis();
    let price = board.get(p.symbol.as_str()).map(|q| q.price);
    let market_value = p.value(price);
    let current = price.unwrap_or_else(|| per_share(cost, p.qty));
    let unrealized: Money = p.lots.iter().map(|lot| Price(current.0 - lot.price.0).times(lot.qty)).sum();
    let closing = if p.qty.0 > 0 { Side::Sell } else { Side::BuyToCover };
    let promised: i64 =
        open_orders.iter().filter(|o| o.symbol == p.symbol && o.side == closing).map(|o| o.remaining().0).sum();
    let available = Qty(p.qty.0.signum() * (p.qty.0.abs() - promised).max(0));
    AlpacaPosition {
        asset_id: asset_uuid(&p.symbol),
        symbol: p.symbol.to_string(),
        exchange: "NYSE",
        asset_class: "us_equity",
        asset_marginable: marginable,
        avg_entry_price: per_share(cost, p.qty).to_string(),
        qty: p.qty.to_string(),
        qty_available: available.to_string(),
        side: if p.qty.0 > 0 { "long" } else { "short" },
        market_value: market_value.to_string(),
        cost_basis: cost.to_string(),
        unrealized_pl: unrealized.to_string(),
        unrealized_plpc: ratio(i128::from(unrealized.0), i128::from(cost.0.abs())),
        unrealized_intraday_pl: None,
        unrealized_intraday_plpc: None,
        current_price: current.to_string(),
        lastday_price: None,
        change_today: None,
    }
}

async fn marginable(state: &AppState, ctx: &KeyContext) -> AlpacaResult<bool> {
    Ok(state.store.tournament(ctx.key.tournament_id).await?.is_some_and(|t| t.rules.margin.is_some()))
}

fn views(snapshot: &AccountSnapshot, board: &QuoteBoard, marginable: bool) -> Vec<AlpacaPosition> {
    snapshot.portfolio.open_positions().map(|p| position_view(p, board, &snapshot.open_orders, marginable)).collect()
}

async fn list(State(state): State<AppState>, caller: Caller) -> AlpacaResult<Json<Vec<AlpacaPosition>>> {
    let ctx = KeyContext::of(&state, &caller).await?;
    let snapshot = ctx.handle.account(ctx.key.entry_id).await?;
    let marginable = marginable(&state, &ctx).await?;
    Ok(Json(views(&snapshot, &ctx.quotes(), marginable)))
}

fn path_symbol(text: &str) -> AlpacaResult<Symbol> {
    symbol_or_asset_id(text).ok_or_else(|| AlpacaError::not_found("position does not exist"))
}

async fn get_position(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(symbol): AlpacaPath<String>,
) -> AlpacaResult<Json<AlpacaPosition>> {
    let symbol = path_symbol(&symbol)?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let snapshot = ctx.handle.account(ctx.key.entry_id).await?;
    let marginable = marginable(&state, &ctx).await?;
    let board = ctx.quotes();
    let view = snapshot
        .portfolio
        .open_positions()
        .find(|p| p.symbol == symbol)
        .map(|p| Json(position_view(p, &board, &snapshot.open_orders, marginable)));
    view.ok_or_else(|| AlpacaError::not_found("position does not exist"))
}

/// Query of `DELETE /v2/positions/{symbol}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CloseQuery {
    /// Shares to close (whole).
    pub qty: Option<String>,
    /// Percentage of the position to close (0–100; rounded down to whole shares).
    pub percentage: Option<String>,
}

/// How many shares of a position of `held` shares (signed) a close request means.
pub fn close_qty(held: Qty, query: &CloseQuery) -> AlpacaResult<Qty> {
    let size = held.0.abs();
    let shares = match (&query.qty, &query.percentage) {
        (Some(_), Some(_)) => return Err(AlpacaError::validation("give qty or percentage, not both")),
        (Some(q), None) => {
            let q = parse_whole_qty(q).map_err(AlpacaError::validation)?.0 .0;
            if q <= 0 {
                return Err(AlpacaError::validation("qty must be > 0"));
            }
            if q > size {
                return Err(AlpacaError::forbidden(format!(
                    "insufficient qty available for order (requested: {q}, available: {size})"
                )));
            }
            q
        }
        (None, Some(p)) => {
            let pct: Price =
                p.parse().map_err(|_| AlpacaError::validation(format!("percentage must be a number, not `{p}`")))?;
            if pct.0 <= 0 || pct > Price::from_dollars(100) {
                return Err(AlpacaError::validation("percentage must be above 0 and at most 100"));
            }
            let shares = (i128::from(size) * i128::from(pct.0) / i128::from(Price::from_dollars(100).0)) as i64;
            if shares == 0 {
                return Err(AlpacaError::validation("percentage is less than one share of the position"));
            }
            shares
        }
        (None, None) => size,
    };
    Ok(Qty(shares))
}

/// A market order closing `qty` shares of a position of `held` shares.
fn closing_order(symbol: Symbol, held: Qty, qty: Qty) -> Submission {
    let side = if held.0 > 0 { Side::Sell } else { Side::BuyToCover };
    Submission {
        request: OrderRequest {
            client_order_id: None,
            symbol,
            side,
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Day,
            qty,
            limit_price: None,
            stop_price: None,
        },
        resolve_side: false,
    }
}

async fn held_qty(ctx: &KeyContext, symbol: &Symbol) -> AlpacaResult<Qty> {
    let summary = ctx.handle.accounts(vec![ctx.key.entry_id]).await?;
    Ok(summary.first().and_then(|s| s.positions.iter().find(|(s, _)| s == symbol).map(|(_, q)| *q)).unwrap_or_default())
}

async fn close(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(symbol): AlpacaPath<String>,
    AlpacaQuery(query): AlpacaQuery<CloseQuery>,
) -> AlpacaResult<Json<AlpacaOrder>> {
    let symbol = path_symbol(&symbol)?;
    let ctx = KeyContext::of(&state, &caller).await?;
    let held = held_qty(&ctx, &symbol).await?;
    if held.is_zero() {
        return Err(AlpacaError::not_found("position does not exist"));
    }
    let qty = close_qty(held, &query)?;
    let order = place(&state, &ctx, closing_order(symbol, held, qty)).await?;
    Ok(Json(AlpacaOrder::of(&order)))
}

/// Query of `DELETE /v2/positions`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CloseAllQuery {
    /// Cancel all open orders first.
    pub cancel_orders: Option<String>,
}

/// One line of the multi-status answer of `DELETE /v2/positions`.
#[derive(Debug, Clone, Serialize)]
pub struct CloseStatus {
    /// Symbol.
    pub symbol: String,
    /// HTTP status of this close.
    pub status: u16,
    /// The closing order's UUID, when one was placed.
    pub order_id: Option<String>,
    /// The closing order, or why it failed.
    pub body: serde_json::Value,
}

async fn close_all(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<CloseAllQuery>,
) -> AlpacaResult<Response> {
    let cancel_first = query.cancel_orders.as_deref().map(|c| parse_bool("cancel_orders", c)).transpose()?;
    let ctx = KeyContext::of(&state, &caller).await?;
    if cancel_first == Some(true) {
        ctx.handle.cancel_all(ctx.key.entry_id).await?;
    }
    let summary = ctx.handle.accounts(vec![ctx.key.entry_id]).await?;
    let positions: Vec<(Symbol, Qty)> =
        summary.into_iter().flat_map(|s| s.positions).filter(|(_, q)| !q.is_zero()).collect();
    let mut lines = Vec::with_capacity(positions.len());
    for (symbol, held) in positions {
        let result = place(&state, &ctx, closing_order(symbol.clone(), held, held.abs())).await;
        lines.push(match result {
            Ok(order) => CloseStatus {
                symbol: symbol.to_string(),
                status: 200,
                order_id: Some(order_uuid(order.id)),
                body: serde_json::to_value(AlpacaOrder::of(&order)).unwrap_or_default(),
            },
            Err(e) => CloseStatus {
                symbol: symbol.to_string(),
                status: e.status.as_u16(),
                order_id: None,
                body: serde_json::json!({
                    "code": if e.code == 0 { CODE_FORBIDDEN } else { e.code },
                    "message": e.message,
                    "symbol": symbol.as_str(),
                    "existing_qty": held.to_string(),
                }),
            },
        });
    }
    Ok((StatusCode::MULTI_STATUS, Json(lines)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(qty: Option<&str>, pct: Option<&str>) -> CloseQuery {
        CloseQuery { qty: qty.map(String::from), percentage: pct.map(String::from) }
    }

    #[test]
    fn close_quantities() {
        assert_eq!(close_qty(Qty(10), &q(None, None)).unwrap(), Qty(10));
        assert_eq!(close_qty(Qty(-10), &q(None, None)).unwrap(), Qty(10));
        assert_eq!(close_qty(Qty(10), &q(Some("4"), None)).unwrap(), Qty(4));
        assert_eq!(close_qty(Qty(10), &q(None, Some("55"))).unwrap(), Qty(5));
        assert_eq!(close_qty(Qty(10), &q(Some("11"), None)).unwrap_err().status, StatusCode::FORBIDDEN);
        assert!(close_qty(Qty(10), &q(None, Some("101"))).is_err());
        assert!(close_qty(Qty(10), &q(Some("1"), Some("5"))).is_err());
        assert!(close_qty(Qty(1), &q(None, Some("50"))).is_err());
    }
}
