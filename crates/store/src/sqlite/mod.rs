//! The embedded SQLite store.
//!
//! One dedicated writer thread owns the write connection (module `writer`); reads run on a small
//! pool of read connections in blocking tasks. The database is in WAL mode with
//! `synchronous=FULL`, so a commit that returned survives a crash or power loss.

mod accounts;
mod checkpointer;
mod conn;
mod error;
mod export;
mod market;
mod migrate;
mod order_blob;
mod readers;
mod rebuild;
mod rows;
mod tournaments;
mod trading;
mod writer;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bullpen_domain::{
    CorporateAction, DailyBar, Entry, EntryId, Instrument, InstrumentStatus, League, LeagueId, LedgerEntry, Order,
    OrderId, Symbol, Tournament, TournamentId, TournamentState, UserId,
};
use chrono::NaiveDate;

use self::readers::Readers;
use self::writer::Writer;
use crate::batch_check::check_batch;
use crate::{
    Batch, EquitySnapshot, FinalStanding, NewInstrument, NewLeague, NewTournament, NewUser, OrderFilter, Store,
    StoreError, StoreResult, TournamentSnapshot, User,
};

/// File name of the database inside a data directory.
pub const DATABASE_FILE: &str = "bullpen.db";

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: Readers,
    _checkpointer: checkpointer::Checkpointer,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `<dir>/bullpen.db`, creating `dir` too, and migrates it.
    pub fn open(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("cannot create data directory {}: {e}", dir.display())))?;
        SqliteStore::open_file(&dir.join(DATABASE_FILE))
    }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub fn open_file(path: &Path) -> StoreResult<SqliteStore> {
        let mut write_conn = conn::open_writer(path)?;
        migrate::migrate(&mut write_conn)?;
        let first_reader = conn::open_reader(path)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Writer::start(write_conn)?,
            readers: Readers::new(path.to_path_buf(), first_reader),
            _checkpointer: checkpointer::Checkpointer::start(path)?,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.writer.write(move |c| tournaments::create_user(c, &user)).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.readers.read(move |c| tournaments::user_where(c, "id", &id.0)).await
    }

    async fn user_by_handle(&self, handle: &str) -> StoreResult<Option<User>> {
        let handle = handle.to_string();
        self.readers.read(move |c| tournaments::user_where(c, "handle", &handle)).await
    }

    async fn upsert_instruments(&self, items: &[NewInstrument]) -> StoreResult<Vec<Instrument>> {
        let items = items.to_vec();
        self.writer.write(move |c| market::upsert_instruments(c, &items)).await
    }

    async fn instruments(&self) -> StoreResult<Vec<Instrument>> {
        self.readers.read(market::instruments).await
    }

    async fn set_instrument_status(&self, symbol: &Symbol, status: InstrumentStatus) -> StoreResult<()> {
        let symbol = symbol.clone();
        self.writer.write(move |c| market::set_instrument_status(c, &symbol, status)).await
    }

    async fn insert_bars(&self, bars: &[DailyBar]) -> StoreResult<u64> {
        let bars = bars.to_vec();
        self.writer.write(move |c| market::insert_bars(c, &bars)).await
    }

    async fn bars(&self, symbol: Option<&Symbol>, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<DailyBar>> {
        let symbol = symbol.cloned();
        self.readers.read(move |c| market::bars(c, symbol.as_ref(), from, to)).await
    }

    async fn bar_date_range(&self) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
        self.readers.read(market::bar_date_range).await
    }

    async fn insert_corporate_actions(&self, actions: &[CorporateAction]) -> StoreResult<u64> {
        let actions = actions.to_vec();
        self.writer.write(move |c| market::insert_corporate_actions(c, &actions)).await
    }

    async fn corporate_actions(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<CorporateAction>> {
        self.readers.read(move |c| market::corporate_actions(c, from, to)).await
    }

    async fn create_tournament(&self, t: NewTournament) -> StoreResult<Tournament> {
        self.writer.write(move |c| tournaments::create_tournament(c, &t)).await
    }

    async fn tournament(&self, id: TournamentId) -> StoreResult<Option<Tournament>> {
        self.readers.read(move |c| tournaments::tournament_where(c, "id", &id.0)).await
    }

    async fn tournament_by_name(&self, name: &str) -> StoreResult<Option<Tournament>> {
        let name = name.to_string();
        self.readers.read(move |c| tournaments::tournament_where(c, "name", &name)).await
    }

    async fn tournaments(&self) -> StoreResult<Vec<Tournament>> {
        self.readers.read(tournaments::tournaments).await
    }

    async fn update_tournament(&self, t: &Tournament) -> StoreResult<()> {
        let t = t.clone();
        self.writer.write(move |c| tournaments::update_tournament(c, &t)).await
    }

    async fn set_tournament_state(&self, id: TournamentId, state: TournamentState) -> StoreResult<()> {
        self.writer.write(move |c| tournaments::set_tournament_state(c, id, state)).await
    }

    async fn entries(&self, tournament: TournamentId) -> StoreResult<Vec<Entry>> {
        self.readers.read(move |c| trading::entries_of(c, tournament)).await
    }

    async fn entry_of_user(&self, tournament: TournamentId, user: UserId) -> StoreResult<Option<Entry>> {
        self.readers.read(move |c| tournaments::entry_of_user(c, tournament, user)).await
    }

    async fn create_league(&self, league: NewLeague) -> StoreResult<League> {
        self.writer.write(move |c| tournaments::create_league(c, &league)).await
    }

    async fn league(&self, id: LeagueId) -> StoreResult<Option<League>> {
        self.readers.read(move |c| tournaments::league_where(c, "id", &id.0)).await
    }

    async fn league_by_code(&self, code: &str) -> StoreResult<Option<League>> {
        let code = code.to_string();
        self.readers.read(move |c| tournaments::league_where(c, "invite_code", &code)).await
    }

    async fn leagues(&self, tournament: TournamentId) -> StoreResult<Vec<League>> {
        self.readers.read(move |c| tournaments::leagues(c, tournament)).await
    }

    async fn add_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()> {
        self.writer.write(move |c| tournaments::add_league_member(c, league, entry)).await
    }

    async fn remove_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()> {
        self.writer.write(move |c| tournaments::remove_league_member(c, league, entry)).await
    }

    async fn league_members(&self, league: LeagueId) -> StoreResult<Vec<EntryId>> {
        self.readers.read(move |c| tournaments::league_members(c, league)).await
    }

    async fn commit_batch(&self, batch: &Batch) -> StoreResult<()> {
        check_batch(batch)?;
        // The writer thread needs its own copy; cloning is cheap next to the inserts and keeps
        // the caller's borrow short.
        self.writer.commit(Box::new(batch.clone())).await
    }

    async fn commit_batch_owned(&self, batch: Batch) -> StoreResult<()> {
        check_batch(&batch)?;
        self.writer.commit(Box::new(batch)).await
    }

    async fn load_tournament_state(&self, tournament: TournamentId) -> StoreResult<TournamentSnapshot> {
        self.readers.read_pair(move |first, second| rebuild::load(first, second, tournament)).await
    }

    async fn orders(&self, tournament: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
        let filter = filter.clone();
        self.readers.read(move |c| trading::orders(c, tournament, &filter)).await
    }

    async fn order(&self, id: OrderId) -> StoreResult<Option<Order>> {
        self.readers.read(move |c| trading::order(c, id)).await
    }

    async fn ledger(
        &self,
        tournament: TournamentId,
        entry: Option<EntryId>,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<LedgerEntry>> {
        self.readers.read(move |c| trading::ledger(c, tournament, entry, after_seq, limit)).await
    }

    async fn equity_snapshots(&self, tournament: TournamentId) -> StoreResult<Vec<EquitySnapshot>> {
        self.readers.read(move |c| trading::snapshots_of(c, tournament)).await
    }

    async fn save_final_standings(&self, tournament: TournamentId, standings: &[FinalStanding]) -> StoreResult<()> {
        let standings = standings.to_vec();
        self.writer.write(move |c| tournaments::save_final_standings(c, tournament, &standings)).await
    }

    async fn final_standings(&self, tournament: TournamentId) -> StoreResult<Vec<FinalStanding>> {
        self.readers.read(move |c| tournaments::final_standings(c, tournament)).await
    }
}
