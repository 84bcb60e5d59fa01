//! Bullpen's domain model: exact money, orders, fills, FIFO lots, the ledger, tournament rules,
//! scoring and evaluation challenges.
//!
//! This crate is pure: no IO, no async, no clock reads. Everything that changes over time gets
//! the time as an argument ([`time::Ts`]).

pub mod badges;
pub mod bar;
pub mod benchmark;
pub mod challenge;
pub mod challenge_rules;
pub mod commission;
pub mod ids;
pub mod instrument;
pub mod league;
pub mod ledger;
pub mod lifecycle;
pub mod money;
pub mod order;
pub mod portfolio;
pub mod preview;
pub mod reject;
pub mod rules;
pub mod rules_check;
pub mod scoring;
pub mod time;
pub mod tournament;

pub use badges::{award_badges, BadgeKind};
pub use bar::{CorporateAction, CorporateActionKind, DailyBar};
pub use benchmark::{benchmark_on, equal_weight_benchmark};
pub use challenge::{ChallengeDay, ChallengeObjective, ChallengeOutcome, ChallengeStatus, ObjectiveProgress};
pub use challenge_rules::ChallengeRules;
pub use ids::*;
pub use instrument::{Instrument, InstrumentStatus, Symbol};
pub use league::{invite_code_from, validate_invite_code, validate_league_name};
pub use ledger::{LedgerEntry, LedgerKind};
pub use lifecycle::{LifecycleError, SeasonSpec};
pub use money::{Money, Price, Qty};
pub use order::{Order, OrderRequest, OrderStatus, OrderType, Side, TimeInForce};
pub use portfolio::{
    deposit_entry, dividend_entry, interest_entry, reconcile, split_entry, trade_entry, Direction, LedgerError, Lot,
    Portfolio, Position, RoundTrip,
};
pub use preview::{CheckResult, OrderPreview, PreviewRule, RuleOutcome};
pub use reject::RejectReason;
pub use rules::{CommissionModel, MarginRules, ScoringMethod, TournamentRules, Universe};
pub use rules_check::{OrderContext, Valuation};
pub use scoring::{RankKey, Standing};
pub use time::Ts;
pub use tournament::{Entry, League, Tournament, TournamentKind, TournamentState};
