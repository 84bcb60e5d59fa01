//! The five strategies. Each reads the market and the book and returns intents in priority
//! order (most urgent first); the bot admits as many as its pacing allows.

pub(crate) mod buy_and_hold;
pub(crate) mod mean_reversion;
pub(crate) mod momentum;
pub(crate) mod noise;
pub(crate) mod poor;
pub(crate) mod stops;

use bullpen_domain::{Money, Price, Side, Symbol, TimeInForce};

use crate::book::Book;
use crate::history::PriceHistory;
use crate::intent::{bps, Intent, Style};
use crate::profile::Profile;
use crate::random::BotRng;

/// Everything a strategy may look at in one call.
pub(crate) struct Ctx<'a> {
    /// The bot's habits.
    pub profile: &'a Profile,
    /// Tradable symbols in the caller's fixed order.
    pub universe: &'a [Symbol],
    /// Shared price history.
    pub history: &'a PriceHistory,
    /// Free cash and shares.
    pub book: &'a Book,
    /// Account equity, for sizing.
    pub equity: Money,
}

/// A tradable symbol with at least one price.
pub(crate) struct Quote<'a> {
    /// The symbol.
    pub symbol: &'a Symbol,
    /// Its latest price.
    pub last: Price,
    /// Its recent prices, oldest first, ending with `last`.
    pub window: &'a [Price],
}

impl<'a> Ctx<'a> {
    /// The universe's symbols that have a price, in universe order.
    pub(crate) fn quotes(&self) -> impl Iterator<Item = Quote<'a>> + 'a {
        let history = self.history;
        self.universe.iter().filter_map(move |symbol| {
            let window = history.window(symbol);
            window.last().map(|last| Quote { symbol, last: *last, window })
        })
    }

    /// The intent to trade `qty` shares of `quote` in `style`.
    pub(crate) fn intent(&self, quote: &Quote<'_>, side: Side, qty: i64, style: Style) -> Intent {
        Intent { symbol: quote.symbol.clone(), side, qty, last: quote.last, style }
    }
}

/// A market order or, with the profile's limit share, a limit order `lo..hi` basis points from
/// the last price on the side that favours the bot (below for buys, above for sells). Negative
/// ranges make marketable limits. Good-till-canceled with chance `gtc_chance`, else day.
pub(crate) fn pick_style(profile: &Profile, rng: &mut BotRng, side: Side, lo: f64, hi: f64, gtc_chance: f64) -> Style {
    if !rng.chance(profile.limit_share) {
        return Style::Market;
    }
    let distance = bps(rng.between(lo, hi));
    let offset_bps = if side.is_buy() { -distance } else { distance };
    let tif = if rng.chance(gtc_chance) { TimeInForce::Gtc } else { TimeInForce::Day };
    Style::Limit { offset_bps, tif }
}

/// A scored candidate: a quote and the bot's (noisy) reading of it.
pub(crate) struct Scored<'a> {
    /// The quote.
    pub quote: Quote<'a>,
    /// Signal z-score as the bot perceives it.
    pub z: f64,
}
