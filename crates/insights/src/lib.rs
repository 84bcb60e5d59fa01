//! Analytics for Bullpen: anomaly detection over trades, written in this project.
//!
//! Pure functions and values: no IO, no clock, no globals. Callers (the warehouse, the web
//! dashboard, reports) feed facts in and read scores out.
//!
//! # The algorithm: Robust Random Cut Forest
//!
//! [`rrcf`] implements the Robust Random Cut Forest of Guha, Mishra, Roy and Schrijvers
//! ("Robust Random Cut Forest Based Anomaly Detection on Streams", ICML 2016). A random cut
//! tree partitions a sample of points by repeatedly cutting its bounding box: the dimension is
//! chosen with probability proportional to the box's extent in it, the value uniformly within
//! that extent. Points far from the rest are isolated by few cuts, close to the root. The paper
//! shows such a tree can be maintained on a stream: deleting a point splices out its parent,
//! inserting one walks down and, at each node, draws the cut the tree *would* have had on the
//! box extended by the point; the result has the same distribution as a tree built from scratch.
//!
//! A point's anomaly score is its **collusive displacement** (CoDisp): how many points would
//! change depth if it (and the points colluding with it, i.e. sharing its subtree) were removed,
//! relative to the size of that group. Here a point that is not in the sample is scored by the
//! *expected* CoDisp of inserting it, computed exactly in one walk down a tree from the
//! probabilities of being cut off at each node (see [`rrcf::RcTree::score_into`]); the forest
//! averages over trees. The probability of being cut off at a node splits naturally over the
//! dimensions (each dimension's share of the distance from the point to the node's box), which
//! gives the **attribution** of the score to each feature, summing to the score — the idea of
//! the `DiVector` attribution in AWS's random-cut-forest library.
//!
//! Each tree keeps a time-decayed reservoir sample of the stream (recent points favoured), so
//! the forest follows drifting behaviour. Nodes live in arenas indexed by `u32` with free
//! lists; a step allocates nothing once the samples are full.
//!
//! # Performance
//!
//! `cargo run --release -p bullpen-insights --example rcf_bench` runs 50 trees × 256 samples
//! on a fixed stream of 200,000 six-dimensional points (score, then sample/insert, for each).
//! The figures, the command and what is left are in the README's Performance section
//! ("Anomaly detection (Random Cut Forest)"). What made it fast: branch records laid out
//! contiguously with the children's masses and the box's range inside; boxes padded to
//! multiples of four `f32` lanes and a vectorised "is the point inside?" test, so the common
//! level of a walk does no arithmetic; box updates, box recomputation after a deletion and
//! splits unrolled for the number of lanes (a const generic, like the walks); running sums kept
//! as fractions so a walk divides once; branch-free selects where outcomes are unpredictable;
//! four trees walked in an interleaved queue; sampling decisions drawn before scoring so trees
//! that take the point score and insert it in one walk; no logarithm for most rejected sampling
//! draws. The benchmark compares the fingerprint of its scores with the recorded one (and
//! fails if it differs), and `rrcf::tests::score_distribution_on_a_fixed_stream_is_unchanged`
//! pins a small one, so a speed-up that changes results fails.
//!
//! # On top of it
//!
//! * [`features`]: six robustly scaled per-trade features, relative to the trader's own habits;
//! * [`anomaly`]: a streaming per-trade detector with a flagging threshold and the features
//!   that explain each flag, and a detector of coordinated trading between account pairs;
//! * [`evaluation`]: simulated traders with injected anomalies, and the precision and recall
//!   of the detectors on them.

pub mod anomaly;
pub mod evaluation;
pub mod features;
pub mod rrcf;

/// Errors of this crate: bad input is refused with the reason and changes nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InsightsError {
    /// A point had the wrong number of coordinates.
    #[error("expected a point of {expected} coordinates, got {got}")]
    DimensionMismatch {
        /// Coordinates expected.
        expected: usize,
        /// Coordinates given.
        got: usize,
    },
    /// A coordinate was NaN or infinite (or too large for `f32`).
    #[error("coordinate {index} is not a finite number ({value})")]
    NonFinite {
        /// Position of the coordinate.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A configuration value was out of range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A point id was inserted twice.
    #[error("point id {0} is already in the tree")]
    DuplicateId(u64),
    /// Trade facts that cannot be turned into features.
    #[error("invalid trade facts: {0}")]
    Facts(#[from] features::FactsError),
}
