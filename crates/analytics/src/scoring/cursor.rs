//! The scoring cursor (`_bullpen/scoring.json`): per tournament, what has been scored, and the
//! step in flight; and the lock that keeps two scoring runs off one local warehouse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use bullpen_warehouse::{Location, WarehouseError};

use crate::AnalyticsError;

/// Where the cursor is kept.
pub(crate) const CURSOR_PATH: &str = "_bullpen/scoring.json";

const VERSION: u32 = 1;

/// A step that was started and not committed: the next run redoes it exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingStep {
    /// The step's target `close_seq`.
    pub to: i64,
    /// The file it writes.
    pub file: String,
}

/// One tournament's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TournamentCursor {
    /// Round trips with `close_seq` up to here are scored.
    #[serde(default)]
    pub trips_seq: i64,
    /// Coordinated pairs reflect the fills up to this sequence number.
    #[serde(default)]
    pub fills_seq: i64,
    /// The trade-scoring step in flight, if a run stopped inside one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingStep>,
}

/// The whole cursor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScoringCursor {
    #[serde(default)]
    version: u32,
    /// By tournament id (as text: JSON keys).
    #[serde(default)]
    tournaments: BTreeMap<String, TournamentCursor>,
}

impl ScoringCursor {
    /// Reads the cursor; an empty one when nothing was scored yet.
    pub(crate) async fn load(location: &Location) -> Result<ScoringCursor, AnalyticsError> {
        let Some(bytes) = location.get(CURSOR_PATH).await? else {
            return Ok(ScoringCursor { version: VERSION, ..ScoringCursor::default() });
        };
        let cursor: ScoringCursor = serde_json::from_slice(&bytes)
            .map_err(|e| WarehouseError::Corrupt(format!("{CURSOR_PATH} cannot be read: {e}")))?;
        if cursor.version > VERSION {
            return Err(WarehouseError::Corrupt(format!(
                "{CURSOR_PATH} has format version {}, newer than this program's {VERSION}",
                cursor.version
            ))
            .into());
        }
        Ok(cursor)
    }

    /// Writes the cursor atomically and durably.
    pub(crate) async fn save(&mut self, location: &Location) -> Result<(), AnalyticsError> {
        self.version = VERSION;
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| WarehouseError::Data(format!("cannot encode the scoring cursor: {e}")))?;
        location.put(CURSOR_PATH, bytes).await?;
        location.sync(vec![CURSOR_PATH.to_string()]).await?;
        Ok(())
    }

    /// A tournament's progress (fresh when unknown).
    pub(crate) fn tournament(&self, tournament_id: i64) -> TournamentCursor {
        self.tournaments.get(&tournament_id.to_string()).cloned().unwrap_or_default()
    }

    /// Replaces a tournament's progress (in memory; [`ScoringCursor::save`] writes it).
    pub(crate) fn set(&mut self, tournament_id: i64, state: TournamentCursor) {
        self.tournaments.insert(tournament_id.to_string(), state);
    }
}

/// On a local warehouse, takes `_bullpen/scoring.lock` (released when the file is dropped) and
/// fails at once when another scoring run holds it; on an object store there is no lock (run
/// one scorer per warehouse, as with the exporter).
pub(crate) fn lock(location: &Location) -> Result<Option<std::fs::File>, AnalyticsError> {
    let Some(root) = location.local_root() else { return Ok(None) };
    let dir = root.join("_bullpen");
    let path = dir.join("scoring.lock");
    let err = |e: std::io::Error| WarehouseError::Storage(format!("cannot open {}: {e}", path.display()));
    std::fs::create_dir_all(&dir).map_err(err)?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(err)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(WarehouseError::Storage(format!(
            "another scoring run is using this warehouse (lock {} is held)",
            path.display()
        ))
        .into()),
        Err(std::fs::TryLockError::Error(e)) => Err(err(e).into()),
    }
}
