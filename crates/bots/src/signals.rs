//! Price statistics the strategies read. Floats are fine here: these are signals, not money.
//! Only basic IEEE operations are used, so results are the same on every platform.

use bullpen_domain::Price;

/// Smallest step volatility assumed, so a flat series cannot divide by zero.
const MIN_STEP_VOLATILITY: f64 = 1e-4;

/// The price in dollars, for statistics only.
pub(crate) fn dollars(p: Price) -> f64 {
    p.to_f64_lossy()
}

/// `last / price lookback steps earlier − 1`, or `None` without enough history.
pub(crate) fn trailing_return(window: &[Price], lookback: usize) -> Option<f64> {
    let n = window.len();
    if lookback == 0 || n <= lookback {
        return None;
    }
    let last = dollars(*window.get(n - 1)?);
    let then = dollars(*window.get(n - 1 - lookback)?);
    (then > 0.0).then(|| last / then - 1.0)
}

/// Sample standard deviation of the simple step returns over the last `span` steps (at least
/// two returns needed), floored at a tiny positive value.
pub(crate) fn step_volatility(window: &[Price], span: usize) -> Option<f64> {
    let start = window.len().saturating_sub(span + 1);
    let tail = window.get(start..)?;
    if tail.len() < 3 {
        return None;
    }
    let returns: Vec<f64> = tail
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] if a.0 > 0 => Some(dollars(*b) / dollars(*a) - 1.0),
            _ => None,
        })
        .collect();
    let (_, sd) = mean_sd(&returns)?;
    Some(sd.max(MIN_STEP_VOLATILITY))
}

/// Mean and sample standard deviation of the last `span` prices (at least two needed).
pub(crate) fn price_mean_sd(window: &[Price], span: usize) -> Option<(f64, f64)> {
    let tail = window.get(window.len().saturating_sub(span)..)?;
    let values: Vec<f64> = tail.iter().map(|p| dollars(*p)).collect();
    mean_sd(&values)
}

fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    Some((mean, var.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(dollars: &[i64]) -> Vec<Price> {
        dollars.iter().map(|d| Price::from_dollars(*d)).collect()
    }

    #[test]
    fn returns_and_volatility() {
        let w = prices(&[100, 110, 121]);
        assert_eq!(trailing_return(&w, 3), None);
        assert!((trailing_return(&w, 2).unwrap_or_default() - 0.21).abs() < 1e-12);
        // Two equal returns of 10 %: no dispersion, so the floor.
        assert_eq!(step_volatility(&w, 2), Some(1e-4));
        assert_eq!(step_volatility(&w[..2], 2), None);
        let (mean, sd) = price_mean_sd(&prices(&[1, 2, 3]), 10).unwrap_or_default();
        assert!((mean - 2.0).abs() < 1e-12 && (sd - 1.0).abs() < 1e-12);
    }
}
