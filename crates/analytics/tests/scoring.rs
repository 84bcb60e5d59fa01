//! The trade-scoring pass on a small generated warehouse: 30 ordinary traders, three injected
//! unusual trades and one pair of entries trading against each other. Checks the flags and
//! their reasons, idempotence, incremental runs (equal to one run over everything), a redone
//! step after a crash, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use bullpen_analytics::scoring::{anomalies_of_entry, platform_anomalies, run_scoring, TradeAnomaly};
use bullpen_warehouse::datafusion::arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use bullpen_warehouse::{open_session, Location, Table};

const T: i64 = 7;
const MINUTE: i64 = 60_000_000;
const DAY: i64 = 1440 * MINUTE;
/// 2024-03-04 00:00 UTC.
const T0: i64 = 1_709_510_400_000_000;
const DAYS: i64 = 40;
const TRADERS: i64 = 30;
/// Round trips closing before this day go in the first export, the rest in the second.
const SPLIT_DAY: i64 = 30;

fn entry(n: i64) -> i64 {
    (T << 32) | n
}

/// A deterministic pseudo-random stream (no extra dev-dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A trade before sequence numbers are assigned.
#[derive(Clone)]
struct Trade {
    entry: i64,
    symbol: String,
    opened_at: i64,
    closed_at: i64,
    qty: i64,
    entry_price: f64,
    exit_price: f64,
}

/// A fill with its sequence number.
#[derive(Clone)]
struct FillRow {
    seq: i64,
    entry: i64,
    at: i64,
    symbol: String,
    buy: bool,
    qty: i64,
    price: f64,
}

/// A round trip with its closing fill's sequence number.
#[derive(Clone)]
struct TripRow {
    close_seq: i64,
    trade: Trade,
}

/// A moment with the trade it opens or closes (index, opening?) or the pair's fill (entry, buy?).
type Event = (i64, Option<(usize, bool)>, Option<(i64, bool)>);

/// Which injected trade is which.
struct Injected {
    oversized: i64,
    night_and_long: i64,
    windfall: i64,
    pair: (i64, i64),
}

fn scenario() -> (Vec<FillRow>, Vec<TripRow>, Injected) {
    let mut rng = Lcg(2024);
    let symbols = ["AAPL", "MSFT", "XOM", "JPM", "KO"];
    let mut trades = Vec::new();
    for n in 1..=TRADERS {
        let base = 5_000.0 + 500.0 * n as f64;
        let symbol = symbols[(n as usize) % symbols.len()];
        for d in 0..DAYS {
            let opened_at = T0 + d * DAY + 15 * 60 * MINUTE + (rng.next() * 60.0) as i64 * MINUTE;
            let hold = (50.0 + rng.next() * 20.0) as i64 * MINUTE;
            let price = 100.0 + 10.0 * rng.next();
            let qty = ((base * (0.85 + 0.3 * rng.next())) / price).round() as i64;
            let exit = price * (1.0 + (rng.next() - 0.5) * 0.01);
            trades.push(Trade {
                entry: entry(n),
                symbol: symbol.to_string(),
                opened_at,
                closed_at: opened_at + hold,
                qty,
                entry_price: price,
                exit_price: exit,
            });
        }
    }
    // Injected, all after the split: 40 times the usual size; opened at 03:00 and held 5 days;
    // a 35 % gain on a trade three times the usual size.
    let find = |trades: &[Trade], n: i64, d: i64| {
        trades
            .iter()
            .position(|t| t.entry == entry(n) && t.opened_at >= T0 + d * DAY && t.opened_at < T0 + (d + 1) * DAY)
            .unwrap()
    };
    let i = find(&trades, 1, 36);
    trades[i].qty *= 40;
    let i = find(&trades, 2, 37);
    trades[i].opened_at = T0 + 37 * DAY + 3 * 60 * MINUTE;
    trades[i].closed_at = trades[i].opened_at + 5 * DAY;
    let i = find(&trades, 3, 38);
    trades[i].qty *= 3;
    trades[i].exit_price = trades[i].entry_price * 1.35;

    // The events, in time order, get the sequence numbers.
    let mut events: Vec<(i64, usize, bool)> = Vec::new();
    for (i, t) in trades.iter().enumerate() {
        events.push((t.opened_at, i, true));
        events.push((t.closed_at, i, false));
    }
    // The pair: entries 101 and 102 trade ZZZ against each other 12 times, in the same minute.
    let (a, b) = (entry(101), entry(102));
    let mut pair_fills = Vec::new();
    for k in 0..12 {
        let at = T0 + (2 + 3 * k) * DAY + 16 * 60 * MINUTE + 7 * MINUTE;
        pair_fills.push((at, a, true));
        pair_fills.push((at + 20_000_000, b, false));
        pair_fills.push((at + 2 * 60 * MINUTE, a, false));
        pair_fills.push((at + 2 * 60 * MINUTE + 15_000_000, b, true));
    }
    let mut all: Vec<Event> = events
        .into_iter()
        .map(|(at, i, open)| (at, Some((i, open)), None))
        .chain(pair_fills.into_iter().map(|(at, e, buy)| (at, None, Some((e, buy)))))
        .collect();
    all.sort_by_key(|&(at, trade, pair)| (at, trade.map(|t| t.0), pair.map(|p| p.0)));
    let mut fills = Vec::new();
    let mut trips = Vec::new();
    for (k, (at, trade, pair)) in all.into_iter().enumerate() {
        let seq = k as i64 + 1;
        if let Some((i, open)) = trade {
            let t = &trades[i];
            let price = if open { t.entry_price } else { t.exit_price };
            fills.push(FillRow { seq, entry: t.entry, at, symbol: t.symbol.clone(), buy: open, qty: t.qty, price });
            if !open {
                trips.push(TripRow { close_seq: seq, trade: t.clone() });
            }
        }
        if let Some((e, buy)) = pair {
            fills.push(FillRow { seq, entry: e, at, symbol: "ZZZ".into(), buy, qty: 100, price: 50.0 });
        }
    }
    let key_of = |n: i64, d: i64| {
        trips
            .iter()
            .find(|r| {
                r.trade.entry == entry(n) && r.trade.opened_at >= T0 + d * DAY && r.trade.opened_at < T0 + (d + 1) * DAY
            })
            .unwrap()
            .close_seq
    };
    let injected =
        Injected { oversized: key_of(1, 36), night_and_long: key_of(2, 37), windfall: key_of(3, 38), pair: (a, b) };
    (fills, trips, injected)
}

fn money(it: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from_iter_values(it.map(|d| (d * 10_000.0).round() as i128))
            .with_precision_and_scale(18, 4)
            .unwrap(),
    )
}

fn i64s(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(it))
}

fn strs<'a>(it: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(it))
}

fn tss(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter_values(it).with_timezone("UTC"))
}

/// Writes the fills and round trips of one export step as warehouse Parquet files.
async fn write_part(location: &Location, fills: &[FillRow], trips: &[TripRow], from: i64, to: i64) {
    let fills: Vec<&FillRow> = fills.iter().filter(|f| f.seq > from && f.seq <= to).collect();
    let trips: Vec<&TripRow> = trips.iter().filter(|r| r.close_seq > from && r.close_seq <= to).collect();
    let fill_batch = RecordBatch::try_new(
        Table::Fills.file_schema(),
        vec![
            i64s(fills.iter().map(|f| f.seq)),
            i64s(fills.iter().map(|f| f.entry)),
            Arc::new(Int64Array::from(vec![None::<i64>; fills.len()])),
            tss(fills.iter().map(|f| f.at)),
            strs(fills.iter().map(|f| f.symbol.as_str())),
            strs(fills.iter().map(|f| if f.buy { "buy" } else { "sell" })),
            i64s(fills.iter().map(|f| f.qty)),
            money(fills.iter().map(|f| f.price)),
            money(fills.iter().map(|f| f.price * f.qty as f64)),
            money(fills.iter().map(|_| 1.0)),
            money(fills.iter().map(|f| if f.buy { -1.0 } else { 1.0 } * f.price * f.qty as f64 - 1.0)),
            i64s(fills.iter().map(|f| if f.buy { f.qty } else { 0 })),
        ],
    )
    .unwrap();
    let t = |r: &&TripRow| r.trade.clone();
    let trip_batch = RecordBatch::try_new(
        Table::RoundTrips.file_schema(),
        vec![
            i64s(trips.iter().map(|r| r.close_seq)),
            Arc::new(Int32Array::from_iter_values(trips.iter().map(|_| 0))),
            i64s(trips.iter().map(|r| r.trade.entry)),
            strs(trips.iter().map(|r| r.trade.symbol.as_str())),
            strs(trips.iter().map(|_| "long")),
            i64s(trips.iter().map(|r| r.trade.qty)),
            money(trips.iter().map(|r| r.trade.entry_price)),
            money(trips.iter().map(|r| r.trade.exit_price)),
            tss(trips.iter().map(|r| r.trade.opened_at)),
            tss(trips.iter().map(|r| r.trade.closed_at)),
            Arc::new(Date32Array::from_iter_values(trips.iter().map(|r| (r.trade.closed_at / DAY) as i32))),
            i64s(trips.iter().map(|r| (r.trade.closed_at - r.trade.opened_at) / 1_000_000)),
            money(trips.iter().map(|r| r.trade.entry_price * r.trade.qty as f64)),
            money(trips.iter().map(|_| 2.0)),
            money(trips.iter().map(t).map(|t| (t.exit_price - t.entry_price) * t.qty as f64 - 2.0)),
            Arc::new(Float64Array::from_iter_values(
                trips
                    .iter()
                    .map(t)
                    .map(|t| ((t.exit_price - t.entry_price) * t.qty as f64 - 2.0) / (t.entry_price * t.qty as f64)),
            )),
            Arc::new(Int64Array::from(vec![None::<i64>; trips.len()])),
            Arc::new(Int64Array::from(vec![None::<i64>; trips.len()])),
        ],
    )
    .unwrap();
    let name = |table: &str| format!("{table}/tournament_id={T}/date=2024-03-04/part-{from:020}-{to:020}.parquet");
    let fills_bytes = bullpen_warehouse::encode::parquet_bytes(&[fill_batch]).unwrap();
    location.put(&name("fills"), fills_bytes).await.unwrap();
    let trips_bytes = bullpen_warehouse::encode::parquet_bytes(&[trip_batch]).unwrap();
    location.put(&name("round_trips"), trips_bytes).await.unwrap();
}

/// The sequence number of the last event before the split day.
fn split_seq(fills: &[FillRow]) -> i64 {
    fills.iter().filter(|f| f.at < T0 + SPLIT_DAY * DAY).map(|f| f.seq).max().unwrap()
}

/// Every file of the scoring tables with its bytes.
async fn scoring_files(location: &Location) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for table in ["trade_anomalies", "coordinated_pairs"] {
        for path in location.list(table).await.unwrap() {
            out.insert(path.clone(), location.get(&path).await.unwrap().unwrap());
        }
    }
    out
}

/// Every scored row, by key.
async fn all_rows(location: &Location) -> Vec<(i64, i64, String, bool)> {
    let ctx = open_session(location).await.unwrap();
    let batches = ctx
        .sql("SELECT close_seq, entry_id, CAST(score AS VARCHAR) AS s, flagged FROM trade_anomalies ORDER BY close_seq")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut out = Vec::new();
    for b in batches {
        let seq = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().clone();
        let e = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap().clone();
        let s = bullpen_warehouse::datafusion::arrow::compute::cast(
            b.column(2),
            &bullpen_warehouse::datafusion::arrow::datatypes::DataType::Utf8,
        )
        .unwrap();
        let s = s.as_any().downcast_ref::<StringArray>().unwrap().clone();
        let f = b
            .column(3)
            .as_any()
            .downcast_ref::<bullpen_warehouse::datafusion::arrow::array::BooleanArray>()
            .unwrap()
            .clone();
        for i in 0..b.num_rows() {
            out.push((seq.value(i), e.value(i), s.value(i).to_string(), f.value(i)));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_flags_injected_trades_and_the_pair_incrementally_and_idempotently() {
    let (fills, trips, injected) = scenario();
    let last = fills.iter().map(|f| f.seq).max().unwrap();
    let split = split_seq(&fills);
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();

    // First export: days before the split.
    write_part(&location, &fills, &trips, 0, split).await;
    let first = run_scoring(&location).await.unwrap();
    assert_eq!(first.tournaments, 1);
    assert!(first.trades_scored > 500, "{first:?}");
    assert_eq!(first.trades_scored + first.trades_skipped, trips.iter().filter(|r| r.close_seq <= split).count());

    // Nothing new: nothing written, same files.
    let files = scoring_files(&location).await;
    let again = run_scoring(&location).await.unwrap();
    assert_eq!((again.tournaments, again.trades_scored, again.files_written.len()), (0, 0, 0));
    assert_eq!(scoring_files(&location).await, files);

    // Second export: the rest; only the new round trips are scored.
    write_part(&location, &fills, &trips, split, last).await;
    let second = run_scoring(&location).await.unwrap();
    assert_eq!(second.trades_scored + second.trades_skipped, trips.iter().filter(|r| r.close_seq > split).count());
    assert_eq!((first.trades_replayed, second.trades_replayed), (0, 0), "the second run resumed the saved detector");
    let rows = all_rows(&location).await;
    let mut keys: Vec<i64> = rows.iter().map(|r| r.0).collect();
    keys.dedup();
    assert_eq!(keys.len(), rows.len(), "a round trip was scored twice");
    assert_eq!(rows.len(), first.trades_scored + second.trades_scored);

    // The same warehouse exported in one go scores exactly the same.
    let dir2 = tempfile::tempdir().unwrap();
    let whole = Location::local(dir2.path()).unwrap();
    write_part(&whole, &fills, &trips, 0, last).await;
    run_scoring(&whole).await.unwrap();
    assert_eq!(all_rows(&whole).await, rows);

    // The injected trades are flagged, with reasons naming what is odd about them.
    let ctx = open_session(&location).await.unwrap();
    let flagged_of = |anomalies: &[TradeAnomaly], seq: i64| anomalies.iter().find(|a| a.close_seq == seq).cloned();
    let one = anomalies_of_entry(&ctx, T, entry(1)).await.unwrap();
    let oversized = flagged_of(&one, injected.oversized).expect("the oversized trade is flagged");
    assert_eq!(oversized.contributions[0].feature, "size", "{oversized:?}");
    assert!(oversized.contributions[0].value > 5.0);
    assert!(oversized.reason.contains("size") && oversized.reason.contains("above"), "{}", oversized.reason);
    assert!(oversized.score > oversized.threshold.unwrap());
    let two = anomalies_of_entry(&ctx, T, entry(2)).await.unwrap();
    let night = flagged_of(&two, injected.night_and_long).expect("the night trade held for days is flagged");
    let names: Vec<&str> = night.contributions.iter().map(|c| c.feature.as_str()).collect();
    assert!(names.contains(&"holding_period") || names.contains(&"time_of_day"), "{night:?}");
    let three = anomalies_of_entry(&ctx, T, entry(3)).await.unwrap();
    let windfall = flagged_of(&three, injected.windfall).expect("the windfall is flagged");
    assert!(windfall.reason.starts_with("Unusual trade"), "{}", windfall.reason);
    for list in [&one, &two, &three] {
        assert!(list.windows(2).all(|w| w[0].score >= w[1].score), "highest score first");
        assert!(list.iter().all(|a| a.flagged && !a.reason.is_empty()));
    }

    // Ordinary trades are mostly left alone.
    let injected_keys = [injected.oversized, injected.night_and_long, injected.windfall];
    let ordinary: Vec<_> = rows.iter().filter(|r| !injected_keys.contains(&r.0)).collect();
    let false_flags = ordinary.iter().filter(|r| r.3).count();
    assert!(false_flags * 100 <= ordinary.len() * 3, "{false_flags} of {} ordinary trades flagged", ordinary.len());

    // The pair trading against each other is found, and only it.
    let platform = platform_anomalies(&ctx, 50).await.unwrap();
    assert_eq!(platform.pairs.len(), 1, "{:?}", platform.pairs);
    let pair = &platform.pairs[0];
    assert_eq!((pair.tournament_id, pair.entry_a, pair.entry_b), (T, injected.pair.0, injected.pair.1));
    assert_eq!((pair.symbols.clone(), pair.events), (vec!["ZZZ".to_string()], 24));
    assert!(pair.first_at < pair.last_at && pair.score > 6.0);
    assert!(pair.reason.contains("ZZZ") && pair.reason.contains("24 times"), "{}", pair.reason);
    assert!(platform.trades.iter().any(|t| t.close_seq == injected.oversized));
    assert!(platform.trades.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(platform_anomalies(&ctx, 1).await.unwrap().trades.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_saved_detector_is_rebuilt_by_replaying_with_the_same_results() {
    let (fills, trips, _) = scenario();
    let last = fills.iter().map(|f| f.seq).max().unwrap();
    let split = split_seq(&fills);
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    write_part(&location, &fills, &trips, 0, split).await;
    run_scoring(&location).await.unwrap();
    let saved = format!("_bullpen/detectors/tournament-{T}.bin");
    let mut bytes = location.get(&saved).await.unwrap().expect("the detector is saved after a step");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    location.put(&saved, bytes).await.unwrap();

    write_part(&location, &fills, &trips, split, last).await;
    let second = run_scoring(&location).await.unwrap();
    assert_eq!(second.trades_replayed, trips.iter().filter(|r| r.close_seq <= split).count());

    let dir2 = tempfile::tempdir().unwrap();
    let whole = Location::local(dir2.path()).unwrap();
    write_part(&whole, &fills, &trips, 0, last).await;
    run_scoring(&whole).await.unwrap();
    assert_eq!(all_rows(&location).await, all_rows(&whole).await);
    assert_eq!(location.get(&saved).await.unwrap(), whole.get(&saved).await.unwrap(), "same detector saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_interrupted_after_writing_is_redone_without_duplicates() {
    let (fills, trips, _) = scenario();
    let split = split_seq(&fills);
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    write_part(&location, &fills, &trips, 0, split).await;
    run_scoring(&location).await.unwrap();
    let files = scoring_files(&location).await;
    let rows = all_rows(&location).await;
    let file = files.keys().find(|k| k.starts_with("trade_anomalies/")).unwrap().clone();

    // As if the run had crashed after writing its file (garbled here) but before committing.
    location.put(&file, b"half-written".to_vec()).await.unwrap();
    let pending = format!(
        r#"{{"version":1,"tournaments":{{"{T}":{{"trips_seq":0,"fills_seq":{split},"pending":{{"to":{split},"file":"{file}"}}}}}}}}"#
    );
    location.put("_bullpen/scoring.json", pending.into_bytes()).await.unwrap();
    // New data arrived meanwhile: the redo still stops at the step's target.
    write_part(&location, &fills, &trips, split, split + 40).await;
    let redo = run_scoring(&location).await.unwrap();
    assert_eq!(redo.files_written[0], file);
    assert_eq!(location.get(&file).await.unwrap(), files.get(&file).cloned());
    let after = all_rows(&location).await;
    assert_eq!(&after[..rows.len()], &rows[..]);
    let mut keys: Vec<i64> = after.iter().map(|r| r.0).collect();
    keys.dedup();
    assert_eq!(keys.len(), after.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_or_broken_warehouses_give_empty_results_or_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    let report = run_scoring(&location).await.unwrap();
    assert_eq!((report.tournaments, report.trades_scored, report.files_written.len()), (0, 0, 0));
    let ctx = open_session(&location).await.unwrap();
    assert!(anomalies_of_entry(&ctx, T, entry(1)).await.unwrap().is_empty());
    let platform = platform_anomalies(&ctx, 10).await.unwrap();
    assert!(platform.trades.is_empty() && platform.pairs.is_empty());

    location.put("_bullpen/scoring.json", b"{not json".to_vec()).await.unwrap();
    let err = run_scoring(&location).await.unwrap_err();
    assert!(err.to_string().contains("scoring.json"), "{err}");
}
