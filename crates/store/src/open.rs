//! Choosing a backend from configuration.

use std::path::Path;
use std::sync::Arc;

use crate::{PgStore, SqliteStore, Store, StoreError, StoreResult};

/// Opens the configured store: PostgreSQL for a `postgres://` or `postgresql://` URL, otherwise
/// the embedded SQLite database under `data_dir` (created if missing). Any other non-empty URL
/// is refused rather than silently ignored. Error messages never contain the URL's password.
pub async fn open_store(data_dir: &Path, database_url: Option<&str>) -> StoreResult<Arc<dyn Store>> {
    match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) if is_postgres_url(url) => {
            let store = PgStore::connect(url).await?;
            Ok(Arc::new(store))
        }
        Some(url) => Err(StoreError::Invalid(format!(
            "unsupported database URL `{}`: use a postgres:// or postgresql:// URL, or none for SQLite",
            redact_url(url)
        ))),
        None => {
            let dir = data_dir.to_path_buf();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&dir))
                .await
                .map_err(|e| StoreError::Backend(format!("opening SQLite failed: {e}")))??;
            Ok(Arc::new(store))
        }
    }
}

/// True for URLs PostgreSQL should serve.
pub(crate) fn is_postgres_url(url: &str) -> bool {
    let lower = url.get(..13).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`, safe to show.
pub(crate) fn redact_url(url: &str) -> String {
    match password_span(url) {
        Some((start, end)) => format!("{}***{}", url.get(..start).unwrap_or(""), url.get(end..).unwrap_or("")),
        None => url.to_string(),
    }
}

/// Removes the URL's password (and the URL itself) from a message.
pub(crate) fn scrub(message: &str, url: &str) -> String {
    let mut out = message.replace(url, &redact_url(url));
    if let Some(password) = password_span(url).and_then(|(s, e)| url.get(s..e)) {
        if !password.is_empty() {
            out = out.replace(password, "***");
        }
    }
    out
}

/// Byte range of the password in `scheme://user:password@host…`, if there is one.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = url.get(authority_start..)?;
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len)?;
    let at = authority.rfind('@')?;
    let colon = authority.get(..at)?.find(':')?;
    Some((authority_start + colon + 1, authority_start + at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://bob:s3cret@db:5432/x"), "postgres://bob:***@db:5432/x");
        assert_eq!(redact_url("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(redact_url("postgres://db/x?password=1"), "postgres://db/x?password=1");
        assert_eq!(redact_url("postgresql://u:p%40ss@h/d"), "postgresql://u:***@h/d");
        let url = "postgres://bob:s3cret@db:5432/x";
        assert_eq!(
            scrub(&format!("cannot reach {url}: s3cret refused"), url),
            "cannot reach postgres://bob:***@db:5432/x: *** refused"
        );
    }

    #[test]
    fn postgres_urls_are_recognised() {
        assert!(is_postgres_url("postgres://h/d"));
        assert!(is_postgres_url("PostgreSQL://h/d"));
        assert!(!is_postgres_url("sqlite://x"));
        assert!(!is_postgres_url("post"));
    }

    #[tokio::test]
    async fn other_schemes_are_refused_without_the_password() {
        let dir = std::env::temp_dir();
        let err = open_store(&dir, Some("mysql://root:hunter2@h/d")).await.err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("unsupported"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
