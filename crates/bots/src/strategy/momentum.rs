//! Momentum: ride trends. Buy what rose over the lookback, sell it when the trend fades;
//! skilled bots also short what fell.

use bullpen_domain::Side;

use super::{pick_style, Ctx, Scored};
use crate::intent::{shares_for_weight, weight_bps, Intent};
use crate::random::BotRng;
use crate::signals::{step_volatility, trailing_return};

/// Shortest usable lookback; with less history the bot waits.
const MIN_LOOKBACK: usize = 3;
/// Perceived trend strength (in standard deviations) that opens a long.
const ENTRY_Z: f64 = 1.0;
/// Shorts need a clearer downtrend than longs need an uptrend.
const SHORT_ENTRY_Z: f64 = 1.3;
/// A long is closed when its trend reading drops below this; a short when it rises above minus this.
const EXIT_Z: f64 = -0.25;

/// The momentum bot's intents for this call.
pub(crate) fn decide(ctx: &Ctx<'_>, rng: &mut BotRng) -> Vec<Intent> {
    let profile = ctx.profile;
    let mut scored: Vec<Scored<'_>> = Vec::new();
    for quote in ctx.quotes() {
        let lookback = profile.lookback.min(quote.window.len().saturating_sub(1));
        if lookback < MIN_LOOKBACK {
            continue;
        }
        let (Some(ret), Some(vol)) = (trailing_return(quote.window, lookback), step_volatility(quote.window, lookback))
        else {
            continue;
        };
        // Return in units of what noise alone would produce over the lookback.
        let z = ret / (vol * (lookback as f64).sqrt()) + profile.signal_noise * rng.normal();
        scored.push(Scored { quote, z });
    }

    let mut exits = Vec::new();
    let mut entries: Vec<(f64, Intent)> = Vec::new();
    let full = profile.max_weight_bps;
    for s in &scored {
        let q = &s.quote;
        let position = ctx.book.position(q.symbol);
        if position > 0 && s.z < EXIT_Z {
            let style = pick_style(profile, rng, Side::Sell, -10.0, 0.0, 0.0);
            exits.push((s.z, ctx.intent(q, Side::Sell, ctx.book.sellable(q.symbol), style)));
        } else if position < 0 && s.z > -EXIT_Z {
            exits.push((-s.z, ctx.intent(q, Side::BuyToCover, ctx.book.coverable(q.symbol), super::Style::Market)));
        } else if s.z > ENTRY_Z && position >= 0 {
            let held_bps = weight_bps(position, q.last, ctx.equity);
            // Open, or top up a position that shrank to under half its target.
            if (position == 0 && ctx.book.can_open(q.symbol)) || (position > 0 && held_bps * 2 < full) {
                let qty = shares_for_weight(ctx.equity, full - held_bps, q.last);
                let style = pick_style(profile, rng, Side::Buy, -15.0, 10.0, 0.0);
                entries.push((s.z, ctx.intent(q, Side::Buy, qty, style)));
            }
        } else if profile.can_short && s.z < -SHORT_ENTRY_Z && ctx.book.can_open(q.symbol) {
            let qty = shares_for_weight(ctx.equity, full / 2, q.last);
            let style = pick_style(profile, rng, Side::SellShort, -10.0, 10.0, 0.0);
            entries.push((-s.z, ctx.intent(q, Side::SellShort, qty, style)));
        }
    }
    // Weakest holdings out first, then the strongest trends in.
    exits.sort_by(|a, b| a.0.total_cmp(&b.0));
    entries.sort_by(|a, b| b.0.total_cmp(&a.0));
    exits.into_iter().chain(entries).map(|(_, intent)| intent).collect()
}
