//! sqlx errors as [`StoreError`]s.

use crate::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(db) => {
                let detail = match db.constraint() {
                    Some(c) => format!("{} ({c})", db.message()),
                    None => db.message().to_string(),
                };
                match db.code().as_deref() {
                    Some("23505") => StoreError::Conflict(detail),
                    Some("23503") => StoreError::Invalid(format!("a referenced row does not exist ({detail})")),
                    Some(code) if code.starts_with("23") || code.starts_with("22") => StoreError::Invalid(detail),
                    _ => StoreError::Backend(format!("PostgreSQL: {detail}")),
                }
            }
            sqlx::Error::RowNotFound => StoreError::NotFound("row".to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) | sqlx::Error::ColumnNotFound(_) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Backend(format!("PostgreSQL: {e}")),
        }
    }
}

/// The name of the constraint a database error violated, if any.
pub(crate) fn violated_constraint(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.constraint().map(str::to_string),
        _ => None,
    }
}

/// Maps a unique violation to a `Conflict` with a message that names the cause.
pub(crate) fn conflict(e: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(message()),
        other => other,
    }
}
