//! Reports at will: a request starts an asynchronous job on the analytics warehouse (never the
//! production store); the caller polls its status and downloads the file when it is done.
//!
//! Players ask for reports on their own entries; coaches and admins may also ask for a whole
//! tournament's. Only the requester (or an admin) sees a job and downloads its file; anyone else
//! gets 404, so job ids reveal nothing.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use bullpen_analytics::jobs::{JobId, JobState, JobStatus, ReportFormat, ReportRequest, ReportScope};
use bullpen_analytics::AnalyticsError;
use bullpen_domain::{EntryId, TournamentId};
use bullpen_store::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::common::{is_admin, visible_tournament};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams};
use crate::identity::{Caller, UserPrincipal};
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// This module's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    paths(create, list, show, download),
    components(schemas(NewReport, ScopeKind, FormatName, JobView, JobList, StateName)),
    tags((name = "reports", description = "Trading reports built on the analytics warehouse, as asynchronous jobs"))
)]
pub struct ApiDoc;

/// The routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/reports", Access::SignedIn, axum::routing::post(create))
        .get("/api/v1/reports", Access::SignedIn, get(list))
        .get("/api/v1/reports/{job_id}", Access::SignedIn, get(show))
        .get("/api/v1/reports/{job_id}/download", Access::SignedIn, get(download))
}

/// An entry or a whole tournament.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// One entry (yours; admins any).
    Entry,
    /// The whole tournament (coaches and admins).
    Tournament,
}

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormatName {
    /// PDF.
    Pdf,
    /// CSV.
    Csv,
    /// HTML.
    Html,
    /// JSON.
    Json,
}

impl From<FormatName> for ReportFormat {
    fn from(f: FormatName) -> ReportFormat {
        match f {
            FormatName::Pdf => ReportFormat::Pdf,
            FormatName::Csv => ReportFormat::Csv,
            FormatName::Html => ReportFormat::Html,
            FormatName::Json => ReportFormat::Json,
        }
    }
}

impl From<ReportFormat> for FormatName {
    fn from(f: ReportFormat) -> FormatName {
        match f {
            ReportFormat::Pdf => FormatName::Pdf,
            ReportFormat::Csv => FormatName::Csv,
            ReportFormat::Html => FormatName::Html,
            ReportFormat::Json => FormatName::Json,
        }
    }
}

/// A report request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `entry` or `tournament`.
    pub scope: ScopeKind,
    /// The tournament.
    pub tournament_id: i64,
    /// The entry (scope `entry`); your own entry in the tournament when left out.
    pub entry_id: Option<i64>,
    /// First day (`YYYY-MM-DD`, inclusive).
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day (inclusive).
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// `pdf`, `csv`, `html` or `json`.
    pub format: FormatName,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    /// Waiting for a slot.
    Queued,
    /// Being built.
    Running,
    /// Finished; download it.
    Done,
    /// Stopped with an error.
    Failed,
}

/// A report job.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    /// Job id (32 hex digits).
    pub id: String,
    /// `entry` or `tournament`.
    pub scope: ScopeKind,
    /// The tournament.
    pub tournament_id: i64,
    /// The entry (scope `entry`).
    pub entry_id: Option<i64>,
    /// First day.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// File format.
    pub format: FormatName,
    /// Where it is.
    pub state: StateName,
    /// 0 to 100.
    pub progress_percent: u8,
    /// What it is doing, in words.
    pub stage: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Submitted (RFC 3339).
    pub created_at: String,
    /// Finished (RFC 3339).
    pub finished_at: Option<String>,
    /// The file's name.
    pub file_name: String,
    /// Where to download the file once it is done.
    pub download_url: Option<String>,
}

impl From<&JobStatus> for JobView {
    fn from(s: &JobStatus) -> JobView {
        let (scope, tournament_id, entry_id) = match s.request.scope {
            ReportScope::Entry { tournament_id, entry_id } => (ScopeKind::Entry, tournament_id, Some(entry_id)),
            ReportScope::Tournament { tournament_id } => (ScopeKind::Tournament, tournament_id, None),
        };
        let state = match s.state {
            JobState::Queued => StateName::Queued,
            JobState::Running => StateName::Running,
            JobState::Done => StateName::Done,
            JobState::Failed => StateName::Failed,
        };
        let rfc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        JobView {
            id: s.id.to_string(),
            scope,
            tournament_id,
            entry_id,
            from: s.request.from,
            to: s.request.to,
            format: s.request.format.into(),
            state,
            progress_percent: s.progress_percent,
            stage: s.stage.clone(),
            error: s.error.clone(),
            created_at: rfc(s.created_at),
            finished_at: s.finished_at.map(rfc),
            file_name: s.request.file_name(),
            download_url: (s.state == JobState::Done).then(|| format!("/api/v1/reports/{}/download", s.id)),
        }
    }
}

/// The caller's jobs, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobList {
    /// Jobs.
    pub items: Vec<JobView>,
}

/// `{job_id}`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JobPath {
    /// Job id.
    #[param(pattern = "^[0-9a-f]{32}$")]
    pub job_id: String,
}

/// An analytics failure as an API error.
pub fn analytics_error(e: AnalyticsError) -> ApiError {
    match e {
        AnalyticsError::Invalid(m) => ApiError::invalid(m),
        AnalyticsError::NotFound(m) => ApiError::not_found(m),
        AnalyticsError::Warehouse(bullpen_warehouse::WarehouseError::Invalid(m)) => ApiError::invalid(m),
        other => ApiError::internal(other),
    }
}

/// Whether a user may ask for tournament-level reports.
pub fn may_report_tournaments(user: &UserPrincipal) -> bool {
    matches!(user.role, Role::Coach | Role::Admin)
}

/// Checks a request against the caller and turns it into a job request.
pub async fn authorised_request(state: &AppState, caller: &Caller, body: &NewReport) -> ApiResult<ReportRequest> {
    let user = caller.user()?;
    let tournament = visible_tournament(state, caller, body.tournament_id).await?;
    let scope = match body.scope {
        ScopeKind::Tournament => {
            if !may_report_tournaments(user) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "coach_or_admin_only",
                    "tournament-level reports are for coaches and admins",
                ));
            }
            ReportScope::Tournament { tournament_id: tournament.id.0 }
        }
        ScopeKind::Entry => {
            let entry = match body.entry_id {
                Some(id) => EntryId(id),
                None => state.caller_entry(caller, tournament.id).await?,
            };
            state.dashboard_entry(caller, TournamentId(tournament.id.0), entry).await?;
            ReportScope::Entry { tournament_id: tournament.id.0, entry_id: entry.0 }
        }
    };
    if body.from > body.to {
        return Err(ApiError::invalid(format!("from ({}) is after to ({})", body.from, body.to)));
    }
    Ok(ReportRequest { scope, from: body.from, to: body.to, format: body.format.into(), requested_by: user.user_id.0 })
}

/// Starts a report job.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "reports",
    request_body = NewReport,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 202, description = "The job, queued", body = JobView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Someone else's entry, or a tournament report without the coach or admin role", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Bad dates or format", body = ErrorBody),
        (status = 503, description = "Reports are not configured on this server", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewReport>,
) -> ApiResult<(StatusCode, Json<JobView>)> {
    let request = authorised_request(&state, &caller, &body).await?;
    let jobs = state.analytics()?.jobs()?;
    let status = jobs.submit(request).await.map_err(analytics_error)?;
    Ok((StatusCode::ACCEPTED, Json(JobView::from(&status))))
}

/// The caller's report jobs, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/reports",
    tag = "reports",
    security(("session" = [])),
    responses(
        (status = 200, description = "Your jobs", body = JobList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 503, description = "Reports are not configured on this server", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<JobList>> {
    let user = caller.user()?;
    let jobs = state.analytics()?.jobs()?;
    let items = jobs.list_for_user(user.user_id.0).await.iter().map(JobView::from).collect();
    Ok(Json(JobList { items }))
}

/// A job the caller may see (their own; admins any), or 404.
pub async fn visible_job(state: &AppState, caller: &Caller, id: &str) -> ApiResult<JobStatus> {
    let user = caller.user()?;
    let not_found = || ApiError::not_found(format!("no report job {id}"));
    let id: JobId = id.parse().map_err(|_| not_found())?;
    let jobs = state.analytics()?.jobs()?;
    match jobs.status(id).await {
        Some(s) if s.request.requested_by == user.user_id.0 || is_admin(caller) => Ok(s),
        _ => Err(not_found()),
    }
}

/// A report job's status and progress.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{job_id}",
    tag = "reports",
    params(JobPath),
    security(("session" = [])),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such job of yours", body = ErrorBody),
        (status = 503, description = "Reports are not configured on this server", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<JobPath>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(JobView::from(&visible_job(&state, &caller, &p.job_id).await?)))
}

/// The finished report file, as an attachment.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{job_id}/download",
    tag = "reports",
    params(JobPath),
    security(("session" = [])),
    responses(
        (status = 200, description = "The report (PDF, CSV, HTML or JSON)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such job of yours", body = ErrorBody),
        (status = 409, description = "The job is not done (yet, or it failed)", body = ErrorBody),
        (status = 503, description = "Reports are not configured on this server", body = ErrorBody),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<JobPath>,
) -> ApiResult<Response> {
    let job = visible_job(&state, &caller, &p.job_id).await?;
    let jobs = state.analytics()?.jobs()?;
    let Some(file) = jobs.output(job.id.clone()).await.map_err(analytics_error)? else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "report_not_ready",
            format!("report job {} is {:?}, not done", job.id, job.state).to_lowercase(),
        ));
    };
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    let disposition = format!("attachment; filename=\"{}\"", file.file_name.replace('"', ""));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
