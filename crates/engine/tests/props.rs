//! Property tests: random command streams applied to a `LiveTournament` in memory keep the
//! engine's invariants. The ledger the batches carry folds back exactly into every live
//! portfolio, incremental structures (market values, holders, trigger books, open orders) match
//! a recomputation, and a refused command changes nothing at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use bullpen_domain::portfolio::{reconcile, Portfolio};
use bullpen_domain::{
    CommissionModel, CorporateAction, CorporateActionKind, Instrument, InstrumentId, InstrumentStatus, LedgerEntry,
    LedgerKind, Money, Order, OrderId, OrderRequest, OrderType, Price, Qty, RejectReason, Side, Symbol, TimeInForce,
    Tournament, TournamentId, TournamentKind, TournamentRules, TournamentState, Ts, UserId,
};
use bullpen_engine::effects::Effects;
use bullpen_engine::state::LiveTournament;
use bullpen_engine::{PriceUpdate, ReplaceRequest};
use bullpen_store::TournamentSnapshot;
use chrono::NaiveDate;
use proptest::prelude::*;

/// Symbols with their first price and the band prices stay in (in dollars × 100). Each band
/// spans less than 2×: a cash account's short sale needs collateral of twice its value, so within
/// such a band covering a short never drives cash below zero.
const MARKET: [(&str, i64, i64, i64); 4] = [
    ("AAA", 10_000, 7_000, 13_000),
    ("BBB", 5_000, 3_500, 6_500),
    ("CCC", 2_000, 1_400, 2_600),
    ("PENY", 400, 300, 550),
];

const TOURNAMENT: TournamentId = TournamentId(7);

fn sym(s: &str) -> Symbol {
    Symbol::parse(s).expect("symbol")
}

#[derive(Debug, Clone)]
struct PlaceOp {
    entry: usize,
    symbol: usize,
    side: usize,
    kind: usize,
    tif: usize,
    qty: i64,
    qty_mode: usize,
    limit_bps: i64,
    stop_bps: i64,
    off_tick: bool,
    malformed: bool,
    client: Option<u8>,
}

#[derive(Debug, Clone)]
enum Op {
    Place(PlaceOp),
    Cancel { entry: usize, pick: usize },
    CancelAll { entry: usize },
    Replace { entry: usize, pick: usize, qty: Option<i64>, price_bps: Option<i64>, off_tick: bool, tif: Option<usize> },
    Tick { moves: Vec<(usize, i64)>, volume: Option<i64> },
    Close,
    Open { dividend: Option<(usize, i64)>, split: Option<(usize, usize)> },
    Advance(i64),
    Join,
}

const SIDES: [Side; 4] = [Side::Buy, Side::Sell, Side::SellShort, Side::BuyToCover];
const KINDS: [OrderType; 4] = [OrderType::Market, OrderType::Limit, OrderType::Stop, OrderType::StopLimit];
const TIFS: [TimeInForce; 4] = [TimeInForce::Day, TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok];
/// Split ratios (new, old): forward, uneven and reverse.
const SPLITS: [(i64, i64); 3] = [(2, 1), (3, 2), (1, 2)];

/// Mostly an existing entry; now and then one that does not exist (yet).
fn entry_index() -> impl Strategy<Value = usize> {
    prop_oneof![12 => 0usize..3, 2 => 3usize..5, 1 => 5usize..7]
}

fn place_op() -> impl Strategy<Value = PlaceOp> {
    (
        (
            entry_index(),
            prop_oneof![19 => 0usize..4, 1 => Just(4usize)],
            prop_oneof![4 => Just(0usize), 3 => Just(1usize), 2 => Just(2usize), 2 => Just(3usize)],
            0usize..4,
            0usize..4,
        ),
        prop_oneof![12 => 1i64..80, 1 => -3i64..=0],
        0usize..7,
        (-600i64..600, -600i64..600),
        (prop::bool::weighted(0.1), prop::bool::weighted(0.05)),
        prop::option::weighted(0.2, 0u8..6),
    )
        .prop_map(
            |(
                (entry, symbol, side, kind, tif),
                qty,
                qty_mode,
                (limit_bps, stop_bps),
                (off_tick, malformed),
                client,
            )| {
                PlaceOp {
                    entry,
                    symbol,
                    side,
                    kind,
                    tif,
                    qty,
                    qty_mode,
                    limit_bps,
                    stop_bps,
                    off_tick,
                    malformed,
                    client,
                }
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => place_op().prop_map(Op::Place),
        2 => (entry_index(), 0usize..8).prop_map(|(entry, pick)| Op::Cancel { entry, pick }),
        1 => entry_index().prop_map(|entry| Op::CancelAll { entry }),
        3 => (
            (entry_index(), 0usize..8),
            prop::option::of(-2i64..150),
            prop::option::of(-600i64..600),
            prop::bool::weighted(0.1),
            prop::option::weighted(0.2, 0usize..4),
        )
            .prop_map(|((entry, pick), qty, price_bps, off_tick, tif)| Op::Replace {
                entry,
                pick,
                qty,
                price_bps,
                off_tick,
                tif
            }),
        6 => (prop::collection::vec((0usize..4, -800i64..800), 1..4), prop::option::weighted(0.2, 0i64..3_000))
            .prop_map(|(moves, volume)| Op::Tick { moves, volume }),
        1 => Just(Op::Close),
        3 => (prop::option::weighted(0.3, (0usize..4, 1i64..200)), prop::option::weighted(0.2, (0usize..4, 0usize..3)))
            .prop_map(|(dividend, split)| Op::Open { dividend, split }),
        1 => (1i64..4_000).prop_map(Op::Advance),
        1 => Just(Op::Join),
    ]
}

fn rules_strategy() -> impl Strategy<Value = TournamentRules> {
    (
        prop::bool::ANY,
        prop::option::of(3_000i64..8_000),
        prop::option::weighted(0.3, 5i64..40),
        0i64..2,
        prop::option::weighted(0.3, 1i64..5),
    )
        .prop_map(|(commission, max_weight, max_orders, volume_cap, delay)| TournamentRules {
            quote_delay_seconds: delay.unwrap_or(0),
            starting_cash: Money::from_dollars(20_000),
            commission: if commission {
                CommissionModel { per_trade: Money::from_cents(50), per_share: Money(25), bps: 5, minimum: Money::ZERO }
            } else {
                CommissionModel::free()
            },
            slippage_bps: 10,
            borrow_fee_bps_per_year: 300,
            max_position_weight_bps: max_weight,
            max_orders_per_day: max_orders.map(|m| m as u32),
            volume_cap_bps: (volume_cap == 1).then_some(500),
            ..TournamentRules::default()
        })
}

/// The world a stream plays in, with everything observed so far.
struct Sim {
    live: LiveTournament,
    /// Price band per symbol (moves with splits).
    bands: Vec<(i64, i64)>,
    day: NaiveDate,
    ledger: Vec<LedgerEntry>,
    orders: HashMap<OrderId, Order>,
    users: i64,
}

impl Sim {
    fn new(rules: TournamentRules) -> Sim {
        let tournament = Tournament {
            id: TOURNAMENT,
            name: "Props".into(),
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2024, 6, 28).unwrap(),
            rules,
            challenge: None,
            created_at: Ts(0),
        };
        let instruments = MARKET
            .iter()
            .enumerate()
            .map(|(i, (s, ..))| Instrument {
                id: InstrumentId(i as i64 + 1),
                symbol: sym(s),
                name: format!("{s} Corp"),
                sector: "Energy".into(),
                status: InstrumentStatus::Active,
            })
            .collect();
        let live = LiveTournament::rebuild(tournament, instruments, TournamentSnapshot::default()).expect("rebuild");
        let bands = MARKET.iter().map(|(_, _, lo, hi)| (lo * 100, hi * 100)).collect();
        let mut sim = Sim {
            live,
            bands,
            day: NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(),
            ledger: Vec::new(),
            orders: HashMap::new(),
            users: 0,
        };
        sim.live.now = Ts(1_709_562_600_000_000);
        for _ in 0..3 {
            sim.join().expect("join in registration");
        }
        sim.live.tournament.state = TournamentState::Running;
        let mut fx = Effects::new(TOURNAMENT);
        sim.live.open_session(&[], &mut fx);
        sim.absorb(fx);
        let first: Vec<PriceUpdate> = MARKET
            .iter()
            .map(|(s, p, ..)| PriceUpdate { symbol: sym(s), price: Price(p * 100), day_volume: None })
            .collect();
        let mut fx = Effects::new(TOURNAMENT);
        let now = sim.live.now;
        sim.live.apply_tick(now, &first, &mut fx);
        sim.absorb(fx);
        sim
    }

    fn join(&mut self) -> Result<(), RejectReason> {
        self.users += 1;
        let mut fx = Effects::new(TOURNAMENT);
        let result = self.live.join(UserId(self.users), &format!("u{}", self.users), &mut fx).map(|_| ());
        self.absorb(fx);
        result
    }

    /// Records what a command produced.
    fn absorb(&mut self, fx: Effects) {
        let batch = fx.into_batch(self.live.last_seq);
        for order in batch.orders {
            self.orders.insert(order.id, order);
        }
        self.ledger.extend(batch.ledger);
    }

    fn entry_id(&self, entry: usize) -> bullpen_domain::EntryId {
        bullpen_domain::EntryId::compose(TOURNAMENT, entry as i64 + 1)
    }

    fn symbol(&self, i: usize) -> Symbol {
        MARKET.get(i).map_or_else(|| sym("ZZZZ"), |(s, ..)| sym(s))
    }

    fn reference_price(&self, symbol: &Symbol) -> Price {
        self.live.last_price(symbol).unwrap_or(Price::from_dollars(50))
    }

    /// A price `bps` away from `reference`, on the tick unless `off_tick` asks otherwise.
    fn offset(reference: Price, bps: i64, off_tick: bool) -> Price {
        let raw = Price((i128::from(reference.0) * i128::from(10_000 + bps) / 10_000) as i64).round_to_tick();
        if off_tick && raw.tick_size() > 1 {
            Price(raw.0 + 1)
        } else {
            raw
        }
    }

    fn open_orders_of(&self, entry: usize) -> Vec<OrderId> {
        let id = self.entry_id(entry);
        let mut ids: Vec<OrderId> = self.live.open_orders.values().filter(|o| o.entry_id == id).map(|o| o.id).collect();
        ids.sort();
        ids
    }

    /// Applies one operation; `Some(result)` for commands that can be refused.
    fn apply(&mut self, op: &Op, fx: &mut Effects) -> Option<Result<(), RejectReason>> {
        match op {
            Op::Place(p) => {
                let symbol = self.symbol(p.symbol);
                let side = SIDES[p.side];
                let kind = KINDS[p.kind];
                let held = self.live.entries.get(p.entry).map_or(0, |s| s.portfolio.qty(&symbol).0.abs());
                // Half the closing orders size themselves on the position, so that many succeed.
                let closing = matches!(side, Side::Sell | Side::BuyToCover);
                let reference = self.reference_price(&symbol);
                let cash = self.live.entries.get(p.entry).map_or(0, |s| s.portfolio.cash.0);
                // Some opening orders spend nearly all the cash, to probe the buying-power edge.
                let all_in = (i128::from(cash) / i128::from(reference.0.max(1))) as i64;
                let qty = match p.qty_mode {
                    1 | 3..=5 if closing && held > 0 => held,
                    2 if closing && held > 1 => held / 2,
                    3 if !closing && all_in > 0 => all_in,
                    _ => p.qty,
                };
                let limit = Self::offset(reference, p.limit_bps, p.off_tick);
                let stop = Self::offset(reference, p.stop_bps, false);
                let client_order_id = p.client.map(|c| format!("c{c}"));
                let entry = self.entry_id(p.entry);
                if let Some(c) = &client_order_id {
                    // The sequencer answers a retried client order id before placing anything.
                    if self.live.client_ids.contains_key(&(entry, c.clone())) {
                        return None;
                    }
                }
                let needs_limit = matches!(kind, OrderType::Limit | OrderType::StopLimit) != p.malformed;
                let request = OrderRequest {
                    client_order_id,
                    symbol,
                    side,
                    order_type: kind,
                    time_in_force: TIFS[p.tif],
                    qty: Qty(qty),
                    limit_price: needs_limit.then_some(limit),
                    stop_price: matches!(kind, OrderType::Stop | OrderType::StopLimit).then_some(stop),
                };
                Some(self.live.place_order(entry, request, fx).map(|_| ()))
            }
            Op::Cancel { entry, pick } => {
                let open = self.open_orders_of(*entry);
                let id = open.get(pick % open.len().max(1)).copied().unwrap_or(OrderId::compose(TOURNAMENT, 999_999));
                Some(self.live.cancel_order(self.entry_id(*entry), id, fx).map(|_| ()))
            }
            Op::CancelAll { entry } => Some(self.live.cancel_all(self.entry_id(*entry), fx).map(|_| ())),
            Op::Replace { entry, pick, qty, price_bps, off_tick, tif } => {
                let open = self.open_orders_of(*entry);
                let id = open.get(pick % open.len().max(1)).copied().unwrap_or(OrderId::compose(TOURNAMENT, 999_999));
                let old = self.live.open_orders.get(&id).cloned();
                let mut change =
                    ReplaceRequest { qty: qty.map(Qty), time_in_force: tif.map(|t| TIFS[t]), ..Default::default() };
                if let (Some(bps), Some(old)) = (price_bps, &old) {
                    let reference = self.reference_price(&old.symbol);
                    let price = Self::offset(reference, *bps, *off_tick);
                    if old.limit_price.is_some() {
                        change.limit_price = Some(price);
                    } else {
                        change.stop_price = Some(price);
                    }
                }
                Some(self.live.replace_order(self.entry_id(*entry), id, change, fx).map(|_| ()))
            }
            Op::Tick { moves, volume } => {
                let mut updates = Vec::new();
                for (i, bps) in moves {
                    let symbol = self.symbol(*i);
                    let (lo, hi) = self.bands[*i];
                    let last = self.reference_price(&symbol);
                    let moved = (i128::from(last.0) * i128::from(10_000 + bps) / 10_000) as i64;
                    let price = Price(moved.clamp(lo, hi)).round_to_tick();
                    updates.push(PriceUpdate { symbol, price, day_volume: *volume });
                }
                let now = self.live.now.plus_seconds(1);
                self.live.apply_tick(now, &updates, fx);
                None
            }
            Op::Close => {
                if self.live.market_open {
                    self.live.close_session(self.day, fx);
                    self.day = self.day.succ_opt().unwrap();
                }
                None
            }
            Op::Open { dividend, split } => {
                if !self.live.market_open {
                    let mut actions = Vec::new();
                    if let Some((i, cents)) = dividend {
                        actions.push(CorporateAction {
                            date: self.day,
                            symbol: self.symbol(*i),
                            kind: CorporateActionKind::Dividend { per_share: Money::from_cents(*cents) },
                        });
                    }
                    if let Some((i, r)) = split {
                        let (numerator, denominator) = SPLITS[*r];
                        let (lo, hi) = self.bands[*i];
                        // Keep prices in a sensible range: at most two halvings or doublings.
                        let (base_lo, base_hi) = (MARKET[*i].2 * 100, MARKET[*i].3 * 100);
                        let new_lo = lo * denominator / numerator;
                        if new_lo * 4 >= base_lo && new_lo <= base_lo * 4 {
                            self.bands[*i] = (new_lo, hi * denominator / numerator);
                            debug_assert!(base_hi > 0);
                            actions.push(CorporateAction {
                                date: self.day,
                                symbol: self.symbol(*i),
                                kind: CorporateActionKind::Split { numerator, denominator },
                            });
                        }
                    }
                    self.live.now = self.live.now.plus_seconds(60);
                    self.live.open_session(&actions, fx);
                }
                None
            }
            Op::Advance(seconds) => {
                self.live.now = self.live.now.plus_seconds(*seconds);
                None
            }
            Op::Join => {
                if self.live.entries.len() < 5 {
                    Some(self.join_into(fx))
                } else {
                    None
                }
            }
        }
    }

    fn join_into(&mut self, fx: &mut Effects) -> Result<(), RejectReason> {
        self.users += 1;
        self.live.join(UserId(self.users), &format!("u{}", self.users), fx).map(|_| ())
    }

    fn portfolios(&self) -> Vec<Portfolio> {
        self.live.entries.iter().map(|e| e.portfolio.clone()).collect()
    }

    fn open_ids(&self) -> Vec<OrderId> {
        let mut ids: Vec<OrderId> = self.live.open_orders.keys().copied().collect();
        ids.sort();
        ids
    }

    /// Invariants cheap enough to check after every operation.
    fn check_incremental(&self) -> Result<(), TestCaseError> {
        let live = &self.live;
        let mut holders: Vec<HashMap<u32, i64>> = vec![HashMap::new(); live.instruments.len()];
        for (idx, slot) in live.entries.iter().enumerate() {
            let p = &slot.portfolio;
            prop_assert!(p.lots_consistent(), "lots of entry {} do not sum to positions", slot.entry.id);
            prop_assert!(!p.cash.is_negative(), "entry {} has negative cash {}", slot.entry.id, p.cash);
            let reserved: bullpen_domain::Money = slot
                .open_orders
                .iter()
                .filter_map(|id| live.open_orders.get(id))
                .map(bullpen_engine::orders::reservation)
                .sum();
            prop_assert_eq!(slot.reserved, reserved, "incremental reservation of {}", slot.entry.id);
            prop_assert_eq!(live.balances[idx].cash, p.cash, "mirrored cash of {}", slot.entry.id);
            let gross = p.gross_exposure(|s| live.last_price(s));
            prop_assert_eq!(live.gross_values[idx], gross, "incremental gross exposure of {}", slot.entry.id);
            let recomputed = p.market_value(|s| live.last_price(s));
            prop_assert_eq!(live.market_values[idx], recomputed, "incremental market value of {}", slot.entry.id);
            for (symbol, position) in &p.positions {
                if !position.qty.is_zero() {
                    let i = live.instrument_index(symbol).expect("known symbol");
                    holders[i as usize].insert(idx as u32, position.qty.0);
                }
            }
            // Open closing orders never promise more shares than the position has.
            let mut promised: HashMap<(Symbol, Side), i64> = HashMap::new();
            for id in &slot.open_orders {
                let order = live.open_orders.get(id).expect("indexed open order exists");
                if matches!(order.side, Side::Sell | Side::BuyToCover) {
                    *promised.entry((order.symbol.clone(), order.side)).or_default() += order.remaining().0;
                }
            }
            for ((symbol, side), qty) in promised {
                let held = p.qty(&symbol).0;
                let available = if side == Side::Sell { held.max(0) } else { (-held).max(0) };
                prop_assert!(qty <= available, "{} promises {qty} {symbol} on {side:?}, holds {held}", slot.entry.id);
            }
        }
        for (i, slot) in live.instruments.iter().enumerate() {
            let live_holders: HashMap<u32, i64> = slot.holders.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(&live_holders, &holders[i], "holders of {}", slot.instrument.symbol);
        }
        let resting: usize = live.instruments.iter().map(|i| i.book.len()).sum();
        prop_assert_eq!(resting, live.open_orders.len(), "every open order rests in exactly one book");
        let indexed: usize = live.entries.iter().map(|e| e.open_orders.len()).sum();
        prop_assert_eq!(indexed, live.open_orders.len());
        for order in live.open_orders.values() {
            prop_assert!(order.status.is_open());
            prop_assert!(order.order_type != OrderType::Market, "market order {} rests", order.id);
            prop_assert!(
                matches!(order.time_in_force, TimeInForce::Day | TimeInForce::Gtc),
                "{:?} order {} rests",
                order.time_in_force,
                order.id
            );
            prop_assert_eq!(self.orders.get(&order.id), Some(order), "the last stored state is the live one");
        }
        Ok(())
    }

    /// The ledger folds back into the live portfolios; orders agree with their trades.
    fn check_ledger(&self) -> Result<(), TestCaseError> {
        let portfolios = match reconcile(self.ledger.iter()) {
            Ok(p) => p,
            Err(errors) => return Err(TestCaseError::fail(format!("ledger does not reconcile: {errors:?}"))),
        };
        prop_assert_eq!(portfolios.len(), self.live.entries.len());
        for slot in &self.live.entries {
            prop_assert_eq!(
                portfolios.get(&slot.entry.id),
                Some(&slot.portfolio),
                "folded ledger of {}",
                slot.entry.id
            );
        }
        let mut last = 0;
        for le in &self.ledger {
            prop_assert!(le.seq > last, "ledger seqs increase");
            last = le.seq;
        }
        prop_assert!(last <= self.live.last_seq);
        let mut traded: HashMap<OrderId, i64> = HashMap::new();
        for le in self.ledger.iter().filter(|le| le.kind == LedgerKind::Trade) {
            let id = le.order_id.expect("trades name their order");
            *traded.entry(id).or_default() += le.qty_delta.0.abs();
            let order = self.orders.get(&id).expect("traded order is recorded");
            prop_assert_eq!(order.entry_id, le.entry_id);
            prop_assert_eq!(le.qty_delta.0.signum(), order.side.sign());
        }
        for order in self.orders.values() {
            prop_assert_eq!(order.filled_qty.0, traded.get(&order.id).copied().unwrap_or(0), "fills of {}", order.id);
            prop_assert!(order.filled_qty <= order.qty);
            if order.status == bullpen_domain::OrderStatus::Filled {
                prop_assert_eq!(order.filled_qty, order.qty);
            }
            prop_assert_eq!(order.status.is_open(), self.live.open_orders.contains_key(&order.id));
        }
        Ok(())
    }
}

fn run_stream(rules: TournamentRules, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut sim = Sim::new(rules);
    sim.check_incremental()?;
    for op in ops {
        let before = (sim.portfolios(), sim.open_ids(), sim.live.last_seq, sim.live.entries.len());
        let mut fx = Effects::new(TOURNAMENT);
        let outcome = sim.apply(op, &mut fx);
        if let Some(Err(reason)) = &outcome {
            let batch = fx.into_batch(sim.live.last_seq);
            prop_assert!(
                batch.ledger.is_empty() && batch.orders.is_empty() && batch.entries.is_empty(),
                "refused {op:?} ({reason}) produced records: {batch:?}"
            );
            let after = (sim.portfolios(), sim.open_ids(), sim.live.last_seq, sim.live.entries.len());
            prop_assert_eq!(after, before, "refused {:?} ({}) changed the state", op, reason);
        } else {
            sim.absorb(fx);
        }
        sim.check_incremental()?;
    }
    sim.check_ledger()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_keep_the_engine_invariants(
        rules in rules_strategy(),
        ops in prop::collection::vec(op(), 1..150),
    ) {
        run_stream(rules, &ops)?;
    }
}

/// The strategy produces streams that actually trade: a fixed seed's streams fill orders,
/// refuse others, and move through sessions (guards against a vacuous property).
#[test]
fn streams_exercise_fills_refusals_and_sessions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let (mut fills, mut refusals, mut closes, mut splits) = (0, 0, 0, 0);
    let mut codes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for _ in 0..32 {
        let rules = rules_strategy().new_tree(&mut runner).expect("rules").current();
        let ops = prop::collection::vec(op(), 100..120).new_tree(&mut runner).expect("ops").current();
        let mut sim = Sim::new(rules);
        for op in &ops {
            let mut fx = Effects::new(TOURNAMENT);
            match sim.apply(op, &mut fx) {
                Some(Err(r)) => {
                    refusals += 1;
                    *codes.entry(r.code()).or_insert(0) += 1;
                }
                _ => sim.absorb(fx),
            }
        }
        fills += sim.ledger.iter().filter(|l| l.kind == LedgerKind::Trade).count();
        closes += sim.day.signed_duration_since(NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()).num_days();
        splits += sim.ledger.iter().filter(|l| l.kind == LedgerKind::Split).count();
    }
    assert!(fills > 100, "{fills} fills");
    assert!(refusals > 100, "{refusals} refusals");
    assert!(closes > 20, "{closes} closes");
    assert!(splits > 0, "{splits} splits");
    assert!(codes.len() >= 12, "only these refusals were exercised: {codes:?}");
}
