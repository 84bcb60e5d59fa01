//! `GET /v2/account`: the key's tournament entry as an Alpaca trading account.

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::{Money, TournamentState};
use bullpen_engine::orders::reservation;
use serde::Serialize;

use super::json::{account_uuid, time, AlpacaError, AlpacaResult};
use super::KeyContext;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The account routes.
pub fn routes() -> Routes {
    Routes::new().get("/v2/account", Access::KeyRead, get(get_account))
}

/// An Alpaca trading account.
#[derive(Debug, Clone, Serialize)]
pub struct AlpacaAccount {
    /// Account UUID (the entry).
    pub id: String,
    /// Account number (`BP` and the entry id).
    pub account_number: String,
    /// `ACTIVE`.
    pub status: &'static str,
    /// `USD`.
    pub currency: &'static str,
    /// What may still be spent on buys and short sales.
    pub buying_power: String,
    /// Same as `buying_power`.
    pub regt_buying_power: String,
    /// Same as `buying_power` (no separate day-trading power).
    pub daytrading_buying_power: String,
    /// Buying power without margin.
    pub non_marginable_buying_power: String,
    /// Cash.
    pub cash: String,
    /// Interest and fees accrued and not yet charged (always 0: they are charged daily).
    pub accrued_fees: String,
    /// Always 0.
    pub pending_transfer_out: String,
    /// Always 0.
    pub pending_transfer_in: String,
    /// Equity.
    pub portfolio_value: String,
    /// Never flagged.
    pub pattern_day_trader: bool,
    /// True when the tournament is not running.
    pub trading_blocked: bool,
    /// Always true (no transfers in a tournament).
    pub transfers_blocked: bool,
    /// Always false.
    pub account_blocked: bool,
    /// When the entry joined.
    pub created_at: String,
    /// Always false.
    pub trade_suspended_by_user: bool,
    /// `1` for cash accounts, the margin multiple otherwise.
    pub multiplier: String,
    /// Whether the tournament allows short selling.
    pub shorting_enabled: bool,
    /// Cash plus market value.
    pub equity: String,
    /// Equity at the previous close.
    pub last_equity: String,
    /// Value of long positions.
    pub long_market_value: String,
    /// Value of short positions (negative).
    pub short_market_value: String,
    /// Market value of all positions.
    pub position_market_value: String,
    /// Gross exposure (what the positions use of the buying power).
    pub initial_margin: String,
    /// Same as `initial_margin`.
    pub maintenance_margin: String,
    /// Same as `maintenance_margin`.
    pub last_maintenance_margin: String,
    /// Equity.
    pub sma: String,
    /// Always 0.
    pub daytrade_count: i64,
    /// Always 0 (no options).
    pub options_buying_power: String,
    /// Always 0.
    pub options_approved_level: i64,
    /// Always 0.
    pub options_trading_level: i64,
}

async fn get_account(State(state): State<AppState>, caller: Caller) -> AlpacaResult<Json<AlpacaAccount>> {
    let ctx = KeyContext::of(&state, &caller).await?;
    let snapshot = ctx.handle.account(ctx.key.entry_id).await?;
    let tournament = state
        .store
        .tournament(ctx.key.tournament_id)
        .await?
        .ok_or_else(|| AlpacaError::not_found("tournament not found"))?;
    let board = ctx.quotes();
    let prices = |s: &bullpen_domain::Symbol| board.get(s.as_str()).map(|q| q.price);
    let portfolio = &snapshot.portfolio;
    let (mut long, mut short) = (Money::ZERO, Money::ZERO);
    for p in portfolio.open_positions() {
        let v = p.value(prices(&p.symbol));
        if v.is_negative() {
            short += v;
        } else {
            long += v;
        }
    }
    let reserved: Money = snapshot.open_orders.iter().map(reservation).sum();
    let rules = &tournament.rules;
    let buying_power = rules.buying_power(portfolio, &prices, reserved).max(Money::ZERO);
    let cash_power = {
        let mut cash_rules = rules.clone();
        cash_rules.margin = None;
        cash_rules.buying_power(portfolio, &prices, reserved).max(Money::ZERO)
    };
    let gross = long - short;
    let multiplier = rules
        .margin
        .as_ref()
        .map_or_else(|| "1".to_string(), |m| super::json::ratio(i128::from(m.buying_power_multiple_bps), 10_000));
    let last_equity = previous_close_equity(&state, &ctx, snapshot.portfolio.deposits).await?;
    let equity = snapshot.equity.to_string();
    let id = snapshot.entry.id;
    Ok(Json(AlpacaAccount {
        id: account_uuid(id),
        account_number: format!("BP{}", id.0),
        status: "ACTIVE",
        currency: "USD",
        buying_power: buying_power.to_string(),
        regt_buying_power: buying_power.to_string(),
        daytrading_buying_power: buying_power.to_string(),
        non_marginable_buying_power: cash_power.to_string(),
        cash: portfolio.cash.to_string(),
        accrued_fees: Money::ZERO.to_string(),
        pending_transfer_out: Money::ZERO.to_string(),
        pending_transfer_in: Money::ZERO.to_string(),
        portfolio_value: equity.clone(),
        pattern_day_trader: false,
        trading_blocked: tournament.state != TournamentState::Running,
        transfers_blocked: true,
        account_blocked: false,
        created_at: time(snapshot.entry.joined_at),
        trade_suspended_by_user: false,
        multiplier,
        shorting_enabled: rules.short_selling,
        equity: equity.clone(),
        last_equity: last_equity.to_string(),
        long_market_value: long.to_string(),
        short_market_value: short.to_string(),
        position_market_value: (long + short).to_string(),
        initial_margin: gross.to_string(),
        maintenance_margin: gross.to_string(),
        last_maintenance_margin: gross.to_string(),
        sma: equity,
        daytrade_count: 0,
        options_buying_power: Money::ZERO.to_string(),
        options_approved_level: 0,
        options_trading_level: 0,
    }))
}

/// The entry's equity at the last close before today (New York date), or its deposits when it
/// has not seen a close yet.
async fn previous_close_equity(state: &AppState, ctx: &KeyContext, deposits: Money) -> AlpacaResult<Money> {
    let today = bullpen_market::calendar::to_new_york(state.clock.now()).date();
    let snapshots = state.store.equity_snapshots(ctx.key.tournament_id).await?;
    Ok(snapshots
        .iter()
        .filter(|s| s.entry_id == ctx.key.entry_id && s.date < today)
        .max_by_key(|s| s.date)
        .map_or(deposits, |s| s.equity))
}
