//! Instruments, bars and corporate actions on SQLite.

use bullpen_domain::{CorporateAction, DailyBar, Instrument, InstrumentId, InstrumentStatus, Price, Symbol};
use chrono::NaiveDate;
use rusqlite::{params, Connection, Row, TransactionBehavior};

use super::rows::{text, Symbols};
use crate::codec::{action_columns, action_from_columns, corrupt, date_str, parse_date};
use crate::dedupe::last_of_each;
use crate::{NewInstrument, StoreError, StoreResult};

const INSTRUMENT_COLUMNS: &str = "id, symbol, name, sector, status";

fn instrument(row: &Row<'_>) -> StoreResult<Instrument> {
    let symbol = text(row, 1)?;
    let status = text(row, 4)?;
    Ok(Instrument {
        id: InstrumentId(row.get(0)?),
        symbol: Symbol::parse(symbol).map_err(|_| corrupt("symbol", symbol))?,
        name: row.get(2)?,
        sector: row.get(3)?,
        status: InstrumentStatus::parse(status).ok_or_else(|| corrupt("instrument status", status))?,
    })
}

/// Inserts or renames instruments in one transaction; returns them in input order.
pub(crate) fn upsert_instruments(conn: &mut Connection, items: &[NewInstrument]) -> StoreResult<Vec<Instrument>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut out = Vec::with_capacity(items.len());
    {
        let mut st = tx.prepare_cached(&format!(
            "INSERT INTO instruments (symbol, name, sector, status) VALUES (?1, ?2, ?3, 'active') \
             ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, sector = excluded.sector \
             RETURNING {INSTRUMENT_COLUMNS}"
        ))?;
        for item in items {
            let mut rows = st.query(params![item.symbol.as_str(), item.name, item.sector])?;
            let row = rows.next()?.ok_or_else(|| StoreError::Backend("upsert returned no row".to_string()))?;
            out.push(instrument(row)?);
        }
    }
    // A symbol listed twice: every occurrence reports the final row.
    let finals: std::collections::HashMap<Symbol, Instrument> =
        out.iter().map(|i| (i.symbol.clone(), i.clone())).collect();
    for i in &mut out {
        if let Some(last) = finals.get(&i.symbol) {
            i.clone_from(last);
        }
    }
    tx.commit()?;
    Ok(out)
}

/// The instrument master by symbol.
pub(crate) fn instruments(conn: &Connection) -> StoreResult<Vec<Instrument>> {
    let mut st = conn.prepare_cached(&format!("SELECT {INSTRUMENT_COLUMNS} FROM instruments ORDER BY symbol"))?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(instrument(row)?);
    }
    Ok(out)
}

/// Sets an instrument's status; `NotFound` for an unknown symbol.
pub(crate) fn set_instrument_status(conn: &Connection, symbol: &Symbol, status: InstrumentStatus) -> StoreResult<()> {
    let n = conn
        .prepare_cached("UPDATE instruments SET status = ?1 WHERE symbol = ?2")?
        .execute(params![status.as_str(), symbol.as_str()])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("instrument {symbol}")));
    }
    Ok(())
}

/// Inserts or replaces bars in one transaction; returns rows written.
pub(crate) fn insert_bars(conn: &mut Connection, bars: &[DailyBar]) -> StoreResult<u64> {
    let keep = last_of_each(bars, |b| (b.symbol.clone(), b.date));
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO bars (symbol, date, open, high, low, close, volume) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (symbol, date) DO UPDATE SET open = excluded.open, high = excluded.high, \
             low = excluded.low, close = excluded.close, volume = excluded.volume",
        )?;
        for &i in &keep {
            if let Some(b) = bars.get(i) {
                st.execute(params![
                    b.symbol.as_str(),
                    date_str(b.date),
                    b.open.0,
                    b.high.0,
                    b.low.0,
                    b.close.0,
                    b.volume
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(keep.len() as u64)
}

/// Bars between two dates inclusive, by date then symbol.
pub(crate) fn bars(
    conn: &Connection,
    symbol: Option<&Symbol>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<DailyBar>> {
    const COLUMNS: &str = "symbol, date, open, high, low, close, volume";
    let (from, to) = (date_str(from), date_str(to));
    let mut st;
    let mut rows = match symbol {
        Some(s) => {
            st = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM bars WHERE symbol = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date"
            ))?;
            st.query(params![s.as_str(), from, to])?
        }
        None => {
            st = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM bars WHERE date BETWEEN ?1 AND ?2 ORDER BY date, symbol"
            ))?;
            st.query(params![from, to])?
        }
    };
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(DailyBar {
            symbol: symbols.get(text(row, 0)?)?,
            date: parse_date(text(row, 1)?)?,
            open: Price(row.get(2)?),
            high: Price(row.get(3)?),
            low: Price(row.get(4)?),
            close: Price(row.get(5)?),
            volume: row.get(6)?,
        });
    }
    Ok(out)
}

/// First and last bar date.
pub(crate) fn bar_date_range(conn: &Connection) -> StoreResult<Option<(NaiveDate, NaiveDate)>> {
    let (first, last): (Option<String>, Option<String>) =
        conn.prepare_cached("SELECT MIN(date), MAX(date) FROM bars")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match (first, last) {
        (Some(a), Some(b)) => Ok(Some((parse_date(&a)?, parse_date(&b)?))),
        _ => Ok(None),
    }
}

/// Inserts corporate actions, ignoring ones already stored; returns rows written.
pub(crate) fn insert_corporate_actions(conn: &mut Connection, actions: &[CorporateAction]) -> StoreResult<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut written = 0_u64;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO corporate_actions (symbol, date, kind, numerator, denominator, per_share) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )?;
        for a in actions {
            let (kind, numerator, denominator, per_share) = action_columns(&a.kind);
            written +=
                st.execute(params![a.symbol.as_str(), date_str(a.date), kind, numerator, denominator, per_share])?
                    as u64;
        }
    }
    tx.commit()?;
    Ok(written)
}

/// Corporate actions between two dates inclusive, by date then symbol.
pub(crate) fn corporate_actions(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<CorporateAction>> {
    let mut st = conn.prepare_cached(
        "SELECT symbol, date, kind, numerator, denominator, per_share FROM corporate_actions \
         WHERE date BETWEEN ?1 AND ?2 ORDER BY date, symbol, kind",
    )?;
    let mut rows = st.query(params![date_str(from), date_str(to)])?;
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(CorporateAction {
            symbol: symbols.get(text(row, 0)?)?,
            date: parse_date(text(row, 1)?)?,
            kind: action_from_columns(text(row, 2)?, row.get(3)?, row.get(4)?, row.get(5)?)?,
        });
    }
    Ok(out)
}
