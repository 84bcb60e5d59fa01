//! Order checks against the tournament rules and the account's state.
//!
//! [`TournamentRules::check_order`] runs every check in a fixed order and returns the first
//! failure as a specific [`RejectReason`]:
//!
//! 1. the request's shape ([`OrderRequest::validate_shape`]);
//! 2. the symbol is known, in the universe, and neither halted nor delisted;
//! 3. the market is open — every order is refused while it is closed, resting ones included;
//! 4. a quote is available;
//! 5. the daily order limit;
//! 6. the side fits the position (sell needs enough long shares not already promised to open
//!    sells, buy-to-cover enough short shares not already promised to open covers, sell-short
//!    needs short selling enabled, no long position and a quote at or above the short minimum
//!    price, buy is refused while short);
//! 7. the minimum share price, for buys;
//! 8. the minimum holding time, for sells and covers;
//! 9. buying power, for buys and short sales;
//! 10. the maximum position weight, for buys and short sales.
//!
//! # Buying power
//!
//! One formula covers cash and margin accounts:
//! `buying power = equity × multiple − gross exposure − reserved`, with the multiple 1× for a cash
//! account. Long-only, that is exactly `cash − reserved`. With shorts it makes a short sale in a
//! cash account need buying power of its full notional (plus commission) as collateral, and the
//! open short keeps tying up that collateral — so the short's proceeds never fund other buys.

use crate::instrument::{Instrument, InstrumentStatus, Symbol};
use crate::money::{Money, Price, Qty};
use crate::order::{OrderRequest, OrderType, Side};
use crate::portfolio::Portfolio;
use crate::reject::RejectReason;
use crate::rules::{TournamentRules, Universe};
use crate::time::{Ts, MICROS_PER_SECOND};

/// Basis points in one whole.
const BPS: i128 = 10_000;

/// An account's value at current prices, when the caller already keeps it (the engine does,
/// incrementally), so a check need not revalue every position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Valuation {
    /// Cash plus the signed market value of positions.
    pub equity: Money,
    /// Σ |market value| of positions.
    pub gross_exposure: Money,
}

/// Everything an order check needs to know about the market and the account.
pub struct OrderContext<'a> {
    /// The order.
    pub request: &'a OrderRequest,
    /// The instrument; `None` when the symbol is unknown.
    pub instrument: Option<&'a Instrument>,
    /// The (possibly delayed) price players see.
    pub quote: Option<Price>,
    /// Whether the market is open now.
    pub market_open: bool,
    /// The account.
    pub portfolio: &'a Portfolio,
    /// Prices for valuing the account (a position without one is valued at cost).
    pub prices: &'a dyn Fn(&Symbol) -> Option<Price>,
    /// The account's value at `prices`, if the caller has it; computed from them otherwise.
    pub valuation: Option<Valuation>,
    /// Buying power held by this entry's other open buy and sell-short orders.
    pub reserved_buying_power: Money,
    /// Shares already promised by this entry's open sells in this symbol (for a buy-to-cover:
    /// by its open covers).
    pub pending_sell_qty: Qty,
    /// Orders this entry has submitted today.
    pub orders_today: u32,
    /// Now.
    pub now: Ts,
}

impl OrderContext<'_> {
    /// The account's value: the one given, or computed at `prices`.
    pub fn value(&self) -> Valuation {
        self.valuation.unwrap_or_else(|| Valuation {
            equity: self.portfolio.equity(self.prices),
            gross_exposure: self.portfolio.gross_exposure(self.prices),
        })
    }
}

impl TournamentRules {
    /// Checks an order against the rules and the account; see the module documentation for the
    /// order of the checks.
    pub fn check_order(&self, ctx: &OrderContext<'_>) -> Result<(), RejectReason> {
        ctx.request.validate_shape()?;
        self.check_listing(ctx)?;
        check_market_open(ctx)?;
        let quote = check_quote(ctx)?;
        self.check_daily_limit(ctx)?;
        self.check_side(ctx, quote)?;
        self.check_min_share_price(ctx, quote)?;
        match ctx.request.side {
            Side::Sell | Side::BuyToCover => self.check_holding_time(ctx),
            Side::Buy | Side::SellShort => {
                self.check_buying_power(ctx, quote)?;
                self.check_position_weight(ctx, quote)
            }
        }
    }

    /// Step 2: the symbol is known, in the universe, and neither halted nor delisted.
    pub(crate) fn check_listing<'a>(&self, ctx: &OrderContext<'a>) -> Result<&'a Instrument, RejectReason> {
        let name = || ctx.request.symbol.as_str().to_string();
        let instrument = ctx.instrument.ok_or_else(|| RejectReason::UnknownSymbol(name()))?;
        if !self.in_universe(instrument) {
            return Err(RejectReason::NotInUniverse(name()));
        }
        match instrument.status {
            InstrumentStatus::Active => Ok(instrument),
            InstrumentStatus::Halted => Err(RejectReason::Halted(name())),
            InstrumentStatus::Delisted => Err(RejectReason::Delisted(name())),
        }
    }

    /// Step 5: the daily order limit.
    pub(crate) fn check_daily_limit(&self, ctx: &OrderContext<'_>) -> Result<(), RejectReason> {
        match self.max_orders_per_day {
            Some(max) if ctx.orders_today >= max => Err(RejectReason::MaxOrdersPerDay(max)),
            _ => Ok(()),
        }
    }

    /// Step 7: the minimum share price, for buys.
    pub(crate) fn check_min_share_price(&self, ctx: &OrderContext<'_>, quote: Price) -> Result<(), RejectReason> {
        match self.min_share_price {
            Some(minimum) if ctx.request.side == Side::Buy && quote < minimum => {
                Err(RejectReason::BelowMinimumSharePrice {
                    symbol: ctx.request.symbol.as_str().to_string(),
                    price: quote,
                    minimum,
                })
            }
            _ => Ok(()),
        }
    }

    /// Step 9: the order's estimated cost fits the buying power (buys and short sales).
    pub(crate) fn check_buying_power(&self, ctx: &OrderContext<'_>, quote: Price) -> Result<(), RejectReason> {
        let needed = self.order_cost_estimate(ctx.request, quote);
        let available = self.buying_power_of(ctx.value(), ctx.reserved_buying_power);
        if needed > available {
            return Err(RejectReason::InsufficientBuyingPower { needed, available });
        }
        Ok(())
    }

    /// What the entry may still spend on buys and short sales:
    /// `equity × multiple − gross exposure − reserved`, the multiple being 1× without margin and
    /// the margin multiple otherwise (rounded down to 1/10,000 of a dollar). May be negative.
    pub fn buying_power(
        &self,
        portfolio: &Portfolio,
        prices: &dyn Fn(&Symbol) -> Option<Price>,
        reserved: Money,
    ) -> Money {
        let value = Valuation { equity: portfolio.equity(prices), gross_exposure: portfolio.gross_exposure(prices) };
        self.buying_power_of(value, reserved)
    }

    /// [`TournamentRules::buying_power`] of an account whose value is known.
    pub fn buying_power_of(&self, value: Valuation, reserved: Money) -> Money {
        let multiple_bps = self.margin.as_ref().map_or(BPS, |m| i128::from(m.buying_power_multiple_bps));
        let levered = (i128::from(value.equity.0) * multiple_bps).div_euclid(BPS);
        let power = levered - i128::from(value.gross_exposure.0) - i128::from(reserved.0);
        Money(clamp_i64(power))
    }

    /// The most an order may cost: its notional at the price it is expected to fill at, plus the
    /// commission. That price is the limit price for limit and stop-limit orders; the quote for
    /// market orders and the higher of stop price and quote for stop orders, each moved against
    /// the player by the slippage ([`TournamentRules::fill_price_with_slippage`]).
    pub fn order_cost_estimate(&self, request: &OrderRequest, quote: Price) -> Money {
        let price = self.expected_fill_price(request, quote);
        price.times(request.qty.abs()) + self.commission.commission(request.qty, price)
    }

    /// The price an order is expected to fill at when the market is at `quote` (see
    /// [`TournamentRules::order_cost_estimate`]).
    pub fn expected_fill_price(&self, request: &OrderRequest, quote: Price) -> Price {
        match request.order_type {
            OrderType::Limit | OrderType::StopLimit => request.limit_price.unwrap_or(quote),
            OrderType::Market => self.fill_price_with_slippage(request.side, quote),
            OrderType::Stop => {
                self.fill_price_with_slippage(request.side, request.stop_price.unwrap_or(quote).max(quote))
            }
        }
    }

    /// The fill price of a market order when the market is at `market`: `slippage_bps` worse for
    /// the player, exactly, then rounded to 1/10,000 of a dollar against the player (buys round
    /// up, sells round down, never below 0.0001). A negative slippage setting counts as zero.
    pub fn fill_price_with_slippage(&self, side: Side, market: Price) -> Price {
        let bps = i128::from(self.slippage_bps.max(0));
        let market = i128::from(market.0);
        let price = if side.is_buy() {
            -(-(market * (BPS + bps))).div_euclid(BPS)
        } else {
            (market * (BPS - bps)).div_euclid(BPS).max(1)
        };
        Price(clamp_i64(price))
    }

    /// Whether an instrument is in the tournament's universe.
    pub fn in_universe(&self, instrument: &Instrument) -> bool {
        match &self.universe {
            Universe::All => true,
            Universe::Symbols(symbols) => symbols.contains(&instrument.symbol),
            Universe::Sectors(sectors) => sectors.iter().any(|s| s.eq_ignore_ascii_case(&instrument.sector)),
        }
    }

    pub(crate) fn check_side(&self, ctx: &OrderContext<'_>, quote: Price) -> Result<(), RejectReason> {
        let request = ctx.request;
        let symbol = &request.symbol;
        let held = ctx.portfolio.qty(symbol);
        let wanted = request.qty;
        match request.side {
            Side::Buy if held.0 < 0 => Err(RejectReason::WrongSideForPosition(format!(
                "you are short {} shares of {symbol}: use buy_to_cover to reduce a short position",
                held.abs()
            ))),
            Side::Buy => Ok(()),
            Side::Sell if held.0 < 0 => Err(RejectReason::WrongSideForPosition(format!(
                "you are short {} shares of {symbol}: use buy_to_cover to reduce it, or sell_short to add to it \
                 (sell only reduces a long position)",
                held.abs()
            ))),
            Side::Sell => {
                let available = Qty((held.0 - ctx.pending_sell_qty.0).max(0));
                if wanted > available {
                    return Err(RejectReason::InsufficientPosition { wanted, held: available });
                }
                Ok(())
            }
            Side::SellShort => {
                if !self.short_selling {
                    return Err(RejectReason::ShortSellingDisabled);
                }
                if held.0 > 0 {
                    return Err(RejectReason::WrongSideForPosition(format!(
                        "you hold {held} shares of {symbol} long: sell them before selling short"
                    )));
                }
                if quote < self.short_min_price {
                    return Err(RejectReason::ShortBelowMinimumPrice {
                        symbol: symbol.as_str().to_string(),
                        price: quote,
                        minimum: self.short_min_price,
                    });
                }
                Ok(())
            }
            Side::BuyToCover if held.0 > 0 => Err(RejectReason::WrongSideForPosition(format!(
                "you hold {held} shares of {symbol} long, not short: use sell to reduce a long position"
            ))),
            Side::BuyToCover => {
                let available = Qty((-held.0 - ctx.pending_sell_qty.0).max(0));
                if wanted > available {
                    return Err(RejectReason::InsufficientShortPosition { wanted, short: available });
                }
                Ok(())
            }
        }
    }

    /// Every lot the order would close (FIFO, after the shares promised to open closing orders)
    /// must be at least `min_holding_seconds` old; the newest of them decides.
    pub(crate) fn check_holding_time(&self, ctx: &OrderContext<'_>) -> Result<(), RejectReason> {
        if self.min_holding_seconds <= 0 {
            return Ok(());
        }
        let Some(position) = ctx.portfolio.positions.get(&ctx.request.symbol) else {
            return Ok(());
        };
        let mut skip = ctx.pending_sell_qty.0.max(0);
        let mut need = ctx.request.qty.0;
        let mut newest: Option<Ts> = None;
        for lot in &position.lots {
            if need <= 0 {
                break;
            }
            let lot_abs = lot.qty.0.abs();
            if skip >= lot_abs {
                skip -= lot_abs;
                continue;
            }
            let available = lot_abs - skip;
            skip = 0;
            need -= available.min(need);
            newest = newest.max(Some(lot.opened_at));
        }
        let Some(opened_at) = newest else {
            return Ok(());
        };
        let held_micros = ctx.now.0.saturating_sub(opened_at.0);
        if held_micros < self.min_holding_seconds.saturating_mul(MICROS_PER_SECOND) {
            return Err(RejectReason::MinimumHoldingTime {
                min_seconds: self.min_holding_seconds,
                held_seconds: held_micros / MICROS_PER_SECOND,
            });
        }
        Ok(())
    }

    /// `(|position| + qty) × quote` may be at most `max_position_weight_bps / 10,000` of equity.
    pub(crate) fn check_position_weight(&self, ctx: &OrderContext<'_>, quote: Price) -> Result<(), RejectReason> {
        let Some(max_bps) = self.max_position_weight_bps else {
            return Ok(());
        };
        let symbol = &ctx.request.symbol;
        let shares = i128::from(ctx.portfolio.qty(symbol).0).abs() + i128::from(ctx.request.qty.0);
        let value_scaled = shares * i128::from(quote.0) * BPS;
        let equity = i128::from(ctx.value().equity.0);
        let over = equity <= 0 || value_scaled > i128::from(max_bps) * equity;
        if over {
            let weight_bps = if equity <= 0 { i64::MAX } else { clamp_i64(-(-value_scaled).div_euclid(equity)) };
            return Err(RejectReason::MaxPositionWeight { symbol: symbol.as_str().to_string(), weight_bps, max_bps });
        }
        Ok(())
    }
}

/// Step 3: the market is open.
pub(crate) fn check_market_open(ctx: &OrderContext<'_>) -> Result<(), RejectReason> {
    if ctx.market_open {
        Ok(())
    } else {
        Err(RejectReason::MarketClosed)
    }
}

/// Step 4: a (positive) quote is available.
pub(crate) fn check_quote(ctx: &OrderContext<'_>) -> Result<Price, RejectReason> {
    ctx.quote.filter(|p| p.0 > 0).ok_or_else(|| RejectReason::NoPrice(ctx.request.symbol.as_str().to_string()))
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}
