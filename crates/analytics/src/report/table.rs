//! Typed columns out of DataFusion results: every column is cast to the Rust-side type it is
//! read as (money as `Decimal128(38, 4)`, the warehouse's own fixed point), so aggregates of
//! other precisions and Utf8View strings read the same way.

use std::sync::Arc;

use bullpen_domain::Money;
use bullpen_warehouse::datafusion::arrow::array::{
    Array, ArrayRef, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use bullpen_warehouse::datafusion::arrow::compute::cast;
use bullpen_warehouse::datafusion::arrow::datatypes::{DataType, TimeUnit};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::datafusion::scalar::ScalarValue;
use bullpen_warehouse::WarehouseError;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::AnalyticsError;

/// Days from 0001-01-01 (chrono's CE day 1) to the Unix epoch.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A date as a SQL parameter (`Date32`).
pub(crate) fn date_param(date: NaiveDate) -> ScalarValue {
    ScalarValue::Date32(Some(chrono::Datelike::num_days_from_ce(&date) - EPOCH_DAYS_FROM_CE))
}

/// An id as a SQL parameter.
pub(crate) fn id_param(id: i64) -> ScalarValue {
    ScalarValue::Int64(Some(id))
}

/// The rows of a query.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    batches: Vec<RecordBatch>,
}

/// Runs `sql` with positional parameters `$1`, `$2`, … and collects the rows.
pub(crate) async fn query(ctx: &SessionContext, sql: &str, params: Vec<ScalarValue>) -> Result<Rows, AnalyticsError> {
    let df = ctx.sql(sql).await.map_err(WarehouseError::from)?;
    let df = if params.is_empty() { df } else { df.with_param_values(params).map_err(WarehouseError::from)? };
    let batches = df.collect().await.map_err(WarehouseError::from)?;
    Ok(Rows { batches })
}

fn column_error(name: &str, why: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::Warehouse(WarehouseError::Data(format!("column `{name}`: {why}")))
}

impl Rows {
    /// Wraps collected batches.
    pub(crate) fn new(batches: Vec<RecordBatch>) -> Rows {
        Rows { batches }
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Each batch's column `name` cast to `to`.
    fn cast_column(&self, name: &str, to: &DataType) -> Result<Vec<ArrayRef>, AnalyticsError> {
        self.batches
            .iter()
            .map(|b| {
                let column: &ArrayRef = b.column_by_name(name).ok_or_else(|| column_error(name, "missing"))?;
                if column.data_type() == to {
                    Ok(Arc::clone(column))
                } else {
                    cast(column, to).map_err(|e| column_error(name, e))
                }
            })
            .collect()
    }

    fn read<A: Array + 'static, T>(
        &self,
        name: &str,
        to: &DataType,
        get: impl Fn(&A, usize) -> T,
    ) -> Result<Vec<Option<T>>, AnalyticsError> {
        let mut out = Vec::with_capacity(self.len());
        for array in self.cast_column(name, to)? {
            let typed = array.as_any().downcast_ref::<A>().ok_or_else(|| column_error(name, "unexpected type"))?;
            for i in 0..typed.len() {
                out.push(if typed.is_null(i) { None } else { Some(get(typed, i)) });
            }
        }
        Ok(out)
    }

    /// Integers (nulls as `None`).
    pub(crate) fn i64s(&self, name: &str) -> Result<Vec<Option<i64>>, AnalyticsError> {
        self.read::<Int64Array, _>(name, &DataType::Int64, |a, i| a.value(i))
    }

    /// Floats.
    pub(crate) fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>, AnalyticsError> {
        self.read::<Float64Array, _>(name, &DataType::Float64, |a, i| a.value(i))
    }

    /// Text.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<Option<String>>, AnalyticsError> {
        self.read::<StringArray, _>(name, &DataType::Utf8, |a, i| a.value(i).to_string())
    }

    /// Exact money: decimals rescaled to four places (the store's fixed point); a value beyond
    /// `i64` is an error rather than a wrong number.
    pub(crate) fn money(&self, name: &str) -> Result<Vec<Option<Money>>, AnalyticsError> {
        let raw = self.read::<Decimal128Array, _>(name, &DataType::Decimal128(38, 4), |a, i| a.value(i))?;
        raw.into_iter()
            .map(|v| {
                v.map(|v| i64::try_from(v).map(Money).map_err(|_| column_error(name, "amount out of range")))
                    .transpose()
            })
            .collect()
    }

    /// Calendar days.
    pub(crate) fn dates(&self, name: &str) -> Result<Vec<Option<NaiveDate>>, AnalyticsError> {
        let raw = self.read::<Date32Array, _>(name, &DataType::Date32, |a, i| a.value(i))?;
        Ok(raw
            .into_iter()
            .map(|d| d.and_then(|d| NaiveDate::from_num_days_from_ce_opt(d + EPOCH_DAYS_FROM_CE)))
            .collect())
    }

    /// Moments (UTC).
    pub(crate) fn times(&self, name: &str) -> Result<Vec<Option<DateTime<Utc>>>, AnalyticsError> {
        let to = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let raw = self.read::<TimestampMicrosecondArray, _>(name, &to, |a, i| a.value(i))?;
        Ok(raw.into_iter().map(|t| t.and_then(DateTime::from_timestamp_micros)).collect())
    }
}

/// The value or an error naming the column: for columns the schema declares non-null.
pub(crate) fn required<T>(value: Option<T>, name: &str) -> Result<T, AnalyticsError> {
    value.ok_or_else(|| column_error(name, "unexpected null"))
}
