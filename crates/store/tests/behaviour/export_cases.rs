//! The reads of the analytics export: changes since a sequence number, an id or a date.

use std::sync::Arc;

use bullpen_domain::{DailyBar, Money, OrderStatus, Price, Ts, UserId};
use bullpen_store::{Batch, EquitySnapshot, Store};

use crate::fixtures::{day, deposit, filled, order, sym, tournament_with_entries, trade};

pub async fn orders_changed_and_heads_follow_sequence_numbers(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "exp", 2).await;
    let (e1, e2) = (entries[0].id, entries[1].id);
    let (o1, o2) = (order(t, 1, e1, 1), order(t, 2, e2, 2));
    let first = Batch {
        tournament_id: t,
        orders: vec![o1.clone(), o2.clone()],
        ledger: vec![deposit(t, 3, e1)],
        last_seq: 3,
        ..Batch::default()
    };
    store.commit_batch(&first).await.unwrap();
    let mut o1_done = filled(o1.clone(), 1_850_000, 30_000);
    o1_done.seq = 4;
    let second = Batch {
        tournament_id: t,
        orders: vec![o1_done.clone()],
        ledger: vec![trade(t, 5, e1, o1.id)],
        last_seq: 5,
        ..Batch::default()
    };
    store.commit_batch(&second).await.unwrap();
    // Another tournament's orders never show.
    let (other, other_entries) = tournament_with_entries(&store, "exp-other", 1).await;
    let foreign = order(other, 1, other_entries[0].id, 1);
    store
        .commit_batch(&Batch { tournament_id: other, orders: vec![foreign], last_seq: 1, ..Batch::default() })
        .await
        .unwrap();

    // o1 changed last at seq 4: it belongs to (3, 5], in its latest state.
    assert_eq!(store.orders_changed(t, 0, 3).await.unwrap(), vec![o2.clone()]);
    assert_eq!(store.orders_changed(t, 3, 5).await.unwrap(), vec![o1_done.clone()]);
    assert_eq!(store.orders_changed(t, 0, 5).await.unwrap(), vec![o2.clone(), o1_done.clone()]);
    assert_eq!(store.orders_changed(t, 0, 5).await.unwrap()[1].status, OrderStatus::Filled);
    assert!(store.orders_changed(t, 5, 100).await.unwrap().is_empty());
    assert!(store.orders_changed(t, 5, 5).await.unwrap().is_empty());

    let heads = store.sequence_heads().await.unwrap();
    let mine = heads.iter().find(|h| h.tournament_id == t).unwrap();
    assert_eq!((mine.last_seq, mine.last_ts), (5, Some(Ts(20_005))));
    let theirs = heads.iter().find(|h| h.tournament_id == other).unwrap();
    assert_eq!((theirs.last_seq, theirs.last_ts), (1, None));
    assert!(heads.windows(2).all(|w| w[0].tournament_id < w[1].tournament_id));
}

pub async fn snapshots_and_users_page_by_date_and_id(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "snap", 2).await;
    let snap = |i: usize, d: u32| EquitySnapshot {
        entry_id: entries[i].id,
        date: day(2024, 1, d),
        equity: Money(1_000 * i64::from(d)),
        cash: Money(10),
        low_equity: Money(5),
        traded: i == 0,
    };
    let snapshots = vec![snap(1, 2), snap(0, 2), snap(0, 3), snap(1, 3), snap(0, 4)];
    store.commit_batch(&Batch { tournament_id: t, equity_snapshots: snapshots, ..Batch::default() }).await.unwrap();
    let all = store.equity_snapshots_after(t, None).await.unwrap();
    assert_eq!(all, vec![snap(0, 2), snap(1, 2), snap(0, 3), snap(1, 3), snap(0, 4)]);
    assert_eq!(store.equity_snapshots_after(t, Some(day(2024, 1, 3))).await.unwrap(), vec![snap(0, 4)]);
    assert!(store.equity_snapshots_after(t, Some(day(2024, 1, 4))).await.unwrap().is_empty());
    let (other, _) = tournament_with_entries(&store, "snap-other", 1).await;
    assert!(store.equity_snapshots_after(other, None).await.unwrap().is_empty());

    // Users: tournament_with_entries made snap_p1, snap_p2 and snap-other_p1, in id order.
    let first = store.users_after(UserId(0), 2).await.unwrap();
    assert_eq!(first.iter().map(|u| u.handle.as_str()).collect::<Vec<_>>(), vec!["snap_p1", "snap_p2"]);
    let rest = store.users_after(first[1].id, 10).await.unwrap();
    assert_eq!(rest.iter().map(|u| u.handle.as_str()).collect::<Vec<_>>(), vec!["snap-other_p1"]);
    assert!(store.users_after(rest[0].id, 10).await.unwrap().is_empty());
    assert!(store.users_after(UserId(0), 0).await.unwrap().is_empty());
}

pub async fn bar_fingerprints_change_with_the_bars_of_their_year(store: Arc<dyn Store>) {
    assert!(store.bar_fingerprints().await.unwrap().is_empty());
    let bar = |y: i32, d: u32, close: i64| DailyBar {
        date: day(y, 1, d),
        symbol: sym("AAPL"),
        open: Price(1_000_000),
        high: Price(1_100_000),
        low: Price(900_000),
        close: Price(close),
        volume: 1_000,
    };
    store.insert_bars(&[bar(2023, 3, 1_000_000), bar(2024, 2, 1_000_000), bar(2024, 3, 1_050_000)]).await.unwrap();
    let before = store.bar_fingerprints().await.unwrap();
    assert_eq!(before.iter().map(|f| (f.year, f.rows)).collect::<Vec<_>>(), vec![(2023, 1), (2024, 2)]);

    // The same values again: nothing changes.
    store.insert_bars(&[bar(2024, 3, 1_050_000)]).await.unwrap();
    assert_eq!(store.bar_fingerprints().await.unwrap(), before);

    // A corrected close changes its year only.
    store.insert_bars(&[bar(2024, 3, 1_060_000)]).await.unwrap();
    let after = store.bar_fingerprints().await.unwrap();
    assert_eq!(after[0], before[0]);
    assert_eq!(after[1].rows, 2);
    assert_ne!(after[1].checksum, before[1].checksum);
}
