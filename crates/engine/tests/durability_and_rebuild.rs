//! Acknowledged means durable, and a restart rebuilds exactly what was there: accounts, open
//! orders, leaderboards, and resting orders that keep working.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use bullpen_domain::{
    CommissionModel, CorporateAction, CorporateActionKind, Entry, Money, Order, OrderId, OrderRequest, OrderStatus,
    Price, Qty, ScoringMethod, Side, TimeInForce, TournamentRules,
};
use bullpen_engine::check::check_tournament;
use bullpen_engine::{AccountSnapshot, LeaderboardRow};
use common::*;

fn gtc(request: OrderRequest) -> OrderRequest {
    OrderRequest { time_in_force: TimeInForce::Gtc, ..request }
}

async fn accounts(w: &World, entries: &[Entry]) -> Vec<AccountSnapshot> {
    let mut out = Vec::new();
    for e in entries {
        out.push(w.account(e).await);
    }
    out
}

/// What must survive a restart of one account.
fn durable_part(a: &AccountSnapshot) -> (&bullpen_domain::portfolio::Portfolio, &Vec<Order>) {
    (&a.portfolio, &a.open_orders)
}

fn board_rows(w: &World) -> Vec<LeaderboardRow> {
    w.handle.leaderboard().rows.clone()
}

async fn assert_checks(w: &World, acknowledged: &[OrderId]) {
    let report = check_tournament(w.store.as_ref(), w.tournament.id, acknowledged).await.expect("check runs");
    assert!(report.is_ok(), "check found problems: {:?}", report.problems);
    assert_eq!(report.acknowledged_checked, acknowledged.len());
}

#[tokio::test]
async fn a_restart_rebuilds_accounts_open_orders_and_the_leaderboard() {
    let commission = CommissionModel { per_trade: money(1), ..CommissionModel::free() };
    let (mut w, e) = World::running(TournamentRules { commission, ..rules() }, 4).await;
    let (p1, p2, p3, p4) = (&e[0], &e[1], &e[2], &e[3]);
    let mut acked: Vec<OrderId> = Vec::new();
    let mut place = |o: Order| {
        acked.push(o.id);
        o
    };

    // Day 0: fills, resting orders, a cancel, a day order that expires.
    place(w.place(p1, market("AAA", Side::Buy, 100)).await);
    let p1_take_profit = place(w.place(p1, gtc(limit("AAA", Side::Sell, 50, usd(120)))).await);
    let p1_penny = place(w.place(p1, gtc(limit("PENY", Side::Buy, 100, Price(35_000)))).await);
    place(w.place(p2, market("BBB", Side::Buy, 50)).await);
    let p2_bbb = place(w.place(p2, gtc(limit("BBB", Side::Buy, 10, usd(45)))).await);
    place(w.place(p3, market("CCC", Side::SellShort, 20)).await);
    let p3_day = place(w.place(p3, limit("AAA", Side::Buy, 5, usd(80))).await);
    let p4_dip = place(w.place(p4, gtc(limit("AAA", Side::Buy, 10, usd(90)))).await);
    let p4_gone = place(w.place(p4, limit("BBB", Side::Buy, 5, usd(40))).await);
    w.handle.cancel(p4.id, p4_gone.id).await.expect("cancel");
    w.tick(&[("AAA", usd(105)), ("CCC", usd(19))]).await;
    w.close(0).await;
    assert_eq!(w.stored(&p3_day).await.status, OrderStatus::Expired);

    // Day 1: a dividend on AAA and a 2:1 split of BBB at the open.
    let actions = vec![
        CorporateAction {
            date: day(1),
            symbol: sym("AAA"),
            kind: CorporateActionKind::Dividend { per_share: Money::from_cents(50) },
        },
        CorporateAction {
            date: day(1),
            symbol: sym("BBB"),
            kind: CorporateActionKind::Split { numerator: 2, denominator: 1 },
        },
    ];
    w.handle.open_session(w.clock.now_ts(), day(1), actions).await.expect("open with actions");
    // The split cancels resting BBB orders: their prices are pre-split.
    assert_eq!(w.stored(&p2_bbb).await.status, OrderStatus::Canceled);
    let p1_account = w.account(p1).await;
    assert_eq!(p1_account.portfolio.dividends, money(50));
    let p2_account = w.account(p2).await;
    assert_eq!(p2_account.portfolio.qty(&sym("BBB")), Qty(100));
    w.tick(&[("BBB", usd(26)), ("AAA", usd(104))]).await;
    place(w.place(p2, market("BBB", Side::Sell, 30)).await);
    w.close(1).await;
    assert_checks(&w, &acked).await;

    let before = accounts(&w, &e).await;
    let board_before = board_rows(&w);
    assert_eq!(board_before.len(), 4);
    let open_before: Vec<OrderId> = before.iter().flat_map(|a| a.open_orders.iter().map(|o| o.id)).collect::<Vec<_>>();
    assert_eq!(open_before, vec![p1_take_profit.id, p1_penny.id, p4_dip.id]);

    w.restart().await;

    let after = accounts(&w, &e).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(durable_part(a), durable_part(b), "account {} differs after the restart", b.entry.id);
        assert_eq!(a.entry, b.entry);
    }
    // Prices are not stored, only trades: once the feed sends the current prices again, every
    // equity and the whole leaderboard are what they were.
    w.tick(&[("AAA", usd(104)), ("BBB", usd(26)), ("CCC", usd(19))]).await;
    let after = accounts(&w, &e).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.equity, b.equity, "equity of {} differs after the restart", b.entry.id);
    }
    assert_eq!(board_rows(&w), board_before);
    assert_checks(&w, &acked).await;

    // Resting orders keep working after the restart, on the first price of a symbol too.
    w.open(2).await;
    let report = w.tick(&[("AAA", usd(89)), ("PENY", Price(34_000))]).await;
    assert_eq!(report.triggered, 2);
    let dip = w.stored(&p4_dip).await;
    assert_eq!(dip.status, OrderStatus::Filled);
    assert_eq!(dip.filled_avg_price, Some(usd(89)));
    let penny = w.stored(&p1_penny).await;
    assert_eq!(penny.status, OrderStatus::Filled);
    assert_eq!(penny.filled_avg_price, Some(Price(34_000)));
    w.tick(&[("AAA", usd(121))]).await;
    let take_profit = w.stored(&p1_take_profit).await;
    assert_eq!(take_profit.status, OrderStatus::Filled);
    assert_eq!(take_profit.filled_avg_price, Some(usd(121)));
    let p1_after = w.account(p1).await;
    assert_eq!(p1_after.portfolio.qty(&sym("AAA")), Qty(50));
    assert_eq!(p1_after.portfolio.qty(&sym("PENY")), Qty(100));
    assert!(p1_after.open_orders.is_empty());
    assert_eq!(
        p1_after.portfolio.cash,
        before[0].portfolio.cash - Price(34_000).times(Qty(100)) - money(1) + usd(121).times(Qty(50)) - money(1)
    );
    assert_checks(&w, &acked).await;
}

#[tokio::test]
async fn a_split_price_survives_a_restart() {
    let (mut w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    w.place(p1, market("BBB", Side::Buy, 100)).await;
    w.close(0).await;
    let split = CorporateAction {
        date: day(1),
        symbol: sym("BBB"),
        kind: CorporateActionKind::Split { numerator: 2, denominator: 1 },
    };
    w.handle.open_session(w.clock.now_ts(), day(1), vec![split]).await.expect("open");
    let before = w.account(p1).await;
    assert_eq!(before.portfolio.qty(&sym("BBB")), Qty(200));
    assert_eq!(before.equity, money(100_000));

    w.restart().await;
    // No price has arrived since: BBB is worth its split-adjusted $25, not the pre-split $50.
    let after = w.account(p1).await;
    assert_eq!(after.portfolio, before.portfolio);
    assert_eq!(after.equity, money(100_000));
    w.open(2).await;
    let buy = w.place(p1, market("BBB", Side::Buy, 10)).await;
    assert_eq!(buy.filled_avg_price, Some(usd(25)));
}

#[tokio::test]
async fn risk_adjusted_scores_survive_a_restart() {
    let (mut w, e) = World::running(TournamentRules { scoring: ScoringMethod::Sharpe, ..rules() }, 3).await;
    w.place(&e[0], market("AAA", Side::Buy, 500)).await;
    w.place(&e[1], market("BBB", Side::Buy, 1_000)).await;
    let days = [(usd(102), Price(505_000)), (usd(99), Price(525_000)), (usd(105), Price(515_000))];
    for (n, (aaa, bbb)) in days.into_iter().enumerate() {
        let n = n as u32;
        if n > 0 {
            w.open(n).await;
        }
        w.tick(&[("AAA", aaa), ("BBB", bbb)]).await;
        w.close(n).await;
    }
    let before = board_rows(&w);
    assert!(before.iter().filter(|r| r.score != 0).count() == 2, "two players have a Sharpe ratio: {before:?}");

    w.restart().await;
    w.tick(&[("AAA", usd(105)), ("BBB", Price(515_000))]).await;
    assert_eq!(board_rows(&w), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_are_group_committed_and_every_acknowledged_one_is_stored() {
    const PLAYERS: usize = 10;
    const PER_PLAYER: usize = 200;
    let (w, e) = World::running(rules(), PLAYERS).await;
    let mut tasks = Vec::with_capacity(PLAYERS * PER_PLAYER);
    for i in 0..PER_PLAYER {
        for entry in &e {
            let handle = w.handle.clone();
            let entry = entry.id;
            let request = if i % 2 == 0 {
                market("AAA", Side::Buy, 1)
            } else {
                OrderRequest { time_in_force: TimeInForce::Gtc, ..limit("AAA", Side::Buy, 1, usd(90)) }
            };
            tasks.push(tokio::spawn(async move { handle.place(entry, request).await }));
        }
    }
    let mut acked = Vec::with_capacity(tasks.len());
    for task in tasks {
        let order = task.await.expect("task").expect("acknowledged");
        acked.push(order.id);
    }
    assert_eq!(acked.len(), PLAYERS * PER_PLAYER);
    // Read straight away: acknowledged orders are already committed.
    let stored: HashSet<OrderId> = w.orders().await.into_iter().map(|o| o.id).collect();
    assert_eq!(stored.len(), acked.len());
    assert!(acked.iter().all(|id| stored.contains(id)));
    let stats = w.handle.stats();
    assert_eq!(stats.orders_accepted.load(Ordering::Relaxed), acked.len() as u64);
    let batches = stats.batches.load(Ordering::Relaxed);
    assert!(batches < acked.len() as u64, "{batches} batches for {} orders: no batching", acked.len());
    for entry in &e {
        let account = w.account(entry).await;
        assert_eq!(account.portfolio.qty(&sym("AAA")), Qty((PER_PLAYER / 2) as i64));
        assert_eq!(account.open_orders.len(), PER_PLAYER / 2);
        assert_eq!(account.portfolio.cash, money(100_000 - 100 * (PER_PLAYER as i64 / 2)));
    }
    assert_checks(&w, &acked).await;
}
