//! Who a bot is ([`BotSpec`]) and how a population of bots is drawn ([`roster`]).

use serde::{Deserialize, Serialize};

use crate::kind::BotKind;
use crate::random::{mix64, BotRng};

/// The identity of one simulated trader. Everything a bot does follows from its spec and its
/// inputs, so a spec is all that needs storing to reproduce a bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotSpec {
    /// Display and account name, e.g. `bot-00042-momentum`.
    pub name: String,
    /// Strategy.
    pub kind: BotKind,
    /// 0 (clumsy) ..= 1 (sharp): less noise in signals and tighter position sizing. Values
    /// outside the range are clamped (NaN counts as 0) when the bot is built.
    pub skill: f64,
    /// Seed of the bot's own random stream.
    pub seed: u64,
}

/// Kind weights out of [`KIND_CYCLE_LEN`]: 25 % momentum, 25 % mean reversion, 20 % buy-and-hold,
/// 20 % noise, 10 % poor.
const KIND_WEIGHTS: [(BotKind, u32); 5] = [
    (BotKind::Momentum, 5),
    (BotKind::MeanReversion, 5),
    (BotKind::BuyAndHold, 4),
    (BotKind::Noise, 4),
    (BotKind::Poor, 2),
];

/// Length of the repeating kind pattern (sum of [`KIND_WEIGHTS`]).
const KIND_CYCLE_LEN: usize = 20;

/// 1/φ: successive multiples modulo 1 are the most evenly spread sequence there is, so the
/// k-th bot of a kind gets a skill that fills the gaps left by the ones before it.
const INV_GOLDEN_RATIO: f64 = 0.618_033_988_749_894_8;

/// Draws `n` bots from `seed`.
///
/// * Kinds follow a fixed interleaved pattern of 20 (smooth weighted round robin over the weights
///   above), so every prefix of a roster is within one bot per kind of the target mix and exactly
///   on it for multiples of 20. The kind of bot *i* therefore never depends on `seed` or `n`.
/// * Skills within each kind follow a golden-ratio sequence with a seed-dependent start, so
///   every kind has clumsy, middling and sharp members even in small rosters.
/// * Names are `bot-{i:05}-{kind label}` with *i* counting from 1; seeds are derived from
///   `seed` and *i*.
///
/// `roster(n, s)` is a prefix of `roster(n + k, s)`: growing a simulation keeps existing bots.
pub fn roster(n: usize, seed: u64) -> Vec<BotSpec> {
    let cycle = kind_cycle();
    let mut offset_rng = BotRng::new(seed, u64::MAX);
    let offsets: Vec<f64> = KIND_WEIGHTS.iter().map(|_| offset_rng.uniform()).collect();
    let mut seen_per_kind = [0_u64; KIND_WEIGHTS.len()];
    (0..n)
        .map(|i| {
            let slot = cycle.get(i % KIND_CYCLE_LEN).copied().unwrap_or(0);
            let kind = KIND_WEIGHTS.get(slot).map_or(BotKind::Noise, |(k, _)| *k);
            let k = seen_per_kind.get(slot).copied().unwrap_or(0);
            if let Some(count) = seen_per_kind.get_mut(slot) {
                *count += 1;
            }
            let start = offsets.get(slot).copied().unwrap_or(0.0);
            let skill = fraction(start + k as f64 * INV_GOLDEN_RATIO);
            let number = i as u64 + 1;
            BotSpec {
                name: format!("bot-{number:05}-{}", kind.label()),
                kind,
                skill,
                seed: mix64(seed ^ mix64(number)),
            }
        })
        .collect()
}

/// The kind slot (index into [`KIND_WEIGHTS`]) of each position of the 20-bot pattern.
fn kind_cycle() -> Vec<usize> {
    let mut current = [0_i64; KIND_WEIGHTS.len()];
    let total: i64 = KIND_WEIGHTS.iter().map(|(_, w)| i64::from(*w)).sum();
    (0..KIND_CYCLE_LEN)
        .map(|_| {
            for (c, (_, w)) in current.iter_mut().zip(KIND_WEIGHTS.iter()) {
                *c += i64::from(*w);
            }
            // First maximum wins ties, so the pattern is fixed.
            let mut best = 0;
            for (slot, c) in current.iter().enumerate() {
                if *c > current.get(best).copied().unwrap_or(i64::MIN) {
                    best = slot;
                }
            }
            if let Some(c) = current.get_mut(best) {
                *c -= total;
            }
            best
        })
        .collect()
}

/// The fractional part of a non-negative number.
fn fraction(x: f64) -> f64 {
    x - x.floor()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(specs: &[BotSpec], kind: BotKind) -> usize {
        specs.iter().filter(|s| s.kind == kind).count()
    }

    #[test]
    fn mix_is_exact_on_whole_cycles() {
        let specs = roster(1000, 42);
        assert_eq!(count(&specs, BotKind::Momentum), 250);
        assert_eq!(count(&specs, BotKind::MeanReversion), 250);
        assert_eq!(count(&specs, BotKind::BuyAndHold), 200);
        assert_eq!(count(&specs, BotKind::Noise), 200);
        assert_eq!(count(&specs, BotKind::Poor), 100);
    }

    #[test]
    fn every_prefix_is_close_to_the_mix() {
        let specs = roster(200, 3);
        for n in 1..=specs.len() {
            let prefix = specs.get(..n).unwrap_or_default();
            for (kind, weight) in KIND_WEIGHTS {
                let ideal = n as f64 * f64::from(weight) / KIND_CYCLE_LEN as f64;
                let got = count(prefix, kind) as f64;
                assert!((got - ideal).abs() <= 1.0, "n={n} {kind}: {got} vs {ideal}");
            }
        }
        // Five bots: one of each kind.
        let five = roster(5, 3);
        for kind in BotKind::ALL {
            assert_eq!(count(&five, kind), 1, "{kind}");
        }
    }

    #[test]
    fn skills_spread_within_each_kind() {
        let specs = roster(400, 9);
        for kind in BotKind::ALL {
            let skills: Vec<f64> = specs.iter().filter(|s| s.kind == kind).map(|s| s.skill).collect();
            assert!(skills.iter().all(|s| (0.0..1.0).contains(s)));
            for decile in 0..10 {
                let lo = f64::from(decile) / 10.0;
                let in_decile = skills.iter().filter(|s| **s >= lo && **s < lo + 0.1).count();
                assert!(in_decile * 20 >= skills.len(), "{kind} decile {decile}: {in_decile} of {}", skills.len());
            }
        }
    }

    #[test]
    fn deterministic_prefix_stable_and_seeded() {
        let a = roster(50, 7);
        assert_eq!(a, roster(50, 7));
        assert_eq!(a.get(..20), roster(20, 7).get(..20));
        let b = roster(50, 8);
        assert_ne!(a, b);
        assert!(a.iter().zip(&b).all(|(x, y)| x.kind == y.kind && x.name == y.name));
        assert_eq!(a.first().map(|s| s.name.as_str()), Some("bot-00001-momentum"));
        let mut seeds: Vec<u64> = a.iter().map(|s| s.seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), a.len());
        assert!(roster(0, 1).is_empty());
    }
}
