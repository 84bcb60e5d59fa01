//! The one place that turns intents into orders, and the reason every order is affordable and
//! on the right side of the bot's position.
//!
//! The book starts from the [`AccountView`] and subtracts what the bot's own possibly-working
//! orders ([`Commitments`]) could still use; then each admitted order uses up cash or shares, so
//! the orders of one call together never spend more cash than the account has (at the worse of
//! the last price and the order's own price) and never sell more shares than it holds.

use std::collections::{BTreeMap, BTreeSet};

use bullpen_domain::{Money, OrderRequest, Side, Symbol, TimeInForce};

use crate::account::AccountView;
use crate::intent::{Intent, Style};

/// An order of this bot that may still be working at the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Commitment {
    symbol: Symbol,
    side: Side,
    qty: i64,
    cash: Money,
    /// Last UTC day (days since the epoch) on which the order is assumed to be working.
    last_day: i64,
}

/// The bot's memory of orders that may still be working. Bots get no fill reports, so this is a
/// conservative guess: a resting order is assumed to tie up its cash or shares until it would
/// have expired, even if it filled earlier (the fill shows in the account as well, so that cash
/// counts twice for a while, which only makes the bot more careful).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Commitments(Vec<Commitment>);

impl Commitments {
    /// Forgets orders assumed expired before `today`.
    pub(crate) fn prune(&mut self, today: i64) {
        self.0.retain(|c| c.last_day >= today);
    }

    /// Remembers an admitted order. Market orders are assumed filled or gone by the next call
    /// and are not remembered; day orders until the end of `today`; GTC orders for
    /// `gtc_days` days.
    pub(crate) fn remember(&mut self, admitted: &Admitted, today: i64, gtc_days: i64) {
        let last_day = match (admitted.style, admitted.request.time_in_force) {
            (Style::Market, _) => return,
            (_, TimeInForce::Gtc) => today.saturating_add(gtc_days),
            _ => today,
        };
        self.0.push(Commitment {
            symbol: admitted.request.symbol.clone(),
            side: admitted.request.side,
            qty: admitted.request.qty.0,
            cash: admitted.cash,
            last_day,
        });
    }
}

/// An order the book let through, with the cash it ties up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Admitted {
    /// The order.
    pub request: OrderRequest,
    /// Cash it may use (buys, covers) or that is held back against it (short sales).
    pub cash: Money,
    /// How it was priced.
    pub style: Style,
}

/// Cash and shares still free for new orders in this call.
#[derive(Debug, Clone)]
pub(crate) struct Book {
    cash_left: Money,
    positions: BTreeMap<Symbol, i64>,
    reserved_sell: BTreeMap<Symbol, i64>,
    reserved_cover: BTreeMap<Symbol, i64>,
    pending_buy: BTreeSet<Symbol>,
    pending_short: BTreeSet<Symbol>,
    touched: BTreeSet<Symbol>,
}

impl Book {
    /// The free cash and shares of `account` after `commitments`.
    pub(crate) fn new(account: &AccountView<'_>, commitments: &Commitments) -> Book {
        let mut positions: BTreeMap<Symbol, i64> = BTreeMap::new();
        for (symbol, qty) in account.positions {
            let entry = positions.entry(symbol.clone()).or_insert(0);
            *entry = entry.saturating_add(qty.0);
        }
        let mut book = Book {
            cash_left: account.cash.max(Money::ZERO),
            positions,
            reserved_sell: BTreeMap::new(),
            reserved_cover: BTreeMap::new(),
            pending_buy: BTreeSet::new(),
            pending_short: BTreeSet::new(),
            touched: BTreeSet::new(),
        };
        for c in &commitments.0 {
            book.cash_left = (book.cash_left - c.cash).max(Money::ZERO);
            match c.side {
                Side::Sell => add(&mut book.reserved_sell, &c.symbol, c.qty),
                Side::BuyToCover => add(&mut book.reserved_cover, &c.symbol, c.qty),
                Side::Buy => {
                    book.pending_buy.insert(c.symbol.clone());
                }
                Side::SellShort => {
                    book.pending_short.insert(c.symbol.clone());
                }
            }
        }
        book
    }

    /// Signed shares held.
    pub(crate) fn position(&self, symbol: &Symbol) -> i64 {
        self.positions.get(symbol).copied().unwrap_or(0)
    }

    /// Long shares not already promised to a working sell order.
    pub(crate) fn sellable(&self, symbol: &Symbol) -> i64 {
        (self.position(symbol) - self.reserved_sell.get(symbol).copied().unwrap_or(0)).max(0)
    }

    /// Short shares not already promised to a working buy-to-cover order.
    pub(crate) fn coverable(&self, symbol: &Symbol) -> i64 {
        (-self.position(symbol) - self.reserved_cover.get(symbol).copied().unwrap_or(0)).max(0)
    }

    /// True when a new position may be opened in `symbol`: flat, with no working orders on it.
    pub(crate) fn can_open(&self, symbol: &Symbol) -> bool {
        self.position(symbol) == 0 && !self.has_working_orders(symbol)
    }

    /// Cash not yet used in this call.
    pub(crate) fn cash_left(&self) -> Money {
        self.cash_left
    }

    fn has_working_orders(&self, symbol: &Symbol) -> bool {
        self.pending_buy.contains(symbol)
            || self.pending_short.contains(symbol)
            || self.reserved_sell.contains_key(symbol)
            || self.reserved_cover.contains_key(symbol)
    }

    /// Turns `intent` into an order if it can be placed, trimming its quantity to the free
    /// cash or shares. At most one order per symbol per call. `None` when nothing is left.
    pub(crate) fn admit(&mut self, intent: &Intent) -> Option<Admitted> {
        if self.touched.contains(&intent.symbol) || intent.qty < 1 || intent.last.0 <= 0 {
            return None;
        }
        let symbol = &intent.symbol;
        let position = self.position(symbol);
        let unit = intent.unit_cost();
        let affordable = i64::try_from(i128::from(self.cash_left.0) / i128::from(unit.0.max(1))).unwrap_or(i64::MAX);
        let (qty, uses_cash) = match intent.side {
            Side::Buy if position >= 0 && !self.pending_short.contains(symbol) => (intent.qty.min(affordable), true),
            Side::Sell if position > 0 => (intent.qty.min(self.sellable(symbol)), false),
            // Short sales hold back their full value in cash: a cash account can always cover.
            Side::SellShort if self.can_open(symbol) => (intent.qty.min(affordable), true),
            Side::BuyToCover if position < 0 => (intent.qty.min(self.coverable(symbol)).min(affordable), true),
            _ => return None,
        };
        if qty < 1 {
            return None;
        }
        let request = intent.to_request(qty);
        if request.validate_shape().is_err() {
            return None;
        }
        let cash = if uses_cash { unit.times(request.qty) } else { Money::ZERO };
        self.cash_left = (self.cash_left - cash).max(Money::ZERO);
        match intent.side {
            Side::Sell => add(&mut self.reserved_sell, symbol, qty),
            Side::BuyToCover => add(&mut self.reserved_cover, symbol, qty),
            Side::Buy => {
                self.pending_buy.insert(symbol.clone());
            }
            Side::SellShort => {
                self.pending_short.insert(symbol.clone());
            }
        }
        self.touched.insert(symbol.clone());
        Some(Admitted { request, cash, style: intent.style })
    }
}

fn add(map: &mut BTreeMap<Symbol, i64>, symbol: &Symbol, qty: i64) {
    let entry = map.entry(symbol.clone()).or_insert(0);
    *entry = entry.saturating_add(qty);
}

#[cfg(test)]
mod tests {
    use bullpen_domain::{Price, Qty};

    use super::*;

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap_or_else(|_| unreachable!())
    }

    fn intent(symbol: &str, side: Side, qty: i64, style: Style) -> Intent {
        Intent { symbol: sym(symbol), side, qty, last: Price::from_dollars(10), style }
    }

    #[test]
    fn trims_to_cash_and_holdings() {
        let positions = [(sym("LONG"), Qty(5)), (sym("SHORT"), Qty(-4))];
        let account =
            AccountView { cash: Money::from_dollars(100), equity: Money::from_dollars(200), positions: &positions };
        let mut book = Book::new(&account, &Commitments::default());
        let buy = book.admit(&intent("NEW", Side::Buy, 50, Style::Market)).map(|a| a.request.qty);
        assert_eq!(buy, Some(Qty(10)));
        assert_eq!(book.cash_left(), Money::ZERO);
        assert!(book.admit(&intent("OTHER", Side::Buy, 1, Style::Market)).is_none(), "no cash left");
        let sell = book.admit(&intent("LONG", Side::Sell, 50, Style::Market)).map(|a| a.request.qty);
        assert_eq!(sell, Some(Qty(5)));
        assert!(book.admit(&intent("LONG", Side::Sell, 1, Style::Market)).is_none(), "one order per symbol");
        assert!(book.admit(&intent("SHORT", Side::BuyToCover, 1, Style::Market)).is_none(), "covering costs cash");
        assert!(book.admit(&intent("SHORT", Side::Sell, 1, Style::Market)).is_none(), "cannot sell a short");
    }

    #[test]
    fn wrong_sides_are_refused() {
        let positions = [(sym("LONG"), Qty(5)), (sym("SHORT"), Qty(-4))];
        let account =
            AccountView { cash: Money::from_dollars(1_000), equity: Money::from_dollars(2_000), positions: &positions };
        let mut book = Book::new(&account, &Commitments::default());
        assert!(book.admit(&intent("LONG", Side::SellShort, 1, Style::Market)).is_none());
        assert!(book.admit(&intent("SHORT", Side::Buy, 1, Style::Market)).is_none());
        assert!(book.admit(&intent("FLAT", Side::Sell, 1, Style::Market)).is_none());
        assert!(book.admit(&intent("FLAT", Side::BuyToCover, 1, Style::Market)).is_none());
        let cover = book.admit(&intent("SHORT", Side::BuyToCover, 9, Style::Market)).map(|a| a.request.qty);
        assert_eq!(cover, Some(Qty(4)));
    }

    #[test]
    fn working_orders_hold_back_cash_and_shares() {
        let positions = [(sym("LONG"), Qty(5))];
        let account =
            AccountView { cash: Money::from_dollars(100), equity: Money::from_dollars(150), positions: &positions };
        let mut commitments = Commitments::default();
        let mut book = Book::new(&account, &commitments);
        let stop = Style::Stop { offset_bps: -500, tif: TimeInForce::Gtc };
        let limit = Style::Limit { offset_bps: 100, tif: TimeInForce::Day };
        for i in [intent("LONG", Side::Sell, 3, stop), intent("NEW", Side::Buy, 5, limit)] {
            let admitted = book.admit(&i).unwrap_or_else(|| unreachable!());
            commitments.remember(&admitted, 10, 5);
        }
        // The limit buy at $10.10 holds back $50.50 until the end of day 10.
        let book = Book::new(&account, &commitments);
        assert_eq!(book.sellable(&sym("LONG")), 2);
        assert_eq!(book.cash_left(), Money::from_cents(4_950));
        assert!(!book.can_open(&sym("NEW")));
        commitments.prune(11);
        let book = Book::new(&account, &commitments);
        assert_eq!(book.cash_left(), Money::from_dollars(100));
        assert_eq!(book.sellable(&sym("LONG")), 2, "the GTC stop is assumed working for 5 days");
        commitments.prune(16);
        assert_eq!(Book::new(&account, &commitments).sellable(&sym("LONG")), 5);
    }
}
