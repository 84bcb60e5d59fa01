//! The prices a bot can see: a rolling window per symbol.

use std::collections::BTreeMap;

use bullpen_domain::{Price, Symbol};

/// A window long enough for every strategy's longest lookback (41 observations) with room to
/// spare. Shorter windows work: bots shorten their lookbacks to what is there.
pub const RECOMMENDED_WINDOW: usize = 64;

/// Rolling per-symbol price history. The caller records each symbol's price once per
/// observation step (typically right before calling `decide` on every bot); all bots share it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceHistory {
    window: usize,
    prices: BTreeMap<Symbol, Vec<Price>>,
}

impl PriceHistory {
    /// An empty history keeping the last `window` prices per symbol (at least 1).
    pub fn new(window: usize) -> PriceHistory {
        PriceHistory { window: window.max(1), prices: BTreeMap::new() }
    }

    /// The number of prices kept per symbol.
    pub fn capacity(&self) -> usize {
        self.window
    }

    /// Appends an observation. Prices of zero or below (no valid quote) are ignored.
    pub fn record(&mut self, symbol: &Symbol, price: Price) {
        if price.0 <= 0 {
            return;
        }
        let window = self.window;
        let series = match self.prices.get_mut(symbol) {
            Some(series) => series,
            None => self.prices.entry(symbol.clone()).or_insert_with(|| Vec::with_capacity(2 * window)),
        };
        // Compact only when the buffer reaches twice the window: amortised O(1) per record
        // while `window()` can still hand out one contiguous slice.
        if series.len() >= 2 * window {
            let excess = series.len() + 1 - window;
            series.drain(..excess);
        }
        series.push(price);
    }

    /// The latest price of `symbol`.
    pub fn last(&self, symbol: &Symbol) -> Option<Price> {
        self.prices.get(symbol).and_then(|s| s.last().copied())
    }

    /// Up to `capacity()` latest prices of `symbol`, oldest first (empty when unknown).
    pub fn window(&self, symbol: &Symbol) -> &[Price] {
        match self.prices.get(symbol) {
            Some(series) => series.get(series.len().saturating_sub(self.window)..).unwrap_or_default(),
            None => &[],
        }
    }

    /// Every symbol with at least one price, in symbol order.
    pub fn symbols(&self) -> impl Iterator<Item = &Symbol> {
        self.prices.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn keeps_the_latest_window() {
        let mut h = PriceHistory::new(3);
        let a = sym("AAA");
        assert!(h.window(&a).is_empty());
        assert_eq!(h.last(&a), None);
        for cents in 1..=10 {
            h.record(&a, Price::from_cents(100 * cents));
            let expected: Vec<Price> = ((cents - 2).max(1)..=cents).map(|c| Price::from_cents(100 * c)).collect();
            assert_eq!(h.window(&a), expected.as_slice());
        }
        assert_eq!(h.last(&a), Some(Price::from_dollars(10)));
        h.record(&a, Price(0));
        assert_eq!(h.last(&a), Some(Price::from_dollars(10)));
        h.record(&sym("BBB"), Price::from_dollars(1));
        let symbols: Vec<&str> = h.symbols().map(Symbol::as_str).collect();
        assert_eq!(symbols, ["AAA", "BBB"]);
    }
}
