//! Price ticks: last prices, the quote-delay window, incremental mark-to-market and triggers.

use bullpen_domain::{Money, Order, Price, Symbol, Ts};

use crate::effects::Effects;
use crate::state::LiveTournament;

/// One price update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceUpdate {
    /// Instrument.
    pub symbol: Symbol,
    /// New last price.
    pub price: Price,
    /// The day's volume, when known (sets the volume cap's base).
    pub day_volume: Option<i64>,
}

/// What a tick did.
#[derive(Debug, Default)]
pub struct TickOutcome {
    /// Instruments whose price changed.
    pub moved: usize,
    /// Entries whose market value changed.
    pub revalued: usize,
    /// Orders triggered (filled, rested as limit, or rejected).
    pub triggered: Vec<Order>,
}

impl LiveTournament {
    /// Applies a batch of prices at `ts`. Only holders of symbols that moved are revalued, and
    /// only the trigger books of those symbols are consulted.
    pub fn apply_tick(&mut self, ts: Ts, updates: &[PriceUpdate], fx: &mut Effects) -> TickOutcome {
        self.now = self.now.max(ts);
        let mut outcome = TickOutcome::default();
        let delay = self.tournament.rules.quote_delay_seconds;
        self.tick_generation = self.tick_generation.wrapping_add(1);
        let generation = self.tick_generation;
        if generation == 0 {
            // Wrapped around: forget old marks so no entry looks already counted.
            self.tick_marks.iter_mut().for_each(|m| *m = u32::MAX);
            self.tick_generation = 1;
        }
        let generation = self.tick_generation;
        let mut touched: Vec<u32> = Vec::new();
        for update in updates {
            let Some(inst) = self.instrument_index(&update.symbol) else { continue };
            if update.price.0 <= 0 {
                continue;
            }
            let slot = &mut self.instruments[inst as usize];
            if let Some(volume) = update.day_volume {
                slot.day_volume = volume;
            }
            if delay > 0 {
                slot.recent.push_back((ts, update.price));
                let horizon = ts.plus_seconds(-delay);
                // Keep one price at or before the horizon: it is the delayed quote.
                while slot.recent.len() > 1 && slot.recent.get(1).is_some_and(|(t, _)| *t <= horizon) {
                    slot.recent.pop_front();
                }
            }
            let old = slot.last.replace(update.price);
            match old {
                None => {
                    // First price (e.g. after a restart, for a symbol not traded since): value
                    // holders from scratch.
                    let holders: Vec<u32> = slot.holders.keys().copied().collect();
                    for idx in holders {
                        self.recompute_market_value(idx);
                        if self.tick_marks[idx as usize] != generation {
                            self.tick_marks[idx as usize] = generation;
                            touched.push(idx);
                        }
                    }
                }
                Some(old) if old == update.price => continue,
                Some(old) => {
                    let delta = update.price.0 - old.0;
                    let (values, gross, marks) =
                        (&mut self.market_values, &mut self.gross_values, &mut self.tick_marks);
                    for (&idx, &qty) in slot.holders.iter() {
                        values[idx as usize] += Money(delta.saturating_mul(qty));
                        gross[idx as usize] += Money(delta.saturating_mul(qty.abs()));
                        let mark = &mut marks[idx as usize];
                        if *mark != generation {
                            *mark = generation;
                            touched.push(idx);
                        }
                    }
                }
            }
            outcome.moved += 1;
            // Resting orders may fire on the first price too (they survive restarts), but never
            // once the tournament has stopped running: its standings are frozen.
            if self.is_running() {
                self.trigger(inst, update.price, fx, &mut outcome.triggered);
            }
        }
        outcome.revalued = touched.len();
        for idx in touched {
            self.note_equity(idx);
        }
        outcome
    }
}
