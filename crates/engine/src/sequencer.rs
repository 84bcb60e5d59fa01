//! The sequencer: the one writer of a tournament.
//!
//! Commands arrive on a channel. The sequencer drains whatever is waiting (up to
//! `max_batch`), applies it to the in-memory state in arrival order, and hands the resulting
//! batch to the committer, which writes it in ONE transaction and only then sends the replies
//! (acknowledged means durable). While the committer waits for the disk, the sequencer already
//! applies the next batch; the committer processes batches strictly in order, so a reply never
//! overtakes an earlier commit. If a commit fails, every later batch is failed too, and the
//! sequencer rebuilds its state from the store before it accepts more work.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bullpen_domain::{Entry, Order, OrderStatus, TournamentState, Ts};
use bullpen_market::clock::Clock;
use bullpen_store::{Batch, FinalStanding, Store};
use tokio::sync::{mpsc, oneshot, watch};

use crate::command::{AccountSnapshot, AccountSummary, Command, EngineError, Reply, TickReport};
use crate::effects::Effects;
use crate::leaderboard::Leaderboard;
use crate::state::LiveTournament;
use crate::stats::EngineStats;
use crate::updates::OrderUpdate;

/// A reply held back until its batch is durable.
// One per command and short-lived: boxing every order would cost an allocation per order.
#[allow(clippy::large_enum_variant)]
enum Pending {
    Entry(Reply<Entry>, Entry),
    Order(Reply<Order>, Order),
    Orders(Reply<Vec<Order>>, Vec<Order>),
    Account(Reply<AccountSnapshot>, Box<AccountSnapshot>),
    Preview(Reply<bullpen_domain::OrderPreview>, Box<bullpen_domain::OrderPreview>),
    Tick(Reply<TickReport>, TickReport),
    Summaries(Reply<Vec<AccountSummary>>, Vec<AccountSummary>),
    Unit(Reply<()>),
    /// A retried client order id whose order is no longer open: read it from the store once
    /// everything before it is durable.
    Lookup(Reply<Order>, bullpen_domain::OrderId),
}

impl Pending {
    fn fail(self, error: EngineError) {
        match self {
            Pending::Entry(r, _) => drop(r.send(Err(error))),
            Pending::Order(r, _) | Pending::Lookup(r, _) => drop(r.send(Err(error))),
            Pending::Orders(r, _) => drop(r.send(Err(error))),
            Pending::Account(r, _) => drop(r.send(Err(error))),
            Pending::Preview(r, _) => drop(r.send(Err(error))),
            Pending::Tick(r, _) => drop(r.send(Err(error))),
            Pending::Summaries(r, _) => drop(r.send(Err(error))),
            Pending::Unit(r) => drop(r.send(Err(error))),
        }
    }
}

/// Work for the committer.
enum Job {
    Commit {
        batch: Option<Batch>,
        pending: Vec<Pending>,
        updates: Vec<OrderUpdate>,
        board: Option<Arc<Leaderboard>>,
    },
    /// Clears the failed state once the sequencer has rebuilt.
    Reset(oneshot::Sender<()>),
}

/// Tunables of a sequencer.
#[derive(Debug, Clone)]
pub struct SequencerConfig {
    /// Most commands applied into one batch.
    pub max_batch: usize,
    /// Capacity of the command channel (back-pressure beyond it).
    pub channel_capacity: usize,
    /// Recompute the leaderboard after batches with fills at most this often (engine clock,
    /// microseconds); ticks and session changes always recompute.
    pub leaderboard_interval_micros: i64,
}

impl Default for SequencerConfig {
    fn default() -> Self {
        SequencerConfig { max_batch: 8_192, channel_capacity: 65_536, leaderboard_interval_micros: 250_000 }
    }
}

/// Shared outputs of a running sequencer.
pub struct Outputs {
    /// Latest leaderboard.
    pub leaderboard: watch::Sender<Arc<Leaderboard>>,
    /// Order updates (fills, cancels, …) after they are durable.
    pub updates: tokio::sync::broadcast::Sender<OrderUpdate>,
    /// Counters.
    pub stats: Arc<EngineStats>,
    /// Last prices, published as ticks are applied.
    pub quotes: watch::Sender<crate::quotes::QuoteBoard>,
}

/// Runs a sequencer until shutdown. Returns when every accepted command is answered.
pub async fn run(
    mut live: LiveTournament,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: SequencerConfig,
    mut rx: mpsc::Receiver<Command>,
    outputs: Arc<Outputs>,
) {
    let failed = Arc::new(AtomicBool::new(false));
    let (job_tx, job_rx) = mpsc::channel::<Job>(1);
    let committer = tokio::spawn(commit_loop(Arc::clone(&store), job_rx, Arc::clone(&failed), Arc::clone(&outputs)));
    let mut last_board_at = i64::MIN;
    let mut shutdown: Option<Reply<()>> = None;
    let mut backlog: VecDeque<Command> = VecDeque::with_capacity(config.max_batch);
    'outer: loop {
        if failed.load(Ordering::Acquire) {
            match recover(&live, &store, &job_tx, &failed).await {
                Some(rebuilt) => live = rebuilt,
                None => break 'outer,
            }
        }
        if backlog.is_empty() {
            match rx.recv().await {
                Some(c) => backlog.push_back(c),
                None => break,
            }
        }
        while backlog.len() < config.max_batch {
            match rx.try_recv() {
                Ok(c) => backlog.push_back(c),
                Err(_) => break,
            }
        }
        live.now = live.now.max(clock.now());
        let mut fx = Effects::new(live.tournament.id);
        let mut pending = Vec::with_capacity(backlog.len());
        let mut updates = Vec::new();
        // Order updates are a broadcast: with nobody subscribed, building them (a copy of every
        // order) is wasted work. A subscriber that arrives while this batch is in flight starts
        // with the next one, as if it had subscribed a moment later.
        let announce = outputs.updates.receiver_count() > 0;
        let mut board_due = false;
        let mut moved = false;
        let mut state_change: Option<(Reply<Vec<FinalStanding>>, TournamentState)> = None;
        // A lifecycle change ends the batch: later commands must see the new state.
        while let Some(command) = backlog.pop_front() {
            match command {
                Command::Join { user, display_name, reply } => match live.join(user, &display_name, &mut fx) {
                    Ok(entry) => {
                        board_due = true;
                        pending.push(Pending::Entry(reply, entry));
                    }
                    Err(e) => drop(reply.send(Err(e.into()))),
                },
                Command::Place { entry, request, reply } => {
                    if let Some(existing) =
                        request.client_order_id.as_ref().and_then(|c| live.client_ids.get(&(entry, c.clone())).copied())
                    {
                        outputs.stats.duplicate_submissions.fetch_add(1, Ordering::Relaxed);
                        match live.open_orders.get(&existing) {
                            Some(order) => pending.push(Pending::Order(reply, order.clone())),
                            None => pending.push(Pending::Lookup(reply, existing)),
                        }
                        continue;
                    }
                    match live.place_order(entry, request, &mut fx) {
                        Ok(order) => {
                            outputs.stats.orders_accepted.fetch_add(1, Ordering::Relaxed);
                            // Every accepted order is announced (`new` while it rests, `fill` when
                            // it filled at once), as Alpaca's trade_updates do.
                            if announce {
                                updates.push(OrderUpdate::from_order(&order));
                            }
                            pending.push(Pending::Order(reply, order));
                        }
                        Err(e) => {
                            outputs.stats.orders_rejected.fetch_add(1, Ordering::Relaxed);
                            drop(reply.send(Err(e.into())));
                        }
                    }
                }
                Command::Preview { entry, request, reply } => match live.preview_order(entry, &request) {
                    Ok(preview) => pending.push(Pending::Preview(reply, Box::new(preview))),
                    Err(e) => drop(reply.send(Err(e.into()))),
                },
                Command::Cancel { entry, order, reply } => match live.cancel_order(entry, order, &mut fx) {
                    Ok(o) => {
                        if announce {
                            updates.push(OrderUpdate::from_order(&o));
                        }
                        pending.push(Pending::Order(reply, o));
                    }
                    Err(e) => drop(reply.send(Err(e.into()))),
                },
                Command::CancelAll { entry, reply } => match live.cancel_all(entry, &mut fx) {
                    Ok(list) => {
                        if announce {
                            updates.extend(list.iter().map(OrderUpdate::from_order));
                        }
                        pending.push(Pending::Orders(reply, list));
                    }
                    Err(e) => drop(reply.send(Err(e.into()))),
                },
                Command::Replace { entry, order, change, reply } => {
                    match live.replace_order(entry, order, change, &mut fx) {
                        Ok(o) => {
                            if announce {
                                updates.push(OrderUpdate::replaced(order, &o));
                            }
                            pending.push(Pending::Order(reply, o));
                        }
                        Err(e) => drop(reply.send(Err(e.into()))),
                    }
                }
                Command::Tick { ts, updates: prices, reply } => {
                    let outcome = live.apply_tick(ts, &prices, &mut fx);
                    publish_quotes(&outputs.quotes, ts, &prices);
                    // Price moves refresh the board at the same pace as fills (below).
                    moved |= outcome.revalued > 0 || !outcome.triggered.is_empty();
                    if announce {
                        updates.extend(outcome.triggered.iter().map(OrderUpdate::from_order));
                    }
                    if let Some(reply) = reply {
                        let report = TickReport {
                            moved: outcome.moved,
                            revalued: outcome.revalued,
                            triggered: outcome.triggered.len(),
                        };
                        pending.push(Pending::Tick(reply, report));
                    }
                }
                Command::OpenSession { ts, date: _, actions, reply } => {
                    live.now = live.now.max(ts);
                    let canceled = live.open_session(&actions, &mut fx);
                    if announce {
                        updates.extend(canceled.iter().map(OrderUpdate::from_order));
                    }
                    board_due = true;
                    if let Some(reply) = reply {
                        pending.push(Pending::Unit(reply));
                    }
                }
                Command::CloseSession { ts, date, reply } => {
                    live.now = live.now.max(ts);
                    let expired = live.close_session(date, &mut fx);
                    if announce {
                        updates.extend(expired.iter().map(OrderUpdate::from_order));
                    }
                    board_due = true;
                    if let Some(reply) = reply {
                        pending.push(Pending::Unit(reply));
                    }
                }
                Command::SetState { state, reply } => {
                    if live.tournament.state.can_transition_to(state) {
                        state_change = Some((reply, state));
                        break;
                    } else {
                        let from = live.tournament.state.as_str();
                        drop(reply.send(Err(EngineError::Rejected(
                            bullpen_domain::RejectReason::TournamentNotRunning(format!(
                                "{from}; cannot move to {}",
                                state.as_str()
                            )),
                        ))));
                    }
                }
                Command::Account { entry, reply } => match live.entry_index(entry) {
                    Some(idx) => {
                        let slot = &live.entries[idx as usize];
                        let mut open_orders: Vec<Order> =
                            slot.open_orders.iter().filter_map(|id| live.open_orders.get(id).cloned()).collect();
                        open_orders.sort_by_key(|o| o.id);
                        let snapshot = AccountSnapshot {
                            entry: slot.entry.clone(),
                            portfolio: slot.portfolio.clone(),
                            equity: live.equity(idx),
                            open_orders,
                        };
                        pending.push(Pending::Account(reply, Box::new(snapshot)));
                    }
                    None => drop(reply.send(Err(bullpen_domain::RejectReason::UnknownEntry.into()))),
                },
                Command::Accounts { entries, reply } => {
                    let summaries = entries.iter().filter_map(|e| live.summary(*e)).collect();
                    pending.push(Pending::Summaries(reply, summaries));
                }
                Command::Barrier { reply } => pending.push(Pending::Unit(reply)),
                Command::Shutdown { reply } => {
                    shutdown = Some(reply);
                    break;
                }
            }
        }
        let order_count = fx.order_count();
        let batch = if fx.is_empty() { None } else { Some(fx.into_batch(live.last_seq)) };
        if (order_count > 0 || moved) && live.now.0.saturating_sub(last_board_at) >= config.leaderboard_interval_micros
        {
            board_due = true;
        }
        let board = if board_due {
            last_board_at = live.now.0;
            let started = Instant::now();
            let board = Arc::new(live.leaderboard());
            outputs.stats.record_leaderboard(started.elapsed());
            Some(board)
        } else {
            None
        };
        if job_tx.send(Job::Commit { batch, pending, updates, board }).await.is_err() {
            break;
        }
        if let Some((reply, state)) = state_change {
            let result = change_state(&mut live, &store, &job_tx, state).await;
            drop(reply.send(result));
        }
        if shutdown.is_some() {
            break;
        }
    }
    // Drain: everything already handed to the committer completes before we answer.
    let (done_tx, done_rx) = oneshot::channel();
    let drained = job_tx.send(Job::Reset(done_tx)).await.is_ok() && done_rx.await.is_ok();
    drop(job_tx);
    let _ = committer.await;
    if let Some(reply) = shutdown {
        drop(reply.send(if drained { Ok(()) } else { Err(EngineError::Stopped) }));
    }
}

/// Waits until every batch handed over so far is durable.
async fn barrier(job_tx: &mpsc::Sender<Job>) -> Result<(), EngineError> {
    let (tx, rx) = oneshot::channel();
    let job = Job::Commit { batch: None, pending: vec![Pending::Unit(tx)], updates: Vec::new(), board: None };
    job_tx.send(job).await.map_err(|_| EngineError::Stopped)?;
    rx.await.map_err(|_| EngineError::Stopped)?
}

/// Applies a lifecycle change: persisted first, then reflected in memory. Finishing freezes
/// the standings with badges.
async fn change_state(
    live: &mut LiveTournament,
    store: &Arc<dyn Store>,
    job_tx: &mpsc::Sender<Job>,
    state: TournamentState,
) -> Result<Vec<FinalStanding>, EngineError> {
    barrier(job_tx).await?;
    let mut frozen = Vec::new();
    if state == TournamentState::Finished {
        frozen = crate::standings::final_standings(live);
        store
            .save_final_standings(live.tournament.id, &frozen)
            .await
            .map_err(|e| EngineError::Storage(e.to_string()))?;
    }
    store.set_tournament_state(live.tournament.id, state).await.map_err(|e| EngineError::Storage(e.to_string()))?;
    live.tournament.state = state;
    if state != TournamentState::Running {
        live.market_open = false;
    }
    Ok(frozen)
}

/// After a failed commit: wait for the committer to fail everything queued, reload from the
/// store, then clear the failure.
async fn recover(
    live: &LiveTournament,
    store: &Arc<dyn Store>,
    job_tx: &mpsc::Sender<Job>,
    failed: &AtomicBool,
) -> Option<LiveTournament> {
    let id = live.tournament.id;
    loop {
        let rebuilt = crate::rebuild::load(store.as_ref(), id).await;
        match rebuilt {
            Ok(mut rebuilt) => {
                rebuilt.market_open = live.market_open;
                rebuilt.now = live.now;
                for (slot, old) in rebuilt.instruments.iter_mut().zip(&live.instruments) {
                    slot.last = old.last.or(slot.last);
                    slot.day_volume = old.day_volume;
                }
                let (tx, rx) = oneshot::channel();
                job_tx.send(Job::Reset(tx)).await.ok()?;
                rx.await.ok()?;
                failed.store(false, Ordering::Release);
                tracing::warn!(tournament = id.0, "sequencer rebuilt from the store after a failed commit");
                return Some(rebuilt);
            }
            Err(e) => {
                tracing::error!(tournament = id.0, error = %e, "rebuild after a failed commit failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    }
}

async fn commit_loop(
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<Job>,
    failed: Arc<AtomicBool>,
    outputs: Arc<Outputs>,
) {
    let mut failing = false;
    while let Some(job) = rx.recv().await {
        match job {
            Job::Reset(done) => {
                failing = false;
                let _ = done.send(());
            }
            Job::Commit { batch, pending, updates, board } => {
                if failing {
                    for p in pending {
                        p.fail(EngineError::Storage("an earlier batch failed to commit".into()));
                    }
                    continue;
                }
                if let Some(batch) = batch {
                    let started = Instant::now();
                    let (tournament, orders) = (batch.tournament_id, batch.orders.len());
                    if let Err(e) = store.commit_batch_owned(batch).await {
                        tracing::error!(tournament = tournament.0, error = %e, "batch commit failed");
                        failing = true;
                        failed.store(true, Ordering::Release);
                        for p in pending {
                            p.fail(EngineError::Storage(e.to_string()));
                        }
                        continue;
                    }
                    outputs.stats.record_commit(orders, started.elapsed());
                }
                if let Some(board) = board {
                    outputs.leaderboard.send_replace(board);
                }
                for update in updates {
                    drop(outputs.updates.send(update));
                }
                for p in pending {
                    deliver(&store, p).await;
                }
            }
        }
    }
}

fn publish_quotes(quotes: &watch::Sender<crate::quotes::QuoteBoard>, ts: Ts, prices: &[crate::market::PriceUpdate]) {
    if prices.is_empty() {
        return;
    }
    quotes.send_modify(|board| {
        board.version += 1;
        board.as_of = board.as_of.max(ts);
        for update in prices {
            board.quotes.insert(update.symbol.clone(), crate::quotes::Quote { price: update.price, at: ts });
        }
    });
}

async fn deliver(store: &Arc<dyn Store>, pending: Pending) {
    match pending {
        Pending::Entry(r, v) => drop(r.send(Ok(v))),
        Pending::Order(r, v) => drop(r.send(Ok(v))),
        Pending::Orders(r, v) => drop(r.send(Ok(v))),
        Pending::Account(r, v) => drop(r.send(Ok(*v))),
        Pending::Preview(r, v) => drop(r.send(Ok(*v))),
        Pending::Tick(r, v) => drop(r.send(Ok(v))),
        Pending::Summaries(r, v) => drop(r.send(Ok(v))),
        Pending::Unit(r) => drop(r.send(Ok(()))),
        Pending::Lookup(r, id) => {
            let result = match store.order(id).await {
                Ok(Some(order)) => Ok(order),
                Ok(None) => Err(EngineError::Storage(format!("order {id} is missing from the store"))),
                Err(e) => Err(EngineError::Storage(e.to_string())),
            };
            drop(r.send(result));
        }
    }
}

/// True for statuses that end an order.
pub fn is_final(status: OrderStatus) -> bool {
    !status.is_open()
}
