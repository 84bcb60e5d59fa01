//! The reports page: a form asking for a report (an entry of yours, or for coaches and admins a
//! whole tournament; a period; a format) and the list of your report jobs with their progress,
//! which the page script polls until they finish, and download links.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Form;
use bullpen_analytics::jobs::JobStatus;
use bullpen_domain::{Tournament, TournamentState};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::see_other;
use super::layout::{csrf_input, empty, page, Viewer};
use super::player::{respond, OrPage};
use crate::api::reports::{
    authorised_request, may_report_tournaments, FormatName, JobView, NewReport, ScopeKind, StateName,
};
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The reports routes.
pub fn routes() -> Routes {
    Routes::new().get("/reports", Access::SignedIn, get(reports_page)).post(
        "/reports",
        Access::SignedIn,
        axum::routing::post(request_report),
    )
}

/// Preselected values of the form (from a dashboard's "Get a report" link).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Preselect {
    /// The tournament.
    pub tournament_id: Option<String>,
    /// The entry.
    pub entry_id: Option<String>,
}

/// The form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    /// `entry` or `tournament`.
    #[serde(default)]
    pub scope: String,
    /// `tournament_id` or `tournament_id:entry_id` of the entry.
    #[serde(default)]
    pub target: String,
    /// First day.
    #[serde(default)]
    pub from: String,
    /// Last day.
    #[serde(default)]
    pub to: String,
    /// Format.
    #[serde(default)]
    pub format: String,
}

/// What the form can offer the viewer.
struct Choices {
    /// (tournament, own entry id) for every tournament the viewer joined.
    entries: Vec<(Tournament, i64)>,
    /// Tournaments open to a tournament-level report (coaches and admins).
    tournaments: Vec<Tournament>,
}

async fn choices(state: &AppState, viewer: &Viewer) -> Result<Choices, ApiError> {
    let mut entries = Vec::new();
    let mut tournaments = Vec::new();
    let Some(user) = &viewer.user else { return Ok(Choices { entries, tournaments }) };
    for t in state.store.tournaments().await? {
        if t.state == TournamentState::Draft {
            continue;
        }
        if let Some(e) = state.store.entry_of_user(t.id, user.user_id).await? {
            entries.push((t.clone(), e.id.0));
        }
        if may_report_tournaments(user) {
            tournaments.push(t);
        }
    }
    Ok(Choices { entries, tournaments })
}

async fn reports_page(
    State(state): State<AppState>,
    viewer: Viewer,
    QueryParams(pre): QueryParams<Preselect>,
) -> Response {
    respond(
        async {
            let c = choices(&state, &viewer).await.or_page(&viewer)?;
            let jobs = my_jobs(&state, &viewer).await;
            Ok(view(&viewer, &c, &pre, &ReportForm::default(), None, jobs).into_response())
        }
        .await,
    )
}

async fn my_jobs(state: &AppState, viewer: &Viewer) -> Result<Vec<JobStatus>, ApiError> {
    let Some(user) = &viewer.user else { return Ok(Vec::new()) };
    let jobs = state.analytics()?.jobs()?;
    Ok(jobs.list_for_user(user.user_id.0).await)
}

/// Parses the form into an API request, or says what is wrong.
fn parse(form: &ReportForm) -> Result<NewReport, String> {
    let scope = match form.scope.as_str() {
        "tournament" => ScopeKind::Tournament,
        "entry" | "" => ScopeKind::Entry,
        other => return Err(format!("unknown scope `{other}`")),
    };
    let (tournament, entry) = match form.target.split_once(':') {
        Some((t, e)) => (t, Some(e)),
        None => (form.target.as_str(), None),
    };
    let tournament_id: i64 = tournament.trim().parse().map_err(|_| "choose what the report is about".to_string())?;
    let entry_id = match (scope, entry) {
        (ScopeKind::Entry, Some(e)) => Some(e.trim().parse().map_err(|_| "choose one of your entries".to_string())?),
        _ => None,
    };
    let date = |v: &str, name: &str| v.trim().parse().map_err(|_| format!("{name} must be a date (YYYY-MM-DD)"));
    let format = match form.format.as_str() {
        "pdf" => FormatName::Pdf,
        "csv" => FormatName::Csv,
        "html" => FormatName::Html,
        "json" => FormatName::Json,
        other => return Err(format!("unknown format `{other}`")),
    };
    Ok(NewReport { scope, tournament_id, entry_id, from: date(&form.from, "From")?, to: date(&form.to, "To")?, format })
}

async fn request_report(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    Form(form): Form<ReportForm>,
) -> Response {
    respond(
        async {
            let outcome = match parse(&form) {
                Err(message) => Err(message),
                Ok(body) => match authorised_request(&state, &caller, &body).await {
                    Err(e) => Err(e.message),
                    Ok(request) => {
                        let jobs = state.analytics().and_then(|a| a.jobs()).or_page(&viewer)?;
                        jobs.submit(request)
                            .await
                            .map(|_| ())
                            .map_err(|e| crate::api::reports::analytics_error(e).message)
                    }
                },
            };
            match outcome {
                Ok(()) => Ok(see_other("/reports#jobs")),
                Err(message) => {
                    let c = choices(&state, &viewer).await.or_page(&viewer)?;
                    let jobs = my_jobs(&state, &viewer).await;
                    let markup = view(&viewer, &c, &Preselect::default(), &form, Some(&message), jobs);
                    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
                }
            }
        }
        .await,
    )
}

fn state_text(s: StateName) -> &'static str {
    match s {
        StateName::Queued => "Queued",
        StateName::Running => "Running",
        StateName::Done => "Done",
        StateName::Failed => "Failed",
    }
}

fn job_row(j: &JobView) -> Markup {
    let what = match j.scope {
        ScopeKind::Entry => format!("Entry {} of tournament {}", j.entry_id.unwrap_or_default(), j.tournament_id),
        ScopeKind::Tournament => format!("Tournament {}", j.tournament_id),
    };
    let live = matches!(j.state, StateName::Queued | StateName::Running);
    html! {
        tr data-report-job=(j.id) data-live=[live.then_some("true")] {
            th scope="row" { (what) }
            td { (j.from) " – " (j.to) }
            td { (format!("{:?}", j.format).to_uppercase()) }
            td data-field="status" {
                (state_text(j.state))
                @if live { " (" (j.progress_percent) "%, " (j.stage) ")" }
                @if let Some(e) = &j.error { ": " (e) }
            }
            td data-field="download" {
                @if let Some(url) = &j.download_url {
                    a href=(url) download=(j.file_name) { "Download " span.visually-hidden { (j.file_name) } }
                } @else { "—" }
            }
        }
    }
}

fn view(
    viewer: &Viewer,
    c: &Choices,
    pre: &Preselect,
    form: &ReportForm,
    error: Option<&str>,
    jobs: Result<Vec<JobStatus>, ApiError>,
) -> Markup {
    let pre_target = match (&pre.tournament_id, &pre.entry_id) {
        (Some(t), Some(e)) => format!("{t}:{e}"),
        _ => form.target.clone(),
    };
    let coach = viewer.user.as_ref().is_some_and(may_report_tournaments);
    let scope = if form.scope == "tournament" { "tournament" } else { "entry" };
    let (from, to) = match c.entries.iter().find(|(t, e)| format!("{}:{e}", t.id.0) == pre_target) {
        Some((t, _)) if form.from.is_empty() => (t.starts_on.to_string(), t.ends_on.to_string()),
        _ => (form.from.clone(), form.to.clone()),
    };
    let format = if form.format.is_empty() { "pdf" } else { form.format.as_str() };
    let body = html! {
        h1 { "Reports" }
        p { "A report covers any period: summary, risk, equity chart, trade blotter, P&L by symbol and sector, equity breakdown and unusual trades. It is built from the analytics warehouse in the background." }
        section aria-labelledby="new-h" {
            h2 #new-h { "Ask for a report" }
            @if let Some(e) = error { p.notice.bad role="alert" { (e) } }
            @if c.entries.is_empty() && c.tournaments.is_empty() {
                (empty("Join a tournament first: reports are about your trading in one.", Some(("/lobby", "Open the lobby"))))
            } @else {
                form method="post" action="/reports" {
                    (csrf_input(viewer))
                    @if coach {
                        fieldset {
                            legend { "About" }
                            label { input type="radio" name="scope" value="entry" checked[scope == "entry"]; " One entry" }
                            label { input type="radio" name="scope" value="tournament" checked[scope == "tournament"]; " A whole tournament" }
                        }
                    } @else {
                        input type="hidden" name="scope" value="entry";
                    }
                    div.field {
                        label for="r-target" { @if coach { "Entry or tournament" } @else { "Entry" } }
                        select #r-target name="target" required {
                            @for (t, e) in &c.entries {
                                @let v = format!("{}:{e}", t.id.0);
                                option value=(v) selected[v == pre_target] { "Your entry in " (t.name) }
                            }
                            @for t in &c.tournaments {
                                @let v = t.id.0.to_string();
                                option value=(v) selected[v == pre_target] { "Tournament: " (t.name) }
                            }
                        }
                    }
                    div.field {
                        label for="r-from" { "From" }
                        input #r-from name="from" type="date" value=(from) required;
                    }
                    div.field {
                        label for="r-to" { "To" }
                        input #r-to name="to" type="date" value=(to) required;
                    }
                    div.field {
                        label for="r-format" { "Format" }
                        select #r-format name="format" {
                            @for (v, label) in [("pdf", "PDF"), ("html", "HTML"), ("csv", "CSV"), ("json", "JSON")] {
                                option value=(v) selected[v == format] { (label) }
                            }
                        }
                    }
                    button type="submit" { "Ask for the report" }
                }
            }
        }
        section #jobs aria-labelledby="jobs-h" {
            h2 #jobs-h { "Your reports" }
            @match &jobs {
                Err(e) => { p.notice.bad role="alert" { (e.message) } }
                Ok(list) if list.is_empty() => { (empty("No reports yet.", None)) }
                Ok(list) => {
                    div.table-wrap data-report-jobs="" aria-live="polite" {
                        table.reports {
                            caption.visually-hidden { "Your report jobs, newest first" }
                            thead { tr {
                                th scope="col" { "About" }
                                th scope="col" { "Period" }
                                th scope="col" { "Format" }
                                th scope="col" { "Status" }
                                th scope="col" { "File" }
                            } }
                            tbody {
                                @for j in list { (job_row(&JobView::from(j))) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(viewer, "Reports", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_parses_into_a_request() {
        let form = ReportForm {
            scope: "entry".into(),
            target: "3:12884901889".into(),
            from: "2026-01-05".into(),
            to: "2026-01-30".into(),
            format: "csv".into(),
        };
        let r = parse(&form).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.tournament_id, r.entry_id, r.format), (3, Some(12_884_901_889), FormatName::Csv));
        assert!(parse(&ReportForm { format: "doc".into(), ..form.clone() }).is_err());
        assert!(parse(&ReportForm { from: "soon".into(), ..form.clone() }).is_err());
        let t = parse(&ReportForm { scope: "tournament".into(), target: "3".into(), ..form })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.scope, t.entry_id), (ScopeKind::Tournament, None));
    }
}
