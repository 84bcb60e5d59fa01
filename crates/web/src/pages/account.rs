//! Account pages: sign-up, sign-in, sign-out, password reset (request and confirm) and the
//! account settings page (profile, change password).
//!
//! Every form posts to the same services as the JSON API ([`crate::auth::account`]), so the
//! rules, rate limits, audit entries and the session cookie are the same. Forms follow
//! Post/Redirect/Get; invalid input re-renders the form with 422 and the errors beside the
//! fields. This module also holds the small form helpers the account, key and admin pages share.

use std::collections::BTreeMap;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{csrf_input, page, time, Viewer};
use crate::auth::account::{
    authenticate, change_password, confirm_reset, end_session, register, request_reset, SignInRequest, SignUpRequest,
};
use crate::auth::credentials::{normalize_display_name, normalize_email, validate_handle, validate_password};
use crate::auth::session::{cleared_cookie, secure_request, session_cookie, ClientIp, NewSession};
use crate::error::{ApiError, ApiResult};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Where a visitor lands after signing in or up when no `next` was given.
pub const DEFAULT_LANDING: &str = "/lobby";

/// The account routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/sign-up", Access::Public, get(sign_up_page))
        .post("/sign-up", Access::Public, post(sign_up_submit))
        .get("/sign-in", Access::Public, get(sign_in_page))
        .post("/sign-in", Access::Public, post(sign_in_submit))
        .post("/sign-out", Access::SignedIn, post(sign_out_submit))
        .get("/reset", Access::Public, get(reset_page))
        .post("/reset", Access::Public, post(reset_submit))
        .get("/reset/confirm", Access::Public, get(reset_confirm_page))
        .post("/reset/confirm", Access::Public, post(reset_confirm_submit))
        .get("/account", Access::SignedIn, get(account_page))
        .post("/account/password", Access::SignedIn, post(password_submit))
}

// ---- helpers shared by the account, key and admin pages ----

/// Field errors of a form, by field name; `""` holds errors about the whole form.
#[derive(Debug, Clone, Default)]
pub struct Errors(BTreeMap<&'static str, String>);

impl Errors {
    /// No errors yet.
    pub fn new() -> Errors {
        Errors::default()
    }

    /// Records an error for a field (the first one per field is kept).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// Records the error of a check, if it failed; returns the checked value.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    /// The error of a field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// The error about the whole form.
    pub fn general(&self) -> Option<&str> {
        self.get("")
    }

    /// Whether there is no error at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The fields of a posted form, or the type's defaults and an error when the body could not be
/// read as a form (wrong content type, bad encoding): the page then re-renders, never a 5xx.
pub fn form_or_default<T: Default>(form: Result<Form<T>, FormRejection>) -> (T, Errors) {
    match form {
        Ok(Form(value)) => (value, Errors::new()),
        Err(rejection) => {
            let mut errors = Errors::new();
            errors.add(
                "",
                format!("the form could not be read ({}); fill it in and send it again", rejection.body_text()),
            );
            (T::default(), errors)
        }
    }
}

/// A query string, or the type's defaults when it does not parse.
pub fn query_or_default<T: Default>(query: Result<Query<T>, QueryRejection>) -> T {
    query.map(|Query(q)| q).unwrap_or_default()
}

/// A 303 See Other to a same-site path (the Redirect of Post/Redirect/Get).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A page with a status other than 200 (a form re-rendered with its errors, a refusal).
pub fn with_status(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// An HTML error page for a failure a handler cannot show beside a field: its status, the
/// message (never internals: [`ApiError`] messages are written for people) and a way on.
pub fn error_page(viewer: &Viewer, error: &ApiError) -> Response {
    let title = match error.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "Not possible now",
        StatusCode::FORBIDDEN => "Not allowed",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let body = html! {
        h1 { (title) }
        p.notice.bad role="alert" { (error.message) }
        p { a href="/" { "Back to the start page" } }
    };
    with_status(error.status, page(viewer, title, body))
}

/// A notice box (role=status so screen readers announce it).
pub fn notice(message: &str) -> Markup {
    html! { p.notice role="status" { (message) } }
}

/// A notice box for a problem with the whole form.
pub fn form_problem(errors: &Errors) -> Markup {
    html! {
        @if let Some(e) = errors.general() {
            p.notice.bad role="alert" { (e) }
        }
    }
}

/// A labelled input with its error beside it, like [`super::layout::field`], with an
/// `autocomplete` hint (password managers need it on sign-in and password forms).
#[allow(clippy::too_many_arguments)]
pub fn input(
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    error: Option<&str>,
    required: bool,
    autocomplete: &str,
    hint: Option<&str>,
) -> Markup {
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (error.is_some(), hint.is_some()) {
        (true, true) => Some(format!("{err_id} {hint_id}")),
        (true, false) => Some(err_id.clone()),
        (false, true) => Some(hint_id.clone()),
        (false, false) => None,
    };
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(kind) value=(value) required[required] autocomplete=(autocomplete)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
            @if let Some(h) = hint {
                p.hint.muted id=(hint_id) { (h) }
            }
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e) }
            }
        }
    }
}

/// `next` when it is a same-site relative path (one leading `/`, no scheme, no backslash, no
/// control characters); anything else is ignored so sign-in cannot redirect off-site.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() <= 2048;
    ok.then_some(next)
}

/// The response of a successful sign-in or sign-up: the session cookie (the same one the API
/// sets) and a redirect.
fn signed_in(state: &AppState, headers: &HeaderMap, session: &NewSession, next: &str) -> ApiResult<Response> {
    let cookie = session_cookie(&session.token, state.config.session_ttl_secs, secure_request(&state.config, headers))?;
    let mut response = see_other(safe_next(next).unwrap_or(DEFAULT_LANDING));
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// The `?next=` of a page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    /// Where to go after signing in.
    pub next: String,
    /// A notice to show (`reset`: the password was changed).
    pub done: String,
}

// ---- sign-up ----

/// The sign-up form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    /// Handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
    /// Where to go afterwards.
    pub next: String,
}

fn sign_up_view(viewer: &Viewer, form: &SignUpForm, errors: &Errors) -> Markup {
    let next = safe_next(&form.next).unwrap_or_default();
    page(
        viewer,
        "Sign up",
        html! {
            h1 { "Create your Bullpen account" }
            p { "Play in stock-market tournaments with virtual cash. Free, and no real money involved." }
            @if let Some(user) = &viewer.user {
                (notice(&format!("You are signed in as {}. Signing up creates a second account.", user.handle)))
            }
            (form_problem(errors))
            form.stack method="post" action="/sign-up" novalidate {
                (csrf_input(viewer))
                input type="hidden" name="next" value=(next);
                (input("handle", "Handle", "text", &form.handle, errors.get("handle"), true, "username",
                    Some("3–32 characters: a–z, 0–9, _ and -. Shown on leaderboards.")))
                (input("display_name", "Display name", "text", &form.display_name, errors.get("display_name"), true, "name", None))
                (input("email", "E-mail address", "email", &form.email, errors.get("email"), true, "email",
                    Some("Only used for password resets.")))
                (input("password", "Password", "password", "", errors.get("password"), true, "new-password",
                    Some("At least 10 characters.")))
                button type="submit" { "Create account" }
            }
            p { "Already have an account? " a href=(sign_in_href(next)) { "Sign in" } }
        },
    )
}

fn sign_in_href(next: &str) -> String {
    if next.is_empty() {
        "/sign-in".into()
    } else {
        format!("/sign-in?next={}", query_component(next))
    }
}

/// Percent-encodes a value for a query string.
pub fn query_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn sign_up_page(viewer: Viewer, query: Result<Query<NextQuery>, QueryRejection>) -> Markup {
    let q = query_or_default(query);
    sign_up_view(&viewer, &SignUpForm { next: q.next, ..SignUpForm::default() }, &Errors::new())
}

async fn sign_up_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<SignUpForm>, FormRejection>,
) -> Response {
    let (mut form, mut errors) = form_or_default(form);
    form.handle = form.handle.trim().to_string();
    if errors.is_empty() {
        errors.check("handle", validate_handle(&form.handle));
        errors.check("display_name", normalize_display_name(&form.display_name));
        errors.check("email", normalize_email(form.email.trim()));
        errors.check("password", validate_password(&form.password));
    }
    if !errors.is_empty() {
        return with_status(StatusCode::UNPROCESSABLE_ENTITY, sign_up_view(&viewer, &form, &errors));
    }
    let request = SignUpRequest {
        handle: form.handle.clone(),
        display_name: form.display_name.clone(),
        email: form.email.trim().to_string(),
        password: std::mem::take(&mut form.password),
    };
    match register(&state, request).await {
        Ok((_, session)) => {
            signed_in(&state, &headers, &session, &form.next).unwrap_or_else(|e| error_page(&viewer, &e))
        }
        Err(e) => {
            match e.code.as_str() {
                "handle_taken" => errors.add("handle", "this handle is taken; choose another"),
                "email_taken" => {
                    errors.add("email", "an account with this e-mail address exists; sign in or reset its password")
                }
                "validation_failed" => errors.add("", e.message.clone()),
                _ => return error_page(&viewer, &e),
            }
            with_status(StatusCode::UNPROCESSABLE_ENTITY, sign_up_view(&viewer, &form, &errors))
        }
    }
}

// ---- sign-in ----

/// The sign-in form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    /// Handle or e-mail address.
    pub login: String,
    /// Password.
    pub password: String,
    /// Where to go afterwards.
    pub next: String,
}

fn sign_in_view(viewer: &Viewer, form: &SignInForm, errors: &Errors, done: &str) -> Markup {
    let next = safe_next(&form.next).unwrap_or_default();
    page(
        viewer,
        "Sign in",
        html! {
            h1 { "Sign in" }
            @match done {
                "reset" => (notice("Your password was changed. Sign in with the new one.")),
                "signed-out" => (notice("You are signed out.")),
                _ => {}
            }
            @if let Some(user) = &viewer.user {
                (notice(&format!("You are signed in as {}.", user.handle)))
            }
            @if !next.is_empty() && viewer.user.is_none() && done.is_empty() && errors.is_empty() {
                (notice("Sign in to see that page."))
            }
            (form_problem(errors))
            form.stack method="post" action="/sign-in" novalidate {
                (csrf_input(viewer))
                input type="hidden" name="next" value=(next);
                (input("login", "Handle or e-mail address", "text", &form.login, errors.get("login"), true, "username", None))
                (input("password", "Password", "password", "", errors.get("password"), true, "current-password", None))
                button type="submit" { "Sign in" }
            }
            p { a href="/reset" { "Forgot your password?" } }
            p { "New to Bullpen? " a href=(if next.is_empty() { "/sign-up".to_string() } else { format!("/sign-up?next={}", query_component(next)) }) { "Create an account" } }
        },
    )
}

async fn sign_in_page(viewer: Viewer, query: Result<Query<NextQuery>, QueryRejection>) -> Markup {
    let q = query_or_default(query);
    sign_in_view(&viewer, &SignInForm { next: q.next, ..SignInForm::default() }, &Errors::new(), &q.done)
}

async fn sign_in_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let (mut form, mut errors) = form_or_default(form);
    if errors.is_empty() {
        if form.login.trim().is_empty() {
            errors.add("login", "enter your handle or e-mail address");
        }
        if form.password.is_empty() {
            errors.add("password", "enter your password");
        }
    }
    if !errors.is_empty() {
        return with_status(StatusCode::UNPROCESSABLE_ENTITY, sign_in_view(&viewer, &form, &errors, ""));
    }
    let request = SignInRequest { login: form.login.clone(), password: std::mem::take(&mut form.password) };
    match authenticate(&state, ip, request).await {
        Ok((_, session)) => {
            signed_in(&state, &headers, &session, &form.next).unwrap_or_else(|e| error_page(&viewer, &e))
        }
        Err(e) => {
            let status = e.status;
            match e.code.as_str() {
                "invalid_credentials" => {
                    errors.add("", "Wrong handle, e-mail address or password. Check them and try again.")
                }
                "account_disabled" => errors.add("", "This account is disabled. Ask an administrator to enable it."),
                "validation_failed" => errors.add("login", e.message.clone()),
                "rate_limited" => {
                    let secs = e.retry_after.unwrap_or(60);
                    let until = state.clock.now().plus_seconds(i64::try_from(secs).unwrap_or(0));
                    let minutes = secs.div_ceil(60);
                    let locked = page(
                        &viewer,
                        "Sign in",
                        html! {
                            h1 { "Sign in" }
                            div.notice.bad role="alert" {
                                p { "Too many failed sign-ins. Sign-in is locked for this account for about "
                                    (minutes) (if minutes == 1 { " minute" } else { " minutes" })
                                    ": try again after " (time(until)) "." }
                            }
                            p { a href="/reset" { "Forgot your password? Reset it." } }
                        },
                    );
                    let mut response = with_status(StatusCode::TOO_MANY_REQUESTS, locked);
                    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    return response;
                }
                _ => return error_page(&viewer, &e),
            }
            with_status(status, sign_in_view(&viewer, &form, &errors, ""))
        }
    }
}

// ---- sign-out ----

async fn sign_out_submit(
    State(state): State<AppState>,
    caller: Caller,
    viewer: Viewer,
    headers: HeaderMap,
) -> Response {
    let result = async {
        end_session(&state, caller.user()?).await?;
        cleared_cookie(secure_request(&state.config, &headers))
    }
    .await;
    match result {
        Ok(cookie) => {
            let mut response = see_other("/sign-in?done=signed-out");
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => error_page(&viewer, &e),
    }
}

// ---- password reset ----

/// The reset request form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    /// E-mail address.
    pub email: String,
}

/// `?sent=1` after a reset request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetQuery {
    /// Set after a request was accepted.
    pub sent: String,
}

fn reset_view(viewer: &Viewer, form: &ResetForm, errors: &Errors, sent: bool) -> Markup {
    page(
        viewer,
        "Reset your password",
        html! {
            h1 { "Reset your password" }
            @if sent {
                (notice("If an account has this address, a message with a reset link is on its way. The link works once and expires within the hour."))
            }
            p { "Enter the e-mail address of your account and we will send you a link to choose a new password." }
            (form_problem(errors))
            form.stack method="post" action="/reset" novalidate {
                (csrf_input(viewer))
                (input("email", "E-mail address", "email", &form.email, errors.get("email"), true, "email", None))
                button type="submit" { "Send reset link" }
            }
            p { a href="/sign-in" { "Back to sign in" } }
        },
    )
}

async fn reset_page(viewer: Viewer, query: Result<Query<ResetQuery>, QueryRejection>) -> Markup {
    let q = query_or_default(query);
    reset_view(&viewer, &ResetForm::default(), &Errors::new(), !q.sent.is_empty())
}

async fn reset_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let (form, mut errors) = form_or_default(form);
    if errors.is_empty() {
        errors.check("email", normalize_email(form.email.trim()));
    }
    if !errors.is_empty() {
        return with_status(StatusCode::UNPROCESSABLE_ENTITY, reset_view(&viewer, &form, &errors, false));
    }
    match request_reset(&state, form.email.trim()).await {
        Ok(()) => see_other("/reset?sent=1"),
        Err(e) if e.code == "validation_failed" => {
            errors.add("email", e.message);
            with_status(StatusCode::UNPROCESSABLE_ENTITY, reset_view(&viewer, &form, &errors, false))
        }
        Err(e) => error_page(&viewer, &e),
    }
}

/// The new-password form (the token comes from the link in the message).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetConfirmForm {
    /// The reset token.
    pub token: String,
    /// The new password.
    pub new_password: String,
    /// The new password again.
    pub confirm: String,
}

fn reset_confirm_view(viewer: &Viewer, form: &ResetConfirmForm, errors: &Errors, token_in_link: bool) -> Markup {
    page(
        viewer,
        "Choose a new password",
        html! {
            h1 { "Choose a new password" }
            (form_problem(errors))
            @if token_in_link && errors.get("token").is_some() {
                div.notice.bad role="alert" {
                    p { (errors.get("token").unwrap_or_default()) }
                    p { a href="/reset" { "Ask for a new reset link" } }
                }
            }
            form.stack method="post" action="/reset/confirm" novalidate {
                (csrf_input(viewer))
                @if token_in_link {
                    input type="hidden" name="token" value=(form.token);
                } @else {
                    (input("token", "Reset code from the message", "text", &form.token, errors.get("token"), true, "one-time-code",
                        Some("Open the link in the reset message, or paste the code from it here.")))
                }
                (input("new_password", "New password", "password", "", errors.get("new_password"), true, "new-password",
                    Some("At least 10 characters.")))
                (input("confirm", "New password again", "password", "", errors.get("confirm"), true, "new-password", None))
                button type="submit" { "Change password" }
            }
            p { a href="/reset" { "Ask for a new reset link" } }
        },
    )
}

/// `?token=` of the reset link.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    /// The reset token.
    pub token: String,
}

async fn reset_confirm_page(viewer: Viewer, query: Result<Query<TokenQuery>, QueryRejection>) -> Response {
    let q = query_or_default(query);
    let in_link = !q.token.is_empty();
    let form = ResetConfirmForm { token: q.token, ..ResetConfirmForm::default() };
    let mut response = reset_confirm_view(&viewer, &form, &Errors::new(), in_link).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn reset_confirm_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<ResetConfirmForm>, FormRejection>,
) -> Response {
    let (mut form, mut errors) = form_or_default(form);
    let token_in_link =
        !form.token.is_empty() && form.token.len() == 64 && form.token.bytes().all(|b| b.is_ascii_hexdigit());
    if errors.is_empty() {
        if form.token.trim().is_empty() {
            errors.add("token", "paste the code from the reset message");
        }
        errors.check("new_password", validate_password(&form.new_password));
        if form.confirm != form.new_password {
            errors.add("confirm", "the two passwords differ");
        }
    }
    if !errors.is_empty() {
        return with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            reset_confirm_view(&viewer, &form, &errors, token_in_link),
        );
    }
    let password = std::mem::take(&mut form.new_password);
    match confirm_reset(&state, form.token.trim(), password).await {
        Ok(()) => see_other("/sign-in?done=reset"),
        Err(e) if e.code == "reset_token_invalid" => {
            errors.add("token", "This reset link is unknown, already used or expired. Ask for a new one.");
            with_status(StatusCode::UNPROCESSABLE_ENTITY, reset_confirm_view(&viewer, &form, &errors, token_in_link))
        }
        Err(e) if e.code == "validation_failed" => {
            errors.add("new_password", e.message);
            with_status(StatusCode::UNPROCESSABLE_ENTITY, reset_confirm_view(&viewer, &form, &errors, token_in_link))
        }
        Err(e) => error_page(&viewer, &e),
    }
}

// ---- account settings ----

/// The change-password form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    /// The current password.
    pub current: String,
    /// The new password.
    pub new_password: String,
    /// The new password again.
    pub confirm: String,
}

/// `?done=` notices of the account page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// Which change succeeded.
    pub done: String,
}

async fn account_view(state: &AppState, viewer: &Viewer, errors: &Errors, done: &str) -> ApiResult<Markup> {
    let user = viewer.user.as_ref().ok_or_else(ApiError::unauthenticated)?;
    let account = state.store.account(user.user_id).await?.ok_or_else(ApiError::unauthenticated)?;
    let mut organisations = Vec::new();
    for id in &user.organisations {
        if let Some(org) = state.store.organisation(*id).await? {
            organisations.push(org.name);
        }
    }
    Ok(page(
        viewer,
        "Account settings",
        html! {
            h1 { "Account settings" }
            @if done == "password" {
                (notice("Your password was changed. Your other sessions were signed out."))
            }
            section aria-labelledby="profile-h" {
                h2 #profile-h { "Profile" }
                dl.facts {
                    dt { "Handle" } dd { (account.user.handle) }
                    dt { "Display name" } dd { (account.user.display_name) }
                    dt { "E-mail address" } dd { (account.email) }
                    dt { "Role" } dd { (account.role.as_str()) }
                    dt { "Organisations" }
                    dd {
                        @if organisations.is_empty() { span.muted { "None" } }
                        @else { (organisations.join(", ")) }
                    }
                    dt { "Member since" } dd { (time(account.user.created_at)) }
                }
                p.muted { "To change your handle, name or e-mail address, ask an administrator." }
            }
            section aria-labelledby="password-h" {
                h2 #password-h { "Change password" }
                (form_problem(errors))
                form.stack method="post" action="/account/password" novalidate {
                    (csrf_input(viewer))
                    (input("current", "Current password", "password", "", errors.get("current"), true, "current-password", None))
                    (input("new_password", "New password", "password", "", errors.get("new_password"), true, "new-password",
                        Some("At least 10 characters.")))
                    (input("confirm", "New password again", "password", "", errors.get("confirm"), true, "new-password", None))
                    button type="submit" { "Change password" }
                }
            }
            section aria-labelledby="more-h" {
                h2 #more-h { "More" }
                ul {
                    li { a href="/keys" { "API keys" } " for bots and scripts" }
                }
            }
        },
    ))
}

async fn account_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    match account_view(&state, &viewer, &Errors::new(), &q.done).await {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}

async fn password_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let (mut form, mut errors) = form_or_default(form);
    if errors.is_empty() {
        if form.current.is_empty() {
            errors.add("current", "enter your current password");
        }
        errors.check("new_password", validate_password(&form.new_password));
        if form.confirm != form.new_password {
            errors.add("confirm", "the two passwords differ");
        }
    }
    let rerender = |status: StatusCode, errors: Errors| {
        let state = state.clone();
        let viewer = viewer.clone();
        async move {
            match account_view(&state, &viewer, &errors, "").await {
                Ok(markup) => with_status(status, markup),
                Err(e) => error_page(&viewer, &e),
            }
        }
    };
    if !errors.is_empty() {
        return rerender(StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    }
    let user = match caller.user() {
        Ok(u) => u,
        Err(e) => return error_page(&viewer, &e),
    };
    let current = std::mem::take(&mut form.current);
    let new_password = std::mem::take(&mut form.new_password);
    match change_password(&state, user, ip, current, new_password).await {
        Ok(session) => {
            let secure = secure_request(&state.config, &headers);
            match session_cookie(&session.token, state.config.session_ttl_secs, secure) {
                Ok(cookie) => {
                    let mut response = see_other("/account?done=password");
                    response.headers_mut().insert(header::SET_COOKIE, cookie);
                    response
                }
                Err(e) => error_page(&viewer, &e),
            }
        }
        Err(e) => {
            let status = e.status;
            match e.code.as_str() {
                "wrong_password" => errors.add("current", "this is not your current password"),
                "validation_failed" => errors.add("new_password", e.message),
                "rate_limited" => errors.add(
                    "",
                    format!(
                        "Too many wrong passwords. Try again in about {} minutes.",
                        e.retry_after.unwrap_or(60).div_ceil(60)
                    ),
                ),
                _ => return error_page(&viewer, &e),
            }
            rerender(status, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/lobby"), Some("/lobby"));
        assert_eq!(safe_next("/tournaments/1?tab=rules"), Some("/tournaments/1?tab=rules"));
        for bad in ["", "lobby", "//evil.example", "/\\evil.example", "https://evil.example", "/a b", "/\n", "\\/x"] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn errors_keep_the_first_message_per_field() {
        let mut e = Errors::new();
        e.add("a", "one");
        e.add("a", "two");
        assert_eq!(e.get("a"), Some("one"));
        assert!(e.general().is_none());
        assert_eq!(e.check::<()>("b", Err("bad".into())), None);
        assert_eq!(e.get("b"), Some("bad"));
    }
}
