//! Tournaments, entries and leagues: the data. Lifecycle rules live in `lifecycle`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::challenge_rules::ChallengeRules;
use crate::ids::{EntryId, LeagueId, TournamentId, UserId};
use crate::rules::TournamentRules;
use crate::time::Ts;

/// What kind of tournament.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TournamentKind {
    /// One of the four automatic quarterly seasons.
    Season,
    /// Created by an admin.
    AdHoc,
    /// A prop-firm style evaluation challenge.
    Challenge,
}

/// Lifecycle state: draft → registration → running → finished → archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TournamentState {
    /// Being set up; invisible to players.
    Draft,
    /// Players may join.
    Registration,
    /// Trading.
    Running,
    /// Standings frozen.
    Finished,
    /// Kept for history only.
    Archived,
}

/// A tournament.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tournament {
    /// Store id.
    pub id: TournamentId,
    /// Display name, unique.
    pub name: String,
    /// Kind.
    pub kind: TournamentKind,
    /// Lifecycle state.
    pub state: TournamentState,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Rules.
    pub rules: TournamentRules,
    /// Objective rules, for evaluation challenges.
    pub challenge: Option<ChallengeRules>,
    /// When it was created.
    pub created_at: Ts,
}

/// A player's entry (account) in a tournament.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Store id.
    pub id: EntryId,
    /// Tournament.
    pub tournament_id: TournamentId,
    /// Player.
    pub user_id: UserId,
    /// Name shown on leaderboards.
    pub display_name: String,
    /// When the player joined.
    pub joined_at: Ts,
}

/// A private league inside a tournament.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct League {
    /// Store id.
    pub id: LeagueId,
    /// Tournament it belongs to.
    pub tournament_id: TournamentId,
    /// Display name.
    pub name: String,
    /// Code to join with (also the invite link's token).
    pub invite_code: String,
    /// The creator, who may remove members before the start.
    pub commissioner: UserId,
    /// When it was created.
    pub created_at: Ts,
}
