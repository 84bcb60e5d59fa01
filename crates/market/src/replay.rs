//! Replaying daily bars as intraday ticks.
//!
//! [`intraday_path`] turns one bar into a plausible price path: it starts at the open, ends at
//! the close and touches the high and the low, in a seeded random order (when a stock closes up
//! it more often made its low first). [`Replay`] walks a set of bars day by day, yielding one
//! [`TickBatch`] per step with every symbol's price, timestamps spread evenly over the day's
//! NYSE session. Everything is a pure function of the bars and the seed.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use bullpen_domain::{DailyBar, Price, Symbol, Ts};

use crate::calendar::{NyseCalendar, Session};
use crate::numeric::{mix, normal, rng, seed_from_bytes, uniform};

/// The fewest steps a path or replay day can have: open, two extremes, close.
pub const MIN_STEPS: usize = 4;

/// A price path through one bar: `max(steps, 4)` prices, the first the open, the last the
/// close, the high and the low each reached at least once, all within `[low, high]`.
///
/// The four anchors (open, high, low, close) are kept exactly, even when the bar's prices are
/// finer than the tick; every other point is on the tick (or, when no tick lies inside a range
/// narrower than one tick, equal to the nearer extreme). Between anchors the path is a Brownian
/// bridge. The high comes before the low with probability 0.7 when the bar closed down, 0.3 when
/// it closed up, 0.5 when flat. A bar whose prices are not consistent is treated as if its low
/// and high were the smallest and largest of its four prices.
pub fn intraday_path(bar: &DailyBar, steps: usize, rng_seed: u64) -> Vec<Price> {
    let n = steps.max(MIN_STEPS);
    let (open, close) = (bar.open, bar.close);
    let high = bar.high.max(open).max(close).max(bar.low);
    let low = bar.low.min(open).min(close).min(bar.high);
    let mut r = rng(rng_seed, 3);

    let low_first_probability = if close > open {
        0.7
    } else if close < open {
        0.3
    } else {
        0.5
    };
    let low_first = uniform(&mut r) < low_first_probability;
    // Interior slots are 1..=n-2; the first extreme goes in 1..=n-3, the second after it.
    let first = 1 + pick(&mut r, n - 3);
    let second = first + 1 + pick(&mut r, n - 2 - first);
    let (first_price, second_price) = if low_first { (low, high) } else { (high, low) };
    let anchors = [(0, open), (first, first_price), (second, second_price), (n - 1, close)];

    let bounds = TickBounds::new(low, high);
    // Noise scale: a fraction of the range per √step, so paths wander but stay near the bridge.
    let sigma = (high.0 - low.0) as f64 * 0.35 / (n as f64).sqrt();
    let mut path = vec![open; n];
    for pair in anchors.windows(2) {
        let &[(i0, p0), (i1, p1)] = pair else { continue };
        if let Some(slot) = path.get_mut(i1) {
            *slot = p1;
        }
        let k = i1 - i0;
        if k < 2 {
            continue;
        }
        // A random walk W over k steps, bent into a bridge W_j − (j/k)·W_k that is 0 at both ends.
        let mut walk = Vec::with_capacity(k);
        let mut position = 0.0;
        for _ in 0..k {
            position += normal(&mut r);
            walk.push(position);
        }
        let end = position;
        for (j, w) in walk.iter().enumerate().take(k - 1).map(|(i, w)| (i + 1, w)) {
            let t = j as f64 / k as f64;
            let x = p0.0 as f64 + (p1.0 - p0.0) as f64 * t + sigma * (w - t * end);
            if let Some(slot) = path.get_mut(i0 + j) {
                *slot = bounds.snap(x);
            }
        }
    }
    path
}

/// A uniform index in `0..len` (0 when `len` is 0).
fn pick(r: &mut rand_chacha::ChaCha8Rng, len: usize) -> usize {
    ((uniform(r) * len as f64) as usize).min(len.saturating_sub(1))
}

/// The on-tick prices inside `[low, high]`.
struct TickBounds {
    low: Price,
    high: Price,
    /// Smallest on-tick price ≥ low and largest ≤ high, when any tick lies inside.
    ticks: Option<(Price, Price)>,
}

impl TickBounds {
    fn new(low: Price, high: Price) -> TickBounds {
        let t = low.tick_size();
        let lo = Price((low.0 + t - 1).div_euclid(t) * t);
        let t = high.tick_size();
        let hi = Price(high.0.div_euclid(t) * t);
        TickBounds { low, high, ticks: (lo <= hi).then_some((lo, hi)) }
    }

    /// The on-tick price nearest to `x` (fixed-point units) inside the range.
    fn snap(&self, x: f64) -> Price {
        let raw = Price(x.round() as i64);
        match self.ticks {
            Some((lo, hi)) => raw.max(Price(1)).round_to_tick().clamp(lo, hi),
            None if (raw.0 - self.low.0) <= (self.high.0 - raw.0) => self.low,
            None => self.high,
        }
    }
}

/// One step of a replay: the price of every symbol that traded that day, at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickBatch {
    /// The instant (UTC), spread evenly from the session's open (step 0) to its close (last step).
    pub ts: Ts,
    /// The trading day.
    pub date: NaiveDate,
    /// Step within the day, from 0.
    pub step: usize,
    /// Steps in this day.
    pub steps: usize,
    /// True on the day's last step (prices are the closes).
    pub last_of_day: bool,
    /// Every symbol with a bar that day, sorted by symbol, with its price now.
    pub prices: Vec<(Symbol, Price)>,
    /// Shares traded so far today, same order as `prices` (the day's volume spread evenly over
    /// the steps; equals the bar's volume on the last step).
    pub volumes_so_far: Vec<i64>,
    /// The whole day's volume per symbol (for volume caps); filled on step 0 only, empty after.
    pub day_volumes: Vec<(Symbol, i64)>,
}

struct Day {
    date: NaiveDate,
    bars: Vec<DailyBar>,
}

struct DayState {
    session: Session,
    paths: Vec<Vec<Price>>,
}

/// An accelerated replay of daily bars: an iterator of [`TickBatch`]es, day by day, step by
/// step. Deterministic in the bars and the seed.
pub struct Replay {
    calendar: NyseCalendar,
    steps_per_day: usize,
    seed: u64,
    days: Vec<Day>,
    day_index: usize,
    step: usize,
    current: Option<DayState>,
}

impl Replay {
    /// Groups `bars` by date (ascending) and symbol; a repeated (symbol, date) keeps the first
    /// bar. Each day gets `max(steps_per_day, 4)` steps laid over its session in `calendar`
    /// (a date the calendar does not trade gets the regular 09:30–16:00 hours).
    pub fn new(bars: Vec<DailyBar>, steps_per_day: usize, seed: u64, calendar: NyseCalendar) -> Replay {
        let mut by_date: BTreeMap<NaiveDate, BTreeMap<Symbol, DailyBar>> = BTreeMap::new();
        for bar in bars {
            by_date.entry(bar.date).or_default().entry(bar.symbol.clone()).or_insert(bar);
        }
        let days = by_date.into_iter().map(|(date, bars)| Day { date, bars: bars.into_values().collect() }).collect();
        Replay {
            calendar,
            steps_per_day: steps_per_day.max(MIN_STEPS),
            seed,
            days,
            day_index: 0,
            step: 0,
            current: None,
        }
    }

    /// Steps per day (at least 4).
    pub fn steps_per_day(&self) -> usize {
        self.steps_per_day
    }

    /// The days with bars, ascending.
    pub fn dates(&self) -> Vec<NaiveDate> {
        self.days.iter().map(|d| d.date).collect()
    }

    /// The bars of `date`, sorted by symbol.
    pub fn day_bars(&self, date: NaiveDate) -> Option<&[DailyBar]> {
        let index = self.days.binary_search_by_key(&date, |d| d.date).ok()?;
        self.days.get(index).map(|d| d.bars.as_slice())
    }

    /// The bar of `symbol` on `date` (its volume is the day's volume cap input).
    pub fn bar(&self, date: NaiveDate, symbol: &Symbol) -> Option<&DailyBar> {
        let bars = self.day_bars(date)?;
        let index = bars.binary_search_by(|b| b.symbol.cmp(symbol)).ok()?;
        bars.get(index)
    }

    /// Batches not yet yielded.
    pub fn remaining(&self) -> usize {
        (self.days.len().saturating_sub(self.day_index) * self.steps_per_day).saturating_sub(self.step)
    }

    /// Restarts at the first step of the first day on or after `date` (to resume a replay).
    pub fn seek(&mut self, date: NaiveDate) {
        self.day_index = self.days.partition_point(|d| d.date < date);
        self.step = 0;
        self.current = None;
    }

    /// The next batch, or `None` when the replay is over.
    pub fn next_batch(&mut self) -> Option<TickBatch> {
        let day = self.days.get(self.day_index)?;
        let steps = self.steps_per_day;
        if self.step == 0 || self.current.is_none() {
            self.current = Some(self.prepare_day(day));
        }
        let state = self.current.as_ref()?;
        let step = self.step;
        let span = i128::from(state.session.close.0 - state.session.open.0);
        let offset = span * step as i128 / (steps as i128 - 1);
        let ts = Ts(state.session.open.0 + offset as i64);
        let prices = day
            .bars
            .iter()
            .zip(&state.paths)
            .map(|(bar, path)| (bar.symbol.clone(), path.get(step).copied().unwrap_or(bar.close)))
            .collect();
        let volumes_so_far =
            day.bars.iter().map(|bar| (i128::from(bar.volume) * (step as i128 + 1) / steps as i128) as i64).collect();
        let day_volumes =
            if step == 0 { day.bars.iter().map(|b| (b.symbol.clone(), b.volume)).collect() } else { Vec::new() };
        let batch = TickBatch {
            ts,
            date: day.date,
            step,
            steps,
            last_of_day: step + 1 == steps,
            prices,
            volumes_so_far,
            day_volumes,
        };
        self.step += 1;
        if self.step == steps {
            self.step = 0;
            self.day_index += 1;
            self.current = None;
        }
        Some(batch)
    }

    fn prepare_day(&self, day: &Day) -> DayState {
        let session = self.calendar.session(day.date).unwrap_or_else(|| {
            tracing::debug!(date = %day.date, "replaying bars on a non-trading day with regular hours");
            self.calendar.regular_hours(day.date)
        });
        let day_seed = mix(self.seed ^ mix(u64::from(day.date.num_days_from_ce() as u32)));
        let paths = day
            .bars
            .iter()
            .map(|bar| {
                intraday_path(bar, self.steps_per_day, seed_from_bytes(day_seed, bar.symbol.as_str().as_bytes()))
            })
            .collect();
        DayState { session, paths }
    }
}

impl Iterator for Replay {
    type Item = TickBatch;

    fn next(&mut self) -> Option<TickBatch> {
        self.next_batch()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.remaining();
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for Replay {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bar(date: (i32, u32, u32), symbol: &str, o: i64, h: i64, l: i64, c: i64, v: i64) -> DailyBar {
        DailyBar {
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            symbol: Symbol::parse(symbol).unwrap(),
            open: Price(o),
            high: Price(h),
            low: Price(l),
            close: Price(c),
            volume: v,
        }
    }

    fn check_path(b: &DailyBar, steps: usize, path: &[Price]) -> Result<(), TestCaseError> {
        prop_assert_eq!(path.len(), steps.max(4));
        prop_assert_eq!(path[0], b.open);
        prop_assert_eq!(*path.last().unwrap(), b.close);
        prop_assert!(path.contains(&b.high), "high missing: {:?}", path);
        prop_assert!(path.contains(&b.low), "low missing: {:?}", path);
        for p in path {
            prop_assert!(b.low <= *p && *p <= b.high, "{:?} outside bar {:?}", p, b);
            let anchor = [b.open, b.high, b.low, b.close].contains(p);
            prop_assert!(anchor || p.is_on_tick(), "{:?} off tick", p);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn paths_respect_the_bar(
            low in 1i64..5_000_000,
            spread in 0i64..500_000,
            open_frac in 0.0f64..=1.0,
            close_frac in 0.0f64..=1.0,
            steps in 0usize..200,
            seed in any::<u64>(),
        ) {
            let high = low + spread;
            let at = |f: f64| low + (spread as f64 * f).round() as i64;
            let b = bar((2016, 7, 1), "AAPL", at(open_frac), high, low, at(close_frac), 1_000);
            let path = intraday_path(&b, steps, seed);
            check_path(&b, steps, &path)?;
            prop_assert_eq!(path, intraday_path(&b, steps, seed));
        }
    }

    #[test]
    fn real_bar_with_fine_prices_keeps_anchors_exact() {
        let b = bar((2013, 2, 8), "AAPL", 677_142, 684_014, 668_928, 678_542, 158_168_416);
        for seed in 0..50 {
            check_path(&b, 390, &intraday_path(&b, 390, seed)).unwrap();
        }
        let flat = bar((2013, 2, 8), "AAPL", 12_345, 12_345, 12_345, 12_345, 1);
        assert_eq!(intraday_path(&flat, 10, 1), vec![Price(12_345); 10]);
        let narrow = bar((2013, 2, 8), "AAPL", 100_001, 100_009, 100_001, 100_009, 1);
        check_path(&narrow, 20, &intraday_path(&narrow, 20, 3)).unwrap();
    }

    #[test]
    fn up_days_usually_make_the_low_first() {
        let b = bar((2016, 7, 1), "AAPL", 1_000_000, 1_100_000, 950_000, 1_080_000, 1);
        let low_first = (0..1_000)
            .filter(|seed| {
                let path = intraday_path(&b, 50, *seed);
                let low_at = path.iter().position(|p| *p == b.low).unwrap();
                let high_at = path.iter().position(|p| *p == b.high).unwrap();
                low_at < high_at
            })
            .count();
        assert!((600..=800).contains(&low_first), "low first in {low_first} of 1000");
    }

    #[test]
    fn inconsistent_bar_does_not_panic() {
        let b = bar((2016, 7, 1), "AAPL", 50_000, 40_000, 60_000, 70_000, 1);
        let path = intraday_path(&b, 8, 1);
        assert_eq!(path.len(), 8);
        assert_eq!((path[0], path[7]), (Price(50_000), Price(70_000)));
        assert!(path.iter().all(|p| (Price(40_000)..=Price(70_000)).contains(p)));
    }

    fn sample_bars() -> Vec<DailyBar> {
        vec![
            bar((2016, 7, 5), "MSFT", 510_000, 520_000, 500_000, 515_000, 3_000),
            bar((2016, 7, 1), "MSFT", 500_000, 510_000, 490_000, 505_000, 1_000),
            bar((2016, 7, 1), "AAPL", 950_000, 960_000, 940_000, 955_000, 2_001),
            bar((2016, 7, 1), "AAPL", 1, 1, 1, 1, 1), // duplicate: ignored
        ]
    }

    #[test]
    fn replay_yields_days_in_order_with_session_times() {
        let mut replay = Replay::new(sample_bars(), 5, 42, NyseCalendar::new());
        assert_eq!(replay.len(), 10);
        let batches: Vec<TickBatch> = replay.by_ref().collect();
        assert_eq!(batches.len(), 10);
        assert!(replay.next_batch().is_none());
        let first = &batches[0];
        let open = NyseCalendar::new().session(NaiveDate::from_ymd_opt(2016, 7, 1).unwrap()).unwrap();
        assert_eq!(first.ts, open.open);
        assert_eq!(batches[4].ts, open.close);
        assert_eq!(batches[2].ts.0 - batches[1].ts.0, open.duration_micros() / 4);
        assert_eq!(first.prices.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), ["AAPL", "MSFT"]);
        assert_eq!(first.prices[0].1, Price(950_000));
        assert_eq!(first.day_volumes.len(), 2);
        assert_eq!(first.day_volumes[0].1, 2_001);
        assert!(batches[1].day_volumes.is_empty());
        assert_eq!(first.volumes_so_far, vec![400, 200]);
        assert!(batches[4].last_of_day && !batches[3].last_of_day);
        assert_eq!(batches[4].volumes_so_far, vec![2_001, 1_000]);
        assert_eq!(batches[4].prices[1].1, Price(505_000));
        // Second day: July 5 (July 4 is a holiday), only MSFT.
        assert_eq!(batches[5].date, NaiveDate::from_ymd_opt(2016, 7, 5).unwrap());
        assert_eq!(batches[5].step, 0);
        assert_eq!(batches[5].prices.len(), 1);
        assert!(batches.windows(2).all(|w| w[0].ts < w[1].ts));
    }

    #[test]
    fn replay_is_deterministic_and_seekable() {
        let a: Vec<TickBatch> = Replay::new(sample_bars(), 6, 1, NyseCalendar::new()).collect();
        let b: Vec<TickBatch> = Replay::new(sample_bars(), 6, 1, NyseCalendar::new()).collect();
        assert_eq!(a, b);
        let c: Vec<TickBatch> = Replay::new(sample_bars(), 6, 2, NyseCalendar::new()).collect();
        assert_ne!(a, c);
        let mut replay = Replay::new(sample_bars(), 6, 1, NyseCalendar::new());
        replay.seek(NaiveDate::from_ymd_opt(2016, 7, 2).unwrap());
        let rest: Vec<TickBatch> = replay.collect();
        assert_eq!(rest, a[6..].to_vec());
    }

    #[test]
    fn replay_lookups_and_tiny_step_counts() {
        let replay = Replay::new(sample_bars(), 1, 1, NyseCalendar::new());
        assert_eq!(replay.steps_per_day(), 4);
        let d = NaiveDate::from_ymd_opt(2016, 7, 1).unwrap();
        assert_eq!(replay.dates().len(), 2);
        assert_eq!(replay.bar(d, &Symbol::parse("MSFT").unwrap()).map(|b| b.volume), Some(1_000));
        assert!(replay.bar(d, &Symbol::parse("IBM").unwrap()).is_none());
        assert!(Replay::new(Vec::new(), 10, 1, NyseCalendar::new()).next_batch().is_none());
    }
}
