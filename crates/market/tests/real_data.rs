#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Checks against the real S&P 500 data set. Runs only when `BULLPEN_MARKET_DATA` points at the
//! data directory (the one holding `daily/*.csv.gz` and `symbols.csv`).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use bullpen_market::{import_bars, load_symbols, NyseCalendar, Replay};

fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("BULLPEN_MARKET_DATA") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            // CI sets BULLPEN_REQUIRE_ALL_TESTS so that nothing is silently skipped there.
            assert!(std::env::var_os("BULLPEN_REQUIRE_ALL_TESTS").is_none(), "BULLPEN_MARKET_DATA must be set in CI");
            println!("skipping: BULLPEN_MARKET_DATA not set");
            None
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn aapl_dates_are_exactly_the_calendar_trading_days() {
    let Some(dir) = data_dir() else { return };
    let result = import_bars(&[dir.join("daily").join("AAPL.csv.gz")], None).unwrap();
    assert!(result.bad_rows.is_empty(), "{:?}", result.bad_rows);
    let dates: BTreeSet<NaiveDate> = result.bars.iter().map(|b| b.date).collect();
    assert_eq!(dates.len(), result.bars.len());
    let calendar: BTreeSet<NaiveDate> =
        NyseCalendar::new().trading_days(d(2013, 2, 8), d(2018, 2, 7)).into_iter().collect();
    let missing: Vec<_> = calendar.difference(&dates).collect();
    let extra: Vec<_> = dates.difference(&calendar).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    assert_eq!(dates.len(), 1_259);
}

#[test]
fn whole_directory_imports_cleanly() {
    let Some(dir) = data_dir() else { return };
    let symbols = load_symbols(&dir.join("symbols.csv")).unwrap();
    assert!(symbols.bad_rows.is_empty(), "{:?}", symbols.bad_rows);
    assert_eq!(symbols.symbols.len(), 505);
    let known = symbols.symbol_set();

    let started = Instant::now();
    // The top directory: daily/ is walked, symbols.csv ignored, dropped_rows.csv skipped.
    let result = import_bars(&[dir], Some(&known)).unwrap();
    println!("imported {} bars from {} files in {:?}", result.bars.len(), result.files, started.elapsed());
    assert!(result.bad_rows.is_empty(), "{:?}", &result.bad_rows[..result.bad_rows.len().min(5)]);
    assert_eq!(result.files, 505);
    assert_eq!(result.bars.len(), 618_998);
    let distinct: HashSet<_> = result.bars.iter().map(|b| b.symbol.clone()).collect();
    assert_eq!(distinct.len(), 505);
    assert_eq!(result.skipped_files.len(), 1);
    assert!(result.skipped_files[0].file.ends_with("dropped_rows.csv"));

    // Every bar date is a trading day, and the data spans exactly the calendar's window.
    let calendar = NyseCalendar::new();
    assert!(result.bars.iter().all(|b| calendar.is_trading_day(b.date)));
    let dates: BTreeSet<NaiveDate> = result.bars.iter().map(|b| b.date).collect();
    assert_eq!(dates.len(), 1_259);

    // One replayed day of the whole market.
    let first_day: Vec<_> = result.bars.iter().filter(|b| b.date == d(2013, 2, 8)).cloned().collect();
    let mut replay = Replay::new(first_day, 13, 7, calendar);
    let batches: Vec<_> = replay.by_ref().collect();
    assert_eq!(batches.len(), 13);
    assert!(batches.iter().all(|b| b.prices.len() == batches[0].prices.len()));
}
