//! Records the store reads and writes besides the domain types.

use bullpen_domain::{
    ChallengeRules, Entry, EntryId, LedgerEntry, Money, Order, OrderId, TournamentId, TournamentKind, TournamentRules,
    TournamentState, Ts, UserId,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique login handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// True for simulated traders.
    pub is_bot: bool,
    /// Creation time.
    pub created_at: Ts,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Unique login handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// True for simulated traders.
    pub is_bot: bool,
    /// Creation time.
    pub created_at: Ts,
}

/// An instrument to insert or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstrument {
    /// Ticker.
    pub symbol: bullpen_domain::Symbol,
    /// Company name.
    pub name: String,
    /// Sector.
    pub sector: String,
}

/// A tournament to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTournament {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: TournamentKind,
    /// Initial state.
    pub state: TournamentState,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Rules.
    pub rules: TournamentRules,
    /// Evaluation-challenge rules.
    pub challenge: Option<ChallengeRules>,
    /// Creation time.
    pub created_at: Ts,
}

/// A league to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeague {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// Name.
    pub name: String,
    /// Unique invite code.
    pub invite_code: String,
    /// Creator.
    pub commissioner: UserId,
    /// Creation time.
    pub created_at: Ts,
}

/// End-of-day equity of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquitySnapshot {
    /// Entry.
    pub entry_id: EntryId,
    /// Trading day.
    pub date: NaiveDate,
    /// Equity at the close.
    pub equity: Money,
    /// Cash at the close.
    pub cash: Money,
    /// Lowest equity seen during the day (open losses included).
    pub low_equity: Money,
    /// Whether the entry traded that day.
    pub traded: bool,
}

/// One sequencer batch: everything committed in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// New entries (joins).
    pub entries: Vec<Entry>,
    /// Orders created or changed, in their latest state (upsert by id).
    pub orders: Vec<Order>,
    /// New ledger entries, in seq order.
    pub ledger: Vec<LedgerEntry>,
    /// End-of-day snapshots (upsert by entry and date).
    pub equity_snapshots: Vec<EquitySnapshot>,
    /// The tournament's highest sequence number after this batch.
    pub last_seq: i64,
}

/// What the engine needs to rebuild a tournament.
#[derive(Debug, Clone, Default)]
pub struct TournamentSnapshot {
    /// All entries.
    pub entries: Vec<Entry>,
    /// The whole ledger, in seq order.
    pub ledger: Vec<LedgerEntry>,
    /// Orders still open (new, accepted, partially filled), by id.
    pub open_orders: Vec<Order>,
    /// Client order ids given explicitly by players, with their order (for idempotency).
    pub client_order_ids: Vec<(EntryId, String, OrderId)>,
    /// The highest order number used (local part of [`OrderId`]), 0 if none.
    pub max_order_local: i64,
    /// The highest sequence number committed, 0 if none.
    pub last_seq: i64,
    /// Every end-of-day snapshot, by entry then date.
    pub equity_snapshots: Vec<EquitySnapshot>,
}

/// Which orders to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only this entry's.
    pub entry: Option<EntryId>,
    /// `Some(true)`: open only; `Some(false)`: closed only; `None`: all.
    pub open: Option<bool>,
    /// Only ids greater than this (keyset pagination).
    pub after_id: Option<OrderId>,
    /// At most this many (all when `None`).
    pub limit: Option<i64>,
}

/// A frozen final standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalStanding {
    /// Entry.
    pub entry_id: EntryId,
    /// 1-based rank.
    pub rank: u32,
    /// Score in millionths.
    pub score: i64,
    /// Final equity.
    pub equity: Money,
    /// Badge names awarded (e.g. `champion`).
    pub badges: Vec<String>,
}
