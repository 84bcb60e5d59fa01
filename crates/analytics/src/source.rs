//! The store as the warehouse's [`Source`]: the only place analytics reads production data,
//! and only to export it.

use std::sync::Arc;

use async_trait::async_trait;
use bullpen_domain::{DailyBar, Entry, Instrument, LedgerEntry, Order, Tournament, TournamentId, UserId};
use bullpen_store::{Store, StoreError};
use bullpen_warehouse::{BarYear, SequenceHead, Source, SourceSnapshot, SourceUser, WarehouseError, WarehouseResult};
use chrono::NaiveDate;

/// The store as the warehouse's [`Source`].
pub struct StoreSource(pub Arc<dyn Store>);

fn source_err(e: StoreError) -> WarehouseError {
    WarehouseError::Source(e.to_string())
}

#[async_trait]
impl Source for StoreSource {
    async fn sequence_heads(&self) -> WarehouseResult<Vec<SequenceHead>> {
        let heads = self.0.sequence_heads().await.map_err(source_err)?;
        Ok(heads
            .into_iter()
            .map(|h| SequenceHead { tournament_id: h.tournament_id, last_seq: h.last_seq, last_ts: h.last_ts })
            .collect())
    }

    async fn instruments(&self) -> WarehouseResult<Vec<Instrument>> {
        self.0.instruments().await.map_err(source_err)
    }

    async fn tournaments(&self) -> WarehouseResult<Vec<Tournament>> {
        self.0.tournaments().await.map_err(source_err)
    }

    async fn bar_years(&self) -> WarehouseResult<Vec<BarYear>> {
        let years = self.0.bar_fingerprints().await.map_err(source_err)?;
        Ok(years.into_iter().map(|y| BarYear { year: y.year, rows: y.rows, checksum: y.checksum }).collect())
    }

    async fn bars(&self, from: NaiveDate, to: NaiveDate) -> WarehouseResult<Vec<DailyBar>> {
        self.0.bars(None, from, to).await.map_err(source_err)
    }

    async fn users_after(&self, after: UserId, limit: usize) -> WarehouseResult<Vec<SourceUser>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let users = self.0.users_after(after, limit).await.map_err(source_err)?;
        Ok(users.into_iter().map(|u| SourceUser { id: u.id, is_bot: u.is_bot, created_at: u.created_at }).collect())
    }

    async fn entries(&self, tournament: TournamentId) -> WarehouseResult<Vec<Entry>> {
        self.0.entries(tournament).await.map_err(source_err)
    }

    async fn ledger(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<LedgerEntry>> {
        if upto <= after {
            return Ok(Vec::new());
        }
        // Sequence numbers are unique, so the range holds at most `upto - after` entries.
        let mut rows = self.0.ledger(tournament, None, after, upto - after).await.map_err(source_err)?;
        rows.retain(|l| l.seq <= upto);
        Ok(rows)
    }

    async fn orders_changed(&self, tournament: TournamentId, after: i64, upto: i64) -> WarehouseResult<Vec<Order>> {
        self.0.orders_changed(tournament, after, upto).await.map_err(source_err)
    }

    async fn equity_snapshots_after(
        &self,
        tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> WarehouseResult<Vec<SourceSnapshot>> {
        let rows = self.0.equity_snapshots_after(tournament, after).await.map_err(source_err)?;
        Ok(rows
            .into_iter()
            .map(|s| SourceSnapshot {
                entry_id: s.entry_id,
                date: s.date,
                equity: s.equity,
                cash: s.cash,
                low_equity: s.low_equity,
                traded: s.traded,
            })
            .collect())
    }
}
