//! Coordinated trading between accounts: the same symbols traded at the same moments in
//! opposite directions, repeatedly (wash trades between friends, passing positions or P&L from
//! one entry to another).
//!
//! Executions are bucketed by (symbol, minute). In each bucket, every pair of accounts where
//! one bought and the other sold is a *co-occurrence* of that pair. Busy traders in a popular
//! symbol meet by chance, so a pair's count is compared with what chance would give: if account
//! `a` traded symbol `s` in `A_s` buckets and `b` in `B_s`, out of `M` minutes in which anyone
//! traded, independent accounts would share about `λ = Σ_s A_s · B_s / M` buckets. A pair is
//! flagged when it co-occurs at least [`CoordinationConfig::min_events`] times, at least
//! [`CoordinationConfig::min_lift`] times as often as that expectation, and so often that
//! chance is implausible: the probability of at least that many co-occurrences under a Poisson
//! law of mean `λ` is below [`CoordinationConfig::max_p_value`] (small, because many pairs are
//! tested at once). The lift guards against large counts that are only modestly above chance —
//! two accounts active at the same hours of the same days, which the expectation (spread over
//! all active minutes) does not capture.
//!
//! Crowded buckets (more than [`CoordinationConfig::max_bucket_accounts`] accounts — the open
//! of a popular stock) carry little evidence about any one pair and would cost quadratic time,
//! so they are skipped.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// Direction of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    /// Bought (or covered).
    Buy,
    /// Sold (or shorted).
    Sell,
}

/// One execution (fill) of an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// The account (tournament entry).
    pub account: u64,
    /// Instrument symbol.
    pub symbol: String,
    /// When it executed, microseconds since the Unix epoch.
    pub at: i64,
    /// Buy or sell.
    pub side: Side,
}

/// Parameters of [`detect_coordination`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoordinationConfig {
    /// Width of a time bucket in microseconds (default one minute).
    pub bucket_micros: i64,
    /// Fewest opposite-side co-occurrences for a pair to be flagged (default 5).
    pub min_events: u32,
    /// Smallest ratio of co-occurrences to the chance expectation for a flagged pair
    /// (default 5).
    pub min_lift: f64,
    /// Largest chance probability of the observed co-occurrences for a flagged pair (default
    /// 1e-6).
    pub max_p_value: f64,
    /// Buckets with more accounts than this are skipped (default 50).
    pub max_bucket_accounts: usize,
    /// Most co-occurrences listed as evidence per pair (default 20; the count is exact).
    pub max_evidence: usize,
}

impl Default for CoordinationConfig {
    fn default() -> Self {
        CoordinationConfig {
            bucket_micros: 60_000_000,
            min_events: 5,
            min_lift: 5.0,
            max_p_value: 1e-6,
            max_bucket_accounts: 50,
            max_evidence: 20,
        }
    }
}

/// One co-occurrence: the two accounts traded `symbol` in opposite directions within the same
/// bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoEvent {
    /// The symbol.
    pub symbol: String,
    /// Start of the bucket, microseconds since the epoch.
    pub bucket_start: i64,
    /// What the first account of the pair did (the second did the opposite).
    pub first_side: Side,
}

/// A flagged pair of accounts with the evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoordinatedPair {
    /// The account with the smaller id.
    pub first: u64,
    /// The other account.
    pub second: u64,
    /// Number of opposite-side co-occurrences.
    pub events: u32,
    /// Co-occurrences (either direction) expected by chance for two independent accounts with
    /// the same activity.
    pub expected: f64,
    /// `events / expected` (expected floored at 0.01).
    pub lift: f64,
    /// Probability of at least `events` co-occurrences by chance (Poisson with mean
    /// `expected`).
    pub p_value: f64,
    /// The first co-occurrences, in time order (at most `max_evidence`).
    pub evidence: Vec<CoEvent>,
}

/// What each account did in one (symbol, bucket): (bought, sold).
type Sides = BTreeMap<u64, (bool, bool)>;

/// What the pair counter keeps for a pair.
#[derive(Default)]
struct PairStats {
    events: u32,
    evidence: Vec<CoEvent>,
}

/// Finds pairs of accounts that repeatedly trade the same symbols in opposite directions at the
/// same moments (see the module documentation). Pure and deterministic: the result is sorted by
/// number of co-occurrences (most first), then by account ids. Executions with a bucket width
/// that is not positive yield nothing.
pub fn detect_coordination(executions: &[Execution], config: &CoordinationConfig) -> Vec<CoordinatedPair> {
    if config.bucket_micros <= 0 {
        return Vec::new();
    }
    // (symbol, bucket) → account → (bought, sold); BTreeMaps keep everything in a fixed order.
    let mut buckets: BTreeMap<(&str, i64), Sides> = BTreeMap::new();
    for e in executions {
        let bucket = e.at.div_euclid(config.bucket_micros);
        let sides = buckets.entry((e.symbol.as_str(), bucket)).or_default().entry(e.account).or_default();
        match e.side {
            Side::Buy => sides.0 = true,
            Side::Sell => sides.1 = true,
        }
    }
    // Buckets per (account, symbol), for the chance expectation.
    let mut activity: HashMap<(u64, &str), u32> = HashMap::new();
    let mut symbols_of: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    let mut minutes: Vec<i64> = buckets.keys().map(|&(_, b)| b).collect();
    minutes.sort_unstable();
    minutes.dedup();
    let active_minutes = minutes.len().max(1) as f64;
    let mut pairs: BTreeMap<(u64, u64), PairStats> = BTreeMap::new();
    for ((symbol, bucket), accounts) in &buckets {
        for account in accounts.keys() {
            let n = activity.entry((*account, *symbol)).or_default();
            if *n == 0 {
                symbols_of.entry(*account).or_default().push(symbol);
            }
            *n += 1;
        }
        if accounts.len() > config.max_bucket_accounts {
            continue;
        }
        let here: Vec<(u64, (bool, bool))> = accounts.iter().map(|(a, s)| (*a, *s)).collect();
        for (i, &(first, (first_bought, first_sold))) in here.iter().enumerate() {
            for &(second, (second_bought, second_sold)) in &here[i + 1..] {
                // Accounts are in increasing order, so `first < second`.
                let first_side = if first_bought && second_sold {
                    Side::Buy
                } else if first_sold && second_bought {
                    Side::Sell
                } else {
                    continue;
                };
                let stats = pairs.entry((first, second)).or_default();
                stats.events += 1;
                if stats.evidence.len() < config.max_evidence {
                    stats.evidence.push(CoEvent {
                        symbol: (*symbol).to_string(),
                        bucket_start: bucket * config.bucket_micros,
                        first_side,
                    });
                }
            }
        }
    }
    let mut flagged: Vec<CoordinatedPair> = pairs
        .into_iter()
        .filter(|(_, stats)| stats.events >= config.min_events)
        .filter_map(|((first, second), stats)| {
            let expected: f64 = symbols_of
                .get(&first)
                .map(|symbols| {
                    symbols
                        .iter()
                        .map(|s| {
                            let a = activity.get(&(first, *s)).copied().unwrap_or(0);
                            let b = activity.get(&(second, *s)).copied().unwrap_or(0);
                            f64::from(a) * f64::from(b) / active_minutes
                        })
                        .sum()
                })
                .unwrap_or(0.0);
            let lift = f64::from(stats.events) / expected.max(0.01);
            let p_value = poisson_tail(expected, stats.events);
            (lift >= config.min_lift && p_value <= config.max_p_value).then_some(CoordinatedPair {
                first,
                second,
                events: stats.events,
                expected,
                lift,
                p_value,
                evidence: stats.evidence,
            })
        })
        .collect();
    flagged.sort_by(|a, b| b.events.cmp(&a.events).then(a.first.cmp(&b.first)).then(a.second.cmp(&b.second)));
    flagged
}

/// `P(X ≥ k)` for `X ~ Poisson(mean)`, summed from the upper terms (accurate for the tiny
/// probabilities that matter here).
fn poisson_tail(mean: f64, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    // ln P(X = k) = −mean + k ln(mean) − ln(k!)
    let ln_factorial: f64 = (2..=k).map(|i| f64::from(i).ln()).sum();
    let mut term = (-mean + f64::from(k) * mean.ln() - ln_factorial).exp();
    let mut sum = 0.0;
    let mut i = k;
    while term > sum * 1e-12 && i < k + 10_000 {
        sum += term;
        i += 1;
        term *= mean / f64::from(i);
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000;

    fn ex(account: u64, symbol: &str, minute: i64, side: Side) -> Execution {
        Execution { account, symbol: symbol.into(), at: minute * MINUTE + 5_000_000, side }
    }

    #[test]
    fn a_mirroring_pair_is_flagged_with_evidence_and_chance_meetings_are_not() {
        let mut execs = Vec::new();
        // Accounts 1 and 2 mirror each other 8 times.
        for i in 0..8 {
            execs.push(ex(1, "XYZ", 100 + i * 37, Side::Buy));
            execs.push(ex(2, "XYZ", 100 + i * 37, Side::Sell));
        }
        // Accounts 3 and 4 trade a lot and meet three times by chance.
        for i in 0..200 {
            execs.push(ex(3, "AAPL", 1000 + i, Side::Buy));
            execs.push(ex(4, "AAPL", 1197 + i, Side::Sell));
        }
        // Two market-makers in SPY all day oppose each other constantly, as chance predicts.
        for i in 0..300 {
            execs.push(ex(7, "SPY", 5000 + i, Side::Buy));
            if i % 2 == 0 {
                execs.push(ex(8, "SPY", 5000 + i, Side::Sell));
            }
        }
        // Same direction is not coordination.
        for i in 0..8 {
            execs.push(ex(5, "QQQ", 50 + i, Side::Buy));
            execs.push(ex(6, "QQQ", 50 + i, Side::Buy));
        }
        let flagged = detect_coordination(&execs, &CoordinationConfig::default());
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        let p = &flagged[0];
        assert_eq!((p.first, p.second, p.events), (1, 2, 8));
        assert!(p.lift > 10.0 && p.p_value < 1e-6, "{p:?}");
        assert_eq!(p.evidence.len(), 8);
        assert_eq!(p.evidence[0].symbol, "XYZ");
        assert_eq!(p.evidence[0].first_side, Side::Buy);
        assert_eq!(p.evidence[0].bucket_start, 100 * MINUTE);
    }

    #[test]
    fn poisson_tail_matches_known_values() {
        assert_eq!(poisson_tail(1.0, 0), 1.0);
        // P(X ≥ 1) = 1 − e^{-1}
        assert!((poisson_tail(1.0, 1) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // P(X ≥ 10 | λ = 1) ≈ 1.114e-7
        assert!((poisson_tail(1.0, 10) / 1.114e-7 - 1.0).abs() < 1e-3);
        assert_eq!(poisson_tail(0.0, 3), 0.0);
    }

    #[test]
    fn crowded_buckets_are_skipped_and_bad_config_yields_nothing() {
        let mut execs = Vec::new();
        for m in 0..10 {
            for a in 0..30 {
                execs.push(ex(a, "SPY", m, if a % 2 == 0 { Side::Buy } else { Side::Sell }));
            }
        }
        let config = CoordinationConfig { max_bucket_accounts: 10, ..CoordinationConfig::default() };
        assert!(detect_coordination(&execs, &config).is_empty());
        let config = CoordinationConfig { bucket_micros: 0, ..CoordinationConfig::default() };
        assert!(detect_coordination(&execs, &config).is_empty());
    }
}
