//! The frame of every page: head, navigation for the caller's role, main content, footer;
//! plus small building blocks (times, money, form fields with their errors, empty states).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::identity::{Caller, Principal, UserPrincipal};
use bullpen_domain::Ts;
use bullpen_store::Role;

/// Who is looking at a page.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The signed-in user, if any.
    pub user: Option<UserPrincipal>,
}

impl Viewer {
    /// The CSRF token for forms (empty when signed out).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map(|u| u.csrf_token.as_str()).unwrap_or_default()
    }

    /// Whether the viewer is an admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Viewer { user: if let Principal::User(u) = caller.0 { Some(u) } else { None } })
    }
}

/// A whole page. `title` names the page (the document title is "title · Bullpen"); the body
/// must start its headings at `h1`.
pub fn page(viewer: &Viewer, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Bullpen" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    nav aria-label="Main" {
                        a.brand href="/" { "Bullpen" }
                        ul {
                            li { a href="/lobby" { "Tournaments" } }
                            @if let Some(user) = &viewer.user {
                                li { a href="/portfolio" { "Portfolio" } }
                                li { a href="/orders" { "Orders" } }
                                li { a href="/reports" { "Reports" } }
                                li { a href="/keys" { "API keys" } }
                                @if user.role == Role::Admin {
                                    li { a href="/admin" { "Admin" } }
                                }
                                li { a href="/account" { (user.handle) } }
                                li {
                                    form method="post" action="/sign-out" {
                                        input type="hidden" name="_csrf" value=(viewer.csrf());
                                        button.link type="submit" { "Sign out" }
                                    }
                                }
                            } @else {
                                li { a href="/sign-in" { "Sign in" } }
                                li { a.button href="/sign-up" { "Sign up" } }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.site { p { "Bullpen — virtual cash, real markets. Prices may be delayed or simulated." } }
            }
        }
    }
}

/// A time, rendered in UTC and shown in the viewer's time zone by the page script.
pub fn time(ts: Ts) -> Markup {
    let iso = chrono::DateTime::from_timestamp_micros(ts.0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let text = chrono::DateTime::from_timestamp_micros(ts.0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    html! { time datetime=(iso) data-local="" { (text) } }
}

/// An empty state: what is missing and what to do next.
pub fn empty(message: &str, action: Option<(&str, &str)>) -> Markup {
    html! {
        div.empty {
            p { (message) }
            @if let Some((href, label)) = action {
                a.button href=(href) { (label) }
            }
        }
    }
}

/// A labelled form field with its error beside it (`aria-describedby` ties them together).
pub fn field(name: &str, label: &str, kind: &str, value: &str, error: Option<&str>, required: bool) -> Markup {
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(kind) value=(value) required[required]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())];
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e) }
            }
        }
    }
}

/// The hidden CSRF input every signed-in form carries.
pub fn csrf_input(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="_csrf" value=(viewer.csrf()); }
}

/// Inline SVG produced by our chart code (already escaped by it).
pub fn svg(markup: String) -> Markup {
    PreEscaped(markup)
}
