//! The account state derived from the ledger: cash, positions held as FIFO lots, realized P&L,
//! and the round trips that closing trades produce.
//!
//! [`Portfolio::apply`] folds one [`LedgerEntry`] at a time and checks the entry's stored running
//! balances against the derived ones; [`reconcile`] folds a whole ledger and reports every
//! problem. The `*_entry` builders make entries whose running balances are right by construction.
//!
//! # The P&L identity
//!
//! Every amount below is exact (no rounding happens while folding), and at any prices
//!
//! ```text
//! realized_pnl + unrealized_pnl + dividends − interest  =  equity − deposits
//! ```
//!
//! holds to the ten-thousandth of a cent, because:
//! - realized P&L is net of fees: each closed piece carries its share of the opening fill's fee
//!   and of the closing fill's fee;
//! - unrealized P&L of an open lot is `(price − entry price) × qty − entry_fee`, i.e. also net of
//!   the part of the opening fee not yet allocated to a round trip (as brokers include the
//!   commission in the cost basis);
//! - `interest` holds margin interest and borrow fees (debits, counted positive);
//! - a split books into realized P&L whatever it changes in cost basis: the cash in lieu of the
//!   fractional share minus that fraction's cost, plus the sub-unit rounding of the new per-share
//!   prices.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::ids::{EntryId, OrderId, TournamentId};
use crate::instrument::Symbol;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::money::{Money, Price, Qty};
use crate::time::{Ts, MICROS_PER_SECOND};

/// Long or short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Bought first, sold later.
    Long,
    /// Sold short first, bought back later.
    Short,
}

impl Direction {
    /// The direction of a signed quantity (zero counts as long).
    pub fn of(qty: Qty) -> Direction {
        if qty.0 < 0 {
            Direction::Short
        } else {
            Direction::Long
        }
    }
}

/// Shares opened by one fill and not yet closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// Signed: above zero long, below zero short.
    pub qty: Qty,
    /// Price per share paid (long) or received (short); adjusted by splits.
    pub price: Price,
    /// When the opening fill happened.
    pub opened_at: Ts,
    /// The opening order.
    pub order_id: Option<OrderId>,
    /// The part of the opening fill's fee not yet allocated to a round trip.
    pub entry_fee: Money,
}

/// A position in one symbol. A position that went flat stays in the map with `qty` zero and no
/// lots, so its realized P&L is kept; see [`Portfolio::open_positions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Instrument.
    pub symbol: Symbol,
    /// Signed shares: the sum of the lots.
    pub qty: Qty,
    /// Open lots, oldest first. All have the sign of `qty`.
    pub lots: VecDeque<Lot>,
    /// Realized P&L in this symbol, net of fees.
    pub realized_pnl: Money,
}

impl Position {
    fn flat(symbol: Symbol) -> Position {
        Position { symbol, qty: Qty::ZERO, lots: VecDeque::new(), realized_pnl: Money::ZERO }
    }

    /// The signed value of the lots at their own prices (negative for shorts).
    pub fn cost_basis(&self) -> Money {
        self.lots.iter().map(|lot| lot.price.times(lot.qty)).sum()
    }

    /// The signed value at `price`, or at cost when there is no price.
    pub fn value(&self, price: Option<Price>) -> Money {
        match price {
            Some(price) => price.times(self.qty),
            None => self.cost_basis(),
        }
    }
}

/// A closed (part of a) lot: one opening fill matched with one closing fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundTrip {
    /// The account.
    pub entry_id: EntryId,
    /// Instrument.
    pub symbol: Symbol,
    /// Long or short.
    pub direction: Direction,
    /// Shares closed, positive.
    pub qty: Qty,
    /// Opening price per share (split-adjusted).
    pub entry_price: Price,
    /// Closing price per share.
    pub exit_price: Price,
    /// When the lot was opened.
    pub opened_at: Ts,
    /// When it was closed.
    pub closed_at: Ts,
    /// The opening order.
    pub open_order_id: Option<OrderId>,
    /// The closing order.
    pub close_order_id: Option<OrderId>,
    /// This piece's share of the opening and the closing fee.
    pub fees: Money,
    /// Profit or loss, net of `fees`.
    pub realized_pnl: Money,
}

impl RoundTrip {
    /// For analytics: net P&L over the cost of the opening (`entry_price × qty`).
    pub fn return_fraction(&self) -> f64 {
        let cost = self.entry_price.times(self.qty).to_f64_lossy();
        if cost == 0.0 {
            0.0
        } else {
            self.realized_pnl.to_f64_lossy() / cost
        }
    }

    /// Whole seconds between opening and closing.
    pub fn holding_seconds(&self) -> i64 {
        self.closed_at.0.saturating_sub(self.opened_at.0) / MICROS_PER_SECOND
    }
}

/// A ledger entry that cannot be folded. Every message names the entry's `seq`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The entry belongs to another account.
    #[error("seq {seq}: entry belongs to account {found}, not {expected}")]
    WrongEntry {
        /// Sequence number.
        seq: i64,
        /// The portfolio's account.
        expected: EntryId,
        /// The entry's account.
        found: EntryId,
    },
    /// Sequence numbers must increase strictly (they start at 1).
    #[error("seq {seq}: sequence number is not above the previous one ({last_seq})")]
    SeqNotIncreasing {
        /// Sequence number.
        seq: i64,
        /// The last one applied.
        last_seq: i64,
    },
    /// The stored running balances differ from the derived ones.
    #[error(
        "seq {seq}: stored balances (cash {stored_cash}, qty {stored_qty}) differ from derived ones \
         (cash {derived_cash}, qty {derived_qty})"
    )]
    BalanceMismatch {
        /// Sequence number.
        seq: i64,
        /// `cash_after` as stored.
        stored_cash: Money,
        /// Cash derived by folding.
        derived_cash: Money,
        /// `qty_after` as stored.
        stored_qty: Qty,
        /// Position derived by folding.
        derived_qty: Qty,
    },
    /// A trade, dividend or split without a symbol.
    #[error("seq {seq}: {kind} entry has no symbol")]
    MissingSymbol {
        /// Sequence number.
        seq: i64,
        /// Entry kind.
        kind: &'static str,
    },
    /// A trade without a price.
    #[error("seq {seq}: trade has no price")]
    MissingPrice {
        /// Sequence number.
        seq: i64,
    },
    /// A trade at zero or a negative price.
    #[error("seq {seq}: trade price {price} is not positive")]
    NonPositivePrice {
        /// Sequence number.
        seq: i64,
        /// The price.
        price: Price,
    },
    /// A trade of zero shares.
    #[error("seq {seq}: trade of zero shares")]
    ZeroQuantityTrade {
        /// Sequence number.
        seq: i64,
    },
    /// A negative commission.
    #[error("seq {seq}: fee {fee} is negative")]
    NegativeFee {
        /// Sequence number.
        seq: i64,
        /// The fee.
        fee: Money,
    },
    /// A trade whose cash change is not `−(qty × price) − fee`.
    #[error("seq {seq}: trade cash change is {found}, but qty × price and fee give {expected}")]
    TradeCashMismatch {
        /// Sequence number.
        seq: i64,
        /// `−(qty × price) − fee`.
        expected: Money,
        /// The entry's `cash_delta`.
        found: Money,
    },
    /// A share change on an entry kind that moves only cash.
    #[error("seq {seq}: {kind} entry changes shares by {qty}, but only moves cash")]
    UnexpectedQuantity {
        /// Sequence number.
        seq: i64,
        /// Entry kind.
        kind: &'static str,
        /// The share change.
        qty: Qty,
    },
    /// A split ratio that is not two positive numbers.
    #[error("seq {seq}: split ratio {numerator}:{denominator} is not positive")]
    BadSplitRatio {
        /// Sequence number.
        seq: i64,
        /// New shares.
        numerator: i64,
        /// Old shares.
        denominator: i64,
    },
    /// A split whose share change is not the whole-share result of the ratio.
    #[error("seq {seq}: split changes shares by {found}, but the ratio gives {expected} whole shares")]
    SplitQtyMismatch {
        /// Sequence number.
        seq: i64,
        /// Derived change.
        expected: Qty,
        /// The entry's `qty_delta`.
        found: Qty,
    },
    /// The portfolio's lots do not add up to its position (state edited by hand).
    #[error("seq {seq}: the lots of `{symbol}` do not add up to its position")]
    LotsInconsistent {
        /// Sequence number.
        seq: i64,
        /// Instrument.
        symbol: Symbol,
    },
    /// An amount beyond the range of the fixed-point types.
    #[error("seq {seq}: amount out of range")]
    Overflow {
        /// Sequence number.
        seq: i64,
    },
}

impl LedgerError {
    /// The sequence number of the offending entry.
    pub fn seq(&self) -> i64 {
        match self {
            LedgerError::WrongEntry { seq, .. }
            | LedgerError::SeqNotIncreasing { seq, .. }
            | LedgerError::BalanceMismatch { seq, .. }
            | LedgerError::MissingSymbol { seq, .. }
            | LedgerError::MissingPrice { seq }
            | LedgerError::NonPositivePrice { seq, .. }
            | LedgerError::ZeroQuantityTrade { seq }
            | LedgerError::NegativeFee { seq, .. }
            | LedgerError::TradeCashMismatch { seq, .. }
            | LedgerError::UnexpectedQuantity { seq, .. }
            | LedgerError::BadSplitRatio { seq, .. }
            | LedgerError::SplitQtyMismatch { seq, .. }
            | LedgerError::LotsInconsistent { seq, .. }
            | LedgerError::Overflow { seq } => *seq,
        }
    }
}

/// One account's state, derived by folding its ledger entries in sequence order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Portfolio {
    /// The account.
    pub entry_id: EntryId,
    /// Cash; negative when borrowing on margin.
    pub cash: Money,
    /// Positions by symbol, flat ones included.
    pub positions: BTreeMap<Symbol, Position>,
    /// Realized P&L net of fees (round trips plus split adjustments).
    pub realized_pnl: Money,
    /// Commissions paid on all trades.
    pub fees: Money,
    /// Dividends received (positive) or paid on shorts (negative).
    pub dividends: Money,
    /// Margin interest and borrow fees paid (a debit, counted positive).
    pub interest: Money,
    /// Net deposits.
    pub deposits: Money,
    /// Sequence number of the last applied entry (0 before the first).
    pub last_seq: i64,
}

/// Closing part of a trade against one lot, planned before anything changes.
struct ClosePiece {
    /// Shares taken from the lot (positive).
    take: i64,
    /// True when the whole lot closes.
    whole_lot: bool,
    /// The lot's opening fee allocated to this piece.
    entry_fee: Money,
}

/// Everything a trade changes, computed without touching the portfolio.
struct TradePlan {
    symbol: Symbol,
    pieces: Vec<ClosePiece>,
    round_trips: Vec<RoundTrip>,
    open: Option<Lot>,
    new_qty: Qty,
    realized: Money,
}

/// Everything a split changes.
struct SplitPlan {
    symbol: Symbol,
    lots: VecDeque<Lot>,
    new_qty: Qty,
    realized: Money,
}

enum Plan {
    CashOnly,
    Trade(TradePlan),
    Split(SplitPlan),
}

/// Converts an exact 128-bit amount to money, or reports overflow at `seq`.
fn money(v: i128, seq: i64) -> Result<Money, LedgerError> {
    i64::try_from(v).map(Money).map_err(|_| LedgerError::Overflow { seq })
}

/// `part × numerator / denominator` truncated toward zero (`denominator > 0`); used to allocate
/// a fee pro rata by shares, where the complement always goes to the last piece.
fn pro_rata(part: Money, numerator: i64, denominator: i64) -> Money {
    if denominator == 0 {
        return Money::ZERO;
    }
    let v = i128::from(part.0) * i128::from(numerator) / i128::from(denominator);
    Money(i64::try_from(v).unwrap_or(part.0))
}

impl Portfolio {
    /// An empty account.
    pub fn new(entry_id: EntryId) -> Portfolio {
        Portfolio {
            entry_id,
            cash: Money::ZERO,
            positions: BTreeMap::new(),
            realized_pnl: Money::ZERO,
            fees: Money::ZERO,
            dividends: Money::ZERO,
            interest: Money::ZERO,
            deposits: Money::ZERO,
            last_seq: 0,
        }
    }

    /// Applies one entry: checks `seq > last_seq` and the entry id, folds cash and shares,
    /// maintains FIFO lots, then verifies the entry's `cash_after` and `qty_after` against the
    /// derived balances. On error nothing changes.
    ///
    /// - Trade: `cash_delta` must be `−(qty_delta × price) − fee`. A trade against the position
    ///   closes the oldest lots first and yields one [`RoundTrip`] per (partly) closed lot, carrying
    ///   that lot's share of its opening fee and the piece's share of this fill's fee (both pro
    ///   rata by shares, truncated, the last piece taking the remainder). A trade that crosses
    ///   zero closes everything and opens the rest the other way, with the rest of the fee.
    /// - Split: `ratio` = (new, old) shares; lot quantities become whole shares (cumulatively
    ///   truncated toward zero, so they add up to `trunc(qty × n / d)`, which must equal
    ///   `qty + qty_delta`); lot prices become `price × d / n` rounded half away from zero to
    ///   1/10,000 of a dollar. `cash_delta` (cash in lieu, set by whoever made the entry) and the
    ///   cost-basis change go to realized P&L; a lot that shrinks to nothing takes its unallocated
    ///   fee there too.
    /// - Dividend, interest, borrow fee, deposit: cash only (`qty_delta` must be zero).
    pub fn apply(&mut self, entry: &LedgerEntry) -> Result<Vec<RoundTrip>, LedgerError> {
        self.apply_inner(entry, true)
    }

    fn apply_inner(&mut self, entry: &LedgerEntry, verify_balances: bool) -> Result<Vec<RoundTrip>, LedgerError> {
        let seq = entry.seq;
        if entry.entry_id != self.entry_id {
            return Err(LedgerError::WrongEntry { seq, expected: self.entry_id, found: entry.entry_id });
        }
        if seq <= self.last_seq {
            return Err(LedgerError::SeqNotIncreasing { seq, last_seq: self.last_seq });
        }
        let overflow = LedgerError::Overflow { seq };
        let kind = entry.kind.as_str();
        let plan = match entry.kind {
            LedgerKind::Trade => Plan::Trade(self.plan_trade(entry)?),
            LedgerKind::Split => Plan::Split(self.plan_split(entry)?),
            LedgerKind::Dividend | LedgerKind::Deposit | LedgerKind::Interest | LedgerKind::BorrowFee => {
                if entry.kind == LedgerKind::Dividend && entry.symbol.is_none() {
                    return Err(LedgerError::MissingSymbol { seq, kind });
                }
                if !entry.qty_delta.is_zero() {
                    return Err(LedgerError::UnexpectedQuantity { seq, kind, qty: entry.qty_delta });
                }
                Plan::CashOnly
            }
        };

        let cash = self.cash.checked_add(entry.cash_delta).ok_or_else(|| overflow.clone())?;
        let qty = match &entry.symbol {
            Some(symbol) => Qty(self.qty(symbol).0.checked_add(entry.qty_delta.0).ok_or_else(|| overflow.clone())?),
            None => Qty::ZERO,
        };
        if verify_balances && (entry.cash_after != cash || entry.qty_after != qty) {
            return Err(LedgerError::BalanceMismatch {
                seq,
                stored_cash: entry.cash_after,
                derived_cash: cash,
                stored_qty: entry.qty_after,
                derived_qty: qty,
            });
        }

        let (mut realized, mut fees) = (self.realized_pnl, self.fees);
        let (mut dividends, mut interest, mut deposits) = (self.dividends, self.interest, self.deposits);
        let add = |total: &mut Money, amount: Money| -> Result<(), LedgerError> {
            *total = total.checked_add(amount).ok_or(LedgerError::Overflow { seq })?;
            Ok(())
        };
        match (&plan, entry.kind) {
            (Plan::Trade(trade), _) => {
                add(&mut realized, trade.realized)?;
                add(&mut fees, entry.fee)?;
            }
            (Plan::Split(split), _) => add(&mut realized, split.realized)?,
            (Plan::CashOnly, LedgerKind::Dividend) => add(&mut dividends, entry.cash_delta)?,
            (Plan::CashOnly, LedgerKind::Deposit) => add(&mut deposits, entry.cash_delta)?,
            (Plan::CashOnly, _) => {
                interest = interest.checked_sub(entry.cash_delta).ok_or_else(|| overflow.clone())?;
            }
        }
        let position_realized = |plan_realized: Money, symbol: &Symbol| -> Result<Money, LedgerError> {
            let current = self.positions.get(symbol).map_or(Money::ZERO, |p| p.realized_pnl);
            current.checked_add(plan_realized).ok_or(LedgerError::Overflow { seq })
        };
        let new_position_realized = match &plan {
            Plan::Trade(trade) => Some(position_realized(trade.realized, &trade.symbol)?),
            Plan::Split(split) => Some(position_realized(split.realized, &split.symbol)?),
            Plan::CashOnly => None,
        };

        // Nothing below can fail: commit.
        self.cash = cash;
        self.realized_pnl = realized;
        self.fees = fees;
        self.dividends = dividends;
        self.interest = interest;
        self.deposits = deposits;
        self.last_seq = seq;
        let position_realized = new_position_realized.unwrap_or_default();
        match plan {
            Plan::CashOnly => Ok(Vec::new()),
            Plan::Trade(trade) => Ok(self.commit_trade(trade, position_realized)),
            Plan::Split(split) => {
                self.commit_split(split, position_realized);
                Ok(Vec::new())
            }
        }
    }

    fn plan_trade(&self, entry: &LedgerEntry) -> Result<TradePlan, LedgerError> {
        let seq = entry.seq;
        let symbol = entry.symbol.clone().ok_or(LedgerError::MissingSymbol { seq, kind: "trade" })?;
        let price = entry.price.ok_or(LedgerError::MissingPrice { seq })?;
        if price.0 <= 0 {
            return Err(LedgerError::NonPositivePrice { seq, price });
        }
        let delta = entry.qty_delta.0;
        if delta == 0 {
            return Err(LedgerError::ZeroQuantityTrade { seq });
        }
        if entry.fee.is_negative() {
            return Err(LedgerError::NegativeFee { seq, fee: entry.fee });
        }
        let expected_cash = money(-(i128::from(delta) * i128::from(price.0)) - i128::from(entry.fee.0), seq)?;
        if expected_cash != entry.cash_delta {
            return Err(LedgerError::TradeCashMismatch { seq, expected: expected_cash, found: entry.cash_delta });
        }

        let position = self.positions.get(&symbol);
        let held = position.map_or(0, |p| p.qty.0);
        let new_qty = Qty(held.checked_add(delta).ok_or(LedgerError::Overflow { seq })?);
        let fill_abs = delta.abs();
        let closing = held != 0 && (held > 0) != (delta > 0);
        let close_abs = if closing { fill_abs.min(held.abs()) } else { 0 };

        let mut pieces = Vec::new();
        let mut round_trips = Vec::new();
        let mut realized: i128 = 0;
        let mut remaining = close_abs;
        let mut filled_so_far = 0;
        for lot in position.map(|p| p.lots.iter()).into_iter().flatten() {
            if remaining == 0 {
                break;
            }
            let lot_abs = lot.qty.0.abs();
            let take = lot_abs.min(remaining);
            let whole_lot = take == lot_abs;
            let entry_fee = if whole_lot { lot.entry_fee } else { pro_rata(lot.entry_fee, take, lot_abs) };
            // Cumulative allocation makes the pieces of this fill's fee add up exactly.
            let exit_fee =
                pro_rata(entry.fee, filled_so_far + take, fill_abs) - pro_rata(entry.fee, filled_so_far, fill_abs);
            filled_so_far += take;
            remaining -= take;
            let direction = Direction::of(lot.qty);
            let per_share = match direction {
                Direction::Long => i128::from(price.0) - i128::from(lot.price.0),
                Direction::Short => i128::from(lot.price.0) - i128::from(price.0),
            };
            let fees = entry_fee.checked_add(exit_fee).ok_or(LedgerError::Overflow { seq })?;
            let pnl = per_share * i128::from(take) - i128::from(fees.0);
            realized += pnl;
            round_trips.push(RoundTrip {
                entry_id: self.entry_id,
                symbol: symbol.clone(),
                direction,
                qty: Qty(take),
                entry_price: lot.price,
                exit_price: price,
                opened_at: lot.opened_at,
                closed_at: entry.ts,
                open_order_id: lot.order_id,
                close_order_id: entry.order_id,
                fees,
                realized_pnl: money(pnl, seq)?,
            });
            pieces.push(ClosePiece { take, whole_lot, entry_fee });
        }
        if remaining != 0 {
            return Err(LedgerError::LotsInconsistent { seq, symbol });
        }
        let open_abs = fill_abs - close_abs;
        let open = (open_abs > 0).then(|| Lot {
            qty: Qty(if delta > 0 { open_abs } else { -open_abs }),
            price,
            opened_at: entry.ts,
            order_id: entry.order_id,
            entry_fee: entry.fee - pro_rata(entry.fee, close_abs, fill_abs),
        });
        Ok(TradePlan { symbol, pieces, round_trips, open, new_qty, realized: money(realized, seq)? })
    }

    fn commit_trade(&mut self, plan: TradePlan, position_realized: Money) -> Vec<RoundTrip> {
        let position = self.positions.entry(plan.symbol.clone()).or_insert_with(|| Position::flat(plan.symbol));
        for piece in plan.pieces {
            if piece.whole_lot {
                position.lots.pop_front();
            } else if let Some(lot) = position.lots.front_mut() {
                lot.qty.0 -= lot.qty.0.signum() * piece.take;
                lot.entry_fee -= piece.entry_fee;
            }
        }
        if let Some(lot) = plan.open {
            position.lots.push_back(lot);
        }
        position.qty = plan.new_qty;
        position.realized_pnl = position_realized;
        plan.round_trips
    }

    fn plan_split(&self, entry: &LedgerEntry) -> Result<SplitPlan, LedgerError> {
        let seq = entry.seq;
        let symbol = entry.symbol.clone().ok_or(LedgerError::MissingSymbol { seq, kind: "split" })?;
        let (numerator, denominator) = entry.ratio;
        if numerator <= 0 || denominator <= 0 {
            return Err(LedgerError::BadSplitRatio { seq, numerator, denominator });
        }
        let (n, d) = (i128::from(numerator), i128::from(denominator));
        let held = self.qty(&symbol).0;
        let sign = i128::from(held.signum());
        let new_abs = i128::from(held).abs() * n / d;
        let new_qty = i64::try_from(sign * new_abs).map_err(|_| LedgerError::Overflow { seq })?;
        let expected = Qty(new_qty - held);
        if entry.qty_delta != expected {
            return Err(LedgerError::SplitQtyMismatch { seq, expected, found: entry.qty_delta });
        }

        let mut lots = VecDeque::new();
        let (mut old_cum, mut new_cum_before) = (0_i128, 0_i128);
        let (mut old_basis, mut new_basis, mut dropped_fees) = (0_i128, 0_i128, 0_i128);
        for lot in self.positions.get(&symbol).map(|p| p.lots.iter()).into_iter().flatten() {
            old_cum += i128::from(lot.qty.0).abs();
            let new_cum = old_cum * n / d;
            let lot_new_abs = new_cum - new_cum_before;
            new_cum_before = new_cum;
            old_basis += i128::from(lot.price.0) * i128::from(lot.qty.0);
            if lot_new_abs == 0 {
                dropped_fees += i128::from(lot.entry_fee.0);
                continue;
            }
            let new_price = (i128::from(lot.price.0) * d * 2 + n) / (n * 2); // half away from zero
            let new_price = i64::try_from(new_price).map_err(|_| LedgerError::Overflow { seq })?.max(1);
            let lot_qty = i64::try_from(sign * lot_new_abs).map_err(|_| LedgerError::Overflow { seq })?;
            new_basis += i128::from(new_price) * i128::from(lot_qty);
            lots.push_back(Lot { qty: Qty(lot_qty), price: Price(new_price), ..lot.clone() });
        }
        if old_cum != i128::from(held).abs() {
            return Err(LedgerError::LotsInconsistent { seq, symbol });
        }
        let realized = money(i128::from(entry.cash_delta.0) + new_basis - old_basis - dropped_fees, seq)?;
        Ok(SplitPlan { symbol, lots, new_qty: Qty(new_qty), realized })
    }

    fn commit_split(&mut self, plan: SplitPlan, position_realized: Money) {
        let position = self.positions.entry(plan.symbol.clone()).or_insert_with(|| Position::flat(plan.symbol));
        position.lots = plan.lots;
        position.qty = plan.new_qty;
        position.realized_pnl = position_realized;
    }

    /// Signed shares held in `symbol` (zero when none).
    pub fn qty(&self, symbol: &Symbol) -> Qty {
        self.positions.get(symbol).map_or(Qty::ZERO, |p| p.qty)
    }

    /// Positions that are not flat.
    pub fn open_positions(&self) -> impl Iterator<Item = &Position> + '_ {
        self.positions.values().filter(|p| !p.qty.is_zero())
    }

    /// Signed value of all positions (shorts negative); a position without a price is valued at
    /// its lots' cost.
    pub fn market_value(&self, price: impl Fn(&Symbol) -> Option<Price>) -> Money {
        self.positions.values().map(|p| p.value(price(&p.symbol))).sum()
    }

    /// Cash plus market value.
    pub fn equity(&self, price: impl Fn(&Symbol) -> Option<Price>) -> Money {
        self.cash + self.market_value(price)
    }

    /// Sum of the absolute values of all positions.
    pub fn gross_exposure(&self, price: impl Fn(&Symbol) -> Option<Price>) -> Money {
        self.positions.values().map(|p| p.value(price(&p.symbol)).abs()).sum()
    }

    /// Unrealized P&L of all open lots, net of their unallocated opening fees (a position without
    /// a price counts at cost, so only its fees show).
    pub fn unrealized_pnl(&self, price: impl Fn(&Symbol) -> Option<Price>) -> Money {
        self.positions
            .values()
            .flat_map(|p| {
                let mark = price(&p.symbol);
                p.lots.iter().map(move |lot| Portfolio::lot_unrealized(lot, mark.unwrap_or(lot.price)))
            })
            .sum()
    }

    /// `(price − lot price) × lot qty − entry_fee`: positive when a long lot gained or a short one
    /// fell.
    pub fn lot_unrealized(lot: &Lot, price: Price) -> Money {
        Price(price.0.saturating_sub(lot.price.0)).times(lot.qty) - lot.entry_fee
    }

    /// True when every position's lots add up to its qty and all have its sign.
    pub fn lots_consistent(&self) -> bool {
        self.positions.values().all(|p| {
            let sum: i128 = p.lots.iter().map(|lot| i128::from(lot.qty.0)).sum();
            sum == i128::from(p.qty.0)
                && p.lots.iter().all(|lot| lot.qty.0 != 0 && lot.qty.0.signum() == p.qty.0.signum())
        })
    }

    /// When the newest open lot in `symbol` was opened.
    pub fn newest_lot_opened_at(&self, symbol: &Symbol) -> Option<Ts> {
        self.positions.get(symbol)?.lots.iter().map(|lot| lot.opened_at).max()
    }

    /// When the oldest open lot in `symbol` was opened (the one a closing trade closes first).
    pub fn oldest_lot_opened_at(&self, symbol: &Symbol) -> Option<Ts> {
        self.positions.get(symbol)?.lots.iter().map(|lot| lot.opened_at).min()
    }
}

/// Builds the ledger entry for a fill of `signed_qty` shares (above zero buys, below zero sells)
/// at `price`, with the running balances computed from `p`.
#[allow(clippy::too_many_arguments)]
pub fn trade_entry(
    p: &Portfolio,
    seq: i64,
    tournament_id: TournamentId,
    ts: Ts,
    order_id: OrderId,
    symbol: &Symbol,
    signed_qty: Qty,
    price: Price,
    commission: Money,
) -> LedgerEntry {
    let cash_delta = -price.times(signed_qty) - commission;
    LedgerEntry {
        seq,
        tournament_id,
        entry_id: p.entry_id,
        ts,
        kind: LedgerKind::Trade,
        symbol: Some(symbol.clone()),
        qty_delta: signed_qty,
        cash_delta,
        price: Some(price),
        fee: commission,
        order_id: Some(order_id),
        ratio: (0, 0),
        cash_after: p.cash + cash_delta,
        qty_after: p.qty(symbol) + signed_qty,
    }
}

/// A cash-only entry (no symbol, no shares).
fn cash_entry(
    p: &Portfolio,
    seq: i64,
    tournament_id: TournamentId,
    ts: Ts,
    kind: LedgerKind,
    delta: Money,
) -> LedgerEntry {
    LedgerEntry {
        seq,
        tournament_id,
        entry_id: p.entry_id,
        ts,
        kind,
        symbol: None,
        qty_delta: Qty::ZERO,
        cash_delta: delta,
        price: None,
        fee: Money::ZERO,
        order_id: None,
        ratio: (0, 0),
        cash_after: p.cash + delta,
        qty_after: Qty::ZERO,
    }
}

/// Builds a deposit (negative `amount`: a withdrawal).
pub fn deposit_entry(p: &Portfolio, seq: i64, tournament_id: TournamentId, ts: Ts, amount: Money) -> LedgerEntry {
    cash_entry(p, seq, tournament_id, ts, LedgerKind::Deposit, amount)
}

/// Builds the dividend of `per_share` on the position in `symbol`, exact (`per_share × qty`, no
/// rounding): a credit for longs, a debit for shorts, who owe it to the lender. `price` records
/// `per_share`. `None` when there is no position.
pub fn dividend_entry(
    p: &Portfolio,
    seq: i64,
    tournament_id: TournamentId,
    ts: Ts,
    symbol: &Symbol,
    per_share: Money,
) -> Option<LedgerEntry> {
    let held = p.qty(symbol);
    if held.is_zero() {
        return None;
    }
    let amount = Price(per_share.0).times(held);
    Some(LedgerEntry {
        symbol: Some(symbol.clone()),
        price: Some(Price(per_share.0)),
        qty_after: held,
        ..cash_entry(p, seq, tournament_id, ts, LedgerKind::Dividend, amount)
    })
}

/// Builds a `numerator`-for-`denominator` split of the position in `symbol`: the position becomes
/// `trunc(qty × n / d)` whole shares and the fractional share is settled in cash at the post-split
/// price `last_price × d / n`, rounded to the cent (received by longs, paid by shorts). `price`
/// records `last_price`. `None` when there is no position or the ratio is not positive.
#[allow(clippy::too_many_arguments)]
pub fn split_entry(
    p: &Portfolio,
    seq: i64,
    tournament_id: TournamentId,
    ts: Ts,
    symbol: &Symbol,
    numerator: i64,
    denominator: i64,
    last_price: Price,
) -> Option<LedgerEntry> {
    let held = p.qty(symbol);
    if held.is_zero() || numerator <= 0 || denominator <= 0 {
        return None;
    }
    let scaled = i128::from(held.0) * i128::from(numerator);
    let new_qty = i64::try_from(scaled / i128::from(denominator)).ok()?;
    // Fractional new shares = rem / d; each is worth last_price × d / n, so the cash is rem × last_price / n.
    let rem = i64::try_from(scaled % i128::from(denominator)).ok()?;
    let cash_in_lieu = Money(last_price.0).mul_ratio_to_cent(rem, numerator);
    Some(LedgerEntry {
        symbol: Some(symbol.clone()),
        qty_delta: Qty(new_qty) - held,
        price: Some(last_price),
        ratio: (numerator, denominator),
        qty_after: Qty(new_qty),
        ..cash_entry(p, seq, tournament_id, ts, LedgerKind::Split, cash_in_lieu)
    })
}

/// Builds a margin-interest or borrow-fee debit of `amount` (positive) for `kind`
/// ([`LedgerKind::Interest`] or [`LedgerKind::BorrowFee`]).
pub fn interest_entry(
    p: &Portfolio,
    seq: i64,
    tournament_id: TournamentId,
    ts: Ts,
    kind: LedgerKind,
    amount: Money,
) -> LedgerEntry {
    cash_entry(p, seq, tournament_id, ts, kind, -amount)
}

/// Folds a whole ledger (entries in any order; each account's are sorted by `seq`) into one
/// portfolio per account, and reports every problem found.
///
/// The deltas are the truth: an entry whose stored balances are wrong is reported and still
/// folded, so one bad row does not make every later row of that account look wrong too. An
/// entry that cannot be folded at all (wrong shape, duplicate seq, …) is reported and skipped.
pub fn reconcile<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
) -> Result<BTreeMap<EntryId, Portfolio>, Vec<LedgerError>> {
    let mut by_account: BTreeMap<EntryId, Vec<&LedgerEntry>> = BTreeMap::new();
    for entry in entries {
        by_account.entry(entry.entry_id).or_default().push(entry);
    }
    let mut errors = Vec::new();
    let mut portfolios = BTreeMap::new();
    for (entry_id, mut account_entries) in by_account {
        account_entries.sort_by_key(|e| e.seq);
        let mut portfolio = Portfolio::new(entry_id);
        for entry in account_entries {
            match portfolio.apply(entry) {
                Ok(_) => {}
                Err(error @ LedgerError::BalanceMismatch { .. }) => {
                    errors.push(error);
                    if let Err(other) = portfolio.apply_inner(entry, false) {
                        errors.push(other);
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        portfolios.insert(entry_id, portfolio);
    }
    if errors.is_empty() {
        Ok(portfolios)
    } else {
        Err(errors)
    }
}
