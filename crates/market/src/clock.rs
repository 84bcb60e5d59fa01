//! Clocks: where "now" comes from.
//!
//! Nothing in Bullpen reads the wall clock except [`SystemClock`]. Everything else receives a
//! [`Clock`] so replays and tests can run on [`ManualClock`] (set by hand) or on an
//! [`AcceleratedClock`] (simulated time running faster than the wall clock).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use bullpen_domain::time::MICROS_PER_SECOND;
use bullpen_domain::Ts;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Ts;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Ts {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> Ts {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Ts {
        (**self).now()
    }
}

/// The real wall clock: the only place in Bullpen that reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Ts {
        Ts::from_datetime(chrono::Utc::now())
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test (or a
/// deterministic simulation driver) can keep one handle and give another to the code under test.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    micros: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: Ts) -> ManualClock {
        ManualClock { micros: Arc::new(AtomicI64::new(start.0)) }
    }

    /// Sets the time (it may go backwards; the caller decides).
    pub fn set(&self, ts: Ts) {
        self.micros.store(ts.0, Ordering::SeqCst);
    }

    /// Moves the time forward by `micros` microseconds (backwards when negative, saturating) and
    /// returns the new time.
    pub fn advance(&self, micros: i64) -> Ts {
        let mut current = self.micros.load(Ordering::SeqCst);
        loop {
            let next = current.saturating_add(micros);
            match self.micros.compare_exchange_weak(current, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return Ts(next),
                Err(actual) => current = actual,
            }
        }
    }

    /// Moves the time forward by whole seconds and returns the new time.
    pub fn advance_seconds(&self, seconds: i64) -> Ts {
        self.advance(seconds.saturating_mul(MICROS_PER_SECOND))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Ts {
        Ts(self.micros.load(Ordering::SeqCst))
    }
}

/// A speed that is not a finite number at or above zero.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("clock speed must be a finite number >= 0, got {0}")]
pub struct InvalidSpeed(pub f64);

/// Simulated time running `speed` times faster than an inner clock:
/// `now = sim_start + (inner.now() - wall_start) × speed`.
///
/// `wall_start` is the inner clock's time when the accelerated clock was created. Wrapping a
/// [`ManualClock`] makes it fully deterministic; wrapping [`SystemClock`] gives a fast-forwarded
/// live demo. Speed is a float because it is a time ratio, not money; the product is rounded to
/// the nearest microsecond with IEEE arithmetic, which is the same on every platform.
#[derive(Debug, Clone)]
pub struct AcceleratedClock<C> {
    inner: C,
    wall_start: Ts,
    sim_start: Ts,
    speed: f64,
}

impl<C: Clock> AcceleratedClock<C> {
    /// Starts simulated time at `sim_start`, now, running at `speed` × the inner clock
    /// (0 freezes it; 1 is real time; 60 makes a wall-clock minute a simulated hour).
    pub fn new(inner: C, sim_start: Ts, speed: f64) -> Result<AcceleratedClock<C>, InvalidSpeed> {
        if !speed.is_finite() || speed < 0.0 {
            return Err(InvalidSpeed(speed));
        }
        let wall_start = inner.now();
        Ok(AcceleratedClock { inner, wall_start, sim_start, speed })
    }

    /// The speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated time at creation.
    pub fn sim_start(&self) -> Ts {
        self.sim_start
    }

    /// The inner clock's time at creation.
    pub fn wall_start(&self) -> Ts {
        self.wall_start
    }

    /// The wrapped clock.
    pub fn inner(&self) -> &C {
        &self.inner
    }
}

impl<C: Clock> Clock for AcceleratedClock<C> {
    fn now(&self) -> Ts {
        let elapsed = self.inner.now().0.saturating_sub(self.wall_start.0);
        // `as` saturates on overflow, so absurd speeds clamp instead of wrapping.
        let scaled = (elapsed as f64 * self.speed).round() as i64;
        Ts(self.sim_start.0.saturating_add(scaled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_handles_share_time() {
        let clock = ManualClock::new(Ts(1_000));
        let handle = clock.clone();
        assert_eq!(clock.now(), Ts(1_000));
        handle.set(Ts(5_000));
        assert_eq!(clock.now(), Ts(5_000));
        assert_eq!(handle.advance(250), Ts(5_250));
        assert_eq!(clock.advance_seconds(2), Ts(2_005_250));
        assert_eq!(handle.now(), Ts(2_005_250));
        clock.set(Ts(i64::MAX - 1));
        assert_eq!(clock.advance(10), Ts(i64::MAX));
    }

    #[test]
    fn accelerated_clock_scales_elapsed_time() {
        let wall = ManualClock::new(Ts(1_000_000));
        let sim_start = Ts(1_700_000_000_000_000);
        let fast = AcceleratedClock::new(wall.clone(), sim_start, 60.0).unwrap();
        assert_eq!(fast.now(), sim_start);
        wall.advance_seconds(1);
        assert_eq!(fast.now(), sim_start.plus_seconds(60));
        wall.advance_seconds(59);
        assert_eq!(fast.now(), sim_start.plus_seconds(3_600));
        assert_eq!(fast.wall_start(), Ts(1_000_000));
        assert_eq!(fast.speed(), 60.0);
    }

    #[test]
    fn accelerated_clock_frozen_and_invalid_speeds() {
        let wall = ManualClock::new(Ts(0));
        let frozen = AcceleratedClock::new(wall.clone(), Ts(42), 0.0).unwrap();
        wall.advance_seconds(1_000);
        assert_eq!(frozen.now(), Ts(42));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(AcceleratedClock::new(wall.clone(), Ts(0), bad).is_err());
        }
    }

    #[test]
    fn system_clock_is_after_2020_and_usable_as_dyn() {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        assert!(clock.now() > Ts(1_577_836_800_000_000));
    }
}
