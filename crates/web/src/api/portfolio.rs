//! The caller's own account: positions, balances and fills.

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::ledger::LedgerKind;
use bullpen_domain::rules_check::Valuation;
use bullpen_domain::{LedgerEntry, Money, Price, Qty, Symbol, TournamentId};
use bullpen_engine::AccountSnapshot;
use serde::Serialize;
use utoipa::ToSchema;

use super::common::{
    into_page, number_cursor, page, page_limit, symbol_cursor, ts, PageQuery, SymbolPageQuery, TournamentPath,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Long or short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionSide {
    /// Shares held.
    Long,
    /// Shares owed.
    Short,
}

/// An open position.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PositionView {
    /// Instrument.
    pub symbol: String,
    /// Shares (negative when short).
    pub qty: i64,
    /// Long or short.
    pub side: PositionSide,
    /// Average price of the open lots (decimal string, rounded to 1/10,000).
    #[schema(value_type = String)]
    pub avg_entry_price: Price,
    /// Signed value of the open lots at their prices.
    #[schema(value_type = String)]
    pub cost_basis: Money,
    /// Last price, if known.
    #[schema(value_type = Option<String>)]
    pub current_price: Option<Price>,
    /// Signed value at the last price (at cost without one).
    #[schema(value_type = String)]
    pub market_value: Money,
    /// Market value minus cost basis.
    #[schema(value_type = String)]
    pub unrealized_pnl: Money,
    /// Realized profit and loss in this symbol, net of fees.
    #[schema(value_type = String)]
    pub realized_pnl: Money,
}

page!(
    /// A page of positions, by symbol.
    PositionPage,
    PositionView
);

/// Average price of `qty` shares costing `cost`, rounded half up to 1/10,000 of a dollar.
fn average_price(cost: Money, qty: Qty) -> Price {
    let q = i128::from(qty.0).abs();
    if q == 0 {
        return Price(0);
    }
    let c = i128::from(cost.0).abs();
    Price(i64::try_from((2 * c + q) / (2 * q)).unwrap_or(i64::MAX))
}

/// The last prices of some symbols from the tournament's quote board.
fn last_prices(handle: &bullpen_engine::TournamentHandle, symbols: &[Symbol]) -> Vec<Option<Price>> {
    let board = handle.quotes();
    let board = board.borrow();
    symbols.iter().map(|s| board.get(s.as_str()).map(|q| q.price)).collect()
}

/// Positions of a snapshot valued at the quote board's prices.
pub fn positions_of(handle: &bullpen_engine::TournamentHandle, snapshot: &AccountSnapshot) -> Vec<PositionView> {
    let open: Vec<_> = snapshot.portfolio.open_positions().collect();
    let symbols: Vec<Symbol> = open.iter().map(|p| p.symbol.clone()).collect();
    let prices = last_prices(handle, &symbols);
    open.into_iter()
        .zip(prices)
        .map(|(p, price)| {
            let cost_basis = p.cost_basis();
            let market_value = p.value(price);
            PositionView {
                symbol: p.symbol.to_string(),
                qty: p.qty.0,
                side: if p.qty.0 < 0 { PositionSide::Short } else { PositionSide::Long },
                avg_entry_price: average_price(cost_basis, p.qty),
                cost_basis,
                current_price: price,
                market_value,
                unrealized_pnl: market_value - cost_basis,
                realized_pnl: p.realized_pnl,
            }
        })
        .collect()
}

/// The caller's open positions by symbol, valued at the last prices.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/positions",
    tag = "trading",
    params(TournamentPath, SymbolPageQuery),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "A page of positions", body = PositionPage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A key of another tournament", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it", body = ErrorBody),
        (status = 409, description = "The tournament is not running", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn positions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    QueryParams(q): QueryParams<SymbolPageQuery>,
) -> ApiResult<Json<PositionPage>> {
    let limit = page_limit(q.limit)?;
    let after = symbol_cursor(q.after.as_deref())?;
    let id = TournamentId(p.tournament_id);
    let handle = state.tournament_handle(id).await?;
    let entry = state.caller_entry(&caller, id).await?;
    let snapshot = handle.account(entry).await?;
    let items: Vec<PositionView> = positions_of(&handle, &snapshot)
        .into_iter()
        .filter(|p| after.is_none_or(|a| p.symbol.as_str() > a))
        .take(limit + 1)
        .collect();
    let (items, next) = into_page(items, limit, |p| p.symbol.clone());
    Ok(Json(PositionPage { items, next }))
}

/// The caller's balances.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    /// Entry id.
    pub entry_id: i64,
    /// Tournament.
    pub tournament_id: i64,
    /// Name on leaderboards.
    pub display_name: String,
    /// Cash (negative when borrowing on margin).
    #[schema(value_type = String)]
    pub cash: Money,
    /// Cash plus the signed market value of positions.
    #[schema(value_type = String)]
    pub equity: Money,
    /// What may still be spent on buys and short sales.
    #[schema(value_type = String)]
    pub buying_power: Money,
    /// Value of long positions.
    #[schema(value_type = String)]
    pub long_market_value: Money,
    /// Value of short positions (negative).
    #[schema(value_type = String)]
    pub short_market_value: Money,
    /// Cash the entry started with.
    #[schema(value_type = String)]
    pub starting_cash: Money,
    /// Realized profit and loss, net of fees.
    #[schema(value_type = String)]
    pub realized_pnl: Money,
    /// Unrealized profit and loss at the last prices.
    #[schema(value_type = String)]
    pub unrealized_pnl: Money,
    /// Commissions paid.
    #[schema(value_type = String)]
    pub fees: Money,
    /// Open positions.
    pub positions: u64,
    /// Open orders.
    pub open_orders: u64,
    /// Rank on the live leaderboard.
    pub rank: Option<u32>,
    /// Percentile on the live leaderboard (100 = best).
    pub percentile: Option<f64>,
    /// Ranked entries.
    pub entries: u64,
    /// Engine time of the ranking.
    #[schema(format = DateTime)]
    pub as_of: String,
}

/// The caller's cash, equity, buying power, position and order counts and rank.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/account",
    tag = "trading",
    params(TournamentPath),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A key of another tournament", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it", body = ErrorBody),
        (status = 409, description = "The tournament is not running", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn account(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
) -> ApiResult<Json<AccountView>> {
    let id = TournamentId(p.tournament_id);
    let handle = state.tournament_handle(id).await?;
    let entry = state.caller_entry(&caller, id).await?;
    let Some(tournament) = state.store.tournament(id).await? else {
        return Err(ApiError::not_found(format!("no tournament {}", id.0)));
    };
    let snapshot = handle.account(entry).await?;
    let positions = positions_of(&handle, &snapshot);
    Ok(Json(account_of(&handle, &tournament, &snapshot, &positions)))
}

/// The balances of an account snapshot whose positions are `positions` (from [`positions_of`]):
/// market values, buying power after the open orders' reservations, rank and percentile.
pub fn account_of(
    handle: &bullpen_engine::TournamentHandle,
    tournament: &bullpen_domain::Tournament,
    snapshot: &AccountSnapshot,
    positions: &[PositionView],
) -> AccountView {
    let entry = snapshot.entry.id;
    let id = tournament.id;
    let long: Money = positions.iter().filter(|p| p.qty > 0).map(|p| p.market_value).sum();
    let short: Money = positions.iter().filter(|p| p.qty < 0).map(|p| p.market_value).sum();
    let unrealized: Money = positions.iter().map(|p| p.unrealized_pnl).sum();
    let reserved: Money = snapshot.open_orders.iter().map(bullpen_engine::orders::reservation).sum();
    let valuation = Valuation { equity: snapshot.equity, gross_exposure: long - short };
    let buying_power = tournament.rules.buying_power_of(valuation, reserved);
    let board = handle.leaderboard();
    let row = board.row(entry);
    AccountView {
        entry_id: entry.0,
        tournament_id: id.0,
        display_name: snapshot.entry.display_name.clone(),
        cash: snapshot.portfolio.cash,
        equity: snapshot.equity,
        buying_power,
        long_market_value: long,
        short_market_value: short,
        starting_cash: tournament.rules.starting_cash,
        realized_pnl: snapshot.portfolio.realized_pnl,
        unrealized_pnl: unrealized,
        fees: snapshot.portfolio.fees,
        positions: positions.len() as u64,
        open_orders: snapshot.open_orders.len() as u64,
        rank: row.map(|r| r.rank),
        percentile: row.map(|r| r.percentile),
        entries: board.rows.len() as u64,
        as_of: ts(board.as_of),
    }
}

/// Direction of a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FillSide {
    /// Shares bought (a buy or a cover).
    Buy,
    /// Shares sold (a sale or a short sale).
    Sell,
}

/// One fill: a trade entry of the ledger.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FillView {
    /// Ledger sequence number (the cursor).
    pub seq: i64,
    /// The order that filled.
    pub order_id: Option<i64>,
    /// Instrument.
    pub symbol: String,
    /// Bought or sold.
    pub side: FillSide,
    /// Shares, positive.
    pub qty: i64,
    /// Price per share.
    #[schema(value_type = String)]
    pub price: Price,
    /// Commission.
    #[schema(value_type = String)]
    pub fee: Money,
    /// Change in cash, commission included.
    #[schema(value_type = String)]
    pub cash_delta: Money,
    /// Cash after the fill.
    #[schema(value_type = String)]
    pub cash_after: Money,
    /// Position in the symbol after the fill.
    pub position_after: i64,
    /// When it happened.
    #[schema(format = DateTime)]
    pub at: String,
}

impl FillView {
    fn of(e: &LedgerEntry) -> FillView {
        FillView {
            seq: e.seq,
            order_id: e.order_id.map(|o| o.0),
            symbol: e.symbol.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            side: if e.qty_delta.0 >= 0 { FillSide::Buy } else { FillSide::Sell },
            qty: e.qty_delta.0.abs(),
            price: e.price.unwrap_or_default(),
            fee: e.fee,
            cash_delta: e.cash_delta,
            cash_after: e.cash_after,
            position_after: e.qty_after.0,
            at: ts(e.ts),
        }
    }
}

page!(
    /// A page of fills, by sequence number.
    FillPage,
    FillView
);

/// The caller's fills in ledger order.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/fills",
    tag = "trading",
    params(TournamentPath, PageQuery),
    security(("session" = []), ("api_key_id" = [], "api_key_secret" = [])),
    responses(
        (status = 200, description = "A page of fills", body = FillPage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "A key of another tournament", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn fills(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<FillPage>> {
    let limit = page_limit(q.limit)?;
    let mut after = number_cursor(q.after.as_deref())?.unwrap_or(0);
    let id = TournamentId(p.tournament_id);
    if state.store.tournament(id).await?.is_none() {
        return Err(ApiError::not_found(format!("no tournament {}", id.0)));
    }
    let entry = state.caller_entry(&caller, id).await?;
    let batch = (limit as i64 + 1).max(64);
    let mut items = Vec::with_capacity(limit + 1);
    'read: loop {
        let rows = state.store.ledger(id, Some(entry), after, batch).await?;
        for row in &rows {
            after = row.seq;
            if row.kind == LedgerKind::Trade {
                items.push(FillView::of(row));
                if items.len() > limit {
                    break 'read;
                }
            }
        }
        if (rows.len() as i64) < batch {
            break;
        }
    }
    let (items, next) = into_page(items, limit, |f| f.seq.to_string());
    Ok(Json(FillPage { items, next }))
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/tournaments/{tournament_id}/positions", Access::TournamentRead, get(positions))
        .get("/api/v1/tournaments/{tournament_id}/account", Access::TournamentRead, get(account))
        .get("/api/v1/tournaments/{tournament_id}/fills", Access::TournamentRead, get(fills))
}
