//! Evaluation of the detectors on simulated data, and the fixed streams used by the benchmark
//! and the regression test of the score distribution.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::anomaly::{
    detect_coordination, CoordinatedPair, CoordinationConfig, DetectorConfig, Execution, Side, TradeAnomalyDetector,
};
use crate::features::{TradeFacts, TraderBaseline};
use crate::rrcf::{ForestConfig, RandomCutForest};
use crate::InsightsError;

/// An approximately standard normal draw: the sum of 12 uniforms minus 6 (Irwin–Hall). Uses
/// only IEEE arithmetic, so streams are identical on every platform.
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0
}

/// A fixed synthetic stream of `n` points of `dims` coordinates, flattened (`n × dims` values).
///
/// Points come from three Gaussian clusters of different centres and spreads (weights 50 %,
/// 30 %, 20 %); a fraction `anomaly_rate` of them is displaced by 6 to 12 cluster spreads in one
/// random dimension. Returns the points and, for each, whether it is such an anomaly.
pub fn synthetic_stream(n: usize, dims: usize, anomaly_rate: f64, seed: u64) -> (Vec<f64>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<Vec<f64>> = (0..3).map(|_| (0..dims).map(|_| rng.gen::<f64>() * 10.0).collect()).collect();
    let spreads = [1.0, 0.5, 2.0];
    let mut points = Vec::with_capacity(n * dims);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let u: f64 = rng.gen();
        let c = if u < 0.5 {
            0
        } else if u < 0.8 {
            1
        } else {
            2
        };
        let start = points.len();
        for centre in &centres[c] {
            points.push(centre + spreads[c] * normal(&mut rng));
        }
        let anomalous = rng.gen::<f64>() < anomaly_rate;
        if anomalous {
            let k = rng.gen_range(0..dims);
            let sign = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
            points[start + k] += sign * spreads[c] * (6.0 + 6.0 * rng.gen::<f64>());
        }
        labels.push(anomalous);
    }
    (points, labels)
}

/// Score-and-update scores of a forest of `trees` trees of `sample_size` points over the
/// 6-dimensional [`synthetic_stream`] of `n` points (anomaly rate 0.5 %), seeds fixed by `seed`.
pub fn fixed_stream_scores(n: usize, trees: usize, sample_size: usize, seed: u64) -> Vec<f64> {
    let dims = 6;
    let (points, _) = synthetic_stream(n, dims, 0.005, seed);
    let config = ForestConfig::new(dims).num_trees(trees).sample_size(sample_size).seed(seed);
    let Ok(mut forest) = RandomCutForest::new(config) else { return Vec::new() };
    points.chunks_exact(dims).map(|p| forest.update(p).unwrap_or(f64::NAN)).collect()
}

/// Kinds of anomalies injected into simulated traders' streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AnomalyKind {
    /// Notional 5–15 times the trader's usual.
    Oversized,
    /// Opened outside regular hours: 11:00–13:00 or 20:30–23:00 UTC (the trader's usual time
    /// is between 14:00 and 19:00, give or take half an hour).
    OddHours,
    /// Held 10–50 times longer, or shorter, than usual.
    ExtremeHolding,
}

impl AnomalyKind {
    const ALL: [AnomalyKind; 3] = [AnomalyKind::Oversized, AnomalyKind::OddHours, AnomalyKind::ExtremeHolding];
}

/// Parameters of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalConfig {
    /// Simulated traders.
    pub traders: usize,
    /// Round trips per trader.
    pub trades_per_trader: usize,
    /// Chance that a trade (after the trader's first `min_history + 5`) is made anomalous.
    pub anomaly_rate: f64,
    /// Trades a trader needs before their trades are scored (their baseline's history).
    pub min_history: usize,
    /// Most recent trades a baseline is computed from.
    pub baseline_window: usize,
    /// Pairs of accounts that trade against each other.
    pub colluding_pairs: usize,
    /// Opposite-side trades in the same minute per colluding pair.
    pub collusion_events: usize,
    /// Seed of the simulation (the detector has its own in `detector.forest.seed`).
    pub seed: u64,
    /// The trade detector under evaluation.
    pub detector: DetectorConfig,
    /// The coordination detector under evaluation.
    pub coordination: CoordinationConfig,
}

impl Default for EvalConfig {
    /// 60 traders × 300 trades, 2 % anomalies, 3 colluding pairs of 10 events each, default
    /// detectors.
    fn default() -> Self {
        EvalConfig {
            traders: 60,
            trades_per_trader: 300,
            anomaly_rate: 0.02,
            min_history: 20,
            baseline_window: 100,
            colluding_pairs: 3,
            collusion_events: 10,
            seed: 7,
            detector: DetectorConfig::default(),
            coordination: CoordinationConfig::default(),
        }
    }
}

/// Detection counts for one kind of anomaly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindRecall {
    /// The kind.
    pub kind: AnomalyKind,
    /// How many were injected (and scored after warm-up).
    pub injected: usize,
    /// How many of those were flagged.
    pub detected: usize,
}

/// Precision and recall of the detectors on a simulated population.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalReport {
    /// Trades scored with a threshold in force (after warm-up).
    pub trades_scored: usize,
    /// Injected anomalies among them.
    pub injected: usize,
    /// Trades flagged.
    pub flagged: usize,
    /// Flagged trades that were injected anomalies.
    pub true_positives: usize,
    /// `true_positives / flagged` (1 when nothing is flagged).
    pub precision: f64,
    /// `true_positives / injected` (1 when nothing was injected).
    pub recall: f64,
    /// Recall per kind of anomaly.
    pub by_kind: Vec<KindRecall>,
    /// Colluding pairs injected.
    pub pairs_injected: usize,
    /// Pairs flagged by the coordination detector.
    pub pairs_flagged: usize,
    /// Flagged pairs that were injected.
    pub pairs_true: usize,
    /// `pairs_true / pairs_flagged` (1 when nothing is flagged).
    pub pair_precision: f64,
    /// `pairs_true / pairs_injected` (1 when nothing was injected).
    pub pair_recall: f64,
    /// The colluding pairs injected (smaller account id first).
    pub colluders: Vec<(u64, u64)>,
    /// The pairs flagged, with their evidence.
    pub flagged_pairs: Vec<CoordinatedPair>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "trades: {} scored, {} anomalies injected, {} flagged, {} correct: precision {:.3}, recall {:.3}",
            self.trades_scored, self.injected, self.flagged, self.true_positives, self.precision, self.recall
        )?;
        for k in &self.by_kind {
            writeln!(f, "  {:?}: {}/{} detected", k.kind, k.detected, k.injected)?;
        }
        write!(
            f,
            "pairs: {} injected, {} flagged, {} correct: precision {:.3}, recall {:.3}",
            self.pairs_injected, self.pairs_flagged, self.pairs_true, self.pair_precision, self.pair_recall
        )
    }
}

/// A simulated trader's habits.
struct Profile {
    notional: f64,
    hold_secs: f64,
    minute: f64,
    vol_pct: f64,
    weight: f64,
    trades_per_day: f64,
}

/// One simulated round trip with its label.
struct SimTrade {
    facts: TradeFacts,
    kind: Option<AnomalyKind>,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MICROS_PER_MINUTE: i64 = 60_000_000;
/// Monday 2024-01-01 00:00 UTC.
const EPOCH_DAY: i64 = 1_704_067_200_000_000;

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.gen::<f64>()
}

/// Simulates one trader's round trips (anomalies injected) in opening order.
fn simulate_trader(id: u64, rng: &mut ChaCha8Rng, config: &EvalConfig, symbols: &[String]) -> Vec<SimTrade> {
    let p = Profile {
        notional: uniform(rng, 2_000f64.ln(), 50_000f64.ln()).exp(),
        hold_secs: uniform(rng, 600f64.ln(), (5.0 * 86_400f64).ln()).exp(),
        minute: uniform(rng, 14.0 * 60.0, 19.0 * 60.0),
        vol_pct: uniform(rng, 0.5, 3.0),
        weight: uniform(rng, 0.05, 0.3),
        trades_per_day: uniform(rng, 1.0, 6.0),
    };
    let favourites: Vec<&String> = (0..5).map(|_| &symbols[rng.gen_range(0..symbols.len())]).collect();
    let mut out: Vec<SimTrade> = Vec::with_capacity(config.trades_per_trader);
    let mut opened: Vec<i64> = Vec::with_capacity(config.trades_per_trader);
    for j in 0..config.trades_per_trader {
        let day = (j as f64 / p.trades_per_day) as i64;
        let mut minute = (p.minute + 30.0 * normal(rng)).clamp(13.5 * 60.0, 20.0 * 60.0);
        let mut hold = p.hold_secs * (0.5 * normal(rng)).exp();
        let mut notional = p.notional * (0.35 * normal(rng)).exp();
        let kind = (j >= config.min_history + 5 && rng.gen::<f64>() < config.anomaly_rate)
            .then(|| AnomalyKind::ALL[rng.gen_range(0..AnomalyKind::ALL.len())]);
        match kind {
            Some(AnomalyKind::Oversized) => notional *= uniform(rng, 5.0, 15.0),
            Some(AnomalyKind::OddHours) => {
                minute = if rng.gen_bool(0.5) { uniform(rng, 660.0, 780.0) } else { uniform(rng, 1230.0, 1380.0) }
            }
            Some(AnomalyKind::ExtremeHolding) => {
                let factor = uniform(rng, 10.0, 50.0);
                hold = if rng.gen_bool(0.5) { hold * factor } else { (hold / factor).max(1.0) };
            }
            None => {}
        }
        let opened_at = EPOCH_DAY + day * MICROS_PER_DAY + (minute * MICROS_PER_MINUTE as f64) as i64;
        let closed_at = opened_at + (hold * 1e6) as i64;
        let week_ago = opened_at - 7 * MICROS_PER_DAY;
        let trades_in_window = opened.iter().rev().take_while(|&&t| t >= week_ago).count() as u32;
        opened.push(opened_at);
        let price = uniform(rng, 20.0, 500.0);
        let return_pct = p.vol_pct * normal(rng);
        out.push(SimTrade {
            facts: TradeFacts {
                entry_id: id,
                symbol: favourites[rng.gen_range(0..favourites.len())].clone(),
                opened_at,
                closed_at,
                qty: notional / price,
                entry_price: price,
                exit_price: price * (1.0 + return_pct / 100.0),
                notional,
                return_pct,
                trades_in_window,
                symbol_weight: (p.weight * (0.3 * normal(rng)).exp()).clamp(0.005, 1.0),
            },
            kind,
        });
    }
    out
}

/// Simulates a population of traders with injected anomalies and colluding pairs, runs the
/// trade detector over the platform's stream of closed trades (each scored against its
/// trader's baseline from earlier trades) and the coordination detector over all executions,
/// and reports precision and recall at the detectors' thresholds. Deterministic for a given
/// configuration.
pub fn evaluate(config: &EvalConfig) -> Result<EvalReport, InsightsError> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let symbols: Vec<String> = (0..40).map(|i| format!("SYM{i:02}")).collect();
    let mut trades: Vec<SimTrade> = Vec::new();
    for t in 0..config.traders {
        trades.extend(simulate_trader(t as u64 + 1, &mut rng, config, &symbols));
    }
    // The platform sees trades as they close.
    trades.sort_by_key(|t| (t.facts.closed_at, t.facts.entry_id, t.facts.opened_at));

    let mut detector = TradeAnomalyDetector::new(config.detector.clone())?;
    let mut history: HashMap<u64, VecDeque<TradeFacts>> = HashMap::new();
    let (mut scored, mut injected, mut flagged, mut true_positives) = (0, 0, 0, 0);
    let mut by_kind: Vec<KindRecall> =
        AnomalyKind::ALL.iter().map(|&kind| KindRecall { kind, injected: 0, detected: 0 }).collect();
    for t in &trades {
        let past = history.entry(t.facts.entry_id).or_default();
        if past.len() >= config.min_history {
            let window: Vec<TradeFacts> = past.iter().cloned().collect();
            if let Some(baseline) = TraderBaseline::from_history(&window) {
                let verdict = detector.observe(&t.facts, &baseline)?;
                if verdict.threshold.is_some() {
                    scored += 1;
                    flagged += usize::from(verdict.flagged);
                    if let Some(kind) = t.kind {
                        injected += 1;
                        true_positives += usize::from(verdict.flagged);
                        if let Some(k) = by_kind.iter_mut().find(|k| k.kind == kind) {
                            k.injected += 1;
                            k.detected += usize::from(verdict.flagged);
                        }
                    }
                }
            }
        }
        past.push_back(t.facts.clone());
        if past.len() > config.baseline_window {
            past.pop_front();
        }
    }

    // Executions: every round trip opens with a buy and closes with a sell; colluding pairs add
    // trades against each other.
    let mut executions: Vec<Execution> = Vec::with_capacity(2 * trades.len());
    for t in &trades {
        let f = &t.facts;
        executions.push(Execution { account: f.entry_id, symbol: f.symbol.clone(), at: f.opened_at, side: Side::Buy });
        executions.push(Execution { account: f.entry_id, symbol: f.symbol.clone(), at: f.closed_at, side: Side::Sell });
    }
    let days = (config.trades_per_trader as i64 / 2).max(1);
    let mut accounts: Vec<u64> = (1..=config.traders as u64).collect();
    let mut colluders: Vec<(u64, u64)> = Vec::new();
    for _ in 0..config.colluding_pairs.min(config.traders / 2) {
        let a = accounts.swap_remove(rng.gen_range(0..accounts.len()));
        let b = accounts.swap_remove(rng.gen_range(0..accounts.len()));
        colluders.push((a.min(b), a.max(b)));
        for _ in 0..config.collusion_events {
            let at = EPOCH_DAY
                + rng.gen_range(0..days) * MICROS_PER_DAY
                + rng.gen_range(14 * 60..20 * 60) * MICROS_PER_MINUTE
                + rng.gen_range(0..50_000_000);
            let symbol = symbols[rng.gen_range(0..symbols.len())].clone();
            let (buyer, seller) = if rng.gen_bool(0.5) { (a, b) } else { (b, a) };
            executions.push(Execution { account: buyer, symbol: symbol.clone(), at, side: Side::Buy });
            executions.push(Execution {
                account: seller,
                symbol,
                at: at + rng.gen_range(0..5_000_000),
                side: Side::Sell,
            });
        }
    }
    let pairs = detect_coordination(&executions, &config.coordination);
    let pairs_true = pairs.iter().filter(|p| colluders.contains(&(p.first, p.second))).count();

    let ratio = |num: usize, den: usize| if den == 0 { 1.0 } else { num as f64 / den as f64 };
    Ok(EvalReport {
        trades_scored: scored,
        injected,
        flagged,
        true_positives,
        precision: ratio(true_positives, flagged),
        recall: ratio(true_positives, injected),
        by_kind,
        pairs_injected: colluders.len(),
        pairs_flagged: pairs.len(),
        pairs_true,
        pair_precision: ratio(pairs_true, pairs.len()),
        pair_recall: ratio(pairs_true, colluders.len()),
        colluders,
        flagged_pairs: pairs,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Injected anomalies in simulated traders' streams are found with useful precision and
    /// recall at the default thresholds (run with `--nocapture` to see the figures).
    #[test]
    fn detectors_find_injected_anomalies() {
        let report = evaluate(&EvalConfig::default()).unwrap();
        println!("{report}");
        // Measured: precision 0.85, recall 0.92; pairs 3 of 3, no false pair.
        assert!(report.injected >= 200, "{report}");
        assert!(report.recall >= 0.8, "{report}");
        assert!(report.precision >= 0.7, "{report}");
        assert!(report.by_kind.iter().all(|k| k.detected as f64 >= 0.7 * k.injected as f64), "{report}");
        assert!(report.pair_recall >= 0.66, "{report}");
        assert_eq!(report.pair_precision, 1.0, "{report}");
    }
}
