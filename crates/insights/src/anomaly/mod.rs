//! Anomaly detection over trades: unusual trades ([`TradeAnomalyDetector`]) and coordinated
//! trading between accounts ([`detect_coordination`]).
//!
//! # Unusual trades: one shared forest over per-trader-normalised features
//!
//! Each trade becomes six robust z-scores against its own trader's habits
//! ([`crate::features`]); one [`RandomCutForest`] scores the stream of all traders' trades in
//! that normalised space. We chose one shared forest over one forest per trader because:
//!
//! * a forest needs a few hundred points to say anything, and most traders close tens of trades
//!   a season — per-trader forests would stay cold for most traders;
//! * the normalisation already removes what differs between traders (a \$50,000 trade is usual
//!   for one and wild for another), so "unusual" means the same thing for everyone in the
//!   shared space, and the forest learns which *combinations* of deviations are common;
//! * memory and time stay constant in the number of traders (100,000 traders would need 100,000
//!   forests).
//!
//! A trade is flagged when its score exceeds a threshold learnt from the stream's own scores
//! ([`Threshold`]), computed from the scores *before* it (an anomaly does not raise its own
//! bar), once the detector has seen a warm-up of trades. A flag carries the features that
//! explain it: the forest's attribution of the score to each feature, largest first.

mod coordination;

pub use coordination::{detect_coordination, CoEvent, CoordinatedPair, CoordinationConfig, Execution, Side};

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::features::{features, TradeFacts, TraderBaseline, FEATURE_COUNT, FEATURE_NAMES};
use crate::rrcf::{ForestConfig, RandomCutForest};
use crate::InsightsError;

/// How the flagging threshold follows the stream of scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Threshold {
    /// Flag scores above `multiple` × the mean of the last `window` scores.
    MeanMultiple {
        /// The multiple (e.g. 3).
        multiple: f64,
        /// Number of recent scores averaged.
        window: usize,
    },
    /// Flag scores above the `q` quantile (e.g. 0.99) of the last `window` scores.
    Quantile {
        /// The quantile, in (0, 1).
        q: f64,
        /// Number of recent scores it is taken over.
        window: usize,
    },
}

/// Parameters of a [`TradeAnomalyDetector`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectorConfig {
    /// The forest (its dimension must be [`FEATURE_COUNT`]).
    pub forest: ForestConfig,
    /// Trades scored before any flag is raised (the forest and the threshold need history).
    pub warmup: usize,
    /// The flagging rule.
    pub threshold: Threshold,
    /// How many contributing features a flag reports.
    pub top_features: usize,
}

impl Default for DetectorConfig {
    /// 50 trees of 256 trades, a warm-up of 1,000 trades, flag above 5× the mean score of the
    /// last 2,000 trades, report the top 3 features. The evaluation
    /// ([`crate::evaluation::evaluate`]) measures precision and recall with these settings
    /// (about 0.85–0.9 and 0.9 on its simulated population; a quantile rule at 0.99 flags too
    /// few when more than 1 % of trades are anomalous).
    fn default() -> Self {
        DetectorConfig {
            forest: ForestConfig::new(FEATURE_COUNT),
            warmup: 1000,
            threshold: Threshold::MeanMultiple { multiple: 5.0, window: 2000 },
            top_features: 3,
        }
    }
}

/// One feature's share of a trade's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Feature name (one of [`FEATURE_NAMES`]).
    pub feature: &'static str,
    /// Its share of the score (the shares of all features sum to the score).
    pub share: f64,
    /// The trade's scaled value of that feature (robust z-score: sign says above or below the
    /// trader's usual).
    pub value: f64,
}

/// The verdict on one trade.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeScore {
    /// Anomaly score (mean expected CoDisp over the forest's trees).
    pub score: f64,
    /// The threshold in force, once warmed up.
    pub threshold: Option<f64>,
    /// Whether the score is above the threshold.
    pub flagged: bool,
    /// For a flagged trade, the top contributing features, largest first (empty otherwise).
    pub contributions: Vec<Contribution>,
}

/// A flagged trade with its reasons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    /// The trader.
    pub entry_id: u64,
    /// The instrument.
    pub symbol: String,
    /// When the trade was closed (µs since the epoch).
    pub closed_at: i64,
    /// Its score.
    pub score: f64,
    /// The threshold it exceeded.
    pub threshold: f64,
    /// The features that explain it, largest share first.
    pub top: Vec<Contribution>,
}

/// The flagging threshold's memory of recent scores.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ScoreWindow {
    rule: Threshold,
    recent: VecDeque<f64>,
    /// Running sum of `recent` (for the mean rule).
    sum: f64,
    /// `recent`, sorted (for the quantile rule).
    sorted: Vec<f64>,
    /// Scores pushed since `sum` was last recomputed from scratch.
    since_resum: usize,
}

impl ScoreWindow {
    fn new(rule: Threshold) -> Self {
        ScoreWindow { rule, recent: VecDeque::new(), sum: 0.0, sorted: Vec::new(), since_resum: 0 }
    }

    fn window(&self) -> usize {
        match self.rule {
            Threshold::MeanMultiple { window, .. } | Threshold::Quantile { window, .. } => window,
        }
    }

    /// The current threshold (`None` before any score).
    fn threshold(&self) -> Option<f64> {
        if self.recent.is_empty() {
            return None;
        }
        Some(match self.rule {
            Threshold::MeanMultiple { multiple, .. } => multiple * self.sum / self.recent.len() as f64,
            Threshold::Quantile { q, .. } => {
                let i = ((self.sorted.len() - 1) as f64 * q).round() as usize;
                self.sorted[i.min(self.sorted.len() - 1)]
            }
        })
    }

    fn push(&mut self, score: f64) {
        self.recent.push_back(score);
        self.sum += score;
        let quantile = matches!(self.rule, Threshold::Quantile { .. });
        if quantile {
            let at = self.sorted.partition_point(|&x| x < score);
            self.sorted.insert(at, score);
        }
        if self.recent.len() > self.window() {
            if let Some(old) = self.recent.pop_front() {
                self.sum -= old;
                if quantile {
                    let at = self.sorted.partition_point(|&x| x < old);
                    self.sorted.remove(at.min(self.sorted.len() - 1));
                }
            }
        }
        // Re-add from scratch once per window so rounding in the running sum cannot drift.
        self.since_resum += 1;
        if self.since_resum >= self.window() {
            self.sum = self.recent.iter().sum();
            self.since_resum = 0;
        }
    }
}

/// Refuses a forest whose dimension is not [`FEATURE_COUNT`] or a threshold rule out of range.
fn check_config(config: &DetectorConfig) -> Result<(), InsightsError> {
    if config.forest.dimensions != FEATURE_COUNT {
        return Err(InsightsError::InvalidConfig(format!(
            "the trade detector's forest must have {FEATURE_COUNT} dimensions (got {})",
            config.forest.dimensions
        )));
    }
    match config.threshold {
        Threshold::MeanMultiple { multiple, window } if multiple.is_finite() && multiple > 0.0 && window > 0 => Ok(()),
        Threshold::Quantile { q, window } if q > 0.0 && q < 1.0 && window > 0 => Ok(()),
        ref t => Err(InsightsError::InvalidConfig(format!("invalid threshold rule {t:?}"))),
    }
}

/// Streaming detector of unusual trades (see the module documentation).
///
/// ```
/// use bullpen_insights::anomaly::{DetectorConfig, TradeAnomalyDetector};
///
/// let detector = TradeAnomalyDetector::new(DetectorConfig::default()).unwrap();
/// assert_eq!(detector.trades_seen(), 0);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TradeAnomalyDetector {
    config: DetectorConfig,
    forest: RandomCutForest,
    window: ScoreWindow,
    seen: u64,
}

impl TradeAnomalyDetector {
    /// A detector; refuses a forest whose dimension is not [`FEATURE_COUNT`] or a threshold
    /// rule out of range.
    pub fn new(config: DetectorConfig) -> Result<Self, InsightsError> {
        check_config(&config)?;
        let forest = RandomCutForest::new(config.forest.clone())?;
        let window = ScoreWindow::new(config.threshold.clone());
        Ok(TradeAnomalyDetector { config, forest, window, seen: 0 })
    }

    /// The configuration.
    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Trades observed so far.
    pub fn trades_seen(&self) -> u64 {
        self.seen
    }

    /// Checks a detector read back from a file before it is used. The detector is `serde` so
    /// that a scoring pass can save it and carry on from there later, instead of replaying the
    /// whole stream; a saved detector observes exactly as the original would have. This checks
    /// the configuration, the forest ([`RandomCutForest::check_state`]) and the threshold's
    /// window, so that a damaged file is refused with the reason rather than trusted.
    pub fn check_state(&self) -> Result<(), InsightsError> {
        check_config(&self.config)?;
        let bad = |m: &str| Err(InsightsError::InvalidConfig(format!("saved detector: {m}")));
        if self.forest.config() != &self.config.forest {
            return bad("the forest's configuration differs from the detector's");
        }
        self.forest.check_state()?;
        let w = &self.window;
        let sorted_len = if matches!(w.rule, Threshold::Quantile { .. }) { w.recent.len() } else { 0 };
        if w.rule != self.config.threshold || w.recent.len() > w.window() || w.sorted.len() != sorted_len {
            return bad("the score window does not match its rule");
        }
        if !w.recent.iter().chain(&w.sorted).all(|x| x.is_finite()) || !w.sum.is_finite() {
            return bad("the score window holds a value that is not finite");
        }
        Ok(())
    }

    /// Scores a trade against the stream so far, decides whether to flag it, then learns from
    /// it. Facts that fail [`TradeFacts::validate`] are refused and change nothing.
    pub fn observe(&mut self, facts: &TradeFacts, baseline: &TraderBaseline) -> Result<TradeScore, InsightsError> {
        facts.validate()?;
        let x = features(facts, baseline);
        let threshold = if self.seen >= self.config.warmup as u64 { self.window.threshold() } else { None };
        let score = self.forest.score(&x)?;
        let flagged = threshold.is_some_and(|t| score > t);
        let contributions = if flagged { self.explain(&x)? } else { Vec::new() };
        self.forest.insert(&x)?;
        self.window.push(score);
        self.seen += 1;
        Ok(TradeScore { score, threshold, flagged, contributions })
    }

    /// [`TradeAnomalyDetector::observe`], returning the anomaly if the trade is flagged.
    pub fn flag(&mut self, facts: &TradeFacts, baseline: &TraderBaseline) -> Result<Option<Anomaly>, InsightsError> {
        let verdict = self.observe(facts, baseline)?;
        Ok(match (verdict.flagged, verdict.threshold) {
            (true, Some(threshold)) => Some(Anomaly {
                entry_id: facts.entry_id,
                symbol: facts.symbol.clone(),
                closed_at: facts.closed_at,
                score: verdict.score,
                threshold,
                top: verdict.contributions,
            }),
            _ => None,
        })
    }

    /// The features with the largest shares of the score of `x`, largest first.
    fn explain(&self, x: &[f64; FEATURE_COUNT]) -> Result<Vec<Contribution>, InsightsError> {
        let attribution = self.forest.attribution(x)?;
        let mut all: Vec<Contribution> = attribution
            .iter()
            .enumerate()
            .map(|(k, &share)| Contribution { feature: FEATURE_NAMES[k], share, value: x[k] })
            .collect();
        all.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.feature.cmp(b.feature)));
        all.truncate(self.config.top_features);
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    const MINUTE: i64 = 60_000_000;
    /// 2024-03-04 15:00 UTC.
    const T0: i64 = 1_709_564_400_000_000;

    fn usual(rng: &mut ChaCha8Rng, i: i64) -> TradeFacts {
        let opened_at = T0 + i * 1440 * MINUTE + rng.gen_range(0..60) * MINUTE;
        let notional = 10_000.0 * (1.0 + 0.3 * (rng.gen::<f64>() - 0.5));
        TradeFacts {
            entry_id: 9,
            symbol: "MSFT".into(),
            opened_at,
            closed_at: opened_at + rng.gen_range(50..70) * MINUTE,
            qty: notional / 100.0,
            entry_price: 100.0,
            exit_price: 100.5,
            notional,
            return_pct: rng.gen::<f64>() - 0.5,
            trades_in_window: rng.gen_range(4..7),
            symbol_weight: 0.1 + 0.02 * rng.gen::<f64>(),
        }
    }

    fn small() -> DetectorConfig {
        DetectorConfig {
            forest: ForestConfig::new(FEATURE_COUNT).num_trees(20).sample_size(64).seed(3),
            warmup: 300,
            ..DetectorConfig::default()
        }
    }

    #[test]
    fn an_oversized_trade_is_flagged_and_explained_by_its_size() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let history: Vec<TradeFacts> = (0..50).map(|i| usual(&mut rng, i)).collect();
        let baseline = TraderBaseline::from_history(&history).unwrap();
        let mut detector = TradeAnomalyDetector::new(small()).unwrap();
        let mut flagged_usual = 0;
        for i in 0..1000 {
            let verdict = detector.observe(&usual(&mut rng, i), &baseline).unwrap();
            assert_eq!(verdict.threshold.is_some(), i >= 300);
            flagged_usual += usize::from(verdict.flagged);
        }
        assert!(flagged_usual <= 10, "{flagged_usual} usual trades flagged");
        let mut big = usual(&mut rng, 1000);
        big.notional *= 30.0;
        big.qty *= 30.0;
        let anomaly = detector.flag(&big, &baseline).unwrap().expect("flagged");
        assert!(anomaly.score > anomaly.threshold);
        assert_eq!(anomaly.top.len(), 3);
        assert_eq!(anomaly.top[0].feature, "size");
        assert!(anomaly.top[0].value > 5.0);
        assert!(anomaly.top[0].share >= anomaly.top[1].share);
        assert_eq!(detector.trades_seen(), 1001);
    }

    #[test]
    fn bad_input_is_refused_and_changes_nothing() {
        let config = DetectorConfig { forest: ForestConfig::new(3), ..DetectorConfig::default() };
        assert!(TradeAnomalyDetector::new(config).is_err());
        let config = DetectorConfig { threshold: Threshold::Quantile { q: 1.5, window: 10 }, ..small() };
        assert!(TradeAnomalyDetector::new(config).is_err());
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let history: Vec<TradeFacts> = (0..30).map(|i| usual(&mut rng, i)).collect();
        let baseline = TraderBaseline::from_history(&history).unwrap();
        let mut detector = TradeAnomalyDetector::new(small()).unwrap();
        let mut bad = usual(&mut rng, 0);
        bad.notional = -1.0;
        assert!(matches!(detector.observe(&bad, &baseline), Err(InsightsError::Facts(_))));
        assert_eq!(detector.trades_seen(), 0);
    }

    #[test]
    fn a_saved_detector_carries_on_exactly_where_it_stopped() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let history: Vec<TradeFacts> = (0..40).map(|i| usual(&mut rng, i)).collect();
        let baseline = TraderBaseline::from_history(&history).unwrap();
        for config in [small(), DetectorConfig { threshold: Threshold::Quantile { q: 0.9, window: 50 }, ..small() }] {
            let mut original = TradeAnomalyDetector::new(config).unwrap();
            for i in 0..700 {
                original.observe(&usual(&mut rng, i), &baseline).unwrap();
            }
            let bytes = postcard::to_stdvec(&original).unwrap();
            let mut restored: TradeAnomalyDetector = postcard::from_bytes(&bytes).unwrap();
            restored.check_state().unwrap();
            for i in 700..1200 {
                let mut facts = usual(&mut rng, i);
                if i % 97 == 0 {
                    facts.notional *= 40.0;
                }
                let (a, b) =
                    (original.observe(&facts, &baseline).unwrap(), restored.observe(&facts, &baseline).unwrap());
                assert_eq!(a.score.to_bits(), b.score.to_bits(), "trade {i}");
                assert_eq!((a.flagged, a.contributions), (b.flagged, b.contributions));
            }
            assert_eq!(postcard::to_stdvec(&original).unwrap(), postcard::to_stdvec(&restored).unwrap());
        }
    }

    #[test]
    fn a_damaged_saved_detector_is_refused_or_harmless() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let history: Vec<TradeFacts> = (0..40).map(|i| usual(&mut rng, i)).collect();
        let baseline = TraderBaseline::from_history(&history).unwrap();
        let mut detector = TradeAnomalyDetector::new(small()).unwrap();
        for i in 0..400 {
            detector.observe(&usual(&mut rng, i), &baseline).unwrap();
        }
        let bytes = postcard::to_stdvec(&detector).unwrap();
        let probe = usual(&mut rng, 500);
        let (mut refused, mut accepted) = (0, 0);
        // Damage one byte at a time across the whole encoding: decoding fails, the check
        // refuses it, or the detector still works (a changed key or score is not a fault).
        for at in (0..bytes.len()).step_by(bytes.len() / 3000 + 1) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                match postcard::from_bytes::<TradeAnomalyDetector>(&damaged) {
                    Ok(mut d) if d.check_state().is_ok() => {
                        accepted += 1;
                        for _ in 0..3 {
                            let _ = d.observe(&probe, &baseline);
                        }
                    }
                    _ => refused += 1,
                }
            }
        }
        assert!(refused > 0 && accepted > 0, "refused {refused}, accepted {accepted}");
        assert!(postcard::from_bytes::<TradeAnomalyDetector>(&bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn quantile_threshold_follows_the_window() {
        let mut w = ScoreWindow::new(Threshold::Quantile { q: 0.5, window: 3 });
        assert_eq!(w.threshold(), None);
        for s in [1.0, 5.0, 3.0] {
            w.push(s);
        }
        assert_eq!(w.threshold(), Some(3.0));
        w.push(10.0); // 1.0 leaves the window: 3, 5, 10
        assert_eq!(w.threshold(), Some(5.0));
        let mut m = ScoreWindow::new(Threshold::MeanMultiple { multiple: 2.0, window: 2 });
        m.push(1.0);
        m.push(3.0);
        m.push(5.0);
        assert_eq!(m.threshold(), Some(8.0));
    }
}
