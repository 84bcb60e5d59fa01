//! What a strategy would like to do, before the book checks it against cash and holdings.

use bullpen_domain::{Money, OrderRequest, OrderType, Price, Qty, Side, Symbol, TimeInForce};

/// How an intent is to be priced. Offsets are in basis points of the last price: a buy limit
/// at `-20` rests 0.2 % below the market, a sell stop at `-300` triggers 3 % below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// A market order, time in force day.
    Market,
    /// A limit order.
    Limit {
        /// Limit price relative to the last price.
        offset_bps: i64,
        /// Day or good-till-canceled.
        tif: TimeInForce,
    },
    /// A stop (stop-loss) order.
    Stop {
        /// Stop price relative to the last price.
        offset_bps: i64,
        /// Day or good-till-canceled.
        tif: TimeInForce,
    },
}

/// A wished-for order. `qty` is the most the strategy wants; the book may trim it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Intent {
    /// Instrument.
    pub symbol: Symbol,
    /// Direction.
    pub side: Side,
    /// Shares wanted (the book drops intents that end up below one share).
    pub qty: i64,
    /// The price the strategy saw.
    pub last: Price,
    /// Order type and prices.
    pub style: Style,
}

impl Intent {
    /// The limit or stop price this intent would carry (on the tick).
    pub(crate) fn order_price(&self) -> Option<Price> {
        match self.style {
            Style::Market => None,
            Style::Limit { offset_bps, .. } | Style::Stop { offset_bps, .. } => {
                Some(offset_price(self.last, offset_bps))
            }
        }
    }

    /// The most one share could cost or tie up: the worse of the last price and the order price.
    pub(crate) fn unit_cost(&self) -> Price {
        self.order_price().map_or(self.last, |p| p.max(self.last))
    }

    /// Time in force of the order this intent becomes.
    pub(crate) fn time_in_force(&self) -> TimeInForce {
        match self.style {
            Style::Market => TimeInForce::Day,
            Style::Limit { tif, .. } | Style::Stop { tif, .. } => tif,
        }
    }

    /// The order request for `qty` shares.
    pub(crate) fn to_request(&self, qty: i64) -> OrderRequest {
        let price = self.order_price();
        let (order_type, limit_price, stop_price) = match self.style {
            Style::Market => (OrderType::Market, None, None),
            Style::Limit { .. } => (OrderType::Limit, price, None),
            Style::Stop { .. } => (OrderType::Stop, None, price),
        };
        OrderRequest {
            client_order_id: None,
            symbol: self.symbol.clone(),
            side: self.side,
            order_type,
            time_in_force: self.time_in_force(),
            qty: Qty(qty),
            limit_price,
            stop_price,
        }
    }
}

/// `last × (1 + offset_bps / 10 000)`, exact in integers, then rounded to the tick. Offsets
/// are clamped to ±50 % so the result stays positive.
pub(crate) fn offset_price(last: Price, offset_bps: i64) -> Price {
    let factor = i128::from(10_000 + offset_bps.clamp(-5_000, 5_000));
    let raw = i128::from(last.0) * factor / 10_000;
    Price(i64::try_from(raw).unwrap_or(i64::MAX)).round_to_tick()
}

/// Whole shares worth `weight_bps` of `equity` at `price` (0 when equity or price is not positive).
pub(crate) fn shares_for_weight(equity: Money, weight_bps: i64, price: Price) -> i64 {
    if equity.0 <= 0 || price.0 <= 0 || weight_bps <= 0 {
        return 0;
    }
    let value = i128::from(equity.0) * i128::from(weight_bps) / 10_000;
    i64::try_from(value / i128::from(price.0)).unwrap_or(0)
}

/// The weight of `qty` shares at `price` in `equity`, in basis points (0 for non-positive equity).
pub(crate) fn weight_bps(qty: i64, price: Price, equity: Money) -> i64 {
    money_bps(price.times(Qty(qty.saturating_abs())), equity)
}

/// `amount` as basis points of `equity` (0 for non-positive equity).
pub(crate) fn money_bps(amount: Money, equity: Money) -> i64 {
    if equity.0 <= 0 {
        return 0;
    }
    i64::try_from(i128::from(amount.0) * 10_000 / i128::from(equity.0)).unwrap_or(i64::MAX)
}

/// A basis-point offset drawn from a float range, rounded to a whole basis point.
pub(crate) fn bps(value: f64) -> i64 {
    value.round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(style: Style) -> Intent {
        Intent {
            symbol: bullpen_domain::Symbol::parse("ABC").unwrap_or_else(|_| unreachable!()),
            side: Side::Buy,
            qty: 5,
            last: Price::from_dollars(100),
            style,
        }
    }

    #[test]
    fn prices_land_on_the_tick() {
        assert_eq!(offset_price(Price(1_234_567), 0), Price(1_234_600));
        assert_eq!(offset_price(Price::from_dollars(100), -25), Price::from_cents(9_975));
        assert_eq!(offset_price(Price(5_000), 13), Price(5_006));
        assert!(offset_price(Price(3), -9_000).0 >= 1);
        for style in [
            Style::Market,
            Style::Limit { offset_bps: 17, tif: TimeInForce::Gtc },
            Style::Stop { offset_bps: -333, tif: TimeInForce::Day },
        ] {
            let i = intent(style);
            assert_eq!(i.to_request(3).validate_shape(), Ok(()));
            assert!(i.unit_cost() >= i.last);
        }
    }

    #[test]
    fn sizing_is_exact() {
        assert_eq!(shares_for_weight(Money::from_dollars(10_000), 1_500, Price::from_dollars(100)), 15);
        assert_eq!(shares_for_weight(Money::from_dollars(-1), 1_500, Price::from_dollars(100)), 0);
        assert_eq!(weight_bps(15, Price::from_dollars(100), Money::from_dollars(10_000)), 1_500);
        assert_eq!(weight_bps(-15, Price::from_dollars(100), Money::from_dollars(10_000)), 1_500);
    }
}
