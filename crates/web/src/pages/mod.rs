//! Server-rendered HTML pages (maud templates, checked at compile time).
//!
//! Pages use the same services as the JSON API and the same authorisation: every page route
//! is registered through [`crate::routes::Routes`] with an access rule. A signed-out visitor
//! who opens a page that needs an account is sent to the sign-in page (see
//! [`crate::authorize`]). Forms post `application/x-www-form-urlencoded` with a hidden `_csrf`
//! field; the small script in `static/app.js` adds live updates, local times and chart hover.

pub mod account;
pub mod admin;
pub mod anomalies_view;
pub mod assets;
pub mod challenge;
pub mod dashboard;
pub mod home;
pub mod instrument;
pub mod keys;
pub mod layout;
pub mod leagues;
pub mod lobby;
pub mod orders;
pub mod player;
pub mod portfolio;
pub mod reports;
pub mod tournament;
pub mod trade;

use crate::routes::Routes;

/// Every page route.
pub fn routes() -> Routes {
    Routes::new()
        .merge(assets::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(keys::routes())
        .merge(admin::routes())
        .merge(lobby::routes())
        .merge(tournament::routes())
        .merge(leagues::routes())
        .merge(trade::routes())
        .merge(portfolio::routes())
        .merge(orders::routes())
        .merge(instrument::routes())
        .merge(player::routes())
        .merge(dashboard::routes())
        .merge(reports::routes())
}
