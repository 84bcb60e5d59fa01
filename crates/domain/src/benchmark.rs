//! The equal-weight buy-and-hold benchmark that portfolios, dashboards and reports compare a
//! player's equity with. One definition, so the portfolio page, the dashboard and a report of
//! the same days show the same figures.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDate;

use crate::money::{Money, Price};

/// An equal-weight buy-and-hold worth `cash` at the first day of `days` with a close: each
/// instrument with a close that day gets an equal share, then its value follows its closes (the
/// last close carried over days without one). Instruments first quoted later are not bought;
/// closes that are not positive are ignored (a bad bar neither joins nor moves the benchmark).
///
/// `days` must come in date order, each with the closes of the instruments in the universe
/// (the caller filters it). Exact: Σ cash × close / (n × first close) in 128 bits, each term
/// rounded down to 1/10,000 of a dollar. Empty when no day has a positive close.
pub fn equal_weight_benchmark<K, Day>(
    days: impl IntoIterator<Item = (NaiveDate, Day)>,
    cash: Money,
) -> Vec<(NaiveDate, Money)>
where
    K: Eq + Hash + Clone,
    Day: IntoIterator<Item = (K, Price)>,
{
    let mut base: HashMap<K, i64> = HashMap::new();
    let mut last: HashMap<K, i64> = HashMap::new();
    let mut out = Vec::new();
    for (date, closes) in days {
        let positive = closes.into_iter().filter(|(_, close)| close.0 > 0);
        if base.is_empty() {
            base = positive.map(|(key, close)| (key, close.0)).collect();
            if base.is_empty() {
                continue;
            }
            last.clone_from(&base);
        } else {
            for (key, close) in positive {
                if let Some(slot) = last.get_mut(&key) {
                    *slot = close.0;
                }
            }
        }
        let n = base.len() as i128;
        let total: i128 = base
            .iter()
            .map(|(key, first)| {
                let now = last.get(key).copied().unwrap_or(*first);
                i128::from(cash.0) * i128::from(now) / (n * i128::from(*first))
            })
            .sum();
        out.push((date, Money(i64::try_from(total).unwrap_or(i64::MAX))));
    }
    out
}

/// The benchmark's value on `day`: its last value on or before it (`None` before its first day).
pub fn benchmark_on(benchmark: &[(NaiveDate, Money)], day: NaiveDate) -> Option<Money> {
    let after = benchmark.partition_point(|(date, _)| *date <= day);
    after.checked_sub(1).map(|i| benchmark[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default()
    }

    fn dollars(d: i64) -> Price {
        Price::from_dollars(d)
    }

    #[test]
    fn buys_equal_weights_and_holds() {
        let days = vec![
            (day(5), vec![("AAA", dollars(100)), ("BBB", dollars(50))]),
            (day(6), vec![("AAA", dollars(110)), ("BBB", dollars(40))]),
            (day(7), vec![("AAA", dollars(120))]),
        ];
        let values: Vec<Money> =
            equal_weight_benchmark(days, Money::from_dollars(100_000)).into_iter().map(|(_, m)| m).collect();
        // 50,000 in each: AAA +10 % and BBB −20 % → 55,000 + 40,000; then AAA +20 %, BBB carried.
        assert_eq!(values, [Money::from_dollars(100_000), Money::from_dollars(95_000), Money::from_dollars(100_000)]);
    }

    #[test]
    fn later_listings_and_bad_closes_do_not_count() {
        let days = vec![
            (day(4), vec![("AAA", Price(0))]),
            (day(5), vec![("AAA", dollars(100)), ("BBB", Price(-5))]),
            (day(6), vec![("AAA", Price(0)), ("BBB", dollars(40)), ("CCC", dollars(7))]),
            (day(7), vec![("AAA", dollars(50))]),
        ];
        let curve = equal_weight_benchmark(days, Money::from_dollars(1_000));
        // Day 4 has no positive close; from day 5 everything is in AAA alone.
        assert_eq!(
            curve,
            [
                (day(5), Money::from_dollars(1_000)),
                (day(6), Money::from_dollars(1_000)),
                (day(7), Money::from_dollars(500)),
            ]
        );
    }

    #[test]
    fn rounds_each_share_down_to_a_unit() {
        let days = vec![(day(5), vec![("AAA", dollars(3)), ("BBB", dollars(3)), ("CCC", dollars(3))])];
        let curve = equal_weight_benchmark(days, Money(10));
        // 10 units over three: 3 each, the leftover unit is not invented.
        assert_eq!(curve, [(day(5), Money(9))]);
    }

    #[test]
    fn is_empty_without_closes() {
        let none: Vec<(NaiveDate, Vec<(&str, Price)>)> = Vec::new();
        assert!(equal_weight_benchmark(none, Money::from_dollars(1)).is_empty());
    }

    #[test]
    fn the_value_on_a_day_is_the_last_one_known() {
        let curve = [(day(5), Money(1)), (day(7), Money(2))];
        assert_eq!(benchmark_on(&curve, day(4)), None);
        assert_eq!(benchmark_on(&curve, day(5)), Some(Money(1)));
        assert_eq!(benchmark_on(&curve, day(6)), Some(Money(1)));
        assert_eq!(benchmark_on(&curve, day(9)), Some(Money(2)));
    }
}
