//! The incremental exporter: reads what changed in the store since the last checkpoint and
//! writes it as Parquet files, idempotently and resumably (see [`crate::checkpoint`]).
//!
//! Streams and their cursors:
//! - `seq/<t>`: a tournament's ledger, fills, round trips and order changes, by sequence number,
//!   in steps of at most [`ExportOptions::chunk_seq`] sequence numbers;
//! - `entries/<t>`: its entries, by entry id (read again only when the tournament's sequence
//!   high-water mark moved: every join writes a deposit);
//! - `snapshots/<t>`: its end-of-day snapshots, by date (a close writes a whole day at once);
//! - `traders`: users, by id.
//!
//! Dimension tables (instruments, tournaments, bars by year) are small or change in place: each
//! is rewritten as a whole when its fingerprint changes. CPU work (folding lots, building
//! batches, Parquet encoding) runs on tokio's blocking pool; nothing here starts a runtime.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex as StdMutex};

use bullpen_domain::{Entry, LedgerEntry, Order, TournamentId, UserId};
use chrono::NaiveDate;
use datafusion::arrow::array::RecordBatch;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::checkpoint::{Checkpoint, Pending};
use crate::encode::{self, date_days, days_date, is_fill, parquet_bytes, ts_date, RoundTripRow};
use crate::error::{WarehouseError, WarehouseResult};
use crate::location::Location;
use crate::lots::Lots;
use crate::pseudonym::Pseudonymizer;
use crate::schema::{part_path, PartitionKey, Table};
use crate::source::{SequenceHead, Source, SourceSnapshot};

/// Where an export may be stopped on purpose, to test recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// After a step's intent is in the checkpoint, before any of its files.
    AfterIntent,
    /// After a step's data files are durable, before its checkpoint commit.
    AfterFiles,
}

/// A crash injected into the `step`-th step (counting from 0) that writes files in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrashAt {
    /// Where in the step.
    pub point: CrashPoint,
    /// Which step of the run.
    pub step: u32,
}

impl CrashPoint {
    fn name(self) -> &'static str {
        match self {
            CrashPoint::AfterIntent => "after-intent",
            CrashPoint::AfterFiles => "after-files",
        }
    }
}

/// How an export runs.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Most sequence numbers one step covers (bounds memory).
    pub chunk_seq: i64,
    /// Salt of the pseudonyms as 64 hex digits; the warehouse's own when `None`.
    pub salt_hex: Option<String>,
    /// Stop with [`WarehouseError::Interrupted`] there (tests).
    pub crash_at: Option<CrashAt>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { chunk_seq: 500_000, salt_hex: None, crash_at: None }
    }
}

/// How far the warehouse is behind the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FreshnessLag {
    /// Sequence numbers committed in the store and not yet exported, summed over tournaments.
    pub seq_behind: i64,
    /// The largest gap, in seconds of data time, between a tournament's newest ledger entry in
    /// the store and its newest exported one (0 when everything is exported; `None` when a
    /// tournament has unexported changes and nothing exported to compare with).
    pub seconds_behind: Option<f64>,
}

/// The freshness lag as of the last export, for metrics: cheap to clone and to read.
#[derive(Debug, Clone, Default)]
pub struct LagGauge(Arc<StdMutex<Option<FreshnessLag>>>);

impl LagGauge {
    /// The lag measured at the end of the last successful export (`None` before the first).
    pub fn get(&self) -> Option<FreshnessLag> {
        self.0.lock().map(|g| *g).unwrap_or(None)
    }

    fn set(&self, lag: FreshnessLag) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(lag);
        }
    }
}

/// Rows and files one export wrote to a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    /// Rows written.
    pub rows: u64,
    /// Files written.
    pub files: u64,
}

/// What one export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    /// Per table (by name).
    pub tables: BTreeMap<String, TableCounts>,
    /// Lag after the export.
    pub lag: FreshnessLag,
    /// Steps that wrote files (each committed with its own checkpoint).
    pub steps: u32,
}

impl ExportReport {
    /// Rows written in all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|c| c.rows).sum()
    }

    fn add(&mut self, table: Table, rows: u64, files: u64) {
        let c = self.tables.entry(table.name().to_string()).or_default();
        c.rows += rows;
        c.files += files;
    }
}

/// One encoded file.
struct FileOut {
    table: Table,
    path: String,
    rows: u64,
    bytes: Vec<u8>,
}

/// One step of a stream, ready to commit.
struct Step {
    key: String,
    to: i64,
    files: Vec<FileOut>,
    state: Option<(String, Vec<u8>)>,
    last_ts: Option<i64>,
}

/// Exports a store into a warehouse. Run one exporter per warehouse at a time: on a local
/// directory a lock file enforces it; on an object store it is the operator's job.
pub struct Exporter {
    location: Location,
    source: Arc<dyn Source>,
    names: Pseudonymizer,
    options: ExportOptions,
    lag: LagGauge,
    /// Open lots per tournament, with the cursor they are folded up to (saves reading them back
    /// between runs of a long-lived exporter).
    lots: tokio::sync::Mutex<HashMap<TournamentId, (i64, Lots)>>,
    run: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter").field("location", &self.location).finish_non_exhaustive()
    }
}

fn seq_key(t: TournamentId) -> String {
    format!("seq/{}", t.0)
}

fn lots_path(t: TournamentId, to: i64) -> String {
    format!("_bullpen/lots/tournament_id={}/lots-{to:020}.parquet", t.0)
}

/// Groups items by a key, keeping their order.
fn group_by<'a, T, K: Ord>(items: impl Iterator<Item = &'a T>, key: impl Fn(&T) -> K) -> BTreeMap<K, Vec<&'a T>>
where
    T: 'a,
{
    let mut out: BTreeMap<K, Vec<&T>> = BTreeMap::new();
    for item in items {
        out.entry(key(item)).or_default().push(item);
    }
    out
}

fn encode_file(table: Table, path: String, batch: RecordBatch) -> WarehouseResult<FileOut> {
    let rows = batch.num_rows() as u64;
    Ok(FileOut { table, path, rows, bytes: parquet_bytes(&[batch])? })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Exporter {
    /// An exporter from `source` into `location` (creating the warehouse's salt if needed).
    pub async fn open(
        location: Location,
        source: Arc<dyn Source>,
        options: ExportOptions,
    ) -> WarehouseResult<Exporter> {
        let names = Pseudonymizer::load_or_create(&location, options.salt_hex.as_deref()).await?;
        Ok(Exporter {
            location,
            source,
            names,
            options,
            lag: LagGauge::default(),
            lots: tokio::sync::Mutex::new(HashMap::new()),
            run: tokio::sync::Mutex::new(()),
        })
    }

    /// The freshness lag as of the last export (share it with the metrics registry).
    pub fn lag_gauge(&self) -> LagGauge {
        self.lag.clone()
    }

    /// The warehouse.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Exports everything committed in the store and not yet in the warehouse.
    pub async fn run_once(&self) -> WarehouseResult<ExportReport> {
        let _one_at_a_time = self.run.lock().await;
        let _lock = self.location.lock_exclusive()?;
        let mut cp = Checkpoint::load(&self.location).await?;
        let mut report = ExportReport::default();
        self.export_dimensions(&mut cp, &mut report).await?;
        self.export_traders(&mut cp, &mut report).await?;
        let heads = self.source.sequence_heads().await?;
        for head in &heads {
            self.export_entries(head, &mut cp, &mut report).await?;
            self.export_sequence(head, &mut cp, &mut report).await?;
            self.export_snapshots(head.tournament_id, &mut cp, &mut report).await?;
        }
        cp.save(&self.location).await?;
        report.lag = lag_of(&heads, &cp);
        self.lag.set(report.lag);
        Ok(report)
    }

    fn crash_point(&self, step: u32, point: CrashPoint) -> WarehouseResult<()> {
        if self.options.crash_at == Some(CrashAt { point, step }) {
            return Err(WarehouseError::Interrupted(point.name()));
        }
        Ok(())
    }

    /// Writes files concurrently, then makes them durable.
    async fn write_files(&self, files: Vec<(String, Vec<u8>)>) -> WarehouseResult<()> {
        let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        futures_util::stream::iter(files.into_iter().map(|(path, bytes)| {
            let location = &self.location;
            async move { location.put(&path, bytes).await }
        }))
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
        self.location.sync(paths).await
    }

    /// Commits one step: intent, files, state, then the cursor (see [`crate::checkpoint`]).
    async fn commit(&self, cp: &mut Checkpoint, step: Step, report: &mut ExportReport) -> WarehouseResult<()> {
        let mut stream = cp.stream(&step.key);
        let previous = stream.pending.take().map(|p| p.files).unwrap_or_default();
        let names: Vec<String> = step.files.iter().map(|f| f.path.clone()).collect();
        let stale: Vec<String> = previous.into_iter().filter(|f| !names.contains(f)).collect();
        let writes = !names.is_empty() || !stale.is_empty() || step.state.is_some();
        let state_path = step.state.as_ref().map(|(p, _)| p.clone());
        if writes {
            let mut intent = names.clone();
            intent.extend(stale.iter().cloned());
            stream.pending = Some(Pending { to: step.to, files: intent });
            cp.streams.insert(step.key.clone(), stream.clone());
            cp.save(&self.location).await?;
            let step_number = report.steps;
            report.steps += 1;
            self.crash_point(step_number, CrashPoint::AfterIntent)?;
            for f in &step.files {
                report.add(f.table, f.rows, 1);
            }
            let mut files: Vec<(String, Vec<u8>)> = step.files.into_iter().map(|f| (f.path, f.bytes)).collect();
            if let Some(state) = step.state {
                files.push(state);
            }
            self.write_files(files).await?;
            self.crash_point(step_number, CrashPoint::AfterFiles)?;
            for f in &stale {
                self.location.delete(f).await?;
            }
        }
        stream.pending = None;
        stream.cursor = step.to;
        if let Some(path) = state_path {
            stream.state_file = Some(path);
        }
        if step.last_ts.is_some() {
            stream.last_ts = step.last_ts;
        }
        cp.streams.insert(step.key, stream);
        if writes {
            cp.save(&self.location).await?;
        }
        Ok(())
    }

    async fn export_dimensions(&self, cp: &mut Checkpoint, report: &mut ExportReport) -> WarehouseResult<()> {
        let mut changed = false;
        let instruments = self.source.instruments().await?;
        let tournaments = self.source.tournaments().await?;
        let dims: Vec<(String, Table, PartitionKey, RecordBatch)> = vec![
            ("instruments".into(), Table::Instruments, PartitionKey::None, encode::instruments(&instruments)?),
            ("tournaments".into(), Table::Tournaments, PartitionKey::None, encode::tournaments(&tournaments)?),
        ];
        for year in self.source.bar_years().await? {
            let key = format!("bars/{}", year.year);
            let fingerprint = format!("{}:{}", year.rows, year.checksum);
            if cp.dims.get(&key) == Some(&fingerprint) {
                continue;
            }
            let (Some(from), Some(to)) =
                (NaiveDate::from_ymd_opt(year.year, 1, 1), NaiveDate::from_ymd_opt(year.year, 12, 31))
            else {
                continue;
            };
            let bars = self.source.bars(from, to).await?;
            if bars.is_empty() {
                continue;
            }
            let batch = encode::bars(&bars)?;
            let path = part_path(Table::Bars, &PartitionKey::Year(year.year), 0, 0);
            let rows = batch.num_rows() as u64;
            let bytes = tokio::task::spawn_blocking(move || parquet_bytes(&[batch])).await??;
            self.write_files(vec![(path, bytes)]).await?;
            report.add(Table::Bars, rows, 1);
            cp.dims.insert(key, fingerprint);
            changed = true;
        }
        for (key, table, partition, batch) in dims {
            let rows = batch.num_rows() as u64;
            let bytes = parquet_bytes(&[batch])?;
            let fingerprint = sha256_hex(&bytes);
            if cp.dims.get(&key) == Some(&fingerprint) {
                continue;
            }
            self.write_files(vec![(part_path(table, &partition, 0, 0), bytes)]).await?;
            report.add(table, rows, 1);
            cp.dims.insert(key, fingerprint);
            changed = true;
        }
        if changed {
            cp.save(&self.location).await?;
        }
        Ok(())
    }

    async fn export_traders(&self, cp: &mut Checkpoint, report: &mut ExportReport) -> WarehouseResult<()> {
        const LIMIT: usize = 200_000;
        loop {
            let stream = cp.stream("traders");
            let mut users = self.source.users_after(UserId(stream.cursor), LIMIT).await?;
            if let Some(p) = &stream.pending {
                users.retain(|u| u.id.0 <= p.to);
            }
            let Some(to) = stream.pending.as_ref().map(|p| p.to).or_else(|| users.last().map(|u| u.id.0)) else {
                return Ok(());
            };
            let more = users.len() >= LIMIT || stream.pending.is_some();
            let files = if users.is_empty() {
                vec![]
            } else {
                let path = part_path(Table::Traders, &PartitionKey::None, stream.cursor, to);
                vec![encode_file(Table::Traders, path, encode::traders(&users, &self.names)?)?]
            };
            self.commit(cp, Step { key: "traders".into(), to, files, state: None, last_ts: None }, report).await?;
            if !more {
                return Ok(());
            }
        }
    }

    async fn export_entries(
        &self,
        head: &SequenceHead,
        cp: &mut Checkpoint,
        report: &mut ExportReport,
    ) -> WarehouseResult<()> {
        let t = head.tournament_id;
        let key = format!("entries/{}", t.0);
        loop {
            let stream = cp.stream(&key);
            if stream.pending.is_none() && stream.seen_head == head.last_seq {
                return Ok(());
            }
            let all = self.source.entries(t).await?;
            let upto = stream.pending.as_ref().map_or(i64::MAX, |p| p.to);
            let new: Vec<&Entry> = all.iter().filter(|e| e.id.0 > stream.cursor && e.id.0 <= upto).collect();
            let to = match (&stream.pending, new.last()) {
                (Some(p), _) => p.to,
                (None, Some(e)) => e.id.0,
                (None, None) => stream.cursor,
            };
            let files = if new.is_empty() {
                vec![]
            } else {
                let path = part_path(Table::Entries, &PartitionKey::Tournament(t.0), stream.cursor, to);
                vec![encode_file(Table::Entries, path, encode::entries(&new, &self.names)?)?]
            };
            self.commit(cp, Step { key: key.clone(), to, files, state: None, last_ts: None }, report).await?;
            // A redone step covered only what the interrupted run saw: go on from there.
            if stream.pending.is_none() {
                if let Some(s) = cp.streams.get_mut(&key) {
                    s.seen_head = head.last_seq;
                }
                return Ok(());
            }
        }
    }

    /// The open lots of `t` folded up to `cursor`: from memory, from the state file, or (when
    /// that is missing) by folding the tournament's ledger again.
    async fn lots_at(&self, t: TournamentId, cursor: i64, state_file: Option<&str>) -> WarehouseResult<Lots> {
        if let Some((at, lots)) = self.lots.lock().await.remove(&t) {
            if at == cursor {
                return Ok(lots);
            }
        }
        if cursor == 0 {
            return Ok(Lots::default());
        }
        if let Some(path) = state_file {
            if let Some(bytes) = self.location.get(path).await? {
                return tokio::task::spawn_blocking(move || Lots::decode(bytes)).await?;
            }
            tracing::warn!(tournament = t.0, "open lots state missing; folding the ledger again");
        }
        let mut lots = Lots::default();
        let mut at = 0;
        while at < cursor {
            let to = cursor.min(at.saturating_add(self.options.chunk_seq.max(1)));
            let ledger = self.source.ledger(t, at, to).await?;
            lots.apply(&ledger)?;
            at = to;
        }
        Ok(lots)
    }

    async fn export_sequence(
        &self,
        head: &SequenceHead,
        cp: &mut Checkpoint,
        report: &mut ExportReport,
    ) -> WarehouseResult<()> {
        let t = head.tournament_id;
        let key = seq_key(t);
        loop {
            let stream = cp.stream(&key);
            let from = stream.cursor;
            let to = match &stream.pending {
                Some(p) => p.to,
                None => head.last_seq.min(from.saturating_add(self.options.chunk_seq.max(1))),
            };
            if to <= from && stream.pending.is_none() {
                return Ok(());
            }
            let lots = self.lots_at(t, from, stream.state_file.as_deref()).await?;
            let (ledger, orders) =
                tokio::try_join!(self.source.ledger(t, from, to), self.source.orders_changed(t, from, to))?;
            let last_ts = ledger.last().map(|l| l.ts.0);
            let has_ledger = !ledger.is_empty();
            let (files, lots) =
                tokio::task::spawn_blocking(move || encode_sequence(t, from, to, &ledger, &orders, lots)).await??;
            let state = if has_ledger {
                let path = lots_path(t, to);
                let bytes = {
                    let lots = lots.clone();
                    tokio::task::spawn_blocking(move || lots.encode()).await??
                };
                Some((path, bytes))
            } else {
                None
            };
            let new_state = state.as_ref().map(|(p, _)| p.clone());
            let old_state = stream.state_file.clone();
            self.commit(cp, Step { key: key.clone(), to, files, state, last_ts }, report).await?;
            if let Some(path) = new_state {
                // The checkpoint names the new state now; the old file is garbage.
                if let Some(old) = old_state.filter(|old| *old != path) {
                    self.location.delete(&old).await?;
                }
            }
            self.lots.lock().await.insert(t, (to, lots));
            if to >= head.last_seq {
                return Ok(());
            }
        }
    }

    async fn export_snapshots(
        &self,
        t: TournamentId,
        cp: &mut Checkpoint,
        report: &mut ExportReport,
    ) -> WarehouseResult<()> {
        let key = format!("snapshots/{}", t.0);
        loop {
            let stream = cp.stream(&key);
            let after = (stream.cursor > 0).then(|| days_date(stream.cursor));
            let mut rows = self.source.equity_snapshots_after(t, after).await?;
            if let Some(p) = &stream.pending {
                rows.retain(|s| i64::from(date_days(s.date)) <= p.to);
            }
            let to = match (&stream.pending, rows.iter().map(|s| s.date).max()) {
                (Some(p), _) => p.to,
                (None, Some(d)) => i64::from(date_days(d)),
                (None, None) => return Ok(()),
            };
            let from = stream.cursor;
            let files = tokio::task::spawn_blocking(move || -> WarehouseResult<Vec<FileOut>> {
                let mut files = Vec::new();
                for (date, part) in group_by(rows.iter(), |s: &SourceSnapshot| s.date) {
                    let pk = PartitionKey::TournamentDate(t.0, date);
                    let path = part_path(Table::EquitySnapshots, &pk, from, to);
                    files.push(encode_file(Table::EquitySnapshots, path, encode::equity_snapshots(&part)?)?);
                }
                Ok(files)
            })
            .await??;
            self.commit(cp, Step { key: key.clone(), to, files, state: None, last_ts: None }, report).await?;
            // A redone step covered only what the interrupted run saw: go on from there.
            if stream.pending.is_none() {
                return Ok(());
            }
        }
    }
}

/// Folds the lots and encodes one sequence step's files (ledger, fills, round trips, orders),
/// on two threads. Rows inside a file are sorted by entry, so one trader's rows sit together
/// and the page index lets a per-trader query skip the rest.
fn encode_sequence(
    t: TournamentId,
    from: i64,
    to: i64,
    ledger: &[LedgerEntry],
    orders: &[Order],
    mut lots: Lots,
) -> WarehouseResult<(Vec<FileOut>, Lots)> {
    let trips = lots.apply(ledger)?;
    let pk = |d: NaiveDate| PartitionKey::TournamentDate(t.0, d);
    let ledger_files = || -> WarehouseResult<Vec<FileOut>> {
        let mut files = Vec::new();
        for (date, mut part) in group_by(ledger.iter(), |l: &LedgerEntry| ts_date(l.ts)) {
            part.sort_by_key(|l| (l.entry_id, l.seq));
            let path = part_path(Table::Ledger, &pk(date), from, to);
            files.push(encode_file(Table::Ledger, path, encode::ledger(&part)?)?);
            let fills: Vec<&LedgerEntry> = part.into_iter().filter(|l| is_fill(l)).collect();
            if !fills.is_empty() {
                let path = part_path(Table::Fills, &pk(date), from, to);
                files.push(encode_file(Table::Fills, path, encode::fills(&fills)?)?);
            }
        }
        Ok(files)
    };
    let other_files = || -> WarehouseResult<Vec<FileOut>> {
        let mut files = Vec::new();
        for (date, mut part) in group_by(trips.iter(), |r: &RoundTripRow| ts_date(r.trip.closed_at)) {
            part.sort_by_key(|r| (r.trip.entry_id, r.close_seq, r.piece));
            let path = part_path(Table::RoundTrips, &pk(date), from, to);
            files.push(encode_file(Table::RoundTrips, path, encode::round_trips(&part)?)?);
        }
        for (date, mut part) in group_by(orders.iter(), |o: &Order| ts_date(o.created_at)) {
            part.sort_by_key(|o| (o.entry_id, o.id, o.seq));
            let path = part_path(Table::Orders, &pk(date), from, to);
            files.push(encode_file(Table::Orders, path, encode::orders(&part)?)?);
        }
        Ok(files)
    };
    let (ledger_result, others) = std::thread::scope(|scope| {
        let handle = scope.spawn(ledger_files);
        let others = other_files();
        let ledger = handle.join().unwrap_or_else(|_| Err(WarehouseError::Data("an encoding thread failed".into())));
        (ledger, others)
    });
    let mut files = ledger_result?;
    files.extend(others?);
    Ok((files, lots))
}

fn lag_of(heads: &[SequenceHead], cp: &Checkpoint) -> FreshnessLag {
    let mut lag = FreshnessLag { seq_behind: 0, seconds_behind: Some(0.0) };
    for head in heads {
        let stream = cp.stream(&seq_key(head.tournament_id));
        let behind = (head.last_seq - stream.cursor).max(0);
        lag.seq_behind += behind;
        if behind == 0 {
            continue;
        }
        let seconds = match (head.last_ts, stream.last_ts) {
            (Some(store), Some(exported)) => Some((store.0 - exported).max(0) as f64 / 1e6),
            _ => None,
        };
        lag.seconds_behind = match (lag.seconds_behind, seconds) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    lag
}

/// The freshness lag of a warehouse against its source, measured now (for a metrics endpoint
/// that has no exporter of its own).
pub async fn freshness_lag(location: &Location, source: &dyn Source) -> WarehouseResult<FreshnessLag> {
    let cp = Checkpoint::load(location).await?;
    let heads = source.sequence_heads().await?;
    Ok(lag_of(&heads, &cp))
}
