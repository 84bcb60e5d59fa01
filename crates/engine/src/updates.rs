//! Order updates published after they are durable (for streams such as Alpaca's
//! `trade_updates`).

use bullpen_domain::{EntryId, Order, OrderId, OrderStatus};

/// What happened to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    /// Entry owning the order.
    pub entry_id: EntryId,
    /// Alpaca's event name: `fill`, `partial_fill`, `canceled`, `expired`, `replaced`,
    /// `rejected`, `new`.
    pub event: &'static str,
    /// The order after the event.
    pub order: Order,
    /// For `replaced`: the order that was replaced.
    pub replaced: Option<OrderId>,
}

impl OrderUpdate {
    /// The update describing an order's current state.
    pub fn from_order(order: &Order) -> OrderUpdate {
        let event = match order.status {
            OrderStatus::Filled => "fill",
            OrderStatus::PartiallyFilled => "partial_fill",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Expired => "expired",
            OrderStatus::Replaced => "replaced",
            OrderStatus::Rejected => "rejected",
            _ => "new",
        };
        OrderUpdate { entry_id: order.entry_id, event, order: order.clone(), replaced: None }
    }

    /// The update for a replacement: the new order, naming the replaced one.
    pub fn replaced(old: OrderId, new: &Order) -> OrderUpdate {
        OrderUpdate { entry_id: new.entry_id, event: "replaced", order: new.clone(), replaced: Some(old) }
    }
}
