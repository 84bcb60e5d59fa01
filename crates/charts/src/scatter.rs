//! Scatter charts: each of a player's round trips against everyone else's.

use std::fmt::Write;

use crate::axis::{draw_axes, plot_area, Scale};
use crate::svg::{escape, Svg};
use crate::Frame;

/// One point.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    /// x value (e.g. holding time in seconds).
    pub x: f64,
    /// y value (e.g. return as a fraction).
    pub y: f64,
    /// Relative size (e.g. notional); the radius grows with its square root.
    pub size: f64,
    /// Drawn highlighted (the player's own trades).
    pub highlight: bool,
    /// Drawn as flagged (anomalies).
    pub flagged: bool,
    /// Hover text.
    pub label: String,
}

/// A scatter of points; the player's own are highlighted and drawn on top, flagged ones ringed.
pub fn scatter_chart(frame: &Frame, points: &[ScatterPoint]) -> String {
    let mut svg = Svg::open(frame.width, frame.height, &frame.title, "scatter");
    let valid: Vec<&ScatterPoint> =
        points.iter().filter(|p| p.x.is_finite() && p.y.is_finite() && p.size.is_finite()).collect();
    if valid.is_empty() {
        svg.text(frame.width / 2.0, frame.height / 2.0, "middle", "bp-empty", "No closed trades yet");
        return svg.finish();
    }
    let fold = |f: fn(&ScatterPoint) -> f64| {
        valid.iter().map(|p| f(p)).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (x0, x1) = fold(|p| p.x);
    let (y0, y1) = fold(|p| p.y);
    let max_size = valid.iter().map(|p| p.size.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let (left, top, right, bottom) = plot_area(frame);
    let x = Scale::new(x0, x1, left + 6.0, right - 6.0);
    let y = Scale::new(y0, y1, bottom - 6.0, top + 6.0);
    draw_axes(&mut svg, frame, &x, &y);
    let mut ordered = valid.clone();
    ordered.sort_by_key(|p| p.highlight);
    svg.raw("<g class=\"bp-points\">");
    for p in ordered {
        let r = 2.0 + 6.0 * (p.size.abs() / max_size).sqrt();
        let (class, fill, opacity) =
            if p.highlight { ("bp-own", "#ff7f0e", "0.9") } else { ("bp-peer", "#1f77b4", "0.25") };
        let ring = if p.flagged { " stroke=\"#d62728\" stroke-width=\"2\"" } else { "" };
        let flag = if p.flagged { " bp-flagged" } else { "" };
        let _ = write!(
            svg.out,
            "<circle class=\"{class}{flag}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"{fill}\" \
             fill-opacity=\"{opacity}\"{ring} data-values=\"{}|{}|{}\"><title>{}</title></circle>",
            x.at(p.x),
            y.at(p.y),
            frame.x_format.format(p.x),
            frame.y_format.format(p.y),
            escape(&p.label),
            escape(&p.label)
        );
    }
    svg.raw("</g>");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ValueFormat;

    #[test]
    fn own_points_are_highlighted_and_drawn_last() {
        let mut frame = Frame::new(400.0, 300.0, "Your trades vs peers");
        frame.x_format = ValueFormat::Duration;
        frame.y_format = ValueFormat::Percent;
        let p = |x: f64, y: f64, own: bool, flagged: bool| ScatterPoint {
            x,
            y,
            size: 1000.0,
            highlight: own,
            flagged,
            label: format!("{x}"),
        };
        let svg = scatter_chart(&frame, &[p(3600.0, 0.1, true, true), p(7200.0, -0.05, false, false)]);
        let own = svg.find("bp-own").unwrap_or(0);
        let peer = svg.find("bp-peer").unwrap_or(usize::MAX);
        assert!(peer < own, "peers first, own trades on top");
        assert!(svg.contains("bp-own bp-flagged"));
        assert!(svg.contains("10.0%"));
    }
}
