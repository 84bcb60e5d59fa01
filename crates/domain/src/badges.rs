//! Badges awarded from final standings.

use serde::{Deserialize, Serialize};

use crate::ids::EntryId;
use crate::scoring::Standing;

/// Smallest field in which the top-10 % badge is awarded.
pub const TOP_TEN_PERCENT_MIN_ENTRIES: usize = 10;

/// A badge for a finishing position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeKind {
    /// Rank 1.
    Champion,
    /// Rank 2.
    RunnerUp,
    /// Rank 3.
    ThirdPlace,
    /// Rank 4 or lower but within the top 10 % (rank ≤ n / 10), in fields of at least 10.
    TopTenPercent,
}

impl BadgeKind {
    /// Stable name (the same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeKind::Champion => "champion",
            BadgeKind::RunnerUp => "runner_up",
            BadgeKind::ThirdPlace => "third_place",
            BadgeKind::TopTenPercent => "top_ten_percent",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<BadgeKind> {
        Some(match s {
            "champion" => BadgeKind::Champion,
            "runner_up" => BadgeKind::RunnerUp,
            "third_place" => BadgeKind::ThirdPlace,
            "top_ten_percent" => BadgeKind::TopTenPercent,
            _ => return None,
        })
    }
}

/// The badges earned in `standings` (as produced by [`crate::scoring::standings`]): ranks 1, 2
/// and 3 get champion, runner-up and third place; when there are at least 10 entries, every other
/// entry with `rank ≤ n / 10` (integer division) gets top 10 %. At most one badge per entry.
/// The result is sorted by rank, then entry id, whatever the input order. Rank 0 earns nothing.
pub fn award_badges(standings: &[Standing]) -> Vec<(EntryId, BadgeKind)> {
    let n = standings.len();
    let top_ten_cutoff = if n >= TOP_TEN_PERCENT_MIN_ENTRIES { n / 10 } else { 0 };
    let mut ranked: Vec<(u32, EntryId)> = standings.iter().map(|s| (s.rank, s.entry_id)).collect();
    ranked.sort();
    ranked
        .into_iter()
        .filter_map(|(rank, entry)| {
            let badge = match rank {
                0 => return None,
                1 => BadgeKind::Champion,
                2 => BadgeKind::RunnerUp,
                3 => BadgeKind::ThirdPlace,
                r if usize::try_from(r).is_ok_and(|r| r <= top_ten_cutoff) => BadgeKind::TopTenPercent,
                _ => return None,
            };
            Some((entry, badge))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::scoring::{standings, RankKey};
    use crate::time::Ts;

    fn field(n: i64) -> Vec<Standing> {
        // Entry i has score −i, so entry 1 leads.
        standings(
            (1..=n)
                .map(|i| RankKey { score: -i, equity: Money::ZERO, joined_at: Ts(0), entry_id: EntryId(i) })
                .collect(),
        )
    }

    #[test]
    fn podium_only_in_small_fields() {
        let badges = award_badges(&field(9));
        assert_eq!(
            badges,
            vec![
                (EntryId(1), BadgeKind::Champion),
                (EntryId(2), BadgeKind::RunnerUp),
                (EntryId(3), BadgeKind::ThirdPlace)
            ]
        );
        assert_eq!(award_badges(&field(2)), vec![(EntryId(1), BadgeKind::Champion), (EntryId(2), BadgeKind::RunnerUp)]);
        assert_eq!(award_badges(&field(1)), vec![(EntryId(1), BadgeKind::Champion)]);
        assert!(award_badges(&[]).is_empty());
    }

    #[test]
    fn top_ten_percent_beyond_the_podium() {
        // n = 10 or 39: the top 10 % is inside the podium.
        assert_eq!(award_badges(&field(10)).len(), 3);
        assert_eq!(award_badges(&field(39)).len(), 3);
        // n = 40: rank 4 is in the top 10 %.
        let badges = award_badges(&field(40));
        assert_eq!(badges.len(), 4);
        assert_eq!(badges[3], (EntryId(4), BadgeKind::TopTenPercent));
        // n = 105: ranks 4..=10.
        let badges = award_badges(&field(105));
        let top: Vec<i64> = badges.iter().filter(|(_, b)| *b == BadgeKind::TopTenPercent).map(|(e, _)| e.0).collect();
        assert_eq!(top, (4..=10).collect::<Vec<_>>());
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut rows = field(50);
        let expected = award_badges(&rows);
        rows.reverse();
        assert_eq!(award_badges(&rows), expected);
    }

    #[test]
    fn names_round_trip() {
        for b in [BadgeKind::Champion, BadgeKind::RunnerUp, BadgeKind::ThirdPlace, BadgeKind::TopTenPercent] {
            assert_eq!(BadgeKind::parse(b.as_str()), Some(b));
            assert_eq!(serde_json::to_string(&b).unwrap(), format!("\"{}\"", b.as_str()));
        }
        assert_eq!(BadgeKind::parse("gold"), None);
    }
}
