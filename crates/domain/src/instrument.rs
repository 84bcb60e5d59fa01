//! Instruments: the things players trade.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::InstrumentId;

/// A ticker symbol: 1–12 characters of `A-Z`, `0-9`, `.` and `-`, starting with a letter.
///
/// Shared text: every order, fill and ledger entry carries its symbol, so a clone is a
/// reference-count increment, not an allocation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(Arc<str>);

/// A symbol that breaks the symbol rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid symbol (1-12 characters A-Z, 0-9, '.', '-', starting with a letter)")]
pub struct InvalidSymbol(pub String);

impl Symbol {
    /// Validates and upper-cases `text`.
    pub fn parse(text: &str) -> Result<Symbol, InvalidSymbol> {
        let upper = text.trim().to_ascii_uppercase();
        let valid = !upper.is_empty()
            && upper.len() <= 12
            && upper.as_bytes()[0].is_ascii_uppercase()
            && upper.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if valid {
            Ok(Symbol(Arc::from(upper)))
        } else {
            Err(InvalidSymbol(text.to_string()))
        }
    }

    /// The symbol text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Hash and order of `Arc<str>` are those of `str`, so maps keyed by Symbol can be searched by text.
impl std::borrow::Borrow<str> for Symbol {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Symbol {
    type Error = InvalidSymbol;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Symbol::parse(&value)
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.0.to_string()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether an instrument can be traded right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentStatus {
    /// Tradable.
    Active,
    /// Trading halted: orders are rejected until it resumes.
    Halted,
    /// No longer listed.
    Delisted,
}

impl InstrumentStatus {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentStatus::Active => "active",
            InstrumentStatus::Halted => "halted",
            InstrumentStatus::Delisted => "delisted",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<InstrumentStatus> {
        match s {
            "active" => Some(InstrumentStatus::Active),
            "halted" => Some(InstrumentStatus::Halted),
            "delisted" => Some(InstrumentStatus::Delisted),
            _ => None,
        }
    }
}

/// An entry of the instrument master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    /// Store id.
    pub id: InstrumentId,
    /// Ticker.
    pub symbol: Symbol,
    /// Company name.
    pub name: String,
    /// GICS sector (e.g. "Information Technology").
    pub sector: String,
    /// Tradability.
    pub status: InstrumentStatus,
}
