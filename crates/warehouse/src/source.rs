//! What the exporter reads from the production store. The warehouse depends on the domain only,
//! so the store is seen through this trait; the binary adapts `bullpen_store::Store` to it.
//!
//! Every read is by sequence number, id or date, so an export reads only what changed.

use async_trait::async_trait;
use bullpen_domain::{
    DailyBar, Entry, EntryId, Instrument, LedgerEntry, Money, Order, Tournament, TournamentId, Ts, UserId,
};
use chrono::NaiveDate;

use crate::error::WarehouseResult;

/// A tournament's sequence high-water mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceHead {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// The highest sequence number committed.
    pub last_seq: i64,
    /// The time of the newest ledger entry, if any.
    pub last_ts: Option<Ts>,
}

/// A user as the warehouse sees it: no name, handle or e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUser {
    /// Id (pseudonymised before it is written).
    pub id: UserId,
    /// True for simulated traders.
    pub is_bot: bool,
    /// When the user was created.
    pub created_at: Ts,
}

/// End-of-day equity of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSnapshot {
    /// Entry.
    pub entry_id: EntryId,
    /// Trading day.
    pub date: NaiveDate,
    /// Equity at the close.
    pub equity: Money,
    /// Cash at the close.
    pub cash: Money,
    /// Lowest equity during the day.
    pub low_equity: Money,
    /// Whether the entry traded that day.
    pub traded: bool,
}

/// A fingerprint of one year of bars: a year is re-exported when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarYear {
    /// Calendar year.
    pub year: i32,
    /// Number of bars.
    pub rows: i64,
    /// A checksum of their values.
    pub checksum: i64,
}

/// The reads an export needs. Implementations must be consistent with sequence numbers: once
/// [`Source::sequence_heads`] reports `last_seq = s`, every ledger entry and order change with a
/// sequence number up to `s` is readable.
#[async_trait]
pub trait Source: Send + Sync {
    /// Every tournament's sequence high-water mark (tournaments with no activity may be absent).
    async fn sequence_heads(&self) -> WarehouseResult<Vec<SequenceHead>>;
    /// The whole instrument master.
    async fn instruments(&self) -> WarehouseResult<Vec<Instrument>>;
    /// All tournaments.
    async fn tournaments(&self) -> WarehouseResult<Vec<Tournament>>;
    /// Fingerprints of the bars by calendar year.
    async fn bar_years(&self) -> WarehouseResult<Vec<BarYear>>;
    /// All bars between two dates inclusive.
    async fn bars(&self, from: NaiveDate, to: NaiveDate) -> WarehouseResult<Vec<DailyBar>>;
    /// Users with an id above `after`, by id, at most `limit`.
    async fn users_after(&self, after: UserId, limit: usize) -> WarehouseResult<Vec<SourceUser>>;
    /// All entries of a tournament, by id.
    async fn entries(&self, tournament: TournamentId) -> WarehouseResult<Vec<Entry>>;
    /// Ledger entries with `after < seq <= upto`, by seq.
    async fn ledger(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<LedgerEntry>>;
    /// Orders whose latest change has `after < seq <= upto`, in their latest state, by seq.
    async fn orders_changed(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<Order>>;
    /// End-of-day snapshots dated after `after` (all when `None`), by date then entry.
    async fn equity_snapshots_after(
        &self,
        tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> WarehouseResult<Vec<SourceSnapshot>>;
}
