//! Each tournament's trade detector, saved after every scoring step so that the next step
//! carries on from it instead of replaying the tournament's history.
//!
//! The saved detector is a cache, never the truth: the rows of `trade_anomalies` are the same
//! whether a step resumes a saved detector or replays the history (replay is deterministic, and
//! a saved detector observes exactly as the original would have). So any doubt about the file —
//! missing, from another step, damaged, written with another configuration — means "replay",
//! with a log line saying why, and never an error or a panic.
//!
//! File: `_bullpen/detectors/tournament-<id>.bin` = magic, SHA-256 of the payload, payload
//! (postcard of [`SavedDetector`]). The hash catches torn or rotted files; the detector's own
//! structural check ([`TradeAnomalyDetector::check_state`]) runs after decoding as well.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use bullpen_insights::anomaly::{DetectorConfig, TradeAnomalyDetector};
use bullpen_warehouse::{Location, WarehouseError};

use crate::AnalyticsError;

/// Format marker and version of a saved detector file.
const MAGIC: &[u8; 8] = b"BPDET01\n";
const HASH_LEN: usize = 32;

/// What is saved: the detector after every round trip up to `trips_seq` was observed.
#[derive(Serialize, Deserialize)]
struct SavedDetector {
    tournament_id: i64,
    trips_seq: i64,
    detector: TradeAnomalyDetector,
}

/// Where a tournament's detector is saved (relative to the warehouse root).
pub(crate) fn path(tournament_id: i64) -> String {
    format!("_bullpen/detectors/tournament-{tournament_id}.bin")
}

/// Encodes a detector file.
fn encode(saved: &SavedDetector) -> Result<Vec<u8>, AnalyticsError> {
    let payload = postcard::to_stdvec(saved)
        .map_err(|e| WarehouseError::Data(format!("cannot encode the trade detector: {e}")))?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + HASH_LEN + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&Sha256::digest(&payload));
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// Decodes and checks a detector file; the reason it cannot be used otherwise.
fn decode(bytes: &[u8]) -> Result<SavedDetector, String> {
    let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a saved detector of this version")?;
    if body.len() < HASH_LEN {
        return Err("truncated".into());
    }
    let (hash, payload) = body.split_at(HASH_LEN);
    if Sha256::digest(payload).as_slice() != hash {
        return Err("checksum mismatch".into());
    }
    let saved: SavedDetector = postcard::from_bytes(payload).map_err(|e| format!("cannot decode: {e}"))?;
    saved.detector.check_state().map_err(|e| e.to_string())?;
    Ok(saved)
}

/// The detector saved for `tournament_id` after round trip `trips_seq` with this
/// configuration, or `None` (with the reason logged) when there is no such usable file.
pub(crate) async fn load(
    location: &Location,
    tournament_id: i64,
    trips_seq: i64,
    config: &DetectorConfig,
) -> Result<Option<TradeAnomalyDetector>, AnalyticsError> {
    let file = path(tournament_id);
    let Some(bytes) = location.get(&file).await? else { return Ok(None) };
    let why = match decode(&bytes) {
        Ok(saved) if saved.tournament_id != tournament_id => format!("it is tournament {}'s", saved.tournament_id),
        Ok(saved) if saved.trips_seq != trips_seq => {
            format!("it was saved after round trip {}, the cursor is at {trips_seq}", saved.trips_seq)
        }
        Ok(saved) if saved.detector.config() != config => "it was built with another configuration".to_string(),
        Ok(saved) => return Ok(Some(saved.detector)),
        Err(reason) => reason,
    };
    tracing::warn!(tournament = tournament_id, file, reason = %why, "saved trade detector not used; replaying");
    Ok(None)
}

/// Saves the detector of `tournament_id` as it is after round trip `trips_seq` (atomically).
pub(crate) async fn save(
    location: &Location,
    tournament_id: i64,
    trips_seq: i64,
    detector: TradeAnomalyDetector,
) -> Result<TradeAnomalyDetector, AnalyticsError> {
    let saved = SavedDetector { tournament_id, trips_seq, detector };
    let file = path(tournament_id);
    location.put(&file, encode(&saved)?).await?;
    location.sync(vec![file]).await?;
    Ok(saved.detector)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn config() -> DetectorConfig {
        super::super::trades::detector_config(7)
    }

    #[test]
    fn files_round_trip_and_damage_is_reported() {
        let detector = TradeAnomalyDetector::new(config()).unwrap();
        let bytes = encode(&SavedDetector { tournament_id: 7, trips_seq: 42, detector }).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!((back.tournament_id, back.trips_seq), (7, 42));
        assert_eq!(back.detector.config(), &config());

        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(decode(&flipped).err().unwrap(), "checksum mismatch");
        assert_eq!(decode(&bytes[..20]).err().unwrap(), "truncated");
        assert!(decode(b"something else").is_err());
    }

    #[tokio::test]
    async fn only_the_matching_file_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::local(dir.path()).unwrap();
        assert!(load(&location, 7, 0, &config()).await.unwrap().is_none());
        let detector = TradeAnomalyDetector::new(config()).unwrap();
        save(&location, 7, 42, detector).await.unwrap();
        assert!(load(&location, 7, 42, &config()).await.unwrap().is_some());
        assert!(load(&location, 7, 41, &config()).await.unwrap().is_none(), "another step's detector");
        let other = super::super::trades::detector_config(8);
        assert!(load(&location, 7, 42, &other).await.unwrap().is_none(), "another configuration");
        location.put(&path(7), b"garbage".to_vec()).await.unwrap();
        assert!(load(&location, 7, 42, &config()).await.unwrap().is_none());
    }
}
