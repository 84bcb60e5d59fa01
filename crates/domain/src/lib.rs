//! Bullpen's domain model: exact money, orders, fills, FIFO lots, the ledger, tournament rules,
//! scoring and evaluation challenges.
//!
//! This crate is pure: no IO, no async, no clock reads. Everything that changes over time gets
//! the time as an argument ([`time::Ts`]).

pub mod bar;
pub mod challenge_rules;
pub mod ids;
pub mod instrument;
pub mod ledger;
pub mod money;
pub mod order;
pub mod reject;
pub mod rules;
pub mod time;
pub mod tournament;

pub use bar::{CorporateAction, CorporateActionKind, DailyBar};
pub use challenge_rules::ChallengeRules;
pub use ids::*;
pub use instrument::{Instrument, InstrumentStatus, Symbol};
pub use ledger::{LedgerEntry, LedgerKind};
pub use money::{Money, Price, Qty};
pub use order::{Order, OrderRequest, OrderStatus, OrderType, Side, TimeInForce};
pub use reject::RejectReason;
pub use rules::{CommissionModel, MarginRules, ScoringMethod, TournamentRules, Universe};
pub use time::Ts;
pub use tournament::{Entry, League, Tournament, TournamentKind, TournamentState};
