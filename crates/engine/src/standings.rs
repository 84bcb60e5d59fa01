//! Final standings and badges when a tournament finishes.

use bullpen_domain::badges::award_badges;
use bullpen_domain::scoring::{score, standings, RankKey};
use bullpen_store::FinalStanding;

use crate::state::LiveTournament;

/// Scores every entry on its whole daily equity series (plus the current equity when the
/// last close is not recorded yet), ranks them deterministically and awards badges.
pub fn final_standings(live: &LiveTournament) -> Vec<FinalStanding> {
    let rules = &live.tournament.rules;
    let keys: Vec<RankKey> = live
        .entries
        .iter()
        .enumerate()
        .map(|(idx, slot)| {
            let equity = live.equity(idx as u32);
            let mut series = slot.daily_equity.clone();
            if series.last() != Some(&equity) {
                series.push(equity);
            }
            RankKey {
                score: score(rules.scoring, rules.starting_cash, &series),
                equity,
                joined_at: slot.entry.joined_at,
                entry_id: slot.entry.id,
            }
        })
        .collect();
    let ranked = standings(keys);
    let badges = award_badges(&ranked);
    ranked
        .into_iter()
        .map(|s| FinalStanding {
            entry_id: s.entry_id,
            rank: s.rank,
            score: s.score,
            equity: s.equity,
            badges: badges.iter().filter(|(e, _)| *e == s.entry_id).map(|(_, b)| b.as_str().to_string()).collect(),
        })
        .collect()
}
