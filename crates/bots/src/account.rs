//! What a bot sees of its own account.

use bullpen_domain::{Money, Qty, Symbol};

/// A bot's own account as of the decision. The bot never sees other accounts or its open
/// orders; it keeps its own memory of orders that may still be working.
#[derive(Debug, Clone, Copy)]
pub struct AccountView<'a> {
    /// Settled cash. Bots never plan to spend more than this (below zero counts as zero).
    pub cash: Money,
    /// Cash plus the market value of positions; positions are sized as fractions of it.
    pub equity: Money,
    /// Signed positions: positive long, negative short. A symbol listed twice counts as the sum.
    pub positions: &'a [(Symbol, Qty)],
}

impl AccountView<'_> {
    /// The signed position in `symbol` (zero when none).
    pub fn position(&self, symbol: &Symbol) -> Qty {
        self.positions.iter().filter(|(s, _)| s == symbol).map(|(_, q)| *q).fold(Qty::ZERO, |a, b| a + b)
    }
}
