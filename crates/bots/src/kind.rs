//! The trading styles a bot can have.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A bot's strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotKind {
    /// Buys recent winners and sells (skilled ones also short) recent losers.
    Momentum,
    /// Buys dips below a moving average and sells the rebound; skilled ones also short spikes.
    MeanReversion,
    /// Buys a diversified basket once, then rarely trades.
    BuyAndHold,
    /// Trades at random: the background chatter of a market.
    Noise,
    /// Chases big rises, panic-sells after drops and over-trades: the losing retail trader.
    Poor,
}

impl BotKind {
    /// Every kind, in declaration order.
    pub const ALL: [BotKind; 5] =
        [BotKind::Momentum, BotKind::MeanReversion, BotKind::BuyAndHold, BotKind::Noise, BotKind::Poor];

    /// Stable snake_case name (the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            BotKind::Momentum => "momentum",
            BotKind::MeanReversion => "mean_reversion",
            BotKind::BuyAndHold => "buy_and_hold",
            BotKind::Noise => "noise",
            BotKind::Poor => "poor",
        }
    }

    /// Parses the stable name; hyphens are accepted in place of underscores and case is ignored
    /// (`"Mean-Reversion"` parses), so names typed on a command line work.
    pub fn parse(s: &str) -> Option<BotKind> {
        let normalised = s.trim().to_ascii_lowercase().replace('-', "_");
        BotKind::ALL.into_iter().find(|kind| kind.as_str() == normalised)
    }

    /// The name as used inside bot names (`mean-reversion`).
    pub fn label(self) -> &'static str {
        match self {
            BotKind::Momentum => "momentum",
            BotKind::MeanReversion => "mean-reversion",
            BotKind::BuyAndHold => "buy-and-hold",
            BotKind::Noise => "noise",
            BotKind::Poor => "poor",
        }
    }
}

impl fmt::Display for BotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in BotKind::ALL {
            assert_eq!(BotKind::parse(kind.as_str()), Some(kind));
            assert_eq!(BotKind::parse(kind.label()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(BotKind::parse(" Mean-Reversion "), Some(BotKind::MeanReversion));
        assert_eq!(BotKind::parse("momentum2"), None);
        assert_eq!(BotKind::parse(""), None);
    }
}
