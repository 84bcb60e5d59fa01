//! Report jobs: submitted, built in the background with progress, listed per user, reloaded
//! after a restart; bad requests refused before anything is recorded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../warehouse/tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use bullpen_analytics::jobs::{JobId, JobState, JobStatus, ReportFormat, ReportJobs, ReportRequest, ReportScope};
use bullpen_analytics::AnalyticsError;
use bullpen_warehouse::{ExportOptions, Exporter, Location};
use chrono::{DateTime, TimeZone, Utc};
use support::{day, entry_id, MemorySource, T};

async fn warehouse() -> (tempfile::TempDir, Location) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    let source = Arc::new(MemorySource::new(10));
    Exporter::open(location.clone(), source, ExportOptions::default()).await.unwrap().run_once().await.unwrap();
    (dir, location)
}

fn clock() -> Arc<dyn Fn() -> DateTime<Utc> + Send + Sync> {
    let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
    Arc::new(move || {
        let n = ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Utc.timestamp_opt(1_767_225_600 + n, 0).unwrap()
    })
}

fn request(format: ReportFormat, user: i64) -> ReportRequest {
    ReportRequest {
        scope: ReportScope::Entry { tournament_id: T.0, entry_id: entry_id(1).0 },
        from: day(2),
        to: day(5),
        format,
        requested_by: user,
    }
}

async fn wait(jobs: &ReportJobs, id: &JobId) -> JobStatus {
    for _ in 0..600 {
        let status = jobs.status(id.clone()).await.unwrap();
        if matches!(status.state, JobState::Done | JobState::Failed) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_in_the_background_and_its_file_is_served() {
    let (_wh, location) = warehouse().await;
    let out = tempfile::tempdir().unwrap();
    let jobs = ReportJobs::open(location.clone(), out.path().to_path_buf(), clock()).unwrap();
    let queued = jobs.submit(request(ReportFormat::Pdf, 7)).await.unwrap();
    assert_eq!(queued.id.0.len(), 32);
    assert!(matches!(queued.state, JobState::Queued | JobState::Running));
    assert_eq!(queued.finished_at, None);
    let other = jobs.submit(request(ReportFormat::Json, 8)).await.unwrap();
    assert_ne!(queued.id, other.id);

    let done = wait(&jobs, &queued.id).await;
    assert_eq!((done.state, done.progress_percent, done.error.as_deref()), (JobState::Done, 100, None), "{done:?}");
    assert!(done.finished_at.unwrap() > done.created_at);
    let file = jobs.output(queued.id.clone()).await.unwrap().unwrap();
    assert_eq!(file.content_type, "application/pdf");
    assert!(file.bytes.starts_with(b"%PDF-"));
    assert!(file.file_name.ends_with(".pdf"));

    let json = wait(&jobs, &other.id).await;
    assert_eq!(json.state, JobState::Done);
    let second = jobs.submit(request(ReportFormat::Csv, 7)).await.unwrap();
    let mine: Vec<JobId> = jobs.list_for_user(7).await.into_iter().map(|s| s.id).collect();
    assert_eq!(mine, vec![second.id.clone(), queued.id.clone()], "newest first, only user 7's");
    wait(&jobs, &second.id).await;

    // Reopened (a restart): finished jobs and their files are still there.
    let reopened = ReportJobs::open(location, out.path().to_path_buf(), clock()).unwrap();
    assert_eq!(reopened.status(queued.id.clone()).await.unwrap().state, JobState::Done);
    assert!(reopened.output(queued.id.clone()).await.unwrap().is_some());
    assert_eq!(reopened.list_for_user(7).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_and_bad_requests_are_reported() {
    let (_wh, location) = warehouse().await;
    let out = tempfile::tempdir().unwrap();
    let jobs = ReportJobs::open(location.clone(), out.path().to_path_buf(), clock()).unwrap();
    let mut backwards = request(ReportFormat::Json, 1);
    backwards.from = day(5);
    backwards.to = day(2);
    assert!(matches!(jobs.submit(backwards).await, Err(AnalyticsError::Invalid(_))));
    assert!(jobs.list_for_user(1).await.is_empty());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing recorded");

    let mut unknown = request(ReportFormat::Json, 1);
    unknown.scope = ReportScope::Entry { tournament_id: T.0, entry_id: entry_id(99).0 };
    let job = jobs.submit(unknown).await.unwrap();
    let failed = wait(&jobs, &job.id).await;
    assert_eq!(failed.state, JobState::Failed);
    assert!(failed.error.as_deref().unwrap().contains("not in the warehouse"), "{failed:?}");
    assert!(jobs.output(job.id.clone()).await.unwrap().is_none());

    let stranger = JobId::random();
    assert!(matches!(jobs.output(stranger.clone()).await, Err(AnalyticsError::NotFound(_))));
    assert!(jobs.status(stranger).await.is_none());
    assert!("../etc/passwd".parse::<JobId>().is_err());
    assert!("ABCDEF0123456789abcdef0123456789".parse::<JobId>().is_err());
    assert!("abcdef0123456789abcdef0123456789".parse::<JobId>().is_ok());
    assert_eq!("PDF".parse::<ReportFormat>().unwrap(), ReportFormat::Pdf);
    assert!("docx".parse::<ReportFormat>().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_left_running_by_a_crash_are_marked_interrupted() {
    let (_wh, location) = warehouse().await;
    let out = tempfile::tempdir().unwrap();
    let id = JobId::random();
    let running = JobStatus {
        id: id.clone(),
        request: request(ReportFormat::Html, 3),
        state: JobState::Running,
        progress_percent: 40,
        stage: "reading".into(),
        error: None,
        created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        finished_at: None,
    };
    std::fs::write(out.path().join(format!("{id}.json")), serde_json::to_vec(&running).unwrap()).unwrap();
    let jobs = ReportJobs::open(location, out.path().to_path_buf(), clock()).unwrap();
    let status = jobs.status(id.clone()).await.unwrap();
    assert_eq!((status.state, status.error.as_deref()), (JobState::Failed, Some("interrupted")));
    assert!(status.finished_at.is_some());
    assert!(jobs.output(id).await.unwrap().is_none());
    // The JSON is snake_case throughout.
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["state"], "failed");
    assert_eq!(json["request"]["format"], "html");
    assert_eq!(json["request"]["scope"]["kind"], "entry");
}
