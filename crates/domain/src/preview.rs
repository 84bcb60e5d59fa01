//! Order previews: every rule of [`TournamentRules::check_order`] evaluated on its own, with
//! pass or fail and a sentence for each, plus the estimated price, cost and commission — what a
//! trade ticket shows before the player confirms.
//!
//! A preview changes nothing and runs the very same rule functions as `check_order`, in the same
//! order, so its first failure is exactly the reason `check_order` would give. Unlike
//! `check_order` it does not stop at the first failure: a rule that does not depend on an earlier
//! one is still evaluated, and a rule that needs something missing (a known instrument, a
//! price) is reported as not checked.

use serde::{Deserialize, Serialize};

use crate::money::{Money, Price};
use crate::order::Side;
use crate::reject::RejectReason;
use crate::rules::TournamentRules;
use crate::rules_check::{check_market_open, check_quote, OrderContext};

/// A rule an order is checked against, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewRule {
    /// Positive quantity, the right prices for the type, prices on the tick.
    OrderShape,
    /// The symbol is known, in the universe, neither halted nor delisted.
    Instrument,
    /// The market is open.
    MarketOpen,
    /// A price is available.
    Quote,
    /// The daily order limit.
    DailyOrderLimit,
    /// The side fits the position (and short selling is allowed for short sales).
    PositionSide,
    /// The minimum share price, for buys.
    MinSharePrice,
    /// The minimum holding time, for sells and covers.
    HoldingTime,
    /// Buying power, for buys and short sales.
    BuyingPower,
    /// The maximum position weight, for buys and short sales.
    PositionWeight,
}

impl PreviewRule {
    /// Every rule, in the order the checks run.
    pub const ALL: [PreviewRule; 10] = [
        PreviewRule::OrderShape,
        PreviewRule::Instrument,
        PreviewRule::MarketOpen,
        PreviewRule::Quote,
        PreviewRule::DailyOrderLimit,
        PreviewRule::PositionSide,
        PreviewRule::MinSharePrice,
        PreviewRule::HoldingTime,
        PreviewRule::BuyingPower,
        PreviewRule::PositionWeight,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PreviewRule::OrderShape => "order_shape",
            PreviewRule::Instrument => "instrument",
            PreviewRule::MarketOpen => "market_open",
            PreviewRule::Quote => "quote",
            PreviewRule::DailyOrderLimit => "daily_order_limit",
            PreviewRule::PositionSide => "position_side",
            PreviewRule::MinSharePrice => "min_share_price",
            PreviewRule::HoldingTime => "holding_time",
            PreviewRule::BuyingPower => "buying_power",
            PreviewRule::PositionWeight => "position_weight",
        }
    }

    /// The rule that refuses an order with `reason`, when it is one of the order rules.
    pub fn of(reason: &RejectReason) -> Option<PreviewRule> {
        use RejectReason as R;
        Some(match reason {
            R::NonPositiveQuantity
            | R::NonPositivePrice
            | R::OffTick { .. }
            | R::MissingLimitPrice
            | R::UnexpectedLimitPrice
            | R::MissingStopPrice
            | R::UnexpectedStopPrice
            | R::UnsupportedTimeInForce
            | R::InvalidClientOrderId => PreviewRule::OrderShape,
            R::UnknownSymbol(_) | R::NotInUniverse(_) | R::Halted(_) | R::Delisted(_) => PreviewRule::Instrument,
            R::MarketClosed => PreviewRule::MarketOpen,
            R::NoPrice(_) => PreviewRule::Quote,
            R::MaxOrdersPerDay(_) => PreviewRule::DailyOrderLimit,
            R::InsufficientPosition { .. }
            | R::InsufficientShortPosition { .. }
            | R::WrongSideForPosition(_)
            | R::ShortSellingDisabled
            | R::ShortBelowMinimumPrice { .. } => PreviewRule::PositionSide,
            R::BelowMinimumSharePrice { .. } => PreviewRule::MinSharePrice,
            R::MinimumHoldingTime { .. } => PreviewRule::HoldingTime,
            R::InsufficientBuyingPower { .. } => PreviewRule::BuyingPower,
            R::MaxPositionWeight { .. } => PreviewRule::PositionWeight,
            _ => return None,
        })
    }

    /// A short name for people.
    pub fn label(self) -> &'static str {
        match self {
            PreviewRule::OrderShape => "Order details",
            PreviewRule::Instrument => "Tradable instrument",
            PreviewRule::MarketOpen => "Market open",
            PreviewRule::Quote => "Price available",
            PreviewRule::DailyOrderLimit => "Daily order limit",
            PreviewRule::PositionSide => "Side fits your position",
            PreviewRule::MinSharePrice => "Minimum share price",
            PreviewRule::HoldingTime => "Minimum holding time",
            PreviewRule::BuyingPower => "Buying power",
            PreviewRule::PositionWeight => "Maximum position weight",
        }
    }
}

/// The result of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CheckResult {
    /// The order satisfies the rule.
    Pass,
    /// The order breaks the rule; this is the reason the order would be refused with.
    Fail {
        /// The refusal.
        reason: RejectReason,
    },
    /// The rule does not apply to this order (e.g. buying power for a sale, or a rule the
    /// tournament does not set).
    NotApplicable,
    /// The rule could not be evaluated because something it needs is missing (a price).
    NotChecked,
}

/// One row of a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// Which rule.
    pub rule: PreviewRule,
    /// Pass, fail, not applicable or not checked.
    pub result: CheckResult,
    /// What was checked, or why it failed, in words with exact amounts.
    pub detail: String,
}

impl RuleOutcome {
    /// True when the rule failed.
    pub fn failed(&self) -> bool {
        matches!(self.result, CheckResult::Fail { .. })
    }
}

/// Everything a trade ticket shows before confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPreview {
    /// Every rule, in the order the checks run.
    pub checks: Vec<RuleOutcome>,
    /// The price the order was checked against, if any.
    pub quote: Option<Price>,
    /// The price the order is expected to fill at (limit, or quote with slippage).
    pub expected_price: Option<Price>,
    /// `expected_price × qty`.
    pub notional: Option<Money>,
    /// Commission of one fill of the whole order at `expected_price`.
    pub commission: Option<Money>,
    /// Buying power the order needs (buys and short sales): notional plus commission.
    pub buying_power_needed: Option<Money>,
    /// Signed change in cash if the whole order fills at `expected_price`, commission included
    /// (negative for buys and covers, positive for sales and short sales).
    pub cash_change: Option<Money>,
    /// Buying power now (after the reservations of other open orders).
    pub buying_power: Money,
    /// Buying power left after this order (buys and short sales).
    pub buying_power_after: Option<Money>,
}

impl OrderPreview {
    /// The reason the order would be refused: the first failed rule.
    pub fn rejection(&self) -> Option<&RejectReason> {
        self.checks.iter().find_map(|c| match &c.result {
            CheckResult::Fail { reason } => Some(reason),
            _ => None,
        })
    }

    /// True when every rule passes (or does not apply).
    pub fn passes(&self) -> bool {
        self.checks.iter().all(|c| matches!(c.result, CheckResult::Pass | CheckResult::NotApplicable))
    }
}

fn outcome(rule: PreviewRule, result: Result<(), RejectReason>, passed: impl FnOnce() -> String) -> RuleOutcome {
    match result {
        Ok(()) => RuleOutcome { rule, result: CheckResult::Pass, detail: passed() },
        Err(reason) => RuleOutcome { rule, detail: reason.to_string(), result: CheckResult::Fail { reason } },
    }
}

fn not_applicable(rule: PreviewRule, why: &str) -> RuleOutcome {
    RuleOutcome { rule, result: CheckResult::NotApplicable, detail: why.to_string() }
}

fn not_checked(rule: PreviewRule) -> RuleOutcome {
    RuleOutcome { rule, result: CheckResult::NotChecked, detail: "needs a price; not checked".to_string() }
}

impl TournamentRules {
    /// Evaluates every rule of [`TournamentRules::check_order`] separately and estimates what
    /// the order costs. Pure: nothing changes. See the module documentation.
    pub fn preview_order(&self, ctx: &OrderContext<'_>) -> OrderPreview {
        let request = ctx.request;
        let symbol = request.symbol.as_str();
        let side = request.side;
        let spends = matches!(side, Side::Buy | Side::SellShort);
        let mut checks = Vec::with_capacity(PreviewRule::ALL.len());

        checks.push(outcome(PreviewRule::OrderShape, request.validate_shape(), || {
            format!("{} {} {} shares of {symbol}", request.order_type.as_str(), side.as_str(), request.qty)
        }));
        checks.push(outcome(PreviewRule::Instrument, self.check_listing(ctx).map(|_| ()), || {
            format!("{symbol} is listed, active and in this tournament's universe")
        }));
        checks.push(outcome(PreviewRule::MarketOpen, check_market_open(ctx), || "the market is open".to_string()));
        let quote = check_quote(ctx);
        checks.push(outcome(PreviewRule::Quote, quote.as_ref().map(|_| ()).map_err(Clone::clone), || {
            format!("last price {}", ctx.quote.unwrap_or_default())
        }));
        let quote = quote.ok();
        checks.push(match self.max_orders_per_day {
            None => not_applicable(PreviewRule::DailyOrderLimit, "this tournament sets no daily order limit"),
            Some(max) => outcome(PreviewRule::DailyOrderLimit, self.check_daily_limit(ctx), || {
                format!("{} of {max} orders used today", ctx.orders_today)
            }),
        });
        checks.push(match quote {
            None => not_checked(PreviewRule::PositionSide),
            Some(q) => outcome(PreviewRule::PositionSide, self.check_side(ctx, q), || {
                format!("you hold {} shares of {symbol}", ctx.portfolio.qty(&request.symbol))
            }),
        });
        checks.push(match (side, self.min_share_price, quote) {
            (Side::Buy, None, _) => not_applicable(PreviewRule::MinSharePrice, "this tournament sets no minimum price"),
            (Side::Buy, Some(minimum), Some(q)) => {
                outcome(PreviewRule::MinSharePrice, self.check_min_share_price(ctx, q), || {
                    format!("{q} is at least the minimum {minimum}")
                })
            }
            (Side::Buy, Some(_), None) => not_checked(PreviewRule::MinSharePrice),
            _ => not_applicable(PreviewRule::MinSharePrice, "applies to buys only"),
        });
        checks.push(if spends {
            not_applicable(PreviewRule::HoldingTime, "applies to sells and covers only")
        } else if self.min_holding_seconds <= 0 {
            not_applicable(PreviewRule::HoldingTime, "this tournament sets no minimum holding time")
        } else {
            outcome(PreviewRule::HoldingTime, self.check_holding_time(ctx), || {
                format!("the shares closed were held at least {} s", self.min_holding_seconds)
            })
        });

        let buying_power = self.buying_power_of(ctx.value(), ctx.reserved_buying_power);
        let expected_price = quote.map(|q| self.expected_fill_price(request, q));
        let needed = quote.map(|q| self.order_cost_estimate(request, q));
        checks.push(match (spends, quote, needed) {
            (false, _, _) => not_applicable(PreviewRule::BuyingPower, "applies to buys and short sales only"),
            (true, Some(q), Some(needed)) => outcome(PreviewRule::BuyingPower, self.check_buying_power(ctx, q), || {
                format!("needs {needed} of {buying_power} available")
            }),
            (true, _, _) => not_checked(PreviewRule::BuyingPower),
        });
        checks.push(match (spends, self.max_position_weight_bps, quote) {
            (false, _, _) => not_applicable(PreviewRule::PositionWeight, "applies to buys and short sales only"),
            (true, None, _) => {
                not_applicable(PreviewRule::PositionWeight, "this tournament sets no maximum position weight")
            }
            (true, Some(max_bps), Some(q)) => {
                outcome(PreviewRule::PositionWeight, self.check_position_weight(ctx, q), || {
                    format!("the position stays within {max_bps} bps of equity")
                })
            }
            (true, Some(_), None) => not_checked(PreviewRule::PositionWeight),
        });

        let qty = request.qty.abs();
        let notional = expected_price.map(|p| p.times(qty));
        let commission = expected_price.map(|p| self.commission.commission(qty, p));
        let cash_change = match (notional, commission) {
            (Some(n), Some(c)) if side.is_buy() => Some(Money::ZERO - n - c),
            (Some(n), Some(c)) => Some(n - c),
            _ => None,
        };
        let buying_power_needed = if spends { needed } else { None };
        OrderPreview {
            checks,
            quote: ctx.quote,
            expected_price,
            notional,
            commission,
            buying_power_needed,
            cash_change,
            buying_power,
            buying_power_after: buying_power_needed.map(|n| buying_power - n),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::ids::{EntryId, InstrumentId, OrderId, TournamentId};
    use crate::instrument::{Instrument, InstrumentStatus, Symbol};
    use crate::money::Qty;
    use crate::order::{OrderRequest, OrderType, TimeInForce};
    use crate::portfolio::{deposit_entry, trade_entry, Portfolio};
    use crate::rules::CommissionModel;
    use crate::time::Ts;

    const SECOND: i64 = 1_000_000;

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap()
    }

    fn request(side: Side, order_type: OrderType, qty: i64) -> OrderRequest {
        let (limit_price, stop_price) = match order_type {
            OrderType::Market => (None, None),
            OrderType::Limit => (Some(Price::from_dollars(99)), None),
            OrderType::Stop => (None, Some(Price::from_dollars(101))),
            OrderType::StopLimit => (Some(Price::from_dollars(102)), Some(Price::from_dollars(101))),
        };
        OrderRequest {
            client_order_id: None,
            symbol: sym("AAA"),
            side,
            order_type,
            time_in_force: TimeInForce::Day,
            qty: Qty(qty),
            limit_price,
            stop_price,
        }
    }

    fn instrument(status: InstrumentStatus) -> Instrument {
        Instrument { id: InstrumentId(1), symbol: sym("AAA"), name: "AAA Inc.".into(), sector: "Energy".into(), status }
    }

    /// $10,000 cash, then the given (signed qty, price) fills of AAA at t = 0.
    fn account(fills: &[(i64, i64)]) -> Portfolio {
        let mut p = Portfolio::new(EntryId(1));
        p.apply(&deposit_entry(&p, 1, TournamentId(1), Ts(0), Money::from_dollars(10_000))).unwrap();
        for (i, &(qty, price)) in fills.iter().enumerate() {
            let seq = i as i64 + 2;
            let e = trade_entry(
                &p,
                seq,
                TournamentId(1),
                Ts(0),
                OrderId(seq),
                &sym("AAA"),
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

    struct Case {
        request: OrderRequest,
        instrument: Option<Instrument>,
        quote: Option<Price>,
        market_open: bool,
        portfolio: Portfolio,
        orders_today: u32,
        reserved: Money,
    }

    impl Case {
        fn new(request: OrderRequest) -> Case {
            Case {
                request,
                instrument: Some(instrument(InstrumentStatus::Active)),
                quote: Some(Price::from_dollars(100)),
                market_open: true,
                portfolio: account(&[]),
                orders_today: 0,
                reserved: Money::ZERO,
            }
        }

        fn ctx(&self) -> OrderContext<'_> {
            OrderContext {
                request: &self.request,
                instrument: self.instrument.as_ref(),
                quote: self.quote,
                market_open: self.market_open,
                portfolio: &self.portfolio,
                prices: &at_100,
                valuation: None,
                reserved_buying_power: self.reserved,
                pending_sell_qty: Qty::ZERO,
                orders_today: self.orders_today,
                now: Ts(10 * SECOND),
            }
        }
    }

    fn result_of(p: &OrderPreview, rule: PreviewRule) -> &CheckResult {
        &p.checks.iter().find(|c| c.rule == rule).unwrap().result
    }

    #[test]
    fn a_plain_buy_passes_every_rule_and_shows_cost_and_commission() {
        let rules = TournamentRules {
            commission: CommissionModel {
                per_trade: Money::from_dollars(1),
                per_share: Money::ZERO,
                bps: 10,
                minimum: Money::ZERO,
            },
            ..TournamentRules::default()
        };
        let case = Case::new(request(Side::Buy, OrderType::Market, 10));
        let p = rules.preview_order(&case.ctx());
        assert!(p.passes(), "{p:?}");
        assert_eq!(p.rejection(), None);
        assert_eq!(p.checks.len(), PreviewRule::ALL.len());
        let order: Vec<PreviewRule> = p.checks.iter().map(|c| c.rule).collect();
        assert_eq!(order, PreviewRule::ALL.to_vec());
        // $1,000 notional; $1 + 10 bps of $1,000 = $2.00 commission.
        assert_eq!(p.expected_price, Some(Price::from_dollars(100)));
        assert_eq!(p.notional, Some(Money::from_dollars(1_000)));
        assert_eq!(p.commission, Some(Money::from_dollars(2)));
        assert_eq!(p.buying_power_needed, Some(Money::from_dollars(1_002)));
        assert_eq!(p.cash_change, Some(Money::from_dollars(-1_002)));
        assert_eq!(p.buying_power, Money::from_dollars(10_000));
        assert_eq!(p.buying_power_after, Some(Money::from_dollars(8_998)));
        assert_eq!(result_of(&p, PreviewRule::HoldingTime), &CheckResult::NotApplicable);
        assert_eq!(p.buying_power_needed, Some(rules.order_cost_estimate(&case.request, Price::from_dollars(100))));
    }

    #[test]
    fn insufficient_buying_power_fails_that_rule_with_the_amounts() {
        let rules = TournamentRules::default();
        let case = Case::new(request(Side::Buy, OrderType::Market, 101));
        let p = rules.preview_order(&case.ctx());
        assert!(!p.passes());
        let expected = RejectReason::InsufficientBuyingPower {
            needed: Money::from_dollars(10_100),
            available: Money::from_dollars(10_000),
        };
        assert_eq!(p.rejection(), Some(&expected));
        assert_eq!(result_of(&p, PreviewRule::BuyingPower), &CheckResult::Fail { reason: expected.clone() });
        let row = p.checks.iter().find(|c| c.rule == PreviewRule::BuyingPower).unwrap();
        assert!(row.detail.contains("insufficient buying power"), "{}", row.detail);
        // Rules before it still pass.
        assert_eq!(result_of(&p, PreviewRule::MarketOpen), &CheckResult::Pass);
        assert_eq!(p.buying_power_after, Some(Money::from_dollars(-100)));
    }

    #[test]
    fn without_a_price_the_price_rules_are_not_checked_but_the_others_are() {
        let rules = TournamentRules { max_orders_per_day: Some(3), ..TournamentRules::default() };
        let mut case = Case::new(request(Side::Buy, OrderType::Market, 1));
        case.quote = None;
        case.market_open = false;
        case.orders_today = 3;
        let p = rules.preview_order(&case.ctx());
        assert_eq!(p.rejection(), Some(&RejectReason::MarketClosed));
        assert!(matches!(result_of(&p, PreviewRule::Quote), CheckResult::Fail { .. }));
        assert_eq!(
            result_of(&p, PreviewRule::DailyOrderLimit),
            &CheckResult::Fail { reason: RejectReason::MaxOrdersPerDay(3) }
        );
        assert_eq!(result_of(&p, PreviewRule::BuyingPower), &CheckResult::NotChecked);
        assert_eq!(result_of(&p, PreviewRule::PositionSide), &CheckResult::NotChecked);
        assert_eq!(p.notional, None);
        assert_eq!(p.commission, None);
    }

    #[test]
    fn a_sale_shows_its_proceeds_and_skips_the_spending_rules() {
        let rules = TournamentRules {
            commission: CommissionModel {
                per_trade: Money::from_dollars(1),
                per_share: Money::ZERO,
                bps: 0,
                minimum: Money::ZERO,
            },
            min_holding_seconds: 5,
            ..TournamentRules::default()
        };
        let mut case = Case::new(request(Side::Sell, OrderType::Limit, 5));
        case.portfolio = account(&[(10, 90)]);
        let p = rules.preview_order(&case.ctx());
        assert!(p.passes(), "{p:?}");
        // 5 × $99 limit − $1 commission.
        assert_eq!(p.cash_change, Some(Money::from_dollars(494)));
        assert_eq!(p.buying_power_needed, None);
        assert_eq!(result_of(&p, PreviewRule::BuyingPower), &CheckResult::NotApplicable);
        assert_eq!(result_of(&p, PreviewRule::HoldingTime), &CheckResult::Pass);
        case.request.qty = Qty(11);
        let p = rules.preview_order(&case.ctx());
        assert_eq!(p.rejection(), Some(&RejectReason::InsufficientPosition { wanted: Qty(11), held: Qty(10) }));
    }

    /// The preview's first failure is exactly what `check_order` refuses with, over a grid of
    /// orders, accounts and rules.
    #[test]
    fn the_first_failure_is_what_check_order_says() {
        let rule_sets = [
            TournamentRules::default(),
            TournamentRules {
                short_selling: false,
                max_orders_per_day: Some(2),
                min_share_price: Some(Price::from_dollars(150)),
                max_position_weight_bps: Some(2_000),
                min_holding_seconds: 3_600,
                slippage_bps: 25,
                ..TournamentRules::default()
            },
            TournamentRules {
                universe: crate::rules::Universe::Sectors(vec!["Utilities".into()]),
                ..Default::default()
            },
        ];
        let mut compared = 0;
        for rules in &rule_sets {
            for side in [Side::Buy, Side::Sell, Side::SellShort, Side::BuyToCover] {
                for order_type in [OrderType::Market, OrderType::Limit, OrderType::Stop, OrderType::StopLimit] {
                    for qty in [0, 1, 20, 200] {
                        for fills in [&[][..], &[(30, 90)][..], &[(-30, 90)][..]] {
                            for (open, quote, status, today) in [
                                (true, Some(100), InstrumentStatus::Active, 0),
                                (false, Some(100), InstrumentStatus::Active, 0),
                                (true, None, InstrumentStatus::Active, 0),
                                (true, Some(100), InstrumentStatus::Halted, 5),
                                (true, Some(3), InstrumentStatus::Active, 0),
                            ] {
                                let mut case = Case::new(request(side, order_type, qty));
                                case.market_open = open;
                                case.quote = quote.map(Price::from_dollars);
                                case.instrument = Some(instrument(status));
                                case.orders_today = today;
                                case.portfolio = account(fills);
                                case.reserved = Money::from_dollars(500);
                                let ctx = case.ctx();
                                let preview = rules.preview_order(&ctx);
                                let checked = rules.check_order(&ctx);
                                assert_eq!(preview.rejection().cloned(), checked.clone().err(), "{:?}", case.request);
                                assert_eq!(preview.passes(), checked.is_ok());
                                compared += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(compared > 1_000);
    }

    #[test]
    fn every_failure_names_its_own_rule() {
        let rules = TournamentRules { max_orders_per_day: Some(1), ..TournamentRules::default() };
        let mut case = Case::new(request(Side::Buy, OrderType::Market, 1_000));
        case.orders_today = 1;
        let p = rules.preview_order(&case.ctx());
        for row in p.checks.iter().filter(|c| c.failed()) {
            if let CheckResult::Fail { reason } = &row.result {
                assert_eq!(PreviewRule::of(reason), Some(row.rule), "{reason}");
            }
        }
        assert_eq!(PreviewRule::of(&RejectReason::UnknownOrder), None);
    }

    #[test]
    fn unknown_symbols_fail_the_instrument_rule() {
        let rules = TournamentRules::default();
        let mut case = Case::new(request(Side::Buy, OrderType::Market, 1));
        case.instrument = None;
        let p = rules.preview_order(&case.ctx());
        assert_eq!(p.rejection(), Some(&RejectReason::UnknownSymbol("AAA".into())));
        assert_eq!(p.checks[1].rule, PreviewRule::Instrument);
        assert!(p.checks[1].failed());
    }
}
