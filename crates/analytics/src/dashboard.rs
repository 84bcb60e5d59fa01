//! The per-entry trader dashboard, computed on the warehouse (never on the production store):
//! trading history with filters, the equity curve against an equal-weight benchmark and the
//! tournament's median and top decile, every round trip against its peers (same symbol, same
//! sector, whole tournament, same week) with percentiles and bands, who else traded a symbol
//! that week, anomalous trades with their reasons (and the admins' platform-wide view), and how
//! fresh the warehouse is.
//!
//! Every function takes a DataFusion session from [`bullpen_warehouse::open_session`] and an
//! [`EntryRef`]; results are plain serialisable values (money as exact decimal strings, floats
//! only for returns and percentiles) that the web API returns as they are and the pages draw.
//! Other traders appear only under their warehouse pseudonym, never with a name.

pub mod anomalies;
mod cells;
pub mod equity;
pub mod freshness;
pub mod history;
pub mod peers;
pub mod who_else;

pub use anomalies::{entry_anomalies, platform, AnomalyFeature, AnomalyView, PairView, PlatformView};
pub use equity::{equity_curve, EquityCurve, EquityPoint};
pub use freshness::{freshness, Freshness};
pub use history::{history, FillRow, HistoryKind, HistoryPage, HistoryQuery, RoundTripRow, SideFilter};
pub use peers::{peer_points, peer_trades, PeerGroup, PeerPoint, PeerPoints, PeerTrade, PeerTrades};
pub use who_else::{who_else, WhoElse, WhoElseTrader};

use bullpen_domain::{EntryId, TournamentId};

/// The entry a dashboard is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef {
    /// The tournament.
    pub tournament_id: TournamentId,
    /// The entry in it.
    pub entry_id: EntryId,
}

/// A short, stable label for a pseudonymous trader: "Trader " and the first six hex digits of
/// the warehouse pseudonym.
pub fn trader_label(trader_id: &str) -> String {
    let short: String = trader_id.chars().take(6).collect();
    format!("Trader {short}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_show_only_a_prefix_of_the_pseudonym() {
        assert_eq!(trader_label("0123456789abcdef0123456789abcdef"), "Trader 012345");
        assert_eq!(trader_label("ab"), "Trader ab");
    }
}
