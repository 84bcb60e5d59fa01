//! Scores and standings from a daily equity series.
//!
//! Scores are returned in *millionths* (fixed point, `0.1` → `100_000`) so that ranking compares
//! integers: exact, and identical on every machine. The analytics behind them use `f64`, but only
//! IEEE-754 basic operations (`+ − × ÷ √`, which are correctly rounded everywhere) in a fixed,
//! sequential order — no parallel or reordered sums, no fused multiply-add, no transcendental
//! functions — so the same inputs give the same bits on every platform.
//!
//! Conventions:
//! - A return is a fraction (`0.05` = +5 %).
//! - Daily return `i` is `(equity[i] − equity[i−1]) / equity[i−1]`, with the starting cash before
//!   the first day. A day whose previous equity is zero or negative has a return of `0` (a return
//!   on nothing is undefined; the loss shows in the total return and the drawdown instead).
//! - Standard deviations are sample deviations (divided by `n − 1`); ratios and volatility are
//!   annualised with `√252` trading days.
//! - A deviation below [`DEVIATION_EPSILON`] counts as zero, so a flat series whose returns differ
//!   only by float rounding noise does not produce an astronomically large ratio.
//! - Ratios are clamped to `±`[`MAX_RATIO`].

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::ids::EntryId;
use crate::money::Money;
use crate::rules::ScoringMethod;
use crate::time::Ts;

/// Trading days per year, for annualisation.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;
/// Score units per whole unit (scores are in millionths).
pub const SCORE_SCALE: i64 = 1_000_000;
/// Standard or downside deviations at or below this are treated as zero.
pub const DEVIATION_EPSILON: f64 = 1e-12;
/// Largest magnitude a Sharpe or Sortino ratio may take. A Sortino ratio with gains but no
/// downside at all (undefined, "infinite") scores exactly this.
pub const MAX_RATIO: f64 = 1_000.0;

/// The score of a daily equity series under `method`, in millionths.
///
/// - [`ScoringMethod::TotalReturn`]: the total return of the last equity (the starting cash when
///   the series is empty), computed exactly in integers and rounded half away from zero.
/// - [`ScoringMethod::Sharpe`] / [`ScoringMethod::Sortino`]: [`sharpe`] / [`sortino`] of
///   [`daily_returns`].
/// - [`ScoringMethod::DrawdownPenalised`]: `total_return − penalty_bps / 10_000 × max_drawdown`.
///
/// Zero or negative starting cash gives a total return of 0.
pub fn score(method: ScoringMethod, starting_cash: Money, daily_equity: &[Money]) -> i64 {
    let last = daily_equity.last().copied().unwrap_or(starting_cash);
    match method {
        ScoringMethod::TotalReturn => total_return_millionths(starting_cash, last),
        ScoringMethod::Sharpe => to_millionths(sharpe(&daily_returns(starting_cash, daily_equity))),
        ScoringMethod::Sortino => to_millionths(sortino(&daily_returns(starting_cash, daily_equity))),
        ScoringMethod::DrawdownPenalised { penalty_bps } => {
            let weight = penalty_bps as f64 / 10_000.0;
            let penalised = total_return(starting_cash, last) - weight * max_drawdown(starting_cash, daily_equity);
            to_millionths(penalised)
        }
    }
}

/// `(equity − starting) / starting`, as a fraction; 0 when `starting` is zero or negative.
pub fn total_return(starting: Money, equity: Money) -> f64 {
    if starting.0 <= 0 {
        return 0.0;
    }
    (equity.0 as f64 - starting.0 as f64) / starting.0 as f64
}

/// The exact total return in millionths, rounded half away from zero.
fn total_return_millionths(starting: Money, equity: Money) -> i64 {
    if starting.0 <= 0 {
        return 0;
    }
    // Fast path in 64 bits (live leaderboards compute this for every entry on every tick);
    // the 128-bit path below gives the same result for the rare amounts that do not fit.
    if let Some(scaled) = equity.0.checked_sub(starting.0).and_then(|g| g.checked_mul(SCORE_SCALE)) {
        let d = starting.0;
        let (q, r) = (scaled / d, scaled % d);
        return if 2 * r.unsigned_abs() >= d.unsigned_abs() { q + scaled.signum() } else { q };
    }
    let gain = i128::from(equity.0) - i128::from(starting.0);
    let scaled = gain * i128::from(SCORE_SCALE);
    let d = i128::from(starting.0);
    let q = scaled / d;
    let r = scaled % d;
    let rounded = if 2 * r.abs() >= d { q + scaled.signum() } else { q };
    rounded.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// One return per day: day 0 against `start`, each later day against the day before.
pub fn daily_returns(start: Money, daily_equity: &[Money]) -> Vec<f64> {
    let mut previous = start;
    let mut out = Vec::with_capacity(daily_equity.len());
    for &equity in daily_equity {
        out.push(if previous.0 > 0 { (equity.0 as f64 - previous.0 as f64) / previous.0 as f64 } else { 0.0 });
        previous = equity;
    }
    out
}

/// Arithmetic mean, summed left to right; 0 for an empty slice.
fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().fold(0.0, |acc, v| acc + v) / values.len() as f64
}

/// Sample standard deviation (divided by `n − 1`), two-pass; 0 for fewer than two values.
fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    let sum_sq = values.iter().fold(0.0, |acc, v| acc + (v - m) * (v - m));
    (sum_sq / (values.len() - 1) as f64).sqrt()
}

fn clamp_ratio(ratio: f64) -> f64 {
    if ratio.is_nan() {
        0.0
    } else {
        ratio.clamp(-MAX_RATIO, MAX_RATIO)
    }
}

/// Annualised Sharpe ratio (risk-free rate 0): `mean / sample std × √252`.
///
/// 0 when there are fewer than two returns or the deviation is (numerically) zero; clamped to
/// `±`[`MAX_RATIO`].
pub fn sharpe(returns: &[f64]) -> f64 {
    if returns.len() < 2 {
        return 0.0;
    }
    let std = sample_std(returns);
    if std.is_nan() || std <= DEVIATION_EPSILON {
        return 0.0;
    }
    clamp_ratio(mean(returns) / std * TRADING_DAYS_PER_YEAR.sqrt())
}

/// Annualised Sortino ratio (target 0): `mean / downside deviation × √252`, where the downside
/// deviation is `√(Σ min(r, 0)² / n)` over all `n` returns.
///
/// 0 when there are fewer than two returns. With no downside at all it is [`MAX_RATIO`] when the
/// mean is positive and 0 otherwise. Clamped to `±`[`MAX_RATIO`].
pub fn sortino(returns: &[f64]) -> f64 {
    if returns.len() < 2 {
        return 0.0;
    }
    let m = mean(returns);
    let sum_sq = returns.iter().fold(0.0, |acc, &r| if r < 0.0 { acc + r * r } else { acc });
    let downside = (sum_sq / returns.len() as f64).sqrt();
    if downside.is_nan() || downside <= DEVIATION_EPSILON {
        return if m > 0.0 { MAX_RATIO } else { 0.0 };
    }
    clamp_ratio(m / downside * TRADING_DAYS_PER_YEAR.sqrt())
}

/// The largest fall from a running peak, as a positive fraction of that peak (`0.2` = −20 %).
///
/// The peak starts at `start`. Points where the peak is zero or negative contribute nothing.
/// 0 for an empty series or one that never falls.
pub fn max_drawdown(start: Money, daily_equity: &[Money]) -> f64 {
    let mut peak = start;
    let mut worst = 0.0_f64;
    for &equity in daily_equity {
        if equity > peak {
            peak = equity;
        }
        if peak.0 > 0 {
            let drawdown = (peak.0 as f64 - equity.0 as f64) / peak.0 as f64;
            if drawdown > worst {
                worst = drawdown;
            }
        }
    }
    worst
}

/// Annualised volatility: sample standard deviation of `returns` × √252; 0 for fewer than two.
pub fn volatility(returns: &[f64]) -> f64 {
    let std = sample_std(returns);
    if std.is_nan() {
        return 0.0;
    }
    std * TRADING_DAYS_PER_YEAR.sqrt()
}

/// `value` in millionths, rounded half away from zero; NaN becomes 0 and values beyond `i64`
/// saturate.
fn to_millionths(value: f64) -> i64 {
    if value.is_nan() {
        return 0;
    }
    // `f64::round` rounds halves away from zero; `as` saturates at the i64 bounds.
    (value * SCORE_SCALE as f64).round() as i64
}

/// Everything needed to rank one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RankKey {
    /// Score in millionths, from [`score`].
    pub score: i64,
    /// Current equity.
    pub equity: Money,
    /// When the entry joined.
    pub joined_at: Ts,
    /// The entry.
    pub entry_id: EntryId,
}

/// Deterministic order: higher score, then higher equity, then earlier join, then lower entry id.
///
/// `Less` means `a` ranks ahead of `b`, so `keys.sort_by(rank_order)` puts the leader first.
pub fn rank_order(a: &RankKey, b: &RankKey) -> Ordering {
    b.score
        .cmp(&a.score)
        .then_with(|| b.equity.cmp(&a.equity))
        .then_with(|| a.joined_at.cmp(&b.joined_at))
        .then_with(|| a.entry_id.cmp(&b.entry_id))
}

/// One row of a leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// The entry.
    pub entry_id: EntryId,
    /// 1-based position. Every entry gets its own rank: ties are broken by [`rank_order`].
    pub rank: u32,
    /// 100 = best, 0 = worst; see [`percentile`].
    pub percentile: f64,
    /// Score in millionths.
    pub score: i64,
    /// Current equity.
    pub equity: Money,
}

/// Ranks `keys` with [`rank_order`]: the leader first, ranks 1, 2, 3, … without gaps or shared
/// ranks.
pub fn standings(mut keys: Vec<RankKey>) -> Vec<Standing> {
    keys.sort_by(rank_order);
    let n = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    keys.into_iter()
        .enumerate()
        .map(|(i, key)| {
            let rank = u32::try_from(i).map_or(u32::MAX, |i| i.saturating_add(1));
            Standing {
                entry_id: key.entry_id,
                rank,
                percentile: percentile(rank, n),
                score: key.score,
                equity: key.equity,
            }
        })
        .collect()
}

/// The percentile of `rank` among `n` entries: `(n − rank) / (n − 1) × 100`, so the leader has
/// 100 and the last has 0; 100 when `n` ≤ 1. A rank outside `1..=n` is clamped into it.
pub fn percentile(rank: u32, n: u32) -> f64 {
    if n <= 1 {
        return 100.0;
    }
    let rank = rank.clamp(1, n);
    f64::from(n - rank) / f64::from(n - 1) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(dollars: i64) -> Money {
        Money::from_dollars(dollars)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn total_return_is_exact_and_rounds_half_away() {
        assert_eq!(score(ScoringMethod::TotalReturn, d(100_000), &[d(101_000), d(110_000)]), 100_000);
        assert_eq!(score(ScoringMethod::TotalReturn, d(100_000), &[d(95_000)]), -50_000);
        // Empty series: equity is the starting cash.
        assert_eq!(score(ScoringMethod::TotalReturn, d(100_000), &[]), 0);
        // 1/3 of a unit gain → 333_333.33… → 333_333; 2/3 → 666_667.
        assert_eq!(score(ScoringMethod::TotalReturn, Money(3), &[Money(4)]), 333_333);
        assert_eq!(score(ScoringMethod::TotalReturn, Money(3), &[Money(5)]), 666_667);
        // Exactly half a millionth: 1 unit on 2,000,000 units = 0.5 millionths → 1; negative → −1.
        assert_eq!(score(ScoringMethod::TotalReturn, Money(2_000_000), &[Money(2_000_001)]), 1);
        assert_eq!(score(ScoringMethod::TotalReturn, Money(2_000_000), &[Money(1_999_999)]), -1);
        assert!(close(total_return(d(200), d(250)), 0.25));
    }

    #[test]
    fn zero_or_negative_starting_cash_is_defined() {
        // From zero: the first day's return is 0, the second −0.5; returns [0, −0.5] have mean
        // −0.25 and both deviations √0.125, so Sharpe = Sortino = −0.25 / 0.3535534 × √252.
        let series = [d(10), d(5)];
        assert_eq!(score(ScoringMethod::TotalReturn, Money::ZERO, &series), 0);
        assert_eq!(score(ScoringMethod::Sharpe, Money::ZERO, &series), -11_224_972);
        assert_eq!(score(ScoringMethod::Sortino, Money::ZERO, &series), -11_224_972);
        // Total return 0, drawdown from the peak 10 to 5 = 0.5, weighted by one half.
        assert_eq!(score(ScoringMethod::DrawdownPenalised { penalty_bps: 5_000 }, Money::ZERO, &series), -250_000);
        for method in [
            ScoringMethod::TotalReturn,
            ScoringMethod::Sharpe,
            ScoringMethod::Sortino,
            ScoringMethod::DrawdownPenalised { penalty_bps: 5_000 },
        ] {
            assert_eq!(score(method, Money::ZERO, &[]), 0, "{method:?}");
            assert_eq!(score(method, d(-5), &[]), 0, "{method:?}");
        }
        assert_eq!(total_return(Money::ZERO, d(10)), 0.0);
        assert_eq!(daily_returns(Money::ZERO, &[d(10), d(15)]), vec![0.0, 0.5]);
        assert_eq!(max_drawdown(Money::ZERO, &[]), 0.0);
    }

    #[test]
    fn daily_returns_chain_from_start() {
        let r = daily_returns(d(100), &[d(110), d(99), d(99)]);
        assert_eq!(r.len(), 3);
        assert!(close(r[0], 0.10));
        assert!(close(r[1], -0.10));
        assert_eq!(r[2], 0.0);
        // Previous equity negative: return defined as 0.
        assert_eq!(daily_returns(d(100), &[d(-10), d(20)]), vec![-1.1, 0.0]);
    }

    #[test]
    fn sharpe_by_hand() {
        // Returns 0.01, 0.03: mean 0.02, sample std √((0.0001+0.0001)/1) = 0.0141421356…,
        // Sharpe = 0.02 / 0.0141421356 × √252 = √2 × 15.8745079 = 22.4499443.
        let s = sharpe(&[0.01, 0.03]);
        assert!((s - 22.449_944_320_643_65).abs() < 1e-9, "{s}");
        // Equity 100 → 101 → 104.03 gives exactly those returns.
        let equity = [Money(1_010_000), Money(1_040_300)];
        let scored = score(ScoringMethod::Sharpe, Money(1_000_000), &equity);
        assert!((scored - 22_449_944).abs() <= 1, "{scored}");
        assert_eq!(sharpe(&[0.05]), 0.0);
        assert_eq!(sharpe(&[]), 0.0);
        assert_eq!(sharpe(&[0.02, 0.02, 0.02]), 0.0);
        // Negative mean gives a negative ratio.
        assert!((sharpe(&[-0.01, -0.03]) + 22.449_944_320_643_65).abs() < 1e-9);
    }

    #[test]
    fn flat_series_with_float_noise_scores_zero() {
        // Three identical 10 % days; the mean picks up rounding noise but the Sharpe stays 0.
        let equity = [d(110), d(121), Money(1_331_000)];
        assert_eq!(score(ScoringMethod::Sharpe, d(100), &equity), 0);
    }

    #[test]
    fn sortino_by_hand() {
        // Returns 0.02, −0.01, 0.02: mean 0.01, downside √(0.0001/3) = 0.0057735027,
        // Sortino = 0.01 / 0.0057735027 × √252 = √3 × 15.8745079 = 27.4954542.
        let s = sortino(&[0.02, -0.01, 0.02]);
        assert!((s - 27.495_454_169_735_04).abs() < 1e-9, "{s}");
        // No downside with gains: the cap; no downside and no gains: 0.
        assert_eq!(sortino(&[0.01, 0.02]), MAX_RATIO);
        assert_eq!(score(ScoringMethod::Sortino, d(100), &[d(101), d(102)]), 1_000_000_000);
        assert_eq!(sortino(&[0.0, 0.0]), 0.0);
        assert_eq!(sortino(&[0.5]), 0.0);
        // 100 → 102 → 100.98 → 102.9996: returns 0.02, −0.01, 0.02.
        let equity = [Money(1_020_000), Money(1_009_800), Money(1_029_996)];
        let scored = score(ScoringMethod::Sortino, Money(1_000_000), &equity);
        assert!((scored - 27_495_454).abs() <= 1, "{scored}");
    }

    #[test]
    fn drawdown_and_penalised_score_by_hand() {
        // Peak 120 then 90: drawdown 30/120 = 0.25. Later 100 → 150 fall only 0.
        let equity = [d(120), d(90), d(150)];
        assert!(close(max_drawdown(d(100), &equity), 0.25));
        assert_eq!(max_drawdown(d(100), &[d(100), d(101)]), 0.0);
        // Falling below the start counts from the start.
        assert!(close(max_drawdown(d(100), &[d(80)]), 0.2));
        // Total return 0.5, penalty 50 % × 0.25 → 0.375.
        let s = score(ScoringMethod::DrawdownPenalised { penalty_bps: 5_000 }, d(100), &equity);
        assert_eq!(s, 375_000);
        // Full penalty: 0.5 − 0.25.
        let s = score(ScoringMethod::DrawdownPenalised { penalty_bps: 10_000 }, d(100), &equity);
        assert_eq!(s, 250_000);
        // No penalty: plain total return.
        assert_eq!(score(ScoringMethod::DrawdownPenalised { penalty_bps: 0 }, d(100), &equity), 500_000);
    }

    #[test]
    fn volatility_by_hand() {
        // Sample std of 0.01, 0.03 is 0.0141421356; × √252 = 0.2244994432.
        assert!((volatility(&[0.01, 0.03]) - 0.224_499_443_206_436_5).abs() < 1e-12);
        assert_eq!(volatility(&[0.01]), 0.0);
        assert_eq!(volatility(&[]), 0.0);
    }

    #[test]
    fn non_finite_inputs_do_not_escape() {
        assert_eq!(sharpe(&[f64::NAN, 0.1]), 0.0);
        assert_eq!(sortino(&[f64::NAN, -0.1]), 0.0);
        assert_eq!(volatility(&[f64::NAN, 0.1]), 0.0);
        assert_eq!(to_millionths(f64::NAN), 0);
        assert_eq!(to_millionths(f64::INFINITY), i64::MAX);
        assert_eq!(to_millionths(-0.25), -250_000);
        assert_eq!(to_millionths(0.000_000_4), 0);
        // Extreme money still gives a defined total return.
        assert_eq!(score(ScoringMethod::TotalReturn, Money(1), &[Money(i64::MAX)]), i64::MAX);
    }

    fn key(id: i64, score: i64, equity: i64, joined: i64) -> RankKey {
        RankKey { score, equity: d(equity), joined_at: Ts(joined), entry_id: EntryId(id) }
    }

    #[test]
    fn each_tie_break_decides() {
        let base = key(5, 100, 1_000, 50);
        // Higher score wins over everything else.
        assert_eq!(rank_order(&key(9, 101, 1, 99), &base), Ordering::Less);
        // Same score: higher equity.
        assert_eq!(rank_order(&key(9, 100, 1_001, 99), &base), Ordering::Less);
        assert_eq!(rank_order(&key(1, 100, 999, 1), &base), Ordering::Greater);
        // Same score and equity: earlier join.
        assert_eq!(rank_order(&key(9, 100, 1_000, 49), &base), Ordering::Less);
        assert_eq!(rank_order(&key(1, 100, 1_000, 51), &base), Ordering::Greater);
        // Everything equal but the id: lower id.
        assert_eq!(rank_order(&key(4, 100, 1_000, 50), &base), Ordering::Less);
        assert_eq!(rank_order(&key(6, 100, 1_000, 50), &base), Ordering::Greater);
        assert_eq!(rank_order(&base, &base), Ordering::Equal);
    }

    #[test]
    fn standings_rank_and_percentile() {
        let keys = vec![
            key(3, 50, 1_000, 10),
            key(1, 200, 1_000, 10),
            key(2, 50, 1_000, 5),
            key(4, 50, 2_000, 20),
            key(5, -10, 5_000, 1),
        ];
        let rows = standings(keys);
        let order: Vec<i64> = rows.iter().map(|s| s.entry_id.0).collect();
        assert_eq!(order, vec![1, 4, 2, 3, 5]);
        let ranks: Vec<u32> = rows.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, vec![1, 2, 3, 4, 5]);
        let pct: Vec<f64> = rows.iter().map(|s| s.percentile).collect();
        assert_eq!(pct, vec![100.0, 75.0, 50.0, 25.0, 0.0]);
        assert_eq!(rows[1].equity, d(2_000));
        assert_eq!(rows[4].score, -10);
    }

    #[test]
    fn standings_are_independent_of_input_order() {
        let mut keys: Vec<RankKey> = (0..20).map(|i| key(i, (i * 7) % 5, 1_000 + (i % 3), i % 4)).collect();
        let a = standings(keys.clone());
        keys.reverse();
        let b = standings(keys);
        assert_eq!(a, b);
    }

    #[test]
    fn percentile_edges() {
        assert_eq!(percentile(1, 1), 100.0);
        assert_eq!(percentile(1, 0), 100.0);
        assert_eq!(percentile(1, 2), 100.0);
        assert_eq!(percentile(2, 2), 0.0);
        assert_eq!(percentile(2, 3), 50.0);
        assert_eq!(percentile(0, 3), 100.0);
        assert_eq!(percentile(9, 3), 0.0);
        assert!(standings(Vec::new()).is_empty());
        let single = standings(vec![key(1, 0, 0, 0)]);
        assert_eq!(single[0].rank, 1);
        assert_eq!(single[0].percentile, 100.0);
    }
}
