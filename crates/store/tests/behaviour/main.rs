//! One behaviour suite for every `Store`: each case runs against a fresh SQLite database in a
//! temporary directory, and against PostgreSQL (a fresh schema per case, dropped afterwards)
//! when `BULLPEN_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account_cases;
mod export_cases;
mod fixtures;
mod market_cases;
mod tournament_cases;
mod trading_cases;

use std::future::Future;
use std::sync::Arc;

use bullpen_store::{PgStore, SqliteStore, Store};

/// Environment variable naming the PostgreSQL server to test against.
const POSTGRES_URL_VAR: &str = "BULLPEN_TEST_POSTGRES_URL";

/// Runs `case` against a fresh SQLite store.
async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("data")).unwrap());
    assert_eq!(store.backend(), "sqlite");
    case(store).await;
}

/// Runs `case` against PostgreSQL in a fresh schema, dropping the schema afterwards even when
/// the case fails; skips (with a note) when no server is configured.
async fn on_postgres<F, Fut>(name: &str, case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        // CI sets BULLPEN_REQUIRE_ALL_TESTS so that nothing is silently skipped there.
        assert!(std::env::var_os("BULLPEN_REQUIRE_ALL_TESTS").is_none(), "{POSTGRES_URL_VAR} must be set in CI");
        println!("skipping PostgreSQL: {POSTGRES_URL_VAR} not set");
        return;
    };
    let schema = schema_name(name);
    let store = PgStore::connect_with_schema(&url, &schema).await.unwrap();
    let admin = store.pool().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    assert_eq!(store.backend(), "postgres");
    let outcome = tokio::spawn(case(store)).await;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).execute(&admin).await.unwrap();
    admin.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A schema name unique to this run and case, within PostgreSQL's 63-character limit.
fn schema_name(case: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    case.hash(&mut hasher);
    let short: String = case.chars().take(24).collect();
    format!("bp_test_{}_{:016x}_{short}", std::process::id(), hasher.finish())
}

/// Declares each case once per backend: `sqlite::<case>` and `postgres::<case>`.
macro_rules! behaviour {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::on_sqlite(super::$module::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::on_postgres(stringify!($case), super::$module::$case).await;
                }
            )*
        }
    };
}

behaviour!(
    tournament_cases::users_have_unique_handles,
    tournament_cases::tournaments_create_find_update_and_change_state,
    tournament_cases::leagues_have_unique_codes_and_members,
    tournament_cases::final_standings_are_replaced_and_ordered_by_rank,
    market_cases::instruments_upsert_and_change_status,
    market_cases::bars_insert_replace_and_query_by_range,
    market_cases::corporate_actions_ignore_duplicates,
    trading_cases::commit_batch_round_trips_everything,
    trading_cases::failing_batch_leaves_nothing_behind,
    trading_cases::batches_from_other_tournaments_or_out_of_order_are_refused,
    trading_cases::concurrent_batches_fail_alone,
    trading_cases::load_tournament_state_rebuilds_what_the_engine_needs,
    trading_cases::empty_tournament_loads_empty,
    trading_cases::orders_filter_and_paginate_by_id,
    trading_cases::ledger_pages_by_seq_and_entry,
    trading_cases::entry_listings_span_distant_ids,
    account_cases::accounts_create_find_and_change,
    account_cases::duplicate_handles_and_emails_conflict_and_write_nothing,
    account_cases::sessions_create_find_and_revoke,
    account_cases::api_keys_create_list_touch_and_revoke,
    account_cases::reset_tokens_are_single_use_and_expire,
    account_cases::outbox_lists_newest_first_per_recipient,
    account_cases::organisations_have_unique_names_and_members,
    account_cases::audit_log_forms_a_verifying_chain,
    account_cases::concurrent_audit_appends_form_one_chain,
    export_cases::orders_changed_and_heads_follow_sequence_numbers,
    export_cases::snapshots_and_users_page_by_date_and_id,
    export_cases::bar_fingerprints_change_with_the_bars_of_their_year,
);
