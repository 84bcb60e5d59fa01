//! Applies the embedded PostgreSQL migrations and records them in `schema_migrations`.

use sqlx::PgPool;

use crate::migrations::{check_not_newer, POSTGRES};
use crate::StoreResult;

/// Arbitrary key of the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x0062_756c_6c70_656e; // "bullpen"

/// Brings the schema up to date in one transaction (PostgreSQL DDL is transactional), holding
/// an advisory lock so concurrent starters migrate one after the other.
pub(crate) async fn migrate(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version").fetch_all(&mut *tx).await?;
    check_not_newer(applied.last().copied().unwrap_or(0), POSTGRES)?;
    for m in POSTGRES {
        if applied.contains(&m.version) {
            continue;
        }
        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.name)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
