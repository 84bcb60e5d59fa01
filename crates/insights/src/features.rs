//! Per-trade features: six numbers that say how unusual a closed trade is *for this trader*.
//!
//! A round trip is described by [`TradeFacts`] (plain numbers the warehouse has: times, sizes,
//! prices, the trader's activity and portfolio weight). [`raw_features`] turns it into six raw
//! measures; [`features`] scales each against the trader's own habits ([`TraderBaseline`]):
//! `(x − median) / (1.4826 · MAD)`, the robust z-score (median and median absolute deviation
//! are barely moved by the outliers we are looking for, unlike mean and standard deviation).
//! Each scale has a floor so that a trader who always does the same thing does not turn tiny
//! deviations into huge scores, and scaled values are clipped to ±[`Z_LIMIT`].
//!
//! | # | name             | raw measure                                                 |
//! |---|------------------|-------------------------------------------------------------|
//! | 0 | `size`           | ln of the notional (qty × entry price)                      |
//! | 1 | `return`         | return of the trade, percent                                |
//! | 2 | `holding_period` | ln(1 + seconds held)                                         |
//! | 3 | `time_of_day`    | minute of the day the trade was opened (UTC), on a circle   |
//! | 4 | `concentration`  | weight of the symbol in the portfolio when opened (0–1)     |
//! | 5 | `frequency`      | ln(1 + the trader's trades in the window before this one)   |
//!
//! Floats are fine here: these are analytics over prices already settled in exact money.

use serde::{Deserialize, Serialize};

/// Number of features per trade.
pub const FEATURE_COUNT: usize = 6;

/// Names of the features, in order (stable: used in reports and the API).
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] =
    ["size", "return", "holding_period", "time_of_day", "concentration", "frequency"];

/// Scaled features are clipped to `[-Z_LIMIT, Z_LIMIT]`.
pub const Z_LIMIT: f64 = 25.0;

/// Smallest scale per feature (in raw units): 10 % in size, half a percentage point of
/// return, 10 % in holding time, a quarter of an hour, two points of portfolio weight, 10 % in
/// trading frequency.
pub const MIN_SCALE: [f64; FEATURE_COUNT] = [0.1, 0.5, 0.1, 15.0, 0.02, 0.1];

/// Minutes in a day (the time-of-day feature lives on this circle).
const DAY_MINUTES: f64 = 1440.0;

/// Microseconds per minute.
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Consistency factor that makes the MAD estimate a standard deviation for normal data.
const MAD_TO_SIGMA: f64 = 1.4826;

/// What the warehouse knows about one closed round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TradeFacts {
    /// The trader (tournament entry).
    pub entry_id: u64,
    /// Instrument symbol.
    pub symbol: String,
    /// When the position was opened, microseconds since the Unix epoch (UTC).
    pub opened_at: i64,
    /// When it was closed, microseconds since the Unix epoch (UTC).
    pub closed_at: i64,
    /// Shares, positive.
    pub qty: f64,
    /// Price per share when opened, dollars.
    pub entry_price: f64,
    /// Price per share when closed, dollars.
    pub exit_price: f64,
    /// Size of the trade in dollars (normally `qty × entry_price`).
    pub notional: f64,
    /// Return of the trade in percent (e.g. `2.5` for +2.5 %).
    pub return_pct: f64,
    /// The trader's trades in the window before this one (e.g. the last 7 days).
    pub trades_in_window: u32,
    /// Share of the trader's portfolio in this symbol when the trade was opened, 0 to 1.
    pub symbol_weight: f64,
}

/// A fact that cannot be turned into features.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FactsError {
    /// A number was NaN or infinite.
    #[error("{field} is not a finite number")]
    NotFinite {
        /// The field.
        field: &'static str,
    },
    /// The trade closed before it opened.
    #[error("closed_at ({closed_at}) is before opened_at ({opened_at})")]
    ClosedBeforeOpened {
        /// Opening time.
        opened_at: i64,
        /// Closing time.
        closed_at: i64,
    },
    /// Size was zero or negative.
    #[error("notional must be positive (got {0})")]
    NonPositiveNotional(f64),
}

impl TradeFacts {
    /// Checks that the facts make sense (finite numbers, positive size, closed after opened).
    pub fn validate(&self) -> Result<(), FactsError> {
        for (field, v) in [
            ("qty", self.qty),
            ("entry_price", self.entry_price),
            ("exit_price", self.exit_price),
            ("notional", self.notional),
            ("return_pct", self.return_pct),
            ("symbol_weight", self.symbol_weight),
        ] {
            if !v.is_finite() {
                return Err(FactsError::NotFinite { field });
            }
        }
        if self.closed_at < self.opened_at {
            return Err(FactsError::ClosedBeforeOpened { opened_at: self.opened_at, closed_at: self.closed_at });
        }
        if self.notional <= 0.0 {
            return Err(FactsError::NonPositiveNotional(self.notional));
        }
        Ok(())
    }

    /// Seconds the position was held.
    pub fn holding_seconds(&self) -> f64 {
        (self.closed_at - self.opened_at).max(0) as f64 / 1e6
    }

    /// Minute of the (UTC) day the position was opened, 0 to 1439.
    pub fn minute_of_day(&self) -> f64 {
        self.opened_at.div_euclid(MICROS_PER_MINUTE).rem_euclid(1440) as f64
    }
}

/// The six raw (unscaled) measures of a trade, in the order of [`FEATURE_NAMES`].
pub fn raw_features(f: &TradeFacts) -> [f64; FEATURE_COUNT] {
    [
        f.notional.max(1e-9).ln(),
        f.return_pct,
        f.holding_seconds().ln_1p(),
        f.minute_of_day(),
        f.symbol_weight,
        f64::from(f.trades_in_window).ln_1p(),
    ]
}

/// Signed difference `x − centre` on the circle of a day's minutes, in `[-720, 720)`.
fn circular_diff(x: f64, centre: f64) -> f64 {
    (x - centre + DAY_MINUTES / 2.0).rem_euclid(DAY_MINUTES) - DAY_MINUTES / 2.0
}

/// Median of `v` (sorted in place); 0 for an empty slice.
fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A trader's habits: the median and robust scale of each raw feature over their history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraderBaseline {
    /// Median of each raw feature.
    pub median: [f64; FEATURE_COUNT],
    /// Robust scale (1.4826 × MAD, floored at [`MIN_SCALE`]) of each raw feature.
    pub scale: [f64; FEATURE_COUNT],
    /// Number of trades the baseline was computed from.
    pub trades: usize,
}

impl TraderBaseline {
    /// The baseline of a trader from their past trades (invalid facts are skipped); `None`
    /// when no valid trade is left. Callers usually require some minimum history (e.g. 20
    /// trades) before trusting it.
    ///
    /// The time of day is a circular quantity; its median is taken on the clock (trading hours
    /// do not wrap around midnight UTC) and deviations are measured around the circle.
    pub fn from_history(history: &[TradeFacts]) -> Option<Self> {
        let raws: Vec<[f64; FEATURE_COUNT]> =
            history.iter().filter(|f| f.validate().is_ok()).map(raw_features).collect();
        if raws.is_empty() {
            return None;
        }
        let mut median_out = [0.0; FEATURE_COUNT];
        let mut scale_out = [0.0; FEATURE_COUNT];
        let mut column = Vec::with_capacity(raws.len());
        for k in 0..FEATURE_COUNT {
            column.clear();
            column.extend(raws.iter().map(|r| r[k]));
            let m = median(&mut column);
            for x in column.iter_mut() {
                *x = if k == 3 { circular_diff(*x, m).abs() } else { (*x - m).abs() };
            }
            let mad = median(&mut column);
            median_out[k] = m;
            scale_out[k] = (MAD_TO_SIGMA * mad).max(MIN_SCALE[k]);
        }
        Some(TraderBaseline { median: median_out, scale: scale_out, trades: raws.len() })
    }
}

/// The six scaled features of a trade against the trader's baseline, in the order of
/// [`FEATURE_NAMES`]: robust z-scores clipped to ±[`Z_LIMIT`]. A non-finite raw value (from
/// facts that fail [`TradeFacts::validate`]) maps to 0, "as usual".
pub fn features(facts: &TradeFacts, baseline: &TraderBaseline) -> [f64; FEATURE_COUNT] {
    let raw = raw_features(facts);
    let mut out = [0.0; FEATURE_COUNT];
    for k in 0..FEATURE_COUNT {
        let diff = if k == 3 { circular_diff(raw[k], baseline.median[k]) } else { raw[k] - baseline.median[k] };
        let z = diff / baseline.scale[k];
        out[k] = if z.is_finite() { z.clamp(-Z_LIMIT, Z_LIMIT) } else { 0.0 };
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// 2024-03-04 15:00 UTC in microseconds.
    const T0: i64 = 1_709_564_400_000_000;

    fn trade(notional: f64, hold_minutes: i64, minute_offset: i64) -> TradeFacts {
        let opened_at = T0 + minute_offset * MICROS_PER_MINUTE;
        TradeFacts {
            entry_id: 1,
            symbol: "AAPL".into(),
            opened_at,
            closed_at: opened_at + hold_minutes * MICROS_PER_MINUTE,
            qty: notional / 100.0,
            entry_price: 100.0,
            exit_price: 101.0,
            notional,
            return_pct: 1.0,
            trades_in_window: 5,
            symbol_weight: 0.1,
        }
    }

    #[test]
    fn usual_trades_score_near_zero_and_odd_ones_far() {
        let history: Vec<TradeFacts> = (0..40)
            .map(|i| trade(10_000.0 * (1.0 + 0.05 * f64::from(i % 5)), 60 + i64::from(i % 7), i64::from(i % 9)))
            .collect();
        let b = TraderBaseline::from_history(&history).unwrap();
        assert_eq!(b.trades, 40);
        let usual = features(&trade(10_500.0, 62, 3), &b);
        assert!(usual.iter().all(|z| z.abs() < 2.0), "{usual:?}");
        let big = features(&trade(300_000.0, 62, 3), &b);
        assert!(big[0] > 10.0, "{big:?}");
        let night = features(&trade(10_500.0, 62, -11 * 60), &b);
        assert!(night[3].abs() > 10.0, "{night:?}");
        let long = features(&trade(10_500.0, 60 * 24 * 20, 3), &b);
        assert!(long[2] > 10.0, "{long:?}");
    }

    #[test]
    fn time_of_day_wraps_around_midnight() {
        assert_eq!(circular_diff(10.0, 1430.0), 20.0);
        assert_eq!(circular_diff(1430.0, 10.0), -20.0);
        assert_eq!(circular_diff(700.0, 600.0), 100.0);
    }

    #[test]
    fn constant_trader_uses_the_scale_floor_and_bad_facts_are_neutral() {
        let history: Vec<TradeFacts> = (0..30).map(|_| trade(10_000.0, 60, 0)).collect();
        let b = TraderBaseline::from_history(&history).unwrap();
        assert_eq!(b.scale, MIN_SCALE);
        let mut bad = trade(10_000.0, 60, 0);
        bad.return_pct = f64::NAN;
        assert!(bad.validate().is_err());
        assert_eq!(features(&bad, &b)[1], 0.0);
        assert!(TraderBaseline::from_history(&[bad]).is_none());
        let mut backwards = trade(10_000.0, 60, 0);
        backwards.closed_at = backwards.opened_at - 1;
        assert!(matches!(backwards.validate(), Err(FactsError::ClosedBeforeOpened { .. })));
    }
}
