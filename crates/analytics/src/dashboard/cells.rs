//! Typed reads of query results: each column is cast once per batch to the type the dashboard
//! wants (SQL arithmetic widens decimals and counts), then read row by row with nulls kept.

use bullpen_domain::{Money, Ts};
use bullpen_warehouse::datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use bullpen_warehouse::datafusion::arrow::compute::cast;
use bullpen_warehouse::datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::encode::days_date;
use bullpen_warehouse::{WarehouseError, WarehouseResult};
use chrono::NaiveDate;

/// Runs a statement with positional parameters (`$1`, `$2`, …) and collects its rows.
pub(crate) async fn query(
    ctx: &SessionContext,
    sql: &str,
    params: Vec<ScalarValue>,
) -> WarehouseResult<Vec<RecordBatch>> {
    let df = ctx.sql(sql).await?;
    let df = if params.is_empty() { df } else { df.with_param_values(params)? };
    Ok(df.collect().await?)
}

fn column(batch: &RecordBatch, name: &str, to: &DataType) -> WarehouseResult<std::sync::Arc<dyn Array>> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| WarehouseError::Data(format!("the query result has no column `{name}`")))?;
    if col.data_type() == to {
        return Ok(col.clone());
    }
    Ok(cast(col, to)?)
}

fn mismatch(name: &str) -> WarehouseError {
    WarehouseError::Data(format!("column `{name}` did not convert to the expected type"))
}

/// A column as 64-bit integers.
pub(crate) fn ints(batch: &RecordBatch, name: &str) -> WarehouseResult<Int64Array> {
    column(batch, name, &DataType::Int64)?.as_primitive_opt::<Int64Type>().cloned().ok_or_else(|| mismatch(name))
}

/// A column as 64-bit floats.
pub(crate) fn floats(batch: &RecordBatch, name: &str) -> WarehouseResult<Float64Array> {
    column(batch, name, &DataType::Float64)?.as_primitive_opt::<Float64Type>().cloned().ok_or_else(|| mismatch(name))
}

/// A column of money as decimals with four places (the store's fixed point).
pub(crate) fn moneys(batch: &RecordBatch, name: &str) -> WarehouseResult<Decimal128Array> {
    column(batch, name, &DataType::Decimal128(38, 4))?
        .as_primitive_opt::<Decimal128Type>()
        .cloned()
        .ok_or_else(|| mismatch(name))
}

/// A column as text.
pub(crate) fn texts(batch: &RecordBatch, name: &str) -> WarehouseResult<StringArray> {
    column(batch, name, &DataType::Utf8)?.as_string_opt::<i32>().cloned().ok_or_else(|| mismatch(name))
}

/// A column of times (microseconds, UTC).
pub(crate) fn times(batch: &RecordBatch, name: &str) -> WarehouseResult<TimestampMicrosecondArray> {
    let to = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    column(batch, name, &to)?.as_primitive_opt::<TimestampMicrosecondType>().cloned().ok_or_else(|| mismatch(name))
}

/// A column of dates.
pub(crate) fn dates(batch: &RecordBatch, name: &str) -> WarehouseResult<Date32Array> {
    column(batch, name, &DataType::Date32)?.as_primitive_opt::<Date32Type>().cloned().ok_or_else(|| mismatch(name))
}

/// A column of booleans.
pub(crate) fn bools(batch: &RecordBatch, name: &str) -> WarehouseResult<BooleanArray> {
    column(batch, name, &DataType::Boolean)?.as_boolean_opt().cloned().ok_or_else(|| mismatch(name))
}

/// Integer at a row (`None` when null).
pub(crate) fn int(a: &Int64Array, row: usize) -> Option<i64> {
    (!a.is_null(row)).then(|| a.value(row))
}

/// Float at a row (`None` when null or not finite).
pub(crate) fn float(a: &Float64Array, row: usize) -> Option<f64> {
    (!a.is_null(row)).then(|| a.value(row)).filter(|v| v.is_finite())
}

/// Money at a row (`None` when null or out of range).
pub(crate) fn money(a: &Decimal128Array, row: usize) -> Option<Money> {
    (!a.is_null(row)).then(|| a.value(row)).and_then(|v| i64::try_from(v).ok()).map(Money)
}

/// Text at a row.
pub(crate) fn text(a: &StringArray, row: usize) -> Option<String> {
    (!a.is_null(row)).then(|| a.value(row).to_string())
}

/// Time at a row.
pub(crate) fn time(a: &TimestampMicrosecondArray, row: usize) -> Option<Ts> {
    (!a.is_null(row)).then(|| Ts(a.value(row)))
}

/// Date at a row.
pub(crate) fn date(a: &Date32Array, row: usize) -> Option<NaiveDate> {
    (!a.is_null(row)).then(|| days_date(i64::from(a.value(row))))
}

/// A date as a query parameter.
pub(crate) fn date_param(d: NaiveDate) -> ScalarValue {
    ScalarValue::Date32(Some(bullpen_warehouse::encode::date_days(d)))
}

/// A time as RFC 3339 text (UTC, seconds).
pub(crate) fn rfc3339(ts: Ts) -> String {
    chrono::DateTime::from_timestamp_micros(ts.0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}
