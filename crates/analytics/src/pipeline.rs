//! The warehouse pipeline the server runs on a schedule: export the store's new rows into the
//! warehouse, and score the new trades there (two steps the server runs on separate
//! schedules); and the freshness lag between the store and the warehouse.
//!
//! A run that fails (the object store is down, the disk is full) changes nothing that the
//! next run cannot redo: the exporter and the scoring pass are both idempotent and resumable.

use std::sync::{Arc, Mutex};

use bullpen_store::Store;
use bullpen_warehouse::{ExportOptions, ExportReport, Exporter, FreshnessLag, Location, WarehouseResult};
use serde::Serialize;

use crate::error::AnalyticsError;
use crate::scoring::{run_scoring, ScoringReport};
use crate::source::StoreSource;

/// What one run of the pipeline did.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineRun {
    /// The export.
    pub export: ExportReport,
    /// The scoring of the trades it exported.
    pub scoring: ScoringReport,
}

/// The latest state of the pipeline, for operators and the dashboards' freshness note.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PipelineStatus {
    /// Steps (exports and scoring passes) that completed.
    pub runs: u64,
    /// Steps that failed.
    pub failures: u64,
    /// The last error, until a step succeeds.
    pub last_error: Option<String>,
    /// The lag as last measured.
    pub lag: Option<FreshnessLag>,
}

/// Export and scoring of one store into one warehouse.
pub struct Pipeline {
    exporter: Exporter,
    source: StoreSource,
    status: Mutex<PipelineStatus>,
}

impl Pipeline {
    /// Opens the warehouse at `location` as the export target of `store`.
    pub async fn open(store: Arc<dyn Store>, location: Location, options: ExportOptions) -> WarehouseResult<Pipeline> {
        let exporter = Exporter::open(location, Arc::new(StoreSource(Arc::clone(&store))), options).await?;
        Ok(Pipeline { exporter, source: StoreSource(store), status: Mutex::new(PipelineStatus::default()) })
    }

    /// The warehouse.
    pub fn location(&self) -> &Location {
        self.exporter.location()
    }

    /// Exports what is new, then scores the new trades.
    pub async fn run_once(&self) -> Result<PipelineRun, AnalyticsError> {
        let export = self.export_once().await?;
        let scoring = self.score_once().await?;
        Ok(PipelineRun { export, scoring })
    }

    /// Exports what is new in the store. The server runs this apart from scoring: a scoring
    /// pass over a large tournament takes minutes, and the warehouse must not fall behind the
    /// store while it runs.
    pub async fn export_once(&self) -> Result<ExportReport, AnalyticsError> {
        let outcome = self.exporter.run_once().await.map_err(AnalyticsError::from);
        self.record(&outcome, |s, export| s.lag = Some(export.lag));
        outcome
    }

    /// Scores the trades exported since the last pass.
    pub async fn score_once(&self) -> Result<ScoringReport, AnalyticsError> {
        let outcome = run_scoring(self.exporter.location()).await;
        self.record(&outcome, |_, _| {});
        outcome
    }

    fn record<T>(&self, outcome: &Result<T, AnalyticsError>, on_success: impl FnOnce(&mut PipelineStatus, &T)) {
        self.update(|s| match outcome {
            Ok(done) => {
                s.runs += 1;
                s.last_error = None;
                on_success(s, done);
            }
            Err(e) => {
                s.failures += 1;
                s.last_error = Some(e.to_string());
            }
        });
    }

    /// Measures how far the warehouse is behind the store now (between runs the lag grows
    /// as trading goes on; a metrics scrape wants today's figure, not the last run's).
    pub async fn measure_lag(&self) -> WarehouseResult<FreshnessLag> {
        let lag = bullpen_warehouse::freshness_lag(self.exporter.location(), &self.source).await?;
        self.update(|s| s.lag = Some(lag));
        Ok(lag)
    }

    /// The latest status.
    pub fn status(&self) -> PipelineStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut PipelineStatus)) {
        if let Ok(mut s) = self.status.lock() {
            change(&mut s);
        }
    }
}
