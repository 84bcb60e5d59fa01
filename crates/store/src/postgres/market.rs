//! Instruments, bars and corporate actions on PostgreSQL.

use std::collections::HashMap;

use bullpen_domain::{CorporateAction, DailyBar, Instrument, InstrumentId, InstrumentStatus, Price, Symbol};
use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::codec::{action_columns, action_from_columns, corrupt, date_str, parse_date};
use crate::dedupe::last_of_each;
use crate::symbols::Symbols;
use crate::{NewInstrument, StoreError, StoreResult};

/// Rows per statement for bulk market-data writes.
const CHUNK: usize = 10_000;

const INSTRUMENT_COLUMNS: &str = "id, symbol, name, sector, status";

fn instrument(row: &PgRow) -> StoreResult<Instrument> {
    let symbol: &str = row.try_get(1)?;
    let status: &str = row.try_get(4)?;
    Ok(Instrument {
        id: InstrumentId(row.try_get(0)?),
        symbol: Symbol::parse(symbol).map_err(|_| corrupt("symbol", symbol))?,
        name: row.try_get(2)?,
        sector: row.try_get(3)?,
        status: InstrumentStatus::parse(status).ok_or_else(|| corrupt("instrument status", status))?,
    })
}

/// Inserts or renames instruments in one statement; returns them in input order.
pub(crate) async fn upsert_instruments(pool: &PgPool, items: &[NewInstrument]) -> StoreResult<Vec<Instrument>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let keep = last_of_each(items, |i| i.symbol.clone());
    let rows: Vec<&NewInstrument> = keep.iter().filter_map(|&i| items.get(i)).collect();
    let symbols: Vec<&str> = rows.iter().map(|i| i.symbol.as_str()).collect();
    let names: Vec<&str> = rows.iter().map(|i| i.name.as_str()).collect();
    let sectors: Vec<&str> = rows.iter().map(|i| i.sector.as_str()).collect();
    let stored = sqlx::query(&format!(
        "INSERT INTO instruments (symbol, name, sector) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[]) \
         ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name, sector = EXCLUDED.sector \
         RETURNING {INSTRUMENT_COLUMNS}"
    ))
    .bind(&symbols)
    .bind(&names)
    .bind(&sectors)
    .fetch_all(pool)
    .await?;
    let mut by_symbol = HashMap::with_capacity(stored.len());
    for row in &stored {
        let i = instrument(row)?;
        by_symbol.insert(i.symbol.clone(), i);
    }
    items
        .iter()
        .map(|item| {
            by_symbol
                .get(&item.symbol)
                .cloned()
                .ok_or_else(|| StoreError::Backend(format!("upsert did not return {}", item.symbol)))
        })
        .collect()
}

/// The instrument master by symbol.
pub(crate) async fn instruments(pool: &PgPool) -> StoreResult<Vec<Instrument>> {
    let rows =
        sqlx::query(&format!("SELECT {INSTRUMENT_COLUMNS} FROM instruments ORDER BY symbol")).fetch_all(pool).await?;
    rows.iter().map(instrument).collect()
}

/// Sets an instrument's status; `NotFound` for an unknown symbol.
pub(crate) async fn set_instrument_status(pool: &PgPool, symbol: &Symbol, status: InstrumentStatus) -> StoreResult<()> {
    let done = sqlx::query("UPDATE instruments SET status = $1 WHERE symbol = $2")
        .bind(status.as_str())
        .bind(symbol.as_str())
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("instrument {symbol}")));
    }
    Ok(())
}

/// Inserts or replaces bars in one transaction; returns rows written.
pub(crate) async fn insert_bars(pool: &PgPool, bars: &[DailyBar]) -> StoreResult<u64> {
    let keep = last_of_each(bars, |b| (b.symbol.clone(), b.date));
    let mut tx = pool.begin().await?;
    for chunk in keep.chunks(CHUNK) {
        let rows: Vec<&DailyBar> = chunk.iter().filter_map(|&i| bars.get(i)).collect();
        let symbol: Vec<&str> = rows.iter().map(|b| b.symbol.as_str()).collect();
        let date: Vec<String> = rows.iter().map(|b| date_str(b.date)).collect();
        let open: Vec<i64> = rows.iter().map(|b| b.open.0).collect();
        let high: Vec<i64> = rows.iter().map(|b| b.high.0).collect();
        let low: Vec<i64> = rows.iter().map(|b| b.low.0).collect();
        let close: Vec<i64> = rows.iter().map(|b| b.close.0).collect();
        let volume: Vec<i64> = rows.iter().map(|b| b.volume).collect();
        sqlx::query(
            "INSERT INTO bars (symbol, date, open, high, low, close, volume) \
             SELECT * FROM UNNEST($1::text[], $2::text[]::date[], $3::bigint[], $4::bigint[], $5::bigint[], \
             $6::bigint[], $7::bigint[]) \
             ON CONFLICT (symbol, date) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, \
             low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume",
        )
        .bind(&symbol)
        .bind(&date)
        .bind(&open)
        .bind(&high)
        .bind(&low)
        .bind(&close)
        .bind(&volume)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(keep.len() as u64)
}

const BAR_COLUMNS: &str = "symbol, to_char(date, 'YYYY-MM-DD') AS date, open, high, low, close, volume";

/// Bars between two dates inclusive, by date then symbol.
pub(crate) async fn bars(
    pool: &PgPool,
    symbol: Option<&Symbol>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<DailyBar>> {
    let (from, to) = (date_str(from), date_str(to));
    let rows = match symbol {
        Some(s) => {
            sqlx::query(&format!(
                "SELECT {BAR_COLUMNS} FROM bars WHERE symbol = $1 AND date BETWEEN $2::date AND $3::date \
                 ORDER BY bars.date"
            ))
            .bind(s.as_str())
            .bind(&from)
            .bind(&to)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {BAR_COLUMNS} FROM bars WHERE date BETWEEN $1::date AND $2::date \
                 ORDER BY bars.date, bars.symbol"
            ))
            .bind(&from)
            .bind(&to)
            .fetch_all(pool)
            .await?
        }
    };
    let mut symbols = Symbols::default();
    rows.iter()
        .map(|row| {
            Ok(DailyBar {
                symbol: symbols.get(row.try_get(0)?)?,
                date: parse_date(row.try_get(1)?)?,
                open: Price(row.try_get(2)?),
                high: Price(row.try_get(3)?),
                low: Price(row.try_get(4)?),
                close: Price(row.try_get(5)?),
                volume: row.try_get(6)?,
            })
        })
        .collect()
}

/// First and last bar date.
pub(crate) async fn bar_date_range(pool: &PgPool) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
    let (first, last): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT to_char(MIN(date), 'YYYY-MM-DD'), to_char(MAX(date), 'YYYY-MM-DD') FROM bars")
            .fetch_one(pool)
            .await?;
    match (first, last) {
        (Some(a), Some(b)) => Ok(Some((parse_date(&a)?, parse_date(&b)?))),
        _ => Ok(None),
    }
}

/// Inserts corporate actions, ignoring ones already stored; returns rows written.
pub(crate) async fn insert_corporate_actions(pool: &PgPool, actions: &[CorporateAction]) -> StoreResult<u64> {
    let mut tx = pool.begin().await?;
    let mut written = 0;
    for chunk in actions.chunks(CHUNK) {
        let mut symbol = Vec::with_capacity(chunk.len());
        let mut date = Vec::with_capacity(chunk.len());
        let mut kind = Vec::with_capacity(chunk.len());
        let mut numerator = Vec::with_capacity(chunk.len());
        let mut denominator = Vec::with_capacity(chunk.len());
        let mut per_share = Vec::with_capacity(chunk.len());
        for a in chunk {
            let (k, n, d, p) = action_columns(&a.kind);
            symbol.push(a.symbol.as_str());
            date.push(date_str(a.date));
            kind.push(k);
            numerator.push(n);
            denominator.push(d);
            per_share.push(p);
        }
        written += sqlx::query(
            "INSERT INTO corporate_actions (symbol, date, kind, numerator, denominator, per_share) \
             SELECT * FROM UNNEST($1::text[], $2::text[]::date[], $3::text[], $4::bigint[], $5::bigint[], \
             $6::bigint[]) ON CONFLICT DO NOTHING",
        )
        .bind(&symbol)
        .bind(&date)
        .bind(&kind)
        .bind(&numerator)
        .bind(&denominator)
        .bind(&per_share)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(written)
}

/// Corporate actions between two dates inclusive, by date then symbol.
pub(crate) async fn corporate_actions(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<CorporateAction>> {
    let rows = sqlx::query(
        "SELECT symbol, to_char(date, 'YYYY-MM-DD'), kind, numerator, denominator, per_share FROM corporate_actions \
         WHERE date BETWEEN $1::date AND $2::date ORDER BY corporate_actions.date, symbol, kind",
    )
    .bind(date_str(from))
    .bind(date_str(to))
    .fetch_all(pool)
    .await?;
    let mut symbols = Symbols::default();
    rows.iter()
        .map(|row| {
            Ok(CorporateAction {
                symbol: symbols.get(row.try_get(0)?)?,
                date: parse_date(row.try_get(1)?)?,
                kind: action_from_columns(row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?)?,
            })
        })
        .collect()
}
