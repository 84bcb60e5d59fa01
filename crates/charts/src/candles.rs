//! Price charts: candles or a close-price line, with the player's own trades marked.

use std::fmt::Write;

use crate::axis::{draw_axes, plot_area, Scale};
use crate::svg::{escape, Svg};
use crate::Frame;

/// One bar of prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    /// Start of the bar (x value, usually seconds since the epoch).
    pub t: f64,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
}

/// A trade to mark on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeMarker {
    /// When.
    pub t: f64,
    /// At what price.
    pub price: f64,
    /// True for buys (drawn as an up triangle), false for sells.
    pub buy: bool,
    /// Hover text (e.g. "Bought 10 @ $101.20").
    pub label: String,
}

/// A price chart: candles when `candles_style` is true, else a line of closes; trades marked.
pub fn candle_chart(frame: &Frame, bars: &[Candle], trades: &[TradeMarker], candles_style: bool) -> String {
    let kind = if candles_style { "candles" } else { "price-line" };
    let mut svg = Svg::open(frame.width, frame.height, &frame.title, kind);
    let valid: Vec<&Candle> =
        bars.iter().filter(|c| [c.t, c.open, c.high, c.low, c.close].iter().all(|v| v.is_finite())).collect();
    if valid.is_empty() {
        svg.text(frame.width / 2.0, frame.height / 2.0, "middle", "bp-empty", "No prices yet");
        return svg.finish();
    }
    let lo = valid.iter().map(|c| c.low).chain(trades.iter().map(|t| t.price)).fold(f64::MAX, f64::min);
    let hi = valid.iter().map(|c| c.high).chain(trades.iter().map(|t| t.price)).fold(f64::MIN, f64::max);
    let t0 = valid.iter().map(|c| c.t).fold(f64::MAX, f64::min);
    let t1 = valid.iter().map(|c| c.t).fold(f64::MIN, f64::max);
    let (left, top, right, bottom) = plot_area(frame);
    let step = if valid.len() > 1 { (t1 - t0) / (valid.len() - 1) as f64 } else { 1.0 };
    let x = Scale::new(t0 - step / 2.0, t1 + step / 2.0, left, right);
    let pad = (hi - lo).abs() * 0.05;
    let y = Scale::new(lo - pad, hi + pad, bottom, top);
    draw_axes(&mut svg, frame, &x, &y);
    let body = ((right - left) / valid.len() as f64 * 0.6).clamp(1.0, 16.0);
    if candles_style {
        svg.raw("<g class=\"bp-candles\">");
        for c in &valid {
            let up = c.close >= c.open;
            let (class, colour) = if up { ("bp-up", "#2ca02c") } else { ("bp-down", "#d62728") };
            let cx = x.at(c.t);
            let (top_px, bottom_px) = (y.at(c.open.max(c.close)), y.at(c.open.min(c.close)));
            let _ = write!(
                svg.out,
                "<g class=\"bp-candle {class}\" data-values=\"{}|O {} H {} L {} C {}\">\
                 <line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" stroke=\"{colour}\"/>\
                 <rect x=\"{:.1}\" y=\"{top_px:.1}\" width=\"{body:.1}\" height=\"{:.1}\" fill=\"{colour}\"/></g>",
                frame.x_format.format(c.t),
                frame.y_format.format(c.open),
                frame.y_format.format(c.high),
                frame.y_format.format(c.low),
                frame.y_format.format(c.close),
                y.at(c.high),
                y.at(c.low),
                cx - body / 2.0,
                (bottom_px - top_px).max(1.0),
            );
        }
        svg.raw("</g>");
    } else {
        let mut points = String::new();
        let mut values = String::new();
        for c in &valid {
            let _ = write!(points, "{:.1},{:.1} ", x.at(c.t), y.at(c.close));
            let _ = write!(values, "{}|{};", frame.x_format.format(c.t), frame.y_format.format(c.close));
        }
        let _ = write!(
            svg.out,
            "<polyline class=\"bp-series bp-series-0\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" \
             points=\"{}\" data-series=\"Close\" data-values=\"{}\"/>",
            points.trim_end(),
            escape(&values)
        );
    }
    svg.raw("<g class=\"bp-trades\">");
    for t in trades.iter().filter(|t| t.t.is_finite() && t.price.is_finite()) {
        let (cx, cy) = (x.at(t.t), y.at(t.price));
        let (class, colour, path) = if t.buy {
            ("bp-buy", "#2ca02c", format!("M{:.1},{:.1} l6,10 l-12,0 z", cx, cy - 5.0))
        } else {
            ("bp-sell", "#d62728", format!("M{:.1},{:.1} l6,-10 l-12,0 z", cx, cy + 5.0))
        };
        let _ = write!(
            svg.out,
            "<path class=\"bp-trade {class}\" d=\"{path}\" fill=\"{colour}\" stroke=\"#fff\" \
             data-values=\"{}|{}\"><title>{}</title></path>",
            frame.x_format.format(t.t),
            escape(&t.label),
            escape(&t.label)
        );
    }
    svg.raw("</g><g class=\"bp-crosshair\"></g>");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Candle> {
        vec![
            Candle { t: 0.0, open: 10.0, high: 12.0, low: 9.0, close: 11.0 },
            Candle { t: 86_400.0, open: 11.0, high: 11.5, low: 8.0, close: 8.5 },
        ]
    }

    #[test]
    fn candles_are_coloured_by_direction_and_trades_marked() {
        let trades = vec![TradeMarker { t: 0.0, price: 10.5, buy: true, label: "Bought 10 @ $10.50".into() }];
        let svg = candle_chart(&Frame::new(400.0, 200.0, "AAA"), &bars(), &trades, true);
        assert_eq!(svg.matches("bp-candle bp-up").count(), 1);
        assert_eq!(svg.matches("bp-candle bp-down").count(), 1);
        assert_eq!(svg.matches("bp-trade bp-buy").count(), 1);
        assert!(svg.contains("Bought 10 @ $10.50"));
    }

    #[test]
    fn line_style_draws_closes() {
        let svg = candle_chart(&Frame::new(400.0, 200.0, "AAA"), &bars(), &[], false);
        assert!(svg.contains("<polyline") && !svg.contains("bp-candle "));
        assert!(svg.contains("$8.50"));
    }

    #[test]
    fn no_bars_says_so() {
        assert!(candle_chart(&Frame::new(400.0, 200.0, "AAA"), &[], &[], true).contains("No prices yet"));
    }
}
