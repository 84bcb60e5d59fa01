//! The dashboard on the warehouse's hand-checked scenario (the warehouse crate's test fixture:
//! three traders, AAPL and XOM, 2024-01-02 … 01-04), against figures worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../warehouse/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use bullpen_analytics::dashboard::{
    equity_curve, freshness, history, peer_points, peer_trades, who_else, EntryRef, HistoryKind, HistoryQuery,
    PeerGroup, SideFilter,
};
use bullpen_domain::{Money, Symbol};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::{open_session, ExportOptions, Exporter, Location};
use support::{day, entry_id, MemorySource, T};

async fn warehouse() -> (tempfile::TempDir, Location, SessionContext) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    let source = Arc::new(MemorySource::new(10));
    Exporter::open(location.clone(), source, ExportOptions::default()).await.unwrap().run_once().await.unwrap();
    let ctx = open_session(&location).await.unwrap();
    (dir, location, ctx)
}

fn entry(n: i64) -> EntryRef {
    EntryRef { tournament_id: T, entry_id: entry_id(n) }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_filters_and_pages_newest_first() {
    let (_dir, _loc, ctx) = warehouse().await;
    let q = HistoryQuery { limit: 2, ..HistoryQuery::default() };
    let page = history(&ctx, entry(1), &q).await.unwrap();
    let seqs: Vec<i64> = page.fills.iter().map(|f| f.seq).collect();
    assert_eq!((seqs, page.next.as_deref()), (vec![10, 7], Some("7")));
    assert_eq!(page.fills[0].notional, Money::from_dollars(240));
    assert_eq!(page.fills[0].fee, Money::from_dollars(1));
    let rest = history(&ctx, entry(1), &HistoryQuery { after: page.next.clone(), ..q.clone() }).await.unwrap();
    assert_eq!((rest.fills.iter().map(|f| f.seq).collect::<Vec<_>>(), rest.next), (vec![4], None));

    let aapl = HistoryQuery { symbol: Symbol::parse("AAPL").ok(), limit: 10, ..HistoryQuery::default() };
    let page = history(&ctx, entry(1), &aapl).await.unwrap();
    assert_eq!(page.fills.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![7, 4]);
    let buys = HistoryQuery { side: Some(SideFilter::Buy), limit: 10, ..HistoryQuery::default() };
    assert_eq!(
        history(&ctx, entry(1), &buys).await.unwrap().fills.iter().map(|f| f.seq).collect::<Vec<_>>(),
        vec![10, 4]
    );
    let jan3 = HistoryQuery { from: Some(day(3)), to: Some(day(3)), limit: 10, ..HistoryQuery::default() };
    assert_eq!(history(&ctx, entry(1), &jan3).await.unwrap().fills.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![7]);

    let closed = HistoryQuery { kind: HistoryKind::Closed, limit: 10, ..HistoryQuery::default() };
    let page = history(&ctx, entry(1), &closed).await.unwrap();
    assert_eq!(page.round_trips.len(), 1);
    let trip = &page.round_trips[0];
    assert_eq!((trip.symbol.as_str(), trip.close_seq, trip.piece, trip.direction.as_str()), ("AAPL", 7, 0, "long"));
    assert_eq!(trip.realized_pnl, Money::from_dollars(98));
    assert!(close(trip.trade_return, 0.098));

    // Bad input is refused, not guessed at.
    assert!(history(&ctx, entry(1), &HistoryQuery { limit: 0, ..HistoryQuery::default() }).await.is_err());
    let bad_cursor = HistoryQuery { after: Some("x".into()), limit: 5, ..HistoryQuery::default() };
    assert!(history(&ctx, entry(1), &bad_cursor).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equity_curve_has_median_top_decile_and_benchmark() {
    let (_dir, _loc, ctx) = warehouse().await;
    let curve = equity_curve(&ctx, entry(1)).await.unwrap();
    assert_eq!(curve.starting_cash, Money::from_dollars(10_000));
    assert_eq!(curve.points.len(), 3);
    let last = &curve.points[2];
    assert_eq!(last.date, day(4));
    // Jan 4: entry 2 $10,088, entry 1 $10,087, entry 3 $10,023.
    assert_eq!(
        (last.equity, last.median, last.top_decile),
        (Money::from_dollars(10_087), Money::from_dollars(10_087), Money::from_dollars(10_088))
    );
    assert_eq!(last.entries, 3);
    // $5,000 in each of AAPL (105 → 112) and XOM (50 → 46).
    assert_eq!(curve.benchmark_instruments, 2);
    assert_eq!(curve.points[0].benchmark, Some(Money::from_dollars(10_000)));
    assert_eq!(last.benchmark, Some(Money(53_333_333 + 46_000_000)));
    assert!(equity_curve(&ctx, entry(99)).await.unwrap().points.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_rank_against_three_peer_groups() {
    let (_dir, _loc, ctx) = warehouse().await;
    let (won, lost, xom) = (0.098, -21.5 / 1_010.0, 23.0 / 250.0);
    let groups = peer_trades(&ctx, entry(2)).await.unwrap();
    assert_eq!(groups.iter().map(|g| g.group).collect::<Vec<_>>(), PeerGroup::ALL.to_vec());
    for g in &groups {
        assert_eq!(g.trades.len(), 1, "{:?}", g.group);
        let t = &g.trades[0];
        assert_eq!((t.symbol.as_str(), t.close_seq, t.sector.as_str()), ("AAPL", 8, "Information Technology"));
        assert!(close(t.trade_return, lost) && close(t.return_percentile, 0.0), "{t:?}");
    }
    // Same symbol and same sector: the two AAPL trades of the week.
    for g in &groups[..2] {
        let t = &g.trades[0];
        assert_eq!((t.peer_trades, t.peer_traders), (2, 2));
        assert!(close(t.return_p50, (won + lost) / 2.0), "{t:?}");
        assert!(close(t.return_p10, lost + 0.1 * (won - lost)) && close(t.return_p90, lost + 0.9 * (won - lost)));
    }
    // The whole tournament adds entry 3's XOM short.
    let t = &groups[2].trades[0];
    assert_eq!((t.peer_trades, t.peer_traders), (3, 3));
    assert!(close(t.return_p50, xom), "{t:?}");
    assert!(close(t.return_p10, lost + 0.2 * (xom - lost)), "{t:?}");

    let best = peer_trades(&ctx, entry(1)).await.unwrap();
    assert!(close(best[2].trades[0].return_percentile, 1.0));
    let energy = peer_trades(&ctx, entry(3)).await.unwrap();
    assert_eq!((energy[1].trades[0].sector.as_str(), energy[1].trades[0].peer_trades), ("Energy", 1));

    // The scatter's distribution: own trades flagged, peers by group, capped.
    let points = peer_points(&ctx, entry(2), PeerGroup::Tournament, 100).await.unwrap();
    assert_eq!(points.points.len(), 3);
    assert_eq!(points.points.iter().filter(|p| p.own).count(), 1);
    let symbol = peer_points(&ctx, entry(2), PeerGroup::Symbol, 100).await.unwrap();
    assert!(symbol.points.iter().all(|p| p.symbol == "AAPL") && symbol.points.len() == 2);
    let capped = peer_points(&ctx, entry(2), PeerGroup::Tournament, 1).await.unwrap();
    assert_eq!((capped.points.len(), capped.omitted), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_else_lists_the_week_s_traders_by_pseudonym() {
    let (_dir, loc, ctx) = warehouse().await;
    let w = who_else(&ctx, entry(1), 7, 0).await.unwrap().expect("the trade");
    assert_eq!((w.symbol.as_str(), w.week), ("AAPL", day(1)));
    assert_eq!(w.traders.len(), 2);
    let (you, other) = (&w.traders[0], &w.traders[1]);
    assert!(you.is_you && you.label == "You");
    assert_eq!((you.bought, you.sold, you.fills, you.round_trips), (10, 10, 2, 1));
    assert_eq!(you.realized_pnl, Money::from_dollars(98));
    assert!(!other.is_you && other.label.starts_with("Trader ") && other.trader_id.len() == 32);
    assert_eq!((other.bought, other.sold, other.round_trips), (20, 10, 1));
    assert_eq!(other.realized_pnl, Money(-215_000));
    assert!(close(other.trade_return.unwrap(), -21.5 / 1_010.0));
    let json = serde_json::to_string(&w).unwrap();
    assert!(!json.contains("Bob") && !json.contains("Alice"), "names never leave the warehouse: {json}");
    // Someone else's trade key is not the entry's.
    assert!(who_else(&ctx, entry(1), 8, 0).await.unwrap().is_none());

    let f = freshness(&loc, T, None, 60).await.unwrap();
    assert_eq!(f.exported_seq, 10);
    assert!(f.as_of.as_deref().is_some_and(|t| t.starts_with("2024-01-04T")), "{f:?}");
    assert_eq!((f.seq_behind, f.refresh_seconds), (None, 60));
    let source = MemorySource::new(10);
    let f = freshness(&loc, T, Some(&source), 60).await.unwrap();
    assert_eq!(f.seq_behind, Some(0));
}
