//! The embedded migration trees, one per dialect. A shipped migration is never edited; schema
//! changes are new files (`0002_…`) appended to the lists below.

/// One schema migration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// Version number, strictly increasing from 1.
    pub version: i64,
    /// Short name (the file name without number and extension).
    pub name: &'static str,
    /// The SQL script.
    pub sql: &'static str,
}

/// SQLite migrations, in order.
pub(crate) const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/sqlite/0001_init.sql") },
    Migration { version: 2, name: "accounts", sql: include_str!("../migrations/sqlite/0002_accounts.sql") },
    Migration { version: 3, name: "export", sql: include_str!("../migrations/sqlite/0003_export.sql") },
];

/// PostgreSQL migrations, in order.
pub(crate) const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/postgres/0001_init.sql") },
    Migration { version: 2, name: "accounts", sql: include_str!("../migrations/postgres/0002_accounts.sql") },
    Migration { version: 3, name: "export", sql: include_str!("../migrations/postgres/0003_export.sql") },
];

/// Refuses a database migrated by a newer binary: its schema may mean things this one does not
/// know about.
pub(crate) fn check_not_newer(applied_max: i64, known: &[Migration]) -> crate::StoreResult<()> {
    let latest = known.last().map_or(0, |m| m.version);
    if applied_max > latest {
        return Err(crate::StoreError::Invalid(format!(
            "the database schema is at version {applied_max}, newer than this program's {latest}; upgrade Bullpen"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_by_one_from_one() {
        for list in [SQLITE, POSTGRES] {
            for (i, m) in list.iter().enumerate() {
                assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            }
        }
        assert_eq!(SQLITE.len(), POSTGRES.len(), "dialects move together");
    }

    #[test]
    fn newer_database_is_refused() {
        assert!(check_not_newer(1, SQLITE).is_ok());
        assert!(check_not_newer(0, SQLITE).is_ok());
        assert!(matches!(check_not_newer(99, SQLITE), Err(crate::StoreError::Invalid(_))));
    }
}
