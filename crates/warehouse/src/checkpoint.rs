//! The export checkpoint: per stream (a table's rows of one tournament, ordered by sequence
//! number, id or date) the last exported position, and the step in flight.
//!
//! A step is committed in three writes: the checkpoint with the step's intent (its target and
//! the files it will write), the data files (made durable), then the checkpoint with the new
//! cursor and no intent. A crash anywhere leaves either the old cursor with an intent — the next
//! run redoes exactly that step, rewriting the same deterministic file names and deleting those
//! it no longer writes — or the new cursor. Either way no row is missing or doubled.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{WarehouseError, WarehouseResult};
use crate::location::Location;

/// Where the checkpoint is kept.
pub const CHECKPOINT_PATH: &str = "_bullpen/checkpoint.json";

const VERSION: u32 = 1;

/// The whole checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// Streams by key (`seq/3`, `entries/3`, `snapshots/3`, `traders`).
    #[serde(default)]
    pub streams: BTreeMap<String, Stream>,
    /// Fingerprints of the dimension files last written (`instruments`, `bars/2024`, …).
    #[serde(default)]
    pub dims: BTreeMap<String, String>,
}

/// One incremental stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    /// Everything up to here is exported (a sequence number, an id or a day number).
    pub cursor: i64,
    /// The step in flight, if a run stopped inside one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// For sequence streams: the time of the newest exported ledger entry (µs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ts: Option<i64>,
    /// For entry streams: the tournament's high-water mark seen by the last run.
    #[serde(default)]
    pub seen_head: i64,
    /// For sequence streams: the file holding the open lots folded up to `cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<String>,
}

/// A step that was started and not committed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The step's target cursor.
    pub to: i64,
    /// Every file the step may have written.
    pub files: Vec<String>,
}

impl Checkpoint {
    /// Reads the checkpoint; an empty one when the warehouse is new.
    pub async fn load(location: &Location) -> WarehouseResult<Checkpoint> {
        let Some(bytes) = location.get(CHECKPOINT_PATH).await? else {
            return Ok(Checkpoint { version: VERSION, ..Checkpoint::default() });
        };
        let cp: Checkpoint = serde_json::from_slice(&bytes)
            .map_err(|e| WarehouseError::Corrupt(format!("{CHECKPOINT_PATH} cannot be read: {e}")))?;
        if cp.version > VERSION {
            return Err(WarehouseError::Corrupt(format!(
                "{CHECKPOINT_PATH} has format version {}, newer than this program's {VERSION}",
                cp.version
            )));
        }
        Ok(cp)
    }

    /// Writes the checkpoint atomically and durably.
    pub async fn save(&mut self, location: &Location) -> WarehouseResult<()> {
        self.version = VERSION;
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| WarehouseError::Data(format!("cannot encode the checkpoint: {e}")))?;
        location.put(CHECKPOINT_PATH, bytes).await?;
        location.sync(vec![CHECKPOINT_PATH.to_string()]).await
    }

    /// The stream with this key (a fresh one when unknown).
    pub fn stream(&self, key: &str) -> Stream {
        self.streams.get(key).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn round_trips_and_refuses_newer_versions() {
        let dir = tempfile::tempdir().unwrap();
        let loc = Location::local(dir.path()).unwrap();
        let mut cp = Checkpoint::load(&loc).await.unwrap();
        assert!(cp.streams.is_empty());
        cp.streams.insert(
            "seq/1".into(),
            Stream { cursor: 5, pending: Some(Pending { to: 9, files: vec!["a".into()] }), ..Stream::default() },
        );
        cp.save(&loc).await.unwrap();
        assert_eq!(Checkpoint::load(&loc).await.unwrap(), cp);
        loc.put(CHECKPOINT_PATH, br#"{"version": 99}"#.to_vec()).await.unwrap();
        assert!(matches!(Checkpoint::load(&loc).await, Err(WarehouseError::Corrupt(_))));
        loc.put(CHECKPOINT_PATH, b"not json".to_vec()).await.unwrap();
        assert!(matches!(Checkpoint::load(&loc).await, Err(WarehouseError::Corrupt(_))));
    }
}
