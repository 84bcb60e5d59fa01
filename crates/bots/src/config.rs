//! Knobs shared by all bots of a run: trading cadence and what the venue allows.

use serde::{Deserialize, Serialize};

/// Run-wide settings for bots. [`BotConfig::default`] fits a simulation that calls
/// [`crate::Bot::decide`] about six times per trading day.
///
/// **Cadence.** An actively trading bot (momentum, mean reversion, noise) aims at
/// `orders_per_day` orders per trading day on average; a poor bot at 2× that; a buy-and-hold
/// bot places its basket once (up to 15 orders in one call) and then about 0.1× that. Each call
/// of `decide` the bot is "awake" with probability `orders_per_day × kind factor /
/// decisions_per_day`; an awake bot places at most `max_orders_per_step` orders, and never more
/// than about twice its daily target in one UTC day. Signals can leave an awake bot with nothing
/// to do, so the realised rate is at or somewhat below the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotConfig {
    /// How often the caller calls `decide` per trading day (default 6).
    pub decisions_per_day: f64,
    /// Target orders per trading day for an actively trading bot (default 3).
    pub orders_per_day: f64,
    /// Most orders from one `decide` call, except a buy-and-hold bot's first basket (default 3).
    pub max_orders_per_step: usize,
    /// Whether skilled momentum and mean-reversion bots may sell short (default true). Set it
    /// to the tournament's `short_selling` rule.
    pub allow_short: bool,
    /// Days a bot assumes one of its good-till-canceled orders may still be working, during which
    /// it keeps the cash or shares that order could use out of new orders (default 5). Day
    /// orders are assumed working until the end of their UTC day; market orders are assumed
    /// filled or gone by the next call.
    pub gtc_assumed_days: i64,
}

impl Default for BotConfig {
    fn default() -> BotConfig {
        BotConfig {
            decisions_per_day: 6.0,
            orders_per_day: 3.0,
            max_orders_per_step: 3,
            allow_short: true,
            gtc_assumed_days: 5,
        }
    }
}

impl BotConfig {
    /// The config with nonsensical values (non-finite, zero or negative rates, zero orders per
    /// step) replaced by the defaults, so a bad config file cannot stall or crash a bot.
    pub fn sanitised(&self) -> BotConfig {
        let default = BotConfig::default();
        let positive = |v: f64, fallback: f64| if v.is_finite() && v > 0.0 { v } else { fallback };
        BotConfig {
            decisions_per_day: positive(self.decisions_per_day, default.decisions_per_day),
            orders_per_day: positive(self.orders_per_day, default.orders_per_day),
            max_orders_per_step: if self.max_orders_per_step == 0 {
                default.max_orders_per_step
            } else {
                self.max_orders_per_step
            },
            allow_short: self.allow_short,
            gtc_assumed_days: self.gtc_assumed_days.clamp(1, 365),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitised_repairs_bad_values() {
        let bad = BotConfig {
            decisions_per_day: f64::NAN,
            orders_per_day: -1.0,
            max_orders_per_step: 0,
            allow_short: false,
            gtc_assumed_days: -3,
        };
        let fixed = bad.sanitised();
        assert_eq!(fixed.decisions_per_day, 6.0);
        assert_eq!(fixed.orders_per_day, 3.0);
        assert_eq!(fixed.max_orders_per_step, 3);
        assert!(!fixed.allow_short);
        assert_eq!(fixed.gtc_assumed_days, 1);
    }

    #[test]
    fn missing_fields_take_defaults() {
        let parsed: BotConfig = serde_json::from_str(r#"{"orders_per_day": 10}"#).unwrap_or_default();
        assert_eq!(parsed.orders_per_day, 10.0);
        assert_eq!(parsed.decisions_per_day, 6.0);
    }
}
