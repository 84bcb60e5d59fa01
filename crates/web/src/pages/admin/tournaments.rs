//! Admin pages for tournaments: the list, creating one with every rule of
//! [`TournamentRules`] (and the objectives of an evaluation challenge), editing a draft or a
//! tournament open for registration, and moving a tournament through its lifecycle.
//!
//! Each field is parsed on its own so its error shows beside it; ranges are checked by the
//! domain's own validation ([`validate_rules`], [`validate_challenge_rules`]), applied field
//! by field so a failure is attributed to the field that caused it.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::lifecycle::{validate_challenge_rules, validate_rules, validate_tournament_name};
use bullpen_domain::{
    ChallengeRules, MarginRules, Money, Price, ScoringMethod, Symbol, Tournament, TournamentId, TournamentKind,
    TournamentRules, TournamentState, Universe,
};
use bullpen_store::NewTournament;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use super::admin_nav;
use crate::api::admin::{edit_tournament, move_tournament, new_tournament};
use crate::api::tournaments::entry_count;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::pages::account::{
    error_page, form_or_default, form_problem, input, notice, query_or_default, see_other, with_status, Errors,
};
use crate::pages::layout::{csrf_input, empty, field, page, time, Viewer};
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// The tournament admin routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/tournaments", ADMIN, get(list_page))
        .get("/admin/tournaments/new", ADMIN, get(new_page))
        .post("/admin/tournaments/new", ADMIN, post(create_submit))
        .get("/admin/tournaments/{tournament_id}", ADMIN, get(edit_page))
        .post("/admin/tournaments/{tournament_id}", ADMIN, post(edit_submit))
        .post("/admin/tournaments/{tournament_id}/state", ADMIN, post(state_submit))
}

/// Every field of the tournament form, as typed (so a re-rendered form shows what was sent).
/// Checkboxes are present (`Some`) when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TournamentForm {
    /// Name.
    pub name: String,
    /// `ad_hoc` or `challenge` (creation only).
    pub kind: String,
    /// `draft` or `registration` (creation only).
    pub state: String,
    /// First trading day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last trading day.
    pub ends_on: String,
    /// Starting cash, dollars.
    pub starting_cash: String,
    /// Commission per fill, dollars.
    pub commission_per_trade: String,
    /// Commission per share, dollars.
    pub commission_per_share: String,
    /// Commission, basis points of the notional.
    pub commission_bps: String,
    /// Minimum commission per fill, dollars.
    pub commission_minimum: String,
    /// `all`, `symbols` or `sectors`.
    pub universe_kind: String,
    /// Symbols or sectors, separated by commas or new lines.
    pub universe_values: String,
    /// Short selling allowed.
    pub short_selling: Option<String>,
    /// Minimum price to open a short, dollars.
    pub short_min_price: String,
    /// Borrow fee per year, basis points.
    pub borrow_fee_bps_per_year: String,
    /// Margin allowed.
    pub margin: Option<String>,
    /// Buying power multiple, basis points.
    pub margin_multiple_bps: String,
    /// Margin interest per year, basis points.
    pub margin_interest_bps: String,
    /// Largest position, basis points of equity (blank: no limit).
    pub max_position_weight_bps: String,
    /// Minimum share price to buy, dollars (blank: none).
    pub min_share_price: String,
    /// Most orders per day (blank: no limit).
    pub max_orders_per_day: String,
    /// Quote delay, seconds.
    pub quote_delay_seconds: String,
    /// Minimum holding time, seconds.
    pub min_holding_seconds: String,
    /// Late entry allowed.
    pub late_entry: Option<String>,
    /// Slippage of market orders, basis points.
    pub slippage_bps: String,
    /// Volume cap, basis points of the day's volume (blank: none).
    pub volume_cap_bps: String,
    /// `total_return`, `sharpe`, `sortino` or `drawdown_penalised`.
    pub scoring: String,
    /// Drawdown penalty, basis points (drawdown-penalised scoring only).
    pub penalty_bps: String,
    /// Challenge: profit target, basis points.
    pub profit_target_bps: String,
    /// Challenge: largest daily loss, basis points.
    pub max_daily_loss_bps: String,
    /// Challenge: largest total loss, basis points.
    pub max_total_loss_bps: String,
    /// Challenge: total loss measured from the high-water mark.
    pub trailing_total_loss: Option<String>,
    /// Challenge: days with a trade needed.
    pub min_trading_days: String,
    /// Challenge: largest share of profit from the best day, basis points (blank: none).
    pub max_best_day_share_bps: String,
}

fn on(b: bool) -> Option<String> {
    b.then(|| "on".to_string())
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl TournamentForm {
    /// The form showing a tournament's current values (or the defaults for a new one).
    pub fn of(name: &str, dates: (NaiveDate, NaiveDate), r: &TournamentRules, c: Option<&ChallengeRules>) -> Self {
        let (universe_kind, universe_values) = match &r.universe {
            Universe::All => ("all", String::new()),
            Universe::Symbols(s) => ("symbols", s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
            Universe::Sectors(s) => ("sectors", s.join("\n")),
        };
        let (scoring, penalty) = match r.scoring {
            ScoringMethod::TotalReturn => ("total_return", None),
            ScoringMethod::Sharpe => ("sharpe", None),
            ScoringMethod::Sortino => ("sortino", None),
            ScoringMethod::DrawdownPenalised { penalty_bps } => ("drawdown_penalised", Some(penalty_bps)),
        };
        let default_challenge = ChallengeRules::default();
        let ch = c.unwrap_or(&default_challenge);
        TournamentForm {
            name: name.to_string(),
            kind: if c.is_some() { "challenge" } else { "ad_hoc" }.into(),
            state: "draft".into(),
            starts_on: dates.0.format("%Y-%m-%d").to_string(),
            ends_on: dates.1.format("%Y-%m-%d").to_string(),
            starting_cash: r.starting_cash.to_string(),
            commission_per_trade: r.commission.per_trade.to_string(),
            commission_per_share: r.commission.per_share.to_string(),
            commission_bps: r.commission.bps.to_string(),
            commission_minimum: r.commission.minimum.to_string(),
            universe_kind: universe_kind.into(),
            universe_values,
            short_selling: on(r.short_selling),
            short_min_price: r.short_min_price.to_string(),
            borrow_fee_bps_per_year: r.borrow_fee_bps_per_year.to_string(),
            margin: on(r.margin.is_some()),
            margin_multiple_bps: r.margin.as_ref().map_or(20_000, |m| m.buying_power_multiple_bps).to_string(),
            margin_interest_bps: r.margin.as_ref().map_or(0, |m| m.interest_bps_per_year).to_string(),
            max_position_weight_bps: opt(r.max_position_weight_bps),
            min_share_price: opt(r.min_share_price),
            max_orders_per_day: opt(r.max_orders_per_day),
            quote_delay_seconds: r.quote_delay_seconds.to_string(),
            min_holding_seconds: r.min_holding_seconds.to_string(),
            late_entry: on(r.late_entry),
            slippage_bps: r.slippage_bps.to_string(),
            volume_cap_bps: opt(r.volume_cap_bps),
            scoring: scoring.into(),
            penalty_bps: opt(penalty),
            profit_target_bps: ch.profit_target_bps.to_string(),
            max_daily_loss_bps: ch.max_daily_loss_bps.to_string(),
            max_total_loss_bps: ch.max_total_loss_bps.to_string(),
            trailing_total_loss: on(ch.trailing_total_loss),
            min_trading_days: ch.min_trading_days.to_string(),
            max_best_day_share_bps: opt(ch.max_best_day_share_bps),
        }
    }

    fn is_challenge(&self) -> bool {
        self.kind == "challenge"
    }
}

// ---- parsing, one field at a time ----

fn money(text: &str) -> Result<Money, String> {
    parse_amount(text).map(Money)
}

fn price(text: &str) -> Result<Price, String> {
    parse_amount(text).map(Price)
}

/// A non-negative dollar amount with at most 4 decimals, exactly (no floats).
fn parse_amount(text: &str) -> Result<i64, String> {
    let t = text.trim().trim_start_matches('$').replace(',', "");
    crate::api::common::parse_money("amount", &t)
        .map(|m| m.0)
        .map_err(|_| "enter an amount in dollars such as 100000 or 2.50 (at most 4 decimals)".to_string())
}

fn whole(text: &str) -> Result<i64, String> {
    text.trim().parse::<i64>().map_err(|_| "enter a whole number".to_string())
}

fn optional<T>(text: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| "enter a date as YYYY-MM-DD".to_string())
}

fn list(text: &str) -> Vec<String> {
    text.split([',', '\n', '\r']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A change to rules, attributed to one form field.
type Step<'a, R> = (&'static str, Box<dyn Fn(&mut R) + 'a>);

/// Parses every rule field; `None` when one does not parse. Range errors of the domain
/// validation are recorded beside their fields (the caller checks `errors` before using the
/// rules).
fn parse_rules(f: &TournamentForm, errors: &mut Errors) -> Option<TournamentRules> {
    let starting_cash = errors.check("starting_cash", money(&f.starting_cash));
    let per_trade = errors.check("commission_per_trade", money(&f.commission_per_trade));
    let per_share = errors.check("commission_per_share", money(&f.commission_per_share));
    let commission_bps = errors.check("commission_bps", whole(&f.commission_bps));
    let minimum = errors.check("commission_minimum", money(&f.commission_minimum));
    let universe = errors.check(
        "universe_values",
        match f.universe_kind.as_str() {
            "" | "all" => Ok(Universe::All),
            "symbols" => list(&f.universe_values)
                .iter()
                .map(|s| Symbol::parse(s).map_err(|_| format!("`{s}` is not a valid symbol")))
                .collect::<Result<Vec<_>, _>>()
                .map(Universe::Symbols),
            "sectors" => {
                let sectors = list(&f.universe_values);
                if sectors.iter().any(|s| s.chars().count() > 100) {
                    Err("sectors are at most 100 characters each".to_string())
                } else {
                    Ok(Universe::Sectors(sectors))
                }
            }
            _ => Err("choose all instruments, listed symbols or listed sectors".to_string()),
        },
    );
    let short_min_price = errors.check("short_min_price", price(&f.short_min_price));
    let borrow_fee = errors.check("borrow_fee_bps_per_year", whole(&f.borrow_fee_bps_per_year));
    let margin = if f.margin.is_some() {
        let multiple = errors.check("margin_multiple_bps", whole(&f.margin_multiple_bps));
        let interest = errors.check("margin_interest_bps", whole(&f.margin_interest_bps));
        match (multiple, interest) {
            (Some(m), Some(i)) => Some(Some(MarginRules { buying_power_multiple_bps: m, interest_bps_per_year: i })),
            _ => None,
        }
    } else {
        Some(None)
    };
    let max_weight = errors.check("max_position_weight_bps", optional(&f.max_position_weight_bps, whole));
    let min_share_price = errors.check("min_share_price", optional(&f.min_share_price, price));
    let max_orders = errors.check(
        "max_orders_per_day",
        optional(&f.max_orders_per_day, |t| {
            t.trim().parse::<u32>().map_err(|_| "enter a whole number of orders, at least 1".to_string())
        }),
    );
    let quote_delay = errors.check("quote_delay_seconds", whole(&f.quote_delay_seconds));
    let min_holding = errors.check("min_holding_seconds", whole(&f.min_holding_seconds));
    let slippage = errors.check("slippage_bps", whole(&f.slippage_bps));
    let volume_cap = errors.check("volume_cap_bps", optional(&f.volume_cap_bps, whole));
    let scoring = errors.check(
        "scoring",
        match f.scoring.as_str() {
            "" | "total_return" => Ok(ScoringMethod::TotalReturn),
            "sharpe" => Ok(ScoringMethod::Sharpe),
            "sortino" => Ok(ScoringMethod::Sortino),
            "drawdown_penalised" => Ok(ScoringMethod::DrawdownPenalised { penalty_bps: 0 }),
            _ => Err("choose a scoring method".to_string()),
        },
    );
    let penalty = if matches!(scoring, Some(ScoringMethod::DrawdownPenalised { .. })) {
        errors.check("penalty_bps", whole(&f.penalty_bps))
    } else {
        Some(0)
    };
    let (
        Some(starting_cash),
        Some(per_trade),
        Some(per_share),
        Some(commission_bps),
        Some(minimum),
        Some(universe),
        Some(short_min_price),
        Some(borrow_fee),
        Some(margin),
        Some(max_weight),
        Some(min_share_price),
        Some(max_orders),
        Some(quote_delay),
        Some(min_holding),
        Some(slippage),
        Some(volume_cap),
        Some(scoring),
        Some(penalty),
    ) = (
        starting_cash,
        per_trade,
        per_share,
        commission_bps,
        minimum,
        universe,
        short_min_price,
        borrow_fee,
        margin,
        max_weight,
        min_share_price,
        max_orders,
        quote_delay,
        min_holding,
        slippage,
        volume_cap,
        scoring,
        penalty,
    )
    else {
        return None;
    };
    let scoring = match scoring {
        ScoringMethod::DrawdownPenalised { .. } => ScoringMethod::DrawdownPenalised { penalty_bps: penalty },
        other => other,
    };
    let short_selling = f.short_selling.is_some();
    let late_entry = f.late_entry.is_some();
    let steps: Vec<Step<'_, TournamentRules>> = vec![
        ("starting_cash", Box::new(move |r| r.starting_cash = starting_cash)),
        ("commission_per_trade", Box::new(move |r| r.commission.per_trade = per_trade)),
        ("commission_per_share", Box::new(move |r| r.commission.per_share = per_share)),
        ("commission_bps", Box::new(move |r| r.commission.bps = commission_bps)),
        ("commission_minimum", Box::new(move |r| r.commission.minimum = minimum)),
        ("universe_values", Box::new(move |r| r.universe = universe.clone())),
        ("short_selling", Box::new(move |r| r.short_selling = short_selling)),
        ("short_min_price", Box::new(move |r| r.short_min_price = short_min_price)),
        ("borrow_fee_bps_per_year", Box::new(move |r| r.borrow_fee_bps_per_year = borrow_fee)),
        ("margin_multiple_bps", Box::new(move |r| r.margin = margin.clone())),
        ("max_position_weight_bps", Box::new(move |r| r.max_position_weight_bps = max_weight)),
        ("min_share_price", Box::new(move |r| r.min_share_price = min_share_price)),
        ("max_orders_per_day", Box::new(move |r| r.max_orders_per_day = max_orders)),
        ("quote_delay_seconds", Box::new(move |r| r.quote_delay_seconds = quote_delay)),
        ("min_holding_seconds", Box::new(move |r| r.min_holding_seconds = min_holding)),
        ("late_entry", Box::new(move |r| r.late_entry = late_entry)),
        ("slippage_bps", Box::new(move |r| r.slippage_bps = slippage)),
        ("volume_cap_bps", Box::new(move |r| r.volume_cap_bps = volume_cap)),
        ("penalty_bps", Box::new(move |r| r.scoring = scoring)),
    ];
    Some(validate_steps(steps, |r: &TournamentRules| validate_rules(r).map_err(|e| e.to_string()), errors))
}

/// Applies the steps in order, each onto the rules accepted so far, and validates after each:
/// a step that makes the rules invalid is reported on its field and skipped, so every field is
/// still checked and each error names the field that caused it.
fn validate_steps<R: Default + Clone>(
    steps: Vec<Step<'_, R>>,
    validate: impl Fn(&R) -> Result<(), String>,
    errors: &mut Errors,
) -> R {
    let mut accepted = R::default();
    for (field, step) in steps {
        let mut candidate = accepted.clone();
        step(&mut candidate);
        match validate(&candidate) {
            Ok(()) => accepted = candidate,
            Err(e) => errors.add(field, e),
        }
    }
    accepted
}

/// Parses the challenge objectives (range errors recorded beside their fields, like
/// [`parse_rules`]); `calendar_days` bounds the minimum trading days.
fn parse_challenge(f: &TournamentForm, calendar_days: i64, errors: &mut Errors) -> Option<ChallengeRules> {
    let target = errors.check("profit_target_bps", whole(&f.profit_target_bps));
    let daily = errors.check("max_daily_loss_bps", whole(&f.max_daily_loss_bps));
    let total = errors.check("max_total_loss_bps", whole(&f.max_total_loss_bps));
    let days = errors.check(
        "min_trading_days",
        f.min_trading_days.trim().parse::<u32>().map_err(|_| "enter a whole number of days".to_string()),
    );
    let best = errors.check("max_best_day_share_bps", optional(&f.max_best_day_share_bps, whole));
    let trailing = f.trailing_total_loss.is_some();
    let (Some(target), Some(daily), Some(total), Some(days), Some(best)) = (target, daily, total, days, best) else {
        return None;
    };
    let steps: Vec<Step<'_, ChallengeRules>> = vec![
        ("profit_target_bps", Box::new(move |c| c.profit_target_bps = target)),
        ("max_daily_loss_bps", Box::new(move |c| c.max_daily_loss_bps = daily)),
        ("max_total_loss_bps", Box::new(move |c| c.max_total_loss_bps = total)),
        ("trailing_total_loss", Box::new(move |c| c.trailing_total_loss = trailing)),
        ("min_trading_days", Box::new(move |c| c.min_trading_days = days)),
        ("max_best_day_share_bps", Box::new(move |c| c.max_best_day_share_bps = best)),
    ];
    Some(validate_steps(
        steps,
        |c: &ChallengeRules| validate_challenge_rules(c, calendar_days).map_err(|e| e.to_string()),
        errors,
    ))
}

/// What a valid form describes.
struct Parsed {
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    rules: TournamentRules,
    challenge: Option<ChallengeRules>,
}

fn parse_form(f: &TournamentForm, errors: &mut Errors) -> Option<Parsed> {
    let name = f.name.trim().to_string();
    errors.check("name", validate_tournament_name(&name).map_err(|e| e.to_string()));
    let starts_on = errors.check("starts_on", date(&f.starts_on));
    let mut ends_on = errors.check("ends_on", date(&f.ends_on));
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        if e < s {
            errors.add("ends_on", "the last day must not be before the first day");
            ends_on = None;
        }
    }
    let rules = parse_rules(f, errors);
    let calendar_days = match (starts_on, ends_on) {
        (Some(s), Some(e)) => e.signed_duration_since(s).num_days().saturating_add(1),
        _ => i64::MAX,
    };
    let challenge = if f.is_challenge() { parse_challenge(f, calendar_days, errors).map(Some) } else { Some(None) };
    match (starts_on, ends_on, rules, challenge) {
        (Some(starts_on), Some(ends_on), Some(rules), Some(challenge)) if errors.is_empty() => {
            Some(Parsed { name, starts_on, ends_on, rules, challenge })
        }
        _ => None,
    }
}

// ---- views ----

/// A `<select>` with its label and error.
fn select(name: &str, label: &str, options: &[(&str, &str)], value: &str, error: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] {
                @for (v, l) in options {
                    option value=(v) selected[*v == value] { (l) }
                }
            }
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e) }
            }
        }
    }
}

/// A checkbox with its label and error.
fn checkbox(name: &str, label: &str, checked: bool, error: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field.check.has-error[error.is_some()] {
            label for=(id) {
                input id=(id) type="checkbox" name=(name) checked[checked];
                " " (label)
            }
            @if let Some(e) = error {
                p.error role="alert" { (e) }
            }
        }
    }
}

/// A field with a hint below it (tied to the input with `aria-describedby`).
fn hinted(name: &str, label: &str, kind: &str, value: &str, error: Option<&str>, hint: &str) -> Markup {
    input(name, label, kind, value, error, false, "off", Some(hint))
}

fn state_label(s: TournamentState) -> &'static str {
    match s {
        TournamentState::Draft => "Draft",
        TournamentState::Registration => "Open for registration",
        TournamentState::Running => "Running",
        TournamentState::Finished => "Finished",
        TournamentState::Archived => "Archived",
    }
}

fn kind_label(k: TournamentKind) -> &'static str {
    match k {
        TournamentKind::Season => "Season",
        TournamentKind::AdHoc => "Ad hoc",
        TournamentKind::Challenge => "Evaluation challenge",
    }
}

/// The rule fields, grouped. `creating` adds kind and initial state.
fn form_fields(f: &TournamentForm, errors: &Errors, creating: bool, kind: Option<TournamentKind>) -> Markup {
    let e = |name: &str| errors.get(name);
    let show_challenge = creating || kind == Some(TournamentKind::Challenge);
    html! {
        fieldset {
            legend { "Tournament" }
            (field("name", "Name", "text", &f.name, e("name"), true))
            @if creating {
                (select("kind", "Kind", &[("ad_hoc", "Ad hoc tournament"), ("challenge", "Evaluation challenge")], &f.kind, e("kind")))
                (select("state", "Create as", &[("draft", "Draft (only admins see it)"), ("registration", "Open for registration now")], &f.state, e("state")))
            }
            (field("starts_on", "First trading day", "date", &f.starts_on, e("starts_on"), true))
            (field("ends_on", "Last trading day", "date", &f.ends_on, e("ends_on"), true))
        }
        fieldset {
            legend { "Cash and costs" }
            (hinted("starting_cash", "Starting cash ($)", "text", &f.starting_cash, e("starting_cash"), "Each entry starts with this much virtual cash."))
            (hinted("commission_per_trade", "Commission per fill ($)", "text", &f.commission_per_trade, e("commission_per_trade"), "Flat amount per fill."))
            (hinted("commission_per_share", "Commission per share ($)", "text", &f.commission_per_share, e("commission_per_share"), "Amount per share filled."))
            (hinted("commission_bps", "Commission (basis points)", "number", &f.commission_bps, e("commission_bps"), "Of the fill's value; 100 = 1 %. All parts add up."))
            (hinted("commission_minimum", "Minimum commission ($)", "text", &f.commission_minimum, e("commission_minimum"), "Per fill, when any commission is due."))
            (hinted("slippage_bps", "Slippage of market orders (basis points)", "number", &f.slippage_bps, e("slippage_bps"), "Market orders fill this much worse than the market price."))
            (hinted("volume_cap_bps", "Volume cap (basis points)", "number", &f.volume_cap_bps, e("volume_cap_bps"), "Largest share of the day's volume one fill may take; blank for none."))
        }
        fieldset {
            legend { "What may be traded" }
            (select("universe_kind", "Universe", &[("all", "Every active instrument"), ("symbols", "Only the symbols listed"), ("sectors", "Only the sectors listed")], &f.universe_kind, e("universe_kind")))
            div.field.has-error[e("universe_values").is_some()] {
                label for="f-universe_values" { "Symbols or sectors" }
                textarea #f-universe_values name="universe_values" rows="3"
                    aria-invalid=[e("universe_values").map(|_| "true")]
                    aria-describedby=(if e("universe_values").is_some() { "f-universe_values-hint f-universe_values-error" } else { "f-universe_values-hint" }) {
                    (f.universe_values)
                }
                p.hint.muted #f-universe_values-hint { "Separated by commas or new lines; ignored for every instrument." }
                @if let Some(err) = e("universe_values") {
                    p.error #f-universe_values-error role="alert" { (err) }
                }
            }
            (hinted("min_share_price", "Minimum share price to buy ($)", "text", &f.min_share_price, e("min_share_price"), "Blank for none."))
            (hinted("max_position_weight_bps", "Largest position (basis points of equity)", "number", &f.max_position_weight_bps, e("max_position_weight_bps"), "5000 = 50 %; blank for no limit."))
            (hinted("max_orders_per_day", "Most orders per day", "number", &f.max_orders_per_day, e("max_orders_per_day"), "Per entry and trading day; blank for no limit."))
            (hinted("min_holding_seconds", "Minimum holding time (seconds)", "number", &f.min_holding_seconds, e("min_holding_seconds"), "A lot must be held this long before it is closed."))
            (hinted("quote_delay_seconds", "Quote delay (seconds)", "number", &f.quote_delay_seconds, e("quote_delay_seconds"), "Players see (and orders are checked against) quotes this old; at most 86400."))
            (checkbox("late_entry", "Players may join after the start", f.late_entry.is_some(), e("late_entry")))
        }
        fieldset {
            legend { "Short selling and margin" }
            (checkbox("short_selling", "Short selling allowed", f.short_selling.is_some(), e("short_selling")))
            (hinted("short_min_price", "Minimum price to open a short ($)", "text", &f.short_min_price, e("short_min_price"), "Stocks below this price cannot be shorted."))
            (hinted("borrow_fee_bps_per_year", "Borrow fee (basis points per year)", "number", &f.borrow_fee_bps_per_year, e("borrow_fee_bps_per_year"), "Charged daily on the value of short positions."))
            (checkbox("margin", "Margin allowed", f.margin.is_some(), e("margin")))
            (hinted("margin_multiple_bps", "Buying power (basis points of equity)", "number", &f.margin_multiple_bps, e("margin_multiple_bps"), "With margin: 20000 = 2× equity, from 10000 to 100000."))
            (hinted("margin_interest_bps", "Margin interest (basis points per year)", "number", &f.margin_interest_bps, e("margin_interest_bps"), "Charged daily on borrowed cash."))
        }
        fieldset {
            legend { "Ranking" }
            (select("scoring", "Scoring method", &[("total_return", "Total return"), ("sharpe", "Sharpe ratio"), ("sortino", "Sortino ratio"), ("drawdown_penalised", "Return minus drawdown penalty")], &f.scoring, e("scoring")))
            (hinted("penalty_bps", "Drawdown penalty (basis points)", "number", &f.penalty_bps, e("penalty_bps"), "Only for “return minus drawdown penalty”: 10000 subtracts the full maximum drawdown."))
        }
        @if show_challenge {
            fieldset data-challenge="" {
                legend { "Evaluation challenge objectives" }
                @if creating {
                    p.hint.muted { "Used only when the kind is an evaluation challenge." }
                }
                (hinted("profit_target_bps", "Profit target (basis points)", "number", &f.profit_target_bps, e("profit_target_bps"), "1000 = 10 %."))
                (hinted("max_daily_loss_bps", "Largest daily loss (basis points)", "number", &f.max_daily_loss_bps, e("max_daily_loss_bps"), "Of start-of-day equity, open losses included."))
                (hinted("max_total_loss_bps", "Largest total loss (basis points)", "number", &f.max_total_loss_bps, e("max_total_loss_bps"), "Of starting cash (or the high-water mark when trailing)."))
                (checkbox("trailing_total_loss", "Measure the total loss from the high-water mark", f.trailing_total_loss.is_some(), e("trailing_total_loss")))
                (hinted("min_trading_days", "Minimum trading days", "number", &f.min_trading_days, e("min_trading_days"), "Days with at least one trade needed to pass."))
                (hinted("max_best_day_share_bps", "Best day's largest share of profit (basis points)", "number", &f.max_best_day_share_bps, e("max_best_day_share_bps"), "Consistency rule; blank for none."))
            }
        }
    }
}

fn new_view(viewer: &Viewer, f: &TournamentForm, errors: &Errors) -> Markup {
    page(
        viewer,
        "New tournament",
        html! {
            (admin_nav("/admin/tournaments"))
            h1 { "New tournament" }
            (form_problem(errors))
            @if !errors.is_empty() && errors.general().is_none() {
                p.notice.bad role="alert" { "Some fields need attention; each problem is shown beside its field." }
            }
            form.stack.rules method="post" action="/admin/tournaments/new" novalidate {
                (csrf_input(viewer))
                (form_fields(f, errors, true, None))
                button type="submit" { "Create tournament" }
            }
        },
    )
}

/// Default dates of a new tournament: the next Monday for four weeks.
fn default_dates(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let days_to_monday = (7 - today.weekday().num_days_from_monday()) % 7;
    let start = today + chrono::Days::new(u64::from(if days_to_monday == 0 { 7 } else { days_to_monday }));
    (start, start + chrono::Days::new(25))
}

async fn new_page(State(state): State<AppState>, viewer: Viewer) -> Markup {
    let dates = default_dates(state.clock.now().date_utc());
    let form = TournamentForm::of("", dates, &TournamentRules::default(), None);
    new_view(&viewer, &TournamentForm { kind: "ad_hoc".into(), ..form }, &Errors::new())
}

async fn create_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    form: Result<Form<TournamentForm>, FormRejection>,
) -> Response {
    let (form, mut errors) = form_or_default(form);
    let actor = match caller.user() {
        Ok(u) => u.user_id,
        Err(e) => return error_page(&viewer, &e),
    };
    let kind = match form.kind.as_str() {
        "" | "ad_hoc" => Some(TournamentKind::AdHoc),
        "challenge" => Some(TournamentKind::Challenge),
        _ => None,
    };
    let initial = match form.state.as_str() {
        "" | "draft" => Some(TournamentState::Draft),
        "registration" => Some(TournamentState::Registration),
        _ => None,
    };
    if errors.is_empty() {
        if kind.is_none() {
            errors.add("kind", "choose ad hoc or evaluation challenge");
        }
        if initial.is_none() {
            errors.add("state", "choose draft or open for registration");
        }
    }
    let parsed = if errors.is_empty() { parse_form(&form, &mut errors) } else { None };
    let (Some(p), Some(kind), Some(initial)) = (parsed, kind, initial) else {
        return with_status(StatusCode::UNPROCESSABLE_ENTITY, new_view(&viewer, &form, &errors));
    };
    let new = NewTournament {
        name: p.name,
        kind,
        state: initial,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        rules: p.rules,
        challenge: p.challenge,
        created_at: state.clock.now(),
    };
    match new_tournament(&state, actor, new).await {
        Ok(t) => see_other(&format!("/admin/tournaments/{}?done=created", t.id.0)),
        Err(e) => {
            match e.code.as_str() {
                "conflict" => errors.add("name", "a tournament with this name exists; choose another name"),
                "validation_failed" => errors.add("", e.message),
                _ => return error_page(&viewer, &e),
            }
            with_status(StatusCode::UNPROCESSABLE_ENTITY, new_view(&viewer, &form, &errors))
        }
    }
}

// ---- list ----

async fn list_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let result: ApiResult<Vec<(Tournament, u64)>> = async {
        let mut all = state.store.tournaments().await?;
        all.sort_by_key(|t| std::cmp::Reverse(t.id));
        let mut rows = Vec::with_capacity(all.len());
        for t in all {
            let n = entry_count(&state, &t).await?;
            rows.push((t, n));
        }
        Ok(rows)
    }
    .await;
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => return error_page(&viewer, &e),
    };
    page(
        &viewer,
        "Tournaments — administration",
        html! {
            (admin_nav("/admin/tournaments"))
            h1 { "Tournaments" }
            p { a.button href="/admin/tournaments/new" { "New tournament" } }
            @if rows.is_empty() {
                (empty("No tournaments yet. Create the first one.", Some(("/admin/tournaments/new", "New tournament"))))
            } @else {
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Kind" }
                            th scope="col" { "State" }
                            th scope="col" { "Dates" }
                            th scope="col" class="num" { "Players" }
                        } }
                        tbody {
                            @for (t, n) in &rows {
                                tr {
                                    td { a href=(format!("/admin/tournaments/{}", t.id.0)) { (t.name) } }
                                    td { (kind_label(t.kind)) }
                                    td { span.badge { (state_label(t.state)) } }
                                    td { (t.starts_on.format("%Y-%m-%d").to_string()) " – " (t.ends_on.format("%Y-%m-%d").to_string()) }
                                    td.num { (n) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

// ---- edit and lifecycle ----

/// `?done=` notices of the edit page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// Which change succeeded.
    pub done: String,
}

/// The lifecycle form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StateForm {
    /// The state to move to.
    pub state: String,
}

fn editable(t: &Tournament) -> bool {
    matches!(t.state, TournamentState::Draft | TournamentState::Registration)
}

fn transition_label(to: TournamentState) -> (&'static str, Option<&'static str>) {
    match to {
        TournamentState::Registration => ("Open registration", None),
        TournamentState::Running => ("Start trading", Some("Start trading now? Players can trade at once.")),
        TournamentState::Finished => (
            "Finish and freeze standings",
            Some("Finish the tournament? Standings are frozen and trading stops for good."),
        ),
        TournamentState::Archived => ("Archive", Some("Archive the tournament? It leaves the lobby.")),
        TournamentState::Draft => ("Back to draft", None),
    }
}

async fn edit_view(
    state: &AppState,
    viewer: &Viewer,
    t: &Tournament,
    form: &TournamentForm,
    errors: &Errors,
    done: &str,
) -> ApiResult<Markup> {
    let players = entry_count(state, t).await?;
    let next: Vec<TournamentState> =
        [TournamentState::Registration, TournamentState::Running, TournamentState::Finished, TournamentState::Archived]
            .into_iter()
            .filter(|s| t.state.can_transition_to(*s))
            .collect();
    let can_edit = editable(t);
    Ok(page(
        viewer,
        &format!("{} — administration", t.name),
        html! {
            (admin_nav("/admin/tournaments"))
            h1 { (t.name) }
            @match done {
                "created" => (notice("The tournament was created.")),
                "saved" => (notice("The changes were saved.")),
                "state" => (notice(&format!("The tournament is now {}.", state_label(t.state).to_lowercase()))),
                _ => {}
            }
            dl.facts {
                dt { "Kind" } dd { (kind_label(t.kind)) }
                dt { "State" } dd { span.badge { (state_label(t.state)) } }
                dt { "Players" } dd { (players) }
                dt { "Created" } dd { (time(t.created_at)) }
                dt { "Public page" } dd { a href=(format!("/tournaments/{}", t.id.0)) { "Open the tournament page" } }
            }
            section aria-labelledby="life-h" {
                h2 #life-h { "Lifecycle" }
                p.muted { "Draft → open for registration → running → finished → archived. A draft can also be archived." }
                @if let Some(e) = errors.get("lifecycle") {
                    p.notice.bad role="alert" { (e) }
                }
                @if next.is_empty() {
                    p { "This tournament is archived: nothing further can happen to it." }
                } @else {
                    div.actions {
                        @for to in &next {
                            @let (label, confirm) = transition_label(*to);
                            form.inline method="post" action=(format!("/admin/tournaments/{}/state", t.id.0)) data-confirm=[confirm] {
                                (csrf_input(viewer))
                                input type="hidden" name="state" value=(to.as_str());
                                button.secondary[*to != TournamentState::Archived].danger[*to == TournamentState::Archived] type="submit" { (label) }
                            }
                            " "
                        }
                    }
                }
            }
            section aria-labelledby="rules-h" {
                h2 #rules-h { "Rules" }
                @if !can_edit {
                    p.notice { "Rules can be changed only while the tournament is a draft or open for registration; they are shown read-only." }
                } @else if players > 0 {
                    p.muted { "Players have joined: the starting cash can no longer change." }
                }
                (form_problem(errors))
                @if !errors.is_empty() && errors.general().is_none() && errors.get("lifecycle").is_none() {
                    p.notice.bad role="alert" { "Some fields need attention; each problem is shown beside its field." }
                }
                form.stack.rules method="post" action=(format!("/admin/tournaments/{}", t.id.0)) novalidate {
                    (csrf_input(viewer))
                    fieldset.plain disabled[!can_edit] {
                        legend.visually-hidden { "Tournament rules" }
                        (form_fields(form, errors, false, Some(t.kind)))
                        @if can_edit {
                            button type="submit" { "Save changes" }
                        }
                    }
                }
            }
        },
    ))
}

async fn load(state: &AppState, id: i64) -> ApiResult<Tournament> {
    state
        .store
        .tournament(TournamentId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no tournament {id}.")))
}

fn form_of(t: &Tournament) -> TournamentForm {
    TournamentForm::of(&t.name, (t.starts_on, t.ends_on), &t.rules, t.challenge.as_ref())
}

async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    let result = async {
        let t = load(&state, id).await?;
        edit_view(&state, &viewer, &t, &form_of(&t), &Errors::new(), &q.done).await
    }
    .await;
    match result {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}

async fn edit_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    form: Result<Form<TournamentForm>, FormRejection>,
) -> Response {
    let (mut form, mut errors) = form_or_default(form);
    let t = match load(&state, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&viewer, &e),
    };
    let actor = match caller.user() {
        Ok(u) => u.user_id,
        Err(e) => return error_page(&viewer, &e),
    };
    // The kind is fixed once created: the challenge fields count only for challenges.
    form.kind = if t.kind == TournamentKind::Challenge { "challenge" } else { "ad_hoc" }.into();
    let rerender = |form: TournamentForm, errors: Errors, t: Tournament| {
        let state = state.clone();
        let viewer = viewer.clone();
        async move {
            match edit_view(&state, &viewer, &t, &form, &errors, "").await {
                Ok(markup) => with_status(StatusCode::UNPROCESSABLE_ENTITY, markup),
                Err(e) => error_page(&viewer, &e),
            }
        }
    };
    if !editable(&t) {
        errors.add("", "This tournament is no longer a draft or open for registration, so its rules cannot change.");
        return rerender(form_of(&t), errors, t).await;
    }
    let parsed = if errors.is_empty() { parse_form(&form, &mut errors) } else { None };
    let Some(p) = parsed else {
        return rerender(form, errors, t).await;
    };
    let edited = Tournament {
        name: p.name,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        rules: p.rules,
        challenge: p.challenge,
        ..t.clone()
    };
    match edit_tournament(&state, actor, edited).await {
        Ok(_) => see_other(&format!("/admin/tournaments/{id}?done=saved")),
        Err(e) => {
            match e.code.as_str() {
                "conflict" => errors.add("name", "a tournament with this name exists; choose another name"),
                "not_editable" if e.message.contains("starting cash") => {
                    errors.add("starting_cash", "players have joined, so the starting cash cannot change")
                }
                "not_editable" | "validation_failed" => errors.add("", e.message),
                _ => return error_page(&viewer, &e),
            }
            rerender(form, errors, t).await
        }
    }
}

async fn state_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    form: Result<Form<StateForm>, FormRejection>,
) -> Response {
    let (form, mut errors) = form_or_default(form);
    let t = match load(&state, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&viewer, &e),
    };
    let actor = match caller.user() {
        Ok(u) => u.user_id,
        Err(e) => return error_page(&viewer, &e),
    };
    let to = match form.state.as_str() {
        "draft" => Some(TournamentState::Draft),
        "registration" => Some(TournamentState::Registration),
        "running" => Some(TournamentState::Running),
        "finished" => Some(TournamentState::Finished),
        "archived" => Some(TournamentState::Archived),
        _ => None,
    };
    let outcome = match to {
        Some(to) if errors.is_empty() => move_tournament(&state, actor, t.id, to).await.map(|_| ()),
        _ => Err(ApiError::invalid("choose one of the lifecycle buttons")),
    };
    match outcome {
        Ok(()) => see_other(&format!("/admin/tournaments/{id}?done=state")),
        Err(e) if matches!(e.code.as_str(), "illegal_transition" | "validation_failed") => {
            errors.add("lifecycle", e.message);
            match edit_view(&state, &viewer, &t, &form_of(&t), &errors, "").await {
                Ok(markup) => with_status(StatusCode::UNPROCESSABLE_ENTITY, markup),
                Err(e) => error_page(&viewer, &e),
            }
        }
        Err(e) => error_page(&viewer, &e),
    }
}
