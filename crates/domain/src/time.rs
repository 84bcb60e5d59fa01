//! Timestamps. The domain never reads a clock: every time arrives as a value.

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A point in time: microseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ts(pub i64);

/// Microseconds in one second.
pub const MICROS_PER_SECOND: i64 = 1_000_000;
/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

impl Ts {
    /// From a chrono UTC time.
    pub fn from_datetime(t: DateTime<Utc>) -> Ts {
        Ts(t.timestamp_micros())
    }

    /// As a chrono UTC time (saturating to the epoch on out-of-range values).
    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_micros(self.0).single().unwrap_or_default()
    }

    /// Midnight UTC at the start of `date`.
    pub fn from_date(date: NaiveDate) -> Ts {
        Ts(date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp_micros()).unwrap_or(0))
    }

    /// The UTC calendar date.
    pub fn date_utc(self) -> NaiveDate {
        self.to_datetime().date_naive()
    }

    /// This time plus `seconds`.
    pub fn plus_seconds(self, seconds: i64) -> Ts {
        Ts(self.0.saturating_add(seconds.saturating_mul(MICROS_PER_SECOND)))
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_datetime().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }
}
