//! A tiny market and account keeper for driving bots in tests: synthetic price paths, cash and
//! positions updated at the observation price, resting limit and stop orders, and checks of
//! every order against the account the bot saw.

#![allow(dead_code)]

use std::collections::BTreeMap;

use bullpen_bots::{AccountView, Bot, PriceHistory, RECOMMENDED_WINDOW};
use bullpen_domain::time::MICROS_PER_DAY;
use bullpen_domain::{Money, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce, Ts};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Observations per simulated trading day.
pub const STEPS_PER_DAY: usize = 6;

/// `n` symbols `S00`, `S01`, ….
pub fn symbols(n: usize) -> Vec<Symbol> {
    (0..n).map(|i| Symbol::parse(&format!("S{i:02}")).unwrap()).collect()
}

/// The time of observation `step` (six per day, an hour apart, from 14:00 UTC).
pub fn time_of(step: usize) -> Ts {
    let day = (step / STEPS_PER_DAY) as i64;
    let hour = 14 + (step % STEPS_PER_DAY) as i64;
    Ts(day * MICROS_PER_DAY + hour * 3_600_000_000)
}

/// Price paths: `paths[step][symbol]`. Each symbol drifts by `drifts[symbol]` per step with
/// Gaussian-ish noise of `vol` and a triangle-wave swing of `swing` (fraction) every
/// `swing_period` steps, which makes short bursts up and down that revert.
pub fn paths(seed: u64, drifts: &[f64], vol: f64, swing: f64, swing_period: usize, steps: usize) -> Vec<Vec<Price>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut level: Vec<f64> = drifts.iter().enumerate().map(|(i, _)| 20.0 + 15.0 * i as f64).collect();
    let phase: Vec<usize> = drifts.iter().map(|_| rng.gen_range(0..swing_period.max(1))).collect();
    (0..steps)
        .map(|step| {
            drifts
                .iter()
                .enumerate()
                .map(|(i, drift)| {
                    let shock: f64 = (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0;
                    level[i] *= 1.0 + drift + vol * shock;
                    let t = ((step + phase[i]) % swing_period) as f64 / swing_period as f64;
                    let triangle = if t < 0.5 { 4.0 * t - 1.0 } else { 3.0 - 4.0 * t };
                    let price = level[i] * (1.0 + swing * triangle);
                    Price((price.max(0.5) * 10_000.0).round() as i64).round_to_tick()
                })
                .collect()
        })
        .collect()
}

/// A resting limit or stop order.
#[derive(Debug, Clone)]
struct Resting {
    order: OrderRequest,
    last_day: i64,
}

/// One bot's account in the test market.
#[derive(Debug, Clone)]
pub struct Account {
    pub cash: Money,
    pub positions: BTreeMap<Symbol, i64>,
    resting: Vec<Resting>,
    pub fills: usize,
    pub rejected_at_fill: usize,
}

impl Account {
    pub fn new(cash: Money) -> Account {
        Account { cash, positions: BTreeMap::new(), resting: Vec::new(), fills: 0, rejected_at_fill: 0 }
    }

    pub fn position(&self, symbol: &Symbol) -> i64 {
        self.positions.get(symbol).copied().unwrap_or(0)
    }

    pub fn equity(&self, prices: &BTreeMap<Symbol, Price>) -> Money {
        self.cash + self.positions.iter().map(|(s, q)| prices.get(s).map_or(Money::ZERO, |p| p.times(Qty(*q)))).sum()
    }

    pub fn position_list(&self) -> Vec<(Symbol, Qty)> {
        self.positions.iter().filter(|(_, q)| **q != 0).map(|(s, q)| (s.clone(), Qty(*q))).collect()
    }

    /// Fills `qty` of `side` at `price` if the account can (as an engine would check at fill
    /// time); returns whether it did.
    fn fill(&mut self, symbol: &Symbol, side: Side, qty: i64, price: Price) -> bool {
        let position = self.position(symbol);
        let value = price.times(Qty(qty));
        let ok = match side {
            Side::Buy => position >= 0 && value <= self.cash,
            Side::Sell => position >= qty,
            Side::SellShort => position <= 0,
            Side::BuyToCover => -position >= qty && value <= self.cash,
        };
        if !ok {
            self.rejected_at_fill += 1;
            return false;
        }
        if side.is_buy() {
            self.cash -= value;
        } else {
            self.cash += value;
        }
        *self.positions.entry(symbol.clone()).or_insert(0) += side.sign() * qty;
        self.fills += 1;
        true
    }

    /// Accepts a new order: market orders and marketable limits fill now at `last`; the rest rest.
    pub fn submit(&mut self, order: OrderRequest, last: Price, day: i64) {
        if !self.try_fill(&order, last) && order.order_type != OrderType::Market {
            let last_day = if order.time_in_force == TimeInForce::Gtc { day + 5 } else { day };
            self.resting.push(Resting { order, last_day });
        }
    }

    /// Fills resting orders that the new prices reach; drops expired ones.
    pub fn on_prices(&mut self, prices: &BTreeMap<Symbol, Price>, day: i64) {
        let resting = std::mem::take(&mut self.resting);
        for r in resting {
            if r.last_day < day {
                continue;
            }
            let Some(last) = prices.get(&r.order.symbol).copied() else { continue };
            if !self.try_fill(&r.order, last) {
                self.resting.push(r);
            }
        }
    }

    fn try_fill(&mut self, order: &OrderRequest, last: Price) -> bool {
        let reached = match order.order_type {
            OrderType::Market => true,
            OrderType::Limit => {
                let limit = order.limit_price.unwrap();
                if order.side.is_buy() {
                    last <= limit
                } else {
                    last >= limit
                }
            }
            OrderType::Stop => {
                let stop = order.stop_price.unwrap();
                if order.side.is_buy() {
                    last >= stop
                } else {
                    last <= stop
                }
            }
            OrderType::StopLimit => false,
        };
        if reached {
            // Filled or refused at fill time: either way it stops working.
            self.fill(&order.symbol, order.side, order.qty.0, last);
        }
        reached
    }
}

/// Checks one call's orders against the account the bot saw; returns the first violation.
pub fn check_orders(orders: &[OrderRequest], view: &AccountView<'_>, history: &PriceHistory) -> Result<(), String> {
    let mut spend = Money::ZERO;
    let mut sold: BTreeMap<&Symbol, i64> = BTreeMap::new();
    let mut covered: BTreeMap<&Symbol, i64> = BTreeMap::new();
    for o in orders {
        o.validate_shape().map_err(|e| format!("{o:?}: {e}"))?;
        if o.client_order_id.is_some() {
            return Err(format!("{o:?}: client_order_id set"));
        }
        if !matches!(o.time_in_force, TimeInForce::Day | TimeInForce::Gtc) {
            return Err(format!("{o:?}: unexpected time in force"));
        }
        if o.order_type == OrderType::StopLimit {
            return Err(format!("{o:?}: bots do not send stop-limit orders"));
        }
        let last = history.last(&o.symbol).ok_or_else(|| format!("{o:?}: no price"))?;
        let position = view.position(&o.symbol).0;
        let unit = [Some(last), o.limit_price, o.stop_price].into_iter().flatten().max().unwrap();
        match o.side {
            Side::Buy => {
                if position < 0 {
                    return Err(format!("{o:?}: buy while short {position}"));
                }
                spend += unit.times(o.qty);
            }
            Side::Sell => {
                let total = sold.entry(&o.symbol).or_insert(0);
                *total += o.qty.0;
                if *total > position {
                    return Err(format!("{o:?}: sells {total} holding {position}"));
                }
            }
            Side::SellShort => {
                if position > 0 {
                    return Err(format!("{o:?}: short while long {position}"));
                }
                spend += unit.times(o.qty);
            }
            Side::BuyToCover => {
                let total = covered.entry(&o.symbol).or_insert(0);
                *total += o.qty.0;
                if *total > -position {
                    return Err(format!("{o:?}: covers {total} of short {position}"));
                }
                spend += unit.times(o.qty);
            }
        }
    }
    if spend > view.cash.max(Money::ZERO) {
        return Err(format!("orders tie up {spend} with cash {}", view.cash));
    }
    Ok(())
}

/// Everything that happened in a run.
pub struct RunLog {
    /// (step, bot index, order) for every order, in order.
    pub orders: Vec<(usize, usize, OrderRequest)>,
    /// Final accounts, one per bot.
    pub accounts: Vec<Account>,
    /// Final prices.
    pub prices: BTreeMap<Symbol, Price>,
}

/// Drives `bots` through `paths`, each with `cash` to start, checking every call's orders.
pub fn run(bots: &mut [Bot], universe: &[Symbol], paths: &[Vec<Price>], cash: Money) -> RunLog {
    let mut history = PriceHistory::new(RECOMMENDED_WINDOW);
    let mut accounts: Vec<Account> = bots.iter().map(|_| Account::new(cash)).collect();
    let mut log = Vec::new();
    let mut prices = BTreeMap::new();
    for (step, row) in paths.iter().enumerate() {
        let now = time_of(step);
        let day = now.0.div_euclid(MICROS_PER_DAY);
        for (symbol, price) in universe.iter().zip(row) {
            history.record(symbol, *price);
            prices.insert(symbol.clone(), *price);
        }
        for (i, (bot, account)) in bots.iter_mut().zip(accounts.iter_mut()).enumerate() {
            account.on_prices(&prices, day);
            let positions = account.position_list();
            let view = AccountView { cash: account.cash, equity: account.equity(&prices), positions: &positions };
            let orders = bot.decide(now, universe, &history, &view);
            if let Err(e) = check_orders(&orders, &view, &history) {
                panic!("step {step}, {}: {e}", bot.spec().name);
            }
            for order in orders {
                let last = prices[&order.symbol];
                log.push((step, i, order.clone()));
                account.submit(order, last, day);
            }
            assert!(account.cash >= Money::ZERO, "{} cash went negative", bot.spec().name);
        }
    }
    RunLog { orders: log, accounts, prices }
}
