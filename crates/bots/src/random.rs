//! The bots' only source of randomness: a seeded ChaCha8 stream and portable arithmetic.
//!
//! Only IEEE basic operations (+, −, ×, ÷, sqrt) are used on the draws, never libm functions
//! whose last bit may differ between platforms, so the same seed gives the same orders everywhere.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random stream owned by one bot (or one roster).
#[derive(Debug, Clone)]
pub(crate) struct BotRng(ChaCha8Rng);

impl BotRng {
    /// The stream `stream` of the generator seeded with `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> BotRng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        BotRng(rng)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0.gen::<f64>()
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A uniform index below `n` (0 when `n` is 0). Computed from a float draw rather than
    /// `gen_range::<usize>` so the result does not depend on the platform's pointer width.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        let i = (self.uniform() * n as f64) as usize;
        i.min(n.saturating_sub(1))
    }

    /// An approximately standard-normal draw (Irwin–Hall: twelve uniforms minus six).
    pub(crate) fn normal(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.uniform();
        }
        sum - 6.0
    }
}

/// SplitMix64 finaliser: spreads nearby inputs (seed + index) into unrelated 64-bit seeds.
pub(crate) fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = BotRng::new(7, 1);
        let mut b = BotRng::new(7, 1);
        let mut c = BotRng::new(7, 2);
        let xs: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        let zs: Vec<f64> = (0..5).map(|_| c.uniform()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn index_stays_in_range() {
        let mut r = BotRng::new(1, 0);
        for n in [1, 2, 3, 17] {
            for _ in 0..200 {
                assert!(r.index(n) < n);
            }
        }
        assert_eq!(r.index(0), 0);
    }
}
