//! Round trips computed while exporting: every ledger entry is folded into its account's
//! [`Portfolio`] (the domain's FIFO lots), which yields the round trips closing fills make.
//!
//! Between runs only the open lots are kept (a small Parquet file under `_bullpen/lots/`), since
//! that is all later fills can close. Cash is not kept: before each entry is applied the
//! portfolio's cash is set from the entry's own stored balance, so the domain's balance check
//! compares positions (lots against `qty_after`) and cash trivially.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use bullpen_domain::{EntryId, LedgerEntry, Lot, Money, OrderId, Portfolio, Position, Price, Qty, Symbol, Ts};
use datafusion::arrow::array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::encode::{parquet_bytes, RoundTripRow};
use crate::error::{WarehouseError, WarehouseResult};

/// The accounts of one tournament, folded up to some sequence number.
#[derive(Debug, Default, Clone)]
pub struct Lots {
    accounts: HashMap<EntryId, Portfolio>,
}

impl Lots {
    /// Folds ledger entries (in sequence order) and returns the round trips they close.
    pub fn apply(&mut self, ledger: &[LedgerEntry]) -> WarehouseResult<Vec<RoundTripRow>> {
        let mut out = Vec::new();
        for e in ledger {
            let p = self.accounts.entry(e.entry_id).or_insert_with(|| Portfolio::new(e.entry_id));
            p.cash = e.cash_after.checked_sub(e.cash_delta).ok_or_else(|| {
                WarehouseError::Data(format!("ledger seq {} of entry {}: cash out of range", e.seq, e.entry_id))
            })?;
            let trips = p
                .apply(e)
                .map_err(|err| WarehouseError::Data(format!("ledger of entry {} does not fold: {err}", e.entry_id)))?;
            for (i, trip) in trips.into_iter().enumerate() {
                out.push(RoundTripRow { close_seq: e.seq, piece: i32::try_from(i).unwrap_or(i32::MAX), trip });
            }
        }
        Ok(out)
    }

    /// Number of open lots.
    pub fn open_lots(&self) -> usize {
        self.accounts.values().flat_map(|p| p.positions.values()).map(|pos| pos.lots.len()).sum()
    }

    fn schema() -> Arc<Schema> {
        let f = |name: &str, ty: DataType, nullable: bool| Field::new(name, ty, nullable);
        Arc::new(Schema::new(vec![
            f("entry_id", DataType::Int64, false),
            f("symbol", DataType::Utf8, false),
            f("qty", DataType::Int64, false),
            f("price", DataType::Int64, false),
            f("opened_at", DataType::Int64, false),
            f("order_id", DataType::Int64, true),
            f("entry_fee", DataType::Int64, false),
        ]))
    }

    /// The open lots as a Parquet file (entries by id, lots oldest first).
    pub fn encode(&self) -> WarehouseResult<Vec<u8>> {
        let mut ids: Vec<&EntryId> = self.accounts.keys().collect();
        ids.sort_unstable();
        let mut rows: Vec<(EntryId, &Symbol, &Lot)> = Vec::new();
        for id in ids {
            if let Some(p) = self.accounts.get(id) {
                for (symbol, position) in &p.positions {
                    rows.extend(position.lots.iter().map(|lot| (*id, symbol, lot)));
                }
            }
        }
        let i64s = |v: Vec<i64>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
        let columns: Vec<ArrayRef> = vec![
            i64s(rows.iter().map(|r| r.0 .0).collect()),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1.as_str()))),
            i64s(rows.iter().map(|r| r.2.qty.0).collect()),
            i64s(rows.iter().map(|r| r.2.price.0).collect()),
            i64s(rows.iter().map(|r| r.2.opened_at.0).collect()),
            Arc::new(rows.iter().map(|r| r.2.order_id.map(|o| o.0)).collect::<Int64Array>()),
            i64s(rows.iter().map(|r| r.2.entry_fee.0).collect()),
        ];
        parquet_bytes(&[RecordBatch::try_new(Lots::schema(), columns)?])
    }

    /// Reads open lots written by [`Lots::encode`].
    pub fn decode(bytes: Vec<u8>) -> WarehouseResult<Lots> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?.build()?;
        let mut positions: HashMap<EntryId, BTreeMap<Symbol, Position>> = HashMap::new();
        for b in reader {
            let b = b?;
            let col = |i: usize| -> WarehouseResult<&Int64Array> {
                b.column(i)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .ok_or_else(|| WarehouseError::Corrupt(format!("open lots: column {i} is not Int64")))
            };
            let symbols = b
                .column(1)
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| WarehouseError::Corrupt("open lots: symbol column is not text".into()))?;
            let (entry, qty, price, opened, order, fee) = (col(0)?, col(2)?, col(3)?, col(4)?, col(5)?, col(6)?);
            for i in 0..b.num_rows() {
                let symbol = Symbol::parse(symbols.value(i))
                    .map_err(|e| WarehouseError::Corrupt(format!("open lots: bad symbol: {e}")))?;
                let lot = Lot {
                    qty: Qty(qty.value(i)),
                    price: Price(price.value(i)),
                    opened_at: Ts(opened.value(i)),
                    order_id: (!order.is_null(i)).then(|| OrderId(order.value(i))),
                    entry_fee: Money(fee.value(i)),
                };
                let position = positions
                    .entry(EntryId(entry.value(i)))
                    .or_default()
                    .entry(symbol.clone())
                    .or_insert(Position { symbol, qty: Qty::ZERO, lots: VecDeque::new(), realized_pnl: Money::ZERO });
                position.qty = Qty(position.qty.0.saturating_add(lot.qty.0));
                position.lots.push_back(lot);
            }
        }
        let accounts = positions
            .into_iter()
            .map(|(id, positions)| {
                let mut p = Portfolio::new(id);
                p.positions = positions;
                (id, p)
            })
            .collect();
        Ok(Lots { accounts })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use bullpen_domain::{deposit_entry, trade_entry, TournamentId};

    #[test]
    fn round_trips_survive_a_save_and_load_of_open_lots() {
        let t = TournamentId(1);
        let e = EntryId::compose(t, 1);
        let aapl = Symbol::parse("AAPL").unwrap();
        let mut p = Portfolio::new(e);
        let mut ledger = Vec::new();
        let mut push = |p: &mut Portfolio, entry: LedgerEntry| {
            p.apply(&entry).unwrap();
            ledger.push(entry);
        };
        let d = deposit_entry(&p, 1, t, Ts(1), Money::from_dollars(10_000));
        push(&mut p, d);
        let buy =
            trade_entry(&p, 2, t, Ts(2), OrderId::compose(t, 1), &aapl, Qty(10), Price::from_dollars(100), Money::ZERO);
        push(&mut p, buy);
        let buy =
            trade_entry(&p, 3, t, Ts(3), OrderId::compose(t, 2), &aapl, Qty(10), Price::from_dollars(110), Money::ZERO);
        push(&mut p, buy);
        let sell = trade_entry(
            &p,
            4,
            t,
            Ts(4),
            OrderId::compose(t, 3),
            &aapl,
            Qty(-15),
            Price::from_dollars(120),
            Money::from_cents(100),
        );
        push(&mut p, sell);

        // All at once.
        let mut whole = Lots::default();
        let all = whole.apply(&ledger).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].close_seq, all[0].piece, all[1].piece), (4, 0, 1));
        assert_eq!(all[0].trip.qty, Qty(10));
        assert_eq!(all[1].trip.qty, Qty(5));

        // In two runs with a save in between.
        let mut first = Lots::default();
        assert!(first.apply(&ledger[..3]).unwrap().is_empty());
        let mut second = Lots::decode(first.encode().unwrap()).unwrap();
        assert_eq!(second.open_lots(), 2);
        assert_eq!(second.apply(&ledger[3..]).unwrap(), all);
        assert_eq!(second.open_lots(), 1);
    }
}
