//! Unit tests of the trees and the forest.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

fn random_point(rng: &mut ChaCha8Rng, dims: usize) -> Vec<f32> {
    (0..dims).map(|_| (rng.gen::<f32>() * 10.0).round() / 2.0).collect()
}

#[test]
fn invariants_hold_under_random_inserts_and_deletes() {
    let dims = 3;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut tree = RcTree::new(dims, 64);
    // (leaf, point) of every copy held; coarse coordinates make duplicates common.
    let mut held: Vec<(LeafId, Vec<f32>)> = Vec::new();
    for step in 0..4000 {
        if held.is_empty() || (held.len() < 200 && rng.gen_bool(0.55)) {
            let p = random_point(&mut rng, dims);
            let leaf = tree.insert(&p, &mut rng);
            assert_eq!(tree.leaf_point(leaf).unwrap(), &p[..]);
            held.push((leaf, p));
        } else {
            let i = rng.gen_range(0..held.len());
            let (leaf, p) = held.swap_remove(i);
            assert_eq!(tree.find(&p), Some(leaf));
            assert!(tree.remove(leaf));
        }
        if step % 50 == 0 {
            tree.check_invariants().unwrap();
            assert_eq!(tree.len(), held.len());
            let mut distinct: Vec<LeafId> = held.iter().map(|h| h.0).collect();
            distinct.sort();
            distinct.dedup();
            assert_eq!(tree.leaf_count(), distinct.len());
        }
    }
    tree.check_invariants().unwrap();
    let held_leaf = held[0].0;
    for (leaf, _) in held.drain(..) {
        assert!(tree.remove(leaf));
        tree.check_invariants().unwrap();
    }
    assert!(tree.is_empty());
    assert_eq!(tree.len(), 0);
    assert_eq!(tree.leaf_count(), 0);
    // A stale handle is refused.
    assert!(!tree.remove(held_leaf));
}

#[test]
fn arena_slots_are_reused() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut tree = RcTree::new(2, 16);
    let mut leaves = Vec::new();
    for _ in 0..16 {
        let p = [rng.gen::<f32>(), rng.gen::<f32>()];
        leaves.push(tree.insert(&p, &mut rng));
    }
    for _ in 0..1000 {
        let i = rng.gen_range(0..leaves.len());
        assert!(tree.remove(leaves[i]));
        let p = [rng.gen::<f32>(), rng.gen::<f32>()];
        leaves[i] = tree.insert(&p, &mut rng);
    }
    tree.check_invariants().unwrap();
    // Never more than 16 leaves' worth of slots allocated.
    assert!(leaves.iter().all(|l| l.index() < 16));
}

fn cluster_tree(seed: u64) -> (RcTree, Vec<LeafId>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tree = RcTree::new(2, 256);
    let mut leaves = Vec::new();
    for _ in 0..200 {
        let p = [rng.gen::<f32>(), rng.gen::<f32>()];
        leaves.push(tree.insert(&p, &mut rng));
    }
    (tree, leaves)
}

#[test]
fn codisp_is_higher_for_an_obvious_outlier() {
    let (mut tree, inliers) = cluster_tree(3);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    // Expected CoDisp of a query point.
    let outlier_score = tree.score(&[8.0, 8.0]);
    let inlier_score = tree.score(&[0.5, 0.5]);
    assert!(outlier_score > 150.0, "outlier {outlier_score}");
    assert!(inlier_score < 20.0, "inlier {inlier_score}");
    // CoDisp of an inserted point (the paper's definition).
    let out = tree.insert(&[8.0, 8.0], &mut rng);
    let out_codisp = tree.codisp_of_leaf(out);
    let mean_inlier: f64 = inliers.iter().map(|&l| tree.codisp_of_leaf(l)).sum::<f64>() / inliers.len() as f64;
    assert!(out_codisp > 10.0 * mean_inlier, "outlier {out_codisp}, inliers {mean_inlier}");
    assert!(out_codisp >= 150.0);
}

#[test]
fn attribution_sums_to_the_score_and_names_the_odd_dimension() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut tree = RcTree::new(4, 256);
    for _ in 0..256 {
        let p: Vec<f32> = (0..4).map(|_| rng.gen::<f32>()).collect();
        tree.insert(&p, &mut rng);
    }
    for (point, odd) in [([0.5, 0.5, 9.0, 0.5], 2usize), ([-6.0, 0.5, 0.5, 0.5], 0)] {
        let mut attribution = vec![0.0; 4];
        let score = tree.score_into(&point, &mut attribution);
        assert!((score - tree.score(&point)).abs() < 1e-9);
        let sum: f64 = attribution.iter().sum();
        assert!((sum - score).abs() < 1e-9 * score.max(1.0), "sum {sum} score {score}");
        assert!(attribution[odd] > 0.95 * score, "{attribution:?}");
    }
    // An inlier's attribution also sums to its score.
    let point = [0.3f32, 0.6, 0.2, 0.9];
    let mut attribution = vec![0.0; 4];
    let score = tree.score_into(&point, &mut attribution);
    assert!((attribution.iter().sum::<f64>() - score).abs() < 1e-9);
}

#[test]
fn scoring_a_duplicate_and_edge_cases() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut tree = RcTree::new(1, 4);
    assert_eq!(tree.score(&[1.0]), 0.0);
    tree.insert(&[1.0], &mut rng);
    // A lone leaf: a different point would be cut off beside it (CoDisp 1), a duplicate
    // displaces nothing.
    assert_eq!(tree.score(&[2.0]), 1.0);
    assert_eq!(tree.score(&[1.0]), 0.0);
    let a = tree.insert(&[1.0], &mut rng);
    assert_eq!(tree.leaf_mass(a), 2);
    assert_eq!(tree.score(&[5.0]), 2.0);
    tree.check_invariants().unwrap();
}

#[test]
fn forest_scores_outliers_high_and_attributes_them() {
    let mut forest = RandomCutForest::new(ForestConfig::new(3).num_trees(30).sample_size(128).seed(9)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    for _ in 0..3000 {
        let p = [rng.gen::<f64>(), rng.gen::<f64>(), rng.gen::<f64>()];
        forest.update(&p).unwrap();
    }
    assert!(forest.is_warm());
    assert!(forest.sample_sizes().iter().all(|&n| n == 128));
    for t in forest.trees() {
        t.check_invariants().unwrap();
        assert_eq!(t.len(), 128);
    }
    let inlier = forest.score(&[0.5, 0.5, 0.5]).unwrap();
    let outlier = forest.score(&[0.5, 4.0, 0.5]).unwrap();
    assert!(outlier > 80.0 && inlier < 15.0, "outlier {outlier}, inlier {inlier}");
    let (s, a) = forest.score_and_attribution(&[0.5, 4.0, 0.5]).unwrap();
    assert!((s - outlier).abs() < 1e-9);
    assert!((a.iter().sum::<f64>() - s).abs() < 1e-6);
    assert!(a[1] > 0.9 * s);
}

#[test]
fn forest_refuses_bad_input_and_changes_nothing() {
    let mut forest = RandomCutForest::new(ForestConfig::new(2).num_trees(2).sample_size(8)).unwrap();
    assert_eq!(forest.update(&[1.0]), Err(InsightsError::DimensionMismatch { expected: 2, got: 1 }));
    assert!(matches!(forest.update(&[1.0, f64::NAN]), Err(InsightsError::NonFinite { index: 1, .. })));
    assert!(matches!(forest.update(&[1e300, 0.0]), Err(InsightsError::NonFinite { index: 0, .. })));
    assert_eq!(forest.points_seen(), 0);
    assert!(RandomCutForest::new(ForestConfig::new(0)).is_err());
    assert!(RandomCutForest::new(ForestConfig::new(2).num_trees(0)).is_err());
    assert!(RandomCutForest::new(ForestConfig::new(2).time_decay(f64::NAN)).is_err());
}

#[test]
fn forest_is_deterministic_and_uniform_sampling_works() {
    let run = |decay: f64| {
        let mut forest =
            RandomCutForest::new(ForestConfig::new(2).num_trees(5).sample_size(16).time_decay(decay).seed(3)).unwrap();
        (0..2000).map(|i| forest.update(&[(i % 17) as f64, (i % 5) as f64]).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(run(0.0), run(0.0));
    assert_eq!(run(0.01), run(0.01));
    assert_ne!(run(0.0), run(0.01));
}

#[test]
fn rebasing_keeps_the_forest_running() {
    // λ = 0.5 crosses the rebase threshold every ~128 points.
    let mut forest = RandomCutForest::new(ForestConfig::new(1).num_trees(3).sample_size(8).time_decay(0.5)).unwrap();
    for i in 0..5000 {
        let s = forest.update(&[(i % 13) as f64]).unwrap();
        assert!(s.is_finite());
    }
    for t in forest.trees() {
        t.check_invariants().unwrap();
        assert_eq!(t.len(), 8);
    }
}

#[test]
fn id_tree_inserts_and_forgets_by_id() {
    let mut tree = IdTree::new(2, 1).unwrap();
    for i in 0..50u64 {
        tree.insert(i, &[(i % 7) as f64, (i % 3) as f64]).unwrap();
    }
    assert_eq!(tree.insert(3, &[0.0, 0.0]), Err(InsightsError::DuplicateId(3)));
    assert!(tree.insert(100, &[0.0]).is_err());
    assert_eq!(tree.len(), 50);
    for i in (0..50u64).step_by(2) {
        assert!(tree.forget(i));
    }
    assert!(!tree.forget(0));
    assert_eq!(tree.len(), 25);
    tree.tree().check_invariants().unwrap();
}

/// Scores of a small fixed stream, recorded from this implementation: a change that alters
/// results (even in the 6th decimal of one score) fails here.
#[test]
fn score_distribution_on_a_fixed_stream_is_unchanged() {
    let scores = super::super::evaluation::fixed_stream_scores(4000, 20, 64, 7);
    let fp = ScoreFingerprint::of(&scores);
    assert_eq!(fp.to_string(), "n=4000 mean=4.909195 p50=4.058135 p99=14.182017 max=33.441823 hash=166fa4c911ea86ce");
}

/// `update` returns exactly what `score` says before it, and leaves the forest exactly as
/// `insert` would (the combined score-and-insert walk changes nothing but speed).
#[test]
fn update_equals_score_then_insert() {
    let config = ForestConfig::new(6).num_trees(12).sample_size(32).seed(11);
    let mut a = RandomCutForest::new(config.clone()).unwrap();
    let mut b = RandomCutForest::new(config).unwrap();
    let (points, _) = super::super::evaluation::synthetic_stream(3000, 6, 0.01, 5);
    for p in points.chunks_exact(6) {
        let before = a.score(p).unwrap();
        assert_eq!(a.update(p).unwrap(), before);
        b.insert(p).unwrap();
    }
    for t in a.trees() {
        t.check_invariants().unwrap();
    }
    let probe = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    assert_eq!(a.score(&probe).unwrap(), b.score(&probe).unwrap());
    assert_eq!(a.attribution(&probe).unwrap(), b.attribution(&probe).unwrap());
}

/// Shingles feed a forest: a level shift in a 1-d series stands out in 4-point windows.
#[test]
fn shingled_stream_scores_a_level_shift() {
    let mut shingle = Shingle::new(1, 4).unwrap();
    let mut forest = RandomCutForest::new(ForestConfig::new(4).num_trees(20).sample_size(64).seed(2)).unwrap();
    let mut scores = Vec::new();
    for i in 0..1200 {
        let x = if i == 1000 { 8.0 } else { (i % 7) as f64 * 0.1 };
        if let Some(window) = shingle.push(&[x]).unwrap() {
            scores.push(forest.update(window).unwrap());
        }
    }
    // Window index = point index - 3; the spike is in windows 997..=1000.
    let spike = scores[997..=1000].iter().copied().fold(0.0, f64::max);
    let usual = scores[500..990].iter().copied().fold(0.0, f64::max);
    assert!(spike > 3.0 * usual, "spike {spike}, usual max {usual}");
    assert!(shingle.push(&[1.0, 2.0]).is_err());
}
