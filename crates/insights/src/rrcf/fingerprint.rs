//! A compact, exact summary of a run's scores, so that optimisations cannot silently change
//! results.

use std::fmt;

/// Summary statistics of a list of scores plus a hash of every score rounded to 6 decimals.
///
/// Two runs with the same fingerprint produced the same scores to 6 decimals, in the same order
/// (up to a 64-bit hash collision).
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreFingerprint {
    /// Number of scores.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (nearest rank).
    pub p50: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Largest score.
    pub max: f64,
    /// FNV-1a hash of the scores rounded to millionths, in stream order.
    pub hash: u64,
}

impl ScoreFingerprint {
    /// Fingerprints `scores` (in stream order).
    pub fn of(scores: &[f64]) -> Self {
        let count = scores.len();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for s in scores {
            let micros = (s * 1e6).round() as i64;
            for byte in micros.to_le_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        let mut sorted = scores.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |q: f64| -> f64 {
            if sorted.is_empty() {
                0.0
            } else {
                sorted[((sorted.len() - 1) as f64 * q).round() as usize]
            }
        };
        let mean = if count == 0 { 0.0 } else { scores.iter().sum::<f64>() / count as f64 };
        ScoreFingerprint {
            count,
            mean,
            p50: rank(0.5),
            p99: rank(0.99),
            max: sorted.last().copied().unwrap_or(0.0),
            hash,
        }
    }
}

impl fmt::Display for ScoreFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n={} mean={:.6} p50={:.6} p99={:.6} max={:.6} hash={:016x}",
            self.count, self.mean, self.p50, self.p99, self.max, self.hash
        )
    }
}
