//! Order previews: every rule evaluated against the state placement would see, and nothing
//! changes — not the store, not the account, not the day's order count.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bullpen_domain::{CheckResult, Entry, Money, PreviewRule, RejectReason, Side, TournamentRules, TournamentState};
use bullpen_engine::EngineError;
use common::*;

#[derive(Debug, PartialEq)]
struct Observed {
    ledger: Vec<bullpen_domain::LedgerEntry>,
    orders: Vec<bullpen_domain::Order>,
    entries: Vec<Entry>,
    portfolio: bullpen_domain::portfolio::Portfolio,
    equity: Money,
    open_orders: Vec<bullpen_domain::Order>,
    leaderboard: Vec<bullpen_engine::LeaderboardRow>,
}

async fn observe(w: &World, entry: &Entry) -> Observed {
    w.handle.barrier().await.expect("barrier");
    let account = w.account(entry).await;
    Observed {
        ledger: w.ledger().await,
        orders: w.orders().await,
        entries: w.store.entries(w.tournament.id).await.expect("entries"),
        portfolio: account.portfolio,
        equity: account.equity,
        open_orders: account.open_orders,
        leaderboard: w.handle.leaderboard().rows.clone(),
    }
}

#[tokio::test]
async fn a_preview_changes_nothing() {
    let rules = TournamentRules { max_orders_per_day: Some(3), ..rules() };
    let (w, e) = World::running(rules, 2).await;
    let p1 = &e[0];
    w.place(p1, market("AAA", Side::Buy, 10)).await;
    w.place(p1, limit("BBB", Side::Buy, 10, usd(45))).await;
    let before = observe(&w, p1).await;

    for request in [
        market("AAA", Side::Buy, 5),
        market("AAA", Side::Sell, 5),
        limit("CCC", Side::Buy, 100, usd(19)),
        market("AAA", Side::Buy, 100_000),
        market("ZZZZ", Side::Buy, 1),
    ] {
        w.handle.preview(p1.id, request).await.expect("preview");
    }
    assert_eq!(observe(&w, p1).await, before, "a preview changed something");

    // Previews do not count against the daily order limit: one more order still fits.
    w.place(p1, market("CCC", Side::Buy, 1)).await;
    let fourth = w.handle.place(p1.id, market("CCC", Side::Buy, 1)).await;
    assert_eq!(fourth.unwrap_err(), EngineError::Rejected(RejectReason::MaxOrdersPerDay(3)));
}

#[tokio::test]
async fn a_preview_reports_every_rule_and_the_reason_placement_would_give() {
    let (w, e) = World::running(rules(), 1).await;
    let p1 = &e[0];
    // $60,000 held by a resting buy leaves $40,000.
    w.place(p1, limit("AAA", Side::Buy, 600, usd(100))).await;
    let request = limit("BBB", Side::Buy, 801, usd(50));
    let preview = w.handle.preview(p1.id, request.clone()).await.expect("preview");
    let expected = RejectReason::InsufficientBuyingPower { needed: money(40_050), available: money(40_000) };
    assert_eq!(preview.rejection(), Some(&expected));
    assert_eq!(preview.buying_power, money(40_000));
    assert_eq!(preview.buying_power_needed, Some(money(40_050)));
    assert_eq!(preview.notional, Some(money(40_050)));
    assert_eq!(preview.commission, Some(Money::ZERO));
    let rules: Vec<PreviewRule> = preview.checks.iter().map(|c| c.rule).collect();
    assert_eq!(rules, PreviewRule::ALL.to_vec());
    let market_open = preview.checks.iter().find(|c| c.rule == PreviewRule::MarketOpen).expect("row");
    assert_eq!(market_open.result, CheckResult::Pass);
    let placed = w.handle.place(p1.id, request).await;
    assert_eq!(placed.unwrap_err(), EngineError::Rejected(expected));

    let fits = w.handle.preview(p1.id, limit("BBB", Side::Buy, 800, usd(50))).await.expect("preview");
    assert!(fits.passes(), "{fits:?}");
    assert_eq!(fits.buying_power_after, Some(Money::ZERO));
}

#[tokio::test]
async fn a_preview_needs_a_running_tournament_and_an_entry() {
    let (w, e) = World::running(rules(), 1).await;
    let unknown = bullpen_domain::EntryId::compose(w.tournament.id, 99);
    let result = w.handle.preview(unknown, market("AAA", Side::Buy, 1)).await;
    assert_eq!(result.unwrap_err(), EngineError::Rejected(RejectReason::UnknownEntry));
    w.handle.set_state(TournamentState::Finished).await.expect("finish");
    let result = w.handle.preview(e[0].id, market("AAA", Side::Buy, 1)).await;
    assert!(matches!(result, Err(EngineError::Rejected(RejectReason::TournamentNotRunning(_)))), "{result:?}");
}
