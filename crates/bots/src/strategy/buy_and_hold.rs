//! Buy and hold: buy a diversified basket once, then only now and then top up or trim.

use bullpen_domain::Side;

use super::{pick_style, Ctx, Quote};
use crate::intent::{money_bps, shares_for_weight, weight_bps, Intent};
use crate::random::BotRng;

/// Share of equity a basket puts to work, in basis points (the rest stays as cash buffer).
const INVESTED_BPS: i64 = 9_500;
/// Cash above this share of equity (basis points) counts as idle and gets invested.
const IDLE_CASH_BPS: i64 = 400;

/// Target weight of one basket name, in basis points.
fn target_bps(ctx: &Ctx<'_>) -> i64 {
    let names = i64::try_from(ctx.profile.basket_size.max(1)).unwrap_or(1);
    (INVESTED_BPS / names).min(ctx.profile.max_weight_bps)
}

/// Market value of the bot's positions in the universe as basis points of equity.
pub(crate) fn invested_bps(ctx: &Ctx<'_>) -> i64 {
    ctx.quotes().map(|q| weight_bps(ctx.book.position(q.symbol), q.last, ctx.equity)).sum()
}

/// The initial basket: `basket_size` distinct names drawn at random, one buy each.
pub(crate) fn basket(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let mut candidates: Vec<Quote<'_>> = ctx.quotes().filter(|q| ctx.book.can_open(q.symbol)).collect();
    let target = target_bps(ctx);
    let mut intents = Vec::new();
    // Partial Fisher–Yates: each draw takes a random remaining candidate.
    while intents.len() < ctx.profile.basket_size && !candidates.is_empty() {
        let quote = candidates.swap_remove(rng.index(candidates.len()));
        let qty = shares_for_weight(ctx.equity, target, quote.last);
        let style = pick_style(ctx.profile, rng, Side::Buy, -10.0, 0.0, 0.0);
        intents.push(ctx.intent(&quote, Side::Buy, qty, style));
    }
    intents
}

/// Occasional upkeep: trim a name that grew past twice its target, or put idle cash into the
/// most underweight holding.
pub(crate) fn maintain(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let target = target_bps(ctx);
    let held: Vec<(Quote<'_>, i64)> = ctx
        .quotes()
        .filter(|q| ctx.book.position(q.symbol) > 0)
        .map(|q| {
            let w = weight_bps(ctx.book.position(q.symbol), q.last, ctx.equity);
            (q, w)
        })
        .collect();
    let mut intents = Vec::new();
    if let Some((quote, weight)) = held.iter().filter(|(_, w)| *w > 2 * target).max_by_key(|(_, w)| *w) {
        let qty = shares_for_weight(ctx.equity, weight - target, quote.last);
        let style = pick_style(ctx.profile, rng, Side::Sell, 0.0, 20.0, 0.0);
        intents.push(ctx.intent(quote, Side::Sell, qty, style));
    }
    let idle_cash = money_bps(ctx.book.cash_left(), ctx.equity);
    if idle_cash > IDLE_CASH_BPS {
        if let Some((quote, weight)) = held.iter().filter(|(_, w)| *w < target).min_by_key(|(_, w)| *w) {
            let qty = shares_for_weight(ctx.equity, target - weight, quote.last);
            let style = pick_style(ctx.profile, rng, Side::Buy, 0.0, 20.0, 0.0);
            intents.push(ctx.intent(quote, Side::Buy, qty, style));
        }
    }
    intents
}
