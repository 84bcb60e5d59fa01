//! The PostgreSQL store (any compatible service).
//!
//! sqlx with runtime-checked queries. Every pooled connection runs with
//! `synchronous_commit = on`, so a commit that returned is durable on the server.

mod accounts;
mod error;
mod export;
mod market;
mod migrate;
mod rebuild;
mod rows;
mod tournaments;
mod trading;

use std::time::Duration;

use async_trait::async_trait;
use bullpen_domain::{
    CorporateAction, DailyBar, Entry, EntryId, Instrument, InstrumentStatus, League, LeagueId, LedgerEntry, Order,
    OrderId, Symbol, Tournament, TournamentId, TournamentState, UserId,
};
use chrono::NaiveDate;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgPool};

use crate::batch_check::check_batch;
use crate::open::scrub;
use crate::{
    Batch, EquitySnapshot, FinalStanding, NewInstrument, NewLeague, NewTournament, NewUser, OrderFilter, Store,
    StoreError, StoreResult, TournamentSnapshot, User,
};

/// Connections per pool.
const MAX_CONNECTIONS: u32 = 10;
/// How long to wait for a free (or new) connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and migrates the database.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        PgStore::connect_inner(url, None).await
    }

    /// Connects with every connection's `search_path` set to `schema` (created if missing) and
    /// migrates that schema. Used to isolate tests or tenants in one database. The schema name
    /// must be 1–63 characters of `a-z`, `0-9` and `_`, starting with a letter or `_`.
    pub async fn connect_with_schema(url: &str, schema: &str) -> StoreResult<PgStore> {
        check_schema_name(schema)?;
        PgStore::connect_inner(url, Some(schema)).await
    }

    async fn connect_inner(url: &str, schema: Option<&str>) -> StoreResult<PgStore> {
        // One plain connection first: a wrong URL or an unreachable server fails at once with
        // its real cause, instead of after the pool's acquire timeout.
        let mut probe = sqlx::PgConnection::connect(url).await.map_err(|e| connect_error(&e, url))?;
        if let Some(schema) = schema {
            sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .execute(&mut probe)
                .await
                .map_err(|e| StoreError::Backend(scrub(&format!("cannot create schema {schema}: {e}"), url)))?;
        }
        probe.close().await.map_err(|e| connect_error(&e, url))?;
        let mut setup = String::from("SET synchronous_commit = on;");
        if let Some(schema) = schema {
            setup.push_str(&format!(" SET search_path TO \"{schema}\";"));
        }
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |conn, _meta| {
                let setup = setup.clone();
                Box::pin(async move {
                    conn.execute(setup.as_str()).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| connect_error(&e, url))?;
        migrate::migrate(&pool).await?;
        Ok(PgStore { pool })
    }

    /// The connection pool (for tools that need raw access, e.g. the warehouse exporter).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// A connection failure, described without the URL's password.
fn connect_error(e: &sqlx::Error, url: &str) -> StoreError {
    StoreError::Backend(scrub(&format!("cannot connect to PostgreSQL: {e}"), url))
}

fn check_schema_name(schema: &str) -> StoreResult<()> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && schema.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("`{schema}` is not a valid schema name (a-z, 0-9, _)")))
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        tournaments::create_user(&self.pool, &user).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        tournaments::user_by_id(&self.pool, id).await
    }

    async fn user_by_handle(&self, handle: &str) -> StoreResult<Option<User>> {
        tournaments::user_by_handle(&self.pool, handle).await
    }

    async fn upsert_instruments(&self, items: &[NewInstrument]) -> StoreResult<Vec<Instrument>> {
        market::upsert_instruments(&self.pool, items).await
    }

    async fn instruments(&self) -> StoreResult<Vec<Instrument>> {
        market::instruments(&self.pool).await
    }

    async fn set_instrument_status(&self, symbol: &Symbol, status: InstrumentStatus) -> StoreResult<()> {
        market::set_instrument_status(&self.pool, symbol, status).await
    }

    async fn insert_bars(&self, bars: &[DailyBar]) -> StoreResult<u64> {
        market::insert_bars(&self.pool, bars).await
    }

    async fn bars(&self, symbol: Option<&Symbol>, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<DailyBar>> {
        market::bars(&self.pool, symbol, from, to).await
    }

    async fn bar_date_range(&self) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
        market::bar_date_range(&self.pool).await
    }

    async fn insert_corporate_actions(&self, actions: &[CorporateAction]) -> StoreResult<u64> {
        market::insert_corporate_actions(&self.pool, actions).await
    }

    async fn corporate_actions(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<CorporateAction>> {
        market::corporate_actions(&self.pool, from, to).await
    }

    async fn create_tournament(&self, t: NewTournament) -> StoreResult<Tournament> {
        tournaments::create_tournament(&self.pool, &t).await
    }

    async fn tournament(&self, id: TournamentId) -> StoreResult<Option<Tournament>> {
        tournaments::tournament_by_id(&self.pool, id).await
    }

    async fn tournament_by_name(&self, name: &str) -> StoreResult<Option<Tournament>> {
        tournaments::tournament_by_name(&self.pool, name).await
    }

    async fn tournaments(&self) -> StoreResult<Vec<Tournament>> {
        tournaments::tournaments(&self.pool).await
    }

    async fn update_tournament(&self, t: &Tournament) -> StoreResult<()> {
        tournaments::update_tournament(&self.pool, t).await
    }

    async fn set_tournament_state(&self, id: TournamentId, state: TournamentState) -> StoreResult<()> {
        tournaments::set_tournament_state(&self.pool, id, state).await
    }

    async fn entries(&self, tournament: TournamentId) -> StoreResult<Vec<Entry>> {
        trading::entries(&self.pool, tournament).await
    }

    async fn entry_of_user(&self, tournament: TournamentId, user: UserId) -> StoreResult<Option<Entry>> {
        tournaments::entry_of_user(&self.pool, tournament, user).await
    }

    async fn create_league(&self, league: NewLeague) -> StoreResult<League> {
        tournaments::create_league(&self.pool, &league).await
    }

    async fn league(&self, id: LeagueId) -> StoreResult<Option<League>> {
        tournaments::league_by_id(&self.pool, id).await
    }

    async fn league_by_code(&self, code: &str) -> StoreResult<Option<League>> {
        tournaments::league_by_code(&self.pool, code).await
    }

    async fn leagues(&self, tournament: TournamentId) -> StoreResult<Vec<League>> {
        tournaments::leagues(&self.pool, tournament).await
    }

    async fn add_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()> {
        tournaments::add_league_member(&self.pool, league, entry).await
    }

    async fn remove_league_member(&self, league: LeagueId, entry: EntryId) -> StoreResult<()> {
        tournaments::remove_league_member(&self.pool, league, entry).await
    }

    async fn league_members(&self, league: LeagueId) -> StoreResult<Vec<EntryId>> {
        tournaments::league_members(&self.pool, league).await
    }

    async fn commit_batch(&self, batch: &Batch) -> StoreResult<()> {
        check_batch(batch)?;
        trading::commit_batch(&self.pool, batch).await
    }

    async fn load_tournament_state(&self, tournament: TournamentId) -> StoreResult<TournamentSnapshot> {
        rebuild::load(&self.pool, tournament).await
    }

    async fn orders(&self, tournament: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
        trading::orders(&self.pool, tournament, filter).await
    }

    async fn order(&self, id: OrderId) -> StoreResult<Option<Order>> {
        trading::order(&self.pool, id).await
    }

    async fn ledger(
        &self,
        tournament: TournamentId,
        entry: Option<EntryId>,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<LedgerEntry>> {
        trading::ledger(&self.pool, tournament, entry, after_seq, limit).await
    }

    async fn equity_snapshots(&self, tournament: TournamentId) -> StoreResult<Vec<EquitySnapshot>> {
        trading::equity_snapshots(&self.pool, tournament).await
    }

    async fn save_final_standings(&self, tournament: TournamentId, standings: &[FinalStanding]) -> StoreResult<()> {
        tournaments::save_final_standings(&self.pool, tournament, standings).await
    }

    async fn final_standings(&self, tournament: TournamentId) -> StoreResult<Vec<FinalStanding>> {
        tournaments::final_standings(&self.pool, tournament).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_checked() {
        assert!(check_schema_name("bullpen_test_1").is_ok());
        assert!(check_schema_name("_x").is_ok());
        assert!(check_schema_name("").is_err());
        assert!(check_schema_name("1abc").is_err());
        assert!(check_schema_name("a\"; DROP").is_err());
        assert!(check_schema_name(&"a".repeat(64)).is_err());
    }

    #[tokio::test]
    async fn connection_errors_hide_the_password() {
        // Nothing listens on port 1; the error must not echo the password.
        let url = "postgres://bob:topsecret@127.0.0.1:1/db";
        let err = PgStore::connect(url).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("cannot connect"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
