//! Market data records shared by the importer, the store and the engine.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::instrument::Symbol;
use crate::money::{Money, Price};

/// One day of trading in one instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyBar {
    /// Trading day.
    pub date: NaiveDate,
    /// Instrument.
    pub symbol: Symbol,
    /// Opening price.
    pub open: Price,
    /// Highest price.
    pub high: Price,
    /// Lowest price.
    pub low: Price,
    /// Closing price.
    pub close: Price,
    /// Shares traded.
    pub volume: i64,
}

/// What a corporate action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CorporateActionKind {
    /// `numerator`-for-`denominator` split (7:1 turns 1 share into 7).
    Split {
        /// New shares.
        numerator: i64,
        /// Old shares.
        denominator: i64,
    },
    /// Cash dividend per share, paid to holders of record at the start of `date` (the ex-date).
    Dividend {
        /// Amount per share.
        per_share: Money,
    },
}

/// A split or dividend effective at the open of `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorporateAction {
    /// Effective (ex-)date.
    pub date: NaiveDate,
    /// Instrument.
    pub symbol: Symbol,
    /// What happens.
    pub kind: CorporateActionKind,
}
