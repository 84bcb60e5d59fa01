//! The server's handle on the analytics warehouse: where it is, and (when configured) the
//! report jobs. Dashboards and reports read only the warehouse; a server without one answers
//! 503 on those routes and renders the rest as usual.

use std::path::Path;
use std::sync::Arc;

use bullpen_analytics::jobs::ReportJobs;
use bullpen_domain::{EntryId, TournamentId};
use bullpen_market::clock::Clock;
use bullpen_store::Role;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::{Location, WarehouseError};

use crate::error::{ApiError, ApiResult};
use crate::identity::{Caller, Principal};
use crate::state::AppState;

/// How often the server's ETL refreshes the warehouse (shown on the dashboard), in seconds.
pub const DEFAULT_REFRESH_SECONDS: u64 = 60;

/// The warehouse and what runs on it.
#[derive(Clone)]
pub struct Analytics {
    /// The warehouse.
    pub location: Location,
    /// How often the warehouse is refreshed, in seconds (for the freshness note).
    pub refresh_seconds: u64,
    /// Report jobs (none: the report routes answer 503).
    pub jobs: Option<ReportJobs>,
}

impl Analytics {
    /// The warehouse at a location, without report jobs.
    pub fn new(location: Location) -> Analytics {
        Analytics { location, refresh_seconds: DEFAULT_REFRESH_SECONDS, jobs: None }
    }

    /// The warehouse at a location with report jobs writing into `reports_dir` (created if
    /// missing; finished reports of earlier runs are kept).
    pub fn with_reports(
        location: Location,
        reports_dir: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<Analytics, bullpen_analytics::AnalyticsError> {
        let now: bullpen_analytics::jobs::Clock = Arc::new(move || clock.now().to_datetime());
        let jobs = ReportJobs::open(location.clone(), reports_dir.to_path_buf(), now)?;
        Ok(Analytics { jobs: Some(jobs), ..Analytics::new(location) })
    }

    /// The default layout under a data directory: the warehouse in `<data-dir>/warehouse`, the
    /// reports in `<data-dir>/reports`.
    pub fn under_data_dir(
        data_dir: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<Analytics, bullpen_analytics::AnalyticsError> {
        let location = Location::local(&data_dir.join("warehouse")).map_err(bullpen_analytics::AnalyticsError::from)?;
        Analytics::with_reports(location, &data_dir.join("reports"), clock)
    }

    /// The report jobs, or 503 when this server has none.
    pub fn jobs(&self) -> ApiResult<&ReportJobs> {
        self.jobs.as_ref().ok_or_else(|| ApiError::unavailable("reports are not configured on this server"))
    }

    /// A DataFusion session over the warehouse.
    pub async fn session(&self) -> ApiResult<SessionContext> {
        bullpen_warehouse::open_session(&self.location).await.map_err(warehouse_error)
    }
}

/// A warehouse failure as an API error: bad input is 422, the rest is logged and 500.
pub fn warehouse_error(e: WarehouseError) -> ApiError {
    match e {
        WarehouseError::Invalid(m) => ApiError::invalid(m),
        other => ApiError::internal(other),
    }
}

impl AppState {
    /// The analytics warehouse, or 503 when this server has none.
    pub fn analytics(&self) -> ApiResult<&Analytics> {
        self.analytics_slot
            .get()
            .ok_or_else(|| ApiError::unavailable("the analytics warehouse is not configured on this server"))
    }

    /// Attaches the analytics warehouse (once; later calls are ignored and return false).
    pub fn set_analytics(&self, analytics: Analytics) -> bool {
        self.analytics_slot.set(analytics).is_ok()
    }

    /// The entry whose dashboard the caller asks for, if they may see it: their own (a user's
    /// entry in the tournament, or a key's entry), or any existing entry for an admin. 403
    /// `not_your_entry` for someone else's, 404 for an entry that does not exist.
    pub async fn dashboard_entry(&self, caller: &Caller, tournament: TournamentId, entry: EntryId) -> ApiResult<()> {
        match &caller.0 {
            Principal::Anonymous => Err(ApiError::unauthenticated()),
            Principal::Key(k) if k.tournament_id == tournament && k.entry_id == entry => Ok(()),
            Principal::Key(_) => Err(not_your_entry()),
            Principal::User(u) if u.role == Role::Admin => {
                let exists = self.store.entries(tournament).await?.iter().any(|e| e.id == entry);
                if exists {
                    Ok(())
                } else {
                    Err(ApiError::not_found(format!("no entry {} in tournament {}", entry.0, tournament.0)))
                }
            }
            Principal::User(u) => match self.store.entry_of_user(tournament, u.user_id).await? {
                Some(own) if own.id == entry => Ok(()),
                _ => Err(not_your_entry()),
            },
        }
    }
}

fn not_your_entry() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "not_your_entry",
        "this dashboard belongs to another trader; you can open your own",
    )
}
