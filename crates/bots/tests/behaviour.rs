#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Bots driven through a synthetic market: determinism, well-formed and affordable orders,
//! the spread of order types, and cadence.

mod common;

use std::collections::BTreeMap;

use bullpen_bots::{roster, AccountView, Bot, BotConfig, BotKind, BotSpec, PriceHistory, RECOMMENDED_WINDOW};
use bullpen_domain::{Money, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce};
use common::{check_orders, paths, run, symbols, STEPS_PER_DAY};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DAYS: usize = 30;

fn market(seed: u64, n: usize) -> Vec<Vec<Price>> {
    let drifts: Vec<f64> = (0..n).map(|i| 0.002 * ((i % 5) as f64 - 2.0)).collect();
    paths(seed, &drifts, 0.006, 0.02, 10, DAYS * STEPS_PER_DAY)
}

fn bots(specs: &[BotSpec]) -> Vec<Bot> {
    specs.iter().map(Bot::new).collect()
}

#[test]
fn same_specs_and_inputs_give_identical_orders() {
    let universe = symbols(12);
    let prices = market(5, universe.len());
    let specs = roster(40, 11);
    let a = run(&mut bots(&specs), &universe, &prices, Money::from_dollars(100_000));
    let b = run(&mut bots(&specs), &universe, &prices, Money::from_dollars(100_000));
    assert!(a.orders.len() > 100, "only {} orders", a.orders.len());
    assert_eq!(a.orders, b.orders);

    // A different roster seed changes skills and streams, hence orders.
    let c = run(&mut bots(&roster(40, 12)), &universe, &prices, Money::from_dollars(100_000));
    assert_ne!(a.orders, c.orders);
}

#[test]
fn orders_are_well_formed_and_affordable_in_a_running_market() {
    // `run` checks every call's orders against the account view and panics on a violation.
    let universe = symbols(20);
    let prices = market(8, universe.len());
    let specs = roster(100, 3);
    let log = run(&mut bots(&specs), &universe, &prices, Money::from_dollars(50_000));

    let count = |f: &dyn Fn(&OrderRequest) -> bool| log.orders.iter().filter(|(_, _, o)| f(o)).count();
    let market = count(&|o| o.order_type == OrderType::Market);
    let limit = count(&|o| o.order_type == OrderType::Limit);
    let stop = count(&|o| o.order_type == OrderType::Stop);
    let gtc = count(&|o| o.time_in_force == TimeInForce::Gtc);
    let shorts = count(&|o| o.side == Side::SellShort);
    let covers = count(&|o| o.side == Side::BuyToCover);
    let sells = count(&|o| o.side == Side::Sell);
    println!("market {market} limit {limit} stop {stop} gtc {gtc} short {shorts} cover {covers} sell {sells}");
    assert!(market > limit / 3 && limit > market / 5, "market {market} vs limit {limit}");
    assert!(stop > 0 && gtc > 0 && shorts > 0 && covers > 0 && sells > 0);

    // Only skilled momentum and mean-reversion bots short.
    for (_, bot, order) in &log.orders {
        if order.side == Side::SellShort {
            let spec = &specs[*bot];
            assert!(matches!(spec.kind, BotKind::Momentum | BotKind::MeanReversion) && spec.skill >= 0.6, "{spec:?}");
        }
    }
    for account in &log.accounts {
        assert!(account.cash >= Money::ZERO);
    }
}

#[test]
fn no_shorting_when_the_config_forbids_it() {
    let universe = symbols(10);
    let prices = market(21, universe.len());
    let config = BotConfig { allow_short: false, ..BotConfig::default() };
    let mut bots: Vec<Bot> = roster(60, 2).iter().map(|s| Bot::with_config(s, &config)).collect();
    let log = run(&mut bots, &universe, &prices, Money::from_dollars(50_000));
    assert!(!log.orders.is_empty());
    assert!(log.orders.iter().all(|(_, _, o)| o.side != Side::SellShort));
}

#[test]
fn arbitrary_accounts_are_never_oversold_or_overspent() {
    // Accounts a bot's own history could not produce (shorts held by noise bots, tiny or
    // negative cash, duplicate position rows, symbols outside the universe) still get sound orders.
    let universe = symbols(8);
    let stray = Symbol::parse("ZZZ").unwrap();
    let mut history = PriceHistory::new(RECOMMENDED_WINDOW);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let config = BotConfig { orders_per_day: 50.0, max_orders_per_step: 6, ..BotConfig::default() };
    let mut bots: Vec<Bot> = roster(50, 4).iter().map(|s| Bot::with_config(s, &config)).collect();
    let prices = market(77, universe.len());
    let mut orders_seen = 0;
    for (step, row) in prices.iter().enumerate() {
        for (symbol, price) in universe.iter().zip(row) {
            history.record(symbol, *price);
        }
        for bot in &mut bots {
            let mut positions = Vec::new();
            for symbol in &universe {
                if rng.gen_bool(0.4) {
                    positions.push((symbol.clone(), Qty(rng.gen_range(-300..300))));
                }
            }
            if rng.gen_bool(0.2) {
                positions.push((universe[0].clone(), Qty(rng.gen_range(-50..50))));
            }
            positions.push((stray.clone(), Qty(10)));
            let cash = Money(rng.gen_range(-1_000_000_000..2_000_000_000));
            let equity = Money(rng.gen_range(-100_000_000..3_000_000_000));
            let view = AccountView { cash, equity, positions: &positions };
            let orders = bot.decide(common::time_of(step), &universe, &history, &view);
            orders_seen += orders.len();
            if let Err(e) = check_orders(&orders, &view, &history) {
                panic!("step {step}, {}: {e}", bot.spec().name);
            }
            assert!(orders.iter().all(|o| o.symbol != stray));
            if cash <= Money::ZERO {
                assert!(orders.iter().all(|o| o.side == Side::Sell), "{orders:?}");
            }
        }
    }
    assert!(orders_seen > 1_000, "only {orders_seen} orders");
}

#[test]
fn nothing_to_do_without_prices_or_universe() {
    let universe = symbols(3);
    let history = PriceHistory::new(RECOMMENDED_WINDOW);
    let cash = Money::from_dollars(10_000);
    let view = AccountView { cash, equity: cash, positions: &[] };
    for spec in roster(20, 1) {
        let mut bot = Bot::new(&spec);
        for step in 0..50 {
            assert!(bot.decide(common::time_of(step), &universe, &history, &view).is_empty());
            assert!(bot.decide(common::time_of(step), &[], &history, &view).is_empty());
        }
    }
}

#[test]
fn cadence_is_a_few_orders_per_day() {
    let universe = symbols(15);
    let prices = market(13, universe.len());
    let specs = roster(200, 8);
    let log = run(&mut bots(&specs), &universe, &prices, Money::from_dollars(100_000));
    let mut per_kind: BTreeMap<BotKind, (usize, usize)> = BTreeMap::new();
    for spec in &specs {
        per_kind.entry(spec.kind).or_default().1 += 1;
    }
    // Skip the first day, where buy-and-hold bots place their baskets.
    for (step, bot, _) in &log.orders {
        if *step >= STEPS_PER_DAY {
            per_kind.entry(specs[*bot].kind).or_default().0 += 1;
        }
    }
    let rate = |kind| {
        let (orders, bots) = per_kind[&kind];
        orders as f64 / bots as f64 / (DAYS - 1) as f64
    };
    for kind in BotKind::ALL {
        println!("{kind}: {:.2} orders per bot per day", rate(kind));
    }
    for kind in [BotKind::Momentum, BotKind::MeanReversion, BotKind::Noise] {
        assert!((1.0..=6.0).contains(&rate(kind)), "{kind}: {}", rate(kind));
    }
    assert!(rate(BotKind::Poor) > rate(BotKind::Momentum), "poor bots over-trade");
    assert!(rate(BotKind::BuyAndHold) < 0.5, "buy-and-hold rarely trades: {}", rate(BotKind::BuyAndHold));

    // More orders per day when asked for.
    let busy = BotConfig { orders_per_day: 8.0, ..BotConfig::default() };
    let mut busy_bots: Vec<Bot> = specs.iter().map(|s| Bot::with_config(s, &busy)).collect();
    let busy_log = run(&mut busy_bots, &universe, &prices, Money::from_dollars(100_000));
    assert!(busy_log.orders.len() > log.orders.len() * 3 / 2);
}

#[test]
fn buy_and_hold_buys_a_diversified_basket_once() {
    let universe = symbols(20);
    let prices = market(3, universe.len());
    let spec = BotSpec { name: "bot-bh".into(), kind: BotKind::BuyAndHold, skill: 0.9, seed: 5 };
    let log = run(&mut [Bot::new(&spec)], &universe, &prices, Money::from_dollars(100_000));
    let first: Vec<_> = log.orders.iter().filter(|(step, _, _)| *step == 0).collect();
    assert!(first.len() >= 10, "basket of {}", first.len());
    assert!(first.iter().all(|(_, _, o)| o.side == Side::Buy));
    let account = &log.accounts[0];
    let equity = account.equity(&log.prices);
    let held = account.positions.values().filter(|q| **q > 0).count();
    assert!(held >= 10, "holds {held} names");
    for (symbol, qty) in &account.positions {
        let value = log.prices[symbol].times(Qty(*qty));
        assert!(value.0 * 100 <= equity.0 * 25, "{symbol} is {value} of {equity}");
    }
    assert!(log.orders.len() < first.len() + DAYS, "{} orders in {DAYS} days", log.orders.len());
}

#[test]
fn bad_specs_and_configs_do_not_break_bots() {
    let universe = symbols(5);
    let prices = market(1, universe.len());
    let config = BotConfig { decisions_per_day: 0.0, orders_per_day: f64::INFINITY, ..BotConfig::default() };
    let mut bots: Vec<Bot> = BotKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let skill = [f64::NAN, -3.0, 2.0, f64::INFINITY, 0.5][i];
            Bot::with_config(&BotSpec { name: format!("odd-{i}"), kind: *kind, skill, seed: i as u64 }, &config)
        })
        .collect();
    let log = run(&mut bots, &universe, &prices, Money::from_dollars(10_000));
    assert!(!log.orders.is_empty());
    assert_eq!(bots[0].config().decisions_per_day, 6.0);
}
