//! Protective stops: a careful bot guards part of a position against a sharp move.

use bullpen_domain::{Side, TimeInForce};

use super::{Ctx, Quote, Style};
use crate::intent::{bps, Intent};
use crate::random::BotRng;
use crate::signals::step_volatility;

/// Stop distance bounds, in basis points of the last price.
const MIN_STOP_BPS: f64 = 150.0;
const MAX_STOP_BPS: f64 = 1_500.0;

/// A stop order on half of a random unguarded position (long: sell stop below the market;
/// short: buy-to-cover stop above it), about three daily standard deviations away. Day orders
/// for clumsier bots, good-till-canceled for sharper ones. `None` when nothing is unguarded.
pub(crate) fn protect(ctx: &Ctx<'_>, rng: &mut BotRng) -> Option<Intent> {
    let unguarded: Vec<(Quote<'_>, i64)> = ctx
        .quotes()
        .filter_map(|q| {
            let position = ctx.book.position(q.symbol);
            let free = if position > 0 { ctx.book.sellable(q.symbol) } else { -ctx.book.coverable(q.symbol) };
            (free != 0 && free == position).then_some((q, position))
        })
        .collect();
    let (quote, position) = unguarded.get(rng.index(unguarded.len()))?;
    let vol = step_volatility(quote.window, ctx.profile.lookback).unwrap_or(0.01);
    let daily = vol * ctx.profile.decisions_per_day.sqrt();
    let distance = bps((3.0 * daily * 10_000.0).clamp(MIN_STOP_BPS, MAX_STOP_BPS));
    let tif = if ctx.profile.skill > 0.5 { TimeInForce::Gtc } else { TimeInForce::Day };
    let qty = (position.abs() / 2).max(1);
    let (side, offset_bps) = if *position > 0 { (Side::Sell, -distance) } else { (Side::BuyToCover, distance) };
    Some(ctx.intent(quote, side, qty, Style::Stop { offset_bps, tif }))
}
