//! Time-decayed weighted reservoir sampling: which stream points a tree keeps.
//!
//! Point `t` gets weight `e^{λ t}` and the random key `ln(E) − λ t` with `E ~ Exp(1)`; a tree
//! keeps the `capacity` points with the smallest keys (Efraimidis–Spirakis weighted sampling
//! without replacement, in log form). With `λ = 0` this is plain uniform reservoir sampling;
//! with `λ > 0` recent points are favoured and the sample covers roughly the last `1/λ` points
//! (with `λ = 1/(10·capacity)`, about 10 % of new points enter each tree once it is full).
//!
//! Keys are stored relative to a base time (`ln(E) − λ (t − base)`), which the forest moves
//! forward now and then ([`Sampler::rebase`]) so that `e^{λ (t − base)}` never overflows.
//! The acceptance test is written as `E < x` with `x = e^{max key} · e^{λ (t − base)}`: the
//! first factor is cached per sampler and changes only when the sample does, the second is
//! shared by all trees of a forest. `E = −ln(1 − u)` for a uniform `u`, and since
//! `−ln(1 − u) ≥ u`, a draw with `u ≥ x` is rejected without computing the logarithm — most
//! draws, once a sample is full.

use serde::{Deserialize, Serialize};

use super::LeafId;

/// A binary max-heap of sampling keys (never NaN) with the leaf of each, in two parallel
/// arrays. Only the operations the sampler needs: push, replace the top, shift every key.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct KeyHeap {
    keys: Vec<f64>,
    leaves: Vec<LeafId>,
}

impl KeyHeap {
    fn len(&self) -> usize {
        self.keys.len()
    }

    /// The largest key.
    fn max(&self) -> Option<f64> {
        self.keys.first().copied()
    }

    fn push(&mut self, key: f64, leaf: LeafId) {
        self.keys.push(key);
        self.leaves.push(leaf);
        let mut i = self.keys.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.keys[parent] >= key {
                break;
            }
            self.keys[i] = self.keys[parent];
            self.leaves[i] = self.leaves[parent];
            i = parent;
        }
        self.keys[i] = key;
        self.leaves[i] = leaf;
    }

    /// Puts `(key, leaf)` in place of the entry with the largest key and returns that entry's
    /// leaf (`None` when empty).
    fn replace_top(&mut self, key: f64, leaf: LeafId) -> Option<LeafId> {
        let old = *self.leaves.first()?;
        let n = self.keys.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.keys[right] > self.keys[left] { right } else { left };
            if self.keys[child] <= key {
                break;
            }
            self.keys[i] = self.keys[child];
            self.leaves[i] = self.leaves[child];
            i = child;
        }
        self.keys[i] = key;
        self.leaves[i] = leaf;
        Some(old)
    }

    /// Adds `delta` to every key. Adding a constant is monotone in floating point, so the heap
    /// order holds.
    fn shift(&mut self, delta: f64) {
        for k in &mut self.keys {
            *k += delta;
        }
    }
}

/// The reservoir of one tree: a max-heap of keys, so the next point to evict is on top.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Sampler {
    capacity: usize,
    heap: KeyHeap,
    /// `e^{max key}` while full.
    threshold: f64,
}

impl Sampler {
    /// An empty reservoir holding at most `capacity` points.
    pub(crate) fn new(capacity: usize) -> Self {
        let heap = KeyHeap { keys: Vec::with_capacity(capacity), leaves: Vec::with_capacity(capacity) };
        Sampler { capacity, heap, threshold: f64::INFINITY }
    }

    /// Number of sampled points.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the reservoir is full.
    pub(crate) fn is_full(&self) -> bool {
        self.heap.len() >= self.capacity
    }

    /// Decides whether a point enters the sample, from a uniform draw `u ∈ [0, 1)` and the
    /// shared decay factor `e^{λ (t − base)}`; returns its exponential variate `E` if it does.
    #[inline(always)]
    pub(crate) fn draw(&self, u: f64, decay_factor: f64) -> Option<f64> {
        if !self.is_full() {
            return Some(-(1.0 - u).ln());
        }
        let x = self.threshold * decay_factor;
        if u >= x {
            return None;
        }
        let e = -(1.0 - u).ln();
        (e < x).then_some(e)
    }

    /// Records an accepted point: when the reservoir is full, it takes the place of the entry
    /// with the largest key, which is returned (its point must leave the tree).
    pub(crate) fn admit(&mut self, key: f64, leaf: LeafId) -> Option<LeafId> {
        let evicted = if self.is_full() {
            self.heap.replace_top(key, leaf)
        } else {
            self.heap.push(key, leaf);
            None
        };
        self.refresh_threshold();
        evicted
    }

    fn refresh_threshold(&mut self) {
        self.threshold = match self.heap.max() {
            Some(top) if self.is_full() => top.exp(),
            _ => f64::INFINITY,
        };
    }

    /// Checks a reservoir read back from a file against its tree: as many keys as leaf
    /// handles, within capacity, every key finite, every handle a live leaf, and the threshold
    /// the one the keys give.
    pub(crate) fn check_against(&self, capacity: usize, live_leaf: impl Fn(LeafId) -> bool) -> Result<(), String> {
        let h = &self.heap;
        if self.capacity != capacity || h.keys.len() != h.leaves.len() || h.keys.len() > capacity {
            return Err(format!("sampler holds {} keys for a capacity of {}", h.keys.len(), self.capacity));
        }
        if !h.keys.iter().all(|k| k.is_finite()) || !h.leaves.iter().all(|&l| live_leaf(l)) {
            return Err("sampler has a key that is not finite or a handle that is not a live leaf".into());
        }
        let mut copy = self.clone();
        copy.refresh_threshold();
        if copy.threshold.to_bits() != self.threshold.to_bits() {
            return Err("sampler threshold disagrees with its keys".into());
        }
        Ok(())
    }

    /// Adds `delta` to every key (the forest moved its base time forward by `delta / λ`).
    pub(crate) fn rebase(&mut self, delta: f64) {
        self.heap.shift(delta);
        self.refresh_threshold();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_keeps_the_largest_key_on_top() {
        let mut h = KeyHeap::default();
        let keys = [3.0, -1.0, 7.5, 2.0, 7.0, -4.0, 0.5];
        for (i, &k) in keys.iter().enumerate() {
            h.push(k, LeafId::from_index(i as u32));
        }
        assert_eq!(h.max(), Some(7.5));
        // Replacing the top with a small key surfaces the next largest.
        assert_eq!(h.replace_top(-10.0, LeafId::from_index(99)), Some(LeafId::from_index(2)));
        assert_eq!(h.max(), Some(7.0));
        h.shift(1.0);
        assert_eq!(h.max(), Some(8.0));
        let mut drained = Vec::new();
        for _ in 0..keys.len() {
            drained.push(h.max().unwrap_or(f64::NAN));
            h.replace_top(-100.0, LeafId::from_index(0));
        }
        let mut expected = vec![8.0, 4.0, 3.0, 1.5, 0.0, -3.0, -9.0];
        expected.sort_by(|a: &f64, b| b.total_cmp(a));
        assert_eq!(drained, expected);
    }
}
