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

use std::collections::BinaryHeap;

use super::LeafId;

/// One sampled point: its key and the leaf that holds it in the tree.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: f64,
    leaf: LeafId,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.total_cmp(&other.key).then(self.leaf.cmp(&other.leaf))
    }
}

/// The reservoir of one tree: a max-heap of keys, so the next point to evict is on top.
#[derive(Clone, Debug)]
pub(crate) struct Sampler {
    capacity: usize,
    heap: BinaryHeap<Entry>,
    /// `e^{max key}` while full.
    threshold: f64,
}

impl Sampler {
    /// An empty reservoir holding at most `capacity` points.
    pub(crate) fn new(capacity: usize) -> Self {
        Sampler { capacity, heap: BinaryHeap::with_capacity(capacity + 1), threshold: f64::INFINITY }
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
            match self.heap.peek_mut() {
                Some(mut top) => {
                    let old = top.leaf;
                    *top = Entry { key, leaf };
                    Some(old)
                }
                None => None,
            }
        } else {
            self.heap.push(Entry { key, leaf });
            None
        };
        self.refresh_threshold();
        evicted
    }

    fn refresh_threshold(&mut self) {
        self.threshold = match self.heap.peek() {
            Some(top) if self.is_full() => top.key.exp(),
            _ => f64::INFINITY,
        };
    }

    /// Adds `delta` to every key (the forest moved its base time forward by `delta / λ`).
    pub(crate) fn rebase(&mut self, delta: f64) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        for e in &mut entries {
            e.key += delta;
        }
        self.heap = BinaryHeap::from(entries);
        self.refresh_threshold();
    }
}
