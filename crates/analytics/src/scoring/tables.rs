//! Rows of `trade_anomalies` and `coordinated_pairs` as Arrow record batches, in the schemas
//! the warehouse declares for them (`bullpen_warehouse::Table::file_schema`).

use std::sync::Arc;

use bullpen_warehouse::datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use bullpen_warehouse::{Table, WarehouseError};

use super::{CoordinatedPair, TradeAnomaly};
use crate::AnalyticsError;

/// Contributions stored per row (the detector reports its top three).
pub(crate) const STORED_FEATURES: usize = 3;

fn i64s(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(it))
}

fn f64s(it: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(it))
}

fn opt_f64s(it: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(it.collect::<Float64Array>())
}

fn strs<'a>(it: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(it))
}

fn opt_strs<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(it.collect::<StringArray>())
}

fn tss(it: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter_values(it).with_timezone("UTC"))
}

fn batch(table: Table, columns: Vec<ArrayRef>) -> Result<RecordBatch, AnalyticsError> {
    Ok(RecordBatch::try_new(table.file_schema(), columns).map_err(WarehouseError::from)?)
}

/// The `trade_anomalies` rows of one file.
pub(crate) fn trade_anomalies(rows: &[TradeAnomaly]) -> Result<RecordBatch, AnalyticsError> {
    let mut columns = vec![
        i64s(rows.iter().map(|r| r.entry_id)),
        i64s(rows.iter().map(|r| r.close_seq)),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.piece))) as ArrayRef,
        strs(rows.iter().map(|r| r.symbol.as_str())),
        tss(rows.iter().map(|r| r.closed_at)),
        f64s(rows.iter().map(|r| r.score)),
        opt_f64s(rows.iter().map(|r| r.threshold)),
        Arc::new(rows.iter().map(|r| Some(r.flagged)).collect::<BooleanArray>()) as ArrayRef,
    ];
    for k in 0..STORED_FEATURES {
        columns.push(opt_strs(rows.iter().map(|r| r.contributions.get(k).map(|c| c.feature.as_str()))));
        columns.push(opt_f64s(rows.iter().map(|r| r.contributions.get(k).map(|c| c.share))));
        columns.push(opt_f64s(rows.iter().map(|r| r.contributions.get(k).map(|c| c.value))));
    }
    columns.push(opt_strs(rows.iter().map(|r| (!r.reason.is_empty()).then_some(r.reason.as_str()))));
    batch(Table::TradeAnomalies, columns)
}

/// The `coordinated_pairs` rows of one tournament.
pub(crate) fn coordinated_pairs(rows: &[CoordinatedPair]) -> Result<RecordBatch, AnalyticsError> {
    let symbols: Vec<String> = rows.iter().map(|r| r.symbols.join(",")).collect();
    batch(
        Table::CoordinatedPairs,
        vec![
            i64s(rows.iter().map(|r| r.entry_a)),
            i64s(rows.iter().map(|r| r.entry_b)),
            strs(symbols.iter().map(String::as_str)),
            i64s(rows.iter().map(|r| r.events)),
            tss(rows.iter().map(|r| r.first_at)),
            tss(rows.iter().map(|r| r.last_at)),
            f64s(rows.iter().map(|r| r.expected)),
            f64s(rows.iter().map(|r| r.lift)),
            f64s(rows.iter().map(|r| r.p_value)),
            f64s(rows.iter().map(|r| r.score)),
            strs(rows.iter().map(|r| r.reason.as_str())),
        ],
    )
}
