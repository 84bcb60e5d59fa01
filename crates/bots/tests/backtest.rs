#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A small backtest: on trending prices with bursts that revert, a skilled momentum bot ends
//! with more than a poor bot that chases bursts and panics on dips.

mod common;

use bullpen_bots::{Bot, BotKind, BotSpec};
use bullpen_domain::Money;
use common::{paths, run, symbols, STEPS_PER_DAY};

#[test]
fn momentum_beats_the_poor_trader_on_trending_prices() {
    let universe = symbols(8);
    // Half the names trend up, half down, 0.15 % per step, with a ±3 % swing every 12 steps.
    let drifts: Vec<f64> = (0..universe.len()).map(|i| if i % 2 == 0 { 0.0015 } else { -0.0015 }).collect();
    let start = Money::from_dollars(100_000);
    let mut margins = Vec::new();
    for seed in 0..6_u64 {
        let prices = paths(seed, &drifts, 0.004, 0.03, 12, 40 * STEPS_PER_DAY);
        let momentum = BotSpec { name: "momentum".into(), kind: BotKind::Momentum, skill: 0.8, seed: seed + 100 };
        let poor = BotSpec { name: "poor".into(), kind: BotKind::Poor, skill: 0.2, seed: seed + 200 };
        let log = run(&mut [Bot::new(&momentum), Bot::new(&poor)], &universe, &prices, start);
        let equity: Vec<Money> = log.accounts.iter().map(|a| a.equity(&log.prices)).collect();
        println!("seed {seed}: momentum {} poor {}", equity[0], equity[1]);
        assert!(equity[0] > equity[1], "seed {seed}: momentum {} <= poor {}", equity[0], equity[1]);
        assert!(equity[0] > start, "seed {seed}: momentum lost money on a trending market: {}", equity[0]);
        margins.push(equity[0] - equity[1]);
    }
    assert!(margins.iter().all(|m| *m > Money::ZERO));
}
