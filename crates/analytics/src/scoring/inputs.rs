//! What the scoring pass reads from the warehouse: per tournament the newest round trip and
//! fill, the round trips, fills and equity snapshots, and the starting cash. Also the small
//! helpers that turn query results into plain vectors.

use std::collections::BTreeSet;

use bullpen_warehouse::datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use bullpen_warehouse::datafusion::arrow::compute::cast;
use bullpen_warehouse::datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::WarehouseError;

use crate::AnalyticsError;

/// Runs a query and collects its batches.
pub(crate) async fn collect(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, AnalyticsError> {
    let frame = ctx.sql(sql).await.map_err(WarehouseError::from)?;
    Ok(frame.collect().await.map_err(WarehouseError::from)?)
}

/// A column of a result, cast to `ty` (the warehouse's decimals, timestamps, dictionary-encoded
/// partition columns and string views all become plain types).
fn column(batch: &RecordBatch, name: &str, ty: &DataType) -> Result<ArrayRef, AnalyticsError> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| WarehouseError::Data(format!("query result has no column `{name}`")))?;
    Ok(cast(col, ty).map_err(WarehouseError::from)?)
}

/// An integer column (nulls as `None`).
pub(crate) fn opt_i64s(batch: &RecordBatch, name: &str) -> Result<Vec<Option<i64>>, AnalyticsError> {
    let col = column(batch, name, &DataType::Int64)?;
    let a = col.as_primitive::<Int64Type>();
    Ok((0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
}

/// An integer column (nulls as 0).
pub(crate) fn i64s(batch: &RecordBatch, name: &str) -> Result<Vec<i64>, AnalyticsError> {
    Ok(opt_i64s(batch, name)?.into_iter().map(|v| v.unwrap_or(0)).collect())
}

/// A float column (nulls as `None`).
pub(crate) fn opt_f64s(batch: &RecordBatch, name: &str) -> Result<Vec<Option<f64>>, AnalyticsError> {
    let col = column(batch, name, &DataType::Float64)?;
    let a = col.as_primitive::<Float64Type>();
    Ok((0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
}

/// A float column (nulls as NaN, which the feature checks refuse).
pub(crate) fn f64s(batch: &RecordBatch, name: &str) -> Result<Vec<f64>, AnalyticsError> {
    Ok(opt_f64s(batch, name)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// A text column (nulls as `None`).
pub(crate) fn opt_strings(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>, AnalyticsError> {
    let col = column(batch, name, &DataType::Utf8)?;
    let a = col.as_string::<i32>();
    Ok((0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i).to_string())).collect())
}

/// A text column (nulls as "").
pub(crate) fn strings(batch: &RecordBatch, name: &str) -> Result<Vec<String>, AnalyticsError> {
    Ok(opt_strings(batch, name)?.into_iter().map(Option::unwrap_or_default).collect())
}

/// A boolean column (nulls as false).
pub(crate) fn bools(batch: &RecordBatch, name: &str) -> Result<Vec<bool>, AnalyticsError> {
    let col = column(batch, name, &DataType::Boolean)?;
    let a = col.as_boolean();
    Ok((0..a.len()).map(|i| !a.is_null(i) && a.value(i)).collect())
}

/// The newest round trip and fill of a tournament in the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TournamentHeads {
    pub tournament_id: i64,
    /// Largest `close_seq` in `round_trips` (0 when none).
    pub last_close_seq: i64,
    /// Largest `seq` in `fills` (0 when none).
    pub last_fill_seq: i64,
}

/// Every tournament with round trips or fills, in id order.
pub(crate) async fn tournament_heads(ctx: &SessionContext) -> Result<Vec<TournamentHeads>, AnalyticsError> {
    let mut heads = std::collections::BTreeMap::<i64, (i64, i64)>::new();
    for b in
        collect(ctx, "SELECT tournament_id, MAX(close_seq) AS head FROM round_trips GROUP BY tournament_id").await?
    {
        for (t, h) in i64s(&b, "tournament_id")?.into_iter().zip(i64s(&b, "head")?) {
            heads.entry(t).or_default().0 = h;
        }
    }
    for b in collect(ctx, "SELECT tournament_id, MAX(seq) AS head FROM fills GROUP BY tournament_id").await? {
        for (t, h) in i64s(&b, "tournament_id")?.into_iter().zip(i64s(&b, "head")?) {
            heads.entry(t).or_default().1 = h;
        }
    }
    Ok(heads
        .into_iter()
        .map(|(tournament_id, (last_close_seq, last_fill_seq))| TournamentHeads {
            tournament_id,
            last_close_seq,
            last_fill_seq,
        })
        .collect())
}

/// A closed round trip, as the features need it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Trip {
    pub entry_id: i64,
    pub close_seq: i64,
    pub piece: i32,
    pub symbol: String,
    pub qty: f64,
    pub entry_price: f64,
    pub exit_price: f64,
    pub notional: f64,
    /// Net return as a fraction (0.05 = +5 %).
    pub trade_return: f64,
    /// µs since the epoch.
    pub opened_at: i64,
    /// µs since the epoch.
    pub closed_at: i64,
}

/// Which entries a read is about: all of them, or a set (the traders with new round trips).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entries<'a> {
    /// Every entry of the tournament.
    All,
    /// Only these.
    Only(&'a BTreeSet<i64>),
}

/// Up to this many entries are named in the query's `IN` list; a larger set is read whole and
/// filtered here (a long literal list costs more to plan than the rows it saves).
const MAX_IN_LIST: usize = 1_000;

impl Entries<'_> {
    /// The SQL condition (empty, or `AND entry_id IN (…)`).
    fn clause(self) -> String {
        match self {
            Entries::Only(set) if set.len() <= MAX_IN_LIST => {
                let ids: Vec<String> = set.iter().map(i64::to_string).collect();
                format!(" AND entry_id IN ({})", if ids.is_empty() { "NULL".to_string() } else { ids.join(",") })
            }
            _ => String::new(),
        }
    }

    fn contains(self, entry_id: i64) -> bool {
        match self {
            Entries::All => true,
            Entries::Only(set) => set.contains(&entry_id),
        }
    }
}

/// The tournament's round trips of `entries` with `after < close_seq <= upto`, in sequence
/// order.
pub(crate) async fn trips(
    ctx: &SessionContext,
    tournament_id: i64,
    after: i64,
    upto: i64,
    entries: Entries<'_>,
) -> Result<Vec<Trip>, AnalyticsError> {
    let sql = format!(
        "SELECT entry_id, close_seq, piece, symbol, CAST(qty AS DOUBLE) AS qty, \
         CAST(entry_price AS DOUBLE) AS entry_price, CAST(exit_price AS DOUBLE) AS exit_price, \
         CAST(notional AS DOUBLE) AS notional, trade_return, opened_at, closed_at \
         FROM round_trips WHERE tournament_id = {tournament_id} AND close_seq > {after} AND close_seq <= {upto}{} \
         ORDER BY close_seq, piece",
        entries.clause()
    );
    let mut out = Vec::new();
    for b in collect(ctx, &sql).await? {
        let (entry, seq, piece) = (i64s(&b, "entry_id")?, i64s(&b, "close_seq")?, i64s(&b, "piece")?);
        let symbol = strings(&b, "symbol")?;
        let (qty, entry_price, exit_price) = (f64s(&b, "qty")?, f64s(&b, "entry_price")?, f64s(&b, "exit_price")?);
        let (notional, ret) = (f64s(&b, "notional")?, f64s(&b, "trade_return")?);
        let (opened, closed) = (i64s(&b, "opened_at")?, i64s(&b, "closed_at")?);
        for i in (0..b.num_rows()).filter(|&i| entries.contains(entry[i])) {
            out.push(Trip {
                entry_id: entry[i],
                close_seq: seq[i],
                piece: i32::try_from(piece[i]).unwrap_or(0),
                symbol: symbol[i].clone(),
                qty: qty[i],
                entry_price: entry_price[i],
                exit_price: exit_price[i],
                notional: notional[i],
                trade_return: ret[i],
                opened_at: opened[i],
                closed_at: closed[i],
            });
        }
    }
    Ok(out)
}

/// A fill, as the frequency feature and the coordination detector need it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fill {
    pub seq: i64,
    pub entry_id: i64,
    /// µs since the epoch.
    pub at: i64,
    pub symbol: String,
    pub buy: bool,
}

/// The tournament's fills of `entries` with `seq <= upto`, in sequence order.
pub(crate) async fn fills(
    ctx: &SessionContext,
    tournament_id: i64,
    upto: i64,
    entries: Entries<'_>,
) -> Result<Vec<Fill>, AnalyticsError> {
    let sql = format!(
        "SELECT seq, entry_id, ts, symbol, side FROM fills \
         WHERE tournament_id = {tournament_id} AND seq <= {upto}{} ORDER BY seq",
        entries.clause()
    );
    let mut out = Vec::new();
    for b in collect(ctx, &sql).await? {
        let (seq, entry, at) = (i64s(&b, "seq")?, i64s(&b, "entry_id")?, i64s(&b, "ts")?);
        let (symbol, side) = (strings(&b, "symbol")?, strings(&b, "side")?);
        for i in (0..b.num_rows()).filter(|&i| entries.contains(entry[i])) {
            out.push(Fill {
                seq: seq[i],
                entry_id: entry[i],
                at: at[i],
                symbol: symbol[i].clone(),
                buy: side[i] == "buy",
            });
        }
    }
    Ok(out)
}

/// End-of-day equity of the tournament's `entries`: (entry, day number, equity).
pub(crate) async fn snapshots(
    ctx: &SessionContext,
    tournament_id: i64,
    entries: Entries<'_>,
) -> Result<Vec<(i64, i64, f64)>, AnalyticsError> {
    let sql = format!(
        "SELECT entry_id, CAST(CAST(date AS INT) AS BIGINT) AS day, CAST(equity AS DOUBLE) AS equity \
         FROM equity_snapshots WHERE tournament_id = {tournament_id}{} ORDER BY entry_id, day",
        entries.clause()
    );
    let mut out = Vec::new();
    for b in collect(ctx, &sql).await? {
        let (entry, day, equity) = (i64s(&b, "entry_id")?, i64s(&b, "day")?, f64s(&b, "equity")?);
        out.extend((0..b.num_rows()).filter(|&i| entries.contains(entry[i])).map(|i| (entry[i], day[i], equity[i])));
    }
    Ok(out)
}

/// The tournament's starting cash, if the tournament is in the warehouse.
pub(crate) async fn starting_cash(ctx: &SessionContext, tournament_id: i64) -> Result<Option<f64>, AnalyticsError> {
    let sql = format!(
        "SELECT CAST(starting_cash AS DOUBLE) AS cash FROM tournaments WHERE tournament_id = {tournament_id} LIMIT 1"
    );
    for b in collect(ctx, &sql).await? {
        if let Some(Some(cash)) = opt_f64s(&b, "cash")?.first() {
            return Ok(Some(*cash));
        }
    }
    Ok(None)
}
