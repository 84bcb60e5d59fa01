//! Simulated traders for Bullpen.
//!
//! Bots populate `bullpen simulate`, demos and load tests, and their trades are training data
//! for the recommendation model. Five kinds ([`BotKind`]) with a spread of skill
//! ([`BotSpec::skill`]): sharper bots read signals with less noise and size positions more
//! carefully (≤ 15–20 % of equity per name against up to 30–50 % for clumsy and poor ones).
//!
//! The crate is pure and deterministic: no IO, no clock, no globals. A [`Bot`] is built from a
//! [`BotSpec`] (see [`roster`] for a population) and asked once per observation step:
//!
//! ```
//! use bullpen_bots::{roster, AccountView, Bot, PriceHistory, RECOMMENDED_WINDOW};
//! use bullpen_domain::{Money, Price, Symbol, Ts};
//!
//! let universe = vec![Symbol::parse("AAPL").unwrap(), Symbol::parse("MSFT").unwrap()];
//! let mut history = PriceHistory::new(RECOMMENDED_WINDOW);
//! let mut bots: Vec<Bot> = roster(10, 42).iter().map(Bot::new).collect();
//! for symbol in &universe {
//!     history.record(symbol, Price::from_dollars(100));
//! }
//! let cash = Money::from_dollars(100_000);
//! let account = AccountView { cash, equity: cash, positions: &[] };
//! for bot in &mut bots {
//!     for order in bot.decide(Ts(0), &universe, &history, &account) {
//!         assert!(order.validate_shape().is_ok());
//!     }
//! }
//! ```
//!
//! **Cadence.** Call `decide` for every bot once per observation step, ideally 4–8 times per
//! trading day (tell [`BotConfig::decisions_per_day`]). With the defaults and six calls a day
//! the bots place, per bot and trading day, about 3 orders (momentum, mean reversion), 2.5
//! (noise), 8 (poor, who over-trades) and, after a buy-and-hold bot's one-off basket of 5–15
//! orders, about 0.1 (figures measured by `tests/behaviour.rs`). [`BotConfig::orders_per_day`]
//! scales all of them, e.g. for load tests.
//!
//! Bots get no fill reports: they see their account each step and remember their own limit and
//! stop orders for as long as those could still be working (see [`BotConfig`]).

mod account;
mod book;
mod bot;
mod config;
mod history;
mod intent;
mod kind;
mod pacing;
mod profile;
mod random;
mod signals;
mod spec;
mod strategy;

pub use account::AccountView;
pub use bot::{Bot, MAX_BASKET_ORDERS};
pub use config::BotConfig;
pub use history::{PriceHistory, RECOMMENDED_WINDOW};
pub use kind::BotKind;
pub use spec::{roster, BotSpec};
