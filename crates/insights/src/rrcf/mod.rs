//! Robust Random Cut Forest (Guha, Mishra, Roy, Schrijvers, ICML 2016), written for Bullpen.
//!
//! * [`RcTree`]: one tree with streaming insert and delete, arena-allocated;
//! * [`IdTree`]: a tree addressed by caller-chosen point ids (`insert(id, point)`, `forget(id)`);
//! * [`RandomCutForest`]: trees over time-decayed reservoir samples of a stream, with
//!   [`RandomCutForest::score`], [`RandomCutForest::attribution`] and
//!   [`RandomCutForest::update`];
//! * [`Shingle`]: overlapping windows of a stream;
//! * [`ScoreFingerprint`]: an exact summary of a run's scores.

mod fingerprint;
mod forest;
mod sampler;
mod shingle;
mod tree;

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use fingerprint::ScoreFingerprint;
pub use forest::{ForestConfig, RandomCutForest};
pub use shingle::Shingle;
pub use tree::{LeafId, RcTree};

use crate::InsightsError;

/// Points of up to this many coordinates are converted on the stack (no allocation per call).
pub(crate) const STACK_DIMS: usize = 64;

/// Checks `point` (length `dims`, every coordinate finite, also once converted to `f32`) and
/// converts it into `buf` (or `heap` when longer than [`STACK_DIMS`]), padded with zeros to the
/// trees' lanes.
pub(crate) fn convert<'a>(
    point: &[f64],
    dims: usize,
    buf: &'a mut [f32; STACK_DIMS],
    heap: &'a mut Vec<f32>,
) -> Result<&'a [f32], InsightsError> {
    if point.len() != dims {
        return Err(InsightsError::DimensionMismatch { expected: dims, got: point.len() });
    }
    let lanes = tree::lanes_for(dims);
    let out: &mut [f32] = if lanes <= STACK_DIMS {
        &mut buf[..lanes]
    } else {
        heap.resize(lanes, 0.0);
        &mut heap[..]
    };
    for (i, (&x, o)) in point.iter().zip(out.iter_mut()).enumerate() {
        let y = x as f32;
        if !y.is_finite() {
            return Err(InsightsError::NonFinite { index: i, value: x });
        }
        *o = y;
    }
    out[dims..].fill(0.0);
    Ok(out)
}

/// Converts `point` (padded) and hands it to `f`.
pub(crate) fn to_f32<T>(point: &[f64], dims: usize, f: impl FnOnce(&[f32]) -> T) -> Result<T, InsightsError> {
    let mut buf = [0f32; STACK_DIMS];
    let mut heap = Vec::new();
    let p = convert(point, dims, &mut buf, &mut heap)?;
    Ok(f(p))
}

/// A single [`RcTree`] whose points are addressed by ids the caller chooses, as in the `rrcf`
/// Python package: insert a point under an id, forget it by id, ask for its CoDisp.
///
/// ```
/// use bullpen_insights::rrcf::IdTree;
///
/// let mut tree = IdTree::new(1, 7).unwrap();
/// for i in 0..20 {
///     tree.insert(i, &[(i % 5) as f64]).unwrap();
/// }
/// tree.insert(99, &[1000.0]).unwrap();
/// assert!(tree.codisp(99).unwrap() > tree.codisp(3).unwrap());
/// assert!(tree.forget(99));
/// assert_eq!(tree.len(), 20);
/// ```
#[derive(Clone, Debug)]
pub struct IdTree {
    tree: RcTree,
    ids: HashMap<u64, LeafId>,
    rng: ChaCha8Rng,
}

impl IdTree {
    /// An empty tree over `dims`-dimensional points, its cuts drawn from `seed`.
    pub fn new(dims: usize, seed: u64) -> Result<Self, InsightsError> {
        if dims == 0 {
            return Err(InsightsError::InvalidConfig("a tree needs at least one dimension".into()));
        }
        Ok(IdTree { tree: RcTree::new(dims, 0), ids: HashMap::new(), rng: ChaCha8Rng::seed_from_u64(seed) })
    }

    /// Inserts `point` under `id`. A used id or a malformed point is refused and changes nothing.
    pub fn insert(&mut self, id: u64, point: &[f64]) -> Result<LeafId, InsightsError> {
        if self.ids.contains_key(&id) {
            return Err(InsightsError::DuplicateId(id));
        }
        let mut buf = [0f32; STACK_DIMS];
        let mut heap = Vec::new();
        let p = convert(point, self.tree.dims(), &mut buf, &mut heap)?;
        let leaf = self.tree.insert_padded(p, &mut self.rng);
        self.ids.insert(id, leaf);
        Ok(leaf)
    }

    /// Deletes the point inserted under `id`; `false` if there is none.
    pub fn forget(&mut self, id: u64) -> bool {
        match self.ids.remove(&id) {
            Some(leaf) => self.tree.remove(leaf),
            None => false,
        }
    }

    /// CoDisp of the point inserted under `id` ([`RcTree::codisp_of_leaf`]).
    pub fn codisp(&self, id: u64) -> Option<f64> {
        self.ids.get(&id).map(|&leaf| self.tree.codisp_of_leaf(leaf))
    }

    /// Expected CoDisp of `point` if it were inserted ([`RcTree::score`]).
    pub fn score(&self, point: &[f64]) -> Result<f64, InsightsError> {
        to_f32(point, self.tree.dims(), |p| self.tree.score_padded(p))
    }

    /// Number of points held.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The underlying tree.
    pub fn tree(&self) -> &RcTree {
        &self.tree
    }
}

#[cfg(test)]
mod tests;
