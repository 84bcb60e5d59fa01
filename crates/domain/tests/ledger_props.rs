#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests: random trading histories (orders that pass `check_order`, dividends, splits,
//! interest, deposits) built with the entry builders always fold back, through `reconcile`, into
//! the same portfolio, and the books balance exactly.

use std::collections::BTreeMap;

use bullpen_domain::portfolio::{
    deposit_entry, dividend_entry, interest_entry, reconcile, split_entry, trade_entry, Direction, LedgerError,
    Portfolio, RoundTrip,
};
use bullpen_domain::{
    CommissionModel, EntryId, Instrument, InstrumentId, InstrumentStatus, LedgerEntry, LedgerKind, MarginRules, Money,
    OrderContext, OrderId, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce, TournamentId,
    TournamentRules, Ts,
};
use proptest::prelude::*;

const T: TournamentId = TournamentId(3);
const ACCOUNT: EntryId = EntryId(42);
const SYMBOLS: [&str; 3] = ["AAA", "BBB", "CCC"];
/// Starting prices: an ordinary stock, a cheap one, and a sub-dollar one (tick 0.0001).
const START_PRICES: [i64; 3] = [500_000, 30_000, 8_000];

#[derive(Debug, Clone)]
enum Op {
    Order { sym: usize, side: Side, qty: i64, move_bps: i64, seconds: i64 },
    Dividend { sym: usize, per_share: i64 },
    Split { sym: usize, numerator: i64, denominator: i64 },
    Charge { borrow_fee: bool, cents: i64 },
    Deposit { dollars: i64 },
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell), Just(Side::SellShort), Just(Side::BuyToCover)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0..3usize, side(), 1..2_500i64, -900..900i64, 0..200_000i64)
            .prop_map(|(sym, side, qty, move_bps, seconds)| Op::Order { sym, side, qty, move_bps, seconds }),
        1 => (0..3usize, 1..20_000i64).prop_map(|(sym, per_share)| Op::Dividend { sym, per_share }),
        1 => (0..3usize, prop_oneof![Just((2, 1)), Just((3, 2)), Just((5, 4)), Just((1, 2)), Just((2, 3)), Just((1, 10))])
            .prop_map(|(sym, (numerator, denominator))| Op::Split { sym, numerator, denominator }),
        1 => (any::<bool>(), 1..5_000i64).prop_map(|(borrow_fee, cents)| Op::Charge { borrow_fee, cents }),
        1 => (-5_000..50_000i64).prop_map(|dollars| Op::Deposit { dollars }),
    ]
}

fn rules(margin: bool) -> TournamentRules {
    TournamentRules {
        starting_cash: Money::from_dollars(100_000),
        commission: CommissionModel {
            per_trade: Money::from_dollars(1),
            per_share: Money(50),
            bps: 3,
            minimum: Money::from_cents(150),
        },
        short_selling: true,
        short_min_price: Price::from_dollars(1),
        margin: margin.then_some(MarginRules { buying_power_multiple_bps: 20_000, interest_bps_per_year: 800 }),
        slippage_bps: 5,
        ..TournamentRules::default()
    }
}

/// The simulated account and market.
struct World {
    rules: TournamentRules,
    instruments: Vec<Instrument>,
    prices: [Price; 3],
    p: Portfolio,
    entries: Vec<LedgerEntry>,
    round_trips: Vec<RoundTrip>,
    now: Ts,
    splits: usize,
    reverse_splits: usize,
}

impl World {
    fn new(margin: bool) -> World {
        let instruments = SYMBOLS
            .iter()
            .enumerate()
            .map(|(i, s)| Instrument {
                id: InstrumentId(i as i64 + 1),
                symbol: Symbol::parse(s).unwrap(),
                name: format!("{s} Corp"),
                sector: "Industrials".into(),
                status: InstrumentStatus::Active,
            })
            .collect();
        let mut w = World {
            rules: rules(margin),
            instruments,
            prices: START_PRICES.map(Price),
            p: Portfolio::new(ACCOUNT),
            entries: Vec::new(),
            round_trips: Vec::new(),
            now: Ts(1_700_000_000_000_000),
            splits: 0,
            reverse_splits: 0,
        };
        let seq = w.next_seq();
        let starting_cash = w.rules.starting_cash;
        w.book(deposit_entry(&w.p, seq, T, w.now, starting_cash));
        w
    }

    fn next_seq(&self) -> i64 {
        self.p.last_seq + 1
    }

    fn symbol(&self, i: usize) -> Symbol {
        self.instruments[i].symbol.clone()
    }

    fn price_of(&self, symbol: &Symbol) -> Option<Price> {
        SYMBOLS.iter().position(|s| *s == symbol.as_str()).map(|i| self.prices[i])
    }

    fn book(&mut self, entry: LedgerEntry) {
        let rts = self.p.apply(&entry).unwrap_or_else(|e| panic!("builder made a bad entry: {e}"));
        self.round_trips.extend(rts);
        self.entries.push(entry);
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Order { sym, side, qty, move_bps, seconds } => self.order(sym, side, qty, move_bps, seconds),
            Op::Dividend { sym, per_share } => {
                let seq = self.next_seq();
                if let Some(e) = dividend_entry(&self.p, seq, T, self.now, &self.symbol(sym), Money(per_share)) {
                    self.book(e);
                }
            }
            Op::Split { sym, numerator, denominator } => {
                let seq = self.next_seq();
                let last = self.prices[sym];
                if let Some(e) = split_entry(&self.p, seq, T, self.now, &self.symbol(sym), numerator, denominator, last)
                {
                    self.splits += 1;
                    self.reverse_splits += usize::from(numerator < denominator);
                    self.book(e);
                }
                let adjusted = i128::from(last.0) * i128::from(denominator) / i128::from(numerator);
                self.prices[sym] = Price(i64::try_from(adjusted).unwrap()).round_to_tick();
            }
            Op::Charge { borrow_fee, cents } => {
                let kind = if borrow_fee { LedgerKind::BorrowFee } else { LedgerKind::Interest };
                let seq = self.next_seq();
                self.book(interest_entry(&self.p, seq, T, self.now, kind, Money::from_cents(cents)));
            }
            Op::Deposit { dollars } => {
                let seq = self.next_seq();
                self.book(deposit_entry(&self.p, seq, T, self.now, Money::from_dollars(dollars)));
            }
        }
    }

    fn order(&mut self, sym: usize, side: Side, qty: i64, move_bps: i64, seconds: i64) {
        self.now = self.now.plus_seconds(seconds);
        let moved = i128::from(self.prices[sym].0) * i128::from(10_000 + move_bps) / 10_000;
        self.prices[sym] = Price(i64::try_from(moved).unwrap()).round_to_tick();
        let quote = self.prices[sym];
        let request = OrderRequest {
            client_order_id: None,
            symbol: self.symbol(sym),
            side,
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Day,
            qty: Qty(qty),
            limit_price: None,
            stop_price: None,
        };
        let prices = |s: &Symbol| self.price_of(s);
        let ctx = OrderContext {
            request: &request,
            instrument: Some(&self.instruments[sym]),
            quote: Some(quote),
            market_open: true,
            portfolio: &self.p,
            prices: &prices,
            valuation: None,
            reserved_buying_power: Money::ZERO,
            pending_sell_qty: Qty::ZERO,
            orders_today: 0,
            now: self.now,
        };
        if self.rules.check_order(&ctx).is_err() {
            return;
        }
        let fill = self.rules.fill_price_with_slippage(side, quote);
        let commission = self.rules.commission.commission(Qty(qty), fill);
        let seq = self.next_seq();
        let order_id = OrderId(seq);
        let e =
            trade_entry(&self.p, seq, T, self.now, order_id, &request.symbol, Qty(side.sign() * qty), fill, commission);
        let opening = matches!(side, Side::Buy | Side::SellShort);
        if side == Side::Buy {
            assert_eq!(-e.cash_delta, self.rules.order_cost_estimate(&request, quote), "estimate is the real cost");
        }
        self.book(e);
        if opening && self.rules.margin.is_none() {
            assert!(!self.p.cash.is_negative(), "an accepted opening order took a cash account below zero");
        }
    }

    fn assert_books_balance(&self) {
        let p = &self.p;
        assert!(p.lots_consistent(), "lots do not add up: {p:?}");
        let marks = |s: &Symbol| self.price_of(s);
        let at_cost = |_: &Symbol| None;
        let only_first = |s: &Symbol| (s.as_str() == SYMBOLS[0]).then(|| self.prices[0]);
        for prices in [&marks as &dyn Fn(&Symbol) -> Option<Price>, &at_cost, &only_first] {
            assert_eq!(
                p.realized_pnl + p.unrealized_pnl(prices) + p.dividends - p.interest,
                p.equity(prices) - p.deposits,
                "P&L identity"
            );
            let values: Money = p.positions.values().map(|pos| pos.value(prices(&pos.symbol)).abs()).sum();
            assert_eq!(p.gross_exposure(prices), values);
        }
    }
}

fn run(ops: &[Op], margin: bool) -> World {
    let mut w = World::new(margin);
    for op in ops {
        w.step(op);
        w.assert_books_balance();
    }
    w
}

fn assert_ledger_reconciles(w: &World) {
    let folded = reconcile(&w.entries).unwrap_or_else(|errors| panic!("{errors:?}"));
    assert_eq!(folded.len(), 1);
    assert_eq!(folded[&ACCOUNT], w.p, "folding the ledger rebuilds the live portfolio");
    let reversed: Vec<&LedgerEntry> = w.entries.iter().rev().collect();
    assert_eq!(reconcile(reversed).unwrap()[&ACCOUNT], w.p, "input order does not matter");

    let p = &w.p;
    assert_eq!(p.cash, w.entries.iter().map(|e| e.cash_delta).sum::<Money>());
    let mut shares: BTreeMap<Symbol, i64> = BTreeMap::new();
    for e in &w.entries {
        if let Some(s) = &e.symbol {
            *shares.entry(s.clone()).or_default() += e.qty_delta.0;
        }
    }
    for (symbol, qty) in shares {
        assert_eq!(p.qty(&symbol), Qty(qty), "{symbol}");
    }
    let trade_fees: Money = w.entries.iter().filter(|e| e.kind == LedgerKind::Trade).map(|e| e.fee).sum();
    assert_eq!(p.fees, trade_fees);
    let open_fees: Money = p.positions.values().flat_map(|pos| pos.lots.iter().map(|l| l.entry_fee)).sum();
    let closed_fees: Money = w.round_trips.iter().map(|rt| rt.fees).sum();
    if w.reverse_splits == 0 {
        assert_eq!(closed_fees + open_fees, p.fees, "every fee is in exactly one round trip or open lot");
    }
    if w.splits == 0 {
        assert_eq!(w.round_trips.iter().map(|rt| rt.realized_pnl).sum::<Money>(), p.realized_pnl);
    }
    for rt in &w.round_trips {
        assert!(rt.qty.0 > 0);
        let per_share = match rt.direction {
            Direction::Long => rt.exit_price.0 - rt.entry_price.0,
            Direction::Short => rt.entry_price.0 - rt.exit_price.0,
        };
        assert_eq!(rt.realized_pnl, Price(per_share).times(rt.qty) - rt.fees);
        assert!(rt.closed_at >= rt.opened_at);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn cash_account_histories_reconcile(ops in prop::collection::vec(op(), 1..80)) {
        let w = run(&ops, false);
        assert_ledger_reconciles(&w);
    }

    #[test]
    fn margin_account_histories_reconcile(ops in prop::collection::vec(op(), 1..80)) {
        let w = run(&ops, true);
        assert_ledger_reconciles(&w);
    }

    #[test]
    fn a_wrong_stored_balance_is_reported_once(
        ops in prop::collection::vec(op(), 1..40),
        pick in any::<prop::sample::Index>(),
        off_by in prop_oneof![-1_000i64..0, 1..1_000i64],
    ) {
        let w = run(&ops, false);
        let mut entries = w.entries.clone();
        let bad = pick.index(entries.len());
        entries[bad].cash_after += Money(off_by);
        let seq = entries[bad].seq;
        let errors = reconcile(&entries).unwrap_err();
        prop_assert_eq!(errors.len(), 1, "{:?}", errors);
        let mismatch_seq = match errors[0] {
            LedgerError::BalanceMismatch { seq, .. } => Some(seq),
            _ => None,
        };
        prop_assert_eq!(mismatch_seq, Some(seq));
    }
}
