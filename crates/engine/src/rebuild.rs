//! Rebuilding a tournament's live state from the store.

use bullpen_domain::TournamentId;
use bullpen_store::Store;

use crate::state::LiveTournament;

/// Why a tournament could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No such tournament.
    #[error("no tournament {0}")]
    NotFound(TournamentId),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] bullpen_store::StoreError),
    /// The stored state is inconsistent.
    #[error(transparent)]
    Rebuild(#[from] crate::state::RebuildError),
}

/// Loads a tournament with its instruments and folds its ledger into live state.
pub async fn load(store: &dyn Store, id: TournamentId) -> Result<LiveTournament, LoadError> {
    let tournament = store.tournament(id).await?.ok_or(LoadError::NotFound(id))?;
    let instruments = store.instruments().await?;
    let snapshot = store.load_tournament_state(id).await?;
    Ok(LiveTournament::rebuild(tournament, instruments, snapshot)?)
}
