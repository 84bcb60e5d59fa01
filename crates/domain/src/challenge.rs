//! Evaluation of prop-firm style challenges ([`ChallengeRules`]) from a day-by-day equity record.
//!
//! The days are replayed in date order, like a risk desk watching the account:
//!
//! 1. A loss limit breached on a day fails the challenge at once; later days are ignored.
//!    - Daily loss: the day's low is below `start_equity − start_equity × max_daily_loss`.
//!    - Total loss, static: the low is below `starting_balance × (1 − max_total_loss)`.
//!    - Total loss, trailing: the low is below `high-water mark × (1 − max_total_loss)`, where the
//!      high-water mark is the highest of the starting balance and the end equities of the
//!      *earlier* days (the day's own close comes after its low, so it cannot raise that day's
//!      limit).
//!
//!    When one day breaches both limits, the higher limit was necessarily crossed first as equity
//!    fell, so that one decides (the daily limit on a tie).
//! 2. Otherwise the challenge passes at the end of the first day on which the profit target, the
//!    minimum number of trading days and the consistency rule (if any) all hold; later days are
//!    ignored.
//! 3. Otherwise, when `finished`, it fails on the first missed objective in the order profit
//!    target, trading days, consistency; when not finished it is still in progress.
//!
//! Every limit is an exact [`Money`] amount: the allowed loss (or target profit) is the
//! percentage of the reference equity rounded once to the cent by [`Money::mul_ratio_to_cent`].
//! A day's low is taken as at most its end equity, so an inconsistent record cannot hide a loss at
//! the close.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::challenge_rules::ChallengeRules;
use crate::money::{Money, CENT};

/// Basis points in one whole.
const BPS: i64 = 10_000;

/// One day of a challenge account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeDay {
    /// Trading day.
    pub date: NaiveDate,
    /// Equity at the start of the day.
    pub start_equity: Money,
    /// Equity at the end of the day.
    pub end_equity: Money,
    /// Lowest equity seen that day, open losses included.
    pub low_equity: Money,
    /// Whether at least one trade was made that day.
    pub traded: bool,
}

/// Where a challenge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeStatus {
    /// Neither passed nor failed yet.
    InProgress,
    /// Every objective met without breaching a limit.
    Passed,
    /// A limit was breached, or it finished without meeting every objective.
    Failed,
}

impl ChallengeStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeStatus::InProgress => "in_progress",
            ChallengeStatus::Passed => "passed",
            ChallengeStatus::Failed => "failed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<ChallengeStatus> {
        Some(match s {
            "in_progress" => ChallengeStatus::InProgress,
            "passed" => ChallengeStatus::Passed,
            "failed" => ChallengeStatus::Failed,
            _ => return None,
        })
    }
}

/// One objective or limit of a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeObjective {
    /// Reach the target equity.
    ProfitTarget,
    /// Never lose more than the limit within one day.
    MaxDailyLoss,
    /// Never lose more than the limit overall.
    MaxTotalLoss,
    /// Trade on enough distinct days.
    MinTradingDays,
    /// No single day may make too large a share of the total profit.
    Consistency,
}

impl ChallengeObjective {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeObjective::ProfitTarget => "profit_target",
            ChallengeObjective::MaxDailyLoss => "max_daily_loss",
            ChallengeObjective::MaxTotalLoss => "max_total_loss",
            ChallengeObjective::MinTradingDays => "min_trading_days",
            ChallengeObjective::Consistency => "consistency",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<ChallengeObjective> {
        Some(match s {
            "profit_target" => ChallengeObjective::ProfitTarget,
            "max_daily_loss" => ChallengeObjective::MaxDailyLoss,
            "max_total_loss" => ChallengeObjective::MaxTotalLoss,
            "min_trading_days" => ChallengeObjective::MinTradingDays,
            "consistency" => ChallengeObjective::Consistency,
            _ => return None,
        })
    }
}

/// Progress on one objective, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveProgress {
    /// Which objective.
    pub objective: ChallengeObjective,
    /// True when the objective currently holds (a loss limit holds while it is not breached).
    pub met: bool,
    /// True when a loss limit was breached (always false for the other objectives).
    pub breached: bool,
    /// Where the account is, in words with exact amounts.
    pub current: String,
    /// What the rule asks for.
    pub required: String,
    /// How far from it (or how much room is left under a limit).
    pub remaining: String,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeOutcome {
    /// Overall status.
    pub status: ChallengeStatus,
    /// For a failure, the breached limit or the missed objective; `None` otherwise.
    pub deciding: Option<ChallengeObjective>,
    /// One sentence saying why, with dates and exact amounts.
    pub explanation: String,
    /// Every objective in a fixed order: profit target, daily loss, total loss, trading days and,
    /// when the rules set one, consistency.
    pub objectives: Vec<ObjectiveProgress>,
}

/// A loss limit that was breached.
struct Breach {
    objective: ChallengeObjective,
    date: NaiveDate,
    low: Money,
    limit: Money,
    /// Start-of-day equity (daily), starting balance (static) or high-water mark (trailing).
    reference: Money,
}

/// The account as replayed so far.
struct Replay {
    equity: Money,
    high_water: Money,
    lowest: Money,
    trading_dates: BTreeSet<NaiveDate>,
    best_day: Option<(NaiveDate, Money)>,
    /// The day with the least room under the daily limit: (date, low, limit).
    tightest_day: Option<(NaiveDate, Money, Money)>,
    last_date: Option<NaiveDate>,
    /// The last replayed day's low and daily limit.
    last_low_and_daily_limit: Option<(Money, Money)>,
    daily_breached: bool,
    total_breached: bool,
    breach: Option<Breach>,
}

/// `amount × bps / 10,000`, rounded to the cent.
fn share_of(amount: Money, bps: i64) -> Money {
    amount.mul_ratio_to_cent(bps, BPS)
}

/// `$1,234.50`, `-$12.00`.
fn usd(m: Money) -> String {
    m.display_usd()
}

/// `5%`, `2.5%`, `0.25%`.
fn pct(bps: i64) -> String {
    let sign = if bps < 0 { "-" } else { "" };
    let abs = bps.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    match frac {
        0 => format!("{sign}{whole}%"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}%", f / 10),
        f => format!("{sign}{whole}.{f:02}%"),
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Replay {
    fn new(starting_balance: Money) -> Replay {
        Replay {
            equity: starting_balance,
            high_water: starting_balance,
            lowest: starting_balance,
            trading_dates: BTreeSet::new(),
            best_day: None,
            tightest_day: None,
            last_date: None,
            last_low_and_daily_limit: None,
            daily_breached: false,
            total_breached: false,
            breach: None,
        }
    }

    fn total_limit(&self, rules: &ChallengeRules, starting_balance: Money) -> (Money, Money) {
        let reference = if rules.trailing_total_loss { self.high_water } else { starting_balance };
        (reference - share_of(reference, rules.max_total_loss_bps), reference)
    }

    /// Applies one day; records a breach instead of the day's close when a limit is crossed.
    fn apply(&mut self, rules: &ChallengeRules, starting_balance: Money, day: &ChallengeDay) {
        let low = day.low_equity.min(day.end_equity);
        let daily_limit = day.start_equity - share_of(day.start_equity, rules.max_daily_loss_bps);
        let (total_limit, total_reference) = self.total_limit(rules, starting_balance);
        self.last_date = Some(day.date);
        self.last_low_and_daily_limit = Some((low, daily_limit));
        self.lowest = self.lowest.min(low);
        let tighter = match self.tightest_day {
            Some((_, l, lim)) => low - daily_limit < l - lim,
            None => true,
        };
        if tighter {
            self.tightest_day = Some((day.date, low, daily_limit));
        }
        self.daily_breached = low < daily_limit;
        self.total_breached = low < total_limit;
        if self.daily_breached || self.total_breached {
            // Falling equity crosses the higher limit first.
            let total_first = self.total_breached && (!self.daily_breached || total_limit > daily_limit);
            self.breach = Some(if total_first {
                Breach {
                    objective: ChallengeObjective::MaxTotalLoss,
                    date: day.date,
                    low,
                    limit: total_limit,
                    reference: total_reference,
                }
            } else {
                Breach {
                    objective: ChallengeObjective::MaxDailyLoss,
                    date: day.date,
                    low,
                    limit: daily_limit,
                    reference: day.start_equity,
                }
            });
            self.equity = low;
            return;
        }
        self.equity = day.end_equity;
        self.high_water = self.high_water.max(day.end_equity);
        if day.traded {
            self.trading_dates.insert(day.date);
        }
        let profit = day.end_equity - day.start_equity;
        if self.best_day.is_none_or(|(_, best)| profit > best) {
            self.best_day = Some((day.date, profit));
        }
    }

    fn trading_days(&self) -> u64 {
        self.trading_dates.len() as u64
    }
}

/// The profit-target objective.
fn profit_progress(rules: &ChallengeRules, starting_balance: Money, r: &Replay) -> ObjectiveProgress {
    let target = starting_balance + share_of(starting_balance, rules.profit_target_bps);
    let met = r.breach.is_none() && r.equity >= target;
    ObjectiveProgress {
        objective: ChallengeObjective::ProfitTarget,
        met,
        breached: false,
        current: format!("equity {} (profit {})", usd(r.equity), usd(r.equity - starting_balance)),
        required: format!(
            "equity of at least {} ({} above the starting balance {})",
            usd(target),
            pct(rules.profit_target_bps),
            usd(starting_balance)
        ),
        remaining: if met {
            "target reached".to_string()
        } else {
            format!("{} more profit needed", usd(target - r.equity))
        },
    }
}

/// The daily-loss limit.
fn daily_progress(rules: &ChallengeRules, r: &Replay) -> ObjectiveProgress {
    let breached = r.breach.is_some() && r.daily_breached;
    let current = match r.tightest_day {
        Some((date, low, limit)) if low < limit => {
            format!("worst day {date}: low {}, {} below that day's limit {}", usd(low), usd(limit - low), usd(limit))
        }
        Some((date, low, limit)) => {
            format!("closest call {date}: low {}, {} above that day's limit {}", usd(low), usd(low - limit), usd(limit))
        }
        None => "no trading day yet".to_string(),
    };
    let remaining = match (&r.breach, r.last_low_and_daily_limit) {
        (Some(b), Some((low, limit))) if breached => {
            format!("breached on {}: low {} was {} below the limit {}", b.date, usd(low), usd(limit - low), usd(limit))
        }
        _ => {
            let allowed = share_of(r.equity, rules.max_daily_loss_bps);
            format!(
                "a day starting at {} may fall by up to {} (to {})",
                usd(r.equity),
                usd(allowed),
                usd(r.equity - allowed)
            )
        }
    };
    ObjectiveProgress {
        objective: ChallengeObjective::MaxDailyLoss,
        met: !breached,
        breached,
        current,
        required: format!("equity never more than {} below the start-of-day equity", pct(rules.max_daily_loss_bps)),
        remaining,
    }
}

/// The total-loss limit.
fn total_progress(rules: &ChallengeRules, starting_balance: Money, r: &Replay) -> ObjectiveProgress {
    let breached = r.breach.is_some() && r.total_breached;
    let (limit, reference) = match &r.breach {
        Some(b) if b.objective == ChallengeObjective::MaxTotalLoss => (b.limit, b.reference),
        _ => r.total_limit(rules, starting_balance),
    };
    let required = if rules.trailing_total_loss {
        format!(
            "equity never more than {} below the high-water mark (now {}, limit {})",
            pct(rules.max_total_loss_bps),
            usd(reference),
            usd(limit)
        )
    } else {
        format!(
            "equity never below {} ({} below the starting balance {})",
            usd(limit),
            pct(rules.max_total_loss_bps),
            usd(starting_balance)
        )
    };
    let remaining = match &r.breach {
        Some(b) if breached => {
            // With both limits crossed on the same day the daily one may be recorded; the low is shared.
            format!(
                "breached on {}: low {} was {} below the limit {}",
                b.date,
                usd(b.low),
                usd(limit - b.low),
                usd(limit)
            )
        }
        _ => format!("{} above the limit {}", usd(r.equity - limit), usd(limit)),
    };
    ObjectiveProgress {
        objective: ChallengeObjective::MaxTotalLoss,
        met: !breached,
        breached,
        current: format!("lowest equity {}, equity now {}", usd(r.lowest), usd(r.equity)),
        required,
        remaining,
    }
}

/// The minimum-trading-days objective.
fn days_progress(rules: &ChallengeRules, r: &Replay) -> ObjectiveProgress {
    let have = r.trading_days();
    let need = u64::from(rules.min_trading_days);
    let met = r.breach.is_none() && have >= need;
    ObjectiveProgress {
        objective: ChallengeObjective::MinTradingDays,
        met,
        breached: false,
        current: plural(have, "trading day"),
        required: format!("at least {}", plural(need, "trading day")),
        remaining: if have >= need {
            "reached".to_string()
        } else {
            let missing = need - have;
            format!("{missing} more trading day{}", if missing == 1 { "" } else { "s" })
        },
    }
}

/// The consistency objective, when the rules set one.
fn consistency_progress(share_bps: i64, starting_balance: Money, r: &Replay) -> ObjectiveProgress {
    let total = r.equity - starting_balance;
    let best = r.best_day.map_or(Money::ZERO, |(_, p)| p.max(Money::ZERO));
    let cap = if total > Money::ZERO { share_of(total, share_bps) } else { Money::ZERO };
    let holds = best <= cap;
    let current = match r.best_day {
        Some((date, p)) if p > Money::ZERO && total > Money::ZERO => {
            let share = i128::from(p.0) * i128::from(BPS) / i128::from(total.0);
            let share = i64::try_from(share).unwrap_or(i64::MAX);
            format!("best day {date} made {}, {} of the total profit {}", usd(p), pct(share), usd(total))
        }
        Some((date, p)) if p > Money::ZERO => {
            format!("best day {date} made {}, total profit {}", usd(p), usd(total))
        }
        _ => "no profitable day yet".to_string(),
    };
    let remaining = if holds {
        "holds".to_string()
    } else if share_bps <= 0 {
        "the rule allows no profitable day".to_string()
    } else {
        // Smallest total profit, rounded up to the cent, at which the best day fits under the cap.
        let n = i128::from(best.0) * i128::from(BPS);
        let d = i128::from(share_bps) * i128::from(CENT);
        let cents = (n + d - 1) / d;
        let needed = Money(i64::try_from(cents * i128::from(CENT)).unwrap_or(i64::MAX));
        format!("needs a total profit of at least {} ({} more)", usd(needed), usd(needed - total))
    };
    ObjectiveProgress {
        objective: ChallengeObjective::Consistency,
        met: r.breach.is_none() && holds,
        breached: false,
        current,
        required: format!("best day at most {} of the total profit", pct(share_bps)),
        remaining,
    }
}

/// Evaluates `days` against `rules` for an account that started with `starting_balance`.
/// `finished` says the challenge period is over, so anything not yet passed has failed.
/// See the module documentation for the exact semantics. Never panics; `days` may be empty or
/// out of order (they are replayed sorted by date).
pub fn evaluate(
    rules: &ChallengeRules,
    starting_balance: Money,
    days: &[ChallengeDay],
    finished: bool,
) -> ChallengeOutcome {
    let mut ordered: Vec<&ChallengeDay> = days.iter().collect();
    ordered.sort_by_key(|d| d.date);

    let mut replay = Replay::new(starting_balance);
    let mut objectives = current_objectives(rules, starting_balance, &replay);
    for day in ordered {
        replay.apply(rules, starting_balance, day);
        objectives = current_objectives(rules, starting_balance, &replay);
        if replay.breach.is_some() || all_met(&objectives) {
            break;
        }
    }

    let (status, deciding, explanation) = if let Some(b) = &replay.breach {
        (ChallengeStatus::Failed, Some(b.objective), breach_explanation(rules, b))
    } else if all_met(&objectives) {
        (ChallengeStatus::Passed, None, pass_explanation(&replay, &objectives))
    } else if finished {
        let missed = objectives.iter().find(|o| !o.met);
        let deciding = missed.map(|o| o.objective);
        let why =
            missed.map_or_else(String::new, |o| format!("{}: {}, {}", label(o.objective), o.current, o.remaining));
        (ChallengeStatus::Failed, deciding, format!("Failed: the challenge ended without meeting the {why}."))
    } else {
        let mut text = "In progress:".to_string();
        for (i, o) in objectives.iter().filter(|o| !o.met).enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let _ = write!(text, "{sep}{}: {}", label(o.objective), o.remaining);
        }
        text.push('.');
        (ChallengeStatus::InProgress, None, text)
    };
    ChallengeOutcome { status, deciding, explanation, objectives }
}

fn current_objectives(rules: &ChallengeRules, starting_balance: Money, r: &Replay) -> Vec<ObjectiveProgress> {
    let mut out = vec![
        profit_progress(rules, starting_balance, r),
        daily_progress(rules, r),
        total_progress(rules, starting_balance, r),
        days_progress(rules, r),
    ];
    if let Some(share) = rules.max_best_day_share_bps {
        out.push(consistency_progress(share, starting_balance, r));
    }
    out
}

fn all_met(objectives: &[ObjectiveProgress]) -> bool {
    objectives.iter().all(|o| o.met)
}

fn label(objective: ChallengeObjective) -> &'static str {
    match objective {
        ChallengeObjective::ProfitTarget => "profit target",
        ChallengeObjective::MaxDailyLoss => "daily loss limit",
        ChallengeObjective::MaxTotalLoss => "maximum loss limit",
        ChallengeObjective::MinTradingDays => "minimum trading days",
        ChallengeObjective::Consistency => "consistency rule",
    }
}

fn breach_explanation(rules: &ChallengeRules, b: &Breach) -> String {
    let reference = match b.objective {
        ChallengeObjective::MaxDailyLoss => {
            format!("{} below the start-of-day equity {}", pct(rules.max_daily_loss_bps), usd(b.reference))
        }
        _ if rules.trailing_total_loss => {
            format!("{} below the high-water mark {}", pct(rules.max_total_loss_bps), usd(b.reference))
        }
        _ => format!("{} below the starting balance {}", pct(rules.max_total_loss_bps), usd(b.reference)),
    };
    format!(
        "Failed on {}: equity fell to {}, {} below the {} of {} ({}).",
        b.date,
        usd(b.low),
        usd(b.limit - b.low),
        label(b.objective),
        usd(b.limit),
        reference
    )
}

fn pass_explanation(r: &Replay, objectives: &[ObjectiveProgress]) -> String {
    let when = r.last_date.map_or_else(String::new, |d| format!(" on {d}"));
    let mut text = format!("Passed{when}: equity {} with {}", usd(r.equity), plural(r.trading_days(), "trading day"));
    if let Some(c) = objectives.iter().find(|o| o.objective == ChallengeObjective::Consistency) {
        let _ = write!(text, "; {}", c.current);
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(dollars: i64) -> Money {
        Money::from_dollars(dollars)
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, day).unwrap()
    }

    fn day(n: u32, start: i64, end: i64, low: i64, traded: bool) -> ChallengeDay {
        ChallengeDay { date: date(n), start_equity: d(start), end_equity: d(end), low_equity: d(low), traded }
    }

    fn rules() -> ChallengeRules {
        ChallengeRules {
            profit_target_bps: 1_000,
            max_daily_loss_bps: 500,
            max_total_loss_bps: 1_000,
            trailing_total_loss: false,
            min_trading_days: 3,
            max_best_day_share_bps: None,
        }
    }

    fn progress(outcome: &ChallengeOutcome, objective: ChallengeObjective) -> &ObjectiveProgress {
        outcome.objectives.iter().find(|o| o.objective == objective).unwrap()
    }

    #[test]
    fn profit_target_with_enough_days_passes() {
        let days = [
            day(4, 100_000, 104_000, 99_000, true),
            day(5, 104_000, 107_000, 103_000, true),
            day(6, 107_000, 110_000, 106_500, true),
            // After passing, later days do not matter.
            day(7, 110_000, 50_000, 50_000, true),
        ];
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.status, ChallengeStatus::Passed);
        assert_eq!(out.deciding, None);
        assert!(out.explanation.contains("2027-01-06"), "{}", out.explanation);
        assert!(out.explanation.contains("$110,000.00"), "{}", out.explanation);
        assert!(out.objectives.iter().all(|o| o.met && !o.breached));
        assert_eq!(out.objectives.len(), 4);
    }

    #[test]
    fn profit_target_missed_at_the_end_decides() {
        let days = [
            day(4, 100_000, 103_000, 99_000, true),
            day(5, 103_000, 105_000, 102_000, true),
            day(6, 105_000, 109_999, 104_000, true),
        ];
        let running = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(running.status, ChallengeStatus::InProgress);
        assert_eq!(running.deciding, None);
        let target = progress(&running, ChallengeObjective::ProfitTarget);
        assert!(!target.met);
        assert_eq!(target.remaining, "$1.00 more profit needed");
        assert!(running.explanation.contains("$1.00 more profit needed"), "{}", running.explanation);

        let done = evaluate(&rules(), d(100_000), &days, true);
        assert_eq!(done.status, ChallengeStatus::Failed);
        assert_eq!(done.deciding, Some(ChallengeObjective::ProfitTarget));
        assert!(done.explanation.contains("profit target"), "{}", done.explanation);
        assert!(done.explanation.contains("$1.00"), "{}", done.explanation);
    }

    #[test]
    fn min_trading_days_decide() {
        // Target reached on day 2 but only two trading days; day 3 without a trade.
        let days = [
            day(4, 100_000, 105_000, 100_000, true),
            day(5, 105_000, 111_000, 105_000, true),
            day(6, 111_000, 111_000, 111_000, false),
        ];
        let running = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(running.status, ChallengeStatus::InProgress);
        let td = progress(&running, ChallengeObjective::MinTradingDays);
        assert_eq!(td.current, "2 trading days");
        assert_eq!(td.remaining, "1 more trading day");
        let done = evaluate(&rules(), d(100_000), &days, true);
        assert_eq!(done.status, ChallengeStatus::Failed);
        assert_eq!(done.deciding, Some(ChallengeObjective::MinTradingDays));
        // The same date twice counts once.
        let dup = [day(4, 100_000, 105_000, 100_000, true), day(4, 105_000, 111_000, 105_000, true)];
        let out = evaluate(&rules(), d(100_000), &dup, false);
        assert_eq!(progress(&out, ChallengeObjective::MinTradingDays).current, "1 trading day");
    }

    #[test]
    fn daily_loss_breach_fails_immediately_with_exact_amounts() {
        // Day 2 starts at 102,345.67; 5 % is 5,117.2835 → 5,117.28; limit 97,228.39.
        let mut d2 = day(5, 0, 101_000, 0, true);
        d2.start_equity = "102345.67".parse().unwrap();
        d2.low_equity = "97228.38".parse().unwrap();
        let days = [day(4, 100_000, 102_345, 99_000, true), d2, day(6, 101_000, 120_000, 101_000, true)];
        let mut days = days.to_vec();
        days[0].end_equity = "102345.67".parse().unwrap();
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.status, ChallengeStatus::Failed);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxDailyLoss));
        assert_eq!(
            out.explanation,
            "Failed on 2027-01-05: equity fell to $97,228.38, $0.01 below the daily loss limit of $97,228.39 \
             (5% below the start-of-day equity $102,345.67)."
        );
        let daily = progress(&out, ChallengeObjective::MaxDailyLoss);
        assert!(daily.breached && !daily.met);
        assert_eq!(daily.current, "worst day 2027-01-05: low $97,228.38, $0.01 below that day's limit $97,228.39");
        assert!(!progress(&out, ChallengeObjective::MaxTotalLoss).breached);
        // Day 6 was ignored: profit target not reached.
        assert!(!progress(&out, ChallengeObjective::ProfitTarget).met);

        // One cent higher is exactly at the limit: no breach.
        days[1].low_equity = "97228.39".parse().unwrap();
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.status, ChallengeStatus::Passed);
    }

    #[test]
    fn static_total_loss_decides() {
        // Each day within 5 %, but the total sinks below 90,000.
        let days = [
            day(4, 100_000, 96_000, 95_500, true),
            day(5, 96_000, 92_000, 91_500, true),
            day(6, 92_000, 90_500, 89_999, true),
        ];
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.status, ChallengeStatus::Failed);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxTotalLoss));
        assert_eq!(
            out.explanation,
            "Failed on 2027-01-06: equity fell to $89,999.00, $1.00 below the maximum loss limit of $90,000.00 \
             (10% below the starting balance $100,000.00)."
        );
        let total = progress(&out, ChallengeObjective::MaxTotalLoss);
        assert!(total.breached);
        assert!(total.remaining.contains("2027-01-06"), "{}", total.remaining);
    }

    #[test]
    fn trailing_total_loss_follows_the_high_water_mark() {
        let mut r = rules();
        r.trailing_total_loss = true;
        r.profit_target_bps = 5_000;
        // The high-water mark after day 1 is 108,000 → limit 97,200. Every day stays within its
        // daily limit (the last day's is 101,000 − 5,050 = 95,950), but its low 97,199 is below 97,200.
        let days = [
            day(4, 100_000, 108_000, 100_000, true),
            day(5, 108_000, 104_000, 104_000, true),
            day(6, 104_000, 101_000, 101_000, true),
            day(7, 101_000, 99_000, 97_199, true),
        ];
        let out = evaluate(&r, d(100_000), &days, false);
        assert_eq!(out.status, ChallengeStatus::Failed);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxTotalLoss));
        assert!(out.explanation.contains("2027-01-07"), "{}", out.explanation);
        assert!(out.explanation.contains("$97,200.00"), "{}", out.explanation);
        assert!(out.explanation.contains("high-water mark $108,000.00"), "{}", out.explanation);
        // The same days under a static limit (90,000) are fine.
        r.trailing_total_loss = false;
        assert_eq!(evaluate(&r, d(100_000), &days, false).status, ChallengeStatus::InProgress);
    }

    #[test]
    fn trailing_mark_ignores_the_same_days_close() {
        let mut r = rules();
        r.trailing_total_loss = true;
        r.max_daily_loss_bps = 10_000;
        // Dips to 90,500 then closes at 150,000: measured against 100,000, not 150,000.
        let days = [day(4, 100_000, 150_000, 90_500, true)];
        assert_ne!(evaluate(&r, d(100_000), &days, false).status, ChallengeStatus::Failed);
    }

    #[test]
    fn first_breach_in_time_decides() {
        // Daily on day 1 (−6 % intraday, recovered) comes before the total breach on day 2.
        let days = [day(4, 100_000, 99_000, 94_000, true), day(5, 99_000, 80_000, 80_000, true)];
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxDailyLoss));
        assert!(out.explanation.contains("2027-01-04"));
        // Out-of-order input is replayed by date.
        let reversed = [days[1].clone(), days[0].clone()];
        assert_eq!(evaluate(&rules(), d(100_000), &reversed, false), out);
    }

    #[test]
    fn both_limits_on_one_day_the_higher_limit_decides() {
        // Day 3 starts at 92,000: daily limit 87,400, total limit 90,000; low 85,000 crosses 90,000 first.
        let days = [
            day(4, 100_000, 96_000, 96_000, true),
            day(5, 96_000, 92_000, 92_000, true),
            day(6, 92_000, 85_000, 85_000, true),
        ];
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxTotalLoss));
        assert!(progress(&out, ChallengeObjective::MaxDailyLoss).breached);
        assert!(progress(&out, ChallengeObjective::MaxTotalLoss).breached);
        // Starting at 100,000 with a low of 80,000: daily limit 95,000 is crossed before 90,000.
        let days = [day(4, 100_000, 80_000, 80_000, true)];
        let out = evaluate(&rules(), d(100_000), &days, false);
        assert_eq!(out.deciding, Some(ChallengeObjective::MaxDailyLoss));
    }

    #[test]
    fn consistency_rule_decides() {
        let mut r = rules();
        r.max_best_day_share_bps = Some(5_000);
        // Total profit 12,000, best day 9,000 = 75 % > 50 %.
        let days = [
            day(4, 100_000, 109_000, 100_000, true),
            day(5, 109_000, 110_000, 108_000, true),
            day(6, 110_000, 112_000, 109_500, true),
        ];
        let running = evaluate(&r, d(100_000), &days, false);
        assert_eq!(running.status, ChallengeStatus::InProgress);
        let c = progress(&running, ChallengeObjective::Consistency);
        assert!(!c.met);
        assert_eq!(c.current, "best day 2027-01-04 made $9,000.00, 75% of the total profit $12,000.00");
        assert_eq!(c.remaining, "needs a total profit of at least $18,000.00 ($6,000.00 more)");
        let done = evaluate(&r, d(100_000), &days, true);
        assert_eq!(done.status, ChallengeStatus::Failed);
        assert_eq!(done.deciding, Some(ChallengeObjective::Consistency));
        // Spread out profits pass.
        let days = [
            day(4, 100_000, 104_000, 100_000, true),
            day(5, 104_000, 108_000, 103_000, true),
            day(6, 108_000, 112_000, 107_500, true),
        ];
        let out = evaluate(&r, d(100_000), &days, true);
        assert_eq!(out.status, ChallengeStatus::Passed);
        assert_eq!(out.objectives.len(), 5);
    }

    #[test]
    fn empty_and_degenerate_inputs_are_defined() {
        let out = evaluate(&rules(), d(100_000), &[], false);
        assert_eq!(out.status, ChallengeStatus::InProgress);
        let out = evaluate(&rules(), d(100_000), &[], true);
        assert_eq!(out.status, ChallengeStatus::Failed);
        assert_eq!(out.deciding, Some(ChallengeObjective::ProfitTarget));
        // Zero starting balance and silly rules do not panic.
        let silly = ChallengeRules {
            profit_target_bps: -5,
            max_daily_loss_bps: i64::MAX,
            max_total_loss_bps: i64::MIN,
            trailing_total_loss: true,
            min_trading_days: 0,
            max_best_day_share_bps: Some(0),
        };
        let days = [
            ChallengeDay {
                date: date(1),
                start_equity: Money(i64::MIN),
                end_equity: Money(i64::MAX),
                low_equity: Money(i64::MIN),
                traded: true,
            },
            day(2, 0, 0, 0, false),
        ];
        for finished in [false, true] {
            let _ = evaluate(&silly, Money::ZERO, &days, finished);
            let _ = evaluate(&silly, Money(i64::MIN), &days, finished);
            let _ = evaluate(&rules(), Money::ZERO, &days, finished);
        }
    }

    #[test]
    fn names_round_trip() {
        for s in [ChallengeStatus::InProgress, ChallengeStatus::Passed, ChallengeStatus::Failed] {
            assert_eq!(ChallengeStatus::parse(s.as_str()), Some(s));
        }
        for o in [
            ChallengeObjective::ProfitTarget,
            ChallengeObjective::MaxDailyLoss,
            ChallengeObjective::MaxTotalLoss,
            ChallengeObjective::MinTradingDays,
            ChallengeObjective::Consistency,
        ] {
            assert_eq!(ChallengeObjective::parse(o.as_str()), Some(o));
        }
        assert_eq!(ChallengeObjective::parse("nope"), None);
        assert_eq!(pct(250), "2.5%");
        assert_eq!(pct(25), "0.25%");
        assert_eq!(pct(-100), "-1%");
        assert_eq!(usd(Money(-12_345)), "-$1.2345");
    }
}
