//! Bullpen's trading engine.
//!
//! Each running tournament has exactly one sequencer task that owns its state (cash,
//! positions, lots, open orders, trigger books). Commands are applied in arrival order and
//! committed in batches, one transaction per batch (group commit); a command is answered only
//! after its batch is durable. Prices arrive as ticks: only holders of symbols that moved are
//! revalued and only those symbols' trigger books are consulted, so live leaderboards cost
//! O(changes). On start, state is rebuilt from the store.

pub mod admin;
pub mod check;
pub mod command;
pub mod day;
pub mod effects;
pub mod holders;
pub mod idhash;
pub mod leaderboard;
pub mod market;
pub mod orders;
pub mod quotes;
pub mod rebuild;
pub mod sequencer;
pub mod standings;
pub mod state;
pub mod stats;
pub mod triggers;
pub mod updates;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bullpen_domain::{
    CorporateAction, Entry, EntryId, Order, OrderId, OrderPreview, OrderRequest, TournamentId, TournamentState, Ts,
    UserId,
};
use bullpen_market::clock::Clock;
use bullpen_store::{FinalStanding, Store};
use chrono::NaiveDate;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

pub use command::{AccountSnapshot, AccountSummary, Command, EngineError, TickReport};
pub use leaderboard::{Leaderboard, LeaderboardRow};
pub use market::PriceUpdate;
pub use orders::ReplaceRequest;
pub use quotes::{Quote, QuoteBoard};
pub use rebuild::LoadError;
pub use sequencer::SequencerConfig;
pub use stats::EngineStats;
pub use updates::OrderUpdate;

/// A cloneable handle to one tournament's sequencer.
#[derive(Clone)]
pub struct TournamentHandle {
    id: TournamentId,
    tx: mpsc::Sender<Command>,
    leaderboard: watch::Receiver<Arc<Leaderboard>>,
    updates: broadcast::Sender<OrderUpdate>,
    stats: Arc<EngineStats>,
    quotes: watch::Receiver<QuoteBoard>,
}

impl TournamentHandle {
    /// The live quote board (last prices); `changed()` on a clone waits for the next tick.
    pub fn quotes(&self) -> watch::Receiver<QuoteBoard> {
        self.quotes.clone()
    }

    /// The tournament.
    pub fn id(&self) -> TournamentId {
        self.id
    }

    /// Counters of this sequencer.
    pub fn stats(&self) -> &Arc<EngineStats> {
        &self.stats
    }

    /// The latest published leaderboard.
    pub fn leaderboard(&self) -> Arc<Leaderboard> {
        Arc::clone(&self.leaderboard.borrow())
    }

    /// A receiver that is notified of every new leaderboard.
    pub fn watch_leaderboard(&self) -> watch::Receiver<Arc<Leaderboard>> {
        self.leaderboard.clone()
    }

    /// Durable order updates.
    pub fn subscribe_updates(&self) -> broadcast::Receiver<OrderUpdate> {
        self.updates.subscribe()
    }

    async fn call<T>(&self, make: impl FnOnce(command::Reply<T>) -> Command) -> Result<T, EngineError> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(make(tx)).await.map_err(|_| EngineError::Stopped)?;
        rx.await.map_err(|_| EngineError::Stopped)?
    }

    /// Joins a player (idempotent per user).
    pub async fn join(&self, user: UserId, display_name: &str) -> Result<Entry, EngineError> {
        let display_name = display_name.to_string();
        self.call(|reply| Command::Join { user, display_name, reply }).await
    }

    /// Submits an order; returns once it is durable.
    pub async fn place(&self, entry: EntryId, request: OrderRequest) -> Result<Order, EngineError> {
        self.call(|reply| Command::Place { entry, request, reply }).await
    }

    /// Evaluates an order against every rule without placing it: which rules pass or fail,
    /// the estimated price, cost and commission. Changes nothing; answered once everything
    /// submitted before it is durable.
    pub async fn preview(&self, entry: EntryId, request: OrderRequest) -> Result<OrderPreview, EngineError> {
        self.call(|reply| Command::Preview { entry, request, reply }).await
    }

    /// Cancels an order.
    pub async fn cancel(&self, entry: EntryId, order: OrderId) -> Result<Order, EngineError> {
        self.call(|reply| Command::Cancel { entry, order, reply }).await
    }

    /// Cancels all open orders of an entry.
    pub async fn cancel_all(&self, entry: EntryId) -> Result<Vec<Order>, EngineError> {
        self.call(|reply| Command::CancelAll { entry, reply }).await
    }

    /// Replaces an order.
    pub async fn replace(&self, entry: EntryId, order: OrderId, change: ReplaceRequest) -> Result<Order, EngineError> {
        self.call(|reply| Command::Replace { entry, order, change, reply }).await
    }

    /// Applies prices and waits until the resulting fills are durable.
    pub async fn tick(&self, ts: Ts, updates: Vec<PriceUpdate>) -> Result<TickReport, EngineError> {
        self.call(|reply| Command::Tick { ts, updates, reply: Some(reply) }).await
    }

    /// Opens the session of `date`.
    pub async fn open_session(
        &self,
        ts: Ts,
        date: NaiveDate,
        actions: Vec<CorporateAction>,
    ) -> Result<(), EngineError> {
        self.call(|reply| Command::OpenSession { ts, date, actions, reply: Some(reply) }).await
    }

    /// Closes the session of `date`.
    pub async fn close_session(&self, ts: Ts, date: NaiveDate) -> Result<(), EngineError> {
        self.call(|reply| Command::CloseSession { ts, date, reply: Some(reply) }).await
    }

    /// Moves the tournament through its lifecycle; finishing returns the frozen standings.
    pub async fn set_state(&self, state: TournamentState) -> Result<Vec<FinalStanding>, EngineError> {
        self.call(|reply| Command::SetState { state, reply }).await
    }

    /// An entry's account.
    pub async fn account(&self, entry: EntryId) -> Result<AccountSnapshot, EngineError> {
        self.call(|reply| Command::Account { entry, reply }).await
    }

    /// Summaries of several entries.
    pub async fn accounts(&self, entries: Vec<EntryId>) -> Result<Vec<command::AccountSummary>, EngineError> {
        self.call(|reply| Command::Accounts { entries, reply }).await
    }

    /// Submits many orders in this order and waits for all acknowledgements (they are applied
    /// in submission order, so results are deterministic).
    pub async fn place_many(&self, orders: Vec<(EntryId, OrderRequest)>) -> Vec<Result<Order, EngineError>> {
        self.call_many(orders, |(entry, request), reply| Command::Place { entry, request, reply }).await
    }

    /// Sends one command per item, in order, then waits for every reply.
    async fn call_many<I, T>(
        &self,
        items: Vec<I>,
        make: impl Fn(I, command::Reply<T>) -> Command,
    ) -> Vec<Result<T, EngineError>> {
        let mut receivers = Vec::with_capacity(items.len());
        for item in items {
            let (reply, rx) = oneshot::channel();
            if self.tx.send(make(item, reply)).await.is_err() {
                break;
            }
            receivers.push(rx);
        }
        let mut results = Vec::with_capacity(receivers.len());
        for rx in receivers {
            results.push(rx.await.unwrap_or(Err(EngineError::Stopped)));
        }
        results
    }

    /// Joins many players in this order and waits for all of them.
    pub async fn join_many(&self, users: Vec<(UserId, String)>) -> Vec<Result<Entry, EngineError>> {
        self.call_many(users, |(user, display_name), reply| Command::Join { user, display_name, reply }).await
    }

    /// Waits until everything submitted before is durable.
    pub async fn barrier(&self) -> Result<(), EngineError> {
        self.call(|reply| Command::Barrier { reply }).await
    }
}

/// Runs the sequencers of all running tournaments.
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: SequencerConfig,
    running: Mutex<HashMap<TournamentId, (TournamentHandle, tokio::task::JoinHandle<()>)>>,
}

impl Engine {
    /// An engine over a store and a clock.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: SequencerConfig) -> Engine {
        Engine { store, clock, config, running: Mutex::new(HashMap::new()) }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Starts (or returns the running) sequencer of a tournament, rebuilding its state from
    /// the store.
    pub async fn start(&self, id: TournamentId) -> Result<TournamentHandle, LoadError> {
        if let Some(handle) = self.handle(id) {
            return Ok(handle);
        }
        let live = rebuild::load(self.store.as_ref(), id).await?;
        let (tx, rx) = mpsc::channel(self.config.channel_capacity);
        let (board_tx, board_rx) = watch::channel(Arc::new(live.leaderboard()));
        let (updates_tx, _) = broadcast::channel(4_096);
        let stats = Arc::new(EngineStats::default());
        let (quotes_tx, quotes_rx) = watch::channel(QuoteBoard::of(&live));
        let outputs = Arc::new(sequencer::Outputs {
            leaderboard: board_tx,
            updates: updates_tx.clone(),
            stats: Arc::clone(&stats),
            quotes: quotes_tx,
        });
        let handle = TournamentHandle { id, tx, leaderboard: board_rx, updates: updates_tx, stats, quotes: quotes_rx };
        let mut running = self.running.lock().map_err(|_| LoadError::NotFound(id))?;
        if let Some((existing, _)) = running.get(&id) {
            return Ok(existing.clone());
        }
        let task = tokio::spawn(sequencer::run(
            live,
            Arc::clone(&self.store),
            Arc::clone(&self.clock),
            self.config.clone(),
            rx,
            outputs,
        ));
        running.insert(id, (handle.clone(), task));
        Ok(handle)
    }

    /// The handle of a running tournament.
    pub fn handle(&self, id: TournamentId) -> Option<TournamentHandle> {
        self.running.lock().ok().and_then(|r| r.get(&id).map(|(h, _)| h.clone()))
    }

    /// Stops one sequencer after draining it.
    pub async fn stop(&self, id: TournamentId) -> Result<(), EngineError> {
        let entry = self.running.lock().ok().and_then(|mut r| r.remove(&id));
        let Some((handle, task)) = entry else { return Ok(()) };
        let result = handle.call(|reply| Command::Shutdown { reply }).await;
        let _ = task.await;
        result
    }

    /// Stops every sequencer after draining it: nothing acknowledged is lost.
    pub async fn shutdown(&self) {
        let ids: Vec<TournamentId> = self.running.lock().map(|r| r.keys().copied().collect()).unwrap_or_default();
        for id in ids {
            if let Err(e) = self.stop(id).await {
                tracing::warn!(tournament = id.0, error = %e, "sequencer did not drain cleanly");
            }
        }
    }
}
