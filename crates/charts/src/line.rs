//! Line charts: equity curves, benchmarks, medians.

use std::fmt::Write;

use crate::axis::{draw_axes, plot_area, Scale};
use crate::svg::{escape, Svg};
use crate::Frame;

/// Colours of series, in order (a palette readable by most colour-blind people).
const PALETTE: [&str; 6] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f"];

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (benchmarks, medians).
    pub dashed: bool,
}

/// A line chart of one or more series with axes, a legend, and hover data on every point.
pub fn line_chart(frame: &Frame, series: &[Series]) -> String {
    let mut svg = Svg::open(frame.width, frame.height, &frame.title, "line");
    let all = series.iter().flat_map(|s| s.points.iter()).filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mut any = false;
    for (x, y) in all {
        any = true;
        x_min = x_min.min(*x);
        x_max = x_max.max(*x);
        y_min = y_min.min(*y);
        y_max = y_max.max(*y);
    }
    if !any {
        svg.text(frame.width / 2.0, frame.height / 2.0, "middle", "bp-empty", "No data yet");
        return svg.finish();
    }
    let pad = (y_max - y_min).abs() * 0.05;
    let (left, top, right, bottom) = plot_area(frame);
    let x = Scale::new(x_min, x_max, left, right);
    let y = Scale::new(y_min - pad, y_max + pad, bottom, top);
    draw_axes(&mut svg, frame, &x, &y);
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let mut points = String::new();
        let mut values = String::new();
        for (px, py) in s.points.iter().filter(|(a, b)| a.is_finite() && b.is_finite()) {
            let _ = write!(points, "{:.1},{:.1} ", x.at(*px), y.at(*py));
            let _ = write!(values, "{}|{};", frame.x_format.format(*px), frame.y_format.format(*py));
        }
        let dash = if s.dashed { " stroke-dasharray=\"5 4\"" } else { "" };
        let _ = write!(
            svg.out,
            "<polyline class=\"bp-series bp-series-{i}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} \
             points=\"{}\" data-series=\"{}\" data-values=\"{}\"/>",
            points.trim_end(),
            escape(&s.name),
            escape(&values)
        );
    }
    // Legend along the top of the plot.
    let mut lx = left + 8.0;
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let _ = write!(
            svg.out,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>",
            top + 2.0
        );
        svg.text(lx + 14.0, top + 11.0, "start", "bp-legend", &s.name);
        lx += 24.0 + 6.5 * s.name.chars().count() as f64;
    }
    svg.raw("<g class=\"bp-crosshair\"></g>");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame::new(600.0, 300.0, "Equity <vs> benchmark")
    }

    #[test]
    fn draws_each_series_with_its_points_and_escapes_text() {
        let svg = line_chart(
            &frame(),
            &[
                Series { name: "You".into(), points: vec![(0.0, 100.0), (86_400.0, 110.0)], dashed: false },
                Series { name: "S&P".into(), points: vec![(0.0, 100.0), (86_400.0, 105.0)], dashed: true },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("Equity &lt;vs&gt; benchmark"));
        assert!(svg.contains("data-series=\"S&amp;P\""));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("1970-01-02|$110.00"));
    }

    #[test]
    fn empty_data_says_so() {
        let svg = line_chart(&frame(), &[Series { name: "You".into(), points: vec![], dashed: false }]);
        assert!(svg.contains("No data yet"));
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn higher_values_are_drawn_higher() {
        let svg =
            line_chart(&frame(), &[Series { name: "a".into(), points: vec![(0.0, 1.0), (1.0, 2.0)], dashed: false }]);
        let pts = svg.split("points=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_string();
        let ys: Vec<f64> = pts.split(' ').filter_map(|p| p.split(',').nth(1)?.parse().ok()).collect();
        assert_eq!(ys.len(), 2);
        assert!(ys[1] < ys[0], "SVG y grows downwards: {ys:?}");
    }
}
