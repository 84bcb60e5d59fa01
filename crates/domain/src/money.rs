//! Exact fixed-point money, prices and quantities.
//!
//! Every amount of money and every price is an integer count of *ten-thousandths of a dollar*
//! (scale 10⁴). That is exact for every price in the market data (which has at most four
//! decimals) and for every `quantity × price` product, so fills never round. Rounding happens in
//! exactly one place, [`Money::round_to_cent`], used for fees and interest that are computed as a
//! fraction of an amount (commissions in basis points, margin interest, borrow fees).
//!
//! Binary floating point is never used for money. Conversions to `f64` exist only for analytics
//! (scores, ratios) and are named as such.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of fixed-point units in one dollar.
pub const SCALE: i64 = 10_000;
/// Number of fixed-point units in one cent.
pub const CENT: i64 = 100;

/// Errors from parsing or computing amounts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The text is not a decimal number.
    #[error("`{0}` is not a decimal number")]
    NotANumber(String),
    /// The text has more than four decimal places.
    #[error("`{0}` has more than 4 decimal places")]
    TooPrecise(String),
    /// The value does not fit.
    #[error("amount out of range")]
    Overflow,
}

/// Parses a decimal string (`"-12.3456"`, `"7"`, `"0.5"`) into fixed-point units of scale 10⁴.
fn parse_fixed(text: &str) -> Result<i64, AmountError> {
    let s = text.trim();
    let err = || AmountError::NotANumber(text.to_string());
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(err());
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > 4 {
        return Err(AmountError::TooPrecise(text.to_string()));
    }
    let mut value: i64 = 0;
    for b in int_part.bytes() {
        value = value.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0'))).ok_or(AmountError::Overflow)?;
    }
    value = value.checked_mul(SCALE).ok_or(AmountError::Overflow)?;
    let mut frac: i64 = 0;
    for (i, b) in frac_trimmed.bytes().enumerate() {
        frac += i64::from(b - b'0') * 10_i64.pow(3 - i as u32);
    }
    value = value.checked_add(frac).ok_or(AmountError::Overflow)?;
    Ok(if negative { -value } else { value })
}

/// Formats fixed-point units with at least two decimals and at most four (`12.5` → `"12.50"`,
/// `12.3456` → `"12.3456"`).
fn format_fixed(units: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let int = abs / SCALE as u64;
    let frac = abs % SCALE as u64;
    if frac.is_multiple_of(CENT as u64) {
        write!(f, "{sign}{int}.{:02}", frac / CENT as u64)
    } else if frac.is_multiple_of(10) {
        write!(f, "{sign}{int}.{:03}", frac / 10)
    } else {
        write!(f, "{sign}{int}.{frac:04}")
    }
}

macro_rules! fixed_point_serde {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                format_fixed(self.0, f)
            }
        }
        impl FromStr for $ty {
            type Err = AmountError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_fixed(s).map($ty)
            }
        }
        /// Serialised as a decimal string, as Alpaca does, so no JSON reader turns it into a float.
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a decimal number with at most 4 decimal places")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        v.checked_mul(SCALE).map($ty).ok_or_else(|| E::custom(AmountError::Overflow))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        i64::try_from(v)
                            .ok()
                            .and_then(|v| v.checked_mul(SCALE))
                            .map($ty)
                            .ok_or_else(|| E::custom(AmountError::Overflow))
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$ty, E> {
                        // JSON numbers arrive as f64; go through their shortest decimal text so
                        // 0.1 stays exactly 0.1000 instead of picking up binary noise.
                        format!("{v}").parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_any(Visitor)
            }
        }
    };
}

/// An amount of money in ten-thousandths of a dollar. May be negative (debits, losses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

/// A price per share in ten-thousandths of a dollar. Always positive when it comes from a valid
/// quote or order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(pub i64);

fixed_point_serde!(Money);
fixed_point_serde!(Price);

/// A number of shares. Whole shares only; positive for long holdings, negative for short ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Qty(pub i64);

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// Whole dollars.
    pub const fn from_dollars(dollars: i64) -> Money {
        Money(dollars * SCALE)
    }

    /// Whole cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents * CENT)
    }

    /// Checked addition.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Checked subtraction.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The absolute value.
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// True when below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The one rounding rule of Bullpen: to the nearest cent, halves away from zero.
    pub fn round_to_cent(self) -> Money {
        Money(round_div(i128::from(self.0), i128::from(CENT)) as i64 * CENT)
    }

    /// `self × numerator / denominator`, exact in 128 bits, then rounded to the cent. Used for
    /// basis-point commissions, interest and other fractional fees.
    pub fn mul_ratio_to_cent(self, numerator: i64, denominator: i64) -> Money {
        debug_assert!(denominator > 0);
        let product = i128::from(self.0) * i128::from(numerator);
        let cents = round_div(product, i128::from(denominator) * i128::from(CENT));
        Money(clamp_i64(cents * i128::from(CENT)))
    }

    /// For analytics only: the amount in dollars as a float.
    pub fn to_f64_lossy(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// The amount for people: a dollar sign and thousands separators, two to four decimals as
    /// in [`Display`](fmt::Display) (`$88,000.00`, `-$1,234.5678`, `$0.50`).
    pub fn display_usd(self) -> String {
        let plain = Money(self.0.saturating_abs()).to_string();
        let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
        let mut grouped = String::with_capacity(int.len() + int.len() / 3);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}${grouped}")
        } else {
            format!("{sign}${grouped}.{frac}")
        }
    }
}

impl Price {
    /// Whole dollars.
    pub const fn from_dollars(dollars: i64) -> Price {
        Price(dollars * SCALE)
    }

    /// Whole cents.
    pub const fn from_cents(cents: i64) -> Price {
        Price(cents * CENT)
    }

    /// The minimum price increment for an order at this price (SEC Rule 612): one cent at or
    /// above $1.00, one hundredth of a cent below.
    pub fn tick_size(self) -> i64 {
        if self.0 >= SCALE {
            CENT
        } else {
            1
        }
    }

    /// True when the price is a whole multiple of its tick size.
    pub fn is_on_tick(self) -> bool {
        self.0 % self.tick_size() == 0
    }

    /// The value of `qty` shares at this price, exact. Saturates far beyond any real amount.
    pub fn times(self, qty: Qty) -> Money {
        Money(clamp_i64(i128::from(self.0) * i128::from(qty.0)))
    }

    /// The price as money per one share.
    pub fn as_money(self) -> Money {
        Money(self.0)
    }

    /// For analytics only: the price in dollars as a float.
    pub fn to_f64_lossy(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// The price rounded to the nearest tick of its own level (used by simulators, never for
    /// user input, which must already be on the tick).
    pub fn round_to_tick(self) -> Price {
        let tick = if self.0 >= SCALE { CENT } else { 1 };
        Price((round_div(i128::from(self.0), i128::from(tick)) as i64 * tick).max(1))
    }
}

impl Qty {
    /// No shares.
    pub const ZERO: Qty = Qty(0);

    /// The absolute number of shares.
    pub fn abs(self) -> Qty {
        Qty(self.0.abs())
    }

    /// True when zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

/// Integer division rounding halves away from zero.
fn round_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        if (n < 0) != (d < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}
impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}
impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}
impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}
impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}
impl std::ops::Add for Qty {
    type Output = Qty;
    fn add(self, rhs: Qty) -> Qty {
        Qty(self.0.saturating_add(rhs.0))
    }
}
impl std::ops::Sub for Qty {
    type Output = Qty;
    fn sub(self, rhs: Qty) -> Qty {
        Qty(self.0.saturating_sub(rhs.0))
    }
}
impl std::ops::Neg for Qty {
    type Output = Qty;
    fn neg(self) -> Qty {
        Qty(-self.0)
    }
}
impl std::ops::AddAssign for Qty {
    fn add_assign(&mut self, rhs: Qty) {
        *self = *self + rhs;
    }
}
impl std::ops::SubAssign for Qty {
    fn sub_assign(&mut self, rhs: Qty) {
        *self = *self - rhs;
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn display_usd_groups_thousands() {
        assert_eq!(Money::from_dollars(88_000).display_usd(), "$88,000.00");
        assert_eq!(Money::from_dollars(1_234_567).display_usd(), "$1,234,567.00");
        assert_eq!(Money::from_dollars(100).display_usd(), "$100.00");
        assert_eq!(Money::from_cents(50).display_usd(), "$0.50");
        assert_eq!(Money(-12_345_678).display_usd(), "-$1,234.5678");
        assert_eq!(Money::ZERO.display_usd(), "$0.00");
        assert_eq!(Money(i64::MIN).display_usd(), "-$922,337,203,685,477.5807");
    }

    use super::*;

    #[test]
    fn parses_and_formats_exactly() {
        assert_eq!("67.8542".parse::<Price>().unwrap(), Price(678_542));
        assert_eq!("12.5".parse::<Money>().unwrap().to_string(), "12.50");
        assert_eq!("-0.001".parse::<Money>().unwrap(), Money(-10));
        assert_eq!(Money(-10).to_string(), "-0.001");
        assert_eq!("7".parse::<Price>().unwrap(), Price::from_dollars(7));
        assert_eq!("1.23450".parse::<Price>().unwrap(), Price(12_345));
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", "-", ".", "1.2.3", "abc", "1e5", "12.34567", " 1 2", "--1"] {
            assert!(bad.parse::<Money>().is_err(), "{bad} should not parse");
        }
        assert!(matches!("99999999999999999999".parse::<Money>(), Err(AmountError::Overflow)));
    }

    #[test]
    fn rounds_halves_away_from_zero() {
        assert_eq!(Money(150).round_to_cent(), Money(200));
        assert_eq!(Money(149).round_to_cent(), Money(100));
        assert_eq!(Money(-150).round_to_cent(), Money(-200));
        // 5 bps of $1,000.10 = $0.500050 → $0.50
        assert_eq!(Money(10_001_000).mul_ratio_to_cent(5, 10_000), Money(5_000));
    }

    #[test]
    fn ticks() {
        assert!(Price(12_300).is_on_tick());
        assert!(!Price(12_345).is_on_tick());
        assert!(Price(5_432).is_on_tick());
        assert_eq!(Price(12_345).round_to_tick(), Price(12_300));
    }

    #[test]
    fn serde_as_strings() {
        let json = serde_json::to_string(&Price(678_542)).unwrap();
        assert_eq!(json, "\"67.8542\"");
        let back: Price = serde_json::from_str("67.8542").unwrap();
        assert_eq!(back, Price(678_542));
        let back: Money = serde_json::from_str("\"0.1\"").unwrap();
        assert_eq!(back, Money(1_000));
    }
}
