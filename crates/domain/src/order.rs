//! Orders: requests, the order record and its Alpaca-compatible status lifecycle.

use serde::{Deserialize, Serialize};

use crate::ids::{EntryId, OrderId, TournamentId};
use crate::instrument::Symbol;
use crate::money::{Price, Qty};
use crate::reject::RejectReason;
use crate::time::Ts;

/// What the player wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Open or add to a long position.
    Buy,
    /// Reduce or close a long position.
    Sell,
    /// Open or add to a short position.
    SellShort,
    /// Reduce or close a short position.
    BuyToCover,
}

impl Side {
    /// +1 for sides that add shares, -1 for sides that remove them.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy | Side::BuyToCover => 1,
            Side::Sell | Side::SellShort => -1,
        }
    }

    /// True for buy and buy-to-cover.
    pub fn is_buy(self) -> bool {
        self.sign() > 0
    }

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
            Side::SellShort => "sell_short",
            Side::BuyToCover => "buy_to_cover",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            "sell_short" => Some(Side::SellShort),
            "buy_to_cover" => Some(Side::BuyToCover),
            _ => None,
        }
    }
}

/// How the order is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// At the next market price.
    Market,
    /// At the limit price or better.
    Limit,
    /// Becomes a market order when the stop price is touched.
    Stop,
    /// Becomes a limit order when the stop price is touched.
    StopLimit,
}

impl OrderType {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Market => "market",
            OrderType::Limit => "limit",
            OrderType::Stop => "stop",
            OrderType::StopLimit => "stop_limit",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<OrderType> {
        match s {
            "market" => Some(OrderType::Market),
            "limit" => Some(OrderType::Limit),
            "stop" => Some(OrderType::Stop),
            "stop_limit" => Some(OrderType::StopLimit),
            _ => None,
        }
    }
}

/// How long an order stays working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Until the end of the trading day.
    Day,
    /// Good till canceled.
    Gtc,
    /// Immediate or cancel: whatever cannot fill now is canceled.
    Ioc,
    /// Fill or kill: fills completely now or not at all.
    Fok,
}

impl TimeInForce {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Day => "day",
            TimeInForce::Gtc => "gtc",
            TimeInForce::Ioc => "ioc",
            TimeInForce::Fok => "fok",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<TimeInForce> {
        match s {
            "day" => Some(TimeInForce::Day),
            "gtc" => Some(TimeInForce::Gtc),
            "ioc" => Some(TimeInForce::Ioc),
            "fok" => Some(TimeInForce::Fok),
            _ => None,
        }
    }
}

/// Order status, with the values and meanings of Alpaca's order lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Received, not yet validated (transient inside the sequencer).
    PendingNew,
    /// Validated and working; not yet routed to a price event.
    Accepted,
    /// Working at the market (resting limit/stop orders).
    New,
    /// Some shares filled, the rest working.
    PartiallyFilled,
    /// Completely filled.
    Filled,
    /// Canceled by the player or by IOC/FOK rules.
    Canceled,
    /// Time in force ran out.
    Expired,
    /// Replaced by another order.
    Replaced,
    /// Rejected after acceptance (e.g. a triggered stop that breaks a rule at trigger time).
    Rejected,
}

impl OrderStatus {
    /// True while the order may still fill.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::PendingNew | OrderStatus::Accepted | OrderStatus::New | OrderStatus::PartiallyFilled
        )
    }

    /// Stable name (Alpaca's).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingNew => "pending_new",
            OrderStatus::Accepted => "accepted",
            OrderStatus::New => "new",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Expired => "expired",
            OrderStatus::Replaced => "replaced",
            OrderStatus::Rejected => "rejected",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        Some(match s {
            "pending_new" => OrderStatus::PendingNew,
            "accepted" => OrderStatus::Accepted,
            "new" => OrderStatus::New,
            "partially_filled" => OrderStatus::PartiallyFilled,
            "filled" => OrderStatus::Filled,
            "canceled" => OrderStatus::Canceled,
            "expired" => OrderStatus::Expired,
            "replaced" => OrderStatus::Replaced,
            "rejected" => OrderStatus::Rejected,
            _ => return None,
        })
    }
}

/// What a player submits. Validated by [`OrderRequest::validate_shape`] and then against the
/// tournament rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The player's own id for idempotent retries; unique per entry.
    pub client_order_id: Option<String>,
    /// The instrument.
    pub symbol: Symbol,
    /// Direction.
    pub side: Side,
    /// Pricing.
    pub order_type: OrderType,
    /// Lifetime.
    pub time_in_force: TimeInForce,
    /// Shares, positive.
    pub qty: Qty,
    /// Required for limit and stop-limit.
    pub limit_price: Option<Price>,
    /// Required for stop and stop-limit.
    pub stop_price: Option<Price>,
}

/// Longest accepted `client_order_id` (Alpaca's limit).
pub const MAX_CLIENT_ORDER_ID_LEN: usize = 128;

impl OrderRequest {
    /// Checks everything that does not need market or account state: positive quantity, the
    /// right prices for the type, prices on the tick, a sane client order id.
    pub fn validate_shape(&self) -> Result<(), RejectReason> {
        if self.qty.0 <= 0 {
            return Err(RejectReason::NonPositiveQuantity);
        }
        if let Some(id) = &self.client_order_id {
            if id.is_empty() || id.len() > MAX_CLIENT_ORDER_ID_LEN || id.chars().any(char::is_control) {
                return Err(RejectReason::InvalidClientOrderId);
            }
        }
        let needs_limit = matches!(self.order_type, OrderType::Limit | OrderType::StopLimit);
        let needs_stop = matches!(self.order_type, OrderType::Stop | OrderType::StopLimit);
        match (needs_limit, self.limit_price) {
            (true, None) => return Err(RejectReason::MissingLimitPrice),
            (false, Some(_)) => return Err(RejectReason::UnexpectedLimitPrice),
            _ => {}
        }
        match (needs_stop, self.stop_price) {
            (true, None) => return Err(RejectReason::MissingStopPrice),
            (false, Some(_)) => return Err(RejectReason::UnexpectedStopPrice),
            _ => {}
        }
        for price in [self.limit_price, self.stop_price].into_iter().flatten() {
            if price.0 <= 0 {
                return Err(RejectReason::NonPositivePrice);
            }
            if !price.is_on_tick() {
                return Err(RejectReason::OffTick { price, tick: Price(price.tick_size()) });
            }
        }
        if self.order_type == OrderType::Market && self.time_in_force == TimeInForce::Gtc {
            // A market order cannot rest; Alpaca accepts day/ioc/fok for it.
            return Err(RejectReason::UnsupportedTimeInForce);
        }
        Ok(())
    }
}

/// The order record: the request, its state and a timestamp per lifecycle transition
/// (Alpaca's `submitted_at`, `filled_at`, `canceled_at`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Store-wide id.
    pub id: OrderId,
    /// Owning tournament.
    pub tournament_id: TournamentId,
    /// Owning entry.
    pub entry_id: EntryId,
    /// The player's idempotency key (generated when not given).
    pub client_order_id: String,
    /// Instrument.
    pub symbol: Symbol,
    /// Direction.
    pub side: Side,
    /// Pricing.
    pub order_type: OrderType,
    /// Lifetime.
    pub time_in_force: TimeInForce,
    /// Shares ordered.
    pub qty: Qty,
    /// Shares filled so far.
    pub filled_qty: Qty,
    /// Volume-weighted fill price, if anything filled.
    pub filled_avg_price: Option<Price>,
    /// Limit price.
    pub limit_price: Option<Price>,
    /// Stop price.
    pub stop_price: Option<Price>,
    /// True once a stop or stop-limit order has been triggered.
    pub stop_triggered: bool,
    /// Current status.
    pub status: OrderStatus,
    /// Why it was rejected, if it was.
    pub reject_reason: Option<RejectReason>,
    /// The order this one replaced.
    pub replaces: Option<OrderId>,
    /// The order that replaced this one.
    pub replaced_by: Option<OrderId>,
    /// When it was created (submitted) — Alpaca's `created_at`/`submitted_at`.
    pub created_at: Ts,
    /// Last change.
    pub updated_at: Ts,
    /// When it was filled completely.
    pub filled_at: Option<Ts>,
    /// When it was canceled.
    pub canceled_at: Option<Ts>,
    /// When it expired.
    pub expired_at: Option<Ts>,
    /// When it was replaced.
    pub replaced_at: Option<Ts>,
    /// When it was rejected (Alpaca's `failed_at`).
    pub rejected_at: Option<Ts>,
    /// Per-tournament sequence number of the last change.
    pub seq: i64,
}

impl Order {
    /// Shares still working.
    pub fn remaining(&self) -> Qty {
        self.qty - self.filled_qty
    }

    /// Moves to a terminal or new status and stamps the transition time.
    pub fn transition(&mut self, status: OrderStatus, at: Ts) {
        self.status = status;
        self.updated_at = at;
        match status {
            OrderStatus::Filled => self.filled_at = Some(at),
            OrderStatus::Canceled => self.canceled_at = Some(at),
            OrderStatus::Expired => self.expired_at = Some(at),
            OrderStatus::Replaced => self.replaced_at = Some(at),
            OrderStatus::Rejected => self.rejected_at = Some(at),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(order_type: OrderType) -> OrderRequest {
        OrderRequest {
            client_order_id: None,
            symbol: Symbol::parse("AAPL").unwrap(),
            side: Side::Buy,
            order_type,
            time_in_force: TimeInForce::Day,
            qty: Qty(10),
            limit_price: None,
            stop_price: None,
        }
    }

    #[test]
    fn shape_checks_name_the_cause() {
        let mut r = req(OrderType::Limit);
        assert_eq!(r.validate_shape(), Err(RejectReason::MissingLimitPrice));
        r.limit_price = Some(Price(1_234_567));
        assert!(matches!(r.validate_shape(), Err(RejectReason::OffTick { .. })));
        r.limit_price = Some(Price(1_234_500));
        assert_eq!(r.validate_shape(), Ok(()));
        r.qty = Qty(0);
        assert_eq!(r.validate_shape(), Err(RejectReason::NonPositiveQuantity));
        let mut m = req(OrderType::Market);
        m.stop_price = Some(Price(100_000));
        assert_eq!(m.validate_shape(), Err(RejectReason::UnexpectedStopPrice));
        let mut s = req(OrderType::StopLimit);
        s.limit_price = Some(Price(100_000));
        assert_eq!(s.validate_shape(), Err(RejectReason::MissingStopPrice));
    }
}
