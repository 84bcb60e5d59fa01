//! The poor trader: buys big after sharp rises, dumps after drops, and churns in between.
//! Never shorts, rarely uses limits, never protects a position with a stop.

use bullpen_domain::Side;

use super::{pick_style, Ctx, Quote, Scored, Style};
use crate::intent::{shares_for_weight, Intent};
use crate::random::BotRng;
use crate::signals::{step_volatility, trailing_return};

/// Span over which volatility is judged, in observations.
const VOL_SPAN: usize = 20;
/// A move this many standard deviations up is "a rally I must not miss".
const CHASE_Z: f64 = 0.8;
/// A move this many standard deviations down is "get me out".
const PANIC_Z: f64 = -0.8;
/// Chance per active call of an impulsive extra trade.
const CHURN_CHANCE: f64 = 0.35;

/// The poor bot's intents for this call.
pub(crate) fn decide(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let profile = ctx.profile;
    let mut scored: Vec<Scored<'_>> = Vec::new();
    for quote in ctx.quotes() {
        let lookback = profile.lookback.min(quote.window.len().saturating_sub(1));
        let (Some(ret), Some(vol)) = (trailing_return(quote.window, lookback), step_volatility(quote.window, VOL_SPAN))
        else {
            continue;
        };
        let z = ret / (vol * (lookback as f64).sqrt()) + profile.signal_noise * rng.normal();
        scored.push(Scored { quote, z });
    }
    let mut panics = Vec::new();
    let mut chases: Vec<(f64, Intent)> = Vec::new();
    for s in &scored {
        let q = &s.quote;
        let position = ctx.book.position(q.symbol);
        if position > 0 && s.z < PANIC_Z {
            panics.push(ctx.intent(q, Side::Sell, ctx.book.sellable(q.symbol), Style::Market));
        } else if s.z > CHASE_Z && position >= 0 {
            let qty = shares_for_weight(ctx.equity, profile.max_weight_bps, q.last);
            // When it does use a limit, it pays up to be sure to get in.
            let style = pick_style(profile, rng, Side::Buy, -60.0, -20.0, 0.0);
            chases.push((s.z, ctx.intent(q, Side::Buy, qty, style)));
        }
    }
    chases.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut intents: Vec<Intent> = panics.into_iter().chain(chases.into_iter().map(|(_, i)| i)).collect();
    if rng.chance(CHURN_CHANCE) {
        intents.extend(churn(ctx, rng));
    }
    intents
}

/// An impulsive trade: sell part of a random holding, or buy a random name.
fn churn(ctx: &Ctx<'_>, rng: &mut BotRng) -> Option<Intent> {
    let quotes: Vec<Quote<'_>> = ctx.quotes().collect();
    let held: Vec<&Quote<'_>> = quotes.iter().filter(|q| ctx.book.position(q.symbol) > 0).collect();
    if !held.is_empty() && rng.chance(0.6) {
        let quote = held.get(rng.index(held.len()))?;
        let qty = ctx.book.sellable(quote.symbol).div_euclid(2).max(1);
        return Some(ctx.intent(quote, Side::Sell, qty, Style::Market));
    }
    let quote = quotes.get(rng.index(quotes.len()))?;
    let qty = shares_for_weight(ctx.equity, ctx.profile.max_weight_bps / 2, quote.last);
    Some(ctx.intent(quote, Side::Buy, qty, Style::Market))
}
