//! Evaluation-challenge progress: each objective, whether it holds, and how far the player is
//! from it — the domain's evaluation ([`bullpen_domain::challenge::evaluate`]) of the entry's
//! closed trading days.

use bullpen_domain::challenge::evaluate;
use bullpen_domain::{ChallengeDay, ChallengeOutcome, ChallengeRules, ChallengeStatus, EntryId, Money, Tournament};
use bullpen_store::EquitySnapshot;
use maud::{html, Markup};

use crate::error::ApiResult;
use crate::state::AppState;

/// The closed days of one entry as the challenge evaluation reads them: each day starts where
/// the previous one ended (the first at the starting balance).
pub fn challenge_days(snapshots: &[EquitySnapshot], entry: EntryId, starting_balance: Money) -> Vec<ChallengeDay> {
    let mut own: Vec<&EquitySnapshot> = snapshots.iter().filter(|s| s.entry_id == entry).collect();
    own.sort_by_key(|s| s.date);
    let mut start = starting_balance;
    own.into_iter()
        .map(|s| {
            let day = ChallengeDay {
                date: s.date,
                start_equity: start,
                end_equity: s.equity,
                low_equity: s.low_equity,
                traded: s.traded,
            };
            start = s.equity;
            day
        })
        .collect()
}

/// The challenge outcome of an entry, when the tournament is a challenge.
pub async fn progress(state: &AppState, t: &Tournament, entry: EntryId) -> ApiResult<Option<ChallengeOutcome>> {
    let Some(rules) = &t.challenge else { return Ok(None) };
    let snapshots = state.store.equity_snapshots(t.id).await?;
    let days = challenge_days(&snapshots, entry, t.rules.starting_cash);
    let finished = t.state >= bullpen_domain::TournamentState::Finished;
    Ok(Some(evaluate(rules, t.rules.starting_cash, &days, finished)))
}

/// The objectives of a challenge, for visitors who have not joined.
pub fn rules_view(rules: &ChallengeRules) -> Markup {
    let pct = |bps: i64| format!("{}.{:02}%", bps / 100, (bps % 100).abs());
    html! {
        ul.plain {
            li { "Profit target: " (pct(rules.profit_target_bps)) }
            li { "Maximum daily loss: " (pct(rules.max_daily_loss_bps)) " of the day's starting equity" }
            li {
                "Maximum total loss: " (pct(rules.max_total_loss_bps))
                @if rules.trailing_total_loss { " below the high-water mark" } @else { " below the starting balance" }
            }
            li { "Minimum trading days: " (rules.min_trading_days) }
            @if let Some(share) = rules.max_best_day_share_bps {
                li { "Consistency: the best day at most " (pct(share)) " of the total profit" }
            }
        }
    }
}

fn status_badge(status: ChallengeStatus) -> Markup {
    let (class, text) = match status {
        ChallengeStatus::InProgress => ("badge", "In progress"),
        ChallengeStatus::Passed => ("badge good", "Passed"),
        ChallengeStatus::Failed => ("badge bad", "Failed"),
    };
    html! { span class=(class) data-challenge-status=(status.as_str()) { (text) } }
}

/// Each objective with where the player is, what it asks and how far it is.
pub fn progress_view(outcome: &ChallengeOutcome) -> Markup {
    html! {
        div.challenge {
            p { "Status: " (status_badge(outcome.status)) }
            p.notice.bad[outcome.status == ChallengeStatus::Failed].good[outcome.status == ChallengeStatus::Passed] {
                (outcome.explanation)
            }
            div.table-wrap {
                table.objectives {
                    caption.visually-hidden { "Challenge objectives" }
                    thead { tr {
                        th scope="col" { "Objective" }
                        th scope="col" { "Now" }
                        th scope="col" { "Required" }
                        th scope="col" { "How far" }
                        th scope="col" { "State" }
                    } }
                    tbody {
                        @for o in &outcome.objectives {
                            tr data-objective=(o.objective.as_str()) {
                                th scope="row" { (objective_name(o.objective)) }
                                td.wrap { (o.current) }
                                td.wrap { (o.required) }
                                td.wrap { (o.remaining) }
                                td {
                                    @if o.breached {
                                        span.badge.bad { "Breached" }
                                    } @else if o.met {
                                        span.badge.good { "Met" }
                                    } @else {
                                        span.badge { "Not yet" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.muted { "Progress counts closed trading days; today's trading is included after the close." }
        }
    }
}

fn objective_name(o: bullpen_domain::ChallengeObjective) -> &'static str {
    use bullpen_domain::ChallengeObjective as O;
    match o {
        O::ProfitTarget => "Profit target",
        O::MaxDailyLoss => "Daily loss limit",
        O::MaxTotalLoss => "Maximum loss limit",
        O::MinTradingDays => "Trading days",
        O::Consistency => "Consistency",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn snap(entry: i64, day: u32, equity: i64, traded: bool) -> EquitySnapshot {
        EquitySnapshot {
            entry_id: EntryId(entry),
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap_or_default(),
            equity: Money::from_dollars(equity),
            cash: Money::ZERO,
            low_equity: Money::from_dollars(equity - 10),
            traded,
        }
    }

    #[test]
    fn days_chain_their_start_equity_and_ignore_other_entries() {
        let snaps = vec![snap(1, 6, 1_020, false), snap(2, 5, 5, true), snap(1, 5, 1_010, true)];
        let days = challenge_days(&snaps, EntryId(1), Money::from_dollars(1_000));
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].start_equity, Money::from_dollars(1_000));
        assert_eq!(days[0].end_equity, Money::from_dollars(1_010));
        assert_eq!(days[1].start_equity, Money::from_dollars(1_010));
        assert!(days[0].traded && !days[1].traded);
    }
}
