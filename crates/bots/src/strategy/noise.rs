//! Noise: random trades in random names, the background chatter of a market. Never shorts.

use bullpen_domain::Side;

use super::{pick_style, Ctx, Quote, Style};
use crate::intent::{bps, shares_for_weight, Intent};
use crate::random::BotRng;

/// Smallest random position, in basis points of equity.
const MIN_WEIGHT_BPS: f64 = 200.0;

/// One or two random trades.
pub(crate) fn decide(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let quotes: Vec<Quote<'_>> = ctx.quotes().collect();
    if quotes.is_empty() {
        return Vec::new();
    }
    let trades = if rng.chance(0.3) { 2 } else { 1 };
    let mut intents = Vec::new();
    for _ in 0..trades {
        let Some(quote) = quotes.get(rng.index(quotes.len())) else { continue };
        let position = ctx.book.position(quote.symbol);
        let max_weight = ctx.profile.max_weight_bps as f64;
        let intent = if position < 0 {
            ctx.intent(quote, Side::BuyToCover, ctx.book.coverable(quote.symbol), Style::Market)
        } else if position > 0 && rng.chance(0.5) {
            let share = rng.between(0.2, 1.0);
            let qty = (ctx.book.sellable(quote.symbol) as f64 * share).ceil() as i64;
            let style = pick_style(ctx.profile, rng, Side::Sell, -20.0, 40.0, 0.3);
            ctx.intent(quote, Side::Sell, qty, style)
        } else {
            let weight = bps(rng.between(MIN_WEIGHT_BPS, max_weight.max(MIN_WEIGHT_BPS + 1.0)));
            let qty = shares_for_weight(ctx.equity, weight, quote.last);
            let style = pick_style(ctx.profile, rng, Side::Buy, -20.0, 50.0, 0.3);
            ctx.intent(quote, Side::Buy, qty, style)
        };
        intents.push(intent);
    }
    intents
}
