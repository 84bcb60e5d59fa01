//! Why an order or command was refused. Each reason has a stable machine code and a message
//! that names the cause.

use serde::{Deserialize, Serialize};

use crate::money::{Money, Price, Qty};

/// A refused order or command. `code()` is stable; `Display` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RejectReason {
    /// Quantity zero or negative.
    #[error("quantity must be a positive whole number of shares")]
    NonPositiveQuantity,
    /// A price of zero or less.
    #[error("prices must be positive")]
    NonPositivePrice,
    /// A price finer than the tick.
    #[error("price {price} is not a multiple of the tick size {tick}")]
    OffTick {
        /// The offending price.
        price: Price,
        /// The tick at that price level.
        tick: Price,
    },
    /// Limit price missing for a limit order.
    #[error("limit and stop-limit orders need a limit price")]
    MissingLimitPrice,
    /// Limit price given for an order type that has none.
    #[error("only limit and stop-limit orders take a limit price")]
    UnexpectedLimitPrice,
    /// Stop price missing.
    #[error("stop and stop-limit orders need a stop price")]
    MissingStopPrice,
    /// Stop price given for an order type that has none.
    #[error("only stop and stop-limit orders take a stop price")]
    UnexpectedStopPrice,
    /// Time in force not allowed for this order type.
    #[error("market orders accept time in force day, ioc or fok")]
    UnsupportedTimeInForce,
    /// Bad client order id.
    #[error("client_order_id must be 1-128 printable characters")]
    InvalidClientOrderId,
    /// The client order id was used before for a different order.
    #[error("client_order_id `{0}` was already used for a different order")]
    DuplicateClientOrderId(String),
    /// Unknown symbol.
    #[error("unknown symbol `{0}`")]
    UnknownSymbol(String),
    /// Not in the tournament's universe.
    #[error("`{0}` is not in this tournament's universe")]
    NotInUniverse(String),
    /// Symbol halted.
    #[error("`{0}` is halted")]
    Halted(String),
    /// Symbol delisted: it can no longer be traded.
    #[error("`{0}` is delisted and can no longer be traded")]
    Delisted(String),
    /// No price yet.
    #[error("no price is available for `{0}`")]
    NoPrice(String),
    /// Market closed.
    #[error("the market is closed")]
    MarketClosed,
    /// Tournament not running.
    #[error("the tournament is not running (it is {0})")]
    TournamentNotRunning(String),
    /// Unknown entry.
    #[error("no such entry in this tournament")]
    UnknownEntry,
    /// Not enough buying power.
    #[error("insufficient buying power: needs {}, has {}", .needed.display_usd(), .available.display_usd())]
    InsufficientBuyingPower {
        /// What the order needs.
        needed: Money,
        /// What the entry has.
        available: Money,
    },
    /// Selling more than held.
    #[error("cannot sell {wanted} shares: only {held} held long")]
    InsufficientPosition {
        /// Shares asked for.
        wanted: Qty,
        /// Shares held.
        held: Qty,
    },
    /// Covering more than short.
    #[error("cannot cover {wanted} shares: only {short} held short")]
    InsufficientShortPosition {
        /// Shares asked for.
        wanted: Qty,
        /// Shares short.
        short: Qty,
    },
    /// Buying while short or shorting while long.
    #[error("{0}")]
    WrongSideForPosition(String),
    /// Short selling disabled.
    #[error("short selling is not allowed in this tournament")]
    ShortSellingDisabled,
    /// Shorting below the minimum price.
    #[error("short selling needs a price of at least {minimum}, `{symbol}` is at {price}")]
    ShortBelowMinimumPrice {
        /// Symbol.
        symbol: String,
        /// Current price.
        price: Price,
        /// Rule minimum.
        minimum: Price,
    },
    /// Buying below the minimum share price.
    #[error("`{symbol}` trades at {price}, below the minimum share price {minimum}")]
    BelowMinimumSharePrice {
        /// Symbol.
        symbol: String,
        /// Current price.
        price: Price,
        /// Rule minimum.
        minimum: Price,
    },
    /// Position weight too high.
    #[error("the position in `{symbol}` would be {weight_bps} bps of equity, above the maximum {max_bps} bps")]
    MaxPositionWeight {
        /// Symbol.
        symbol: String,
        /// Resulting weight in basis points.
        weight_bps: i64,
        /// Rule maximum.
        max_bps: i64,
    },
    /// Too many orders today.
    #[error("maximum of {0} orders per day reached")]
    MaxOrdersPerDay(u32),
    /// Closing too soon after opening.
    #[error("positions must be held at least {min_seconds} s; this one is {held_seconds} s old")]
    MinimumHoldingTime {
        /// Rule minimum.
        min_seconds: i64,
        /// Age of the newest lot that would close.
        held_seconds: i64,
    },
    /// Joining after the start when late entry is off.
    #[error("late entry is not allowed in this tournament")]
    LateEntryNotAllowed,
    /// A fill-or-kill order could not fill completely.
    #[error("fill-or-kill order could not be filled completely")]
    FillOrKillUnfilled,
    /// Unknown order.
    #[error("no such order")]
    UnknownOrder,
    /// Order can no longer change.
    #[error("the order is {0} and can no longer be changed")]
    OrderNotOpen(String),
    /// Replace that changes nothing or changes what cannot change.
    #[error("invalid replacement: {0}")]
    InvalidReplace(String),
    /// The sequencer is shutting down or stopped.
    #[error("the tournament engine is not available")]
    EngineUnavailable,
}

impl RejectReason {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::NonPositiveQuantity => "non_positive_quantity",
            RejectReason::NonPositivePrice => "non_positive_price",
            RejectReason::OffTick { .. } => "off_tick",
            RejectReason::MissingLimitPrice => "missing_limit_price",
            RejectReason::UnexpectedLimitPrice => "unexpected_limit_price",
            RejectReason::MissingStopPrice => "missing_stop_price",
            RejectReason::UnexpectedStopPrice => "unexpected_stop_price",
            RejectReason::UnsupportedTimeInForce => "unsupported_time_in_force",
            RejectReason::InvalidClientOrderId => "invalid_client_order_id",
            RejectReason::DuplicateClientOrderId(_) => "duplicate_client_order_id",
            RejectReason::UnknownSymbol(_) => "unknown_symbol",
            RejectReason::NotInUniverse(_) => "not_in_universe",
            RejectReason::Halted(_) => "halted",
            RejectReason::Delisted(_) => "delisted",
            RejectReason::NoPrice(_) => "no_price",
            RejectReason::MarketClosed => "market_closed",
            RejectReason::TournamentNotRunning(_) => "tournament_not_running",
            RejectReason::UnknownEntry => "unknown_entry",
            RejectReason::InsufficientBuyingPower { .. } => "insufficient_buying_power",
            RejectReason::InsufficientPosition { .. } => "insufficient_position",
            RejectReason::InsufficientShortPosition { .. } => "insufficient_short_position",
            RejectReason::WrongSideForPosition(_) => "wrong_side_for_position",
            RejectReason::ShortSellingDisabled => "short_selling_disabled",
            RejectReason::ShortBelowMinimumPrice { .. } => "short_below_minimum_price",
            RejectReason::BelowMinimumSharePrice { .. } => "below_minimum_share_price",
            RejectReason::MaxPositionWeight { .. } => "max_position_weight",
            RejectReason::MaxOrdersPerDay(_) => "max_orders_per_day",
            RejectReason::MinimumHoldingTime { .. } => "minimum_holding_time",
            RejectReason::LateEntryNotAllowed => "late_entry_not_allowed",
            RejectReason::FillOrKillUnfilled => "fill_or_kill_unfilled",
            RejectReason::UnknownOrder => "unknown_order",
            RejectReason::OrderNotOpen(_) => "order_not_open",
            RejectReason::InvalidReplace(_) => "invalid_replace",
            RejectReason::EngineUnavailable => "engine_unavailable",
        }
    }
}
