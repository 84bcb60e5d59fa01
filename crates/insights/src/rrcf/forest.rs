//! The forest: many trees, each over its own time-decayed sample of the stream.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::sampler::Sampler;
use super::{to_f32, RcTree};
use crate::InsightsError;

/// Parameters of a [`RandomCutForest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestConfig {
    /// Coordinates per point.
    pub dimensions: usize,
    /// Number of trees (default 50).
    pub num_trees: usize,
    /// Largest sample a tree holds (default 256).
    pub sample_size: usize,
    /// Decay rate `λ` of the sampling weights per point; 0 gives uniform reservoir sampling over
    /// the whole stream. Default `1 / (10 × sample_size)`: a sample spans roughly the last
    /// `10 × sample_size` points.
    pub time_decay: f64,
    /// Seed of all randomness (cuts and sampling): same seed and stream, same scores.
    pub seed: u64,
}

impl ForestConfig {
    /// The defaults (50 trees of 256 points, decay `1/2560`, seed 0) for `dimensions`.
    pub fn new(dimensions: usize) -> Self {
        ForestConfig { dimensions, num_trees: 50, sample_size: 256, time_decay: 1.0 / 2560.0, seed: 0 }
    }

    /// Sets the number of trees.
    pub fn num_trees(mut self, n: usize) -> Self {
        self.num_trees = n;
        self
    }

    /// Sets the sample size and the default decay for it (`1 / (10 × size)`).
    pub fn sample_size(mut self, size: usize) -> Self {
        self.sample_size = size;
        self.time_decay = 1.0 / (10.0 * size.max(1) as f64);
        self
    }

    /// Sets the decay rate.
    pub fn time_decay(mut self, lambda: f64) -> Self {
        self.time_decay = lambda;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn validate(&self) -> Result<(), InsightsError> {
        let bad = |m: String| Err(InsightsError::InvalidConfig(m));
        if self.dimensions == 0 {
            return bad("a forest needs at least one dimension".into());
        }
        if self.num_trees == 0 {
            return bad("a forest needs at least one tree".into());
        }
        if self.sample_size < 2 || self.sample_size >= (1 << 30) {
            return bad(format!("sample size must be between 2 and 2^30 (got {})", self.sample_size));
        }
        if !self.time_decay.is_finite() || self.time_decay < 0.0 {
            return bad(format!("time decay must be a finite number ≥ 0 (got {})", self.time_decay));
        }
        Ok(())
    }
}

/// One tree with its reservoir and its own random stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Member {
    tree: RcTree,
    sampler: Sampler,
    rng: ChaCha8Rng,
}

impl Member {
    /// Records a point the tree has just taken (as `leaf`, under sampling key `key`): evicts the
    /// sampled point with the largest key if the sample was full.
    fn admit(&mut self, key: f64, leaf: super::LeafId) {
        if let Some(old) = self.sampler.admit(key, leaf) {
            self.tree.remove(old);
        }
    }
}

/// When `λ (t − base)` exceeds this, the base time moves to `t` (keeps `e^{λ (t − base)}` finite).
const REBASE_AFTER: f64 = 64.0;

/// A Robust Random Cut Forest over a stream of points.
///
/// The score of a point is the mean over trees of its expected collusive displacement
/// ([`RcTree::score_into`]); it ranges from 0 to the sample size, inliers typically scoring a
/// few units and isolated points close to the sample size. Deterministic: the same
/// configuration and stream give the same scores, bit for bit, on a given platform (sampling
/// uses the platform's `ln`/`exp`; everything else is IEEE arithmetic).
///
/// ```
/// use bullpen_insights::rrcf::{ForestConfig, RandomCutForest};
///
/// let mut forest = RandomCutForest::new(ForestConfig::new(2).num_trees(20).sample_size(64)).unwrap();
/// for i in 0..500 {
///     let x = (i % 10) as f64 * 0.1;
///     forest.update(&[x, 1.0 - x]).unwrap();
/// }
/// let inlier = forest.score(&[0.5, 0.5]).unwrap();
/// let outlier = forest.score(&[5.0, 0.5]).unwrap();
/// assert!(outlier > 5.0 * inlier);
/// let attribution = forest.attribution(&[5.0, 0.5]).unwrap();
/// assert!(attribution[0] > attribution[1]);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RandomCutForest {
    config: ForestConfig,
    members: Vec<Member>,
    /// Points offered so far.
    seen: u64,
    /// Base time of the samplers' keys.
    base: u64,
    /// Scratch, per tree: the sampling key if the tree takes the current point.
    keys: Vec<Option<f64>>,
    /// Scratch, per tree: the current point's score.
    scores: Vec<f64>,
    /// Scratch: trees that do not take the current point.
    idle: Vec<usize>,
}

impl RandomCutForest {
    /// An empty forest; an invalid configuration is refused with the reason.
    pub fn new(config: ForestConfig) -> Result<Self, InsightsError> {
        config.validate()?;
        let members = (0..config.num_trees)
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
                rng.set_stream(i as u64);
                Member {
                    tree: RcTree::new(config.dimensions, config.sample_size),
                    sampler: Sampler::new(config.sample_size),
                    rng,
                }
            })
            .collect();
        let n = config.num_trees;
        Ok(RandomCutForest {
            config,
            members,
            seen: 0,
            base: 0,
            keys: Vec::with_capacity(n),
            scores: Vec::with_capacity(n),
            idle: Vec::with_capacity(n),
        })
    }

    /// Checks a forest read back from a file (serde) before it is used: the configuration is
    /// valid, there is one tree per configured tree with the configured dimension, each tree
    /// passes [`RcTree::check_invariants`] and each sample holds exactly its tree's points.
    /// A forest that passes is safe to score and update; one that fails must be discarded.
    pub fn check_state(&self) -> Result<(), InsightsError> {
        let bad = |m: String| InsightsError::InvalidConfig(format!("saved forest: {m}"));
        self.config.validate()?;
        if self.members.len() != self.config.num_trees {
            return Err(bad(format!("{} trees, configured {}", self.members.len(), self.config.num_trees)));
        }
        for (i, m) in self.members.iter().enumerate() {
            if m.tree.dims() != self.config.dimensions {
                return Err(bad(format!("tree {i} has {} dimensions", m.tree.dims())));
            }
            m.tree.check_invariants().map_err(|e| bad(format!("tree {i}: {e}")))?;
            m.sampler
                .check_against(self.config.sample_size, |leaf| m.tree.leaf_mass(leaf) > 0)
                .map_err(|e| bad(format!("tree {i}: {e}")))?;
            if m.sampler.len() != m.tree.len() {
                return Err(bad(format!("tree {i} holds {} points, its sample {}", m.tree.len(), m.sampler.len())));
            }
        }
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &ForestConfig {
        &self.config
    }

    /// Coordinates per point.
    pub fn dimensions(&self) -> usize {
        self.config.dimensions
    }

    /// Points offered to [`RandomCutForest::update`] / [`RandomCutForest::insert`] so far.
    pub fn points_seen(&self) -> u64 {
        self.seen
    }

    /// Whether every tree's sample is full (scores before that come from smaller samples and
    /// are lower).
    pub fn is_warm(&self) -> bool {
        self.members.iter().all(|m| m.sampler.is_full())
    }

    /// The trees, for inspection.
    pub fn trees(&self) -> impl Iterator<Item = &RcTree> {
        self.members.iter().map(|m| &m.tree)
    }

    /// Anomaly score of `point` against the current samples (the forest is not changed).
    pub fn score(&self, point: &[f64]) -> Result<f64, InsightsError> {
        to_f32(point, self.config.dimensions, |p| self.score_f32(p))
    }

    /// Mean score over trees, for a padded point ([`RcTree::score_padded_queue`]); scores are
    /// summed in tree order.
    fn score_f32(&self, p: &[f32]) -> f64 {
        let n = self.members.len();
        let mut small = [0f64; 64];
        let mut large = Vec::new();
        let scores: &mut [f64] = if n <= small.len() {
            &mut small[..n]
        } else {
            large.resize(n, 0.0);
            &mut large[..]
        };
        RcTree::score_padded_queue(n, |i| &self.members[i].tree, p, |i, s| scores[i] = s);
        scores.iter().sum::<f64>() / n as f64
    }

    /// Attribution of `point`'s score to each dimension: non-negative shares that sum to
    /// [`RandomCutForest::score`] (up to rounding).
    pub fn attribution(&self, point: &[f64]) -> Result<Vec<f64>, InsightsError> {
        self.score_and_attribution(point).map(|(_, a)| a)
    }

    /// The score and its attribution in one pass.
    pub fn score_and_attribution(&self, point: &[f64]) -> Result<(f64, Vec<f64>), InsightsError> {
        to_f32(point, self.config.dimensions, |p| {
            let mut attribution = vec![0.0; self.config.dimensions];
            let mut sum = 0.0;
            for m in &self.members {
                sum += m.tree.score_into_padded(p, &mut attribution);
            }
            let n = self.members.len() as f64;
            for a in &mut attribution {
                *a /= n;
            }
            (sum / n, attribution)
        })
    }

    /// Offers `point` to every tree's sampler without scoring it; trees that accept it insert
    /// it and then evict their sampled point with the largest key (if they were full).
    pub fn insert(&mut self, point: &[f64]) -> Result<(), InsightsError> {
        let dims = self.config.dimensions;
        let mut buf = [0f32; super::STACK_DIMS];
        let mut heap_buf = Vec::new();
        let p = super::convert(point, dims, &mut buf, &mut heap_buf)?;
        self.decide();
        for i in 0..self.members.len() {
            if let Some(key) = self.keys[i] {
                let m = &mut self.members[i];
                let leaf = m.tree.insert_padded(p, &mut m.rng);
                m.admit(key, leaf);
            }
        }
        Ok(())
    }

    /// Scores `point` against the current samples, then offers it to the samplers as
    /// [`RandomCutForest::insert`] does; returns the score. This is the streaming step.
    ///
    /// The score is the one [`RandomCutForest::score`] would have returned before the call. The
    /// sampling decisions are drawn first; trees that do not take the point are scored with
    /// interleaved walks, trees that take it score and insert it in a single walk
    /// (the score uses the same arithmetic as `score`).
    pub fn update(&mut self, point: &[f64]) -> Result<f64, InsightsError> {
        let dims = self.config.dimensions;
        let mut buf = [0f32; super::STACK_DIMS];
        let mut heap_buf = Vec::new();
        let p = super::convert(point, dims, &mut buf, &mut heap_buf)?;
        self.decide();
        let n = self.members.len();
        self.scores.clear();
        self.scores.resize(n, 0.0);
        self.idle.clear();
        self.idle.extend((0..n).filter(|&i| self.keys[i].is_none()));
        let (members, idle, scores) = (&self.members, &self.idle, &mut self.scores);
        RcTree::score_padded_queue(idle.len(), |k| &members[idle[k]].tree, p, |k, s| scores[idle[k]] = s);
        for i in 0..n {
            if let Some(key) = self.keys[i] {
                let m = &mut self.members[i];
                let (s, leaf) = m.tree.score_and_insert_padded(p, &mut m.rng);
                self.scores[i] = s;
                m.admit(key, leaf);
            }
        }
        let sum: f64 = self.scores.iter().sum();
        Ok(sum / n as f64)
    }

    /// Advances time by one point and draws every tree's sampling decision into `keys`.
    fn decide(&mut self) {
        self.seen += 1;
        let lambda = self.config.time_decay;
        let mut age = lambda * (self.seen - self.base) as f64;
        if age > REBASE_AFTER {
            for m in &mut self.members {
                m.sampler.rebase(age);
            }
            self.base = self.seen;
            age = 0.0;
        }
        let decay_factor = age.exp();
        self.keys.clear();
        for m in &mut self.members {
            let u: f64 = m.rng.gen();
            let key = m.sampler.draw(u, decay_factor).map(|e| e.max(f64::MIN_POSITIVE).ln() - age);
            self.keys.push(key);
        }
    }

    /// Number of points held by each tree (for diagnostics).
    pub fn sample_sizes(&self) -> Vec<usize> {
        self.members.iter().map(|m| m.sampler.len()).collect()
    }
}
