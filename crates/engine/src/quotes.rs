//! The live quote board of a tournament: the last price of every instrument the sequencer has
//! seen, published as soon as a tick is applied (prices are market data, not account state, so
//! they need not wait for a commit).

use std::collections::BTreeMap;

use bullpen_domain::{Price, Symbol, Ts};

use crate::state::LiveTournament;

/// One instrument's last price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// Last price.
    pub price: Price,
    /// When it was set (the tick's time).
    pub at: Ts,
}

/// Last prices by symbol, with a counter that moves on every tick that changed something.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteBoard {
    /// Increases with every published change.
    pub version: u64,
    /// Time of the newest tick.
    pub as_of: Ts,
    /// Last price per symbol.
    pub quotes: BTreeMap<Symbol, Quote>,
}

impl QuoteBoard {
    /// The board of a rebuilt tournament: every instrument with a known price.
    pub fn of(live: &LiveTournament) -> QuoteBoard {
        let quotes = live
            .instruments
            .iter()
            .filter_map(|slot| {
                let at = slot.recent.back().map(|(ts, _)| *ts).unwrap_or(live.now);
                slot.last.map(|price| (slot.instrument.symbol.clone(), Quote { price, at }))
            })
            .collect();
        QuoteBoard { version: 0, as_of: live.now, quotes }
    }

    /// The last price of one symbol.
    pub fn get(&self, symbol: &str) -> Option<Quote> {
        self.quotes.get(symbol).copied()
    }
}
