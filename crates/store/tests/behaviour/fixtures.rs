//! Builders for test records.

use std::sync::Arc;

use bullpen_domain::{
    Entry, EntryId, LedgerEntry, LedgerKind, Money, Order, OrderId, OrderStatus, OrderType, Price, Qty, Side, Symbol,
    TimeInForce, TournamentId, TournamentKind, TournamentRules, TournamentState, Ts, UserId,
};
use bullpen_store::{generated_client_order_id, Batch, NewTournament, NewUser, Store};
use chrono::NaiveDate;

pub fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub async fn user(store: &Arc<dyn Store>, handle: &str) -> UserId {
    store
        .create_user(NewUser {
            handle: handle.to_string(),
            display_name: format!("{handle} (display)"),
            is_bot: false,
            created_at: Ts(1_000),
        })
        .await
        .unwrap()
        .id
}

pub fn new_tournament(name: &str) -> NewTournament {
    NewTournament {
        name: name.to_string(),
        kind: TournamentKind::AdHoc,
        state: TournamentState::Running,
        starts_on: day(2024, 1, 2),
        ends_on: day(2024, 3, 28),
        rules: TournamentRules::default(),
        challenge: None,
        created_at: Ts(2_000),
    }
}

pub async fn tournament(store: &Arc<dyn Store>, name: &str) -> TournamentId {
    store.create_tournament(new_tournament(name)).await.unwrap().id
}

pub fn entry(t: TournamentId, local: i64, user: UserId) -> Entry {
    Entry {
        id: EntryId::compose(t, local),
        tournament_id: t,
        user_id: user,
        display_name: format!("player {local}"),
        joined_at: Ts(3_000 + local),
    }
}

/// A tournament with `n` entries committed (users `p1`…`pn` prefixed by `tag`).
pub async fn tournament_with_entries(store: &Arc<dyn Store>, tag: &str, n: i64) -> (TournamentId, Vec<Entry>) {
    let t = tournament(store, &format!("{tag} cup")).await;
    let mut entries = Vec::new();
    for i in 1..=n {
        let u = user(store, &format!("{tag}_p{i}")).await;
        entries.push(entry(t, i, u));
    }
    store.commit_batch(&Batch { tournament_id: t, entries: entries.clone(), ..Batch::default() }).await.unwrap();
    (t, entries)
}

/// A working limit buy with a generated client order id.
pub fn order(t: TournamentId, local: i64, entry: EntryId, seq: i64) -> Order {
    let id = OrderId::compose(t, local);
    Order {
        id,
        tournament_id: t,
        entry_id: entry,
        client_order_id: generated_client_order_id(id),
        symbol: sym("AAPL"),
        side: Side::Buy,
        order_type: OrderType::Limit,
        time_in_force: TimeInForce::Gtc,
        qty: Qty(10),
        filled_qty: Qty(0),
        filled_avg_price: None,
        limit_price: Some(Price(1_850_000)),
        stop_price: None,
        stop_triggered: false,
        status: OrderStatus::New,
        reject_reason: None,
        replaces: None,
        replaced_by: None,
        created_at: Ts(10_000 + local),
        updated_at: Ts(10_000 + local),
        filled_at: None,
        canceled_at: None,
        expired_at: None,
        replaced_at: None,
        rejected_at: None,
        seq,
    }
}

/// The order, completely filled at `price` at `at`.
pub fn filled(mut o: Order, price: i64, at: i64) -> Order {
    o.filled_qty = o.qty;
    o.filled_avg_price = Some(Price(price));
    o.transition(OrderStatus::Filled, Ts(at));
    o
}

/// A deposit of $100,000.
pub fn deposit(t: TournamentId, seq: i64, entry: EntryId) -> LedgerEntry {
    LedgerEntry {
        seq,
        tournament_id: t,
        entry_id: entry,
        ts: Ts(3_000 + seq),
        kind: LedgerKind::Deposit,
        symbol: None,
        qty_delta: Qty(0),
        cash_delta: Money::from_dollars(100_000),
        price: None,
        fee: Money::ZERO,
        order_id: None,
        ratio: (0, 0),
        cash_after: Money::from_dollars(100_000),
        qty_after: Qty(0),
    }
}

/// A buy of 10 AAPL at $185 for `order`.
pub fn trade(t: TournamentId, seq: i64, entry: EntryId, order: OrderId) -> LedgerEntry {
    LedgerEntry {
        seq,
        tournament_id: t,
        entry_id: entry,
        ts: Ts(20_000 + seq),
        kind: LedgerKind::Trade,
        symbol: Some(sym("AAPL")),
        qty_delta: Qty(10),
        cash_delta: Money(-18_500_000 - 10_000),
        price: Some(Price(1_850_000)),
        fee: Money(10_000),
        order_id: Some(order),
        ratio: (0, 0),
        cash_after: Money(1_000_000_000 - 18_510_000),
        qty_after: Qty(10),
    }
}
