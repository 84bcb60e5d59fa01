//! How a bot's kind and skill turn into concrete trading habits.

use crate::config::BotConfig;
use crate::kind::BotKind;

/// Longest momentum lookback, in observations (at skill 1).
pub(crate) const MAX_MOMENTUM_LOOKBACK: usize = 40;

/// The habits of one bot, fixed at construction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Profile {
    /// Strategy.
    pub kind: BotKind,
    /// Skill in 0..=1.
    pub skill: f64,
    /// Standard deviation of the noise added to every signal z-score: misreading the market.
    pub signal_noise: f64,
    /// Largest position, in basis points of equity.
    pub max_weight_bps: i64,
    /// Main lookback in observations (momentum horizon, moving-average length).
    pub lookback: usize,
    /// Share of orders sent as limit orders rather than market orders.
    pub limit_share: f64,
    /// Chance per active call of protecting a position with a stop order.
    pub stop_chance: f64,
    /// Whether the bot opens short positions.
    pub can_short: bool,
    /// Multiplier on the configured orders per day.
    pub activity: f64,
    /// Number of names in a buy-and-hold basket.
    pub basket_size: usize,
    /// Observations per trading day (from the config), for scaling volatilities to a day.
    pub decisions_per_day: f64,
}

impl Profile {
    /// The habits of a `kind` bot with `skill` under `config` (already sanitised).
    pub(crate) fn new(kind: BotKind, skill: f64, config: &BotConfig) -> Profile {
        let s = if skill.is_nan() { 0.0 } else { skill.clamp(0.0, 1.0) };
        let clumsy = 1.0 - s;
        let bps = |w: f64| (w * 10_000.0).round() as i64;
        let base = Profile {
            kind,
            skill: s,
            signal_noise: 0.2 + 1.6 * clumsy,
            // Sharp bots cap a position at 15 % of equity, clumsy ones let it reach 30 %.
            max_weight_bps: bps(0.30 - 0.15 * s),
            lookback: 10,
            limit_share: 0.2 + 0.4 * s,
            stop_chance: 0.0,
            can_short: false,
            activity: 1.0,
            basket_size: 0,
            decisions_per_day: config.decisions_per_day,
        };
        let skilled_short = config.allow_short && s >= 0.6;
        match kind {
            BotKind::Momentum => Profile {
                lookback: (8.0 + (MAX_MOMENTUM_LOOKBACK as f64 - 8.0) * s).round() as usize,
                stop_chance: 0.25 * s,
                can_short: skilled_short,
                ..base
            },
            BotKind::MeanReversion => Profile {
                lookback: (10.0 + 20.0 * s).round() as usize,
                limit_share: 0.5 + 0.4 * s,
                stop_chance: 0.15 * s,
                can_short: skilled_short,
                ..base
            },
            BotKind::BuyAndHold => Profile {
                max_weight_bps: bps(0.25 - 0.10 * s),
                stop_chance: 0.1 * s,
                activity: 0.1,
                basket_size: 5 + (10.0 * s).round() as usize,
                ..base
            },
            BotKind::Noise => Profile { signal_noise: 0.0, max_weight_bps: bps(0.15), stop_chance: 0.05, ..base },
            BotKind::Poor => Profile {
                signal_noise: 0.5 + 0.5 * clumsy,
                max_weight_bps: bps(0.50 - 0.10 * s),
                lookback: 3,
                limit_share: 0.1,
                activity: 2.0,
                ..base
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_tightens_sizing_and_noise() {
        let config = BotConfig::default();
        for kind in BotKind::ALL {
            let clumsy = Profile::new(kind, 0.0, &config);
            let sharp = Profile::new(kind, 1.0, &config);
            assert!(sharp.signal_noise <= clumsy.signal_noise, "{kind}");
            assert!(sharp.max_weight_bps <= clumsy.max_weight_bps, "{kind}");
        }
        let sharp = Profile::new(BotKind::Momentum, 1.0, &config);
        assert!(sharp.max_weight_bps <= 2_000 && sharp.can_short);
        assert_eq!(sharp.lookback, MAX_MOMENTUM_LOOKBACK);
        let no_short = BotConfig { allow_short: false, ..BotConfig::default() };
        assert!(!Profile::new(BotKind::Momentum, 1.0, &no_short).can_short);
        assert!(!Profile::new(BotKind::Noise, 1.0, &config).can_short);
        assert_eq!(Profile::new(BotKind::Poor, f64::NAN, &config).skill, 0.0);
        assert_eq!(Profile::new(BotKind::Poor, 7.0, &config).skill, 1.0);
    }
}
