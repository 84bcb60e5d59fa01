//! Mean reversion: buy dips below the moving average, sell the rebound; skilled bots also short
//! spikes above it.

use bullpen_domain::Side;

use super::{pick_style, Ctx, Scored, Style};
use crate::intent::{shares_for_weight, Intent};
use crate::random::BotRng;
use crate::signals::price_mean_sd;

/// Fewest prices for a moving average.
const MIN_SPAN: usize = 5;

/// The mean-reversion bot's intents for this call.
pub(crate) fn decide(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let profile = ctx.profile;
    // Sharp bots wait for deeper dips.
    let entry_z = 1.0 + 0.6 * profile.skill;
    let mut scored: Vec<Scored<'_>> = Vec::new();
    for quote in ctx.quotes() {
        let span = profile.lookback.min(quote.window.len());
        if span < MIN_SPAN {
            continue;
        }
        let Some((mean, sd)) = price_mean_sd(quote.window, span) else { continue };
        let last = crate::signals::dollars(quote.last);
        let z = (last - mean) / sd.max(mean * 1e-4).max(1e-9) + profile.signal_noise * rng.normal();
        scored.push(Scored { quote, z });
    }

    let mut exits = Vec::new();
    let mut entries: Vec<(f64, Intent)> = Vec::new();
    let full = profile.max_weight_bps;
    for s in &scored {
        let q = &s.quote;
        let position = ctx.book.position(q.symbol);
        if position > 0 && s.z > 0.0 {
            // Back at the average: take the rebound, often with a limit just above the market.
            let style = pick_style(profile, rng, Side::Sell, 5.0, 25.0, 0.0);
            exits.push((s.z, ctx.intent(q, Side::Sell, ctx.book.sellable(q.symbol), style)));
        } else if position < 0 && s.z < 0.0 {
            exits.push((-s.z, ctx.intent(q, Side::BuyToCover, ctx.book.coverable(q.symbol), Style::Market)));
        } else if s.z < -entry_z && ctx.book.can_open(q.symbol) {
            let qty = shares_for_weight(ctx.equity, full, q.last);
            let style = pick_style(profile, rng, Side::Buy, 5.0, 40.0, 0.5 * profile.skill);
            entries.push((-s.z, ctx.intent(q, Side::Buy, qty, style)));
        } else if profile.can_short && s.z > entry_z + 0.5 && ctx.book.can_open(q.symbol) {
            let qty = shares_for_weight(ctx.equity, full / 2, q.last);
            let style = pick_style(profile, rng, Side::SellShort, 5.0, 25.0, 0.0);
            entries.push((s.z, ctx.intent(q, Side::SellShort, qty, style)));
        }
    }
    exits.sort_by(|a, b| b.0.total_cmp(&a.0));
    entries.sort_by(|a, b| b.0.total_cmp(&a.0));
    exits.into_iter().chain(entries).map(|(_, intent)| intent).collect()
}
