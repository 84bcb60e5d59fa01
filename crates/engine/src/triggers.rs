//! Per-instrument books of resting limit and stop orders, so a tick finds the orders it
//! triggers in O(log n + triggered) instead of scanning every open order.

use std::collections::BTreeSet;

use bullpen_domain::{OrderId, Price};

/// Which condition an order waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    /// Buy limit: fires when the price falls to or below the limit.
    BuyLimit,
    /// Sell limit: fires when the price rises to or above the limit.
    SellLimit,
    /// Buy stop: fires when the price rises to or above the stop.
    BuyStop,
    /// Sell stop: fires when the price falls to or below the stop.
    SellStop,
}

/// The resting orders of one instrument, ordered by trigger price and then by order id so that
/// simultaneous triggers fire in submission order.
#[derive(Debug, Default, Clone)]
pub struct TriggerBook {
    buy_limits: BTreeSet<(Price, OrderId)>,
    sell_limits: BTreeSet<(Price, OrderId)>,
    buy_stops: BTreeSet<(Price, OrderId)>,
    sell_stops: BTreeSet<(Price, OrderId)>,
}

impl TriggerBook {
    fn set(&mut self, kind: TriggerKind) -> &mut BTreeSet<(Price, OrderId)> {
        match kind {
            TriggerKind::BuyLimit => &mut self.buy_limits,
            TriggerKind::SellLimit => &mut self.sell_limits,
            TriggerKind::BuyStop => &mut self.buy_stops,
            TriggerKind::SellStop => &mut self.sell_stops,
        }
    }

    /// Adds a resting order.
    pub fn insert(&mut self, kind: TriggerKind, price: Price, order: OrderId) {
        self.set(kind).insert((price, order));
    }

    /// Removes a resting order (no-op when absent).
    pub fn remove(&mut self, kind: TriggerKind, price: Price, order: OrderId) {
        self.set(kind).remove(&(price, order));
    }

    /// True when nothing rests here.
    pub fn is_empty(&self) -> bool {
        self.buy_limits.is_empty()
            && self.sell_limits.is_empty()
            && self.buy_stops.is_empty()
            && self.sell_stops.is_empty()
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        self.buy_limits.len() + self.sell_limits.len() + self.buy_stops.len() + self.sell_stops.len()
    }

    /// Removes and returns every order the price `p` triggers, in order-id order.
    pub fn take_triggered(&mut self, p: Price) -> Vec<OrderId> {
        let mut fired = Vec::new();
        // Buy limits with limit >= p.
        let keep = self.buy_limits.split_off(&(p, OrderId(i64::MIN)));
        fired.extend(keep.iter().map(|(_, id)| *id));
        // split_off returned the part >= p; what stays in buy_limits is < p.
        // Sell limits with limit <= p.
        let above = self.sell_limits.split_off(&(Price(p.0.saturating_add(1)), OrderId(i64::MIN)));
        fired.extend(self.sell_limits.iter().map(|(_, id)| *id));
        self.sell_limits = above;
        // Buy stops with stop <= p.
        let above = self.buy_stops.split_off(&(Price(p.0.saturating_add(1)), OrderId(i64::MIN)));
        fired.extend(self.buy_stops.iter().map(|(_, id)| *id));
        self.buy_stops = above;
        // Sell stops with stop >= p.
        let at_or_above = self.sell_stops.split_off(&(p, OrderId(i64::MIN)));
        fired.extend(at_or_above.iter().map(|(_, id)| *id));
        fired.sort_unstable();
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_exactly_the_crossed_orders() {
        let mut book = TriggerBook::default();
        book.insert(TriggerKind::BuyLimit, Price(100), OrderId(1));
        book.insert(TriggerKind::BuyLimit, Price(90), OrderId(2));
        book.insert(TriggerKind::SellLimit, Price(110), OrderId(3));
        book.insert(TriggerKind::SellLimit, Price(95), OrderId(4));
        book.insert(TriggerKind::BuyStop, Price(95), OrderId(5));
        book.insert(TriggerKind::BuyStop, Price(120), OrderId(6));
        book.insert(TriggerKind::SellStop, Price(96), OrderId(7));
        book.insert(TriggerKind::SellStop, Price(80), OrderId(8));
        assert_eq!(book.take_triggered(Price(95)), vec![OrderId(1), OrderId(4), OrderId(5), OrderId(7)]);
        assert_eq!(book.len(), 4);
        assert_eq!(book.take_triggered(Price(95)), vec![]);
        assert_eq!(book.take_triggered(Price(200)), vec![OrderId(3), OrderId(6)]);
        assert_eq!(book.take_triggered(Price(1)), vec![OrderId(2), OrderId(8)]);
        assert!(book.is_empty());
    }

    #[test]
    fn remove_cancels() {
        let mut book = TriggerBook::default();
        book.insert(TriggerKind::BuyLimit, Price(100), OrderId(1));
        book.remove(TriggerKind::BuyLimit, Price(100), OrderId(1));
        assert!(book.take_triggered(Price(50)).is_empty());
    }
}
