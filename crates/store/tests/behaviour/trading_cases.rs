//! The engine's write path and its reads.

use std::sync::Arc;

use bullpen_domain::{
    EntryId, LedgerKind, Money, OrderId, OrderStatus, OrderType, Price, Qty, RejectReason, Side, TimeInForce,
    TournamentId, Ts,
};
use bullpen_store::{Batch, EquitySnapshot, OrderFilter, Store, StoreError};

use crate::fixtures::{day, deposit, entry, filled, order, sym, tournament, tournament_with_entries, trade, user};

fn snapshot(entry: EntryId, d: u32, equity: i64) -> EquitySnapshot {
    EquitySnapshot {
        entry_id: entry,
        date: day(2024, 1, d),
        equity: Money(equity),
        cash: Money(equity / 2),
        low_equity: Money(equity - 5_000),
        traded: d.is_multiple_of(2),
    }
}

pub async fn commit_batch_round_trips_everything(store: Arc<dyn Store>) {
    let t = tournament(&store, "Round trip").await;
    let u1 = user(&store, "rt1").await;
    let u2 = user(&store, "rt2").await;
    let (e1, e2) = (entry(t, 1, u1), entry(t, 2, u2));

    let mut given = order(t, 2, e2.id, 4);
    given.client_order_id = "my-first-order".into();
    given.symbol = sym("BRK.B");
    given.side = Side::SellShort;
    given.order_type = OrderType::StopLimit;
    given.time_in_force = TimeInForce::Day;
    given.stop_price = Some(Price(4_000_000));
    given.limit_price = Some(Price(3_990_000));
    let market = order(t, 1, e1.id, 3);
    let first = Batch {
        tournament_id: t,
        entries: vec![e1.clone(), e2.clone()],
        orders: vec![market.clone(), given.clone()],
        ledger: vec![deposit(t, 1, e1.id), deposit(t, 2, e2.id)],
        equity_snapshots: vec![snapshot(e1.id, 2, 1_000_000_000)],
        last_seq: 4,
    };
    store.commit_batch(&first).await.unwrap();

    assert_eq!(store.entries(t).await.unwrap(), vec![e1.clone(), e2.clone()]);
    assert_eq!(store.entry_of_user(t, u2).await.unwrap(), Some(e2.clone()));
    assert_eq!(store.entry_of_user(t, bullpen_domain::UserId(u2.0 + 50)).await.unwrap(), None);
    assert_eq!(store.order(given.id).await.unwrap(), Some(given.clone()));
    assert_eq!(store.order(OrderId::compose(t, 99)).await.unwrap(), None);

    // The market order fills in the next batch, and is listed twice in it: the last state wins.
    let mut partly = market.clone();
    partly.filled_qty = Qty(4);
    partly.status = OrderStatus::PartiallyFilled;
    let done = filled(market.clone(), 1_850_000, 30_000);
    let mut rejected = order(t, 3, e1.id, 6);
    rejected.client_order_id = "oops".into();
    rejected.reject_reason = Some(RejectReason::InsufficientBuyingPower { needed: Money(5), available: Money(2) });
    rejected.transition(OrderStatus::Rejected, Ts(31_000));
    let second = Batch {
        tournament_id: t,
        entries: vec![],
        orders: vec![partly, done.clone(), rejected.clone()],
        ledger: vec![trade(t, 5, e1.id, market.id)],
        equity_snapshots: vec![snapshot(e1.id, 2, 999_000_000), snapshot(e2.id, 2, 1_000_000_000)],
        last_seq: 6,
    };
    store.commit_batch(&second).await.unwrap();

    assert_eq!(store.order(market.id).await.unwrap(), Some(done.clone()));
    assert_eq!(store.order(rejected.id).await.unwrap(), Some(rejected.clone()));
    let all = store.orders(t, &OrderFilter::default()).await.unwrap();
    assert_eq!(all, vec![done, given, rejected]);

    let ledger = store.ledger(t, None, 0, 100).await.unwrap();
    let expected = vec![deposit(t, 1, e1.id), deposit(t, 2, e2.id), trade(t, 5, e1.id, market.id)];
    assert_eq!(ledger, expected);
    assert_eq!(ledger[2].kind, LedgerKind::Trade);

    let snaps = store.equity_snapshots(t).await.unwrap();
    assert_eq!(snaps, vec![snapshot(e1.id, 2, 999_000_000), snapshot(e2.id, 2, 1_000_000_000)], "upserted");

    let state = store.load_tournament_state(t).await.unwrap();
    assert_eq!(state.last_seq, 6);
    assert_eq!(state.max_order_local, 3);

    // A batch with nothing but a lower high-water mark never moves it back.
    store.commit_batch(&Batch { tournament_id: t, last_seq: 2, ..Batch::default() }).await.unwrap();
    assert_eq!(store.load_tournament_state(t).await.unwrap().last_seq, 6);
}

pub async fn failing_batch_leaves_nothing_behind(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "atom", 1).await;
    let e1 = entries[0].id;
    let mut given = order(t, 1, e1, 2);
    given.client_order_id = "retry-me".into();
    store
        .commit_batch(&Batch {
            tournament_id: t,
            orders: vec![given.clone()],
            ledger: vec![deposit(t, 1, e1)],
            equity_snapshots: vec![snapshot(e1, 2, 5)],
            last_seq: 2,
            ..Batch::default()
        })
        .await
        .unwrap();

    // Everything valid except one ledger row reusing a taken sequence number.
    let newcomer = user(&store, "atom_late").await;
    let late = entry(t, 2, newcomer);
    let bad = Batch {
        tournament_id: t,
        entries: vec![late.clone()],
        orders: vec![filled(given.clone(), 1_850_000, 40_000), order(t, 2, late.id, 4)],
        ledger: vec![deposit(t, 1, late.id), trade(t, 3, e1, given.id)],
        equity_snapshots: vec![snapshot(e1, 2, 77), snapshot(e1, 3, 88)],
        last_seq: 4,
    };
    let err = store.commit_batch(&bad).await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    assert_unchanged(&store, t, &given).await;

    // A player-given client order id reused by another order of the same entry.
    let mut twin = order(t, 3, e1, 3);
    twin.client_order_id = "retry-me".into();
    let bad = Batch {
        tournament_id: t,
        orders: vec![twin],
        ledger: vec![trade(t, 3, e1, given.id)],
        last_seq: 3,
        ..Batch::default()
    };
    let err = store.commit_batch(&bad).await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    assert_unchanged(&store, t, &given).await;

    // The same id on another entry is fine.
    let other = user(&store, "atom_other").await;
    let e2 = entry(t, 2, other);
    let mut theirs = order(t, 3, e2.id, 4);
    theirs.client_order_id = "retry-me".into();
    store
        .commit_batch(&Batch {
            tournament_id: t,
            entries: vec![e2],
            orders: vec![theirs],
            ledger: vec![deposit(t, 3, EntryId::compose(t, 2))],
            last_seq: 4,
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(store.load_tournament_state(t).await.unwrap().client_order_ids.len(), 2);
}

async fn assert_unchanged(store: &Arc<dyn Store>, t: TournamentId, given: &bullpen_domain::Order) {
    assert_eq!(store.entries(t).await.unwrap().len(), 1, "no new entry");
    assert_eq!(store.orders(t, &OrderFilter::default()).await.unwrap(), vec![given.clone()], "orders untouched");
    assert_eq!(store.ledger(t, None, 0, 100).await.unwrap().len(), 1, "no ledger row");
    let snaps = store.equity_snapshots(t).await.unwrap();
    assert_eq!(snaps, vec![snapshot(given.entry_id, 2, 5)], "snapshots untouched");
    assert_eq!(store.load_tournament_state(t).await.unwrap().last_seq, 2, "high-water mark untouched");
}

pub async fn batches_from_other_tournaments_or_out_of_order_are_refused(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "guard", 1).await;
    let other = TournamentId(t.0 + 1);
    let e1 = entries[0].id;
    let foreign_order =
        Batch { tournament_id: t, orders: vec![order(other, 1, e1, 1)], last_seq: 1, ..Batch::default() };
    assert!(matches!(store.commit_batch(&foreign_order).await, Err(StoreError::Invalid(_))));
    let mut uncomposed = order(t, 1, e1, 1);
    uncomposed.id = OrderId(7);
    let bad = Batch { tournament_id: t, orders: vec![uncomposed], last_seq: 1, ..Batch::default() };
    assert!(matches!(store.commit_batch(&bad).await, Err(StoreError::Invalid(_))));
    let unordered =
        Batch { tournament_id: t, ledger: vec![deposit(t, 2, e1), deposit(t, 1, e1)], last_seq: 2, ..Batch::default() };
    assert!(matches!(store.commit_batch(&unordered).await, Err(StoreError::Invalid(_))));
    let beyond = Batch { tournament_id: t, ledger: vec![deposit(t, 5, e1)], last_seq: 4, ..Batch::default() };
    assert!(matches!(store.commit_batch(&beyond).await, Err(StoreError::Invalid(_))));
    let unknown_user =
        Batch { tournament_id: t, entries: vec![entry(t, 2, bullpen_domain::UserId(999_999))], ..Batch::default() };
    assert!(matches!(store.commit_batch(&unknown_user).await, Err(StoreError::Invalid(_))));
    assert!(store.ledger(t, None, 0, 10).await.unwrap().is_empty());
    assert!(store.orders(t, &OrderFilter::default()).await.unwrap().is_empty());
    assert_eq!(store.entries(t).await.unwrap().len(), 1);
}

pub async fn concurrent_batches_fail_alone(store: Arc<dyn Store>) {
    // Several tournaments commit at once (SQLite may group them into one transaction); the one
    // bad batch fails alone and every good one is stored.
    let mut setups = Vec::new();
    for i in 0..6 {
        setups.push(tournament_with_entries(&store, &format!("conc{i}"), 1).await);
    }
    let mut tasks = Vec::new();
    for (i, (t, entries)) in setups.iter().enumerate() {
        let (t, e) = (*t, entries[0].id);
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut result = Ok(());
            for round in 0..5_i64 {
                let seq = round * 2 + 1;
                let mut ledger = vec![deposit(t, seq, e), trade(t, seq + 1, e, OrderId::compose(t, round + 1))];
                if i == 3 && round == 2 {
                    ledger[1].seq = 1; // taken in round 0; also out of order, so use a separate batch
                    ledger = vec![ledger[1].clone()];
                }
                let batch = Batch {
                    tournament_id: t,
                    orders: vec![order(t, round + 1, e, seq + 1)],
                    ledger,
                    last_seq: seq + 1,
                    ..Batch::default()
                };
                if let Err(err) = store.commit_batch(&batch).await {
                    result = Err(err);
                }
            }
            result
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        if i == 3 {
            assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
        } else {
            assert!(result.is_ok(), "tournament {i}: {result:?}");
        }
    }
    for (i, (t, _)) in setups.iter().enumerate() {
        let state = store.load_tournament_state(*t).await.unwrap();
        let expected_rows = if i == 3 { 8 } else { 10 };
        assert_eq!(state.ledger.len(), expected_rows, "tournament {i}");
        assert_eq!(store.orders(*t, &OrderFilter::default()).await.unwrap().len(), if i == 3 { 4 } else { 5 });
        assert_eq!(state.last_seq, 10);
    }
}

pub async fn load_tournament_state_rebuilds_what_the_engine_needs(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "load", 2).await;
    let (e1, e2) = (entries[0].id, entries[1].id);
    // A neighbour tournament whose rows must not leak in.
    let (n, n_entries) = tournament_with_entries(&store, "neighbour", 1).await;
    let mut noise = order(n, 1, n_entries[0].id, 2);
    noise.client_order_id = "neighbour-key".into();
    store
        .commit_batch(&Batch {
            tournament_id: n,
            orders: vec![noise],
            ledger: vec![deposit(n, 1, n_entries[0].id)],
            equity_snapshots: vec![snapshot(n_entries[0].id, 2, 1)],
            last_seq: 2,
            ..Batch::default()
        })
        .await
        .unwrap();

    let statuses = [
        OrderStatus::New,
        OrderStatus::Filled,
        OrderStatus::Accepted,
        OrderStatus::Canceled,
        OrderStatus::PartiallyFilled,
        OrderStatus::Expired,
        OrderStatus::PendingNew,
        OrderStatus::Rejected,
        OrderStatus::Replaced,
    ];
    let mut orders = Vec::new();
    for (i, status) in statuses.iter().enumerate() {
        let local = i as i64 + 1;
        let mut o = order(t, local, if i % 2 == 0 { e1 } else { e2 }, 10 + local);
        o.status = *status;
        if i % 3 == 0 {
            o.client_order_id = format!("client-{local}");
        }
        orders.push(o);
    }
    let ledger: Vec<_> = (1..=30)
        .map(|s| if s <= 2 { deposit(t, s, if s == 1 { e1 } else { e2 }) } else { trade(t, s, e1, orders[1].id) })
        .collect();
    // Two batches, so the ledger spans commits.
    store
        .commit_batch(&Batch {
            tournament_id: t,
            orders: orders[..4].to_vec(),
            ledger: ledger[..10].to_vec(),
            last_seq: 10,
            ..Batch::default()
        })
        .await
        .unwrap();
    store
        .commit_batch(&Batch {
            tournament_id: t,
            orders: orders[4..].to_vec(),
            ledger: ledger[10..].to_vec(),
            equity_snapshots: vec![snapshot(e2, 3, 10), snapshot(e1, 3, 20), snapshot(e1, 2, 30)],
            last_seq: 42,
            ..Batch::default()
        })
        .await
        .unwrap();

    let state = store.load_tournament_state(t).await.unwrap();
    assert_eq!(state.entries, entries);
    assert_eq!(state.ledger, ledger, "the whole ledger in seq order");
    let open: Vec<OrderId> = state.open_orders.iter().map(|o| o.id).collect();
    let expected_open: Vec<OrderId> = orders.iter().filter(|o| o.status.is_open()).map(|o| o.id).collect();
    assert_eq!(open, expected_open);
    assert_eq!(state.open_orders[0], orders[0], "full order records");
    let mut ids = state.client_order_ids.clone();
    ids.sort_by_key(|(_, _, id)| *id);
    let expected_ids: Vec<(EntryId, String, OrderId)> = [0_usize, 3, 6]
        .iter()
        .map(|&i| (orders[i].entry_id, orders[i].client_order_id.clone(), orders[i].id))
        .collect();
    assert_eq!(ids, expected_ids, "only ids the players chose");
    assert_eq!(state.max_order_local, 9);
    assert_eq!(state.last_seq, 42);
    assert_eq!(
        state.equity_snapshots,
        vec![snapshot(e1, 2, 30), snapshot(e1, 3, 20), snapshot(e2, 3, 10)],
        "by entry then date"
    );
}

pub async fn empty_tournament_loads_empty(store: Arc<dyn Store>) {
    let t = tournament(&store, "Empty").await;
    let state = store.load_tournament_state(t).await.unwrap();
    assert!(state.entries.is_empty() && state.ledger.is_empty() && state.open_orders.is_empty());
    assert!(state.client_order_ids.is_empty() && state.equity_snapshots.is_empty());
    assert_eq!((state.max_order_local, state.last_seq), (0, 0));
    assert!(store.orders(t, &OrderFilter::default()).await.unwrap().is_empty());
    assert!(store.ledger(t, None, 0, 10).await.unwrap().is_empty());
}

pub async fn orders_filter_and_paginate_by_id(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "page", 2).await;
    let (e1, e2) = (entries[0].id, entries[1].id);
    let mut orders = Vec::new();
    for local in 1..=12_i64 {
        let mut o = order(t, local, if local % 3 == 0 { e2 } else { e1 }, local);
        if local % 2 == 0 {
            o = filled(o, 1_850_000, 50_000 + local);
        }
        orders.push(o);
    }
    // Out of id order on purpose: listings sort by id.
    let mut shuffled = orders.clone();
    shuffled.reverse();
    store.commit_batch(&Batch { tournament_id: t, orders: shuffled, last_seq: 12, ..Batch::default() }).await.unwrap();
    let (n, n_entries) = tournament_with_entries(&store, "page_other", 1).await;
    store
        .commit_batch(&Batch {
            tournament_id: n,
            orders: vec![order(n, 1, n_entries[0].id, 1)],
            last_seq: 1,
            ..Batch::default()
        })
        .await
        .unwrap();

    let ids = |v: Vec<bullpen_domain::Order>| v.into_iter().map(|o| o.id.local()).collect::<Vec<_>>();
    assert_eq!(ids(store.orders(t, &OrderFilter::default()).await.unwrap()), (1..=12).collect::<Vec<_>>());
    let open = OrderFilter { open: Some(true), ..OrderFilter::default() };
    assert_eq!(ids(store.orders(t, &open).await.unwrap()), [1, 3, 5, 7, 9, 11]);
    let closed = OrderFilter { open: Some(false), ..OrderFilter::default() };
    assert_eq!(ids(store.orders(t, &closed).await.unwrap()), [2, 4, 6, 8, 10, 12]);
    let of_e2 = OrderFilter { entry: Some(e2), ..OrderFilter::default() };
    assert_eq!(ids(store.orders(t, &of_e2).await.unwrap()), [3, 6, 9, 12]);
    let open_e2 = OrderFilter { entry: Some(e2), open: Some(true), ..OrderFilter::default() };
    assert_eq!(ids(store.orders(t, &open_e2).await.unwrap()), [3, 9]);
    let foreign_entry = OrderFilter { entry: Some(n_entries[0].id), ..OrderFilter::default() };
    assert!(store.orders(t, &foreign_entry).await.unwrap().is_empty(), "an entry of another tournament");

    // Keyset pagination: pages of 5 of e1's orders.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page_filter = OrderFilter { entry: Some(e1), after_id: after, limit: Some(5), ..OrderFilter::default() };
        let page = store.orders(t, &page_filter).await.unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen.extend(page.iter().map(|o| o.id.local()));
    }
    assert_eq!(seen, [1, 2, 4, 5, 7, 8, 10, 11]);
    let open_page = OrderFilter {
        open: Some(true),
        after_id: Some(OrderId::compose(t, 3)),
        limit: Some(2),
        ..OrderFilter::default()
    };
    assert_eq!(ids(store.orders(t, &open_page).await.unwrap()), [5, 7]);
    let zero = OrderFilter { limit: Some(0), ..OrderFilter::default() };
    assert!(store.orders(t, &zero).await.unwrap().is_empty());
    let negative = OrderFilter { limit: Some(-1), ..OrderFilter::default() };
    assert!(matches!(store.orders(t, &negative).await, Err(StoreError::Invalid(_))));
}

pub async fn ledger_pages_by_seq_and_entry(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "ledger", 2).await;
    let (e1, e2) = (entries[0].id, entries[1].id);
    let rows: Vec<_> = (1..=20).map(|s| deposit(t, s, if s % 4 == 0 { e2 } else { e1 })).collect();
    store
        .commit_batch(&Batch { tournament_id: t, ledger: rows.clone(), last_seq: 20, ..Batch::default() })
        .await
        .unwrap();
    let (n, n_entries) = tournament_with_entries(&store, "ledger_other", 1).await;
    store
        .commit_batch(&Batch {
            tournament_id: n,
            ledger: vec![deposit(n, 1, n_entries[0].id)],
            last_seq: 1,
            ..Batch::default()
        })
        .await
        .unwrap();

    let seqs = |v: Vec<bullpen_domain::LedgerEntry>| v.into_iter().map(|l| l.seq).collect::<Vec<_>>();
    assert_eq!(store.ledger(t, None, 0, 1_000).await.unwrap(), rows);
    assert_eq!(seqs(store.ledger(t, None, 5, 3).await.unwrap()), [6, 7, 8]);
    assert_eq!(seqs(store.ledger(t, None, 18, 10).await.unwrap()), [19, 20]);
    assert!(store.ledger(t, None, 20, 10).await.unwrap().is_empty());
    assert_eq!(seqs(store.ledger(t, Some(e2), 0, 100).await.unwrap()), [4, 8, 12, 16, 20]);
    assert_eq!(seqs(store.ledger(t, Some(e2), 8, 2).await.unwrap()), [12, 16]);
    assert!(store.ledger(t, Some(n_entries[0].id), 0, 100).await.unwrap().is_empty());
    assert!(store.ledger(t, None, 0, 0).await.unwrap().is_empty());
    assert!(matches!(store.ledger(t, None, 0, -5).await, Err(StoreError::Invalid(_))));
}

pub async fn entry_listings_span_distant_ids(store: Arc<dyn Store>) {
    // Ids and sequence numbers far apart (SQLite's per-entry indexes are bucketed by 16,384).
    let (t, entries) = tournament_with_entries(&store, "wide", 2).await;
    let (e1, e2) = (entries[0].id, entries[1].id);
    let locals = [1_i64, 16_383, 16_384, 16_385, 50_000, 200_000, 1_000_000];
    let orders: Vec<_> =
        locals.iter().enumerate().map(|(i, &l)| order(t, l, if i % 3 == 2 { e2 } else { e1 }, l)).collect();
    let seqs = [1_i64, 2, 16_383, 16_384, 40_000, 100_000, 1_000_001];
    let ledger: Vec<_> =
        seqs.iter().enumerate().map(|(i, &s)| deposit(t, s, if i % 3 == 2 { e2 } else { e1 })).collect();
    store
        .commit_batch(&Batch {
            tournament_id: t,
            orders: orders.clone(),
            ledger: ledger.clone(),
            last_seq: 1_000_001,
            ..Batch::default()
        })
        .await
        .unwrap();

    let of = |e, after: Option<i64>, limit| OrderFilter {
        entry: Some(e),
        after_id: after.map(|l| OrderId::compose(t, l)),
        limit,
        ..OrderFilter::default()
    };
    let locals_of = |v: Vec<bullpen_domain::Order>| v.into_iter().map(|o| o.id.local()).collect::<Vec<_>>();
    assert_eq!(locals_of(store.orders(t, &of(e1, None, None)).await.unwrap()), [1, 16_383, 16_385, 50_000, 1_000_000]);
    assert_eq!(locals_of(store.orders(t, &of(e2, None, None)).await.unwrap()), [16_384, 200_000]);
    assert_eq!(locals_of(store.orders(t, &of(e1, Some(1), Some(2))).await.unwrap()), [16_383, 16_385]);
    assert_eq!(locals_of(store.orders(t, &of(e1, Some(16_385), Some(10))).await.unwrap()), [50_000, 1_000_000]);
    assert_eq!(locals_of(store.orders(t, &of(e2, Some(16_384), Some(1))).await.unwrap()), [200_000]);
    assert!(store.orders(t, &of(e2, Some(200_000), None)).await.unwrap().is_empty());
    let open_e1 = OrderFilter { entry: Some(e1), open: Some(true), limit: Some(3), ..OrderFilter::default() };
    assert_eq!(locals_of(store.orders(t, &open_e1).await.unwrap()), [1, 16_383, 16_385]);

    let seqs_of = |v: Vec<bullpen_domain::LedgerEntry>| v.into_iter().map(|l| l.seq).collect::<Vec<_>>();
    assert_eq!(seqs_of(store.ledger(t, Some(e1), 0, 100).await.unwrap()), [1, 2, 16_384, 40_000, 1_000_001]);
    assert_eq!(seqs_of(store.ledger(t, Some(e2), 0, 100).await.unwrap()), [16_383, 100_000]);
    assert_eq!(seqs_of(store.ledger(t, Some(e1), 2, 2).await.unwrap()), [16_384, 40_000]);
    assert_eq!(seqs_of(store.ledger(t, Some(e1), 40_000, 5).await.unwrap()), [1_000_001]);
    assert_eq!(seqs_of(store.ledger(t, None, 16_383, 3).await.unwrap()), [16_384, 40_000, 100_000]);
    let state = store.load_tournament_state(t).await.unwrap();
    assert_eq!(state.max_order_local, 1_000_000);
    assert_eq!(state.ledger, ledger);
}
