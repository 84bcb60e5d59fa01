//! Shared fixtures for the engine's integration tests: a real SQLite store in a temporary
//! directory, a manual clock, one tournament with a few instruments and players.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bullpen_domain::{
    Entry, EntryId, LedgerEntry, Money, Order, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce,
    Tournament, TournamentKind, TournamentRules, TournamentState, Ts,
};
use bullpen_engine::{AccountSnapshot, Engine, EngineError, PriceUpdate, SequencerConfig, TournamentHandle};
use bullpen_market::clock::ManualClock;
use bullpen_store::{NewInstrument, NewTournament, NewUser, OrderFilter, Store};
use chrono::NaiveDate;
use tempfile::TempDir;

/// The symbols every test world lists (sorted, as the store returns them).
pub const SYMBOLS: [&str; 4] = ["AAA", "BBB", "CCC", "PENY"];

/// 2024-03-04 14:30 UTC, a Monday's open.
pub const START: Ts = Ts(1_709_562_600_000_000);

/// A symbol from a literal.
pub fn sym(s: &str) -> Symbol {
    Symbol::parse(s).expect("valid symbol")
}

/// Whole dollars as a price.
pub fn usd(dollars: i64) -> Price {
    Price::from_dollars(dollars)
}

/// Whole dollars as money.
pub fn money(dollars: i64) -> Money {
    Money::from_dollars(dollars)
}

/// The first trading day of the test tournament.
pub fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 4).unwrap() + chrono::Days::new(u64::from(n))
}

/// A request with the usual defaults (day, no prices, no client id).
pub fn req(symbol: &str, side: Side, order_type: OrderType, qty: i64) -> OrderRequest {
    OrderRequest {
        client_order_id: None,
        symbol: sym(symbol),
        side,
        order_type,
        time_in_force: TimeInForce::Day,
        qty: Qty(qty),
        limit_price: None,
        stop_price: None,
    }
}

/// A market order.
pub fn market(symbol: &str, side: Side, qty: i64) -> OrderRequest {
    req(symbol, side, OrderType::Market, qty)
}

/// A limit order.
pub fn limit(symbol: &str, side: Side, qty: i64, price: Price) -> OrderRequest {
    OrderRequest { limit_price: Some(price), ..req(symbol, side, OrderType::Limit, qty) }
}

/// A stop order.
pub fn stop(symbol: &str, side: Side, qty: i64, stop: Price) -> OrderRequest {
    OrderRequest { stop_price: Some(stop), ..req(symbol, side, OrderType::Stop, qty) }
}

/// A stop-limit order.
pub fn stop_limit(symbol: &str, side: Side, qty: i64, stop: Price, limit: Price) -> OrderRequest {
    OrderRequest { stop_price: Some(stop), limit_price: Some(limit), ..req(symbol, side, OrderType::StopLimit, qty) }
}

/// One test world: store, clock, engine and a tournament.
pub struct World {
    /// Keeps the database directory alive.
    pub dir: TempDir,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The engine's clock.
    pub clock: Arc<ManualClock>,
    /// The engine.
    pub engine: Engine,
    /// The tournament as created.
    pub tournament: Tournament,
    /// Its sequencer.
    pub handle: TournamentHandle,
}

/// Rules for most tests: $100,000, free trading, shorts allowed, no slippage.
pub fn rules() -> TournamentRules {
    TournamentRules::default()
}

impl World {
    /// A world whose tournament is in registration (players can join, nobody can trade).
    pub async fn new(rules: TournamentRules) -> World {
        Self::with_state(rules, TournamentState::Registration).await
    }

    /// A world whose tournament is created in `state`.
    pub async fn with_state(rules: TournamentRules, state: TournamentState) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = bullpen_store::open_store(dir.path(), None).await.expect("open store");
        let instruments: Vec<NewInstrument> = SYMBOLS
            .iter()
            .map(|s| NewInstrument { symbol: sym(s), name: format!("{s} Inc."), sector: "Industrials".into() })
            .collect();
        store.upsert_instruments(&instruments).await.expect("instruments");
        let tournament = bullpen_engine::admin::create_tournament(
            store.as_ref(),
            NewTournament {
                name: "Test Cup".into(),
                kind: TournamentKind::AdHoc,
                state,
                starts_on: day(0),
                ends_on: day(30),
                rules,
                challenge: None,
                created_at: START,
            },
        )
        .await
        .expect("tournament");
        let clock = Arc::new(ManualClock::new(START));
        let engine = Engine::new(Arc::clone(&store), clock.clone(), SequencerConfig::default());
        let handle = engine.start(tournament.id).await.expect("start");
        World { dir, store, clock, engine, tournament, handle }
    }

    /// A running tournament with `players` entries and the market open with AAA at $100, BBB at
    /// $50, CCC at $20 and PENY at $4.
    pub async fn running(rules: TournamentRules, players: usize) -> (World, Vec<Entry>) {
        let world = World::new(rules).await;
        let entries = world.join(players).await;
        world.set_running().await;
        world.open(0).await;
        world.tick(&[("AAA", usd(100)), ("BBB", usd(50)), ("CCC", usd(20)), ("PENY", usd(4))]).await;
        (world, entries)
    }

    /// Creates users `p1..pn` and joins them, one second apart.
    pub async fn join(&self, n: usize) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(n);
        let first = self.entry_count().await;
        for i in first + 1..=first + n {
            entries.push(self.join_one(&format!("p{i}")).await.expect("join"));
        }
        entries
    }

    /// Creates one user with `handle` and joins it.
    pub async fn join_one(&self, handle: &str) -> Result<Entry, EngineError> {
        let user = self
            .store
            .create_user(NewUser {
                handle: handle.into(),
                display_name: format!("Player {handle}"),
                is_bot: false,
                created_at: self.clock.now_ts(),
            })
            .await
            .expect("user");
        self.clock.advance_seconds(1);
        self.handle.join(user.id, &user.display_name).await
    }

    async fn entry_count(&self) -> usize {
        self.store.entries(self.tournament.id).await.expect("entries").len()
    }

    /// Moves the tournament to running.
    pub async fn set_running(&self) {
        self.handle.set_state(TournamentState::Running).await.expect("running");
    }

    /// Opens the session of trading day `n`.
    pub async fn open(&self, n: u32) {
        self.handle.open_session(self.clock.now_ts(), day(n), Vec::new()).await.expect("open");
    }

    /// Closes the session of trading day `n`.
    pub async fn close(&self, n: u32) {
        self.handle.close_session(self.clock.now_ts(), day(n)).await.expect("close");
    }

    /// Sends prices one second after the previous event and waits until they are applied.
    pub async fn tick(&self, prices: &[(&str, Price)]) -> bullpen_engine::TickReport {
        let ts = self.clock.advance_seconds(1);
        let updates = prices.iter().map(|(s, p)| PriceUpdate { symbol: sym(s), price: *p, day_volume: None }).collect();
        self.handle.tick(ts, updates).await.expect("tick")
    }

    /// Sends prices with the day's volume so far (for the volume cap).
    pub async fn tick_volume(&self, symbol: &str, price: Price, day_volume: i64) {
        let ts = self.clock.advance_seconds(1);
        let update = PriceUpdate { symbol: sym(symbol), price, day_volume: Some(day_volume) };
        self.handle.tick(ts, vec![update]).await.expect("tick");
    }

    /// Places an order, expecting acceptance.
    pub async fn place(&self, entry: &Entry, request: OrderRequest) -> Order {
        self.handle.place(entry.id, request).await.expect("order accepted")
    }

    /// An entry's account.
    pub async fn account(&self, entry: &Entry) -> AccountSnapshot {
        self.handle.account(entry.id).await.expect("account")
    }

    /// The whole stored ledger of the tournament.
    pub async fn ledger(&self) -> Vec<LedgerEntry> {
        self.store.ledger(self.tournament.id, None, 0, i64::MAX).await.expect("ledger")
    }

    /// The stored ledger of one entry.
    pub async fn ledger_of(&self, entry: EntryId) -> Vec<LedgerEntry> {
        self.store.ledger(self.tournament.id, Some(entry), 0, i64::MAX).await.expect("ledger")
    }

    /// Every stored order of the tournament.
    pub async fn orders(&self) -> Vec<Order> {
        self.store.orders(self.tournament.id, &OrderFilter::default()).await.expect("orders")
    }

    /// One stored order.
    pub async fn stored(&self, order: &Order) -> Order {
        self.store.order(order.id).await.expect("order read").expect("order stored")
    }

    /// Stops the engine and starts a new one on the same store (a restart).
    pub async fn restart(&mut self) {
        self.engine.shutdown().await;
        self.engine = Engine::new(Arc::clone(&self.store), self.clock.clone(), SequencerConfig::default());
        self.handle = self.engine.start(self.tournament.id).await.expect("restart");
    }
}

/// `ManualClock::now` without importing the trait everywhere.
pub trait NowTs {
    /// The current time.
    fn now_ts(&self) -> Ts;
}

impl NowTs for ManualClock {
    fn now_ts(&self) -> Ts {
        bullpen_market::clock::Clock::now(self)
    }
}

/// The stable code of a rejection, panicking on any other outcome.
pub fn reject_code<T: std::fmt::Debug>(result: Result<T, EngineError>) -> &'static str {
    match result {
        Err(EngineError::Rejected(reason)) => reason.code(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}
