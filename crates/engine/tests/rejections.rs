//! Every refusal returns `EngineError::Rejected` with its stable code and changes nothing: the
//! stored ledger and orders and the account are exactly as before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bullpen_domain::{
    Entry, InstrumentStatus, Money, OrderRequest, Price, Qty, RejectReason, Side, TimeInForce, TournamentRules,
    TournamentState,
};
use bullpen_engine::EngineError;
use common::*;

/// Everything a refused command must leave untouched.
#[derive(Debug, PartialEq)]
struct Observed {
    ledger: Vec<bullpen_domain::LedgerEntry>,
    orders: Vec<bullpen_domain::Order>,
    entries: Vec<Entry>,
    account: Option<(bullpen_domain::portfolio::Portfolio, Money, Vec<bullpen_domain::Order>)>,
}

async fn observe(w: &World, entry: Option<&Entry>) -> Observed {
    let account = match entry {
        Some(e) => {
            let a = w.account(e).await;
            Some((a.portfolio, a.equity, a.open_orders))
        }
        None => None,
    };
    Observed {
        ledger: w.ledger().await,
        orders: w.orders().await,
        entries: w.store.entries(w.tournament.id).await.expect("entries"),
        account,
    }
}

/// Places `request`, expects a rejection with `code`, and checks that nothing changed.
async fn refused(w: &World, entry: &Entry, request: OrderRequest, code: &str) -> RejectReason {
    let before = observe(w, Some(entry)).await;
    let result = w.handle.place(entry.id, request).await;
    let reason = match result {
        Err(EngineError::Rejected(reason)) => reason,
        other => panic!("expected {code}, got {other:?}"),
    };
    assert_eq!(reason.code(), code, "{reason}");
    // A barrier makes sure nothing of the refused command is still on its way to the store.
    w.handle.barrier().await.expect("barrier");
    assert_eq!(observe(w, Some(entry)).await, before, "a refused order changed something");
    reason
}

#[tokio::test]
async fn orders_are_refused_while_the_market_is_closed() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    w.place(p1, limit("AAA", Side::Buy, 1, usd(90))).await;
    w.close(0).await;
    refused(&w, p1, market("AAA", Side::Buy, 1), "market_closed").await;
    refused(&w, p1, limit("AAA", Side::Buy, 1, usd(95)), "market_closed").await;
    w.open(1).await;
    w.place(p1, market("AAA", Side::Buy, 1)).await;
}

#[tokio::test]
async fn malformed_orders_are_refused() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    refused(&w, p1, market("ZZZZ", Side::Buy, 1), "unknown_symbol").await;
    refused(&w, p1, market("AAA", Side::Buy, 0), "non_positive_quantity").await;
    refused(&w, p1, market("AAA", Side::Buy, -5), "non_positive_quantity").await;
    // $100.005 is finer than the one-cent tick above $1.
    let reason = refused(&w, p1, limit("AAA", Side::Buy, 1, Price(1_000_050)), "off_tick").await;
    assert_eq!(reason, RejectReason::OffTick { price: Price(1_000_050), tick: Price(100) });
    refused(&w, p1, stop("AAA", Side::Buy, 1, Price(1_100_001)), "off_tick").await;
    refused(&w, p1, limit("AAA", Side::Buy, 1, Price(0)), "non_positive_price").await;
    let no_limit = OrderRequest { limit_price: None, ..limit("AAA", Side::Buy, 1, usd(1)) };
    refused(&w, p1, no_limit, "missing_limit_price").await;
    let gtc_market = OrderRequest { time_in_force: TimeInForce::Gtc, ..market("AAA", Side::Buy, 1) };
    refused(&w, p1, gtc_market, "unsupported_time_in_force").await;
    assert_eq!(
        reject_code(
            w.handle.place(bullpen_domain::EntryId::compose(w.tournament.id, 99), market("AAA", Side::Buy, 1)).await
        ),
        "unknown_entry"
    );
}

#[tokio::test]
async fn buying_beyond_the_cash_is_refused() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let reason = refused(&w, p1, market("AAA", Side::Buy, 1_001), "insufficient_buying_power").await;
    assert_eq!(reason, RejectReason::InsufficientBuyingPower { needed: money(100_100), available: money(100_000) });
    // Resting buys hold buying power: $60,000 reserved leaves $40,000.
    w.place(p1, limit("AAA", Side::Buy, 600, usd(100))).await;
    let reason = refused(&w, p1, limit("BBB", Side::Buy, 801, usd(50)), "insufficient_buying_power").await;
    assert_eq!(reason, RejectReason::InsufficientBuyingPower { needed: money(40_050), available: money(40_000) });
    w.place(p1, limit("BBB", Side::Buy, 800, usd(50))).await;
}

#[tokio::test]
async fn selling_more_than_held_is_refused() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    refused(&w, p1, market("AAA", Side::Sell, 1), "insufficient_position").await;
    w.place(p1, market("AAA", Side::Buy, 10)).await;
    let reason = refused(&w, p1, market("AAA", Side::Sell, 11), "insufficient_position").await;
    assert_eq!(reason, RejectReason::InsufficientPosition { wanted: Qty(11), held: Qty(10) });
    // Shares promised to a resting sell are not available again.
    w.place(p1, limit("AAA", Side::Sell, 6, usd(120))).await;
    let reason = refused(&w, p1, market("AAA", Side::Sell, 5), "insufficient_position").await;
    assert_eq!(reason, RejectReason::InsufficientPosition { wanted: Qty(5), held: Qty(4) });
    w.place(p1, market("AAA", Side::Sell, 4)).await;
}

#[tokio::test]
async fn short_selling_can_be_disabled() {
    let (w, e) = World::running(TournamentRules { short_selling: false, ..rules() }, 1).await;
    refused(&w, &e[0], market("AAA", Side::SellShort, 1), "short_selling_disabled").await;
}

#[tokio::test]
async fn shorting_below_the_minimum_price_is_refused() {
    let (w, e) = World::running(rules(), 1).await;
    // PENY is at $4, the minimum for shorts is $5.
    let reason = refused(&w, &e[0], market("PENY", Side::SellShort, 10), "short_below_minimum_price").await;
    assert_eq!(reason, RejectReason::ShortBelowMinimumPrice { symbol: "PENY".into(), price: usd(4), minimum: usd(5) });
    w.place(&e[0], market("AAA", Side::SellShort, 10)).await;
}

#[tokio::test]
async fn a_position_above_the_maximum_weight_is_refused() {
    let (w, e) = World::running(TournamentRules { max_position_weight_bps: Some(2_500), ..rules() }, 1).await;
    let p1 = &e[0];
    let reason = refused(&w, p1, market("AAA", Side::Buy, 300), "max_position_weight").await;
    assert_eq!(reason, RejectReason::MaxPositionWeight { symbol: "AAA".into(), weight_bps: 3_000, max_bps: 2_500 });
    w.place(p1, market("AAA", Side::Buy, 200)).await;
    // 200 held + 51 more = $25,100 of $100,000.
    refused(&w, p1, market("AAA", Side::Buy, 51), "max_position_weight").await;
    w.place(p1, market("AAA", Side::Buy, 50)).await;
}

#[tokio::test]
async fn the_daily_order_limit_resets_each_day() {
    let (w, e) = World::running(TournamentRules { max_orders_per_day: Some(2), ..rules() }, 1).await;
    let p1 = &e[0];
    w.place(p1, limit("AAA", Side::Buy, 1, usd(90))).await;
    w.place(p1, market("AAA", Side::Buy, 1)).await;
    let reason = refused(&w, p1, market("AAA", Side::Buy, 1), "max_orders_per_day").await;
    assert_eq!(reason, RejectReason::MaxOrdersPerDay(2));
    w.close(0).await;
    w.open(1).await;
    w.place(p1, market("AAA", Side::Buy, 1)).await;
}

#[tokio::test]
async fn positions_must_be_held_the_minimum_time() {
    let (w, e) = World::running(TournamentRules { min_holding_seconds: 300, ..rules() }, 1).await;
    let p1 = &e[0];
    w.place(p1, market("AAA", Side::Buy, 10)).await;
    w.clock.advance_seconds(299);
    let reason = refused(&w, p1, market("AAA", Side::Sell, 10), "minimum_holding_time").await;
    assert_eq!(reason, RejectReason::MinimumHoldingTime { min_seconds: 300, held_seconds: 299 });
    w.clock.advance_seconds(1);
    w.place(p1, market("AAA", Side::Sell, 10)).await;
}

#[tokio::test]
async fn a_halted_instrument_cannot_be_traded() {
    let (mut w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    w.place(p1, market("AAA", Side::Buy, 10)).await;
    w.store.set_instrument_status(&sym("AAA"), InstrumentStatus::Halted).await.expect("halt");
    w.restart().await;
    w.open(1).await;
    w.tick(&[("AAA", usd(101)), ("BBB", usd(50))]).await;
    let reason = refused(&w, p1, market("AAA", Side::Buy, 1), "halted").await;
    assert_eq!(reason, RejectReason::Halted("AAA".into()));
    refused(&w, p1, market("AAA", Side::Sell, 1), "halted").await;
    w.place(p1, market("BBB", Side::Buy, 1)).await;
}

#[tokio::test]
async fn orders_are_refused_unless_the_tournament_is_running() {
    let w = World::new(rules()).await;
    let e = w.join(1).await;
    w.open(0).await;
    w.tick(&[("AAA", usd(100))]).await;
    let reason = refused(&w, &e[0], market("AAA", Side::Buy, 1), "tournament_not_running").await;
    assert_eq!(reason, RejectReason::TournamentNotRunning("registration".into()));
    w.set_running().await;
    w.place(&e[0], market("AAA", Side::Buy, 1)).await;
}

#[tokio::test]
async fn late_entry_can_be_disallowed() {
    let w = World::new(TournamentRules { late_entry: false, ..rules() }).await;
    let e = w.join(1).await;
    w.set_running().await;
    let before = observe(&w, None).await;
    let result = w.join_one("latecomer").await;
    assert_eq!(reject_code(result), "late_entry_not_allowed");
    w.handle.barrier().await.expect("barrier");
    assert_eq!(observe(&w, None).await, before);
    // A player already in may "join" again: it is the same entry.
    let user = e[0].user_id;
    assert_eq!(w.handle.join(user, "again").await.expect("rejoin"), e[0]);
}

#[tokio::test]
async fn cancels_and_replaces_that_cannot_apply_change_nothing() {
    let (w, e) = World::running(rules(), 2).await;
    let (p1, p2) = (&e[0], &e[1]);
    let order = w.place(p1, limit("AAA", Side::Buy, 10, usd(95))).await;
    let before = observe(&w, Some(p1)).await;
    // Another player's order is not yours to cancel or replace.
    assert_eq!(reject_code(w.handle.cancel(p2.id, order.id).await), "unknown_order");
    let change = bullpen_engine::ReplaceRequest { qty: Some(Qty(20)), ..Default::default() };
    assert_eq!(reject_code(w.handle.replace(p2.id, order.id, change).await), "unknown_order");
    assert_eq!(reject_code(w.handle.replace(p1.id, order.id, Default::default()).await), "invalid_replace");
    // A replacement is checked like a new order.
    let too_big = bullpen_engine::ReplaceRequest { qty: Some(Qty(2_000)), ..Default::default() };
    assert_eq!(reject_code(w.handle.replace(p1.id, order.id, too_big).await), "insufficient_buying_power");
    let off_tick = bullpen_engine::ReplaceRequest { limit_price: Some(Price(950_001)), ..Default::default() };
    assert_eq!(reject_code(w.handle.replace(p1.id, order.id, off_tick).await), "off_tick");
    w.handle.barrier().await.expect("barrier");
    assert_eq!(observe(&w, Some(p1)).await, before);
    assert_eq!(w.stored(&order).await.status, bullpen_domain::OrderStatus::New);
}

#[tokio::test]
async fn a_finished_tournament_refuses_orders_and_joins() {
    let (w, e) = World::running(rules(), 1).await;
    w.handle.set_state(TournamentState::Finished).await.expect("finish");
    refused(&w, &e[0], market("AAA", Side::Buy, 1), "tournament_not_running").await;
    assert_eq!(reject_code(w.join_one("late").await), "tournament_not_running");
    assert_eq!(reject_code(w.handle.set_state(TournamentState::Running).await), "tournament_not_running");
}

#[tokio::test]
async fn a_delayed_quote_does_not_let_a_buy_overspend() {
    let (w, e) = World::running(TournamentRules { quote_delay_seconds: 60, ..rules() }, 1).await;
    let p1 = &e[0];
    w.clock.advance_seconds(60);
    // Players still see $100 for a minute, but orders fill at the current $120.
    w.tick(&[("AAA", usd(120))]).await;
    let reason = refused(&w, p1, market("AAA", Side::Buy, 900), "insufficient_buying_power").await;
    assert_eq!(reason, RejectReason::InsufficientBuyingPower { needed: money(108_000), available: money(100_000) });
    let order = w.place(p1, market("AAA", Side::Buy, 800)).await;
    assert_eq!(order.filled_avg_price, Some(usd(120)));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, money(4_000));
    assert!(!account.portfolio.cash.is_negative());
}
