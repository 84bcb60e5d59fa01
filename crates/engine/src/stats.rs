//! Engine counters, read by benchmarks and (later) the metrics endpoint.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Counters of one sequencer. Cheap atomics; the commit-latency samples are kept in a bounded
/// buffer for percentiles.
#[derive(Debug, Default)]
pub struct EngineStats {
    /// Orders accepted.
    pub orders_accepted: AtomicU64,
    /// Orders rejected.
    pub orders_rejected: AtomicU64,
    /// Submissions answered from an earlier order with the same client order id.
    pub duplicate_submissions: AtomicU64,
    /// Batches committed.
    pub batches: AtomicU64,
    /// Orders committed in batches.
    pub batched_orders: AtomicU64,
    /// Largest batch (orders).
    pub max_batch_orders: AtomicU64,
    /// Total commit time, microseconds.
    pub commit_micros: AtomicU64,
    /// Leaderboard recomputations.
    pub leaderboards: AtomicU64,
    /// Total leaderboard recomputation time, microseconds.
    pub leaderboard_micros: AtomicU64,
    recent_commit_micros: Mutex<Vec<u64>>,
}

/// Most commit-latency samples kept.
const MAX_SAMPLES: usize = 100_000;

impl EngineStats {
    /// Records one committed batch.
    pub fn record_commit(&self, orders: usize, elapsed: Duration) {
        let micros = elapsed.as_micros() as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.batched_orders.fetch_add(orders as u64, Ordering::Relaxed);
        self.max_batch_orders.fetch_max(orders as u64, Ordering::Relaxed);
        self.commit_micros.fetch_add(micros, Ordering::Relaxed);
        if let Ok(mut samples) = self.recent_commit_micros.lock() {
            if samples.len() < MAX_SAMPLES {
                samples.push(micros);
            }
        }
    }

    /// Records one leaderboard recomputation.
    pub fn record_leaderboard(&self, elapsed: Duration) {
        self.leaderboards.fetch_add(1, Ordering::Relaxed);
        self.leaderboard_micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// Commit latency samples recorded so far (microseconds).
    pub fn commit_samples(&self) -> Vec<u64> {
        self.recent_commit_micros.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Mean orders per committed batch.
    pub fn mean_batch(&self) -> f64 {
        let batches = self.batches.load(Ordering::Relaxed);
        if batches == 0 {
            0.0
        } else {
            self.batched_orders.load(Ordering::Relaxed) as f64 / batches as f64
        }
    }
}
