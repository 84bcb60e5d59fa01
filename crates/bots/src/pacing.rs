//! How often a bot trades: a per-call chance of being awake and a per-day cap.

/// Counts the orders a bot placed on the current UTC day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pacing {
    day: Option<i64>,
    orders_today: usize,
}

impl Pacing {
    /// Starts counting afresh when `day` differs from the last call's.
    pub(crate) fn enter_day(&mut self, day: i64) {
        if self.day != Some(day) {
            self.day = Some(day);
            self.orders_today = 0;
        }
    }

    /// Orders placed today.
    pub(crate) fn orders_today(&self) -> usize {
        self.orders_today
    }

    /// Adds `n` orders to today's count.
    pub(crate) fn count(&mut self, n: usize) {
        self.orders_today = self.orders_today.saturating_add(n);
    }
}

/// Expected orders placed by an awake bot in one call, used to turn a daily target into a
/// per-call chance of being awake (measured on simulated markets; see the cadence test).
const ORDERS_PER_AWAKE_CALL: f64 = 1.3;

/// The chance of being awake in one call for a bot aiming at `per_day` orders per day.
pub(crate) fn awake_chance(per_day: f64, decisions_per_day: f64) -> f64 {
    (per_day / (decisions_per_day * ORDERS_PER_AWAKE_CALL)).clamp(0.0, 1.0)
}

/// Most orders per UTC day for a bot aiming at `per_day` (about twice the target, at least 2).
pub(crate) fn daily_cap(per_day: f64) -> usize {
    ((2.0 * per_day).ceil() as usize).max(2)
}
