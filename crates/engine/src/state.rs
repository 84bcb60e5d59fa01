//! The in-memory state of one running tournament, owned by its sequencer: instruments with
//! their last prices and trigger books, entries with their portfolios, open orders.
//!
//! Everything here is synchronous and deterministic; the sequencer feeds commands in, collects
//! [`Effects`] and commits them. Mutations go through `orders.rs`, `market.rs` and `day.rs`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bullpen_domain::portfolio::Portfolio;
use bullpen_domain::{
    Entry, EntryId, Instrument, LedgerEntry, Money, Order, OrderId, Price, Qty, Symbol, Tournament, TournamentState, Ts,
};
use bullpen_store::TournamentSnapshot;

use crate::holders::Holders;
use crate::idhash::IdMap;
use crate::triggers::TriggerBook;

/// One instrument as the engine sees it.
#[derive(Debug, Clone)]
pub struct InstrumentSlot {
    /// Master data.
    pub instrument: Instrument,
    /// Last traded price.
    pub last: Option<Price>,
    /// Recent prices kept for the quote delay, oldest first.
    pub recent: VecDeque<(Ts, Price)>,
    /// Volume of the current day (for the volume cap), 0 when unknown.
    pub day_volume: i64,
    /// Shares filled today by all entries (for the volume cap).
    pub day_filled: i64,
    /// Resting limit and stop orders.
    pub book: TriggerBook,
    /// Entries holding a position, by entry index, with their signed quantity.
    pub holders: Holders,
}

/// What the engine tracks about an entry's current day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayStats {
    /// Equity at the start of the day.
    pub start_equity: Money,
    /// Whether the entry traded today.
    pub traded: bool,
    /// Orders submitted today.
    pub orders: u32,
}

/// The money figures of one entry that ticks read and write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// Cash, mirrored from the portfolio by [`LiveTournament::apply_ledger`] (the only way the
    /// engine changes a portfolio).
    pub cash: Money,
    /// Lowest equity seen today (open losses included).
    pub low_equity: Money,
}

/// One entry (player account) as the engine sees it.
#[derive(Debug, Clone)]
pub struct EntrySlot {
    /// The entry record.
    pub entry: Entry,
    /// Name shared with published leaderboards without copying.
    pub display_name: Arc<str>,
    /// Cash, positions and lots, derived from the ledger.
    pub portfolio: Portfolio,
    /// Open orders of this entry.
    pub open_orders: Vec<OrderId>,
    /// Buying power held by its open buy and short orders (see `orders::reservation`).
    pub reserved: Money,
    /// Today's statistics.
    pub day: DayStats,
    /// End-of-day equities, oldest first.
    pub daily_equity: Vec<Money>,
    /// Score as of the last close (risk-adjusted methods update at the close).
    pub close_score: i64,
}

/// The state of one tournament.
#[derive(Debug)]
pub struct LiveTournament {
    /// The tournament record (rules, state).
    pub tournament: Tournament,
    /// Instruments by dense index.
    pub instruments: Vec<InstrumentSlot>,
    /// Symbol → instrument index.
    pub symbol_index: HashMap<Symbol, u32, std::hash::BuildHasherDefault<crate::idhash::IdHasher>>,
    /// Entries by dense index (`EntryId::local() - 1`).
    pub entries: Vec<EntrySlot>,
    /// User → entry index (one entry per user).
    pub user_index: HashMap<i64, u32>,
    /// Open orders by id.
    pub open_orders: IdMap<OrderId, Order>,
    /// Explicit client order ids → order.
    pub client_ids: HashMap<(EntryId, String), OrderId>,
    /// Highest order number used.
    pub max_order_local: i64,
    /// Highest sequence number assigned.
    pub last_seq: i64,
    /// Whether the market is in session.
    pub market_open: bool,
    /// The engine's current time (from the last command).
    pub now: Ts,
    /// Per entry: Σ quantity × last price over its positions, maintained incrementally. Ticks
    /// write only this array and `tick_marks`, kept apart from everything else so revaluing
    /// 100,000 holders stays in cache.
    pub market_values: Vec<Money>,
    /// Per entry: Σ |quantity| × last price (gross exposure, for buying power), maintained like
    /// `market_values`.
    pub gross_values: Vec<Money>,
    /// Per entry: the last tick generation that revalued it (so a tick lists each entry once).
    pub tick_marks: Vec<u32>,
    /// Per entry: cash and the day's low equity, dense for leaderboards and risk checks.
    pub balances: Vec<Balance>,
    /// Display names by entry.
    pub names: Vec<Arc<str>>,
    /// The names as last shared with a published leaderboard; reset when someone joins, so
    /// publishing does not copy the list every time.
    pub shared_names: std::sync::OnceLock<Arc<Vec<Arc<str>>>>,
    /// Generation of the current tick.
    pub tick_generation: u32,
}

/// Problems found while rebuilding state from the store.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// The ledger does not fold (corrupt or tampered store).
    #[error("ledger of tournament {tournament} does not reconcile: {detail}")]
    Ledger {
        /// Tournament.
        tournament: i64,
        /// First problem.
        detail: String,
    },
    /// An entry or order refers to something unknown.
    #[error("inconsistent snapshot: {0}")]
    Inconsistent(String),
}

impl LiveTournament {
    /// Rebuilds a tournament from its store snapshot: folds the whole ledger into portfolios,
    /// re-indexes open orders into trigger books and restores counters.
    pub fn rebuild(
        tournament: Tournament,
        instruments: Vec<Instrument>,
        snapshot: TournamentSnapshot,
    ) -> Result<LiveTournament, RebuildError> {
        let mut live = LiveTournament {
            tournament,
            instruments: Vec::with_capacity(instruments.len()),
            symbol_index: HashMap::with_capacity_and_hasher(instruments.len(), Default::default()),
            entries: Vec::with_capacity(snapshot.entries.len()),
            user_index: HashMap::with_capacity(snapshot.entries.len()),
            open_orders: IdMap::with_capacity_and_hasher(snapshot.open_orders.len(), Default::default()),
            client_ids: HashMap::with_capacity(snapshot.client_order_ids.len()),
            max_order_local: snapshot.max_order_local,
            last_seq: snapshot.last_seq,
            market_open: false,
            now: Ts(0),
            market_values: Vec::new(),
            gross_values: Vec::new(),
            tick_marks: Vec::new(),
            balances: Vec::new(),
            names: Vec::new(),
            shared_names: std::sync::OnceLock::new(),
            tick_generation: 0,
        };
        for instrument in instruments {
            live.add_instrument(instrument);
        }
        let mut entries = snapshot.entries;
        entries.sort_by_key(|e| e.id.local());
        for entry in entries {
            let expected = live.entries.len() as i64 + 1;
            if entry.id.local() != expected || entry.id.tournament() != live.tournament.id {
                return Err(RebuildError::Inconsistent(format!(
                    "entry {} is not the next entry number {expected} of tournament {}",
                    entry.id, live.tournament.id
                )));
            }
            live.push_entry(entry);
        }
        // Last known price per instrument index (unknown symbols are caught below, with positions).
        let mut last_price: Vec<Option<Option<Price>>> = vec![None; live.instruments.len()];
        for le in &snapshot.ledger {
            if live.entry_index(le.entry_id).is_none() {
                return Err(RebuildError::Inconsistent(format!(
                    "ledger seq {} names unknown entry {}",
                    le.seq, le.entry_id
                )));
            }
            if let (Some(symbol), Some(price)) = (&le.symbol, le.price) {
                let slot = live.symbol_index.get(symbol).and_then(|&i| last_price.get_mut(i as usize));
                if let Some(slot) = slot {
                    match le.kind {
                        bullpen_domain::LedgerKind::Trade => *slot = Some(Some(price)),
                        // A split records the price before it; the engine went on with the
                        // adjusted one (every holder's entry of one split records the same price).
                        bullpen_domain::LedgerKind::Split => *slot = Some(split_adjusted(price, le.ratio)),
                        _ => {}
                    }
                }
            }
        }
        fold_ledger(live.tournament.id.0, &mut live.entries, &snapshot.ledger)?;
        for (balance, slot) in live.balances.iter_mut().zip(&live.entries) {
            balance.cash = slot.portfolio.cash;
        }
        for (slot, price) in live.instruments.iter_mut().zip(last_price) {
            if let Some(price) = price {
                slot.last = price;
            }
        }
        for s in &snapshot.equity_snapshots {
            if let Some(idx) = live.entry_index(s.entry_id) {
                live.entries[idx as usize].daily_equity.push(s.equity);
            }
        }
        // Risk-adjusted scores are computed at each close; restore them from the closes so far.
        let rules = &live.tournament.rules;
        for slot in &mut live.entries {
            if !slot.daily_equity.is_empty() {
                slot.close_score =
                    bullpen_domain::scoring::score(rules.scoring, rules.starting_cash, &slot.daily_equity);
            }
        }
        // Holders and market values from the folded portfolios.
        for idx in 0..live.entries.len() {
            let positions: Vec<(Symbol, Qty)> = live.entries[idx]
                .portfolio
                .positions
                .iter()
                .filter(|(_, p)| !p.qty.is_zero())
                .map(|(s, p)| (s.clone(), p.qty))
                .collect();
            for (symbol, qty) in positions {
                let Some(&i) = live.symbol_index.get(&symbol) else {
                    return Err(RebuildError::Inconsistent(format!("position in unknown instrument {symbol}")));
                };
                live.instruments[i as usize].holders.set(idx as u32, qty.0);
            }
            live.recompute_market_value(idx as u32);
            live.reset_day(idx as u32);
        }
        for order in snapshot.open_orders {
            live.index_open_order(order)?;
        }
        for (entry, client_id, order) in snapshot.client_order_ids {
            live.client_ids.insert((entry, client_id), order);
        }
        Ok(live)
    }

    /// Adds an instrument to the universe the engine knows.
    pub fn add_instrument(&mut self, instrument: Instrument) {
        if self.symbol_index.contains_key(&instrument.symbol) {
            return;
        }
        self.symbol_index.insert(instrument.symbol.clone(), self.instruments.len() as u32);
        self.instruments.push(InstrumentSlot {
            instrument,
            last: None,
            recent: VecDeque::new(),
            day_volume: 0,
            day_filled: 0,
            book: TriggerBook::default(),
            holders: Holders::default(),
        });
    }

    /// Adds an entry slot (used by rebuild and joins).
    pub fn push_entry(&mut self, entry: Entry) -> u32 {
        let idx = self.entries.len() as u32;
        self.user_index.insert(entry.user_id.0, idx);
        let display_name: Arc<str> = Arc::from(entry.display_name.as_str());
        self.balances.push(Balance::default());
        self.market_values.push(Money::ZERO);
        self.gross_values.push(Money::ZERO);
        self.tick_marks.push(0);
        self.names.push(Arc::clone(&display_name));
        self.shared_names = std::sync::OnceLock::new();
        self.entries.push(EntrySlot {
            portfolio: Portfolio::new(entry.id),
            entry,
            display_name,
            open_orders: Vec::new(),
            reserved: Money::ZERO,
            day: DayStats::default(),
            daily_equity: Vec::new(),
            close_score: 0,
        });
        idx
    }

    /// Index of an entry of this tournament.
    pub fn entry_index(&self, id: EntryId) -> Option<u32> {
        if id.tournament() != self.tournament.id {
            return None;
        }
        let idx = id.local().checked_sub(1)?;
        (idx >= 0 && (idx as usize) < self.entries.len()).then_some(idx as u32)
    }

    /// Index of a symbol.
    pub fn instrument_index(&self, symbol: &Symbol) -> Option<u32> {
        self.symbol_index.get(symbol).copied()
    }

    /// The last price of a symbol.
    pub fn last_price(&self, symbol: &Symbol) -> Option<Price> {
        self.instrument_index(symbol).and_then(|i| self.instruments[i as usize].last)
    }

    /// The price players see: the last price at least `quote_delay_seconds` old.
    pub fn quote(&self, idx: u32) -> Option<Price> {
        let slot = &self.instruments[idx as usize];
        let delay = self.tournament.rules.quote_delay_seconds;
        if delay <= 0 {
            return slot.last;
        }
        let cutoff = self.now.plus_seconds(-delay);
        slot.recent.iter().rev().find(|(ts, _)| *ts <= cutoff).map(|(_, p)| *p)
    }

    /// Recomputes an entry's market value and gross exposure from scratch (rebuild, splits, a
    /// symbol's first price), valuing a position without a price as the domain does (at cost).
    pub fn recompute_market_value(&mut self, idx: u32) {
        let slot = &self.entries[idx as usize];
        let mut value = Money::ZERO;
        let mut gross = Money::ZERO;
        for (symbol, position) in &slot.portfolio.positions {
            if position.qty.is_zero() {
                continue;
            }
            let price = self.symbol_index.get(symbol).and_then(|&i| self.instruments[i as usize].last);
            let v = position.value(price);
            value += v;
            gross += v.abs();
        }
        self.market_values[idx as usize] = value;
        self.gross_values[idx as usize] = gross;
    }

    /// Puts an open order into the in-memory indexes.
    pub fn index_open_order(&mut self, order: Order) -> Result<(), RebuildError> {
        let idx = self
            .entry_index(order.entry_id)
            .ok_or_else(|| RebuildError::Inconsistent(format!("order {} of unknown entry", order.id)))?;
        let inst = self
            .instrument_index(&order.symbol)
            .ok_or_else(|| RebuildError::Inconsistent(format!("order {} in unknown symbol", order.id)))?;
        if let Some((kind, price)) = crate::orders::trigger_of(&order) {
            self.instruments[inst as usize].book.insert(kind, price, order.id);
        }
        self.track_open(idx, order);
        Ok(())
    }

    /// A light view of one entry.
    pub fn summary(&self, id: EntryId) -> Option<crate::command::AccountSummary> {
        let idx = self.entry_index(id)?;
        let slot = &self.entries[idx as usize];
        Some(crate::command::AccountSummary {
            entry_id: id,
            cash: slot.portfolio.cash,
            equity: self.equity(idx),
            positions: slot
                .portfolio
                .positions
                .iter()
                .filter(|(_, p)| !p.qty.is_zero())
                .map(|(s, p)| (s.clone(), p.qty))
                .collect(),
        })
    }

    /// Allocates the next sequence number.
    pub fn next_seq(&mut self) -> i64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Allocates the next order id.
    pub fn next_order_id(&mut self) -> OrderId {
        self.max_order_local += 1;
        OrderId::compose(self.tournament.id, self.max_order_local)
    }

    /// Applies a ledger entry to an entry's portfolio and mirrors its cash.
    pub fn apply_ledger(
        &mut self,
        idx: u32,
        entry: &LedgerEntry,
    ) -> Result<Vec<bullpen_domain::portfolio::RoundTrip>, bullpen_domain::portfolio::LedgerError> {
        let portfolio = &mut self.entries[idx as usize].portfolio;
        let trips = portfolio.apply(entry)?;
        self.balances[idx as usize].cash = portfolio.cash;
        Ok(trips)
    }

    /// Starts a new day for an entry: its current equity is the day's start and low.
    pub fn reset_day(&mut self, idx: u32) {
        let equity = self.equity(idx);
        self.balances[idx as usize].low_equity = equity;
        self.entries[idx as usize].day = DayStats { start_equity: equity, traded: false, orders: 0 };
    }

    /// Lowers an entry's low-equity mark to its current equity if that is lower.
    pub fn note_equity(&mut self, idx: u32) {
        let equity = self.equity(idx);
        let b = &mut self.balances[idx as usize];
        if equity < b.low_equity {
            b.low_equity = equity;
        }
    }

    /// Cash plus market value of an entry.
    pub fn equity(&self, idx: u32) -> Money {
        self.balances[idx as usize].cash + self.market_values[idx as usize]
    }

    /// True while orders are accepted.
    pub fn is_running(&self) -> bool {
        self.tournament.state == TournamentState::Running
    }

    /// Updates holders and market value after a ledger entry changed `idx`'s position in `inst`.
    pub fn after_position_change(&mut self, idx: u32, inst: u32, entry: &LedgerEntry) {
        let slot = &mut self.instruments[inst as usize];
        slot.holders.set(idx, entry.qty_after.0);
        let price = slot.last.or(entry.price).unwrap_or_default();
        self.market_values[idx as usize] += price.times(entry.qty_delta);
        let before = (entry.qty_after - entry.qty_delta).abs();
        self.gross_values[idx as usize] += price.times(entry.qty_after.abs() - before);
    }
}

/// The last price after a `numerator:denominator` split when it was `before` (as the engine
/// computes it when the split happens); `None` when there was no price before it.
pub fn split_adjusted(before: Price, (numerator, denominator): (i64, i64)) -> Option<Price> {
    if before.0 <= 0 || numerator <= 0 || denominator <= 0 {
        return None;
    }
    Some(Price(((i128::from(before.0) * i128::from(denominator)) / i128::from(numerator)) as i64))
}

/// Folds the whole ledger into the entries' portfolios. Accounts are independent, so the
/// entries are split in two halves folded on two threads (rebuild time is measured: it is the
/// engine's start-up time).
fn fold_ledger(tournament: i64, entries: &mut [EntrySlot], ledger: &[LedgerEntry]) -> Result<(), RebuildError> {
    fn fold(
        tournament: i64,
        slots: &mut [EntrySlot],
        first: usize,
        ledger: &[LedgerEntry],
    ) -> Result<(), RebuildError> {
        for le in ledger {
            // Entry numbers were checked against the entries before folding.
            let Some(idx) = usize::try_from(le.entry_id.local() - 1).ok().and_then(|i| i.checked_sub(first)) else {
                continue;
            };
            let Some(slot) = slots.get_mut(idx) else { continue };
            slot.portfolio.apply(le).map_err(|e| RebuildError::Ledger { tournament, detail: e.to_string() })?;
        }
        Ok(())
    }
    let mid = entries.len() / 2;
    let (low, high) = entries.split_at_mut(mid);
    let (a, b) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| fold(tournament, low, 0, ledger));
        let b = fold(tournament, high, mid, ledger);
        (worker.join(), b)
    });
    match a {
        Ok(result) => result?,
        Err(_) => return Err(RebuildError::Inconsistent("ledger fold thread failed".into())),
    }
    b
}
