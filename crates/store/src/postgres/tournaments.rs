//! Users, tournaments, entries, leagues and final standings on PostgreSQL.

use bullpen_domain::{Entry, EntryId, League, LeagueId, Money, Tournament, TournamentId, TournamentState, Ts, UserId};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::error::conflict;
use super::rows::{self, ENTRY_COLUMNS};
use crate::codec::{date_str, from_json, kind_str, parse_date, parse_kind, parse_state, state_str, to_json, to_u32};
use crate::{FinalStanding, NewLeague, NewTournament, NewUser, StoreError, StoreResult, User};

// ---- users ----

const USER_COLUMNS: &str = "id, handle, display_name, is_bot, created_at";

fn user(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.try_get(0)?),
        handle: row.try_get(1)?,
        display_name: row.try_get(2)?,
        is_bot: row.try_get(3)?,
        created_at: Ts(row.try_get(4)?),
    })
}

/// Creates a user; `Conflict` when the handle is taken.
pub(crate) async fn create_user(pool: &PgPool, u: &NewUser) -> StoreResult<User> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (handle, display_name, is_bot, created_at) VALUES ($1, $2, $3, $4) RETURNING {USER_COLUMNS}"
    ))
    .bind(&u.handle)
    .bind(&u.display_name)
    .bind(u.is_bot)
    .bind(u.created_at.0)
    .fetch_one(pool)
    .await
    .map_err(|e| conflict(e, || format!("handle `{}` is already taken", u.handle)))?;
    user(&row)
}

/// A user by id.
pub(crate) async fn user_by_id(pool: &PgPool, id: UserId) -> StoreResult<Option<User>> {
    let row =
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id.0).fetch_optional(pool).await?;
    row.as_ref().map(user).transpose()
}

/// A user by handle.
pub(crate) async fn user_by_handle(pool: &PgPool, handle: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE handle = $1"))
        .bind(handle)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user).transpose()
}

// ---- tournaments ----

const TOURNAMENT_COLUMNS: &str = "id, name, kind, state, to_char(starts_on, 'YYYY-MM-DD'), \
     to_char(ends_on, 'YYYY-MM-DD'), rules, challenge, created_at";

fn tournament(row: &PgRow) -> StoreResult<Tournament> {
    let challenge: Option<&str> = row.try_get(7)?;
    Ok(Tournament {
        id: TournamentId(row.try_get(0)?),
        name: row.try_get(1)?,
        kind: parse_kind(row.try_get(2)?)?,
        state: parse_state(row.try_get(3)?)?,
        starts_on: parse_date(row.try_get(4)?)?,
        ends_on: parse_date(row.try_get(5)?)?,
        rules: from_json("tournament rules", row.try_get(6)?)?,
        challenge: challenge.map(|s| from_json("challenge rules", s)).transpose()?,
        created_at: Ts(row.try_get(8)?),
    })
}

/// Creates a tournament; `Conflict` when the name is taken.
pub(crate) async fn create_tournament(pool: &PgPool, t: &NewTournament) -> StoreResult<Tournament> {
    let rules = to_json("tournament rules", &t.rules)?;
    let challenge = t.challenge.as_ref().map(|c| to_json("challenge rules", c)).transpose()?;
    let row = sqlx::query(&format!(
        "INSERT INTO tournaments (name, kind, state, starts_on, ends_on, rules, challenge, created_at) \
         VALUES ($1, $2, $3, $4::date, $5::date, $6, $7, $8) RETURNING {TOURNAMENT_COLUMNS}"
    ))
    .bind(&t.name)
    .bind(kind_str(t.kind))
    .bind(state_str(t.state))
    .bind(date_str(t.starts_on))
    .bind(date_str(t.ends_on))
    .bind(&rules)
    .bind(&challenge)
    .bind(t.created_at.0)
    .fetch_one(pool)
    .await
    .map_err(|e| conflict(e, || format!("a tournament named `{}` already exists", t.name)))?;
    tournament(&row)
}

/// A tournament by id.
pub(crate) async fn tournament_by_id(pool: &PgPool, id: TournamentId) -> StoreResult<Option<Tournament>> {
    let row = sqlx::query(&format!("SELECT {TOURNAMENT_COLUMNS} FROM tournaments WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(tournament).transpose()
}

/// A tournament by name.
pub(crate) async fn tournament_by_name(pool: &PgPool, name: &str) -> StoreResult<Option<Tournament>> {
    let row = sqlx::query(&format!("SELECT {TOURNAMENT_COLUMNS} FROM tournaments WHERE name = $1"))
        .bind(name)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(tournament).transpose()
}

/// All tournaments, newest start first.
pub(crate) async fn tournaments(pool: &PgPool) -> StoreResult<Vec<Tournament>> {
    let rows = sqlx::query(&format!(
        "SELECT {TOURNAMENT_COLUMNS} FROM tournaments ORDER BY tournaments.starts_on DESC, id DESC"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(tournament).collect()
}

/// Replaces name, dates, rules and challenge.
pub(crate) async fn update_tournament(pool: &PgPool, t: &Tournament) -> StoreResult<()> {
    let rules = to_json("tournament rules", &t.rules)?;
    let challenge = t.challenge.as_ref().map(|c| to_json("challenge rules", c)).transpose()?;
    let done = sqlx::query(
        "UPDATE tournaments SET name = $1, starts_on = $2::date, ends_on = $3::date, rules = $4, challenge = $5 \
         WHERE id = $6",
    )
    .bind(&t.name)
    .bind(date_str(t.starts_on))
    .bind(date_str(t.ends_on))
    .bind(&rules)
    .bind(&challenge)
    .bind(t.id.0)
    .execute(pool)
    .await
    .map_err(|e| conflict(e, || format!("a tournament named `{}` already exists", t.name)))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("tournament {}", t.id)));
    }
    Ok(())
}

/// Moves a tournament to another state.
pub(crate) async fn set_tournament_state(pool: &PgPool, id: TournamentId, state: TournamentState) -> StoreResult<()> {
    let done = sqlx::query("UPDATE tournaments SET state = $1 WHERE id = $2")
        .bind(state_str(state))
        .bind(id.0)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("tournament {id}")));
    }
    Ok(())
}

// ---- entries ----

/// The entry of a user in a tournament.
pub(crate) async fn entry_of_user(pool: &PgPool, t: TournamentId, u: UserId) -> StoreResult<Option<Entry>> {
    let row = sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE tournament_id = $1 AND user_id = $2"))
        .bind(t.0)
        .bind(u.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(rows::entry).transpose()
}

// ---- leagues ----

const LEAGUE_COLUMNS: &str = "id, tournament_id, name, invite_code, commissioner, created_at";

fn league(row: &PgRow) -> StoreResult<League> {
    Ok(League {
        id: LeagueId(row.try_get(0)?),
        tournament_id: TournamentId(row.try_get(1)?),
        name: row.try_get(2)?,
        invite_code: row.try_get(3)?,
        commissioner: UserId(row.try_get(4)?),
        created_at: Ts(row.try_get(5)?),
    })
}

/// Creates a league; `Conflict` when the invite code is taken.
pub(crate) async fn create_league(pool: &PgPool, l: &NewLeague) -> StoreResult<League> {
    let row = sqlx::query(&format!(
        "INSERT INTO leagues (tournament_id, name, invite_code, commissioner, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {LEAGUE_COLUMNS}"
    ))
    .bind(l.tournament_id.0)
    .bind(&l.name)
    .bind(&l.invite_code)
    .bind(l.commissioner.0)
    .bind(l.created_at.0)
    .fetch_one(pool)
    .await
    .map_err(|e| conflict(e, || format!("invite code `{}` is already in use", l.invite_code)))?;
    league(&row)
}

/// A league by id.
pub(crate) async fn league_by_id(pool: &PgPool, id: LeagueId) -> StoreResult<Option<League>> {
    let row = sqlx::query(&format!("SELECT {LEAGUE_COLUMNS} FROM leagues WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(league).transpose()
}

/// A league by invite code.
pub(crate) async fn league_by_code(pool: &PgPool, code: &str) -> StoreResult<Option<League>> {
    let row = sqlx::query(&format!("SELECT {LEAGUE_COLUMNS} FROM leagues WHERE invite_code = $1"))
        .bind(code)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(league).transpose()
}

/// Leagues of a tournament, by id.
pub(crate) async fn leagues(pool: &PgPool, t: TournamentId) -> StoreResult<Vec<League>> {
    let rows = sqlx::query(&format!("SELECT {LEAGUE_COLUMNS} FROM leagues WHERE tournament_id = $1 ORDER BY id"))
        .bind(t.0)
        .fetch_all(pool)
        .await?;
    rows.iter().map(league).collect()
}

/// Adds a member (idempotent); `NotFound` when the league or entry does not exist.
pub(crate) async fn add_league_member(pool: &PgPool, l: LeagueId, e: EntryId) -> StoreResult<()> {
    sqlx::query("INSERT INTO league_members (league_id, entry_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(l.0)
        .bind(e.0)
        .execute(pool)
        .await
        .map_err(|err| match StoreError::from(err) {
            StoreError::Invalid(_) => StoreError::NotFound(format!("league {l} or entry {e}")),
            other => other,
        })?;
    Ok(())
}

/// Removes a member; `NotFound` when the entry is not a member.
pub(crate) async fn remove_league_member(pool: &PgPool, l: LeagueId, e: EntryId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM league_members WHERE league_id = $1 AND entry_id = $2")
        .bind(l.0)
        .bind(e.0)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("entry {e} is not a member of league {l}")));
    }
    Ok(())
}

/// Member entries of a league, by id.
pub(crate) async fn league_members(pool: &PgPool, l: LeagueId) -> StoreResult<Vec<EntryId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT entry_id FROM league_members WHERE league_id = $1 ORDER BY entry_id")
            .bind(l.0)
            .fetch_all(pool)
            .await?;
    Ok(ids.into_iter().map(EntryId).collect())
}

// ---- final standings ----

/// Replaces a tournament's final standings in one transaction.
pub(crate) async fn save_final_standings(
    pool: &PgPool,
    t: TournamentId,
    standings: &[FinalStanding],
) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM final_standings WHERE tournament_id = $1").bind(t.0).execute(&mut *tx).await?;
    if !standings.is_empty() {
        let entry: Vec<i64> = standings.iter().map(|s| s.entry_id.0).collect();
        let rank: Vec<i64> = standings.iter().map(|s| i64::from(s.rank)).collect();
        let score: Vec<i64> = standings.iter().map(|s| s.score).collect();
        let equity: Vec<i64> = standings.iter().map(|s| s.equity.0).collect();
        let badges: Vec<String> = standings.iter().map(|s| to_json("badges", &s.badges)).collect::<StoreResult<_>>()?;
        sqlx::query(
            "INSERT INTO final_standings (tournament_id, entry_id, rank, score, equity, badges) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[])",
        )
        .bind(t.0)
        .bind(&entry)
        .bind(&rank)
        .bind(&score)
        .bind(&equity)
        .bind(&badges)
        .execute(&mut *tx)
        .await
        .map_err(|e| match conflict(e, || "an entry is listed twice in the standings".to_string()) {
            StoreError::Invalid(_) => StoreError::NotFound(format!("tournament {t}")),
            other => other,
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// Frozen final standings, by rank.
pub(crate) async fn final_standings(pool: &PgPool, t: TournamentId) -> StoreResult<Vec<FinalStanding>> {
    let rows = sqlx::query(
        "SELECT entry_id, rank, score, equity, badges FROM final_standings WHERE tournament_id = $1 \
         ORDER BY rank, entry_id",
    )
    .bind(t.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(FinalStanding {
                entry_id: EntryId(row.try_get(0)?),
                rank: to_u32("rank", row.try_get(1)?)?,
                score: row.try_get(2)?,
                equity: Money(row.try_get(3)?),
                badges: from_json("badges", row.try_get(4)?)?,
            })
        })
        .collect()
}
