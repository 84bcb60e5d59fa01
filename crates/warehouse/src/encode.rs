//! Domain records to Arrow record batches (one function per table) and record batches to
//! Parquet bytes. Pure functions: the exporter and the benchmark fixtures share them.

use std::sync::Arc;

use bullpen_domain::{DailyBar, Entry, Instrument, LedgerEntry, LedgerKind, Order, RoundTrip, Tournament, Ts};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;

use crate::error::WarehouseResult;
use crate::pseudonym::Pseudonymizer;
use crate::schema::{Table, MONEY_PRECISION, MONEY_SCALE};
use crate::source::{SourceSnapshot, SourceUser};

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

/// Days since 1970-01-01 of a date (Arrow's `Date32`).
pub fn date_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - UNIX_EPOCH_CE_DAYS
}

/// The date of a day number (see [`date_days`]).
pub fn days_date(days: i64) -> NaiveDate {
    let ce = i32::try_from(days).unwrap_or(0).saturating_add(UNIX_EPOCH_CE_DAYS);
    NaiveDate::from_num_days_from_ce_opt(ce).unwrap_or_default()
}

/// The UTC date of a time.
pub fn ts_date(ts: Ts) -> NaiveDate {
    days_date(ts.0.div_euclid(MICROS_PER_DAY))
}

/// The Monday of a date's week (weeks run Monday to Sunday).
pub fn week_of(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// A closed trade with its place: the closing fill's sequence number and the piece's index
/// among the lots that fill closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTripRow {
    /// Sequence number of the closing fill.
    pub close_seq: i64,
    /// Index of the piece within the closing fill (0 for the oldest lot it closed).
    pub piece: i32,
    /// The round trip.
    pub trip: RoundTrip,
}

fn i64s(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(it))
}

fn opt_i64s(it: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(it.collect::<Int64Array>())
}

fn strs<'a>(it: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(it))
}

fn opt_strs<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(it.collect::<StringArray>())
}

fn money(it: impl Iterator<Item = i64>) -> WarehouseResult<ArrayRef> {
    Ok(Arc::new(
        Decimal128Array::from_iter_values(it.map(i128::from)).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
    ))
}

fn opt_money(it: impl Iterator<Item = Option<i64>>) -> WarehouseResult<ArrayRef> {
    Ok(Arc::new(
        it.map(|v| v.map(i128::from))
            .collect::<Decimal128Array>()
            .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
    ))
}

fn tss(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter_values(it).with_timezone("UTC"))
}

fn opt_tss(it: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(it.collect::<TimestampMicrosecondArray>().with_timezone("UTC"))
}

fn dates(it: impl Iterator<Item = NaiveDate>) -> ArrayRef {
    Arc::new(Date32Array::from_iter_values(it.map(date_days)))
}

fn bools(it: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(it.map(Some).collect::<BooleanArray>())
}

fn batch(table: Table, columns: Vec<ArrayRef>) -> WarehouseResult<RecordBatch> {
    Ok(RecordBatch::try_new(table.file_schema(), columns)?)
}

/// The `instruments` table.
pub fn instruments(rows: &[Instrument]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::Instruments,
        vec![
            i64s(rows.iter().map(|i| i.id.0)),
            strs(rows.iter().map(|i| i.symbol.as_str())),
            strs(rows.iter().map(|i| i.name.as_str())),
            strs(rows.iter().map(|i| i.sector.as_str())),
            strs(rows.iter().map(|i| i.status.as_str())),
        ],
    )
}

/// The `bars` table (one year's rows).
pub fn bars(rows: &[DailyBar]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::Bars,
        vec![
            dates(rows.iter().map(|b| b.date)),
            strs(rows.iter().map(|b| b.symbol.as_str())),
            money(rows.iter().map(|b| b.open.0))?,
            money(rows.iter().map(|b| b.high.0))?,
            money(rows.iter().map(|b| b.low.0))?,
            money(rows.iter().map(|b| b.close.0))?,
            i64s(rows.iter().map(|b| b.volume)),
        ],
    )
}

/// The `traders` table: pseudonymous ids only.
pub fn traders(rows: &[SourceUser], names: &Pseudonymizer) -> WarehouseResult<RecordBatch> {
    let ids: Vec<String> = rows.iter().map(|u| names.trader_id(u.id)).collect();
    batch(
        Table::Traders,
        vec![
            strs(ids.iter().map(String::as_str)),
            bools(rows.iter().map(|u| u.is_bot)),
            dates(rows.iter().map(|u| ts_date(u.created_at))),
        ],
    )
}

/// The `tournaments` table.
pub fn tournaments(rows: &[Tournament]) -> WarehouseResult<RecordBatch> {
    let scoring: Vec<String> = rows
        .iter()
        .map(|t| {
            serde_json::to_value(t.rules.scoring)
                .ok()
                .and_then(|v| v.get("method").and_then(|m| m.as_str().map(str::to_string)))
                .unwrap_or_default()
        })
        .collect();
    let rules: Vec<String> = rows.iter().map(|t| serde_json::to_string(&t.rules).unwrap_or_default()).collect();
    batch(
        Table::Tournaments,
        vec![
            i64s(rows.iter().map(|t| t.id.0)),
            strs(rows.iter().map(|t| t.name.as_str())),
            strs(rows.iter().map(|t| t.kind.as_str())),
            strs(rows.iter().map(|t| t.state.as_str())),
            dates(rows.iter().map(|t| t.starts_on)),
            dates(rows.iter().map(|t| t.ends_on)),
            money(rows.iter().map(|t| t.rules.starting_cash.0))?,
            strs(scoring.iter().map(String::as_str)),
            strs(rules.iter().map(String::as_str)),
            tss(rows.iter().map(|t| t.created_at.0)),
        ],
    )
}

/// The `entries` table (of one tournament): no display names.
pub fn entries(rows: &[&Entry], names: &Pseudonymizer) -> WarehouseResult<RecordBatch> {
    let ids: Vec<String> = rows.iter().map(|e| names.trader_id(e.user_id)).collect();
    batch(
        Table::Entries,
        vec![
            i64s(rows.iter().map(|e| e.id.0)),
            strs(ids.iter().map(String::as_str)),
            tss(rows.iter().map(|e| e.joined_at.0)),
        ],
    )
}

/// The `orders` table. Client order ids are left out (players choose them freely).
pub fn orders(rows: &[&Order]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::Orders,
        vec![
            i64s(rows.iter().map(|o| o.id.0)),
            i64s(rows.iter().map(|o| o.seq)),
            i64s(rows.iter().map(|o| o.entry_id.0)),
            strs(rows.iter().map(|o| o.symbol.as_str())),
            strs(rows.iter().map(|o| o.side.as_str())),
            strs(rows.iter().map(|o| o.order_type.as_str())),
            strs(rows.iter().map(|o| o.time_in_force.as_str())),
            i64s(rows.iter().map(|o| o.qty.0)),
            i64s(rows.iter().map(|o| o.filled_qty.0)),
            opt_money(rows.iter().map(|o| o.filled_avg_price.map(|p| p.0)))?,
            opt_money(rows.iter().map(|o| o.limit_price.map(|p| p.0)))?,
            opt_money(rows.iter().map(|o| o.stop_price.map(|p| p.0)))?,
            strs(rows.iter().map(|o| o.status.as_str())),
            opt_strs(rows.iter().map(|o| o.reject_reason.as_ref().map(|r| r.code()))),
            opt_i64s(rows.iter().map(|o| o.replaces.map(|id| id.0))),
            opt_i64s(rows.iter().map(|o| o.replaced_by.map(|id| id.0))),
            tss(rows.iter().map(|o| o.created_at.0)),
            tss(rows.iter().map(|o| o.updated_at.0)),
            opt_tss(rows.iter().map(|o| o.filled_at.map(|t| t.0))),
            opt_tss(rows.iter().map(|o| o.canceled_at.map(|t| t.0))),
            opt_tss(rows.iter().map(|o| o.expired_at.map(|t| t.0))),
            opt_tss(rows.iter().map(|o| o.replaced_at.map(|t| t.0))),
            opt_tss(rows.iter().map(|o| o.rejected_at.map(|t| t.0))),
        ],
    )
}

/// True for the ledger entries that are fills.
pub fn is_fill(l: &LedgerEntry) -> bool {
    l.kind == LedgerKind::Trade
}

/// The `fills` table, from trade entries of the ledger.
pub fn fills(rows: &[&LedgerEntry]) -> WarehouseResult<RecordBatch> {
    let price = |l: &LedgerEntry| l.price.map_or(0, |p| p.0);
    batch(
        Table::Fills,
        vec![
            i64s(rows.iter().map(|l| l.seq)),
            i64s(rows.iter().map(|l| l.entry_id.0)),
            opt_i64s(rows.iter().map(|l| l.order_id.map(|o| o.0))),
            tss(rows.iter().map(|l| l.ts.0)),
            strs(rows.iter().map(|l| l.symbol.as_ref().map_or("", |s| s.as_str()))),
            strs(rows.iter().map(|l| if l.qty_delta.0 >= 0 { "buy" } else { "sell" })),
            i64s(rows.iter().map(|l| l.qty_delta.0.abs())),
            money(rows.iter().map(|l| price(l)))?,
            money(rows.iter().map(|l| l.price.unwrap_or_default().times(l.qty_delta.abs()).0))?,
            money(rows.iter().map(|l| l.fee.0))?,
            money(rows.iter().map(|l| l.cash_delta.0))?,
            i64s(rows.iter().map(|l| l.qty_after.0)),
        ],
    )
}

/// The `ledger` table.
pub fn ledger(rows: &[&LedgerEntry]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::Ledger,
        vec![
            i64s(rows.iter().map(|l| l.seq)),
            i64s(rows.iter().map(|l| l.entry_id.0)),
            tss(rows.iter().map(|l| l.ts.0)),
            strs(rows.iter().map(|l| l.kind.as_str())),
            opt_strs(rows.iter().map(|l| l.symbol.as_ref().map(|s| s.as_str()))),
            i64s(rows.iter().map(|l| l.qty_delta.0)),
            money(rows.iter().map(|l| l.cash_delta.0))?,
            opt_money(rows.iter().map(|l| l.price.map(|p| p.0)))?,
            money(rows.iter().map(|l| l.fee.0))?,
            opt_i64s(rows.iter().map(|l| l.order_id.map(|o| o.0))),
            i64s(rows.iter().map(|l| l.ratio.0)),
            i64s(rows.iter().map(|l| l.ratio.1)),
            money(rows.iter().map(|l| l.cash_after.0))?,
            i64s(rows.iter().map(|l| l.qty_after.0)),
        ],
    )
}

/// The `round_trips` table.
pub fn round_trips(rows: &[&RoundTripRow]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::RoundTrips,
        vec![
            i64s(rows.iter().map(|r| r.close_seq)),
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.piece))),
            i64s(rows.iter().map(|r| r.trip.entry_id.0)),
            strs(rows.iter().map(|r| r.trip.symbol.as_str())),
            strs(rows.iter().map(|r| match r.trip.direction {
                bullpen_domain::Direction::Long => "long",
                bullpen_domain::Direction::Short => "short",
            })),
            i64s(rows.iter().map(|r| r.trip.qty.0)),
            money(rows.iter().map(|r| r.trip.entry_price.0))?,
            money(rows.iter().map(|r| r.trip.exit_price.0))?,
            tss(rows.iter().map(|r| r.trip.opened_at.0)),
            tss(rows.iter().map(|r| r.trip.closed_at.0)),
            dates(rows.iter().map(|r| week_of(ts_date(r.trip.closed_at)))),
            i64s(rows.iter().map(|r| r.trip.holding_seconds())),
            money(rows.iter().map(|r| r.trip.entry_price.times(r.trip.qty).0))?,
            money(rows.iter().map(|r| r.trip.fees.0))?,
            money(rows.iter().map(|r| r.trip.realized_pnl.0))?,
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.trip.return_fraction()))),
            opt_i64s(rows.iter().map(|r| r.trip.open_order_id.map(|o| o.0))),
            opt_i64s(rows.iter().map(|r| r.trip.close_order_id.map(|o| o.0))),
        ],
    )
}

/// The `equity_snapshots` table.
pub fn equity_snapshots(rows: &[&SourceSnapshot]) -> WarehouseResult<RecordBatch> {
    batch(
        Table::EquitySnapshots,
        vec![
            i64s(rows.iter().map(|s| s.entry_id.0)),
            money(rows.iter().map(|s| s.equity.0))?,
            money(rows.iter().map(|s| s.cash.0))?,
            money(rows.iter().map(|s| s.low_equity.0))?,
            bools(rows.iter().map(|s| s.traded)),
        ],
    )
}

/// Rows per data page. Files are sorted by entry and a report reads one entry's few rows per
/// file: the page index prunes to the pages holding them, and every selected page is
/// decompressed whole, so small pages keep a point read cheap (Parquet's default, 20,000 rows,
/// made one trader's season report decode about 20 times the rows it needed).
const PAGE_ROWS: usize = 1024;

/// Columns of few distinct values (symbols, sides, kinds, weeks): dictionary-encoded, so
/// filters on them (the peer query's symbol and week) compare small integers, and their
/// dictionaries stay small.
const DICTIONARY_COLUMNS: [&str; 9] =
    ["symbol", "side", "week", "kind", "sector", "status", "order_type", "time_in_force", "direction"];

/// Writer settings of every warehouse file: zstd (level 1), page statistics and the page
/// index, pages of at most [`PAGE_ROWS`] rows, row groups of at most 256 Ki rows, and
/// dictionary encoding only for [`DICTIONARY_COLUMNS`]. A dictionary page is read and
/// decompressed whole before any data page of its column, and most columns here (sequence
/// numbers, ids, times, amounts) are nearly unique, so their dictionaries grew to the 1 MB
/// limit: a point read of one entry then read about 1.4 MB per file instead of 90 KB.
pub fn writer_properties() -> WriterProperties {
    let builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_write_batch_size(PAGE_ROWS)
        .set_max_row_group_row_count(Some(256 * 1024));
    DICTIONARY_COLUMNS
        .iter()
        .fold(builder, |b, column| b.set_column_dictionary_enabled(ColumnPath::from(*column), true))
        .build()
}

/// Encodes record batches (of one schema) as one Parquet file.
pub fn parquet_bytes(batches: &[RecordBatch]) -> WarehouseResult<Vec<u8>> {
    let Some(first) = batches.first() else {
        return Err(crate::WarehouseError::Data("no rows to write".into()));
    };
    let mut writer = ArrowWriter::try_new(Vec::new(), first.schema(), Some(writer_properties()))?;
    for b in batches {
        writer.write(b)?;
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(days_date(i64::from(date_days(d))), d);
        assert_eq!(date_days(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()), 0);
        assert_eq!(ts_date(Ts(-1)), NaiveDate::from_ymd_opt(1969, 12, 31).unwrap());
        assert_eq!(ts_date(Ts::from_date(d)), d);
        assert_eq!(week_of(d), NaiveDate::from_ymd_opt(2024, 2, 26).unwrap());
        assert_eq!(
            week_of(NaiveDate::from_ymd_opt(2024, 2, 26).unwrap()),
            NaiveDate::from_ymd_opt(2024, 2, 26).unwrap()
        );
    }
}
