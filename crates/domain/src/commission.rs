//! Commission per fill: flat + per share + basis points of notional, rounded once to the cent.

use crate::money::{Money, Price, Qty, CENT};
use crate::rules::CommissionModel;

/// Basis points in one whole.
const BPS_PER_UNIT: i128 = 10_000;

impl CommissionModel {
    /// The commission for one fill of `qty` shares (either sign) at `price`.
    ///
    /// `per_trade + per_share × |qty| + bps/10,000 × |qty| × price` is summed exactly, then rounded
    /// to the cent once (halves away from zero, [`Money::mul_ratio_to_cent`]). When the result is
    /// above zero it is raised to `minimum`; a free fill stays free.
    pub fn commission(&self, qty: Qty, price: Price) -> Money {
        let shares = i128::from(qty.0).abs();
        // Exact for every real fill; saturation only guards absurd inputs against overflow.
        let fixed_units = i128::from(self.per_trade.0).saturating_add(i128::from(self.per_share.0) * shares);
        let notional_units = i128::from(price.0) * shares;
        // The exact total in ten-thousandths of a unit: the bps part is the only fraction.
        let total_scaled = fixed_units
            .saturating_mul(BPS_PER_UNIT)
            .saturating_add(notional_units.saturating_mul(i128::from(self.bps)));
        let total = round_scaled_to_cent(total_scaled);
        if total > Money::ZERO && total < self.minimum {
            self.minimum
        } else {
            total
        }
    }
}

/// Rounds `scaled` (an amount in ten-thousandths of a money unit) to the cent with Money's one
/// rounding rule. The whole cents are split off first so that the part handed to
/// [`Money::mul_ratio_to_cent`] always fits in an `i64`, whatever the size of the fill.
fn round_scaled_to_cent(scaled: i128) -> Money {
    let scaled_per_cent = BPS_PER_UNIT * i128::from(CENT);
    // Truncating division keeps the remainder's sign equal to the total's, so rounding the
    // remainder half away from zero rounds the total half away from zero.
    let whole_cents = scaled / scaled_per_cent;
    let remainder = i64::try_from(scaled % scaled_per_cent).unwrap_or(0);
    let rounded_rest = Money(remainder).mul_ratio_to_cent(1, 10_000);
    let whole = i64::try_from(whole_cents * i128::from(CENT)).unwrap_or(if scaled < 0 { i64::MIN } else { i64::MAX });
    Money(whole) + rounded_rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(per_trade: i64, per_share: i64, bps: i64, minimum: i64) -> CommissionModel {
        CommissionModel { per_trade: Money(per_trade), per_share: Money(per_share), bps, minimum: Money(minimum) }
    }

    #[test]
    fn free_is_free_and_minimum_does_not_apply_to_zero() {
        let free = CommissionModel::free();
        assert_eq!(free.commission(Qty(100), Price::from_dollars(50)), Money::ZERO);
        let zero_with_minimum = model(0, 0, 0, 10_000);
        assert_eq!(zero_with_minimum.commission(Qty(100), Price::from_dollars(50)), Money::ZERO);
    }

    #[test]
    fn parts_add_up_and_round_once() {
        // $1 + $0.005 × 101 + 5 bps × 101 × $10.0001 = 1 + 0.505 + 0.50500505 = 2.01000505 → $2.01.
        // Rounding each part separately would give 1 + 0.51 + 0.51 = $2.02.
        let m = model(10_000, 50, 5, 0);
        assert_eq!(m.commission(Qty(101), Price(100_001)), Money::from_cents(201));
    }

    #[test]
    fn halves_round_away_from_zero() {
        // 0.5 ¢ per share × 1 share = $0.005 → $0.01.
        assert_eq!(model(0, 50, 0, 0).commission(Qty(1), Price::from_dollars(1)), Money::from_cents(1));
        // 0.4 ¢ → $0.00.
        assert_eq!(model(0, 40, 0, 0).commission(Qty(1), Price::from_dollars(1)), Money::ZERO);
    }

    #[test]
    fn sign_of_quantity_does_not_matter() {
        let m = model(0, 0, 10, 0);
        let p = Price::from_dollars(200);
        assert_eq!(m.commission(Qty(-30), p), m.commission(Qty(30), p));
        // 10 bps of $6,000 = $6.00
        assert_eq!(m.commission(Qty(30), p), Money::from_dollars(6));
    }

    #[test]
    fn minimum_raises_small_commissions_only() {
        let m = model(0, 0, 10, 15_000); // 10 bps, minimum $1.50
        assert_eq!(m.commission(Qty(1), Price::from_dollars(100)), Money::from_cents(150)); // $0.10 → $1.50
        assert_eq!(m.commission(Qty(100), Price::from_dollars(100)), Money::from_dollars(10));
    }

    #[test]
    fn huge_fills_do_not_panic() {
        let m = model(10_000, 100, 10_000, 0);
        let c = m.commission(Qty(i64::MAX), Price(i64::MAX));
        assert!(c > Money::ZERO);
        let negative = model(0, 0, -5, 0);
        assert_eq!(negative.commission(Qty(1_000), Price::from_dollars(1)), Money::from_cents(-50));
    }
}
