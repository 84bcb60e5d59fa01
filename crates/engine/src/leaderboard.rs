//! Live leaderboards: a ranked, immutable snapshot published after every batch that changed
//! equities, and league views cut from it.

use std::collections::HashMap;
use std::sync::Arc;

use bullpen_domain::scoring::{percentile, rank_order, RankKey};
use bullpen_domain::{EntryId, Money, TournamentId, Ts};
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
    /// Player's name.
    pub display_name: Arc<str>,
    /// Current equity.
    pub equity: Money,
    /// Score in millionths (total return: return × 10⁶).
    pub score: i64,
}

/// A ranked snapshot of a tournament.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Leaderboard {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// Engine time of the snapshot.
    pub as_of: Ts,
    /// Rows by rank.
    pub rows: Vec<LeaderboardRow>,
    /// Entry → position in `rows`.
    #[serde(skip)]
    pub index: HashMap<EntryId, usize>,
}

impl Leaderboard {
    /// The row of an entry.
    pub fn row(&self, entry: EntryId) -> Option<&LeaderboardRow> {
        self.index.get(&entry).and_then(|&i| self.rows.get(i))
    }

    /// The leaderboard restricted to `members` (a league), re-ranked among them in the same
    /// order, with league percentiles.
    pub fn subset(&self, members: &[EntryId]) -> Vec<LeaderboardRow> {
        let mut positions: Vec<usize> = members.iter().filter_map(|m| self.index.get(m).copied()).collect();
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

impl LiveTournament {
    /// Ranks every entry by its live score with the deterministic tie-break.
    pub fn leaderboard(&self) -> Leaderboard {
        let mut keys: Vec<(RankKey, u32)> = (0..self.entries.len() as u32)
            .map(|idx| {
                let slot = &self.entries[idx as usize];
                let key = RankKey {
                    score: self.live_score(idx),
                    equity: slot.equity(),
                    joined_at: slot.entry.joined_at,
                    entry_id: slot.entry.id,
                };
                (key, idx)
            })
            .collect();
        keys.sort_unstable_by(|a, b| rank_order(&a.0, &b.0));
        let n = keys.len() as u32;
        let mut index = HashMap::with_capacity(keys.len());
        let rows = keys
            .into_iter()
            .enumerate()
            .map(|(i, (key, idx))| {
                let rank = i as u32 + 1;
                index.insert(key.entry_id, i);
                LeaderboardRow {
                    rank,
                    percentile: percentile(rank, n),
                    entry_id: key.entry_id,
                    display_name: Arc::clone(&self.entries[idx as usize].display_name),
                    equity: key.equity,
                    score: key.score,
                }
            })
            .collect();
        Leaderboard { tournament_id: self.tournament.id, as_of: self.now, rows, index }
    }
}
