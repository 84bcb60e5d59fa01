//! Tournament lifecycle: state names and transitions, validation of a new tournament, the
//! quarterly seasons and the date-driven schedule the automatic scheduler follows.

use chrono::{Datelike, NaiveDate};

use crate::challenge_rules::ChallengeRules;
use crate::money::{Money, Price};
use crate::rules::{ScoringMethod, TournamentRules, Universe};
use crate::tournament::{TournamentKind, TournamentState};

/// Longest tournament name, in characters.
pub const MAX_TOURNAMENT_NAME_CHARS: usize = 100;
/// Basis points in 100 %.
const FULL_BPS: i64 = 10_000;
/// Largest margin buying-power multiple accepted (10×), in basis points.
pub const MAX_MARGIN_MULTIPLE_BPS: i64 = 100_000;
/// Largest drawdown penalty weight accepted (10× the drawdown), in basis points.
pub const MAX_DRAWDOWN_PENALTY_BPS: i64 = 100_000;
/// Longest quote delay accepted: one day, in seconds.
pub const MAX_QUOTE_DELAY_SECONDS: i64 = 86_400;

impl TournamentState {
    /// Every state, in lifecycle order.
    pub const ALL: [TournamentState; 5] = [
        TournamentState::Draft,
        TournamentState::Registration,
        TournamentState::Running,
        TournamentState::Finished,
        TournamentState::Archived,
    ];

    /// Stable lower-case name (the same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            TournamentState::Draft => "draft",
            TournamentState::Registration => "registration",
            TournamentState::Running => "running",
            TournamentState::Finished => "finished",
            TournamentState::Archived => "archived",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<TournamentState> {
        Some(match s {
            "draft" => TournamentState::Draft,
            "registration" => TournamentState::Registration,
            "running" => TournamentState::Running,
            "finished" => TournamentState::Finished,
            "archived" => TournamentState::Archived,
            _ => return None,
        })
    }

    /// Whether `self → next` is allowed: exactly one step forward (draft → registration →
    /// running → finished → archived), or draft → archived to discard a draft. Staying in the same
    /// state is not a transition.
    pub fn can_transition_to(self, next: TournamentState) -> bool {
        use TournamentState::*;
        matches!(
            (self, next),
            (Draft, Registration)
                | (Registration, Running)
                | (Running, Finished)
                | (Finished, Archived)
                | (Draft, Archived)
        )
    }

    /// `Ok(next)` when [`TournamentState::can_transition_to`] allows it, else
    /// [`LifecycleError::IllegalTransition`].
    pub fn transition_to(self, next: TournamentState) -> Result<TournamentState, LifecycleError> {
        if self.can_transition_to(next) {
            Ok(next)
        } else {
            Err(LifecycleError::IllegalTransition { from: self, to: next })
        }
    }

    /// The next state on the normal path (draft → … → archived); `None` for archived.
    pub fn next(self) -> Option<TournamentState> {
        use TournamentState::*;
        match self {
            Draft => Some(Registration),
            Registration => Some(Running),
            Running => Some(Finished),
            Finished => Some(Archived),
            Archived => None,
        }
    }
}

impl TournamentKind {
    /// Stable lower-case name (the same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            TournamentKind::Season => "season",
            TournamentKind::AdHoc => "ad_hoc",
            TournamentKind::Challenge => "challenge",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<TournamentKind> {
        Some(match s {
            "season" => TournamentKind::Season,
            "ad_hoc" => TournamentKind::AdHoc,
            "challenge" => TournamentKind::Challenge,
            _ => return None,
        })
    }
}

/// Why a lifecycle change or a new tournament was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The state change is not one step forward.
    #[error("a tournament cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        /// Current state.
        from: TournamentState,
        /// Requested state.
        to: TournamentState,
    },
    /// The end date is before the start date.
    #[error("the last day must not be before the first day")]
    InvalidDates,
    /// The name is empty or only whitespace.
    #[error("the name must not be empty")]
    EmptyName,
    /// The name is longer than [`MAX_TOURNAMENT_NAME_CHARS`].
    #[error("the name must be at most {MAX_TOURNAMENT_NAME_CHARS} characters")]
    NameTooLong,
    /// The name contains control characters (line breaks, tabs, …).
    #[error("the name must not contain control characters")]
    InvalidNameCharacters,
    /// A rule is out of range; the text names the rule and the accepted range.
    #[error("invalid rules: {0}")]
    InvalidRules(String),
}

fn invalid(message: String) -> LifecycleError {
    LifecycleError::InvalidRules(message)
}

fn check_bps(name: &str, value: i64, min: i64, max: i64) -> Result<(), LifecycleError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!("{name} must be between {min} and {max} basis points, got {value}")))
    }
}

fn check_not_negative_money(name: &str, value: Money) -> Result<(), LifecycleError> {
    if value.is_negative() {
        Err(invalid(format!("{name} must not be negative, got {value}")))
    } else {
        Ok(())
    }
}

fn check_positive_price(name: &str, value: Price) -> Result<(), LifecycleError> {
    if value.0 > 0 {
        Ok(())
    } else {
        Err(invalid(format!("{name} must be positive, got {value}")))
    }
}

/// Checks a tournament name: not blank, at most [`MAX_TOURNAMENT_NAME_CHARS`] characters after
/// trimming, no control characters.
pub fn validate_tournament_name(name: &str) -> Result<(), LifecycleError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(LifecycleError::EmptyName);
    }
    if name.chars().count() > MAX_TOURNAMENT_NAME_CHARS {
        return Err(LifecycleError::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(LifecycleError::InvalidNameCharacters);
    }
    Ok(())
}

/// Checks everything about a new tournament that does not need the store (name uniqueness is
/// the store's job). The first problem found is returned:
///
/// - the name (see [`validate_tournament_name`]) and `starts_on ≤ ends_on`;
/// - starting cash positive;
/// - commission parts not negative, commission bps in `0..=10_000`;
/// - a symbol or sector universe not empty (and no blank sector);
/// - short minimum price not negative; borrow fee, slippage in `0..=10_000` bps;
/// - margin multiple in `10_000..=100_000` bps (1×–10×), margin interest in `0..=10_000` bps;
/// - maximum position weight in `1..=max(10_000, margin multiple)` bps;
/// - minimum share price positive; maximum orders per day at least 1;
/// - quote delay in `0..=86_400` s; minimum holding time not negative;
/// - volume cap in `1..=10_000` bps; drawdown penalty in `0..=100_000` bps;
/// - for a challenge: profit target positive, daily and total loss limits in `1..=10_000` bps,
///   minimum trading days no more than the calendar days of the tournament, best-day share in
///   `1..=10_000` bps.
pub fn validate_new_tournament(
    name: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    rules: &TournamentRules,
    challenge: Option<&ChallengeRules>,
) -> Result<(), LifecycleError> {
    validate_tournament_name(name)?;
    if ends_on < starts_on {
        return Err(LifecycleError::InvalidDates);
    }
    validate_rules(rules)?;
    if let Some(challenge) = challenge {
        let calendar_days = ends_on.signed_duration_since(starts_on).num_days().saturating_add(1);
        validate_challenge_rules(challenge, calendar_days)?;
    }
    Ok(())
}

/// Checks the ranges of every tournament rule (see [`validate_new_tournament`]).
pub fn validate_rules(rules: &TournamentRules) -> Result<(), LifecycleError> {
    if rules.starting_cash.0 <= 0 {
        return Err(invalid(format!("starting cash must be positive, got {}", rules.starting_cash)));
    }
    let c = &rules.commission;
    check_not_negative_money("commission per trade", c.per_trade)?;
    check_not_negative_money("commission per share", c.per_share)?;
    check_not_negative_money("minimum commission", c.minimum)?;
    check_bps("commission", c.bps, 0, FULL_BPS)?;
    match &rules.universe {
        Universe::All => {}
        Universe::Symbols(symbols) if symbols.is_empty() => {
            return Err(invalid("the symbol universe lists no symbols".to_string()));
        }
        Universe::Sectors(sectors) if sectors.is_empty() => {
            return Err(invalid("the sector universe lists no sectors".to_string()));
        }
        Universe::Sectors(sectors) if sectors.iter().any(|s| s.trim().is_empty()) => {
            return Err(invalid("the sector universe contains a blank sector".to_string()));
        }
        Universe::Symbols(_) | Universe::Sectors(_) => {}
    }
    if rules.short_min_price.0 < 0 {
        return Err(invalid(format!("short minimum price must not be negative, got {}", rules.short_min_price)));
    }
    check_bps("borrow fee per year", rules.borrow_fee_bps_per_year, 0, FULL_BPS)?;
    let mut max_weight = FULL_BPS;
    if let Some(margin) = &rules.margin {
        check_bps("margin buying-power multiple", margin.buying_power_multiple_bps, FULL_BPS, MAX_MARGIN_MULTIPLE_BPS)?;
        check_bps("margin interest per year", margin.interest_bps_per_year, 0, FULL_BPS)?;
        max_weight = max_weight.max(margin.buying_power_multiple_bps);
    }
    if let Some(weight) = rules.max_position_weight_bps {
        check_bps("maximum position weight", weight, 1, max_weight)?;
    }
    if let Some(price) = rules.min_share_price {
        check_positive_price("minimum share price", price)?;
    }
    if rules.max_orders_per_day == Some(0) {
        return Err(invalid("maximum orders per day must be at least 1".to_string()));
    }
    if !(0..=MAX_QUOTE_DELAY_SECONDS).contains(&rules.quote_delay_seconds) {
        return Err(invalid(format!(
            "quote delay must be between 0 and {MAX_QUOTE_DELAY_SECONDS} seconds, got {}",
            rules.quote_delay_seconds
        )));
    }
    if rules.min_holding_seconds < 0 {
        return Err(invalid(format!("minimum holding time must not be negative, got {}", rules.min_holding_seconds)));
    }
    check_bps("slippage", rules.slippage_bps, 0, FULL_BPS)?;
    if let Some(cap) = rules.volume_cap_bps {
        check_bps("volume cap", cap, 1, FULL_BPS)?;
    }
    if let ScoringMethod::DrawdownPenalised { penalty_bps } = rules.scoring {
        check_bps("drawdown penalty", penalty_bps, 0, MAX_DRAWDOWN_PENALTY_BPS)?;
    }
    Ok(())
}

/// Checks challenge objectives; `calendar_days` is the length of the tournament in days
/// (inclusive), an upper bound on its trading days.
pub fn validate_challenge_rules(rules: &ChallengeRules, calendar_days: i64) -> Result<(), LifecycleError> {
    if rules.profit_target_bps <= 0 {
        return Err(invalid(format!("profit target must be positive, got {} basis points", rules.profit_target_bps)));
    }
    check_bps("maximum daily loss", rules.max_daily_loss_bps, 1, FULL_BPS)?;
    check_bps("maximum total loss", rules.max_total_loss_bps, 1, FULL_BPS)?;
    if i64::from(rules.min_trading_days) > calendar_days {
        return Err(invalid(format!(
            "{} minimum trading days cannot fit in a tournament of {calendar_days} days",
            rules.min_trading_days
        )));
    }
    if let Some(share) = rules.max_best_day_share_bps {
        check_bps("best-day share", share, 1, FULL_BPS)?;
    }
    Ok(())
}

/// The dates and name of one quarterly season.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeasonSpec {
    /// Display name: `"Season {year} Q{n}"`, e.g. `"Season 2027 Q1"`.
    pub name: String,
    /// First calendar day of the quarter (it may be a weekend or holiday; trading starts on the
    /// first session on or after it).
    pub starts_on: NaiveDate,
    /// Last calendar day of the quarter.
    pub ends_on: NaiveDate,
}

/// A date that is valid for every year chrono supports (the year is clamped first).
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// The season of quarter `quarter` (1–4, clamped) of `year`.
fn season(year: i32, quarter: u32) -> SeasonSpec {
    let year = year.clamp(NaiveDate::MIN.year(), NaiveDate::MAX.year());
    let quarter = quarter.clamp(1, 4);
    let first_month = (quarter - 1) * 3 + 1;
    let last_month = first_month + 2;
    let last_day = if matches!(last_month, 3 | 12) { 31 } else { 30 };
    SeasonSpec {
        name: format!("Season {year} Q{quarter}"),
        starts_on: ymd(year, first_month, 1),
        ends_on: ymd(year, last_month, last_day),
    }
}

/// The four calendar-quarter seasons of `year`: Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec, named
/// `"Season {year} Q1"` … `"Season {year} Q4"`. Years beyond chrono's range are clamped to it.
pub fn quarterly_seasons(year: i32) -> [SeasonSpec; 4] {
    [season(year, 1), season(year, 2), season(year, 3), season(year, 4)]
}

/// The season (calendar quarter) that contains `date`.
pub fn season_for(date: NaiveDate) -> SeasonSpec {
    season(date.year(), date.month0() / 3 + 1)
}

/// The state a tournament should be in on `today`, from its dates alone (the automatic
/// scheduler moves tournaments forward one step at a time until they reach it):
///
/// - before `starts_on − registration_days`: draft;
/// - from then until the day before `starts_on`: registration (never, when `registration_days`
///   is zero or negative);
/// - `starts_on` through `ends_on`: running;
/// - after `ends_on`: finished, until `archive_after_days` days after `ends_on`, from which day on
///   it is archived (a value below 1 archives the day after the end).
pub fn scheduled_state(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
    registration_days: i64,
    archive_after_days: i64,
) -> TournamentState {
    let days_until_start = starts_on.signed_duration_since(today).num_days();
    if days_until_start > registration_days.max(0) {
        return TournamentState::Draft;
    }
    if days_until_start > 0 {
        return TournamentState::Registration;
    }
    let days_since_end = today.signed_duration_since(ends_on).num_days();
    if days_since_end <= 0 {
        TournamentState::Running
    } else if days_since_end >= archive_after_days.max(1) {
        TournamentState::Archived
    } else {
        TournamentState::Finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Symbol;
    use crate::rules::MarginRules;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for state in TournamentState::ALL {
            assert_eq!(TournamentState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{}\"", state.as_str()));
        }
        for kind in [TournamentKind::Season, TournamentKind::AdHoc, TournamentKind::Challenge] {
            assert_eq!(TournamentKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(TournamentState::parse("Running"), None);
        assert_eq!(TournamentKind::parse(""), None);
    }

    #[test]
    fn only_one_step_forward_or_discarding_a_draft() {
        use TournamentState::*;
        let allowed = [
            (Draft, Registration),
            (Registration, Running),
            (Running, Finished),
            (Finished, Archived),
            (Draft, Archived),
        ];
        for from in TournamentState::ALL {
            for to in TournamentState::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.can_transition_to(to), expected, "{from:?} -> {to:?}");
                assert_eq!(from.transition_to(to).is_ok(), expected);
            }
        }
        let err = Running.transition_to(Registration).unwrap_err();
        assert_eq!(err, LifecycleError::IllegalTransition { from: Running, to: Registration });
        assert_eq!(err.to_string(), "a tournament cannot go from running to registration");
        assert_eq!(Finished.next(), Some(Archived));
        assert_eq!(Archived.next(), None);
    }

    fn ok(rules: &TournamentRules) -> Result<(), LifecycleError> {
        validate_new_tournament("Spring Cup", date(2027, 1, 4), date(2027, 3, 31), rules, None)
    }

    fn rules_error(rules: &TournamentRules) -> String {
        match ok(rules) {
            Err(LifecycleError::InvalidRules(msg)) => msg,
            other => panic!("expected InvalidRules, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(ok(&TournamentRules::default()), Ok(()));
        let challenge = ChallengeRules::default();
        let r = TournamentRules::default();
        assert_eq!(validate_new_tournament("C", date(2027, 1, 4), date(2027, 1, 7), &r, Some(&challenge)), Ok(()));
        // Same first and last day is a one-day tournament.
        assert_eq!(validate_new_tournament("D", date(2027, 1, 4), date(2027, 1, 4), &r, None), Ok(()));
    }

    #[test]
    fn names_and_dates() {
        let r = TournamentRules::default();
        let (a, b) = (date(2027, 1, 4), date(2027, 3, 31));
        assert_eq!(validate_new_tournament("  ", a, b, &r, None), Err(LifecycleError::EmptyName));
        assert_eq!(validate_new_tournament(&"x".repeat(101), a, b, &r, None), Err(LifecycleError::NameTooLong));
        assert_eq!(validate_new_tournament(&"é".repeat(100), a, b, &r, None), Ok(()));
        assert_eq!(validate_new_tournament("a\nb", a, b, &r, None), Err(LifecycleError::InvalidNameCharacters));
        assert_eq!(validate_new_tournament("Cup", b, a, &r, None), Err(LifecycleError::InvalidDates));
    }

    #[test]
    fn each_rule_range_is_checked() {
        let base = TournamentRules::default();
        let mut r = base.clone();
        r.starting_cash = Money::ZERO;
        assert!(rules_error(&r).contains("starting cash"));
        let mut r = base.clone();
        r.commission.bps = 10_001;
        assert!(rules_error(&r).contains("commission"));
        let mut r = base.clone();
        r.commission.per_share = Money(-1);
        assert!(rules_error(&r).contains("per share"));
        let mut r = base.clone();
        r.universe = Universe::Symbols(vec![]);
        assert!(rules_error(&r).contains("no symbols"));
        let mut r = base.clone();
        r.universe = Universe::Sectors(vec![" ".to_string()]);
        assert!(rules_error(&r).contains("blank sector"));
        let mut r = base.clone();
        r.universe = Universe::Symbols(vec![Symbol::parse("AAPL").unwrap()]);
        assert_eq!(ok(&r), Ok(()));
        let mut r = base.clone();
        r.margin = Some(MarginRules { buying_power_multiple_bps: 9_999, interest_bps_per_year: 500 });
        assert!(rules_error(&r).contains("margin buying-power multiple"));
        let mut r = base.clone();
        r.margin = Some(MarginRules { buying_power_multiple_bps: 20_000, interest_bps_per_year: -1 });
        assert!(rules_error(&r).contains("margin interest"));
        // With 2× margin a 150 % position weight is possible, without margin it is not.
        let mut r = base.clone();
        r.max_position_weight_bps = Some(15_000);
        assert!(rules_error(&r).contains("maximum position weight"));
        r.margin = Some(MarginRules { buying_power_multiple_bps: 20_000, interest_bps_per_year: 500 });
        assert_eq!(ok(&r), Ok(()));
        let mut r = base.clone();
        r.max_position_weight_bps = Some(0);
        assert!(rules_error(&r).contains("maximum position weight"));
        let mut r = base.clone();
        r.min_share_price = Some(Price(0));
        assert!(rules_error(&r).contains("minimum share price"));
        let mut r = base.clone();
        r.max_orders_per_day = Some(0);
        assert!(rules_error(&r).contains("orders per day"));
        let mut r = base.clone();
        r.quote_delay_seconds = -1;
        assert!(rules_error(&r).contains("quote delay"));
        let mut r = base.clone();
        r.min_holding_seconds = -1;
        assert!(rules_error(&r).contains("holding"));
        let mut r = base.clone();
        r.slippage_bps = -1;
        assert!(rules_error(&r).contains("slippage"));
        let mut r = base.clone();
        r.volume_cap_bps = Some(0);
        assert!(rules_error(&r).contains("volume cap"));
        let mut r = base.clone();
        r.borrow_fee_bps_per_year = 10_001;
        assert!(rules_error(&r).contains("borrow fee"));
        let mut r = base.clone();
        r.short_min_price = Price(-1);
        assert!(rules_error(&r).contains("short minimum price"));
        let mut r = base;
        r.scoring = ScoringMethod::DrawdownPenalised { penalty_bps: -1 };
        assert!(rules_error(&r).contains("drawdown penalty"));
        r.scoring = ScoringMethod::DrawdownPenalised { penalty_bps: 5_000 };
        assert_eq!(ok(&r), Ok(()));
    }

    #[test]
    fn challenge_rules_are_checked() {
        let r = TournamentRules::default();
        let check = |c: &ChallengeRules| validate_new_tournament("C", date(2027, 1, 4), date(2027, 1, 8), &r, Some(c));
        let base = ChallengeRules::default();
        type Change = fn(&mut ChallengeRules);
        let cases: [(Change, &str); 5] = [
            (|c| c.profit_target_bps = 0, "profit target"),
            (|c| c.max_daily_loss_bps = 0, "daily loss"),
            (|c| c.max_total_loss_bps = 10_001, "total loss"),
            (|c| c.min_trading_days = 6, "cannot fit in a tournament of 5 days"),
            (|c| c.max_best_day_share_bps = Some(0), "best-day share"),
        ];
        for (change, expected) in cases {
            let mut c = base.clone();
            change(&mut c);
            match check(&c) {
                Err(LifecycleError::InvalidRules(msg)) => assert!(msg.contains(expected), "{msg}"),
                other => panic!("expected {expected}, got {other:?}"),
            }
        }
        let mut c = base;
        c.min_trading_days = 5;
        assert_eq!(check(&c), Ok(()));
    }

    #[test]
    fn quarterly_seasons_cover_the_year() {
        let seasons = quarterly_seasons(2027);
        let expected = [
            ("Season 2027 Q1", date(2027, 1, 1), date(2027, 3, 31)),
            ("Season 2027 Q2", date(2027, 4, 1), date(2027, 6, 30)),
            ("Season 2027 Q3", date(2027, 7, 1), date(2027, 9, 30)),
            ("Season 2027 Q4", date(2027, 10, 1), date(2027, 12, 31)),
        ];
        for (season, (name, start, end)) in seasons.iter().zip(expected) {
            assert_eq!(season.name, name);
            assert_eq!(season.starts_on, start);
            assert_eq!(season.ends_on, end);
        }
        // Contiguous: each season starts the day after the previous one ends.
        for pair in seasons.windows(2) {
            assert_eq!(pair[0].ends_on.succ_opt(), Some(pair[1].starts_on));
        }
        assert_eq!(season_for(date(2028, 2, 29)).name, "Season 2028 Q1");
        assert_eq!(season_for(date(2027, 4, 1)), seasons[1]);
        assert_eq!(season_for(date(2027, 9, 30)), seasons[2]);
        assert_eq!(season_for(date(2027, 12, 31)), seasons[3]);
        // Extreme years do not panic.
        let _ = quarterly_seasons(i32::MAX);
        let _ = quarterly_seasons(i32::MIN);
        let _ = season_for(NaiveDate::MAX);
        let _ = season_for(NaiveDate::MIN);
    }

    #[test]
    fn scheduled_state_follows_the_dates() {
        use TournamentState::*;
        let (start, end) = (date(2027, 1, 4), date(2027, 3, 31));
        let at = |today| scheduled_state(start, end, today, 7, 30);
        assert_eq!(at(date(2026, 12, 27)), Draft);
        assert_eq!(at(date(2026, 12, 28)), Registration);
        assert_eq!(at(date(2027, 1, 3)), Registration);
        assert_eq!(at(date(2027, 1, 4)), Running);
        assert_eq!(at(date(2027, 3, 31)), Running);
        assert_eq!(at(date(2027, 4, 1)), Finished);
        assert_eq!(at(date(2027, 4, 29)), Finished);
        assert_eq!(at(date(2027, 4, 30)), Archived);
        // No registration window: straight from draft to running.
        assert_eq!(scheduled_state(start, end, date(2027, 1, 3), 0, 30), Draft);
        assert_eq!(scheduled_state(start, end, date(2027, 1, 3), -5, 30), Draft);
        // Archive immediately after the end.
        assert_eq!(scheduled_state(start, end, date(2027, 4, 1), 7, 0), Archived);
        // Extreme dates do not overflow.
        assert_eq!(scheduled_state(NaiveDate::MAX, NaiveDate::MAX, NaiveDate::MIN, i64::MAX, i64::MAX), Registration);
        assert_eq!(scheduled_state(NaiveDate::MIN, NaiveDate::MIN, NaiveDate::MAX, i64::MIN, i64::MIN), Archived);
    }
}
