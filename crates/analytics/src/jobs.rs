//! Reports at will as asynchronous jobs: a request is validated, recorded in the output
//! directory, and built on the tokio runtime (at most [`CONCURRENT_JOBS`] at once, so reports
//! never starve the server) while callers poll its status and progress; the finished file stays
//! in the output directory. [`build_report`] is the same work, synchronous, for the CLI.
//!
//! On disk, in `output_dir`: `<id>.json` (the job's [`JobStatus`], rewritten atomically on each
//! change of state) and `<id>.<extension>` (the report, written before the job is marked done).
//! [`ReportJobs::open`] reloads them; a job left queued or running by a crash becomes failed
//! ("interrupted"). Authorisation is the caller's business (the web layer checks
//! `requested_by` and roles).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::session::{register, session_config};
use bullpen_warehouse::Location;
use chrono::{DateTime, NaiveDate, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::error::AnalyticsError;
use crate::report::{self, Report, Window};

/// Reports built at the same time, at most.
pub const CONCURRENT_JOBS: usize = 1;

/// A job's id: 128 random bits as 32 lowercase hex digits (unguessable, so a link to a report
/// is not enumerable).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(pub String);

impl JobId {
    /// A fresh random id.
    pub fn random() -> JobId {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        JobId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl FromStr for JobId {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<JobId, AnalyticsError> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(JobId(s.to_string()))
        } else {
            Err(AnalyticsError::Invalid(format!("`{s}` is not a report job id (32 lowercase hex digits)")))
        }
    }
}

impl TryFrom<String> for JobId {
    type Error = AnalyticsError;

    fn try_from(s: String) -> Result<JobId, AnalyticsError> {
        s.parse()
    }
}

impl From<JobId> for String {
    fn from(id: JobId) -> String {
        id.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportScope {
    /// One entry of a tournament.
    Entry {
        /// The tournament.
        tournament_id: i64,
        /// The entry.
        entry_id: i64,
    },
    /// A whole tournament (coaches and admins).
    Tournament {
        /// The tournament.
        tournament_id: i64,
    },
}

/// The file format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// PDF with embedded fonts.
    Pdf,
    /// One CSV with a `section` column.
    Csv,
    /// A self-contained HTML page.
    Html,
    /// The report model as JSON.
    Json,
}

impl ReportFormat {
    /// Every format.
    pub const ALL: [ReportFormat; 4] = [ReportFormat::Pdf, ReportFormat::Csv, ReportFormat::Html, ReportFormat::Json];

    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Json => "application/json",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Csv => "csv",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }
}

impl FromStr for ReportFormat {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<ReportFormat, AnalyticsError> {
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| AnalyticsError::Invalid(format!("unknown report format `{s}`: one of pdf, csv, html, json")))
    }
}

/// A request for a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// An entry or a whole tournament.
    pub scope: ReportScope,
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// File format.
    pub format: ReportFormat,
    /// The user who asked (for the web layer's authorisation and listing).
    pub requested_by: i64,
}

impl ReportRequest {
    /// The request's window, or why it is invalid.
    pub fn window(&self) -> Result<Window, AnalyticsError> {
        Window::new(self.from, self.to)
    }

    /// The report's file name, e.g. `bullpen-entry-4294967297-2024-01-02-2024-03-28.pdf`.
    pub fn file_name(&self) -> String {
        let what = match self.scope {
            ReportScope::Entry { entry_id, .. } => format!("entry-{entry_id}"),
            ReportScope::Tournament { tournament_id } => format!("tournament-{tournament_id}"),
        };
        format!("bullpen-{what}-{}-{}.{}", self.from, self.to, self.format.extension())
    }
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a slot.
    Queued,
    /// Being built.
    Running,
    /// Finished; the file is ready.
    Done,
    /// Stopped with an error (see [`JobStatus::error`]).
    Failed,
}

/// A job as callers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobStatus {
    /// Id.
    pub id: JobId,
    /// What was asked for.
    pub request: ReportRequest,
    /// Where it is.
    pub state: JobState,
    /// 0 to 100.
    pub progress_percent: u8,
    /// What it is doing, in words.
    pub stage: String,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it finished (done or failed).
    pub finished_at: Option<DateTime<Utc>>,
}

/// A finished report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The injected clock.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

struct Inner {
    location: Location,
    output_dir: PathBuf,
    clock: Clock,
    jobs: Mutex<HashMap<JobId, JobStatus>>,
    slots: Semaphore,
}

/// The report jobs of one server: cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct ReportJobs {
    inner: Arc<Inner>,
}

impl fmt::Debug for ReportJobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportJobs").field("output_dir", &self.inner.output_dir).finish_non_exhaustive()
    }
}

fn status_path(dir: &Path, id: &JobId) -> PathBuf {
    dir.join(format!("{id}.json"))
}

fn output_path(dir: &Path, id: &JobId, format: ReportFormat) -> PathBuf {
    dir.join(format!("{id}.{}", format.extension()))
}

/// Writes `bytes` to `path` atomically (a temporary file renamed over it).
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn save(dir: &Path, status: &JobStatus) -> Result<(), AnalyticsError> {
    let json = serde_json::to_vec_pretty(status).map_err(|e| AnalyticsError::Render(e.to_string()))?;
    write_atomic(&status_path(dir, &status.id), &json)?;
    Ok(())
}

impl Inner {
    fn jobs(&self) -> MutexGuard<'_, HashMap<JobId, JobStatus>> {
        // A poisoned lock only means another thread panicked mid-update of a status record;
        // the map itself is still consistent, so keep serving it.
        self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies `change` to the job and returns the new status.
    fn update(&self, id: &JobId, change: impl FnOnce(&mut JobStatus)) -> Option<JobStatus> {
        let mut jobs = self.jobs();
        let status = jobs.get_mut(id)?;
        change(status);
        Some(status.clone())
    }

    fn persist(&self, status: &JobStatus) {
        if let Err(e) = save(&self.output_dir, status) {
            tracing::warn!(job = %status.id, error = %e, "cannot record the report job's status");
        }
    }

    async fn run(self: Arc<Inner>, id: JobId, request: ReportRequest) {
        let Ok(_slot) = self.slots.acquire().await else { return };
        if let Some(s) = self.update(&id, |s| {
            s.state = JobState::Running;
            s.stage = "starting".into();
        }) {
            self.persist(&s);
        }
        let progress_inner = Arc::clone(&self);
        let progress_id = id.clone();
        let progress = move |percent: u8, stage: &str| {
            progress_inner.update(&progress_id, |s| {
                s.progress_percent = percent.min(99);
                s.stage = stage.to_string();
            });
        };
        let result = match build_report(&self.location, &request, &progress).await {
            Ok(file) => std::fs::write(output_path(&self.output_dir, &id, request.format), &file.bytes)
                .map_err(AnalyticsError::from),
            Err(e) => Err(e),
        };
        let finished = (self.clock)();
        if let Some(s) = self.update(&id, |s| {
            s.finished_at = Some(finished);
            match &result {
                Ok(()) => {
                    s.state = JobState::Done;
                    s.progress_percent = 100;
                    s.stage = "done".into();
                }
                Err(e) => {
                    s.state = JobState::Failed;
                    s.stage = "failed".into();
                    s.error = Some(e.to_string());
                }
            }
        }) {
            self.persist(&s);
        }
    }
}

impl ReportJobs {
    /// Opens the jobs of `output_dir` (created if missing): finished jobs are reloaded, jobs left
    /// queued or running by a crash become failed ("interrupted").
    pub fn open(location: Location, output_dir: PathBuf, clock: Clock) -> Result<ReportJobs, AnalyticsError> {
        std::fs::create_dir_all(&output_dir)?;
        let mut jobs = HashMap::new();
        for entry in std::fs::read_dir(&output_dir)? {
            let path = entry?.path();
            let is_status = path.extension().is_some_and(|e| e == "json")
                && path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s.parse::<JobId>().is_ok());
            if !is_status {
                continue;
            }
            let status: JobStatus = match std::fs::read(&path).map(|b| serde_json::from_slice(&b)) {
                Ok(Ok(status)) => status,
                _ => {
                    tracing::warn!(path = %path.display(), "skipping an unreadable report job record");
                    continue;
                }
            };
            let status = if matches!(status.state, JobState::Queued | JobState::Running) {
                let failed = JobStatus {
                    state: JobState::Failed,
                    stage: "failed".into(),
                    error: Some("interrupted".into()),
                    finished_at: Some(clock()),
                    ..status
                };
                save(&output_dir, &failed)?;
                failed
            } else {
                status
            };
            jobs.insert(status.id.clone(), status);
        }
        Ok(ReportJobs {
            inner: Arc::new(Inner {
                location,
                output_dir,
                clock,
                jobs: Mutex::new(jobs),
                slots: Semaphore::new(CONCURRENT_JOBS),
            }),
        })
    }

    /// Validates the request, records the job and starts it on the tokio runtime; returns at
    /// once with the queued job.
    pub async fn submit(&self, request: ReportRequest) -> Result<JobStatus, AnalyticsError> {
        request.window()?;
        let status = JobStatus {
            id: JobId::random(),
            request: request.clone(),
            state: JobState::Queued,
            progress_percent: 0,
            stage: "queued".into(),
            error: None,
            created_at: (self.inner.clock)(),
            finished_at: None,
        };
        save(&self.inner.output_dir, &status)?;
        self.inner.jobs().insert(status.id.clone(), status.clone());
        tokio::spawn(Arc::clone(&self.inner).run(status.id.clone(), request));
        Ok(status)
    }

    /// A job's status.
    pub async fn status(&self, id: JobId) -> Option<JobStatus> {
        self.inner.jobs().get(&id).cloned()
    }

    /// The jobs `user_id` asked for, newest first.
    pub async fn list_for_user(&self, user_id: i64) -> Vec<JobStatus> {
        let mut out: Vec<JobStatus> =
            self.inner.jobs().values().filter(|s| s.request.requested_by == user_id).cloned().collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        out
    }

    /// The finished report; `None` until the job is done. An unknown id is `NotFound`.
    pub async fn output(&self, id: JobId) -> Result<Option<ReportFile>, AnalyticsError> {
        let Some(status) = self.status(id.clone()).await else {
            return Err(AnalyticsError::NotFound(format!("report job {id}")));
        };
        if status.state != JobState::Done {
            return Ok(None);
        }
        let format = status.request.format;
        let bytes = tokio::fs::read(output_path(&self.inner.output_dir, &id, format)).await?;
        Ok(Some(ReportFile { file_name: status.request.file_name(), content_type: format.content_type(), bytes }))
    }
}

/// Builds a report: opens a warehouse session, computes the model, renders it. The path used
/// by the CLI and by jobs.
pub async fn build_report(
    location: &Location,
    request: &ReportRequest,
    progress: &(dyn Fn(u8, &str) + Send + Sync),
) -> Result<ReportFile, AnalyticsError> {
    let window = request.window()?;
    progress(2, "opening the warehouse");
    let ctx = report_session(location).await?;
    let report = match request.scope {
        ReportScope::Entry { tournament_id, entry_id } => {
            Report::Entry(Box::new(report::entry_report(&ctx, tournament_id, entry_id, window, progress).await?))
        }
        ReportScope::Tournament { tournament_id } => {
            Report::Tournament(Box::new(report::tournament_report(&ctx, tournament_id, window, progress).await?))
        }
    };
    progress(85, "rendering");
    let bytes = render(&report, request.format).await?;
    progress(100, "done");
    Ok(ReportFile { file_name: request.file_name(), content_type: request.format.content_type(), bytes })
}

/// A warehouse session for one report: the warehouse's settings (filters inside the Parquet
/// scan, page index) without collecting every file's statistics when a query is planned — a
/// report's queries each read one entry's pages or a few partitions, and the per-file footers
/// are read (and pruned on) by the scan anyway.
async fn report_session(location: &Location) -> Result<SessionContext, AnalyticsError> {
    let mut config = session_config();
    config.options_mut().execution.collect_statistics = false;
    let ctx = SessionContext::new_with_config(config);
    register(&ctx, location).await?;
    Ok(ctx)
}

/// Renders a report model in a format (PDF on a blocking thread: it is CPU work).
pub async fn render(report: &Report, format: ReportFormat) -> Result<Vec<u8>, AnalyticsError> {
    match format {
        ReportFormat::Json => report::to_json(report),
        ReportFormat::Csv => report::to_csv(report),
        ReportFormat::Html => Ok(report::to_html(report).into_bytes()),
        ReportFormat::Pdf => {
            let report = report.clone();
            tokio::task::spawn_blocking(move || report::to_pdf(&report))
                .await
                .map_err(|e| AnalyticsError::Render(format!("the PDF worker failed: {e}")))?
        }
    }
}
