//! Throughput of the engine's write path and of a rebuild read, measured, not asserted.
//!
//! ```text
//! cargo test -p bullpen-store --release --test throughput -- --ignored --nocapture
//! ```
//! `BULLPEN_BENCH_ORDERS` sets how many orders to write (default 1,000,000); PostgreSQL is
//! measured too when `BULLPEN_TEST_POSTGRES_URL` is set (`BULLPEN_BENCH_SKIP_SQLITE` measures it alone).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bullpen_domain::{
    EntryId, LedgerEntry, LedgerKind, Money, Order, OrderId, OrderStatus, OrderType, Price, Qty, Side, Symbol,
    TimeInForce, TournamentId, TournamentKind, TournamentRules, TournamentState, Ts,
};
use bullpen_store::{generated_client_order_id, Batch, NewTournament, NewUser, PgStore, SqliteStore, Store};
use chrono::NaiveDate;

/// Orders per batch (`BULLPEN_BENCH_BATCH`, default 1,000).
fn batch_size() -> i64 {
    std::env::var("BULLPEN_BENCH_BATCH").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(1_000)
}
const ENTRIES: i64 = 1_000;

fn orders_to_write() -> i64 {
    std::env::var("BULLPEN_BENCH_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

async fn setup(store: &Arc<dyn Store>) -> TournamentId {
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    let t = store
        .create_tournament(NewTournament {
            name: "throughput".into(),
            kind: TournamentKind::AdHoc,
            state: TournamentState::Running,
            starts_on: day(2),
            ends_on: day(31),
            rules: TournamentRules::default(),
            challenge: None,
            created_at: Ts(0),
        })
        .await
        .unwrap()
        .id;
    let mut entries = Vec::new();
    for i in 1..=ENTRIES {
        let u = store
            .create_user(NewUser {
                handle: format!("bench{i}"),
                display_name: format!("b{i}"),
                is_bot: true,
                created_at: Ts(0),
            })
            .await
            .unwrap();
        entries.push(bullpen_domain::Entry {
            id: EntryId::compose(t, i),
            tournament_id: t,
            user_id: u.id,
            display_name: format!("b{i}"),
            joined_at: Ts(0),
        });
    }
    store.commit_batch(&Batch { tournament_id: t, entries, ..Batch::default() }).await.unwrap();
    t
}

/// One batch in the shape the engine writes: every order once in its latest state; three in
/// four are market orders that filled (one trade ledger row each), the rest rest as limits.
fn batch(t: TournamentId, first_local: i64, first_seq: i64, symbols: &[Symbol], size: i64) -> Batch {
    let mut orders = Vec::with_capacity(size as usize);
    let mut ledger = Vec::with_capacity(size as usize);
    let mut seq = first_seq;
    for k in 0..size {
        let local = first_local + k;
        let id = OrderId::compose(t, local);
        let entry = EntryId::compose(t, 1 + local % ENTRIES);
        let symbol = symbols[(local % symbols.len() as i64) as usize].clone();
        let fills = local % 4 != 0;
        seq += 1;
        let order_seq = seq;
        let mut o = Order {
            id,
            tournament_id: t,
            entry_id: entry,
            client_order_id: generated_client_order_id(id),
            symbol: symbol.clone(),
            side: Side::Buy,
            order_type: if fills { OrderType::Market } else { OrderType::Limit },
            time_in_force: TimeInForce::Day,
            qty: Qty(10),
            filled_qty: Qty(0),
            filled_avg_price: None,
            limit_price: if fills { None } else { Some(Price(1_000_000)) },
            stop_price: None,
            stop_triggered: false,
            status: OrderStatus::New,
            reject_reason: None,
            replaces: None,
            replaced_by: None,
            created_at: Ts(local),
            updated_at: Ts(local),
            filled_at: None,
            canceled_at: None,
            expired_at: None,
            replaced_at: None,
            rejected_at: None,
            seq: order_seq,
        };
        if fills {
            seq += 1;
            o.filled_qty = Qty(10);
            o.filled_avg_price = Some(Price(1_850_000));
            o.transition(OrderStatus::Filled, Ts(local));
            o.seq = seq;
            ledger.push(LedgerEntry {
                seq,
                tournament_id: t,
                entry_id: entry,
                ts: Ts(local),
                kind: LedgerKind::Trade,
                symbol: Some(symbol),
                qty_delta: Qty(10),
                cash_delta: Money(-18_500_000),
                price: Some(Price(1_850_000)),
                fee: Money::ZERO,
                order_id: Some(id),
                ratio: (0, 0),
                cash_after: Money(1_000_000_000 - 18_500_000),
                qty_after: Qty(10),
            });
        }
        orders.push(o);
    }
    Batch { tournament_id: t, orders, ledger, last_seq: seq, ..Batch::default() }
}

async fn measure(label: &str, store: Arc<dyn Store>) {
    let total = orders_to_write();
    let size = batch_size();
    let t = setup(&store).await;
    let symbols: Vec<Symbol> = (0..50).map(|i| Symbol::parse(&format!("S{i}")).unwrap()).collect();
    let mut local = 1;
    let mut seq = 0;
    let mut commit_time = Duration::ZERO;
    let mut ledger_rows = 0;
    while local <= total {
        let b = batch(t, local, seq, &symbols, size);
        seq = b.last_seq;
        ledger_rows += b.ledger.len();
        let started = Instant::now();
        store.commit_batch(&b).await.unwrap();
        commit_time += started.elapsed();
        local += size;
        if (local - 1) % 200_000 < size {
            let done = local - 1;
            println!("{label}:   {done} orders, {:.0} orders/s so far", done as f64 / commit_time.as_secs_f64());
        }
    }
    let written = local - 1;
    println!(
        "{label}: commit_batch {written} orders + {ledger_rows} ledger rows in {size}-order batches: {:.2} s, {:.0} orders/s",
        commit_time.as_secs_f64(),
        written as f64 / commit_time.as_secs_f64()
    );
    for _ in 0..2 {
        let started = Instant::now();
        let snapshot = store.load_tournament_state(t).await.unwrap();
        println!(
            "{label}: load_tournament_state: {} ledger rows, {} open orders, {} entries in {:.2} s",
            snapshot.ledger.len(),
            snapshot.open_orders.len(),
            snapshot.entries.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let snapshot = store.load_tournament_state(t).await.unwrap();
    println!(
        "{label}: load_tournament_state: {} ledger rows, {} open orders, {} entries in {:.2} s",
        snapshot.ledger.len(),
        snapshot.open_orders.len(),
        snapshot.entries.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(snapshot.ledger.len(), ledger_rows);
    assert_eq!(snapshot.max_order_local, written);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run in release with --ignored --nocapture"]
async fn commit_and_rebuild_throughput() {
    let dir = tempfile::tempdir().unwrap();
    // BULLPEN_BENCH_DIR keeps the SQLite database for inspection.
    let path =
        std::env::var("BULLPEN_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| dir.path().to_path_buf());
    if std::env::var("BULLPEN_BENCH_SKIP_SQLITE").is_err() {
        measure("sqlite", Arc::new(SqliteStore::open(&path).unwrap())).await;
    }
    if let Ok(url) = std::env::var("BULLPEN_TEST_POSTGRES_URL") {
        let schema = format!("bp_bench_{}", std::process::id());
        let store = PgStore::connect_with_schema(&url, &schema).await.unwrap();
        let admin = store.pool().clone();
        measure("postgres", Arc::new(store)).await;
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE")).execute(&admin).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement of an existing database in BULLPEN_BENCH_DIR"]
async fn rebuild_read_of_existing_database() {
    let Ok(dir) = std::env::var("BULLPEN_BENCH_DIR") else { return };
    let store = SqliteStore::open(std::path::Path::new(&dir)).unwrap();
    for _ in 0..3 {
        let started = Instant::now();
        let snapshot = store.load_tournament_state(TournamentId(1)).await.unwrap();
        println!(
            "load_tournament_state: {} ledger rows, {} open orders in {:.2} s",
            snapshot.ledger.len(),
            snapshot.open_orders.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
