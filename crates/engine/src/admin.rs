//! Tournament administration over the store: creation with validation, the automatic quarterly
//! seasons, lifecycle scheduling, and private leagues.

use bullpen_domain::league::{invite_code_from, normalize_invite_code, validate_league_name};
use bullpen_domain::lifecycle::{quarterly_seasons, scheduled_state, validate_new_tournament};
use bullpen_domain::{
    EntryId, League, RejectReason, Tournament, TournamentKind, TournamentRules, TournamentState, Ts, UserId,
};
use bullpen_store::{NewLeague, NewTournament, Store, StoreError};
use chrono::{Datelike, NaiveDate};

/// Why an administrative action failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Invalid input; nothing changed.
    #[error("{0}")]
    Invalid(String),
    /// Not allowed now or for this user.
    #[error("{0}")]
    Forbidden(String),
    /// The store failed or refused (e.g. a duplicate name).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RejectReason> for AdminError {
    fn from(r: RejectReason) -> Self {
        AdminError::Invalid(r.to_string())
    }
}

/// Days before its start that a season opens for registration.
pub const REGISTRATION_DAYS: i64 = 14;
/// Days after its end that a season is archived.
pub const ARCHIVE_AFTER_DAYS: i64 = 90;

/// Validates and creates a tournament.
pub async fn create_tournament(store: &dyn Store, new: NewTournament) -> Result<Tournament, AdminError> {
    validate_new_tournament(&new.name, new.starts_on, new.ends_on, &new.rules, new.challenge.as_ref())
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    if new.kind == TournamentKind::Challenge && new.challenge.is_none() {
        return Err(AdminError::Invalid("an evaluation challenge needs its objective rules".into()));
    }
    Ok(store.create_tournament(new).await?)
}

/// Makes sure the four quarterly seasons of `today`'s year and of the next year's first
/// quarter exist (idempotent). Returns the seasons created now.
pub async fn ensure_seasons(store: &dyn Store, today: NaiveDate, now: Ts) -> Result<Vec<Tournament>, AdminError> {
    let mut specs: Vec<_> = quarterly_seasons(today.year()).into_iter().collect();
    specs.extend(quarterly_seasons(today.year() + 1).into_iter().take(1));
    let mut created = Vec::new();
    for spec in specs {
        if store.tournament_by_name(&spec.name).await?.is_some() {
            continue;
        }
        let state = scheduled_state(spec.starts_on, spec.ends_on, today, REGISTRATION_DAYS, ARCHIVE_AFTER_DAYS);
        // A season is created in the state its dates call for, except that one whose trading
        // already ended is not created at all: it could never have had players.
        if state >= TournamentState::Finished {
            continue;
        }
        let new = NewTournament {
            name: spec.name,
            kind: TournamentKind::Season,
            state,
            starts_on: spec.starts_on,
            ends_on: spec.ends_on,
            rules: TournamentRules::default(),
            challenge: None,
            created_at: now,
        };
        created.push(create_tournament(store, new).await?);
    }
    Ok(created)
}

/// The lifecycle steps due for `tournament` at `today` (one state at a time, in order).
pub fn due_transitions(tournament: &Tournament, today: NaiveDate) -> Vec<TournamentState> {
    if tournament.state == TournamentState::Draft {
        // Drafts move only when an admin publishes them.
        return Vec::new();
    }
    let target =
        scheduled_state(tournament.starts_on, tournament.ends_on, today, REGISTRATION_DAYS, ARCHIVE_AFTER_DAYS);
    let mut steps = Vec::new();
    let mut state = tournament.state;
    while state < target {
        match state.next() {
            Some(next) => {
                steps.push(next);
                state = next;
            }
            None => break,
        }
    }
    steps
}

/// Creates a private league in a tournament; the invite code comes from `random` (the caller
/// supplies randomness, so tests are deterministic). Retries on the rare code collision.
pub async fn create_league(
    store: &dyn Store,
    tournament: &Tournament,
    name: &str,
    commissioner: UserId,
    random: impl FnMut() -> u64,
    now: Ts,
) -> Result<League, AdminError> {
    let mut random = random;
    validate_league_name(name).map_err(AdminError::Invalid)?;
    if tournament.state >= TournamentState::Finished {
        return Err(AdminError::Forbidden(format!("the tournament is {}", tournament.state.as_str())));
    }
    for _ in 0..8 {
        let new = NewLeague {
            tournament_id: tournament.id,
            name: name.trim().to_string(),
            invite_code: invite_code_from(random()),
            commissioner,
            created_at: now,
        };
        match store.create_league(new).await {
            Ok(league) => {
                if let Some(entry) = store.entry_of_user(tournament.id, commissioner).await? {
                    store.add_league_member(league.id, entry.id).await?;
                }
                return Ok(league);
            }
            Err(StoreError::Conflict(msg)) if msg.contains("invite") => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AdminError::Invalid("could not find a free invite code; try again".into()))
}

/// Joins the league with `code` with the user's entry in its tournament.
pub async fn join_league(store: &dyn Store, code: &str, user: UserId) -> Result<(League, EntryId), AdminError> {
    let code = normalize_invite_code(code).ok_or_else(|| AdminError::Invalid("that is not an invite code".into()))?;
    let league = store
        .league_by_code(&code)
        .await?
        .ok_or_else(|| AdminError::Invalid("no league has that invite code".into()))?;
    let entry = store
        .entry_of_user(league.tournament_id, user)
        .await?
        .ok_or_else(|| AdminError::Forbidden("join the tournament before joining one of its leagues".into()))?;
    store.add_league_member(league.id, entry.id).await?;
    Ok((league, entry.id))
}

/// Removes a member; only the commissioner may, and only before the tournament starts.
pub async fn remove_league_member(
    store: &dyn Store,
    league: &League,
    acting: UserId,
    entry: EntryId,
) -> Result<(), AdminError> {
    if league.commissioner != acting {
        return Err(AdminError::Forbidden("only the league's commissioner can remove members".into()));
    }
    let tournament = store
        .tournament(league.tournament_id)
        .await?
        .ok_or_else(|| AdminError::Invalid("the league's tournament is gone".into()))?;
    if tournament.state >= TournamentState::Running {
        return Err(AdminError::Forbidden("members can only be removed before the tournament starts".into()));
    }
    store.remove_league_member(league.id, entry).await?;
    Ok(())
}
