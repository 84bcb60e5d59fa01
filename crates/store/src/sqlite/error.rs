//! rusqlite errors as [`StoreError`]s.

use rusqlite::ffi;
use rusqlite::ErrorCode;

use crate::StoreError;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match &e {
            rusqlite::Error::SqliteFailure(f, msg) if f.code == ErrorCode::ConstraintViolation => {
                let detail = msg.clone().unwrap_or_else(|| "constraint violated".to_string());
                if f.extended_code == ffi::SQLITE_CONSTRAINT_FOREIGNKEY {
                    StoreError::Invalid(format!("a referenced row does not exist ({detail})"))
                } else if f.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                {
                    StoreError::Conflict(detail)
                } else {
                    StoreError::Invalid(detail)
                }
            }
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Backend(format!("SQLite: {e}")),
        }
    }
}

/// True when a store error came from a uniqueness violation.
pub(crate) fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}
