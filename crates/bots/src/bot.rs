//! A simulated trader: its spec, habits, memory and the `decide` step.

use bullpen_domain::time::MICROS_PER_DAY;
use bullpen_domain::{OrderRequest, Symbol, Ts};

use crate::account::AccountView;
use crate::book::{Book, Commitments};
use crate::config::BotConfig;
use crate::history::PriceHistory;
use crate::kind::BotKind;
use crate::pacing::{awake_chance, daily_cap, Pacing};
use crate::profile::Profile;
use crate::random::BotRng;
use crate::spec::BotSpec;
use crate::strategy::{buy_and_hold, mean_reversion, momentum, noise, poor, stops, Ctx};

/// Most orders in a buy-and-hold bot's first basket call.
pub const MAX_BASKET_ORDERS: usize = 15;
/// A buy-and-hold bot rebuys its basket when less than this share of equity (basis points) is
/// invested a full day after its last basket (its orders were rejected or never filled).
const REBASKET_BELOW_BPS: i64 = 2_500;

/// A simulated trader. Deterministic: two bots built from equal specs and configs, fed the same
/// calls, return the same orders. Holds no clock and does no IO.
#[derive(Debug, Clone)]
pub struct Bot {
    spec: BotSpec,
    config: BotConfig,
    profile: Profile,
    rng: BotRng,
    pacing: Pacing,
    commitments: Commitments,
    basket_day: Option<i64>,
}

impl Bot {
    /// A bot with the default [`BotConfig`].
    pub fn new(spec: &BotSpec) -> Bot {
        Bot::with_config(spec, &BotConfig::default())
    }

    /// A bot with `config` (bad values are replaced by defaults, see [`BotConfig::sanitised`]).
    pub fn with_config(spec: &BotSpec, config: &BotConfig) -> Bot {
        let config = config.sanitised();
        let profile = Profile::new(spec.kind, spec.skill, &config);
        Bot {
            spec: spec.clone(),
            profile,
            // Stream 0 is the bot's; the roster uses another, so they never share draws.
            rng: BotRng::new(spec.seed, 0),
            config,
            pacing: Pacing::default(),
            commitments: Commitments::default(),
            basket_day: None,
        }
    }

    /// The bot's identity.
    pub fn spec(&self) -> &BotSpec {
        &self.spec
    }

    /// The bot's strategy.
    pub fn kind(&self) -> BotKind {
        self.spec.kind
    }

    /// The (sanitised) settings the bot runs with.
    pub fn config(&self) -> &BotConfig {
        &self.config
    }

    /// Decides this step's orders (usually none).
    ///
    /// `now` only matters through its UTC day (pacing, and how long the bot assumes its own
    /// limit and stop orders keep working). `universe` is the tradable symbols in a fixed order;
    /// symbols without a price in `history` are ignored. Every returned order passes
    /// `OrderRequest::validate_shape`, has no `client_order_id`, is on the correct side of the
    /// bot's position (sell only held longs, buy-to-cover only shorts, sell-short only when flat)
    /// and together with the other orders of the call costs at most `account.cash` at the worse
    /// of the last and the order's price; short sales hold back their value in cash too. At most
    /// one order per symbol per call. Orders are market (day), limit (day or GTC) or stop.
    pub fn decide(
        &mut self,
        now: Ts,
        universe: &[Symbol],
        history: &PriceHistory,
        account: &AccountView<'_>,
    ) -> Vec<OrderRequest> {
        let today = now.0.div_euclid(MICROS_PER_DAY);
        self.commitments.prune(today);
        self.pacing.enter_day(today);
        let mut book = Book::new(account, &self.commitments);
        let ctx = Ctx { profile: &self.profile, universe, history, book: &book, equity: account.equity };
        let rng = &mut self.rng;

        let (intents, limit) = if self.spec.kind == BotKind::BuyAndHold && needs_basket(self.basket_day, today, &ctx) {
            let intents = buy_and_hold::basket(&ctx, rng);
            if !intents.is_empty() {
                self.basket_day = Some(today);
            }
            (intents, MAX_BASKET_ORDERS)
        } else {
            let per_day = self.config.orders_per_day * self.profile.activity;
            // Always draw the coin, so the stream advances the same way whatever the state.
            let awake = rng.chance(awake_chance(per_day, self.config.decisions_per_day));
            let room = daily_cap(per_day).saturating_sub(self.pacing.orders_today());
            if !awake || room == 0 {
                return Vec::new();
            }
            let mut intents = match self.spec.kind {
                BotKind::Momentum => momentum::decide(&ctx, rng),
                BotKind::MeanReversion => mean_reversion::decide(&ctx, rng),
                BotKind::BuyAndHold => buy_and_hold::maintain(&ctx, rng),
                BotKind::Noise => noise::decide(&ctx, rng),
                BotKind::Poor => poor::decide(&ctx, rng),
            };
            if rng.chance(self.profile.stop_chance) {
                intents.extend(stops::protect(&ctx, rng));
            }
            (intents, room.min(self.config.max_orders_per_step))
        };

        let mut orders = Vec::new();
        for intent in &intents {
            if orders.len() >= limit {
                break;
            }
            if let Some(admitted) = book.admit(intent) {
                self.commitments.remember(&admitted, today, self.config.gtc_assumed_days);
                orders.push(admitted.request);
            }
        }
        self.pacing.count(orders.len());
        orders
    }
}

/// True when a buy-and-hold bot should (re)buy its basket: never bought, or bought more than a
/// day ago and still mostly in cash.
fn needs_basket(basket_day: Option<i64>, today: i64, ctx: &Ctx<'_>) -> bool {
    match basket_day {
        None => true,
        Some(day) => today > day.saturating_add(1) && buy_and_hold::invested_bps(ctx) < REBASKET_BELOW_BPS,
    }
}
