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

/// A horizontal reference line across a scatter (e.g. the peers' 10th, 50th and 90th
/// percentiles of return).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The y value.
    pub y: f64,
    /// Its label, drawn at the right end (e.g. `p90`).
    pub label: String,
}

/// A scatter of points; the player's own are highlighted and drawn on top, flagged ones ringed.
pub fn scatter_chart(frame: &Frame, points: &[ScatterPoint]) -> String {
    scatter_chart_with_bands(frame, points, &[])
}

/// A scatter with horizontal bands behind the points (dashed lines, labelled at the right; the
/// y axis stretches to include them).
pub fn scatter_chart_with_bands(frame: &Frame, points: &[ScatterPoint], bands: &[Band]) -> String {
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
    let (mut y0, mut y1) = fold(|p| p.y);
    let bands: Vec<&Band> = bands.iter().filter(|b| b.y.is_finite()).collect();
    for b in &bands {
        y0 = y0.min(b.y);
        y1 = y1.max(b.y);
    }
    let max_size = valid.iter().map(|p| p.size.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let (left, top, right, bottom) = plot_area(frame);
    let x = Scale::new(x0, x1, left + 6.0, right - 6.0);
    let y = Scale::new(y0, y1, bottom - 6.0, top + 6.0);
    draw_axes(&mut svg, frame, &x, &y);
    if !bands.is_empty() {
        svg.raw("<g class=\"bp-bands\">");
        for b in &bands {
            let at = y.at(b.y);
            let _ = write!(
                svg.out,
                "<line x1=\"{left:.1}\" y1=\"{at:.1}\" x2=\"{right:.1}\" y2=\"{at:.1}\" class=\"bp-band\" \
                 stroke=\"#7f7f7f\" stroke-dasharray=\"4 3\" data-values=\"{}|{}\"/>",
                escape(&b.label),
                frame.y_format.format(b.y)
            );
            svg.text(
                right - 2.0,
                at - 3.0,
                "end",
                "bp-band-label",
                &format!("{} {}", b.label, frame.y_format.format(b.y)),
            );
        }
        svg.raw("</g>");
    }
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

    #[test]
    fn bands_are_drawn_behind_the_points_and_stretch_the_axis() {
        let mut frame = Frame::new(400.0, 300.0, "Trades against peers");
        frame.y_format = ValueFormat::Percent;
        let points = [ScatterPoint { x: 1.0, y: 0.01, size: 1.0, highlight: true, flagged: false, label: "a".into() }];
        let bands = [Band { y: 0.5, label: "p90".into() }, Band { y: f64::NAN, label: "bad".into() }];
        let svg = scatter_chart_with_bands(&frame, &points, &bands);
        assert!(svg.contains("bp-band") && svg.contains("p90 50.0%") && !svg.contains("bad"));
        assert!(svg.find("bp-bands").unwrap_or(usize::MAX) < svg.find("bp-own").unwrap_or(0));
        assert_eq!(scatter_chart(&frame, &points), scatter_chart_with_bands(&frame, &points, &[]));
    }
}
