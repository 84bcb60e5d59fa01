//! One Robust Random Cut Tree: arena-allocated nodes, streaming insert and delete, CoDisp and its
//! attribution.
//!
//! # Layout
//!
//! Coordinates are `f32`, padded with zeros to a multiple of four ("lanes"), so that box
//! arithmetic runs four dimensions at a time with a fixed summation order. Nodes live in two
//! arenas addressed by `u32`:
//!
//! * branches (internal nodes): one flat `Vec<f32>` of fixed-size records, so that a step of a
//!   walk down the tree reads one contiguous record: the bounding box (all minima, then all
//!   maxima), the cut value, the box's range, and — stored as `u32` bit patterns — the cut
//!   dimension, both children and both children's masses. Keeping the children's masses in the parent lets a
//!   walk compute displacement ratios without touching the children. Parents (needed only
//!   when walking up) are in a separate `Vec<u32>`.
//! * leaves: a [`Leaf`] record (parent, mass) and the leaf's point in a flat `Vec<f32>`.
//!
//! A child reference is a `u32` whose top bit says "leaf". Freed slots go on a free list and are
//! reused, so a tree that streams points forever allocates nothing after it has filled once.
//! A tree of `n` distinct points has `n` leaves and `n - 1` branches; duplicates share a leaf
//! whose mass counts them.
//!
//! The scoring walk is written once and inlined for each common number of lanes (4 to 64
//! dimensions), so the compiler unrolls the box arithmetic; walks are iterative.
//!
//! # Randomness
//!
//! Cuts are drawn from the caller's RNG: a dimension with probability proportional to the range
//! of the bounding box (extended by the new point) in that dimension, then a value uniformly in
//! that range. Insertion only draws when the new point lies outside a node's box (inside, no cut
//! can separate it, so the draw is skipped without changing the distribution), and then draws
//! the single uniform number that decides both whether the cut separates the point and where.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::STACK_DIMS;

/// Marker bit of a child reference that points at a leaf.
const LEAF_BIT: u32 = 1 << 31;
/// "No node" (empty root, parent of the root).
const NIL: u32 = u32::MAX;

/// Offsets of the fields of a branch record after its `2 × lanes` box coordinates.
const CUT: usize = 0;
const DIM: usize = 1;
const CHILD: usize = 2; // left, right
const CHILD_MASS: usize = 4; // left, right
/// The box's range (sum of its extents, [`range_of`]), kept with the box so that a walk need
/// not recompute it.
const RANGE: usize = 6;
/// Fields after the box.
const META: usize = 7;

/// Dimensions are padded to a multiple of this.
pub(crate) const LANE: usize = 4;

/// Number of lanes for `dims` dimensions.
pub(crate) fn lanes_for(dims: usize) -> usize {
    dims.div_ceil(LANE) * LANE
}

/// A leaf of the arena. `mass == 0` marks a free slot.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Leaf {
    /// Parent branch index, or `NIL` when the leaf is the root.
    parent: u32,
    /// Number of copies of the point this leaf holds.
    mass: u32,
}

/// A handle to a leaf, returned by [`RcTree::insert`] and accepted by [`RcTree::remove`].
///
/// Handles stay valid until the leaf's last copy is removed; a duplicate point inserted later
/// gets the handle of the existing leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LeafId(u32);

impl LeafId {
    /// The slot number of the leaf in its tree's arena.
    pub fn index(self) -> u32 {
        self.0
    }

    /// A handle from a slot number (for tests of structures that store handles).
    #[cfg(test)]
    pub(crate) fn from_index(i: u32) -> Self {
        LeafId(i)
    }
}

/// A Robust Random Cut Tree over points of a fixed dimension (coordinates stored as `f32`).
///
/// The tree itself does no input validation beyond debug assertions: [`crate::rrcf::RandomCutForest`]
/// and [`crate::rrcf::IdTree`] check dimensions and finiteness before calling it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RcTree {
    dims: usize,
    /// `dims` rounded up to a multiple of [`LANE`].
    lanes: usize,
    /// Record length of a branch: `2 × lanes + META`.
    stride: usize,
    branches: Vec<f32>,
    parents: Vec<u32>,
    free_branches: Vec<u32>,
    leaves: Vec<Leaf>,
    points: Vec<f32>,
    free_leaves: Vec<u32>,
    root: u32,
}

/// The state of a scoring walk down one tree.
#[derive(Clone, Copy, Debug)]
struct Walker {
    /// Current node.
    node: u32,
    /// Its mass.
    node_mass: u32,
    /// Largest displacement ratio on the path so far, as `best_num / best_den`.
    best_num: u32,
    best_den: u32,
    /// Reach and score so far.
    f: Fractions,
}

impl Walker {
    /// A walk that has nothing to do (an idle lane).
    const FINISHED: Walker = Walker { node: NIL, node_mass: 0, best_num: 0, best_den: 1, f: Fractions::START };
}

/// Is this child reference a leaf?
#[inline(always)]
fn is_leaf(r: u32) -> bool {
    r & LEAF_BIT != 0
}

/// `max(v, 0)` for finite `v`, as bit operations (the sign bit, smeared, masks the value), so
/// that the compiler neither branches nor adds NaN handling.
#[inline(always)]
fn pos(v: f32) -> f32 {
    let bits = v.to_bits();
    let negative = ((bits as i32) >> 31) as u32;
    f32::from_bits(bits & !negative)
}

/// The smaller of two finite floats (no NaN handling, so it compiles to one instruction).
#[inline(always)]
fn fmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// The larger of two finite floats (no NaN handling, so it compiles to one instruction).
#[inline(always)]
fn fmax(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

/// Sums four lane accumulators left to right.
#[inline(always)]
fn hsum(acc: [f32; LANE]) -> f32 {
    ((acc[0] + acc[1]) + acc[2]) + acc[3]
}

/// The gap: the sum over dimensions of the distance from `p` to the box `[lo, hi]`, i.e. of
/// `max(lo − p, 0) + max(p − hi, 0)` (at most one term is positive, as `lo ≤ hi`). All slices
/// have the same length, a multiple of [`LANE`]; each lane accumulates its dimensions in order
/// and lanes are summed left to right — a fixed order the compiler can vectorise.
#[allow(clippy::needless_range_loop)] // lane-indexed on purpose: the compiler vectorises it
#[inline(always)]
fn gap_of(lo: &[f32], hi: &[f32], p: &[f32]) -> f32 {
    let mut g = [0f32; LANE];
    for c in 0..p.len() / LANE {
        for i in 0..LANE {
            let k = LANE * c + i;
            g[i] += pos(lo[k] - p[k]) + pos(p[k] - hi[k]);
        }
    }
    hsum(g)
}

/// The range of the box `[lo, hi]`: the sum of its extents (same order as [`gap_of`]).
#[allow(clippy::needless_range_loop)] // lane-indexed on purpose: the compiler vectorises it
#[inline(always)]
fn range_of(lo: &[f32], hi: &[f32]) -> f32 {
    let mut r = [0f32; LANE];
    for c in 0..lo.len() / LANE {
        for i in 0..LANE {
            let k = LANE * c + i;
            r[i] += hi[k] - lo[k];
        }
    }
    hsum(r)
}

/// L1 distance between two points (same summation order as [`gap_of`]).
#[allow(clippy::needless_range_loop)] // lane-indexed on purpose: the compiler vectorises it
#[inline(always)]
fn l1(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANE];
    for c in 0..a.len() / LANE {
        for i in 0..LANE {
            let k = LANE * c + i;
            acc[i] += (a[k] - b[k]).abs();
        }
    }
    hsum(acc)
}

/// Whether `p` lies outside the box `[lo, hi]` (equivalently, its gap is positive). Written as
/// a lane-wise OR of comparisons, which compiles to a few vector instructions: the common case
/// of a walk (the point inside the box) costs no arithmetic.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lane-indexed on purpose: the compiler vectorises it
fn outside(lo: &[f32], hi: &[f32], p: &[f32]) -> bool {
    let mut out = [0u32; LANE];
    for c in 0..p.len() / LANE {
        for i in 0..LANE {
            let k = LANE * c + i;
            out[i] |= u32::from(p[k] < lo[k]) | u32::from(p[k] > hi[k]);
        }
    }
    (out[0] | out[1] | out[2] | out[3]) != 0
}

/// `if cond { a } else { b }` without a branch (the conditions of a walk are data-dependent
/// and would be mispredicted often).
#[inline(always)]
fn select(cond: bool, a: u32, b: u32) -> u32 {
    let m = u32::from(cond).wrapping_neg();
    (a & m) | (b & !m)
}

/// `max(mass, num / den)` as a fraction `(numerator, denominator)`.
#[inline(always)]
fn codisp_fraction(mass: u32, num: u32, den: u32) -> (f64, f64) {
    let use_mass = u64::from(mass) * u64::from(den) >= u64::from(num);
    (f64::from(select(use_mass, mass, num)), f64::from(select(use_mass, 1, den)))
}

/// Folds the displacement ratio `num / den` of the next node into the running maximum
/// `best_num / best_den` (compared exactly by cross-multiplication), without a branch.
#[inline(always)]
fn fold_ratio(best_num: &mut u32, best_den: &mut u32, num: u32, den: u32) {
    let better = u64::from(num) * u64::from(*best_den) > u64::from(*best_num) * u64::from(den);
    *best_num = select(better, num, *best_num);
    *best_den = select(better, den, *best_den);
}

/// The running sums of a scoring walk, kept as fractions over a common denominator so that a
/// step divides nothing: the probability of reaching the current node is `n / d` and the
/// expected CoDisp accumulated so far is `a / d`. Being cut off at a node with gap `g`, range
/// `r` (total `t = g + r`) and CoDisp `c = cn / cd` adds `(n / d) · (g / t) · c` to the score
/// and multiplies the reach by `r / t`.
#[derive(Clone, Copy, Debug)]
struct Fractions {
    a: f64,
    n: f64,
    d: f64,
}

impl Fractions {
    const START: Fractions = Fractions { a: 0.0, n: 1.0, d: 1.0 };

    /// Accounts for a node whose box `p` lies outside; returns the factor by which earlier
    /// attribution shares (kept over the same denominator) must be scaled, and the weight of this
    /// node's per-dimension gaps in them.
    #[inline(always)]
    fn separate(&mut self, gap: f32, range: f32, cn: f64, cd: f64) -> (f64, f64) {
        let g = f64::from(gap);
        let t = g + f64::from(range);
        let scale = t * cd;
        let weight = self.n * cn;
        self.a = self.a * scale + weight * g;
        self.n *= f64::from(range) * cd;
        self.d *= scale;
        (scale, weight)
    }

    /// Keeps the denominator within range (rarely needed: only for extreme coordinates or very
    /// deep paths). Returns the factor applied to all three.
    #[inline(always)]
    fn renormalise(&mut self) -> f64 {
        if (1e-150..1e150).contains(&self.d) {
            return 1.0;
        }
        let f = 1.0 / self.d;
        self.a *= f;
        self.n *= f;
        self.d = 1.0;
        f
    }
}

/// Copies `p` into `buf` (or `heap`), padded with zeros to `lanes`.
fn pad<'a>(p: &[f32], lanes: usize, buf: &'a mut [f32; STACK_DIMS], heap: &'a mut Vec<f32>) -> &'a [f32] {
    let out: &mut [f32] = if lanes <= STACK_DIMS {
        &mut buf[..lanes]
    } else {
        heap.resize(lanes, 0.0);
        &mut heap[..]
    };
    out[..p.len()].copy_from_slice(p);
    out[p.len()..].fill(0.0);
    out
}

impl RcTree {
    /// An empty tree for points of `dims` coordinates, with room reserved for `capacity` points.
    pub fn new(dims: usize, capacity: usize) -> Self {
        let lanes = lanes_for(dims);
        let stride = 2 * lanes + META;
        let branches = capacity.saturating_sub(1);
        RcTree {
            dims,
            lanes,
            stride,
            branches: Vec::with_capacity(branches * stride),
            parents: Vec::with_capacity(branches),
            free_branches: Vec::new(),
            leaves: Vec::with_capacity(capacity),
            points: Vec::with_capacity(capacity * lanes),
            free_leaves: Vec::new(),
            root: NIL,
        }
    }

    /// Number of coordinates per point.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of points held, duplicates counted.
    pub fn len(&self) -> usize {
        self.mass(self.root) as usize
    }

    /// Whether the tree holds no point.
    pub fn is_empty(&self) -> bool {
        self.root == NIL
    }

    /// Number of leaves (distinct points).
    pub fn leaf_count(&self) -> usize {
        self.leaves.len() - self.free_leaves.len()
    }

    /// The coordinates held by a leaf, or `None` for a stale handle.
    pub fn leaf_point(&self, leaf: LeafId) -> Option<&[f32]> {
        let i = leaf.0 as usize;
        match self.leaves.get(i) {
            Some(l) if l.mass > 0 => Some(&self.point(i)[..self.dims]),
            _ => None,
        }
    }

    /// How many copies of its point a leaf holds (0 for a stale handle).
    pub fn leaf_mass(&self, leaf: LeafId) -> u32 {
        self.leaves.get(leaf.0 as usize).map_or(0, |l| l.mass)
    }

    /// A leaf's padded point.
    #[inline(always)]
    fn point(&self, leaf: usize) -> &[f32] {
        &self.points[leaf * self.lanes..(leaf + 1) * self.lanes]
    }

    /// The record of a branch.
    #[inline(always)]
    fn rec(&self, branch: usize) -> &[f32] {
        &self.branches[branch * self.stride..(branch + 1) * self.stride]
    }

    /// A `u32` field of a branch record.
    #[inline(always)]
    fn field(&self, branch: usize, off: usize) -> u32 {
        self.branches[branch * self.stride + 2 * self.lanes + off].to_bits()
    }

    #[inline(always)]
    fn set_field(&mut self, branch: usize, off: usize, v: u32) {
        let i = branch * self.stride + 2 * self.lanes + off;
        self.branches[i] = f32::from_bits(v);
    }

    /// Cut dimension and value of a branch.
    #[inline(always)]
    fn cut(&self, branch: usize) -> (usize, f32) {
        let i = branch * self.stride + 2 * self.lanes;
        (self.branches[i + DIM].to_bits() as usize, self.branches[i + CUT])
    }

    /// The child of a branch on `p`'s side of its cut, and that side (0 left, 1 right).
    #[inline(always)]
    fn child_towards(&self, branch: usize, p: &[f32]) -> (u32, usize) {
        let (dim, cut) = self.cut(branch);
        let side = usize::from(p[dim] > cut);
        (self.field(branch, CHILD + side), side)
    }

    /// Which slot (0 left, 1 right) of `branch` holds `child`.
    #[inline(always)]
    fn slot_of(&self, branch: usize, child: u32) -> usize {
        usize::from(self.field(branch, CHILD) != child)
    }

    /// Minima and maxima of a branch's bounding box (padded).
    #[inline(always)]
    fn bbox(&self, branch: usize) -> (&[f32], &[f32]) {
        let l = self.lanes;
        self.rec(branch)[..2 * l].split_at(l)
    }

    /// Bounding box of any node (a leaf's box is its point).
    #[inline(always)]
    fn node_box(&self, r: u32) -> (&[f32], &[f32]) {
        if is_leaf(r) {
            let p = self.point((r & !LEAF_BIT) as usize);
            (p, p)
        } else {
            self.bbox(r as usize)
        }
    }

    /// Mass of a branch (sum of its children's).
    #[inline(always)]
    fn branch_mass(&self, branch: usize) -> u32 {
        self.field(branch, CHILD_MASS) + self.field(branch, CHILD_MASS + 1)
    }

    /// Mass of any node (0 for `NIL`).
    #[inline(always)]
    fn mass(&self, r: u32) -> u32 {
        if r == NIL {
            0
        } else if is_leaf(r) {
            self.leaves[(r & !LEAF_BIT) as usize].mass
        } else {
            self.branch_mass(r as usize)
        }
    }

    #[inline(always)]
    fn parent(&self, r: u32) -> u32 {
        if is_leaf(r) {
            self.leaves[(r & !LEAF_BIT) as usize].parent
        } else {
            self.parents[r as usize]
        }
    }

    #[inline(always)]
    fn set_parent(&mut self, r: u32, parent: u32) {
        if is_leaf(r) {
            self.leaves[(r & !LEAF_BIT) as usize].parent = parent;
        } else {
            self.parents[r as usize] = parent;
        }
    }

    /// Makes `new` take `old`'s place under `parent` (or as root); the slot's mass is left as is.
    fn replace_child(&mut self, parent: u32, old: u32, new: u32) {
        if parent == NIL {
            self.root = new;
        } else {
            let slot = self.slot_of(parent as usize, old);
            self.set_field(parent as usize, CHILD + slot, new);
        }
        self.set_parent(new, parent);
    }

    /// Adds `delta` to the masses recorded for `child`'s path, from its parent up to the root.
    fn adjust_masses_above(&mut self, mut child: u32, delta: i32) {
        let mut a = self.parent(child);
        while a != NIL {
            let slot = self.slot_of(a as usize, child);
            let m = self.field(a as usize, CHILD_MASS + slot);
            self.set_field(a as usize, CHILD_MASS + slot, m.wrapping_add_signed(delta));
            child = a;
            a = self.parents[a as usize];
        }
    }

    fn alloc_leaf(&mut self, p: &[f32], parent: u32) -> u32 {
        let leaf = Leaf { parent, mass: 1 };
        if let Some(i) = self.free_leaves.pop() {
            self.leaves[i as usize] = leaf;
            let l = self.lanes;
            self.points[i as usize * l..(i as usize + 1) * l].copy_from_slice(p);
            i
        } else {
            self.leaves.push(leaf);
            self.points.extend_from_slice(p);
            (self.leaves.len() - 1) as u32
        }
    }

    /// Allocates a branch record (box and fields filled by the caller) and returns its index.
    fn alloc_branch(&mut self, parent: u32) -> u32 {
        if let Some(i) = self.free_branches.pop() {
            self.parents[i as usize] = parent;
            i
        } else {
            self.branches.resize(self.branches.len() + self.stride, 0.0);
            self.parents.push(parent);
            (self.parents.len() - 1) as u32
        }
    }

    /// Inserts `p` (exactly `dims` finite coordinates) and returns its leaf.
    ///
    /// The walk goes down from the root once. At each node whose box does not contain `p`, one
    /// uniform draw over the box extended by `p` decides whether the cut falls between `p` and
    /// the box; if it does, a new branch with that cut takes the node's place, with `p`'s new
    /// leaf on one side and the node on the other. Otherwise the node's box is extended and the
    /// mass recorded for the child taken is incremented on the way down. A point equal to an
    /// existing leaf's point joins that leaf.
    pub fn insert<R: Rng + ?Sized>(&mut self, p: &[f32], rng: &mut R) -> LeafId {
        debug_assert_eq!(p.len(), self.dims);
        let (mut buf, mut heap) = ([0f32; STACK_DIMS], Vec::new());
        let p = pad(p, self.lanes, &mut buf, &mut heap);
        self.insert_padded(p, rng)
    }

    /// [`RcTree::insert`] for a point already padded to the tree's lanes.
    pub(crate) fn insert_padded<R: Rng + ?Sized>(&mut self, p: &[f32], rng: &mut R) -> LeafId {
        debug_assert_eq!(p.len(), self.lanes);
        if self.root == NIL {
            let l = self.alloc_leaf(p, NIL);
            self.root = l | LEAF_BIT;
            return LeafId(l);
        }
        let lanes = self.lanes;
        let mut node = self.root;
        loop {
            let (gap, range) = if is_leaf(node) {
                let y = self.point((node & !LEAF_BIT) as usize);
                (gap_of(y, y, p), 0.0)
            } else {
                let (lo, hi) = self.bbox(node as usize);
                if outside(lo, hi, p) {
                    (gap_of(lo, hi, p), self.rec(node as usize)[2 * lanes + RANGE])
                } else {
                    (0.0, 0.0)
                }
            };
            if gap > 0.0 {
                let total = f64::from(gap) + f64::from(range);
                let r = rng.gen::<f64>() * total;
                if r < f64::from(gap) || is_leaf(node) {
                    return self.split_at(node, p, r);
                }
            } else if is_leaf(node) {
                // Inside a leaf's (point) box: a duplicate.
                let li = (node & !LEAF_BIT) as usize;
                self.leaves[li].mass += 1;
                return LeafId(li as u32);
            }
            // Not separated here, so `node` is a branch (a leaf with a gap always separates: its
            // range is zero).
            let bi = node as usize;
            if gap > 0.0 {
                self.extend_box(bi, p);
            }
            let (child, side) = self.child_towards(bi, p);
            let m = self.field(bi, CHILD_MASS + side);
            self.set_field(bi, CHILD_MASS + side, m + 1);
            node = child;
        }
    }

    /// Scores `p` exactly as [`RcTree::score_padded`] does (on the tree as it is before the
    /// insertion) and inserts it as [`RcTree::insert_padded`] does (same draws, same result), in
    /// one walk: the box arithmetic of each node serves both. A node is modified only after its
    /// contribution to the score has been computed, and once `p` has been placed the walk goes
    /// on, read-only, through the (unchanged) subtree it was placed beside.
    pub(crate) fn score_and_insert_padded<R: Rng + ?Sized>(&mut self, p: &[f32], rng: &mut R) -> (f64, LeafId) {
        match self.lanes {
            4 => self.score_insert::<4, R>(p, rng),
            8 => self.score_insert::<8, R>(p, rng),
            12 => self.score_insert::<12, R>(p, rng),
            16 => self.score_insert::<16, R>(p, rng),
            24 => self.score_insert::<24, R>(p, rng),
            32 => self.score_insert::<32, R>(p, rng),
            _ => self.score_insert::<0, R>(p, rng),
        }
    }

    #[inline(always)]
    fn score_insert<const L: usize, R: Rng + ?Sized>(&mut self, p: &[f32], rng: &mut R) -> (f64, LeafId) {
        let lanes = if L == 0 { self.lanes } else { L };
        debug_assert_eq!(lanes, self.lanes);
        let stride = 2 * lanes + META;
        let p = &p[..lanes];
        if self.root == NIL {
            let l = self.alloc_leaf(p, NIL);
            self.root = l | LEAF_BIT;
            return (0.0, LeafId(l));
        }
        let mut node = self.root;
        let mut node_mass = self.mass(node);
        let (mut best_num, mut best_den) = (0u32, 1u32);
        let mut f = Fractions::START;
        let mut inserted: Option<LeafId> = None;
        while !is_leaf(node) {
            let bi = node as usize;
            let (out, gap, range, side, child, child_mass) = {
                let rec = &self.branches[bi * stride..][..stride];
                let (lo, rest) = rec.split_at(lanes);
                let (hi, meta) = rest.split_at(lanes);
                let out = outside(lo, hi, p);
                let (gap, range) = if out { (gap_of(lo, hi, p), meta[RANGE]) } else { (0.0, 0.0) };
                let side = usize::from(p[meta[DIM].to_bits() as usize] > meta[CUT]);
                (out, gap, range, side, meta[CHILD + side].to_bits(), meta[CHILD_MASS + side].to_bits())
            };
            if out {
                let (cn, cd) = codisp_fraction(node_mass, best_num, best_den);
                f.separate(gap, range, cn, cd);
                f.renormalise();
            }
            if inserted.is_none() {
                let mut separated = false;
                if out {
                    let r = rng.gen::<f64>() * (f64::from(gap) + f64::from(range));
                    if r < f64::from(gap) {
                        inserted = Some(self.split_at_lanes::<L>(node, p, r));
                        separated = true;
                    } else {
                        self.extend_box_lanes::<L>(bi, p);
                    }
                }
                if !separated {
                    let m = self.field(bi, CHILD_MASS + side);
                    self.set_field(bi, CHILD_MASS + side, m + 1);
                }
            }
            fold_ratio(&mut best_num, &mut best_den, node_mass - child_mass, child_mass + 1);
            node = child;
            node_mass = child_mass;
        }
        let li = (node & !LEAF_BIT) as usize;
        let (dist, gap) = {
            let y = &self.points[li * lanes..][..lanes];
            (l1(p, y), if inserted.is_none() { gap_of(y, y, p) } else { 0.0 })
        };
        let (cn, cd) = if dist > 0.0 {
            codisp_fraction(node_mass, best_num, best_den)
        } else {
            (f64::from(best_num), f64::from(best_den))
        };
        let score = (f.a + f.n * (cn / cd)) / f.d;
        let leaf = match inserted {
            Some(leaf) => leaf,
            None if gap > 0.0 => {
                let r = rng.gen::<f64>() * f64::from(gap);
                self.split_at_lanes::<L>(node, p, r)
            }
            None => {
                self.leaves[li].mass += 1;
                LeafId(li as u32)
            }
        };
        (score, leaf)
    }

    /// Creates the branch that separates `p` from `node`: `r` is the uniform draw, already known
    /// to fall in the gaps (`r < gap`); the cut sits at offset `r` along the concatenated gaps.
    fn split_at(&mut self, node: u32, p: &[f32], r: f64) -> LeafId {
        match self.lanes {
            4 => self.split_at_lanes::<4>(node, p, r),
            8 => self.split_at_lanes::<8>(node, p, r),
            12 => self.split_at_lanes::<12>(node, p, r),
            16 => self.split_at_lanes::<16>(node, p, r),
            _ => self.split_at_lanes::<0>(node, p, r),
        }
    }

    /// [`RcTree::split_at`] with `L` lanes known at compile time (0: read from the tree).
    #[inline(always)]
    fn split_at_lanes<const L: usize>(&mut self, node: u32, p: &[f32], mut r: f64) -> LeafId {
        let lanes = if L == 0 { self.lanes } else { L };
        let stride = 2 * lanes + META;
        let p = &p[..lanes];
        let (lo, hi) = self.node_box_lanes::<L>(node);
        let mut cut_dim = 0usize;
        let mut cut = 0.0f32;
        let mut p_left = true;
        let mut last_gap_dim = None;
        for k in 0..self.dims {
            let (g, below) = if p[k] < lo[k] {
                (lo[k] - p[k], true)
            } else if p[k] > hi[k] {
                (p[k] - hi[k], false)
            } else {
                continue;
            };
            last_gap_dim = Some((k, below));
            if r < f64::from(g) {
                (cut_dim, cut, p_left) = cut_in_gap(k, below, lo[k], hi[k], p[k], r);
                last_gap_dim = None;
                break;
            }
            r -= f64::from(g);
        }
        if let Some((k, below)) = last_gap_dim {
            // Rounding left `r` past the last gap: cut at the end of that gap.
            (cut_dim, cut, p_left) = cut_in_gap(k, below, lo[k], hi[k], p[k], f64::INFINITY);
        }
        let parent = self.parent(node);
        let node_mass = self.mass(node);
        let leaf = self.alloc_leaf(p, NIL) | LEAF_BIT;
        let b = self.alloc_branch(parent) as usize;
        // Box of the new branch: the node's box extended by p.
        let base = b * stride;
        if is_leaf(node) {
            let li = (node & !LEAF_BIT) as usize;
            let y = &self.points[li * lanes..(li + 1) * lanes];
            let (mn, mx) = self.branches[base..base + 2 * lanes].split_at_mut(lanes);
            for k in 0..lanes {
                mn[k] = fmin(y[k], p[k]);
                mx[k] = fmax(y[k], p[k]);
            }
        } else {
            let src = node as usize * stride;
            self.branches.copy_within(src..src + 2 * lanes, base);
            let (mn, mx) = self.branches[base..base + 2 * lanes].split_at_mut(lanes);
            for k in 0..lanes {
                mn[k] = fmin(mn[k], p[k]);
                mx[k] = fmax(mx[k], p[k]);
            }
        }
        let (left, right, left_mass, right_mass) =
            if p_left { (leaf, node, 1, node_mass) } else { (node, leaf, node_mass, 1) };
        let rec = &mut self.branches[base..][..stride];
        let range = range_of(&rec[..lanes], &rec[lanes..2 * lanes]);
        let meta = &mut rec[2 * lanes..];
        meta[RANGE] = range;
        meta[CUT] = cut;
        meta[DIM] = f32::from_bits(cut_dim as u32);
        meta[CHILD] = f32::from_bits(left);
        meta[CHILD + 1] = f32::from_bits(right);
        meta[CHILD_MASS] = f32::from_bits(left_mass);
        meta[CHILD_MASS + 1] = f32::from_bits(right_mass);
        let b = b as u32;
        // The parent's slot already counts p (incremented on the way down).
        self.replace_child(parent, node, b);
        self.set_parent(node, b);
        self.set_parent(leaf, b);
        LeafId(leaf & !LEAF_BIT)
    }

    /// Removes one copy of a leaf's point. Returns `false` (and changes nothing) for a stale
    /// handle.
    ///
    /// When the last copy goes, the leaf's parent branch is spliced out (the sibling takes its
    /// place), masses are decremented up to the root, and bounding boxes are recomputed from the
    /// children upwards until one comes out unchanged (every box above it is then unchanged too).
    pub fn remove(&mut self, leaf: LeafId) -> bool {
        let li = leaf.0 as usize;
        let Some(&l) = self.leaves.get(li) else { return false };
        if l.mass == 0 {
            return false;
        }
        let me = leaf.0 | LEAF_BIT;
        if l.mass > 1 {
            self.leaves[li].mass -= 1;
            self.adjust_masses_above(me, -1);
            return true;
        }
        self.leaves[li].mass = 0;
        self.free_leaves.push(li as u32);
        let p = l.parent;
        if p == NIL {
            self.root = NIL;
            return true;
        }
        let pi = p as usize;
        let sibling = self.field(pi, CHILD + 1 - self.slot_of(pi, me));
        let g = self.parents[pi];
        self.replace_child(g, p, sibling);
        self.free_branches.push(p);
        if g == NIL {
            return true;
        }
        // g's slot held p's mass (sibling + 1): it now holds the sibling's.
        let slot = self.slot_of(g as usize, sibling);
        let m = self.field(g as usize, CHILD_MASS + slot);
        self.set_field(g as usize, CHILD_MASS + slot, m - 1);
        self.adjust_masses_above(g, -1);
        let mut a = g;
        while a != NIL && self.recompute_box(a as usize) {
            a = self.parents[a as usize];
        }
        true
    }

    /// Extends a branch's box to contain `p` (padded) and updates its range.
    fn extend_box(&mut self, bi: usize, p: &[f32]) {
        match self.lanes {
            4 => self.extend_box_lanes::<4>(bi, p),
            8 => self.extend_box_lanes::<8>(bi, p),
            12 => self.extend_box_lanes::<12>(bi, p),
            16 => self.extend_box_lanes::<16>(bi, p),
            _ => self.extend_box_lanes::<0>(bi, p),
        }
    }

    /// [`RcTree::extend_box`] with `L` lanes known at compile time (0: read from the tree), so
    /// that the loops are unrolled and vectorised.
    #[inline(always)]
    fn extend_box_lanes<const L: usize>(&mut self, bi: usize, p: &[f32]) {
        let lanes = if L == 0 { self.lanes } else { L };
        let stride = 2 * lanes + META;
        let p = &p[..lanes];
        let rec = &mut self.branches[bi * stride..][..stride];
        {
            let (mn, mx) = rec[..2 * lanes].split_at_mut(lanes);
            for k in 0..lanes {
                mn[k] = fmin(mn[k], p[k]);
                mx[k] = fmax(mx[k], p[k]);
            }
        }
        rec[2 * lanes + RANGE] = range_of(&rec[..lanes], &rec[lanes..2 * lanes]);
    }

    /// Recomputes a branch's box as the union of its children's; returns whether it changed.
    fn recompute_box(&mut self, bi: usize) -> bool {
        match self.lanes {
            4 => self.recompute_box_lanes::<4>(bi),
            8 => self.recompute_box_lanes::<8>(bi),
            12 => self.recompute_box_lanes::<12>(bi),
            16 => self.recompute_box_lanes::<16>(bi),
            _ => self.recompute_box_lanes::<0>(bi),
        }
    }

    /// [`RcTree::recompute_box`] with `L` lanes known at compile time (0: read from the tree).
    #[inline(always)]
    fn recompute_box_lanes<const L: usize>(&mut self, bi: usize) -> bool {
        const SMALL: usize = 16;
        let lanes = if L == 0 { self.lanes } else { L };
        let (left, right) = (self.field(bi, CHILD), self.field(bi, CHILD + 1));
        let mut small = [0f32; 2 * SMALL];
        let mut large = Vec::new();
        let union: &mut [f32] = if lanes <= SMALL {
            &mut small[..2 * lanes]
        } else {
            large.resize(2 * lanes, 0.0);
            &mut large[..]
        };
        {
            let (l1, h1) = self.node_box_lanes::<L>(left);
            let (l2, h2) = self.node_box_lanes::<L>(right);
            let (lo, hi) = union.split_at_mut(lanes);
            for k in 0..lanes {
                lo[k] = fmin(l1[k], l2[k]);
                hi[k] = fmax(h1[k], h2[k]);
            }
        }
        let stride = 2 * lanes + META;
        let rec = &mut self.branches[bi * stride..][..stride];
        // Compared lane by lane without early exit, so that the comparison is vectorised.
        let mut same = true;
        for (a, b) in rec[..2 * lanes].iter().zip(union.iter()) {
            same &= *a == *b;
        }
        if same {
            return false;
        }
        rec[..2 * lanes].copy_from_slice(union);
        rec[2 * lanes + RANGE] = range_of(&rec[..lanes], &rec[lanes..2 * lanes]);
        true
    }

    /// [`RcTree::node_box`] with `L` lanes known at compile time (0: read from the tree).
    #[inline(always)]
    fn node_box_lanes<const L: usize>(&self, r: u32) -> (&[f32], &[f32]) {
        let lanes = if L == 0 { self.lanes } else { L };
        if is_leaf(r) {
            let p = &self.points[(r & !LEAF_BIT) as usize * lanes..][..lanes];
            (p, p)
        } else {
            self.branches[r as usize * (2 * lanes + META)..][..2 * lanes].split_at(lanes)
        }
    }

    /// Finds the leaf holding `p` by following the cuts from the root, if `p` is in the tree.
    pub fn find(&self, p: &[f32]) -> Option<LeafId> {
        let (mut buf, mut heap) = ([0f32; STACK_DIMS], Vec::new());
        let p = pad(p, self.lanes, &mut buf, &mut heap);
        let mut node = self.root;
        if node == NIL {
            return None;
        }
        while !is_leaf(node) {
            node = self.child_towards(node as usize, p).0;
        }
        let li = node & !LEAF_BIT;
        (self.point(li as usize) == p).then_some(LeafId(li))
    }

    /// Depth of the leaf `p` would be looked up in (number of branches above it), or `None` for
    /// an empty tree. Used by tests and diagnostics.
    pub fn depth_of(&self, p: &[f32]) -> Option<usize> {
        let (mut buf, mut heap) = ([0f32; STACK_DIMS], Vec::new());
        let p = pad(p, self.lanes, &mut buf, &mut heap);
        let mut node = self.root;
        if node == NIL {
            return None;
        }
        let mut depth = 0;
        while !is_leaf(node) {
            node = self.child_towards(node as usize, p).0;
            depth += 1;
        }
        Some(depth)
    }

    /// The collusive displacement of a point already in the tree (Guha et al., the definition
    /// the `rrcf` package uses): the largest, over the nodes `v` on the path from the leaf up to
    /// a child of the root, of `mass(sibling(v)) / mass(v)`. 0 for a stale handle or a lone root.
    pub fn codisp_of_leaf(&self, leaf: LeafId) -> f64 {
        if self.leaf_mass(leaf) == 0 {
            return 0.0;
        }
        let mut node = leaf.0 | LEAF_BIT;
        let mut best = 0.0f64;
        loop {
            let parent = self.parent(node);
            if parent == NIL {
                return best;
            }
            let slot = self.slot_of(parent as usize, node);
            let m = self.field(parent as usize, CHILD_MASS + slot);
            let sibling = self.field(parent as usize, CHILD_MASS + 1 - slot);
            best = best.max(f64::from(sibling) / f64::from(m));
            node = parent;
        }
    }

    /// Expected collusive displacement of inserting `p` (not inserted), without attribution.
    ///
    /// See [`RcTree::score_into`] for the definition.
    pub fn score(&self, p: &[f32]) -> f64 {
        debug_assert_eq!(p.len(), self.dims);
        let (mut buf, mut heap) = ([0f32; STACK_DIMS], Vec::new());
        let p = pad(p, self.lanes, &mut buf, &mut heap);
        self.score_padded(p)
    }

    /// Expected collusive displacement of inserting `p`, and its split over dimensions added to
    /// `attribution` (which must have `dims` entries); the shares added sum to the returned
    /// score.
    ///
    /// Inserting `p` would, at the first node `v` on `p`'s path whose cut falls between `p` and
    /// `v`'s box, make `p` a new leaf beside `v`. Given that, `p`'s CoDisp is `max(mass(v),
    /// M(v))`, where `mass(v)` is the displacement at `p`'s own level (sibling `v` over a single
    /// point) and `M(v)` is the largest `mass(sibling(w)) / (mass(w) + 1)` over `v` and its
    /// ancestors below the root. The probability of separating at `v` is the product of not
    /// separating above and `gap(v) / range(box(v) ∪ p)`, where `gap` is the L1 distance from `p`
    /// to the box; at the leaf the rest of the probability goes to "separated from the leaf"
    /// (or "duplicate" when `p` equals the leaf's point, which then adds one to that leaf's mass).
    /// The expectation over this insertion randomness is computed exactly in one walk down.
    ///
    /// The separation probability at a node splits by dimension: dimension `k` takes
    /// `gap_k / range`, so each node's contribution `P(reach v) · gap_k / range · CoDisp(v)` goes
    /// to dimension `k`. At the leaf, the split follows `|p_k − y_k|`; a duplicate's (small)
    /// contribution is split evenly.
    pub fn score_into(&self, p: &[f32], attribution: &mut [f64]) -> f64 {
        debug_assert_eq!(p.len(), self.dims);
        debug_assert_eq!(attribution.len(), self.dims);
        let (mut buf, mut heap) = ([0f32; STACK_DIMS], Vec::new());
        let p = pad(p, self.lanes, &mut buf, &mut heap);
        self.score_into_padded(p, attribution)
    }

    /// [`RcTree::score`] for a point padded to the tree's lanes. Dispatches to a walk inlined for
    /// the number of lanes, so that the box arithmetic is unrolled.
    #[inline]
    pub(crate) fn score_padded(&self, p: &[f32]) -> f64 {
        let mut score = 0.0;
        Self::score_padded_queue(1, |_| self, p, |_, s| score = s);
        score
    }

    /// [`RcTree::score_into`] for a point padded to the tree's lanes.
    pub(crate) fn score_into_padded(&self, p: &[f32], attribution: &mut [f64]) -> f64 {
        self.walk::<true, 0>(p, attribution)
    }

    /// The scoring walk (see [`RcTree::score_into`]). `L` is the number of lanes, as a constant
    /// so that the box arithmetic is unrolled, or 0 for "read it from the tree".
    #[inline(always)]
    fn walk<const ATTR: bool, const L: usize>(&self, p: &[f32], attr: &mut [f64]) -> f64 {
        let lanes = if L == 0 { self.lanes } else { L };
        debug_assert_eq!(lanes, self.lanes);
        let stride = 2 * lanes + META;
        let p = &p[..lanes];
        let mut node = self.root;
        if node == NIL {
            return 0.0;
        }
        let mut node_mass = self.mass(node);
        // The largest mass(sibling(w)) / (mass(w) + 1) seen on the way down, kept as a fraction
        // (compared by cross-multiplication).
        let (mut best_num, mut best_den) = (0u32, 1u32);
        let mut f = Fractions::START;
        // Attribution shares, over the same denominator as `f.a`.
        let dims = attr.len();
        let mut shares = [0f64; STACK_DIMS];
        let mut shares_heap = Vec::new();
        let shares: &mut [f64] = if !ATTR {
            &mut []
        } else if dims <= STACK_DIMS {
            &mut shares[..dims]
        } else {
            shares_heap.resize(dims, 0.0);
            &mut shares_heap[..]
        };
        while !is_leaf(node) {
            let rec = &self.branches[node as usize * stride..][..stride];
            let (lo, rest) = rec.split_at(lanes);
            let (hi, meta) = rest.split_at(lanes);
            if outside(lo, hi, p) {
                let (gap, range) = (gap_of(lo, hi, p), meta[RANGE]);
                let (cn, cd) = codisp_fraction(node_mass, best_num, best_den);
                let (scale, weight) = f.separate(gap, range, cn, cd);
                if ATTR {
                    for (k, s) in shares.iter_mut().enumerate() {
                        let g = pos(lo[k] - p[k]) + pos(p[k] - hi[k]);
                        *s = *s * scale + weight * f64::from(g);
                    }
                }
                let r = f.renormalise();
                if ATTR && r != 1.0 {
                    for s in shares.iter_mut() {
                        *s *= r;
                    }
                }
            }
            let side = usize::from(p[meta[DIM].to_bits() as usize] > meta[CUT]);
            let child = meta[CHILD + side].to_bits();
            let child_mass = meta[CHILD_MASS + side].to_bits();
            fold_ratio(&mut best_num, &mut best_den, node_mass - child_mass, child_mass + 1);
            node = child;
            node_mass = child_mass;
        }
        let li = (node & !LEAF_BIT) as usize;
        let y = &self.points[li * lanes..][..lanes];
        let dist = l1(p, y);
        let (cn, cd) = if dist > 0.0 {
            codisp_fraction(node_mass, best_num, best_den)
        } else {
            (f64::from(best_num), f64::from(best_den))
        };
        let leaf_term = f.n * (cn / cd);
        if ATTR {
            for (k, (s, a)) in shares.iter().zip(attr.iter_mut()).enumerate() {
                let part =
                    if dist > 0.0 { f64::from((p[k] - y[k]).abs()) / f64::from(dist) } else { 1.0 / dims as f64 };
                *a += (s + leaf_term * part) / f.d;
            }
        }
        (f.a + leaf_term) / f.d
    }

    /// Scores `p` in `n` trees (all of the same dimension; `tree_at(i)` is the `i`-th), four
    /// walks at a time, and hands each score to `out(i, score)`.
    ///
    /// A walk down one tree is a chain of dependent loads (record, cut dimension, coordinate,
    /// child), so a single walk leaves the CPU mostly waiting; four independent walks advanced
    /// in turn let it overlap them. When a walk ends, its lane starts the next tree, so the
    /// lanes stay busy until the last few trees. Each tree's arithmetic is exactly that of
    /// [`RcTree::score_padded`], so the scores are identical.
    pub(crate) fn score_padded_queue<'a>(
        n: usize,
        tree_at: impl Fn(usize) -> &'a RcTree,
        p: &[f32],
        out: impl FnMut(usize, f64),
    ) {
        if n == 0 {
            return;
        }
        match tree_at(0).lanes {
            4 => Self::walk_queue::<4, _, _>(n, tree_at, p, out),
            8 => Self::walk_queue::<8, _, _>(n, tree_at, p, out),
            12 => Self::walk_queue::<12, _, _>(n, tree_at, p, out),
            16 => Self::walk_queue::<16, _, _>(n, tree_at, p, out),
            24 => Self::walk_queue::<24, _, _>(n, tree_at, p, out),
            32 => Self::walk_queue::<32, _, _>(n, tree_at, p, out),
            _ => Self::walk_queue::<0, _, _>(n, tree_at, p, out),
        }
    }

    #[inline(always)]
    fn walk_queue<'a, const L: usize, T: Fn(usize) -> &'a RcTree, O: FnMut(usize, f64)>(
        n: usize,
        tree_at: T,
        p: &[f32],
        mut out: O,
    ) {
        const IDLE: usize = usize::MAX;
        let lanes = if L == 0 { tree_at(0).lanes } else { L };
        let p = &p[..lanes];
        let mut next = 0usize;
        let first = tree_at(0);
        let start = |next: &mut usize| -> (usize, &'a RcTree, Walker) {
            if *next < n {
                let i = *next;
                *next += 1;
                let t = tree_at(i);
                (i, t, t.walker())
            } else {
                (IDLE, first, Walker::FINISHED)
            }
        };
        let (mut i0, mut t0, mut w0) = start(&mut next);
        let (mut i1, mut t1, mut w1) = start(&mut next);
        let (mut i2, mut t2, mut w2) = start(&mut next);
        let (mut i3, mut t3, mut w3) = start(&mut next);
        // One step of one lane: advance its walk, or finish it and start the next tree. An idle
        // lane's walk is finished, so its step does nothing.
        macro_rules! lane {
            ($i:ident, $t:ident, $w:ident) => {
                if !$t.step::<L>(&mut $w, p) && $i != IDLE {
                    out($i, $t.finish::<L>(&$w, p));
                    ($i, $t, $w) = start(&mut next);
                }
            };
        }
        while (i0 & i1 & i2 & i3) != IDLE {
            lane!(i0, t0, w0);
            lane!(i1, t1, w1);
            lane!(i2, t2, w2);
            lane!(i3, t3, w3);
        }
    }

    /// A scoring walk standing at the root.
    #[inline(always)]
    fn walker(&self) -> Walker {
        Walker { node: self.root, node_mass: self.mass(self.root), best_num: 0, best_den: 1, f: Fractions::START }
    }

    /// One level of a scoring walk (see [`RcTree::score_into`]); `false` once the walk stands
    /// on a leaf (or the tree is empty: `NIL` has the leaf bit too).
    #[inline(always)]
    fn step<const L: usize>(&self, w: &mut Walker, p: &[f32]) -> bool {
        if is_leaf(w.node) {
            return false;
        }
        let lanes = if L == 0 { self.lanes } else { L };
        let stride = 2 * lanes + META;
        let rec = &self.branches[w.node as usize * stride..][..stride];
        let (lo, rest) = rec.split_at(lanes);
        let (hi, meta) = rest.split_at(lanes);
        if outside(lo, hi, p) {
            let (cn, cd) = codisp_fraction(w.node_mass, w.best_num, w.best_den);
            w.f.separate(gap_of(lo, hi, p), meta[RANGE], cn, cd);
            w.f.renormalise();
        }
        let side = usize::from(p[meta[DIM].to_bits() as usize] > meta[CUT]);
        let child = meta[CHILD + side].to_bits();
        let child_mass = meta[CHILD_MASS + side].to_bits();
        fold_ratio(&mut w.best_num, &mut w.best_den, w.node_mass - child_mass, child_mass + 1);
        w.node = child;
        w.node_mass = child_mass;
        true
    }

    /// The score of a finished walk: adds the leaf's term (cut off beside the leaf, or joining
    /// it as a duplicate).
    #[inline(always)]
    fn finish<const L: usize>(&self, w: &Walker, p: &[f32]) -> f64 {
        if w.node == NIL {
            return 0.0;
        }
        let lanes = if L == 0 { self.lanes } else { L };
        let li = (w.node & !LEAF_BIT) as usize;
        let y = &self.points[li * lanes..][..lanes];
        let (cn, cd) = if l1(p, y) > 0.0 {
            codisp_fraction(w.node_mass, w.best_num, w.best_den)
        } else {
            (f64::from(w.best_num), f64::from(w.best_den))
        };
        (w.f.a + w.f.n * (cn / cd)) / w.f.d
    }

    /// Whether `r` names an allocated leaf or branch.
    fn is_valid_ref(&self, r: u32) -> bool {
        if is_leaf(r) {
            ((r & !LEAF_BIT) as usize) < self.leaves.len()
        } else {
            (r as usize) < self.parents.len()
        }
    }

    /// The arena layout: sizes agree with the dimension, the root and every parent link and
    /// free-list entry is in range, free slots are free and listed once, points are finite.
    fn check_layout(&self) -> Result<(), String> {
        if self.dims == 0 || self.lanes != lanes_for(self.dims) || self.stride != 2 * self.lanes + META {
            return Err(format!(
                "layout of {} dimensions has lanes {} and stride {}",
                self.dims, self.lanes, self.stride
            ));
        }
        if self.branches.len() != self.parents.len() * self.stride
            || self.points.len() != self.leaves.len() * self.lanes
        {
            return Err("arena sizes disagree".into());
        }
        if self.parents.len() >= LEAF_BIT as usize || self.leaves.len() >= LEAF_BIT as usize {
            return Err("arena too large".into());
        }
        if self.root != NIL && !self.is_valid_ref(self.root) {
            return Err(format!("root {:#x} is out of range", self.root));
        }
        let parent_ok = |p: u32| p == NIL || (p as usize) < self.parents.len();
        if !self.parents.iter().all(|&p| parent_ok(p)) || !self.leaves.iter().all(|l| parent_ok(l.parent)) {
            return Err("a parent link is out of range".into());
        }
        if !self.points.iter().all(|x| x.is_finite()) {
            return Err("a coordinate is not finite".into());
        }
        let mut listed = vec![false; self.leaves.len()];
        for &i in &self.free_leaves {
            match listed.get_mut(i as usize) {
                Some(seen) if !*seen && self.leaves[i as usize].mass == 0 => *seen = true,
                _ => return Err(format!("free leaf {i} is out of range, live or listed twice")),
            }
        }
        let mut listed = vec![false; self.parents.len()];
        for &i in &self.free_branches {
            match listed.get_mut(i as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => return Err(format!("free branch {i} is out of range or listed twice")),
            }
        }
        Ok(())
    }

    /// Checks every structural invariant and returns the first violation found:
    /// parent links agree with child links; the masses a branch records for its children are
    /// their actual masses; each branch's box is exactly the union of its children's boxes; each
    /// cut separates its children (left box ≤ cut < right box in the cut dimension); the leaves
    /// reached from the root are exactly the live leaves, and their masses sum to the number of
    /// points.
    ///
    /// Never panics, whatever the tree holds (a tree read back from a file may be garbage): the
    /// layout and every index are checked before they are followed.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_layout()?;
        let live_leaves = self.leaves.iter().filter(|l| l.mass > 0).count();
        if self.root == NIL {
            return if live_leaves == 0 { Ok(()) } else { Err(format!("empty root but {live_leaves} live leaves")) };
        }
        if self.parent(self.root) != NIL {
            return Err("root has a parent".into());
        }
        let mut stack = vec![self.root];
        let mut leaves_seen = 0usize;
        let mut branches_seen = 0usize;
        let mut total = 0u64;
        while let Some(node) = stack.pop() {
            if is_leaf(node) {
                let li = (node & !LEAF_BIT) as usize;
                let l = &self.leaves[li];
                if l.mass == 0 {
                    return Err(format!("free leaf {li} reachable"));
                }
                if self.point(li)[self.dims..].iter().any(|&x| x != 0.0) {
                    return Err(format!("leaf {li}: padding is not zero"));
                }
                leaves_seen += 1;
                total += u64::from(l.mass);
                continue;
            }
            branches_seen += 1;
            let bi = node as usize;
            let (left, right) = (self.field(bi, CHILD), self.field(bi, CHILD + 1));
            for (slot, c) in [left, right].into_iter().enumerate() {
                if !self.is_valid_ref(c) {
                    return Err(format!("branch {node}: child {c:#x} is out of range"));
                }
                if self.parent(c) != node {
                    return Err(format!("child {c:#x} of branch {node} has parent {:#x}", self.parent(c)));
                }
                if self.field(bi, CHILD_MASS + slot) != self.mass(c) {
                    return Err(format!("branch {node}: recorded mass of child {slot} differs from its mass"));
                }
            }
            let (lo, hi) = self.bbox(bi);
            let (l1, h1) = self.node_box(left);
            let (l2, h2) = self.node_box(right);
            for k in 0..self.lanes {
                if lo[k] != l1[k].min(l2[k]) || hi[k] != h1[k].max(h2[k]) {
                    return Err(format!("branch {node}: box differs from the union of its children in dim {k}"));
                }
            }
            if self.rec(bi)[2 * self.lanes + RANGE] != range_of(lo, hi) {
                return Err(format!("branch {node}: stored range differs from its box's"));
            }
            let (k, cut) = self.cut(bi);
            if k >= self.dims || !(h1[k] <= cut && l2[k] > cut) {
                return Err(format!("branch {node}: cut {cut} in dim {k} does not separate its children"));
            }
            stack.push(left);
            stack.push(right);
        }
        if leaves_seen != live_leaves {
            return Err(format!("{leaves_seen} leaves reachable, {live_leaves} live"));
        }
        if branches_seen + self.free_branches.len() != self.parents.len() {
            return Err(format!(
                "{branches_seen} branches reachable + {} free != {} allocated",
                self.free_branches.len(),
                self.parents.len()
            ));
        }
        if leaves_seen != branches_seen + 1 {
            return Err(format!("{leaves_seen} leaves but {branches_seen} branches"));
        }
        if total != u64::from(self.mass(self.root)) {
            return Err(format!("leaf masses sum to {total}, root says {}", self.mass(self.root)));
        }
        Ok(())
    }
}

/// The cut in dimension `k` at offset `r` into the gap between `x` (the new point's coordinate)
/// and the box `[lo, hi]`. Returns (dimension, cut value, whether the new point goes left).
fn cut_in_gap(k: usize, below: bool, lo: f32, hi: f32, x: f32, r: f64) -> (usize, f32, bool) {
    if below {
        // x < lo: cut in [x, lo); the point goes left (x <= cut), the box right (lo > cut).
        let c = (f64::from(x) + r) as f32;
        let c = if c >= lo || c < x { x } else { c };
        (k, c, true)
    } else {
        // x > hi: cut in [hi, x); the box goes left (hi <= cut), the point right (x > cut).
        let c = (f64::from(hi) + r) as f32;
        let c = if c >= x || c < hi { hi } else { c };
        (k, c, false)
    }
}
