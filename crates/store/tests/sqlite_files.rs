//! SQLite specifics: the data directory, reopening, migrations recorded once, and refusing a
//! database written by a newer schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bullpen_domain::Ts;
use bullpen_store::{open_store, NewUser, SqliteStore, Store, StoreError};

#[tokio::test]
async fn data_survives_reopening_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("bullpen-data");
    {
        let store = open_store(&data, None).await.unwrap();
        assert_eq!(store.backend(), "sqlite");
        store
            .create_user(NewUser {
                handle: "keeper".into(),
                display_name: "K".into(),
                is_bot: false,
                created_at: Ts(1),
            })
            .await
            .unwrap();
    }
    assert!(data.join("bullpen.db").exists());
    let again = SqliteStore::open(&data).unwrap();
    assert_eq!(again.path(), data.join("bullpen.db"));
    assert!(again.user_by_handle("keeper").await.unwrap().is_some());
    drop(again);

    let conn = rusqlite::Connection::open(data.join("bullpen.db")).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, [1, 2, 3]);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("bullpen.db")).unwrap();
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')", []).unwrap();
    drop(conn);
    match SqliteStore::open(dir.path()) {
        Err(StoreError::Invalid(msg)) => assert!(msg.contains("999"), "{msg}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unusable_data_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = SqliteStore::open(&file).unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}
