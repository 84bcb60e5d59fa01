//! Order handling through the real engine and a real SQLite store: fills, resting orders,
//! triggers, cancels, replaces, time in force, idempotency, commissions and shorts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bullpen_domain::{
    CommissionModel, LedgerKind, Money, OrderRequest, OrderStatus, OrderType, Price, Qty, Side, TimeInForce,
    TournamentRules,
};
use bullpen_engine::ReplaceRequest;
use common::*;

/// Dollars and cents as money: `dc(98_997, 50)` is $98,997.50 (negative: `dc(-1_002, 50)`).
fn dc(dollars: i64, cents: i64) -> Money {
    let sign = if dollars < 0 { -1 } else { 1 };
    Money::from_cents(dollars * 100 + sign * cents)
}

/// Dollars and cents as a price.
fn price_dc(dollars: i64, cents: i64) -> Price {
    Price::from_cents(dollars * 100 + cents)
}

#[tokio::test]
async fn market_orders_fill_at_the_last_price_moved_by_the_slippage() {
    let (w, e) = World::running(TournamentRules { slippage_bps: 25, ..rules() }, 1).await;
    let p1 = &e[0];

    let buy = w.place(p1, market("AAA", Side::Buy, 10)).await;
    // $100 × (1 + 25 bps) = $100.25, rounded against the buyer.
    assert_eq!(buy.status, OrderStatus::Filled);
    assert_eq!(buy.filled_qty, Qty(10));
    assert_eq!(buy.filled_avg_price, Some(price_dc(100, 25)));
    assert!(buy.filled_at.is_some());

    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, dc(98_997, 50));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(10));
    // Marked at the last price, not the fill price.
    assert_eq!(account.equity, dc(99_997, 50));
    assert!(account.open_orders.is_empty());

    let ledger = w.ledger_of(p1.id).await;
    assert_eq!(ledger.len(), 2, "deposit and one trade: {ledger:?}");
    assert_eq!(ledger[0].kind, LedgerKind::Deposit);
    assert_eq!(ledger[0].cash_delta, money(100_000));
    let trade = &ledger[1];
    assert_eq!(trade.kind, LedgerKind::Trade);
    assert_eq!(trade.symbol, Some(sym("AAA")));
    assert_eq!(trade.order_id, Some(buy.id));
    assert_eq!(trade.qty_delta, Qty(10));
    assert_eq!(trade.price, Some(price_dc(100, 25)));
    assert_eq!(trade.cash_delta, dc(-1_002, 50));
    assert_eq!(trade.fee, Money::ZERO);
    assert_eq!(trade.cash_after, dc(98_997, 50));
    assert_eq!(trade.qty_after, Qty(10));

    let stored = w.stored(&buy).await;
    assert_eq!(stored, buy, "the acknowledged order is the stored one");

    // A sell fills 25 bps below: $99.75.
    let sell = w.place(p1, market("AAA", Side::Sell, 4)).await;
    assert_eq!(sell.filled_avg_price, Some(price_dc(99, 75)));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, dc(99_396, 50));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(6));
    assert_eq!(account.equity, dc(99_996, 50));
}

#[tokio::test]
async fn a_limit_buy_below_the_market_rests_and_fills_at_the_crossing_tick() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let order = w.place(p1, limit("AAA", Side::Buy, 10, usd(95))).await;
    assert_eq!(order.status, OrderStatus::New);
    assert_eq!(order.filled_qty, Qty::ZERO);
    assert_eq!(w.stored(&order).await.status, OrderStatus::New);
    let account = w.account(p1).await;
    assert_eq!(account.open_orders, vec![order.clone()]);
    assert_eq!(account.portfolio.cash, money(100_000));

    let report = w.tick(&[("AAA", usd(96))]).await;
    assert_eq!(report.triggered, 0);
    assert_eq!(w.stored(&order).await.status, OrderStatus::New);

    // The tick jumps through the limit: the order fills at the tick's price, better than its limit.
    let report = w.tick(&[("AAA", usd(94))]).await;
    assert_eq!(report.triggered, 1);
    let filled = w.stored(&order).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(94)));
    let account = w.account(p1).await;
    assert!(account.open_orders.is_empty());
    assert_eq!(account.portfolio.cash, money(100_000 - 940));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(10));
    assert_eq!(account.equity, money(100_000));
    let trades: Vec<_> = w.ledger_of(p1.id).await.into_iter().filter(|l| l.kind == LedgerKind::Trade).collect();
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0].price, Some(usd(94)));
    assert_eq!(trades[0].order_id, Some(order.id));
}

#[tokio::test]
async fn a_sell_limit_rests_until_the_price_rises_to_it() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    w.place(p1, market("AAA", Side::Buy, 10)).await;
    let sell = w.place(p1, limit("AAA", Side::Sell, 10, usd(105))).await;
    assert_eq!(sell.status, OrderStatus::New);
    w.tick(&[("AAA", usd(104))]).await;
    assert_eq!(w.stored(&sell).await.status, OrderStatus::New);
    w.tick(&[("AAA", usd(106))]).await;
    let filled = w.stored(&sell).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(106)));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, money(100_000 - 1_000 + 1_060));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty::ZERO);
    assert_eq!(account.portfolio.realized_pnl, money(60));
}

#[tokio::test]
async fn a_buy_stop_triggers_on_a_rise_and_a_sell_stop_on_a_fall() {
    let (w, e) = World::running(TournamentRules { slippage_bps: 10, ..rules() }, 1).await;
    let p1 = &e[0];
    let buy_stop = w.place(p1, stop("AAA", Side::Buy, 5, usd(110))).await;
    assert_eq!(buy_stop.status, OrderStatus::New);
    assert!(!buy_stop.stop_triggered);
    w.tick(&[("AAA", usd(109))]).await;
    assert_eq!(w.stored(&buy_stop).await.status, OrderStatus::New);
    w.tick(&[("AAA", usd(111))]).await;
    let filled = w.stored(&buy_stop).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert!(filled.stop_triggered);
    // A triggered stop is a market order: $111 + 10 bps = $111.111 → $111.1110.
    assert_eq!(filled.filled_avg_price, Some(Price(1_111_110)));
    let cash_after_buy = money(100_000) - Price(1_111_110).times(Qty(5));
    assert_eq!(w.account(p1).await.portfolio.cash, cash_after_buy);

    let sell_stop = w.place(p1, stop("AAA", Side::Sell, 5, usd(90))).await;
    w.tick(&[("AAA", usd(91))]).await;
    assert_eq!(w.stored(&sell_stop).await.status, OrderStatus::New);
    w.tick(&[("AAA", usd(89))]).await;
    let filled = w.stored(&sell_stop).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    // $89 − 10 bps = $88.911.
    assert_eq!(filled.filled_avg_price, Some(Price(889_110)));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, cash_after_buy + Price(889_110).times(Qty(5)));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty::ZERO);
}

#[tokio::test]
async fn a_stop_limit_triggers_then_rests_as_a_limit_until_marketable() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let order = w.place(p1, stop_limit("AAA", Side::Buy, 10, usd(105), usd(106))).await;
    assert_eq!(order.status, OrderStatus::New);
    // The stop is hit but the price is above the limit: triggered, resting as a limit.
    let report = w.tick(&[("AAA", usd(108))]).await;
    assert_eq!(report.triggered, 1);
    let triggered = w.stored(&order).await;
    assert_eq!(triggered.status, OrderStatus::New);
    assert!(triggered.stop_triggered);
    assert_eq!(triggered.filled_qty, Qty::ZERO);
    w.tick(&[("AAA", usd(107))]).await;
    assert_eq!(w.stored(&order).await.filled_qty, Qty::ZERO);
    // Now at its limit: fills at the tick's price.
    w.tick(&[("AAA", usd(106))]).await;
    let filled = w.stored(&order).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(106)));
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000 - 1_060));
}

#[tokio::test]
async fn a_stop_limit_placed_beyond_its_stop_rests_as_a_limit_at_once() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    // Sell stop-limit: stop $101 is already hit at $100, limit $99 is marketable: fills now.
    w.place(p1, market("AAA", Side::Buy, 20)).await;
    let now = w.place(p1, stop_limit("AAA", Side::Sell, 10, usd(101), usd(99))).await;
    assert_eq!(now.status, OrderStatus::Filled);
    assert_eq!(now.filled_avg_price, Some(usd(100)));
    // Stop hit, limit $102 not reached: rests as a sell limit at $102.
    let rests = w.place(p1, stop_limit("AAA", Side::Sell, 10, usd(101), usd(102))).await;
    assert_eq!(rests.status, OrderStatus::New);
    assert!(rests.stop_triggered);
    w.tick(&[("AAA", usd(103))]).await;
    let filled = w.stored(&rests).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(103)));
}

#[tokio::test]
async fn replacing_a_triggered_stop_limit_keeps_it_a_limit() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let order = w.place(p1, stop_limit("AAA", Side::Buy, 10, usd(105), usd(106))).await;
    w.tick(&[("AAA", usd(108))]).await;
    assert!(w.stored(&order).await.stop_triggered);
    let change = ReplaceRequest { limit_price: Some(usd(107)), ..ReplaceRequest::default() };
    let new = w.handle.replace(p1.id, order.id, change).await.expect("replace");
    assert!(new.stop_triggered, "the stop already fired; the replacement is a limit order");
    assert_eq!(new.status, OrderStatus::New);
    // Falling below the old stop must fill a buy limit at $107.
    w.tick(&[("AAA", usd(104))]).await;
    let filled = w.stored(&new).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(104)));
}

#[tokio::test]
async fn cancel_and_cancel_all() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let a = w.place(p1, limit("AAA", Side::Buy, 10, usd(95))).await;
    let canceled = w.handle.cancel(p1.id, a.id).await.expect("cancel");
    assert_eq!(canceled.status, OrderStatus::Canceled);
    assert!(canceled.canceled_at.is_some());
    assert_eq!(w.stored(&a).await, canceled);
    // A canceled order no longer fills.
    w.tick(&[("AAA", usd(90))]).await;
    assert_eq!(w.stored(&a).await.status, OrderStatus::Canceled);
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000));
    assert_eq!(reject_code(w.handle.cancel(p1.id, a.id).await), "unknown_order");

    let b = w.place(p1, limit("AAA", Side::Buy, 1, usd(80))).await;
    let c = w.place(p1, limit("BBB", Side::Buy, 1, usd(40))).await;
    let d = OrderRequest { time_in_force: TimeInForce::Gtc, ..stop("CCC", Side::Buy, 1, usd(30)) };
    let d = w.place(p1, d).await;
    let all = w.handle.cancel_all(p1.id).await.expect("cancel all");
    let mut ids: Vec<_> = all.iter().map(|o| o.id).collect();
    ids.sort();
    assert_eq!(ids, vec![b.id, c.id, d.id]);
    assert!(all.iter().all(|o| o.status == OrderStatus::Canceled));
    assert!(w.account(p1).await.open_orders.is_empty());
    for o in [&b, &c, &d] {
        assert_eq!(w.stored(o).await.status, OrderStatus::Canceled);
    }
    assert!(w.handle.cancel_all(p1.id).await.expect("nothing to cancel").is_empty());
}

#[tokio::test]
async fn replace_links_the_two_orders_and_a_filled_order_cannot_be_replaced() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let old = w.place(p1, limit("AAA", Side::Buy, 10, usd(95))).await;
    let change = ReplaceRequest { qty: Some(Qty(20)), limit_price: Some(usd(96)), ..ReplaceRequest::default() };
    let new = w.handle.replace(p1.id, old.id, change).await.expect("replace");
    assert_ne!(new.id, old.id);
    assert_eq!(new.replaces, Some(old.id));
    assert_eq!(new.qty, Qty(20));
    assert_eq!(new.limit_price, Some(usd(96)));
    assert_eq!(new.status, OrderStatus::New);
    let old_stored = w.stored(&old).await;
    assert_eq!(old_stored.status, OrderStatus::Replaced);
    assert_eq!(old_stored.replaced_by, Some(new.id));
    assert!(old_stored.replaced_at.is_some());
    assert_eq!(w.stored(&new).await, new);
    assert_eq!(w.account(p1).await.open_orders, vec![new.clone()]);

    // The replacement is what fills.
    w.tick(&[("AAA", usd(96))]).await;
    let filled = w.stored(&new).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_qty, Qty(20));
    assert_eq!(w.stored(&old).await.filled_qty, Qty::ZERO);
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000 - 1_920));

    let orders_before = w.orders().await;
    let ledger_before = w.ledger().await;
    let change = ReplaceRequest { qty: Some(Qty(30)), ..ReplaceRequest::default() };
    assert_eq!(reject_code(w.handle.replace(p1.id, new.id, change.clone()).await), "unknown_order");
    assert_eq!(reject_code(w.handle.replace(p1.id, old.id, change).await), "unknown_order");
    assert_eq!(w.orders().await, orders_before);
    assert_eq!(w.ledger().await, ledger_before);
}

#[tokio::test]
async fn ioc_and_fok_never_rest() {
    let (w, e) = World::running(TournamentRules { volume_cap_bps: Some(100), ..rules() }, 1).await;
    let p1 = &e[0];
    let ioc =
        w.place(p1, OrderRequest { time_in_force: TimeInForce::Ioc, ..limit("AAA", Side::Buy, 5, usd(95)) }).await;
    assert_eq!(ioc.status, OrderStatus::Canceled);
    assert_eq!(ioc.filled_qty, Qty::ZERO);
    assert_eq!(w.stored(&ioc).await.status, OrderStatus::Canceled);
    let fok =
        w.place(p1, OrderRequest { time_in_force: TimeInForce::Fok, ..limit("AAA", Side::Buy, 5, usd(95)) }).await;
    assert_eq!(fok.status, OrderStatus::Canceled);
    assert!(w.account(p1).await.open_orders.is_empty());
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000));

    // 1 % of a 1,000-share day: at most 10 shares fill today.
    w.tick_volume("AAA", usd(100), 1_000).await;
    let fok = w.place(p1, OrderRequest { time_in_force: TimeInForce::Fok, ..market("AAA", Side::Buy, 20) }).await;
    assert_eq!(fok.status, OrderStatus::Canceled);
    assert_eq!(fok.filled_qty, Qty::ZERO);
    let ioc = w.place(p1, OrderRequest { time_in_force: TimeInForce::Ioc, ..market("AAA", Side::Buy, 15) }).await;
    assert_eq!(ioc.status, OrderStatus::Canceled);
    assert_eq!(ioc.filled_qty, Qty(10));
    assert_eq!(ioc.filled_avg_price, Some(usd(100)));
    let fok = w.place(p1, OrderRequest { time_in_force: TimeInForce::Fok, ..market("AAA", Side::Buy, 1) }).await;
    assert_eq!(fok.status, OrderStatus::Canceled);
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(10));
    assert_eq!(account.portfolio.cash, money(99_000));
    let trades = w.ledger().await.into_iter().filter(|l| l.kind == LedgerKind::Trade).count();
    assert_eq!(trades, 1);

    // A FOK that can fill completely does.
    let fok = w.place(p1, OrderRequest { time_in_force: TimeInForce::Fok, ..market("BBB", Side::Buy, 3) }).await;
    assert_eq!(fok.status, OrderStatus::Filled);
    assert_eq!(fok.filled_qty, Qty(3));
}

#[tokio::test]
async fn day_orders_expire_at_the_close_and_gtc_orders_survive() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let day_order = w.place(p1, limit("AAA", Side::Buy, 10, usd(90))).await;
    let gtc =
        w.place(p1, OrderRequest { time_in_force: TimeInForce::Gtc, ..limit("AAA", Side::Buy, 10, usd(91)) }).await;
    w.close(0).await;
    let expired = w.stored(&day_order).await;
    assert_eq!(expired.status, OrderStatus::Expired);
    assert!(expired.expired_at.is_some());
    assert_eq!(w.stored(&gtc).await.status, OrderStatus::New);
    assert_eq!(w.account(p1).await.open_orders, vec![gtc.clone()]);

    w.open(1).await;
    w.tick(&[("AAA", usd(89))]).await;
    let filled = w.stored(&gtc).await;
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_avg_price, Some(usd(89)));
    assert_eq!(w.stored(&day_order).await.status, OrderStatus::Expired);
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(10));
    assert_eq!(account.portfolio.cash, money(100_000 - 890));
}

#[tokio::test]
async fn a_retried_client_order_id_returns_the_same_order_and_trades_once() {
    let (mut w, e) = World::running(rules(), 2).await;
    let (p1, p2) = (&e[0], &e[1]);
    let resting = OrderRequest { client_order_id: Some("rest-1".into()), ..limit("AAA", Side::Buy, 10, usd(95)) };
    let first = w.place(p1, resting.clone()).await;
    let again = w.place(p1, resting.clone()).await;
    assert_eq!(again.id, first.id);
    assert_eq!(again, first);
    assert_eq!(w.orders().await.len(), 1);

    let fill = OrderRequest { client_order_id: Some("mkt-1".into()), ..market("BBB", Side::Buy, 10) };
    let first_fill = w.place(p1, fill.clone()).await;
    assert_eq!(first_fill.status, OrderStatus::Filled);
    // The order is no longer open: the retry is answered from the store.
    let retry = w.place(p1, fill.clone()).await;
    assert_eq!(retry.id, first_fill.id);
    assert_eq!(retry.status, OrderStatus::Filled);
    assert_eq!(retry.filled_qty, Qty(10));
    let trades = w.ledger_of(p1.id).await.into_iter().filter(|l| l.kind == LedgerKind::Trade).count();
    assert_eq!(trades, 1);
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000 - 500));

    // Client order ids are per entry: another player may use the same one.
    let other = w.place(p2, fill.clone()).await;
    assert_ne!(other.id, first_fill.id);

    // Retries are still recognised after a restart.
    w.restart().await;
    w.open(1).await;
    let retry = w.handle.place(p1.id, fill).await.expect("retry after restart");
    assert_eq!(retry.id, first_fill.id);
    let retry = w.handle.place(p1.id, resting).await.expect("retry after restart");
    assert_eq!(retry.id, first.id);
    assert_eq!(w.orders().await.len(), 3);
    assert_eq!(w.account(p1).await.portfolio.cash, money(100_000 - 500));
}

#[tokio::test]
async fn client_order_ids_in_the_generated_format_are_refused() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    // The store tells generated ids from chosen ones by this prefix; a chosen one in that
    // format would lose its idempotency protection on restart.
    let next = bullpen_domain::OrderId::compose(w.tournament.id, 1);
    let request = OrderRequest { client_order_id: Some(format!("bp-{}", next.0)), ..market("AAA", Side::Buy, 1) };
    assert_eq!(reject_code(w.handle.place(p1.id, request).await), "invalid_client_order_id");
    assert!(w.orders().await.is_empty());
}

async fn commission_case(commission: CommissionModel, qty: i64, expected_fee: Money) {
    let (w, e) = World::running(TournamentRules { commission, ..rules() }, 1).await;
    let p1 = &e[0];
    let order = w.place(p1, market("AAA", Side::Buy, qty)).await;
    let trade = w.ledger_of(p1.id).await.into_iter().find(|l| l.kind == LedgerKind::Trade).expect("a trade");
    assert_eq!(trade.fee, expected_fee);
    assert_eq!(trade.cash_delta, -(usd(100).times(Qty(qty))) - expected_fee);
    assert_eq!(trade.order_id, Some(order.id));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, money(100_000) - usd(100).times(Qty(qty)) - expected_fee);
    assert_eq!(account.portfolio.fees, expected_fee);
    assert_eq!(account.equity, money(100_000) - expected_fee);
}

#[tokio::test]
async fn commissions_are_charged_exactly() {
    let free = CommissionModel::free();
    commission_case(CommissionModel { per_trade: dc(4, 95), ..free.clone() }, 10, dc(4, 95)).await;
    commission_case(CommissionModel { per_share: Money(50), ..free.clone() }, 150, dc(0, 75)).await;
    commission_case(CommissionModel { bps: 10, ..free.clone() }, 10, dc(1, 00)).await;
    // $1 + $0.005 × 101 + 5 bps × $10,100 = $6.555, rounded once: $6.56.
    let all = CommissionModel { per_trade: money(1), per_share: Money(50), bps: 5, minimum: Money::ZERO };
    commission_case(all, 101, dc(6, 56)).await;
    // The minimum lifts a small commission.
    commission_case(CommissionModel { bps: 1, minimum: money(1), ..free }, 1, money(1)).await;
}

#[tokio::test]
async fn a_short_sale_and_its_cover_realise_the_price_difference() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    let short = w.place(p1, market("AAA", Side::SellShort, 10)).await;
    assert_eq!(short.status, OrderStatus::Filled);
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.cash, money(101_000));
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(-10));
    assert_eq!(account.equity, money(100_000));

    w.tick(&[("AAA", usd(90))]).await;
    assert_eq!(w.account(p1).await.equity, money(100_100));
    // Buying is refused while short: covering is its own side.
    assert_eq!(reject_code(w.handle.place(p1.id, market("AAA", Side::Buy, 1)).await), "wrong_side_for_position");
    assert_eq!(
        reject_code(w.handle.place(p1.id, market("AAA", Side::BuyToCover, 11)).await),
        "insufficient_short_position"
    );

    let cover = w.place(p1, market("AAA", Side::BuyToCover, 4)).await;
    assert_eq!(cover.filled_avg_price, Some(usd(90)));
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty(-6));
    assert_eq!(account.portfolio.realized_pnl, money(40));
    let cover = w
        .place(
            p1,
            OrderRequest {
                order_type: OrderType::Limit,
                limit_price: Some(usd(85)),
                ..market("AAA", Side::BuyToCover, 6)
            },
        )
        .await;
    assert_eq!(cover.status, OrderStatus::New);
    w.tick(&[("AAA", usd(84))]).await;
    let account = w.account(p1).await;
    assert_eq!(account.portfolio.qty(&sym("AAA")), Qty::ZERO);
    // (100 − 90) × 4 + (100 − 84) × 6 = 40 + 96.
    assert_eq!(account.portfolio.realized_pnl, money(136));
    assert_eq!(account.portfolio.cash, money(100_136));
    assert_eq!(account.equity, money(100_136));
}
