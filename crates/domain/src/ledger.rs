//! The append-only ledger: every change of cash or position is one entry.
//!
//! A trade is a single entry carrying both the cash and the share change (the commission is part
//! of its cash change and also recorded in `fee`), so a fill costs one row. Balances are never
//! stored on their own authority: they are derived by folding entries, see
//! [`crate::portfolio::Portfolio::apply`].

use serde::{Deserialize, Serialize};

use crate::ids::{EntryId, OrderId, TournamentId};
use crate::instrument::Symbol;
use crate::money::{Money, Price, Qty};
use crate::time::Ts;

/// The kind of a ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Starting cash credited when an entry joins.
    Deposit,
    /// A fill: shares in or out, cash the other way, commission included.
    Trade,
    /// A cash dividend on a long position (credit) or owed on a short one (debit).
    Dividend,
    /// A stock split: shares change, cash does not (except cash in lieu of fractions).
    Split,
    /// Margin interest on borrowed cash (debit).
    Interest,
    /// Borrow fee on short positions (debit).
    BorrowFee,
}

impl LedgerKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Deposit => "deposit",
            LedgerKind::Trade => "trade",
            LedgerKind::Dividend => "dividend",
            LedgerKind::Split => "split",
            LedgerKind::Interest => "interest",
            LedgerKind::BorrowFee => "borrow_fee",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<LedgerKind> {
        Some(match s {
            "deposit" => LedgerKind::Deposit,
            "trade" => LedgerKind::Trade,
            "dividend" => LedgerKind::Dividend,
            "split" => LedgerKind::Split,
            "interest" => LedgerKind::Interest,
            "borrow_fee" => LedgerKind::BorrowFee,
            _ => return None,
        })
    }
}

/// One immutable ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Per-tournament sequence number, assigned by the sequencer, strictly increasing.
    pub seq: i64,
    /// Tournament.
    pub tournament_id: TournamentId,
    /// The account (tournament entry) it changes.
    pub entry_id: EntryId,
    /// When it happened.
    pub ts: Ts,
    /// What happened.
    pub kind: LedgerKind,
    /// The instrument, for trades, dividends and splits.
    pub symbol: Option<Symbol>,
    /// Change in shares (signed).
    pub qty_delta: Qty,
    /// Change in cash (signed), fees included.
    pub cash_delta: Money,
    /// Trade price per share, for trades; the split ratio's numerator price for splits.
    pub price: Option<Price>,
    /// Fee included in `cash_delta` (commission for trades).
    pub fee: Money,
    /// The order behind a trade.
    pub order_id: Option<OrderId>,
    /// For splits: ratio numerator/denominator (e.g. 7/1); zero otherwise.
    pub ratio: (i64, i64),
    /// Running cash balance of the entry after this change (a stored balance that
    /// `bullpen check` compares with the one derived by folding all deltas).
    pub cash_after: Money,
    /// Running position in `symbol` after this change (zero when there is no symbol).
    pub qty_after: Qty,
}
