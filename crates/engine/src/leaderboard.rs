//! Live leaderboards: a ranked, immutable snapshot published after batches that changed
//! equities, and league views cut from it.

use std::sync::Arc;

use bullpen_domain::scoring::{percentile, rank_order, score, RankKey};
use bullpen_domain::{EntryId, Money, ScoringMethod, TournamentId, Ts};
use serde::Serialize;

use crate::state::LiveTournament;

/// One ranked row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderboardRow {
    /// 1-based rank.
    pub rank: u32,
    /// Percentile (100 = best).
    pub percentile: f64,
    /// Entry.
    pub entry_id: EntryId,
    /// Current equity.
    pub equity: Money,
    /// Score in millionths (total return: return × 10⁶).
    pub score: i64,
}

/// A ranked snapshot of a tournament.
#[derive(Debug, Clone, Default)]
pub struct Leaderboard {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// Engine time of the snapshot.
    pub as_of: Ts,
    /// Rows by rank.
    pub rows: Vec<LeaderboardRow>,
    /// Position in `rows` of each entry, by entry number (`EntryId::local() − 1`).
    pub positions: Vec<u32>,
    /// Display names by entry number (shared between snapshots, not copied per row).
    pub names: Arc<Vec<Arc<str>>>,
}

impl Leaderboard {
    /// The row of an entry.
    pub fn row(&self, entry: EntryId) -> Option<&LeaderboardRow> {
        self.position(entry).and_then(|i| self.rows.get(i))
    }

    /// The display name of an entry.
    pub fn name(&self, entry: EntryId) -> &str {
        usize::try_from(entry.local() - 1).ok().and_then(|i| self.names.get(i)).map(|n| &**n).unwrap_or("")
    }

    fn position(&self, entry: EntryId) -> Option<usize> {
        if entry.tournament() != self.tournament_id {
            return None;
        }
        let idx = usize::try_from(entry.local().checked_sub(1)?).ok()?;
        self.positions.get(idx).map(|&p| p as usize)
    }

    /// The leaderboard restricted to `members` (a league), re-ranked among them in the same
    /// order, with league percentiles.
    pub fn subset(&self, members: &[EntryId]) -> Vec<LeaderboardRow> {
        let mut positions: Vec<usize> = members.iter().filter_map(|m| self.position(*m)).collect();
        positions.sort_unstable();
        positions.dedup();
        let n = positions.len() as u32;
        positions
            .into_iter()
            .enumerate()
            .filter_map(|(i, pos)| {
                let row = self.rows.get(pos)?;
                let rank = i as u32 + 1;
                Some(LeaderboardRow { rank, percentile: percentile(rank, n), ..row.clone() })
            })
            .collect()
    }
}

/// Maps a signed value to an unsigned one with the same order.
fn order_preserving(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

impl LiveTournament {
    /// Entry indexes in rank order with their equity, using the domain's deterministic order
    /// (score, equity, join time, entry id).
    fn ranked_indexes(&self) -> Vec<(u32, Money)> {
        let n = self.entries.len();
        if self.tournament.rules.scoring == ScoringMethod::TotalReturn {
            // Total return is a non-decreasing function of equity (same starting cash for all),
            // and entries join in index order with non-decreasing join times, so the domain
            // order reduces to (equity descending, index ascending): one 128-bit key per entry,
            // sorted without a comparator. `ranked_indexes_match_the_domain_order` checks this.
            let mut keys: Vec<u128> = (0..n as u32)
                .map(|idx| {
                    let equity = self.equity(idx).0;
                    (u128::from(!order_preserving(equity)) << 64) | u128::from(idx)
                })
                .collect();
            keys.sort_unstable();
            return keys.into_iter().map(|k| (k as u32, Money((!((k >> 64) as u64) ^ (1 << 63)) as i64))).collect();
        }
        let mut keys: Vec<(RankKey, u32)> = (0..n as u32).map(|idx| (self.rank_key(idx), idx)).collect();
        keys.sort_unstable_by(|a, b| rank_order(&a.0, &b.0));
        keys.into_iter().map(|(key, idx)| (idx, key.equity)).collect()
    }

    /// The domain ranking key of an entry.
    pub fn rank_key(&self, idx: u32) -> RankKey {
        let slot = &self.entries[idx as usize];
        RankKey {
            score: self.live_score(idx),
            equity: self.equity(idx),
            joined_at: slot.entry.joined_at,
            entry_id: slot.entry.id,
        }
    }

    /// Ranks every entry by its live score with the deterministic tie-break.
    pub fn leaderboard(&self) -> Leaderboard {
        let order = self.ranked_indexes();
        let n = order.len() as u32;
        let mut positions = vec![0u32; order.len()];
        let mut rows = Vec::with_capacity(order.len());
        let rules = &self.tournament.rules;
        let total_return = rules.scoring == ScoringMethod::TotalReturn;
        for (i, (idx, equity)) in order.into_iter().enumerate() {
            let rank = i as u32 + 1;
            positions[idx as usize] = i as u32;
            let score = if total_return {
                score(ScoringMethod::TotalReturn, rules.starting_cash, &[equity])
            } else {
                self.entries[idx as usize].close_score
            };
            rows.push(LeaderboardRow {
                rank,
                percentile: percentile(rank, n),
                entry_id: EntryId::compose(self.tournament.id, i64::from(idx) + 1),
                equity,
                score,
            });
        }
        Leaderboard {
            tournament_id: self.tournament.id,
            as_of: self.now,
            rows,
            positions,
            names: Arc::clone(self.shared_names.get_or_init(|| Arc::new(self.names.clone()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_preserving_keeps_signed_order() {
        let values = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        for w in values.windows(2) {
            assert!(order_preserving(w[0]) < order_preserving(w[1]));
        }
    }
}
