//! Scales, tick choice and the axes every chart shares.

use crate::svg::Svg;
use crate::{Frame, ValueFormat};

/// Space around the plot area for labels.
pub(crate) const MARGIN_LEFT: f64 = 64.0;
pub(crate) const MARGIN_RIGHT: f64 = 16.0;
pub(crate) const MARGIN_TOP: f64 = 16.0;
pub(crate) const MARGIN_BOTTOM: f64 = 28.0;

/// A linear map from data values to SVG coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Smallest data value.
    pub min: f64,
    /// Largest data value.
    pub max: f64,
    /// Coordinate of `min`.
    pub from: f64,
    /// Coordinate of `max`.
    pub to: f64,
}

impl Scale {
    /// A scale over a data range; an empty range is widened so it still maps.
    pub fn new(min: f64, max: f64, from: f64, to: f64) -> Scale {
        let (min, max) = if !(min.is_finite() && max.is_finite()) {
            (0.0, 1.0)
        } else if (max - min).abs() < f64::EPSILON {
            let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.01 };
            (min - pad, max + pad)
        } else {
            (min.min(max), min.max(max))
        };
        Scale { min, max, from, to }
    }

    /// The coordinate of a value.
    pub fn at(&self, v: f64) -> f64 {
        self.from + (v - self.min) / (self.max - self.min) * (self.to - self.from)
    }
}

/// About `count` round tick values covering `[min, max]` (steps of 1, 2 or 5 × 10^k).
pub fn nice_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || max <= min || count == 0 {
        return vec![min];
    }
    let raw = (max - min) / count as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
    let first = (min / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut v = first;
    while v <= max + step * 1e-9 && ticks.len() < 64 {
        ticks.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    ticks
}

/// The plot area of a frame: (left, top, right, bottom).
pub(crate) fn plot_area(frame: &Frame) -> (f64, f64, f64, f64) {
    (MARGIN_LEFT, MARGIN_TOP, frame.width - MARGIN_RIGHT, frame.height - MARGIN_BOTTOM)
}

/// Grid lines and labels for both axes.
pub(crate) fn draw_axes(svg: &mut Svg, frame: &Frame, x: &Scale, y: &Scale) {
    let (left, top, right, bottom) = plot_area(frame);
    svg.raw("<g class=\"bp-axes\">");
    for t in nice_ticks(y.min, y.max, 5) {
        let py = y.at(t);
        svg.line(left, py, right, py, "bp-grid", "#e5e5e5");
        svg.text(left - 6.0, py + 4.0, "end", "bp-tick", &frame.y_format.format(t));
    }
    let x_count = ((right - left) / 110.0).max(2.0) as usize;
    let x_ticks = match frame.x_format {
        ValueFormat::Date => day_ticks(x.min, x.max, x_count),
        _ => nice_ticks(x.min, x.max, x_count),
    };
    for t in x_ticks {
        let px = x.at(t);
        svg.line(px, bottom, px, bottom + 4.0, "bp-tick-mark", "#999");
        svg.text(px, bottom + 16.0, "middle", "bp-tick", &frame.x_format.format(t));
    }
    svg.line(left, bottom, right, bottom, "bp-axis", "#999");
    svg.line(left, top, left, bottom, "bp-axis", "#999");
    svg.raw("</g>");
}

/// Ticks on whole days (in seconds), about `count` of them.
fn day_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    const DAY: f64 = 86_400.0;
    let days = ((max - min) / DAY).max(1.0);
    let step_days = [1.0, 2.0, 7.0, 14.0, 30.0, 91.0, 182.0, 365.0]
        .iter()
        .copied()
        .find(|s| days / s <= count as f64)
        .unwrap_or((days / count as f64).ceil());
    let step = step_days * DAY;
    let mut v = (min / step).ceil() * step;
    let mut out = Vec::new();
    while v <= max && out.len() < 64 {
        out.push(v);
        v += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.3, 1.7, 4), vec![0.5, 1.0, 1.5]);
        assert_eq!(nice_ticks(5.0, 5.0, 4), vec![5.0]);
    }

    #[test]
    fn scales_map_and_survive_flat_data() {
        let s = Scale::new(0.0, 10.0, 100.0, 200.0);
        assert_eq!(s.at(5.0), 150.0);
        let flat = Scale::new(7.0, 7.0, 0.0, 10.0);
        assert!(flat.at(7.0).is_finite());
        let bad = Scale::new(f64::NAN, 1.0, 0.0, 10.0);
        assert!(bad.at(0.5).is_finite());
    }
}
