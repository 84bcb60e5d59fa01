//! Evaluation-challenge objective rules: the data. Evaluation lives in `challenge`.

use serde::{Deserialize, Serialize};

/// Prop-firm style objectives, all in basis points of the starting balance unless noted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRules {
    /// Profit needed to pass (1,000 = 10 %).
    pub profit_target_bps: i64,
    /// Maximum loss within one day, of start-of-day equity, open losses included (500 = 5 %).
    pub max_daily_loss_bps: i64,
    /// Maximum loss overall (1,000 = 10 %).
    pub max_total_loss_bps: i64,
    /// If true, the total loss is measured from the high-water mark instead of the start.
    pub trailing_total_loss: bool,
    /// Days with at least one trade needed to pass.
    pub min_trading_days: u32,
    /// Optional consistency rule: the best day may be at most this share of total profit
    /// (5,000 = 50 %).
    pub max_best_day_share_bps: Option<i64>,
}

impl Default for ChallengeRules {
    fn default() -> Self {
        ChallengeRules {
            profit_target_bps: 1_000,
            max_daily_loss_bps: 500,
            max_total_loss_bps: 1_000,
            trailing_total_loss: false,
            min_trading_days: 4,
            max_best_day_share_bps: None,
        }
    }
}
