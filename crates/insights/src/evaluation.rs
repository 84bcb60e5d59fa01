//! Evaluation of the detectors on simulated data, and the fixed streams used by the benchmark
//! and the regression test of the score distribution.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::rrcf::{ForestConfig, RandomCutForest};

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
