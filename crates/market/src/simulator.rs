//! A seeded, deterministic market simulator producing daily bars.
//!
//! Each instrument's daily log-return is
//! `drift + σᵢ·(√w_m·M + √w_s·S_sector + √(1 − w_m − w_s)·εᵢ) + jumps`,
//! with a market factor `M`, one factor per sector `S`, idiosyncratic noise `ε` (all standard
//! normal) and Poisson jumps. Two instruments in the same sector therefore correlate about
//! `w_m + w_s`, two in different sectors about `w_m`. Jumps mostly happen overnight, so they
//! show as gaps between the previous close and the open.
//!
//! All randomness comes from ChaCha8 streams and portable arithmetic ([`crate::numeric`]), so the
//! same configuration and days give the same bars, bit for bit, on every platform.

use std::f64::consts::{LN_10, LN_2};

use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;

use bullpen_domain::money::SCALE;
use bullpen_domain::{DailyBar, Price, Symbol};

use crate::numeric::{exp, normal, poisson, rng, uniform};

/// Trading days per year, for scaling annual figures to daily ones.
const DAYS_PER_YEAR: f64 = 252.0;
/// The lowest simulated price: one cent.
const PRICE_FLOOR: Price = Price::from_cents(1);

/// The GICS sector names used by [`default_universe`] (ten of the eleven 2018 sectors).
pub const SECTORS: [&str; 10] = [
    "Information Technology",
    "Health Care",
    "Financials",
    "Consumer Discretionary",
    "Industrials",
    "Consumer Staples",
    "Energy",
    "Utilities",
    "Real Estate",
    "Materials",
];

/// One simulated instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimInstrument {
    /// Ticker.
    pub symbol: Symbol,
    /// Company name.
    pub name: String,
    /// Sector; instruments sharing it move together.
    pub sector: String,
    /// The previous close before the first simulated day.
    pub start_price: Price,
}

/// Parameters of the simulation. Floats here are model parameters, not money.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatorConfig {
    /// Seed: the only source of randomness.
    pub seed: u64,
    /// Instruments to simulate (a symbol listed twice is simulated once).
    pub instruments: Vec<SimInstrument>,
    /// Expected annual return, e.g. 0.07.
    pub annual_drift: f64,
    /// Typical annual volatility of one instrument, e.g. 0.25 (each instrument gets a
    /// deterministic multiplier between 0.6 and 1.6 of it).
    pub annual_vol: f64,
    /// Share of variance explained by the market factor, 0..1.
    pub market_weight: f64,
    /// Share of variance explained by the sector factor, 0..1 (with `market_weight` at most 1;
    /// larger sums are scaled down).
    pub sector_weight: f64,
    /// Mean number of jumps per instrument per day, e.g. 0.01.
    pub jump_probability_per_day: f64,
    /// Standard deviation of one jump's log-return, e.g. 0.06.
    pub jump_size_sigma: f64,
}

impl SimulatorConfig {
    /// The default model parameters for the given seed and instruments.
    pub fn new(seed: u64, instruments: Vec<SimInstrument>) -> SimulatorConfig {
        SimulatorConfig {
            seed,
            instruments,
            annual_drift: 0.07,
            annual_vol: 0.25,
            market_weight: 0.3,
            sector_weight: 0.2,
            jump_probability_per_day: 0.01,
            jump_size_sigma: 0.06,
        }
    }
}

impl Default for SimulatorConfig {
    /// Seed 0 and a 50-instrument [`default_universe`].
    fn default() -> Self {
        SimulatorConfig::new(0, default_universe(50, 0))
    }
}

/// The `index`-th synthetic symbol: `SIMA` … `SIMZ`, `SIMAA`, `SIMAB`, … (bijective base 26).
pub fn sim_symbol_text(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    format!("SIM{}", String::from_utf8_lossy(&letters))
}

/// `n` synthetic instruments spread evenly over [`SECTORS`], with start prices drawn
/// log-uniformly between $10 and $500 from `seed`.
pub fn default_universe(n: usize, seed: u64) -> Vec<SimInstrument> {
    let mut r = rng(seed, 2);
    // ln 10 and ln 500 from constants (std's `ln` is platform libm; see `numeric`).
    let (ln_low, ln_high) = (LN_10, 3.0 * LN_10 - LN_2);
    let mut out = Vec::with_capacity(n);
    for index in 0..n {
        let u = uniform(&mut r);
        let Ok(symbol) = Symbol::parse(&sim_symbol_text(index)) else { continue };
        let sector = SECTORS[index % SECTORS.len()];
        let dollars = exp(ln_low + u * (ln_high - ln_low));
        out.push(SimInstrument {
            name: format!("{} {} Corp.", symbol.as_str(), sector.split(' ').next().unwrap_or(sector)),
            symbol,
            sector: sector.to_string(),
            start_price: price_from_dollars(dollars),
        });
    }
    out
}

/// Fixed-point price from a float, rounded to the tick and floored at one cent.
fn price_from_dollars(dollars: f64) -> Price {
    let units = (dollars * SCALE as f64).round();
    // `as` saturates; prices are bounded by the simulation anyway.
    Price(units as i64).round_to_tick().max(PRICE_FLOOR)
}

/// Per-instrument state carried from day to day.
struct InstrumentState {
    symbol: Symbol,
    sector: usize,
    /// Unrounded previous close in dollars (rounding happens only on output).
    level: f64,
    vol_multiplier: f64,
    /// Typical shares traded per day.
    base_volume: f64,
}

/// Simulates one bar per instrument per day, in `days` order (pass ascending trading days, e.g.
/// from [`crate::NyseCalendar::trading_days`]). Output is grouped by day, instruments in config
/// order. Prices are on the tick, at least $0.01, and `low ≤ open, close ≤ high`.
pub fn simulate_daily_bars(config: &SimulatorConfig, days: &[NaiveDate]) -> Vec<DailyBar> {
    let mut sectors: Vec<&str> = Vec::new();
    let mut states: Vec<InstrumentState> = Vec::new();
    let mut params = rng(config.seed, 1);
    for inst in &config.instruments {
        if states.iter().any(|s| s.symbol == inst.symbol) {
            continue;
        }
        let sector = match sectors.iter().position(|s| *s == inst.sector) {
            Some(i) => i,
            None => {
                sectors.push(&inst.sector);
                sectors.len() - 1
            }
        };
        let level = inst.start_price.max(PRICE_FLOOR).to_f64_lossy();
        // Daily dollar volume between $20M and $500M (log-uniform), as shares at the start price.
        // ln 20e6 = ln 2 + 7 ln 10; ln 25 = 2 (ln 10 − ln 2).
        let dollar_volume = exp(LN_2 + 7.0 * LN_10 + uniform(&mut params) * 2.0 * (LN_10 - LN_2));
        states.push(InstrumentState {
            symbol: inst.symbol.clone(),
            sector,
            level,
            vol_multiplier: 0.6 + uniform(&mut params),
            base_volume: (dollar_volume / level).max(1_000.0),
        });
    }

    let (w_market, w_sector) = factor_weights(config.market_weight, config.sector_weight);
    let w_idio = (1.0 - w_market - w_sector).max(0.0);
    let (s_market, s_sector, s_idio) = (w_market.sqrt(), w_sector.sqrt(), w_idio.sqrt());
    let daily_vol = finite_or(config.annual_vol, 0.0).max(0.0) / DAYS_PER_YEAR.sqrt();
    let daily_drift = finite_or(config.annual_drift, 0.0) / DAYS_PER_YEAR;
    let jump_lambda = finite_or(config.jump_probability_per_day, 0.0).clamp(0.0, 1.0);
    let jump_sigma = finite_or(config.jump_size_sigma, 0.0).max(0.0);

    let mut r = rng(config.seed, 0);
    let mut sector_shocks = vec![0.0; sectors.len()];
    let mut bars = Vec::with_capacity(days.len() * states.len());
    for &date in days {
        let market = normal(&mut r);
        for shock in sector_shocks.iter_mut() {
            *shock = normal(&mut r);
        }
        for state in &mut states {
            let sigma = daily_vol * state.vol_multiplier;
            let sector_shock = sector_shocks.get(state.sector).copied().unwrap_or(0.0);
            let diffusion = sigma * (s_market * market + s_sector * sector_shock + s_idio * normal(&mut r));
            let mut jump = 0.0;
            for _ in 0..poisson(&mut r, jump_lambda) {
                jump += jump_sigma * normal(&mut r);
            }
            // Log drift corrected so the expected simple return matches the annual drift.
            let total = daily_drift - 0.5 * sigma * sigma + diffusion + jump;
            // Overnight gap: all of the jump plus a slice of the diffusion.
            let gap = jump + 0.3 * diffusion + 0.2 * sigma * normal(&mut r);
            bars.push(make_bar(&mut r, state, date, gap, total, sigma));
        }
    }
    bars
}

fn make_bar(
    r: &mut ChaCha8Rng,
    state: &mut InstrumentState,
    date: NaiveDate,
    gap: f64,
    total: f64,
    sigma: f64,
) -> DailyBar {
    let floor = PRICE_FLOOR.to_f64_lossy();
    let prev = state.level;
    let open_level = (prev * exp(gap)).max(floor);
    let close_level = (prev * exp(total)).max(floor);
    let wick_up = 0.5 * sigma * normal(r).abs();
    let wick_down = 0.5 * sigma * normal(r).abs();
    let high_level = open_level.max(close_level) * exp(wick_up);
    let low_level = (open_level.min(close_level) * exp(-wick_down)).max(floor);
    state.level = close_level;

    let open = price_from_dollars(open_level);
    let close = price_from_dollars(close_level);
    // Rounding can push open/close past a rounded extreme; widen the range to keep OHLC valid.
    let high = price_from_dollars(high_level).max(open).max(close);
    let low = price_from_dollars(low_level).min(open).min(close);

    // Busier on big moves; lognormal day-to-day noise.
    let surprise = if sigma > 0.0 { (total.abs() / sigma).min(6.0) } else { 0.0 };
    let shares = state.base_volume * exp(0.35 * normal(r)) * (1.0 + 0.5 * surprise);
    let volume = (shares.round() as i64).max(100);
    DailyBar { date, symbol: state.symbol.clone(), open, high, low, close, volume }
}

fn finite_or(x: f64, default: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        default
    }
}

/// Clamps both weights to [0, 1] and scales them down if they sum above 1.
fn factor_weights(market: f64, sector: f64) -> (f64, f64) {
    let m = finite_or(market, 0.0).clamp(0.0, 1.0);
    let s = finite_or(sector, 0.0).clamp(0.0, 1.0);
    if m + s > 1.0 {
        (m / (m + s), s / (m + s))
    } else {
        (m, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NyseCalendar;

    fn days(n: usize) -> Vec<NaiveDate> {
        let cal = NyseCalendar::new();
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        cal.trading_days(start, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()).into_iter().take(n).collect()
    }

    #[test]
    fn universe_symbols_sectors_and_prices() {
        let universe = default_universe(30, 5);
        assert_eq!(universe.len(), 30);
        assert_eq!(universe[0].symbol.as_str(), "SIMA");
        assert_eq!(universe[25].symbol.as_str(), "SIMZ");
        assert_eq!(universe[26].symbol.as_str(), "SIMAA");
        assert_eq!(sim_symbol_text(26 + 26 * 26), "SIMAAA");
        for (i, inst) in universe.iter().enumerate() {
            assert_eq!(inst.sector, SECTORS[i % 10]);
            assert!(inst.start_price >= Price::from_dollars(10) && inst.start_price <= Price::from_dollars(500));
            assert!(inst.start_price.is_on_tick());
        }
        assert_eq!(universe, default_universe(30, 5));
        assert_ne!(universe, default_universe(30, 6));
    }

    #[test]
    fn same_seed_same_bars_other_seed_other_bars() {
        let d = days(60);
        let config = SimulatorConfig::new(11, default_universe(12, 11));
        let a = simulate_daily_bars(&config, &d);
        let b = simulate_daily_bars(&config, &d);
        assert_eq!(a.len(), 60 * 12);
        assert_eq!(a, b);
        let other = SimulatorConfig { seed: 12, ..config };
        assert_ne!(a, simulate_daily_bars(&other, &d));
    }

    #[test]
    fn pinned_first_bar() {
        // Guards bit-for-bit stability of the simulator across refactors and platforms.
        let config = SimulatorConfig::new(1, default_universe(1, 1));
        let bars = simulate_daily_bars(&config, &days(1));
        let bar = &bars[0];
        let text = format!("{} {} {} {} {} {}", bar.symbol, bar.open, bar.high, bar.low, bar.close, bar.volume);
        assert_eq!(text, "SIMA 307.77 310.87 303.21 304.47 1423764");
        // And a checksum over a longer run, to catch drift that compounds.
        let config = SimulatorConfig::new(1, default_universe(10, 1));
        let bars = simulate_daily_bars(&config, &days(250));
        let sum: i64 = bars.iter().map(|b| b.open.0 + b.high.0 + b.low.0 + b.close.0 + b.volume % 1_000_003).sum();
        assert_eq!(sum, PINNED_CHECKSUM);
    }
    const PINNED_CHECKSUM: i64 = 18_740_854_677;

    #[test]
    fn bars_are_consistent_on_tick_and_floored() {
        let mut config = SimulatorConfig::new(3, default_universe(20, 3));
        config.annual_vol = 0.9;
        config.jump_probability_per_day = 0.05;
        config.jump_size_sigma = 0.3;
        config.annual_drift = -2.0; // drive some names to the floor
        for bar in simulate_daily_bars(&config, &days(500)) {
            assert!(bar.low <= bar.open && bar.open <= bar.high, "{bar:?}");
            assert!(bar.low <= bar.close && bar.close <= bar.high, "{bar:?}");
            for p in [bar.open, bar.high, bar.low, bar.close] {
                assert!(p >= Price::from_cents(1), "{bar:?}");
                assert!(p.is_on_tick(), "{bar:?}");
            }
            assert!(bar.volume >= 100);
        }
    }

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn same_sector_returns_correlate_more_than_cross_sector() {
        let universe = default_universe(20, 8);
        let n = universe.len();
        let config = SimulatorConfig { jump_probability_per_day: 0.0, ..SimulatorConfig::new(8, universe.clone()) };
        let bars = simulate_daily_bars(&config, &days(500));
        let mut returns = vec![Vec::new(); n];
        for (i, series) in returns.iter_mut().enumerate() {
            let closes: Vec<f64> = bars.iter().skip(i).step_by(n).map(|b| b.close.to_f64_lossy()).collect();
            *series = closes.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        }
        let (mut same, mut cross) = (Vec::new(), Vec::new());
        for i in 0..n {
            for j in i + 1..n {
                let c = correlation(&returns[i], &returns[j]);
                if universe[i].sector == universe[j].sector {
                    same.push(c);
                } else {
                    cross.push(c);
                }
            }
        }
        let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (same, cross) = (avg(&same), avg(&cross));
        assert!((same - 0.5).abs() < 0.12, "same-sector correlation {same}");
        assert!((cross - 0.3).abs() < 0.1, "cross-sector correlation {cross}");
        assert!(same > cross + 0.1, "same {same} cross {cross}");
    }

    #[test]
    fn weights_are_sanitised() {
        assert_eq!(factor_weights(0.8, 0.8), (0.5, 0.5));
        assert_eq!(factor_weights(-1.0, f64::NAN), (0.0, 0.0));
        assert_eq!(factor_weights(0.3, 0.2), (0.3, 0.2));
    }
}
