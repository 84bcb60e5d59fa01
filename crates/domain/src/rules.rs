//! Tournament rules: the data. Order checks against them live in `rules_check`.

use serde::{Deserialize, Serialize};

use crate::instrument::Symbol;
use crate::money::{Money, Price};

/// How commissions are charged on each fill. All parts add up; the total is rounded to the cent
/// once, by [`crate::money::Money::round_to_cent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionModel {
    /// Flat amount per fill.
    pub per_trade: Money,
    /// Amount per share.
    pub per_share: Money,
    /// Basis points of the fill's notional value.
    pub bps: i64,
    /// Minimum charge per fill (applies only when the computed commission is above zero).
    pub minimum: Money,
}

impl CommissionModel {
    /// No commission at all.
    pub fn free() -> CommissionModel {
        CommissionModel { per_trade: Money::ZERO, per_share: Money::ZERO, bps: 0, minimum: Money::ZERO }
    }
}

/// Which instruments may be traded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
pub enum Universe {
    /// Every active instrument.
    All,
    /// Only these symbols.
    Symbols(Vec<Symbol>),
    /// Only instruments in these sectors.
    Sectors(Vec<String>),
}

/// Margin trading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarginRules {
    /// Buying power as a multiple of equity, in basis points (20,000 = 2×).
    pub buying_power_multiple_bps: i64,
    /// Annual interest on borrowed cash (negative cash), in basis points, charged daily.
    pub interest_bps_per_year: i64,
}

/// How entries are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ScoringMethod {
    /// Equity over starting cash.
    TotalReturn,
    /// Mean over standard deviation of daily returns, annualised.
    Sharpe,
    /// Mean over downside deviation of daily returns, annualised.
    Sortino,
    /// Total return minus `penalty_bps`/10,000 × maximum drawdown.
    DrawdownPenalised {
        /// Weight of the drawdown in basis points (10,000 = subtract the full drawdown).
        penalty_bps: i64,
    },
}

/// Every rule a tournament can set. The defaults are a plain cash account with free trading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentRules {
    /// Cash each entry starts with.
    pub starting_cash: Money,
    /// Commission per fill.
    pub commission: CommissionModel,
    /// Tradable instruments.
    pub universe: Universe,
    /// Whether short selling is allowed.
    pub short_selling: bool,
    /// Minimum price of a stock to open a short position.
    pub short_min_price: Price,
    /// Annual borrow fee on the value of short positions, basis points, charged daily.
    pub borrow_fee_bps_per_year: i64,
    /// Margin, if allowed.
    pub margin: Option<MarginRules>,
    /// Maximum value of one position as basis points of equity (5,000 = 50 %).
    pub max_position_weight_bps: Option<i64>,
    /// Minimum price of a stock to buy it.
    pub min_share_price: Option<Price>,
    /// Maximum orders an entry may submit per trading day.
    pub max_orders_per_day: Option<u32>,
    /// Quotes shown to players (and used for order checks) are this many seconds old.
    pub quote_delay_seconds: i64,
    /// A lot must be held this long before it may be closed.
    pub min_holding_seconds: i64,
    /// Whether players may join after the start.
    pub late_entry: bool,
    /// Market orders fill this many basis points worse than the market price.
    pub slippage_bps: i64,
    /// A fill may not exceed this share of the day's volume so far, in basis points.
    pub volume_cap_bps: Option<i64>,
    /// Ranking method.
    pub scoring: ScoringMethod,
}

impl Default for TournamentRules {
    fn default() -> Self {
        TournamentRules {
            starting_cash: Money::from_dollars(100_000),
            commission: CommissionModel::free(),
            universe: Universe::All,
            short_selling: true,
            short_min_price: Price::from_dollars(5),
            borrow_fee_bps_per_year: 0,
            margin: None,
            max_position_weight_bps: None,
            min_share_price: None,
            max_orders_per_day: None,
            quote_delay_seconds: 0,
            min_holding_seconds: 0,
            late_entry: true,
            slippage_bps: 0,
            volume_cap_bps: None,
            scoring: ScoringMethod::TotalReturn,
        }
    }
}
