#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Folding ledger entries into portfolios: FIFO lots, round trips, fees, splits, dividends,
//! running-balance checks and reconciliation.

use bullpen_domain::portfolio::{
    deposit_entry, dividend_entry, interest_entry, reconcile, split_entry, trade_entry, Direction, LedgerError,
    Portfolio, RoundTrip,
};
use bullpen_domain::{EntryId, LedgerEntry, LedgerKind, Money, OrderId, Price, Qty, Symbol, TournamentId, Ts};

const T: TournamentId = TournamentId(1);
const SECOND: i64 = 1_000_000;

fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

fn dollars(d: i64) -> Money {
    Money::from_dollars(d)
}

fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

/// A portfolio and the ledger that built it.
struct Book {
    p: Portfolio,
    entries: Vec<LedgerEntry>,
    seq: i64,
}

impl Book {
    fn new(entry: i64) -> Book {
        Book { p: Portfolio::new(EntryId(entry)), entries: Vec::new(), seq: 0 }
    }

    fn next(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    fn push(&mut self, e: LedgerEntry) -> Vec<RoundTrip> {
        let rts = self.p.apply(&e).unwrap();
        self.entries.push(e);
        rts
    }

    fn deposit(&mut self, amount: Money) {
        let seq = self.next();
        let e = deposit_entry(&self.p, seq, T, Ts(0), amount);
        self.push(e);
    }

    fn trade(&mut self, at_s: i64, order: i64, symbol: &str, qty: i64, price: Price, fee: Money) -> Vec<RoundTrip> {
        let seq = self.next();
        let e = trade_entry(&self.p, seq, T, Ts(at_s * SECOND), OrderId(order), &sym(symbol), Qty(qty), price, fee);
        self.push(e)
    }
}

#[test]
fn fifo_sells_close_oldest_lots_with_exact_fee_allocation() {
    let mut b = Book::new(7);
    b.deposit(dollars(10_000));
    b.trade(1, 1, "AAPL", 10, Price::from_dollars(100), dollars(1));
    b.trade(2, 2, "AAPL", 5, Price::from_dollars(110), dollars(1));
    let rts = b.trade(10, 3, "AAPL", -12, Price::from_dollars(120), dollars(3));

    assert_eq!(rts.len(), 2);
    // Lot 1: all of its $1 entry fee, 10/12 of the $3 exit fee = $2.50.
    assert_eq!(rts[0].qty, Qty(10));
    assert_eq!(rts[0].direction, Direction::Long);
    assert_eq!(rts[0].entry_price, Price::from_dollars(100));
    assert_eq!(rts[0].exit_price, Price::from_dollars(120));
    assert_eq!(rts[0].fees, cents(350));
    assert_eq!(rts[0].realized_pnl, cents(19_650));
    assert_eq!((rts[0].open_order_id, rts[0].close_order_id), (Some(OrderId(1)), Some(OrderId(3))));
    assert_eq!(rts[0].holding_seconds(), 9);
    // Lot 2: 2/5 of its $1 entry fee, the rest of the exit fee ($0.50).
    assert_eq!(rts[1].qty, Qty(2));
    assert_eq!(rts[1].fees, cents(90));
    assert_eq!(rts[1].realized_pnl, cents(1_910));
    assert_eq!(rts[1].opened_at, Ts(2 * SECOND));

    let p = &b.p;
    let aapl = sym("AAPL");
    assert_eq!(p.qty(&aapl), Qty(3));
    let lots = &p.positions[&aapl].lots;
    assert_eq!(lots.len(), 1);
    assert_eq!((lots[0].qty, lots[0].entry_fee), (Qty(3), cents(60)));
    assert_eq!(p.realized_pnl, cents(21_560));
    assert_eq!(p.positions[&aapl].realized_pnl, cents(21_560));
    assert_eq!(p.fees, dollars(5));
    assert_eq!(p.cash, dollars(9_885));
    assert!(p.lots_consistent());

    // realized + unrealized (net of the open lot's $0.60 fee) = equity − deposits, exactly.
    let price = |_: &Symbol| Some(Price::from_dollars(120));
    assert_eq!(p.unrealized_pnl(price), cents(2_940));
    assert_eq!(p.equity(price) - p.deposits, p.realized_pnl + p.unrealized_pnl(price));
    assert_eq!(p.last_seq, 4);
}

#[test]
fn short_then_cover_across_zero_opens_a_long_with_the_rest_of_the_fee() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "XYZ", -10, Price::from_dollars(50), dollars(1));
    assert_eq!(b.p.cash, dollars(1_499));
    let xyz = sym("XYZ");
    let value = b.p.market_value(|_| Some(Price::from_dollars(50)));
    assert_eq!(value, dollars(-500), "a short is a liability");
    assert_eq!(b.p.gross_exposure(|_| Some(Price::from_dollars(50))), dollars(500));

    let rts = b.trade(60, 2, "XYZ", 15, Price::from_dollars(40), cents(150));
    assert_eq!(rts.len(), 1);
    let rt = &rts[0];
    assert_eq!(rt.direction, Direction::Short);
    assert_eq!(rt.qty, Qty(10));
    // (50 − 40) × 10 − $1 entry fee − 10/15 of $1.50.
    assert_eq!(rt.fees, dollars(2));
    assert_eq!(rt.realized_pnl, dollars(98));
    assert!((rt.return_fraction() - 98.0 / 500.0).abs() < 1e-12);

    let lots = &b.p.positions[&xyz].lots;
    assert_eq!(b.p.qty(&xyz), Qty(5));
    assert_eq!(lots.len(), 1);
    assert_eq!((lots[0].qty, lots[0].price, lots[0].entry_fee), (Qty(5), Price::from_dollars(40), cents(50)));
    assert_eq!(lots[0].order_id, Some(OrderId(2)));
    assert!(b.p.lots_consistent());
    let price = |_: &Symbol| Some(Price::from_dollars(41));
    assert_eq!(b.p.equity(price) - b.p.deposits, b.p.realized_pnl + b.p.unrealized_pnl(price));
}

#[test]
fn flat_positions_keep_their_realized_pnl() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "XYZ", 3, Price::from_dollars(10), Money::ZERO);
    b.trade(1, 2, "XYZ", -3, Price::from_dollars(12), Money::ZERO);
    let xyz = sym("XYZ");
    assert_eq!(b.p.positions[&xyz].qty, Qty(0));
    assert!(b.p.positions[&xyz].lots.is_empty());
    assert_eq!(b.p.positions[&xyz].realized_pnl, dollars(6));
    assert_eq!(b.p.open_positions().count(), 0);
    assert!(b.p.lots_consistent());
}

#[test]
fn forward_split_keeps_whole_shares_and_pays_cash_in_lieu() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "ABC", 2, Price::from_dollars(100), dollars(1));
    b.trade(5, 2, "ABC", 3, Price::from_dollars(100), dollars(1));
    let abc = sym("ABC");
    let seq = b.next();
    // 3-for-2: 5 shares → 7.5 → 7 whole shares, half a share at $100 × 2/3 in cash.
    let e = split_entry(&b.p, seq, T, Ts(10 * SECOND), &abc, 3, 2, Price::from_dollars(100)).unwrap();
    assert_eq!(e.kind, LedgerKind::Split);
    assert_eq!((e.qty_delta, e.qty_after, e.ratio), (Qty(2), Qty(7), (3, 2)));
    assert_eq!(e.cash_delta, cents(3_333));
    b.push(e);

    let lots = &b.p.positions[&abc].lots;
    // Cumulative truncation: 2 → 3, (2 + 3) → 7, so the lots get 3 and 4 shares.
    assert_eq!(lots.iter().map(|l| l.qty).collect::<Vec<_>>(), vec![Qty(3), Qty(4)]);
    assert!(lots.iter().all(|l| l.price == Price(666_667)));
    assert_eq!(lots[1].opened_at, Ts(5 * SECOND), "a split does not restart the holding clock");
    assert!(b.p.lots_consistent());
    // Cost basis 1,000 → 7 × 66.6667 = 466.6669 (cost of the half share: ~33.33, sold for 33.33).
    assert_eq!(b.p.realized_pnl, Money(333_300 + 4_666_669 - 5_000_000));
    let price = |_: &Symbol| Some(Price::from_dollars(70));
    assert_eq!(b.p.equity(price) - b.p.deposits, b.p.realized_pnl + b.p.unrealized_pnl(price));
}

#[test]
fn reverse_split_can_drop_a_lot_and_books_its_fee() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "ABC", -2, Price::from_dollars(10), cents(30));
    b.trade(1, 2, "ABC", -4, Price::from_dollars(10), cents(40));
    let abc = sym("ABC");
    let seq = b.next();
    // 1-for-3 on a 6-share short: 2 shares short, no fraction; the first lot (2 → 0.67) vanishes.
    let e = split_entry(&b.p, seq, T, Ts(0), &abc, 1, 3, Price::from_dollars(10)).unwrap();
    assert_eq!((e.qty_delta, e.qty_after, e.cash_delta), (Qty(4), Qty(-2), Money::ZERO));
    b.push(e);
    let lots = &b.p.positions[&abc].lots;
    assert_eq!(lots.len(), 1);
    assert_eq!((lots[0].qty, lots[0].price, lots[0].entry_fee), (Qty(-2), Price::from_dollars(30), cents(40)));
    assert_eq!(b.p.realized_pnl, cents(-30));
    let price = |_: &Symbol| Some(Price::from_dollars(29));
    assert_eq!(b.p.equity(price) - b.p.deposits, b.p.realized_pnl + b.p.unrealized_pnl(price));
}

#[test]
fn short_split_pays_cash_in_lieu() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "ABC", -3, Price::from_dollars(60), Money::ZERO);
    let seq = b.next();
    // 3-for-2 on 3 short: 4.5 → 4 owed, the half share at $40 is paid.
    let e = split_entry(&b.p, seq, T, Ts(0), &sym("ABC"), 3, 2, Price::from_dollars(60)).unwrap();
    assert_eq!((e.qty_delta, e.cash_delta), (Qty(-1), dollars(-20)));
    b.push(e);
    assert_eq!(b.p.qty(&sym("ABC")), Qty(-4));
    assert_eq!(b.p.realized_pnl, Money::ZERO, "4 × $40 + $20 = 3 × $60");
}

#[test]
fn dividends_credit_longs_and_debit_shorts() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "LONG", 10, Price::from_dollars(10), Money::ZERO);
    b.trade(0, 2, "SHRT", -4, Price::from_dollars(10), Money::ZERO);
    let per_share = Money(2_505); // $0.2505
    let seq = b.next();
    let credit = dividend_entry(&b.p, seq, T, Ts(0), &sym("LONG"), per_share).unwrap();
    assert_eq!((credit.cash_delta, credit.qty_after), (Money(25_050), Qty(10)));
    b.push(credit);
    let seq = b.next();
    let debit = dividend_entry(&b.p, seq, T, Ts(0), &sym("SHRT"), per_share).unwrap();
    assert_eq!(debit.cash_delta, Money(-10_020));
    b.push(debit);
    assert!(dividend_entry(&b.p, 99, T, Ts(0), &sym("NONE"), per_share).is_none());
    assert_eq!(b.p.dividends, Money(15_030));
    let price = |_: &Symbol| Some(Price::from_dollars(11));
    assert_eq!(b.p.equity(price) - b.p.deposits, b.p.realized_pnl + b.p.unrealized_pnl(price) + b.p.dividends);
}

#[test]
fn interest_and_borrow_fees_are_cash_debits() {
    let mut b = Book::new(1);
    b.deposit(dollars(100));
    for kind in [LedgerKind::Interest, LedgerKind::BorrowFee] {
        let seq = b.next();
        let e = interest_entry(&b.p, seq, T, Ts(0), kind, cents(125));
        assert_eq!((e.kind, e.cash_delta), (kind, cents(-125)));
        b.push(e);
    }
    assert_eq!(b.p.interest, cents(250));
    assert_eq!(b.p.cash, cents(9_750));
    assert_eq!(b.p.equity(|_| None) - b.p.deposits, -b.p.interest);
}

#[test]
fn positions_without_a_price_are_valued_at_cost() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "AAA", 2, Price::from_dollars(10), cents(10));
    b.trade(0, 2, "AAA", 3, Price::from_dollars(20), cents(10));
    b.trade(0, 3, "BBB", -1, Price::from_dollars(50), Money::ZERO);
    let none = |_: &Symbol| None;
    assert_eq!(b.p.market_value(none), dollars(80 - 50));
    assert_eq!(b.p.gross_exposure(none), dollars(130));
    assert_eq!(b.p.unrealized_pnl(none), cents(-20));
    let only_bbb = |s: &Symbol| (s.as_str() == "BBB").then_some(Price::from_dollars(45));
    assert_eq!(b.p.market_value(only_bbb), dollars(80 - 45));
    assert_eq!(b.p.unrealized_pnl(only_bbb), cents(500 - 20));
}

#[test]
fn lot_ages_for_holding_rules() {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(100, 1, "AAA", 1, Price::from_dollars(10), Money::ZERO);
    b.trade(200, 2, "AAA", 1, Price::from_dollars(10), Money::ZERO);
    let aaa = sym("AAA");
    assert_eq!(b.p.oldest_lot_opened_at(&aaa), Some(Ts(100 * SECOND)));
    assert_eq!(b.p.newest_lot_opened_at(&aaa), Some(Ts(200 * SECOND)));
    assert_eq!(b.p.newest_lot_opened_at(&sym("BBB")), None);
}

fn base_book() -> Book {
    let mut b = Book::new(1);
    b.deposit(dollars(1_000));
    b.trade(0, 1, "AAA", 5, Price::from_dollars(10), cents(10));
    b
}

/// Applies `e` expecting `expected`, and checks the portfolio did not change.
fn assert_rejected(b: &mut Book, e: &LedgerEntry, expected: LedgerError) {
    let before = b.p.clone();
    assert_eq!(b.p.apply(e), Err(expected.clone()));
    assert_eq!(b.p, before, "a rejected entry changes nothing");
    assert!(expected.to_string().contains(&format!("seq {}", e.seq)), "{expected}");
}

#[test]
fn entries_for_another_account_or_out_of_sequence_are_refused() {
    let mut b = base_book();
    let mut e = deposit_entry(&b.p, 3, T, Ts(0), dollars(1));
    e.entry_id = EntryId(2);
    assert_rejected(&mut b, &e, LedgerError::WrongEntry { seq: 3, expected: EntryId(1), found: EntryId(2) });
    let e = deposit_entry(&b.p, 2, T, Ts(0), dollars(1));
    assert_rejected(&mut b, &e, LedgerError::SeqNotIncreasing { seq: 2, last_seq: 2 });
    assert_eq!(e.seq, 2);
}

#[test]
fn stored_balances_must_match_derived_ones() {
    let mut b = base_book();
    let mut e = deposit_entry(&b.p, 3, T, Ts(0), dollars(1));
    e.cash_after += Money(1);
    let derived_cash = b.p.cash + dollars(1);
    assert_rejected(
        &mut b,
        &e,
        LedgerError::BalanceMismatch {
            seq: 3,
            stored_cash: derived_cash + Money(1),
            derived_cash,
            stored_qty: Qty(0),
            derived_qty: Qty(0),
        },
    );
    let mut e = trade_entry(&b.p, 3, T, Ts(0), OrderId(9), &sym("AAA"), Qty(1), Price::from_dollars(10), Money::ZERO);
    e.qty_after = Qty(7);
    let cash = e.cash_after;
    assert_rejected(
        &mut b,
        &e,
        LedgerError::BalanceMismatch {
            seq: 3,
            stored_cash: cash,
            derived_cash: cash,
            stored_qty: Qty(7),
            derived_qty: Qty(6),
        },
    );
}

#[test]
fn malformed_trades_are_refused() {
    let mut b = base_book();
    let good = trade_entry(&b.p, 3, T, Ts(0), OrderId(9), &sym("AAA"), Qty(1), Price::from_dollars(10), cents(5));

    let mut e = good.clone();
    e.symbol = None;
    assert_rejected(&mut b, &e, LedgerError::MissingSymbol { seq: 3, kind: "trade" });
    let mut e = good.clone();
    e.price = None;
    assert_rejected(&mut b, &e, LedgerError::MissingPrice { seq: 3 });
    let mut e = good.clone();
    e.price = Some(Price(0));
    assert_rejected(&mut b, &e, LedgerError::NonPositivePrice { seq: 3, price: Price(0) });
    let mut e = good.clone();
    e.qty_delta = Qty(0);
    assert_rejected(&mut b, &e, LedgerError::ZeroQuantityTrade { seq: 3 });
    let mut e = good.clone();
    e.fee = cents(-5);
    assert_rejected(&mut b, &e, LedgerError::NegativeFee { seq: 3, fee: cents(-5) });
    let mut e = good.clone();
    e.cash_delta += cents(5);
    e.cash_after += cents(5);
    assert_rejected(
        &mut b,
        &e,
        LedgerError::TradeCashMismatch { seq: 3, expected: -cents(1_005), found: -dollars(10) },
    );
    let mut e = deposit_entry(&b.p, 3, T, Ts(0), dollars(1));
    e.qty_delta = Qty(1);
    assert_rejected(&mut b, &e, LedgerError::UnexpectedQuantity { seq: 3, kind: "deposit", qty: Qty(1) });
    let mut e = deposit_entry(&b.p, 3, T, Ts(0), Money(i64::MAX));
    e.cash_after = Money(i64::MAX);
    assert_rejected(&mut b, &e, LedgerError::Overflow { seq: 3 });

    assert_eq!(b.p.apply(&good).map(|rts| rts.len()), Ok(0));
}

#[test]
fn malformed_splits_are_refused() {
    let mut b = base_book();
    let aaa = sym("AAA");
    let good = split_entry(&b.p, 3, T, Ts(0), &aaa, 2, 1, Price::from_dollars(10)).unwrap();
    assert!(split_entry(&b.p, 3, T, Ts(0), &aaa, 0, 1, Price::from_dollars(10)).is_none());
    assert!(split_entry(&b.p, 3, T, Ts(0), &sym("ZZZ"), 2, 1, Price::from_dollars(10)).is_none());

    let mut e = good.clone();
    e.ratio = (2, 0);
    assert_rejected(&mut b, &e, LedgerError::BadSplitRatio { seq: 3, numerator: 2, denominator: 0 });
    let mut e = good.clone();
    e.qty_delta = Qty(4);
    e.qty_after = Qty(9);
    assert_rejected(&mut b, &e, LedgerError::SplitQtyMismatch { seq: 3, expected: Qty(5), found: Qty(4) });
    let mut e = good.clone();
    e.symbol = None;
    assert_rejected(&mut b, &e, LedgerError::MissingSymbol { seq: 3, kind: "split" });

    b.p.apply(&good).unwrap();
    assert_eq!(b.p.qty(&aaa), Qty(10));
    assert_eq!(b.p.positions[&aaa].lots[0].price, Price::from_dollars(5));
}

#[test]
fn reconcile_folds_interleaved_accounts_in_any_order() {
    let mut a = Book::new(1);
    let mut b = Book::new(2);
    a.deposit(dollars(500));
    b.deposit(dollars(700));
    a.trade(0, 1, "AAA", 5, Price::from_dollars(10), cents(10));
    b.trade(0, 2, "AAA", -5, Price::from_dollars(10), cents(10));
    a.trade(9, 3, "AAA", -2, Price::from_dollars(12), cents(10));
    let mut all: Vec<LedgerEntry> = a.entries.iter().chain(b.entries.iter()).cloned().collect();
    all.reverse();
    let folded = reconcile(&all).unwrap();
    assert_eq!(folded.len(), 2);
    assert_eq!(folded[&EntryId(1)], a.p);
    assert_eq!(folded[&EntryId(2)], b.p);
}

#[test]
fn reconcile_reports_every_problem_without_cascades() {
    let mut a = Book::new(1);
    a.deposit(dollars(500));
    a.trade(0, 1, "AAA", 5, Price::from_dollars(10), cents(10));
    a.trade(1, 2, "AAA", 1, Price::from_dollars(10), cents(10));
    a.trade(2, 3, "AAA", -2, Price::from_dollars(11), cents(10));
    let mut entries = a.entries.clone();
    entries[1].cash_after += Money(100); // a wrong stored balance
    let mut duplicate = entries[3].clone();
    duplicate.cash_delta = Money(0); // a second row with the same seq
    entries.push(duplicate);
    let mut other = Book::new(5);
    other.deposit(dollars(1));
    entries.extend(other.entries.iter().cloned());

    let errors = reconcile(&entries).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(matches!(errors[0], LedgerError::BalanceMismatch { seq: 2, .. }));
    assert!(matches!(errors[1], LedgerError::SeqNotIncreasing { seq: 4, last_seq: 4 }));
    assert_eq!(errors.iter().map(LedgerError::seq).collect::<Vec<_>>(), vec![2, 4]);
}
