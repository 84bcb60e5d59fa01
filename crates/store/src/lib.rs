//! Bullpen's storage boundary: the [`Store`] trait and its SQLite and PostgreSQL implementations.
//!
//! The engine writes through [`Store::commit_batch`] only: one sequencer batch is one
//! transaction, and the call returns after the transaction is durable (SQLite: WAL with
//! `synchronous=FULL`; PostgreSQL: `synchronous_commit=on`). Everything else is reads and
//! administrative writes (instruments, bars, tournaments, leagues, users).
//!
//! Open a store with [`open_store`] (PostgreSQL for a `postgres://` URL, SQLite under the data
//! directory otherwise), or directly with [`SqliteStore::open`] / [`PgStore::connect`].
//!
//! Contracts the engine relies on and the stores check:
//! - Order and entry ids are composed with their tournament ([`bullpen_domain::OrderId::compose`],
//!   [`bullpen_domain::EntryId::compose`]); a batch naming another tournament's ids is refused
//!   with [`StoreError::Invalid`]. The stores find a tournament's rows by id range.
//! - Client order ids the engine generates have the form of [`generated_client_order_id`];
//!   every other one counts as given by the player: unique per entry (a reuse fails the batch
//!   with [`StoreError::Conflict`]) and returned in [`TournamentSnapshot::client_order_ids`].
//! - Every batch that changes orders or the ledger raises `last_seq` (each change carries a new
//!   sequence number); the high-water mark never moves back.
//!
//! Each dialect has its own migrations (`migrations/sqlite`, `migrations/postgres`), applied on
//! open and recorded in `schema_migrations`; a database migrated by a newer program is refused.

pub mod accounts;
mod batch_check;
mod client_id;
mod codec;
mod dedupe;
mod migrations;
mod open;
pub mod postgres;
pub mod sqlite;
mod symbols;
mod types;

pub use accounts::{
    audit_hash, Account, AccountStore, ApiKey, AuditBreak, AuditDraft, AuditEntry, AuditVerifier, KeyScope, NewAccount,
    Organisation, OutboxMessage, Role, Session, AUDIT_GENESIS_HASH,
};
pub use client_id::{generated_client_order_id, is_generated_client_order_id, GENERATED_CLIENT_ORDER_ID_PREFIX};
pub use open::open_store;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;

use async_trait::async_trait;
use bullpen_domain::{
    CorporateAction, DailyBar, Entry, EntryId, Instrument, InstrumentStatus, League, LeagueId, LedgerEntry, Order,
    OrderId, Symbol, Tournament, TournamentId, TournamentState, UserId,
};
use chrono::NaiveDate;

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the store. Messages never contain connection strings or secrets.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A uniqueness or state conflict (duplicate name, invite code, client order id, …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request is invalid for the store (e.g. bad filter).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Stored data could not be decoded (a corrupt or foreign database).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database failed (IO, connection, SQL).
    #[error("database error: {0}")]
    Backend(String),
}

/// A tournament's sequence high-water mark, for incremental exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceHead {
    /// Tournament.
    pub tournament_id: TournamentId,
    /// The highest sequence number committed.
    pub last_seq: i64,
    /// The time of the tournament's newest ledger entry, if any.
    pub last_ts: Option<bullpen_domain::Ts>,
}

/// A fingerprint of one calendar year of bars: a count and a checksum of their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarFingerprint {
    /// Calendar year.
    pub year: i32,
    /// Number of bars.
    pub rows: i64,
    /// Checksum of symbols' lengths, prices and volumes (changes when any bar changes).
    pub checksum: i64,
}

/// The reads of the analytics export (the warehouse): what changed since a sequence number, an
/// id or a date, each served by an index.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Every tournament's sequence high-water mark, by tournament id.
    async fn sequence_heads(&self) -> StoreResult<Vec<SequenceHead>>;
    /// Orders of a tournament whose latest change has `after_seq < seq <= upto_seq`, in their
    /// latest state, by seq. (SQLite rows written before schema version 3 carry no sequence
    /// column and are returned with the first range, `after_seq = 0`, whatever their seq.)
    async fn orders_changed(&self, tournament: TournamentId, after_seq: i64, upto_seq: i64) -> StoreResult<Vec<Order>>;
    /// End-of-day snapshots of a tournament dated after `after` (all when `None`), by date then
    /// entry.
    async fn equity_snapshots_after(
        &self,
        tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> StoreResult<Vec<EquitySnapshot>>;
    /// Users with an id above `after`, by id, at most `limit`.
    async fn users_after(&self, after: UserId, limit: i64) -> StoreResult<Vec<User>>;
    /// Fingerprints of the bars by calendar year, by year.
    async fn bar_fingerprints(&self) -> StoreResult<Vec<BarFingerprint>>;
}

/// The storage interface shared by SQLite and PostgreSQL. All methods are safe to call
/// concurrently; `commit_batch` calls for one tournament come from its one sequencer, in order.
#[async_trait]
pub trait Store: AccountStore + ExportStore + Send + Sync + 'static {
    /// Which backend this is (`"sqlite"` or `"postgres"`).
    fn backend(&self) -> &'static str;

    // ---- users ----
    /// Creates a user; the handle must be unique.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    /// Creates many users in one transaction where the backend can (bots, load tests); handles
    /// must be unique. The default creates them one by one.
    async fn create_users(&self, users: &[NewUser]) -> StoreResult<Vec<User>> {
        let mut created = Vec::with_capacity(users.len());
        for user in users {
            created.push(self.create_user(user.clone()).await?);
        }
        Ok(created)
    }
    /// A user by id.
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// A user by handle.
    async fn user_by_handle(&self, handle: &str) -> StoreResult<Option<User>>;

    // ---- instruments and market data ----
    /// Inserts new instruments and updates name/sector of existing ones (by symbol); returns all
    /// of them with their ids, in input order.
    async fn upsert_instruments(&self, items: &[NewInstrument]) -> StoreResult<Vec<Instrument>>;
    /// The whole instrument master, ordered by symbol.
    async fn instruments(&self) -> StoreResult<Vec<Instrument>>;
    /// Sets an instrument's status (halts, delistings).
    async fn set_instrument_status(&self, symbol: &Symbol, status: InstrumentStatus) -> StoreResult<()>;
    /// Inserts bars; a bar whose (symbol, date) already exists is replaced. Returns rows written.
    async fn insert_bars(&self, bars: &[DailyBar]) -> StoreResult<u64>;
    /// Bars between two dates inclusive, for one symbol or all, ordered by date then symbol.
    async fn bars(&self, symbol: Option<&Symbol>, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<DailyBar>>;
    /// The first and last bar date, if there are bars.
    async fn bar_date_range(&self) -> StoreResult<Option<(NaiveDate, NaiveDate)>>;
    /// Inserts corporate actions; duplicates (symbol, date, kind) are ignored. Returns rows written.
    async fn insert_corporate_actions(&self, actions: &[CorporateAction]) -> StoreResult<u64>;
    /// Corporate actions between two dates inclusive, ordered by date then symbol.
    async fn corporate_actions(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<CorporateAction>>;

    // ---- tournaments ----
    /// Creates a tournament; names are unique.
    async fn create_tournament(&self, t: NewTournament) -> StoreResult<Tournament>;
    /// A tournament by id.
    async fn tournament(&self, id: TournamentId) -> StoreResult<Option<Tournament>>;
    /// A tournament by name.
    async fn tournament_by_name(&self, name: &str) -> StoreResult<Option<Tournament>>;
    /// All tournaments, newest start first.
    async fn tournaments(&self) -> StoreResult<Vec<Tournament>>;
    /// Replaces name, dates, rules and challenge rules (only meaningful in draft/registration;
    /// the caller enforces that).
    async fn update_tournament(&self, t: &Tournament) -> StoreResult<()>;
    /// Moves a tournament to another lifecycle state (the caller validates the transition).
    async fn set_tournament_state(&self, id: TournamentId, state: TournamentState) -> StoreResult<()>;

    // ---- entries and leagues ----
    /// All entries of a tournament, by id.
    async fn entries(&self, tournament: TournamentId) -> StoreResult<Vec<Entry>>;
    /// The entry of a user in a tournament.
    async fn entry_of_user(&self, tournament: TournamentId, user: UserId) -> StoreResult<Option<Entry>>;
    /// Creates a league; the invite code must be unique.
    async fn create_league(&self, league: NewLeague) -> StoreResult<League>;
    /// A league by id.
    async fn league(&self, id: LeagueId) -> StoreResult<Option<League>>;
    /// A league by invite code.
    async fn league_by_code(&self, code: &str) -> StoreResult<Option<League>>;
    /// Leagues of a tournament.
    async fn leagues(&self, tournament: TournamentId) -> StoreResult<Vec<League>>;
    /// Adds an entry to a league (idempotent).
    async fn add_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()>;
    /// Removes an entry from a league.
    async fn remove_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()>;
    /// Member entries of a league, by id.
    async fn league_members(&self, league: LeagueId) -> StoreResult<Vec<EntryId>>;

    // ---- the engine's write path ----
    /// Commits one sequencer batch atomically and durably: new entries, upserted orders (by id),
    /// appended ledger entries, equity snapshots, and the tournament's sequence high-water mark.
    /// Returns only after the transaction is durable. On error nothing of the batch is stored.
    async fn commit_batch(&self, batch: &Batch) -> StoreResult<()>;

    /// [`Store::commit_batch`] for a caller that no longer needs the batch: a store that hands
    /// the batch to another thread takes it as it is instead of copying every record.
    async fn commit_batch_owned(&self, batch: Batch) -> StoreResult<()> {
        self.commit_batch(&batch).await
    }

    /// Everything the engine needs to rebuild a tournament's state.
    async fn load_tournament_state(&self, tournament: TournamentId) -> StoreResult<TournamentSnapshot>;

    // ---- reads ----
    /// Orders of a tournament matching a filter, ordered by id.
    async fn orders(&self, tournament: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>>;
    /// One order.
    async fn order(&self, id: OrderId) -> StoreResult<Option<Order>>;
    /// Ledger entries of a tournament with `seq > after_seq`, optionally of one entry, ordered by
    /// seq, at most `limit`.
    async fn ledger(
        &self,
        tournament: TournamentId,
        entry: Option<EntryId>,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<LedgerEntry>>;
    /// Daily equity snapshots of a tournament (all entries), ordered by entry then date.
    async fn equity_snapshots(&self, tournament: TournamentId) -> StoreResult<Vec<EquitySnapshot>>;

    // ---- results ----
    /// Freezes final standings and badges (replaces any earlier ones for the tournament).
    async fn save_final_standings(&self, tournament: TournamentId, standings: &[FinalStanding]) -> StoreResult<()>;
    /// Frozen final standings, by rank.
    async fn final_standings(&self, tournament: TournamentId) -> StoreResult<Vec<FinalStanding>>;
}
