#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every order rule, each with the exact reason it refuses.

use bullpen_domain::portfolio::{deposit_entry, trade_entry, Portfolio};
use bullpen_domain::{
    CommissionModel, EntryId, Instrument, InstrumentId, InstrumentStatus, MarginRules, Money, OrderContext, OrderId,
    OrderRequest, OrderType, Price, Qty, RejectReason, Side, Symbol, TimeInForce, TournamentId, TournamentRules, Ts,
    Universe,
};

const SECOND: i64 = 1_000_000;

fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

fn dollars(d: i64) -> Money {
    Money::from_dollars(d)
}

fn market(side: Side, qty: i64) -> OrderRequest {
    OrderRequest {
        client_order_id: None,
        symbol: sym("AAPL"),
        side,
        order_type: OrderType::Market,
        time_in_force: TimeInForce::Day,
        qty: Qty(qty),
        limit_price: None,
        stop_price: None,
    }
}

fn instrument(status: InstrumentStatus) -> Instrument {
    Instrument {
        id: InstrumentId(1),
        symbol: sym("AAPL"),
        name: "Apple Inc.".into(),
        sector: "Information Technology".into(),
        status,
    }
}

/// An account with $10,000 cash and the given fills (symbol, signed qty, price in dollars, at seconds).
fn account(fills: &[(&str, i64, i64, i64)]) -> Portfolio {
    let mut p = Portfolio::new(EntryId(1));
    let mut seq = 1;
    p.apply(&deposit_entry(&p, seq, TournamentId(1), Ts(0), dollars(10_000))).unwrap();
    for &(symbol, qty, price, at) in fills {
        seq += 1;
        let e = trade_entry(
            &p,
            seq,
            TournamentId(1),
            Ts(at * SECOND),
            OrderId(seq),
            &sym(symbol),
            Qty(qty),
            Price::from_dollars(price),
            Money::ZERO,
        );
        p.apply(&e).unwrap();
    }
    p
}

fn at_100(_: &Symbol) -> Option<Price> {
    Some(Price::from_dollars(100))
}

/// Checks `request` with an open market, a $100 quote and everything else neutral.
fn check(rules: &TournamentRules, request: &OrderRequest, portfolio: &Portfolio) -> Result<(), RejectReason> {
    let instrument = instrument(InstrumentStatus::Active);
    rules.check_order(&ctx(request, Some(&instrument), portfolio))
}

fn ctx<'a>(
    request: &'a OrderRequest,
    instrument: Option<&'a Instrument>,
    portfolio: &'a Portfolio,
) -> OrderContext<'a> {
    OrderContext {
        request,
        instrument,
        quote: Some(Price::from_dollars(100)),
        market_open: true,
        portfolio,
        prices: &at_100,
        valuation: None,
        reserved_buying_power: Money::ZERO,
        pending_sell_qty: Qty::ZERO,
        orders_today: 0,
        now: Ts(10_000 * SECOND),
    }
}

#[test]
fn shape_is_checked_first() {
    let rules = TournamentRules::default();
    let p = account(&[]);
    assert_eq!(check(&rules, &market(Side::Buy, 0), &p), Err(RejectReason::NonPositiveQuantity));
}

#[test]
fn unknown_symbols_and_the_universe() {
    let mut rules = TournamentRules::default();
    let p = account(&[]);
    let buy = market(Side::Buy, 1);
    assert_eq!(rules.check_order(&ctx(&buy, None, &p)), Err(RejectReason::UnknownSymbol("AAPL".into())));
    rules.universe = Universe::Symbols(vec![sym("MSFT")]);
    assert_eq!(check(&rules, &buy, &p), Err(RejectReason::NotInUniverse("AAPL".into())));
    rules.universe = Universe::Symbols(vec![sym("MSFT"), sym("AAPL")]);
    assert_eq!(check(&rules, &buy, &p), Ok(()));
    rules.universe = Universe::Sectors(vec!["Energy".into()]);
    assert_eq!(check(&rules, &buy, &p), Err(RejectReason::NotInUniverse("AAPL".into())));
    rules.universe = Universe::Sectors(vec!["information technology".into()]);
    assert_eq!(check(&rules, &buy, &p), Ok(()));
}

#[test]
fn halted_and_delisted_symbols() {
    let rules = TournamentRules::default();
    let p = account(&[]);
    let buy = market(Side::Buy, 1);
    let halted = instrument(InstrumentStatus::Halted);
    assert_eq!(rules.check_order(&ctx(&buy, Some(&halted), &p)), Err(RejectReason::Halted("AAPL".into())));
    let delisted = instrument(InstrumentStatus::Delisted);
    let err = rules.check_order(&ctx(&buy, Some(&delisted), &p)).unwrap_err();
    assert_eq!(err, RejectReason::Delisted("AAPL".into()));
    assert_eq!(err.code(), "delisted");
}

#[test]
fn every_order_needs_an_open_market_and_a_quote() {
    let rules = TournamentRules::default();
    let p = account(&[]);
    let inst = instrument(InstrumentStatus::Active);
    let mut gtc_limit = market(Side::Buy, 1);
    gtc_limit.order_type = OrderType::Limit;
    gtc_limit.time_in_force = TimeInForce::Gtc;
    gtc_limit.limit_price = Some(Price::from_dollars(90));
    for request in [market(Side::Buy, 1), gtc_limit] {
        let closed = OrderContext { market_open: false, ..ctx(&request, Some(&inst), &p) };
        assert_eq!(rules.check_order(&closed), Err(RejectReason::MarketClosed));
        let no_quote = OrderContext { quote: None, ..ctx(&request, Some(&inst), &p) };
        assert_eq!(rules.check_order(&no_quote), Err(RejectReason::NoPrice("AAPL".into())));
    }
}

#[test]
fn daily_order_limit() {
    let rules = TournamentRules { max_orders_per_day: Some(3), ..TournamentRules::default() };
    let p = account(&[]);
    let inst = instrument(InstrumentStatus::Active);
    let buy = market(Side::Buy, 1);
    assert_eq!(rules.check_order(&OrderContext { orders_today: 2, ..ctx(&buy, Some(&inst), &p) }), Ok(()));
    assert_eq!(
        rules.check_order(&OrderContext { orders_today: 3, ..ctx(&buy, Some(&inst), &p) }),
        Err(RejectReason::MaxOrdersPerDay(3))
    );
}

#[test]
fn sells_need_unpromised_long_shares() {
    let rules = TournamentRules::default();
    let flat = account(&[]);
    assert_eq!(
        check(&rules, &market(Side::Sell, 10), &flat),
        Err(RejectReason::InsufficientPosition { wanted: Qty(10), held: Qty(0) })
    );
    let long = account(&[("AAPL", 15, 100, 0)]);
    let inst = instrument(InstrumentStatus::Active);
    let sell = market(Side::Sell, 10);
    let pending = OrderContext { pending_sell_qty: Qty(10), ..ctx(&sell, Some(&inst), &long) };
    assert_eq!(rules.check_order(&pending), Err(RejectReason::InsufficientPosition { wanted: Qty(10), held: Qty(5) }));
    let sell5 = market(Side::Sell, 5);
    assert_eq!(
        rules.check_order(&OrderContext { pending_sell_qty: Qty(10), ..ctx(&sell5, Some(&inst), &long) }),
        Ok(())
    );

    let short = account(&[("AAPL", -5, 100, 0)]);
    let Err(RejectReason::WrongSideForPosition(msg)) = check(&rules, &market(Side::Sell, 1), &short) else {
        panic!("sell while short must be refused as the wrong side");
    };
    assert!(msg.contains("buy_to_cover") && msg.contains("sell_short"), "{msg}");
}

#[test]
fn buying_while_short_points_to_buy_to_cover() {
    let rules = TournamentRules::default();
    let short = account(&[("AAPL", -5, 100, 0)]);
    let Err(RejectReason::WrongSideForPosition(msg)) = check(&rules, &market(Side::Buy, 1), &short) else {
        panic!("buy while short must be refused as the wrong side");
    };
    assert!(msg.contains("short 5 shares of AAPL") && msg.contains("buy_to_cover"), "{msg}");
}

#[test]
fn short_selling_rules() {
    let flat = account(&[]);
    let short = market(Side::SellShort, 10);
    let disabled = TournamentRules { short_selling: false, ..TournamentRules::default() };
    assert_eq!(check(&disabled, &short, &flat), Err(RejectReason::ShortSellingDisabled));

    let rules = TournamentRules::default();
    let long = account(&[("AAPL", 1, 100, 0)]);
    let Err(RejectReason::WrongSideForPosition(msg)) = check(&rules, &short, &long) else {
        panic!("short while long must be refused");
    };
    assert!(msg.contains("long"), "{msg}");

    let picky = TournamentRules { short_min_price: Price::from_dollars(150), ..TournamentRules::default() };
    assert_eq!(
        check(&picky, &short, &flat),
        Err(RejectReason::ShortBelowMinimumPrice {
            symbol: "AAPL".into(),
            price: Price::from_dollars(100),
            minimum: Price::from_dollars(150)
        })
    );
    assert_eq!(check(&rules, &short, &flat), Ok(()));
}

#[test]
fn covers_need_unpromised_short_shares() {
    let rules = TournamentRules::default();
    let cover = market(Side::BuyToCover, 7);
    assert_eq!(
        check(&rules, &cover, &account(&[])),
        Err(RejectReason::InsufficientShortPosition { wanted: Qty(7), short: Qty(0) })
    );
    let Err(RejectReason::WrongSideForPosition(msg)) = check(&rules, &cover, &account(&[("AAPL", 7, 100, 0)])) else {
        panic!("cover while long must be refused");
    };
    assert!(msg.contains("use sell"), "{msg}");
    let short = account(&[("AAPL", -10, 100, 0)]);
    let inst = instrument(InstrumentStatus::Active);
    let pending = OrderContext { pending_sell_qty: Qty(4), ..ctx(&cover, Some(&inst), &short) };
    assert_eq!(
        rules.check_order(&pending),
        Err(RejectReason::InsufficientShortPosition { wanted: Qty(7), short: Qty(6) })
    );
    assert_eq!(check(&rules, &cover, &short), Ok(()));
}

#[test]
fn minimum_share_price_applies_to_buys_only() {
    let rules = TournamentRules { min_share_price: Some(Price::from_dollars(150)), ..TournamentRules::default() };
    assert_eq!(
        check(&rules, &market(Side::Buy, 1), &account(&[])),
        Err(RejectReason::BelowMinimumSharePrice {
            symbol: "AAPL".into(),
            price: Price::from_dollars(100),
            minimum: Price::from_dollars(150)
        })
    );
    let short = account(&[("AAPL", -2, 100, 0)]);
    assert_eq!(check(&rules, &market(Side::BuyToCover, 2), &short), Ok(()));
}

#[test]
fn minimum_holding_time_looks_at_the_lots_the_order_would_close() {
    let rules = TournamentRules { min_holding_seconds: 3_600, ..TournamentRules::default() };
    // Lots opened at 5,000 s and 9,000 s; now is 10,000 s.
    let p = account(&[("AAPL", 5, 100, 5_000), ("AAPL", 5, 100, 9_000)]);
    let inst = instrument(InstrumentStatus::Active);
    assert_eq!(check(&rules, &market(Side::Sell, 5), &p), Ok(()));
    let too_young = Err(RejectReason::MinimumHoldingTime { min_seconds: 3_600, held_seconds: 1_000 });
    assert_eq!(check(&rules, &market(Side::Sell, 6), &p), too_young);
    let sell1 = market(Side::Sell, 1);
    let after_pending = OrderContext { pending_sell_qty: Qty(5), ..ctx(&sell1, Some(&inst), &p) };
    assert_eq!(rules.check_order(&after_pending), too_young);

    let short = account(&[("AAPL", -5, 100, 9_999)]);
    assert_eq!(
        check(&rules, &market(Side::BuyToCover, 1), &short),
        Err(RejectReason::MinimumHoldingTime { min_seconds: 3_600, held_seconds: 1 })
    );
}

#[test]
fn cash_account_buying_power_is_cash_minus_reserved() {
    let rules = TournamentRules::default();
    let p = account(&[]);
    let inst = instrument(InstrumentStatus::Active);
    assert_eq!(check(&rules, &market(Side::Buy, 100), &p), Ok(()));
    assert_eq!(
        check(&rules, &market(Side::Buy, 101), &p),
        Err(RejectReason::InsufficientBuyingPower { needed: dollars(10_100), available: dollars(10_000) })
    );
    let buy = market(Side::Buy, 100);
    let reserved = OrderContext { reserved_buying_power: Money::from_cents(1), ..ctx(&buy, Some(&inst), &p) };
    assert_eq!(
        rules.check_order(&reserved),
        Err(RejectReason::InsufficientBuyingPower {
            needed: dollars(10_000),
            available: dollars(10_000) - Money::from_cents(1)
        })
    );
    // The long position's value does not add buying power in a cash account.
    let invested = account(&[("MSFT", 40, 100, 0)]);
    assert_eq!(rules.buying_power(&invested, &at_100, Money::ZERO), dollars(6_000));
}

#[test]
fn commission_and_slippage_count_against_buying_power() {
    let rules = TournamentRules {
        commission: CommissionModel { per_trade: dollars(1), per_share: Money::ZERO, bps: 0, minimum: Money::ZERO },
        slippage_bps: 10,
        ..TournamentRules::default()
    };
    let buy = market(Side::Buy, 99);
    // 99 × $100.10 + $1 = $9,910.90
    assert_eq!(rules.order_cost_estimate(&buy, Price::from_dollars(100)), Money::from_cents(991_090));
    assert_eq!(check(&rules, &buy, &account(&[])), Ok(()));
    assert_eq!(
        check(&rules, &market(Side::Buy, 100), &account(&[])),
        Err(RejectReason::InsufficientBuyingPower { needed: Money::from_cents(1_001_100), available: dollars(10_000) })
    );
}

#[test]
fn cash_account_shorts_need_their_notional_as_collateral() {
    let rules = TournamentRules::default();
    let flat = account(&[]);
    assert_eq!(check(&rules, &market(Side::SellShort, 100), &flat), Ok(()));
    assert_eq!(
        check(&rules, &market(Side::SellShort, 101), &flat),
        Err(RejectReason::InsufficientBuyingPower { needed: dollars(10_100), available: dollars(10_000) })
    );
    // Short 50 at $100: cash $15,000, equity $10,000, gross $5,000 → $5,000 left; the proceeds
    // do not fund buys.
    let short = account(&[("MSFT", -50, 100, 0)]);
    assert_eq!(rules.buying_power(&short, &at_100, Money::ZERO), dollars(5_000));
    assert_eq!(
        check(&rules, &market(Side::Buy, 51), &short),
        Err(RejectReason::InsufficientBuyingPower { needed: dollars(5_100), available: dollars(5_000) })
    );
}

#[test]
fn margin_buying_power_is_a_multiple_of_equity() {
    let rules = TournamentRules {
        margin: Some(MarginRules { buying_power_multiple_bps: 20_000, interest_bps_per_year: 800 }),
        ..TournamentRules::default()
    };
    let flat = account(&[]);
    assert_eq!(check(&rules, &market(Side::Buy, 200), &flat), Ok(()));
    assert_eq!(
        check(&rules, &market(Side::Buy, 201), &flat),
        Err(RejectReason::InsufficientBuyingPower { needed: dollars(20_100), available: dollars(20_000) })
    );
    let invested = account(&[("MSFT", 150, 100, 0)]); // cash −5,000, equity 10,000, gross 15,000
    assert_eq!(rules.buying_power(&invested, &at_100, dollars(1_000)), dollars(4_000));
}

#[test]
fn maximum_position_weight_counts_the_existing_position() {
    let rules = TournamentRules { max_position_weight_bps: Some(5_000), ..TournamentRules::default() };
    assert_eq!(check(&rules, &market(Side::Buy, 50), &account(&[])), Ok(()));
    assert_eq!(
        check(&rules, &market(Side::Buy, 51), &account(&[])),
        Err(RejectReason::MaxPositionWeight { symbol: "AAPL".into(), weight_bps: 5_100, max_bps: 5_000 })
    );
    let holding = account(&[("AAPL", 45, 100, 0)]);
    assert_eq!(
        check(&rules, &market(Side::Buy, 6), &holding),
        Err(RejectReason::MaxPositionWeight { symbol: "AAPL".into(), weight_bps: 5_100, max_bps: 5_000 })
    );
    let shorting = account(&[("AAPL", -45, 100, 0)]);
    assert_eq!(check(&rules, &market(Side::SellShort, 5), &shorting), Ok(()));
    assert!(matches!(
        check(&rules, &market(Side::SellShort, 6), &shorting),
        Err(RejectReason::MaxPositionWeight { weight_bps: 5_100, .. })
    ));
}

#[test]
fn slippage_rounds_against_the_player() {
    let rules = TournamentRules { slippage_bps: 10, ..TournamentRules::default() };
    assert_eq!(rules.fill_price_with_slippage(Side::Buy, Price::from_dollars(100)), Price(1_001_000));
    assert_eq!(rules.fill_price_with_slippage(Side::Sell, Price::from_dollars(100)), Price(999_000));
    // $10.0001 × 1.001 = 10.0101001 → up; × 0.999 = 9.9900999 → down.
    assert_eq!(rules.fill_price_with_slippage(Side::BuyToCover, Price(100_001)), Price(100_102));
    assert_eq!(rules.fill_price_with_slippage(Side::SellShort, Price(100_001)), Price(99_900));
    let none = TournamentRules::default();
    assert_eq!(none.fill_price_with_slippage(Side::Buy, Price(100_001)), Price(100_001));
}

#[test]
fn cost_estimates_use_the_expected_fill_price() {
    let rules = TournamentRules::default();
    let quote = Price::from_dollars(100);
    let mut limit = market(Side::Buy, 10);
    limit.order_type = OrderType::Limit;
    limit.limit_price = Some(Price::from_dollars(95));
    assert_eq!(rules.order_cost_estimate(&limit, quote), dollars(950));
    let mut stop = market(Side::Buy, 10);
    stop.order_type = OrderType::Stop;
    stop.stop_price = Some(Price::from_dollars(105));
    assert_eq!(rules.order_cost_estimate(&stop, quote), dollars(1_050));
    stop.stop_price = Some(Price::from_dollars(90));
    assert_eq!(rules.order_cost_estimate(&stop, quote), dollars(1_000));
}
