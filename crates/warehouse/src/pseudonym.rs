//! Pseudonymous trader ids: `HMAC-SHA256(salt, user id)`, truncated to 128 bits (32 hex digits).
//!
//! The salt is a per-warehouse secret of 32 random bytes, created on the first export and kept
//! at `_bullpen/salt` in the warehouse (or given with `BULLPEN_WAREHOUSE_SALT`, 64 hex digits,
//! which then is not stored). Ids are stable for the life of the salt; without it a trader id
//! cannot be linked back to a user. Anyone who can read the salt and guess user ids can, so
//! give analysts access to the table directories, not to `_bullpen/`.

use bullpen_domain::UserId;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{WarehouseError, WarehouseResult};
use crate::location::Location;

/// Where the salt is kept in the warehouse.
pub const SALT_PATH: &str = "_bullpen/salt";

/// Turns user ids into trader ids.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(..)")
    }
}

impl Pseudonymizer {
    /// A pseudonymizer with this salt.
    pub fn new(salt: &[u8; 32]) -> Pseudonymizer {
        // HMAC pads a key shorter than the hash's block (64 bytes) with zeros, so the padded key
        // is the same key; this form has no failure case.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(salt);
        Pseudonymizer { mac: <Hmac<Sha256> as KeyInit>::new(&key.into()) }
    }

    /// The salt given as 64 hex digits, or the warehouse's own (created when missing).
    pub async fn load_or_create(location: &Location, given_hex: Option<&str>) -> WarehouseResult<Pseudonymizer> {
        if let Some(hex) = given_hex {
            let salt = parse_salt(hex.trim())
                .ok_or_else(|| WarehouseError::Invalid("the warehouse salt must be 64 hex digits".into()))?;
            return Ok(Pseudonymizer::new(&salt));
        }
        if let Some(bytes) = location.get(SALT_PATH).await? {
            let text = String::from_utf8_lossy(&bytes);
            let salt = parse_salt(text.trim())
                .ok_or_else(|| WarehouseError::Corrupt(format!("{SALT_PATH} does not hold 64 hex digits")))?;
            return Ok(Pseudonymizer::new(&salt));
        }
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        location.put(SALT_PATH, format!("{}\n", to_hex(&salt)).into_bytes()).await?;
        location.sync(vec![SALT_PATH.to_string()]).await?;
        Ok(Pseudonymizer::new(&salt))
    }

    /// The trader id of a user.
    pub fn trader_id(&self, user: UserId) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"bullpen-user:");
        mac.update(user.0.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        to_hex(&digest[..16])
    }
}

fn parse_salt(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_are_stable_per_salt_and_differ_across_salts() {
        let a = Pseudonymizer::new(&[1; 32]);
        let b = Pseudonymizer::new(&[2; 32]);
        assert_eq!(a.trader_id(UserId(7)), a.trader_id(UserId(7)));
        assert_ne!(a.trader_id(UserId(7)), a.trader_id(UserId(8)));
        assert_ne!(a.trader_id(UserId(7)), b.trader_id(UserId(7)));
        assert_eq!(a.trader_id(UserId(7)).len(), 32);
    }

    #[tokio::test]
    async fn the_salt_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let loc = Location::local(dir.path()).unwrap();
        let first = Pseudonymizer::load_or_create(&loc, None).await.unwrap();
        let again = Pseudonymizer::load_or_create(&loc, None).await.unwrap();
        assert_eq!(first.trader_id(UserId(1)), again.trader_id(UserId(1)));
        let given = Pseudonymizer::load_or_create(&loc, Some(&"ab".repeat(32))).await.unwrap();
        assert_ne!(first.trader_id(UserId(1)), given.trader_id(UserId(1)));
        assert!(Pseudonymizer::load_or_create(&loc, Some("xyz")).await.is_err());
    }
}
