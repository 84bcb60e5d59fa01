//! Users, tournaments, entries, leagues and final standings on SQLite.

use bullpen_domain::{Entry, EntryId, League, LeagueId, Money, Tournament, TournamentId, TournamentState, Ts, UserId};
use rusqlite::{params, Connection, Row, TransactionBehavior};

use super::error::is_conflict;
use super::rows::{self, text, ENTRY_COLUMNS};
use super::trading::conflict_context;
use crate::codec::{date_str, from_json, kind_str, parse_date, parse_kind, parse_state, state_str, to_json, to_u32};
use crate::{FinalStanding, NewLeague, NewTournament, NewUser, StoreError, StoreResult, User};

// ---- users ----

const USER_COLUMNS: &str = "id, handle, display_name, is_bot, created_at";

fn user(row: &Row<'_>) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.get(0)?),
        handle: row.get(1)?,
        display_name: row.get(2)?,
        is_bot: row.get(3)?,
        created_at: Ts(row.get(4)?),
    })
}

/// Creates a user; `Conflict` when the handle is taken.
pub(crate) fn create_user(conn: &Connection, u: &NewUser) -> StoreResult<User> {
    let mut st = conn.prepare_cached(&format!(
        "INSERT INTO users (handle, display_name, is_bot, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING {USER_COLUMNS}"
    ))?;
    let mut rows = st
        .query(params![u.handle, u.display_name, u.is_bot, u.created_at.0])
        .map_err(|e| conflict_context(e.into(), || format!("handle `{}` is already taken", u.handle)))?;
    match rows.next() {
        Ok(Some(row)) => user(row),
        Ok(None) => Err(StoreError::Backend("insert returned no row".to_string())),
        Err(e) => Err(conflict_context(e.into(), || format!("handle `{}` is already taken", u.handle))),
    }
}

/// A user by id or handle.
pub(crate) fn user_where(conn: &Connection, column: &str, value: &dyn rusqlite::ToSql) -> StoreResult<Option<User>> {
    let mut st = conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = ?1"))?;
    let mut rows = st.query([value])?;
    rows.next()?.map(user).transpose()
}

// ---- tournaments ----

const TOURNAMENT_COLUMNS: &str = "id, name, kind, state, starts_on, ends_on, rules, challenge, created_at";

fn tournament(row: &Row<'_>) -> StoreResult<Tournament> {
    Ok(Tournament {
        id: TournamentId(row.get(0)?),
        name: row.get(1)?,
        kind: parse_kind(text(row, 2)?)?,
        state: parse_state(text(row, 3)?)?,
        starts_on: parse_date(text(row, 4)?)?,
        ends_on: parse_date(text(row, 5)?)?,
        rules: from_json("tournament rules", text(row, 6)?)?,
        challenge: rows::opt_text(row, 7)?.map(|s| from_json("challenge rules", s)).transpose()?,
        created_at: Ts(row.get(8)?),
    })
}

/// Creates a tournament; `Conflict` when the name is taken.
pub(crate) fn create_tournament(conn: &Connection, t: &NewTournament) -> StoreResult<Tournament> {
    let rules = to_json("tournament rules", &t.rules)?;
    let challenge = t.challenge.as_ref().map(|c| to_json("challenge rules", c)).transpose()?;
    let taken = || format!("a tournament named `{}` already exists", t.name);
    let mut st = conn.prepare_cached(&format!(
        "INSERT INTO tournaments (name, kind, state, starts_on, ends_on, rules, challenge, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {TOURNAMENT_COLUMNS}"
    ))?;
    let mut rows = st
        .query(params![
            t.name,
            kind_str(t.kind),
            state_str(t.state),
            date_str(t.starts_on),
            date_str(t.ends_on),
            rules,
            challenge,
            t.created_at.0
        ])
        .map_err(|e| conflict_context(e.into(), taken))?;
    match rows.next() {
        Ok(Some(row)) => tournament(row),
        Ok(None) => Err(StoreError::Backend("insert returned no row".to_string())),
        Err(e) => Err(conflict_context(e.into(), taken)),
    }
}

/// A tournament by id or name.
pub(crate) fn tournament_where(
    conn: &Connection,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> StoreResult<Option<Tournament>> {
    let mut st = conn.prepare_cached(&format!("SELECT {TOURNAMENT_COLUMNS} FROM tournaments WHERE {column} = ?1"))?;
    let mut rows = st.query([value])?;
    rows.next()?.map(tournament).transpose()
}

/// All tournaments, newest start first.
pub(crate) fn tournaments(conn: &Connection) -> StoreResult<Vec<Tournament>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {TOURNAMENT_COLUMNS} FROM tournaments ORDER BY starts_on DESC, id DESC"))?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(tournament(row)?);
    }
    Ok(out)
}

/// Replaces name, dates, rules and challenge.
pub(crate) fn update_tournament(conn: &Connection, t: &Tournament) -> StoreResult<()> {
    let rules = to_json("tournament rules", &t.rules)?;
    let challenge = t.challenge.as_ref().map(|c| to_json("challenge rules", c)).transpose()?;
    let n = conn
        .prepare_cached(
            "UPDATE tournaments SET name = ?1, starts_on = ?2, ends_on = ?3, rules = ?4, challenge = ?5 WHERE id = ?6",
        )?
        .execute(params![t.name, date_str(t.starts_on), date_str(t.ends_on), rules, challenge, t.id.0])
        .map_err(|e| conflict_context(e.into(), || format!("a tournament named `{}` already exists", t.name)))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("tournament {}", t.id)));
    }
    Ok(())
}

/// Moves a tournament to another state.
pub(crate) fn set_tournament_state(conn: &Connection, id: TournamentId, state: TournamentState) -> StoreResult<()> {
    let n = conn
        .prepare_cached("UPDATE tournaments SET state = ?1 WHERE id = ?2")?
        .execute(params![state_str(state), id.0])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("tournament {id}")));
    }
    Ok(())
}

// ---- entries ----

/// The entry of a user in a tournament.
pub(crate) fn entry_of_user(conn: &Connection, t: TournamentId, u: UserId) -> StoreResult<Option<Entry>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE tournament_id = ?1 AND user_id = ?2"))?;
    let mut rows = st.query([t.0, u.0])?;
    rows.next()?.map(rows::entry).transpose()
}

// ---- leagues ----

const LEAGUE_COLUMNS: &str = "id, tournament_id, name, invite_code, commissioner, created_at";

fn league(row: &Row<'_>) -> StoreResult<League> {
    Ok(League {
        id: LeagueId(row.get(0)?),
        tournament_id: TournamentId(row.get(1)?),
        name: row.get(2)?,
        invite_code: row.get(3)?,
        commissioner: UserId(row.get(4)?),
        created_at: Ts(row.get(5)?),
    })
}

/// Creates a league; `Conflict` when the invite code is taken.
pub(crate) fn create_league(conn: &Connection, l: &NewLeague) -> StoreResult<League> {
    let taken = || format!("invite code `{}` is already in use", l.invite_code);
    let mut st = conn.prepare_cached(&format!(
        "INSERT INTO leagues (tournament_id, name, invite_code, commissioner, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {LEAGUE_COLUMNS}"
    ))?;
    let mut rows = st
        .query(params![l.tournament_id.0, l.name, l.invite_code, l.commissioner.0, l.created_at.0])
        .map_err(|e| conflict_context(e.into(), taken))?;
    match rows.next() {
        Ok(Some(row)) => league(row),
        Ok(None) => Err(StoreError::Backend("insert returned no row".to_string())),
        Err(e) => Err(conflict_context(e.into(), taken)),
    }
}

/// A league by id or invite code.
pub(crate) fn league_where(
    conn: &Connection,
    column: &str,
    value: &dyn rusqlite::ToSql,
) -> StoreResult<Option<League>> {
    let mut st = conn.prepare_cached(&format!("SELECT {LEAGUE_COLUMNS} FROM leagues WHERE {column} = ?1"))?;
    let mut rows = st.query([value])?;
    rows.next()?.map(league).transpose()
}

/// Leagues of a tournament, by id.
pub(crate) fn leagues(conn: &Connection, t: TournamentId) -> StoreResult<Vec<League>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {LEAGUE_COLUMNS} FROM leagues WHERE tournament_id = ?1 ORDER BY id"))?;
    let mut rows = st.query([t.0])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(league(row)?);
    }
    Ok(out)
}

/// Adds a member (idempotent); `NotFound` when the league or entry does not exist.
pub(crate) fn add_league_member(conn: &Connection, l: LeagueId, e: EntryId) -> StoreResult<()> {
    conn.prepare_cached("INSERT INTO league_members (league_id, entry_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute([l.0, e.0])
        .map_err(|err| match StoreError::from(err) {
            StoreError::Invalid(_) => StoreError::NotFound(format!("league {l} or entry {e}")),
            other => other,
        })?;
    Ok(())
}

/// Removes a member; `NotFound` when the entry is not a member.
pub(crate) fn remove_league_member(conn: &Connection, l: LeagueId, e: EntryId) -> StoreResult<()> {
    let n = conn
        .prepare_cached("DELETE FROM league_members WHERE league_id = ?1 AND entry_id = ?2")?
        .execute([l.0, e.0])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("entry {e} is not a member of league {l}")));
    }
    Ok(())
}

/// Member entries of a league, by id.
pub(crate) fn league_members(conn: &Connection, l: LeagueId) -> StoreResult<Vec<EntryId>> {
    let mut st = conn.prepare_cached("SELECT entry_id FROM league_members WHERE league_id = ?1 ORDER BY entry_id")?;
    let mut rows = st.query([l.0])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(EntryId(row.get(0)?));
    }
    Ok(out)
}

// ---- final standings ----

/// Replaces a tournament's final standings in one transaction.
pub(crate) fn save_final_standings(
    conn: &mut Connection,
    t: TournamentId,
    standings: &[FinalStanding],
) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.prepare_cached("DELETE FROM final_standings WHERE tournament_id = ?1")?.execute([t.0])?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO final_standings (tournament_id, entry_id, rank, score, equity, badges) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for s in standings {
            let badges = to_json("badges", &s.badges)?;
            st.execute(params![t.0, s.entry_id.0, s.rank, s.score, s.equity.0, badges]).map_err(|e| {
                let e = StoreError::from(e);
                if is_conflict(&e) {
                    StoreError::Conflict(format!("entry {} is listed twice in the standings", s.entry_id))
                } else if matches!(e, StoreError::Invalid(_)) {
                    StoreError::NotFound(format!("tournament {t}"))
                } else {
                    e
                }
            })?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Frozen final standings, by rank.
pub(crate) fn final_standings(conn: &Connection, t: TournamentId) -> StoreResult<Vec<FinalStanding>> {
    let mut st = conn.prepare_cached(
        "SELECT entry_id, rank, score, equity, badges FROM final_standings WHERE tournament_id = ?1 \
         ORDER BY rank, entry_id",
    )?;
    let mut rows = st.query([t.0])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(FinalStanding {
            entry_id: EntryId(row.get(0)?),
            rank: to_u32("rank", row.get(1)?)?,
            score: row.get(2)?,
            equity: Money(row.get(3)?),
            badges: from_json("badges", text(row, 4)?)?,
        });
    }
    Ok(out)
}
