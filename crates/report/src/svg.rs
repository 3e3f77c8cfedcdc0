//! Inline SVG charts: horizontal bars, lines over periods, and a build
//! timeline. Pure functions from data to markup; no scripts, fonts or
//! external references, so a report opens offline in any browser.
//!
//! Every drawn datum carries its exact value in a `data-*` attribute
//! (`data-value`, `data-values`, `data-start`...) so that tests, and readers
//! who copy the markup, can check the picture against the numbers.

use crate::fmt::{esc, exact, qty};

/// The Okabe-Ito palette (colour-blind safe), black last.
pub const PALETTE: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"];

/// Width of every chart, px (the page scales it down on narrow screens).
pub const WIDTH: f64 = 760.0;

pub struct Bar {
    pub label: String,
    pub value: f64,
    pub color: &'static str,
    /// A second value drawn as a tick across the bar (e.g. p95 on a CVaR bar).
    pub mark: Option<f64>,
    /// Text after the bar; the formatted value when empty.
    pub text: String,
}

/// Geometry of a horizontal bar chart, exposed for tests.
pub struct HbarLayout {
    pub label_w: f64,
    pub area_w: f64,
    pub scale_max: f64,
}

pub fn hbar_layout(bars: &[Bar], refs: &[(f64, &str)]) -> HbarLayout {
    let label_w = 200.0;
    let area_w = WIDTH - label_w - 130.0;
    let mut m = 0.0f64;
    for b in bars {
        if b.value.is_finite() {
            m = m.max(b.value);
        }
        if let Some(k) = b.mark {
            if k.is_finite() {
                m = m.max(k);
            }
        }
    }
    for (r, _) in refs {
        m = m.max(*r);
    }
    HbarLayout { label_w, area_w, scale_max: m }
}

/// Bar width for `v` (0 for negative, NaN or an all-zero chart).
pub fn bar_width(l: &HbarLayout, v: f64) -> f64 {
    if l.scale_max > 0.0 && v.is_finite() && v > 0.0 {
        v / l.scale_max * l.area_w
    } else {
        0.0
    }
}

/// Horizontal bars, one per item, longest scale at the largest value (or
/// reference line). `refs` are dashed vertical lines with a caption.
pub fn hbar(id: &str, title: &str, bars: &[Bar], refs: &[(f64, &str)]) -> String {
    let l = hbar_layout(bars, refs);
    let row = 22.0;
    let top = if refs.is_empty() { 34.0 } else { 48.0 };
    let h = top + row * bars.len() as f64 + 12.0;
    let mut s = open(id, title, h);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = bar_width(&l, b.value);
        let text = if b.text.is_empty() { qty(b.value) } else { b.text.clone() };
        s.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            l.label_w - 8.0,
            y + 12.5,
            esc(&truncate(&b.label, 30))
        ));
        s.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.2}\" height=\"16\" fill=\"{}\" data-label=\"{}\" data-value=\"{}\"><title>{}: {}</title></rect>",
            l.label_w,
            y,
            w,
            b.color,
            esc(&b.label),
            exact(b.value),
            esc(&b.label),
            esc(&text)
        ));
        if let Some(k) = b.mark {
            let x = l.label_w + bar_width(&l, k);
            s.push_str(&format!(
                "<line class=\"mark\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#000\" stroke-width=\"2\" data-value=\"{}\"/>",
                y - 2.0,
                y + 18.0,
                exact(k)
            ));
        }
        s.push_str(&format!(
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            l.label_w + w + 6.0,
            y + 12.5,
            esc(&text)
        ));
    }
    for (r, caption) in refs {
        let x = l.label_w + bar_width(&l, *r);
        s.push_str(&format!(
            "<line class=\"ref\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\" stroke-dasharray=\"4 3\" data-value=\"{}\"/><text class=\"ref-label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            top - 6.0,
            h - 8.0,
            exact(*r),
            top - 9.0,
            esc(caption)
        ));
    }
    s.push_str("</svg>");
    s
}

pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// "Nice" axis maximum and step for data up to `m` (1, 2 or 5 times a power of ten).
pub fn nice_axis(m: f64) -> (f64, f64) {
    if !(m.is_finite() && m > 0.0) {
        return (1.0, 0.2);
    }
    let raw = m / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|k| k * p).find(|s| *s >= raw).unwrap_or(10.0 * p);
    ((m / step).ceil() * step, step)
}

/// Geometry of a line chart, exposed for tests: (left, top, plot width, plot height).
pub const LINES_BOX: (f64, f64, f64, f64) = (78.0, 34.0, WIDTH - 78.0 - 190.0, 220.0);

/// The point of value `v` at period `t` of `n`, on an axis up to `ymax`.
pub fn line_point(t: usize, n: usize, v: f64, ymax: f64) -> (f64, f64) {
    let (l, top, w, h) = LINES_BOX;
    let x = if n <= 1 { l } else { l + w * t as f64 / (n - 1) as f64 };
    let y = top + h - if ymax > 0.0 { v.max(0.0) / ymax * h } else { 0.0 };
    (x, y)
}

/// Lines over periods `0..n`, one per series, with a legend on the right.
/// `x_ticks` labels the periods (default: their index from 0).
pub fn lines(id: &str, title: &str, y_label: &str, x_label: &str, x_ticks: Option<&[String]>, series: &[Series]) -> String {
    let (l, top, w, h) = LINES_BOX;
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let m = series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (ymax, step) = nice_axis(m);
    let height = top + h + 48.0;
    let mut s = open(id, title, height);
    // Axes, grid and ticks.
    let mut k = 0.0;
    while k <= ymax + step * 1e-9 {
        let (_, y) = line_point(0, n, k, ymax);
        s.push_str(&format!(
            "<line x1=\"{l:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            l + w,
            l - 6.0,
            y + 4.0,
            qty(k)
        ));
        k += step;
    }
    let every = n.div_ceil(12).max(1);
    for t in (0..n).step_by(every) {
        let (x, _) = line_point(t, n, 0.0, ymax);
        let label = x_ticks.and_then(|l| l.get(t)).cloned().unwrap_or_else(|| t.to_string());
        s.push_str(&format!("<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>", top + h + 16.0, esc(&label)));
    }
    s.push_str(&format!(
        "<line x1=\"{l:.1}\" x2=\"{l:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" stroke=\"#333\"/><line x1=\"{l:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>",
        top + h,
        l + w,
        top + h,
        top + h
    ));
    s.push_str(&format!("<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>", l + w / 2.0, top + h + 34.0, esc(x_label)));
    s.push_str(&format!(
        "<text class=\"axis\" x=\"12\" y=\"{:.1}\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">{}</text>",
        top + h / 2.0,
        top + h / 2.0,
        esc(y_label)
    ));
    for (i, se) in series.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(t, v)| {
                let (x, y) = line_point(t, n, *v, ymax);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let vals: Vec<String> = se.values.iter().map(|v| exact(*v)).collect();
        s.push_str(&format!(
            "<polyline class=\"series\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\" points=\"{}\" data-name=\"{}\" data-values=\"{}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(&se.name),
            vals.join(","),
            esc(&se.name)
        ));
        let ly = top + 8.0 + 18.0 * i as f64;
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"4\" fill=\"{c}\"/><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            l + w + 14.0,
            ly,
            l + w + 34.0,
            ly + 5.0,
            esc(&truncate(&se.name, 24))
        ));
    }
    s.push_str("</svg>");
    s
}

pub struct Span {
    pub label: String,
    /// Period index at which work starts (permitting and construction).
    pub start: usize,
    /// Period index at which output starts; `None` when beyond the horizon.
    pub online: Option<usize>,
}

/// A build timeline over `periods`: permitting and construction from
/// `start` to `online`, then output to the horizon's end.
pub fn timeline(id: &str, title: &str, periods: &[String], spans: &[Span]) -> String {
    let label_w = 200.0;
    let area = WIDTH - label_w - 20.0;
    let n = periods.len().max(1) as f64;
    let col = area / n;
    let top = 50.0;
    let row = 24.0;
    let h = top + row * spans.len() as f64 + 40.0;
    let mut s = open(id, title, h);
    for (t, p) in periods.iter().enumerate() {
        s.push_str(&format!(
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            label_w + col * (t as f64 + 0.5),
            top - 8.0,
            esc(p)
        ));
    }
    for (i, sp) in spans.iter().enumerate() {
        let y = top + row * i as f64;
        let end = sp.online.unwrap_or(periods.len()).min(periods.len());
        let start = sp.start.min(end);
        s.push_str(&format!(
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 13.0,
            esc(&truncate(&sp.label, 30))
        ));
        s.push_str(&format!(
            "<rect class=\"build\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.2}\" height=\"16\" fill=\"{}\" data-label=\"{}\" data-start=\"{}\" data-online=\"{}\"><title>{}: permitting and construction</title></rect>",
            label_w + col * start as f64,
            col * (end - start) as f64,
            PALETTE[1],
            esc(&sp.label),
            sp.start,
            sp.online.map_or(String::new(), |o| o.to_string()),
            esc(&sp.label)
        ));
        if let Some(o) = sp.online.filter(|o| *o < periods.len()) {
            s.push_str(&format!(
                "<rect class=\"online\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.2}\" height=\"16\" fill=\"{}\"><title>{}: online</title></rect>",
                label_w + col * o as f64,
                col * (periods.len() - o) as f64,
                PALETTE[0],
                esc(&sp.label)
            ));
        }
    }
    let ly = top + row * spans.len() as f64 + 14.0;
    s.push_str(&format!(
        "<rect x=\"{label_w:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"10\" fill=\"{}\"/><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">permitting and construction</text><rect x=\"{:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"10\" fill=\"{}\"/><text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">online</text>",
        PALETTE[1],
        label_w + 20.0,
        ly + 9.0,
        label_w + 230.0,
        PALETTE[0],
        label_w + 250.0,
        ly + 9.0
    ));
    s.push_str("</svg>");
    s
}

fn open(id: &str, title: &str, h: f64) -> String {
    format!(
        "<svg class=\"chart\" id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h:.0}\" width=\"{WIDTH}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\"><text class=\"title\" x=\"0\" y=\"16\">{}</text>",
        esc(id),
        esc(title),
        esc(title)
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar { label: label.into(), value, color: PALETTE[0], mark: None, text: String::new() }
    }

    #[test]
    fn bar_widths_are_proportional_to_values() {
        let bars = [bar("a", 50.0), bar("b", 100.0), bar("c", -3.0), bar("d", f64::NAN)];
        let l = hbar_layout(&bars, &[]);
        // The plot area is 760 - 200 - 130 = 430 px wide; the largest bar fills it.
        assert_eq!(l.area_w, 430.0);
        assert_eq!(bar_width(&l, 100.0), 430.0);
        assert_eq!(bar_width(&l, 50.0), 215.0);
        assert_eq!(bar_width(&l, -3.0), 0.0);
        assert_eq!(bar_width(&l, f64::NAN), 0.0);
        let svg = hbar("x", "t", &bars, &[]);
        assert!(svg.contains("width=\"215.00\""), "{svg}");
        assert!(svg.contains("data-value=\"50.0\""));
        // A reference line beyond the data sets the scale: 2500 -> full width.
        let l = hbar_layout(&bars, &[(2500.0, "high")]);
        assert_eq!(bar_width(&l, 100.0), 100.0 / 2500.0 * 430.0);
    }

    #[test]
    fn nice_axes() {
        assert_eq!(nice_axis(7.3), (8.0, 2.0));
        assert_eq!(nice_axis(100.0), (100.0, 20.0));
        assert_eq!(nice_axis(2301.0), (2500.0, 500.0));
        assert_eq!(nice_axis(0.0), (1.0, 0.2));
    }

    #[test]
    fn line_points_span_the_plot() {
        let (l, top, w, h) = LINES_BOX;
        assert_eq!(line_point(0, 11, 0.0, 10.0), (l, top + h));
        assert_eq!(line_point(10, 11, 10.0, 10.0), (l + w, top));
        assert_eq!(line_point(5, 11, 5.0, 10.0), (l + w / 2.0, top + h / 2.0));
        let svg = lines("s", "t", "y", "x", None, &[Series { name: "JP".into(), values: vec![0.0, 2.5, 5.0] }]);
        assert!(svg.contains("data-values=\"0.0,2.5,5.0\""), "{svg}");
    }

    #[test]
    fn timeline_splits_build_and_online() {
        let periods: Vec<String> = (2026..2036).map(|y| y.to_string()).collect();
        let svg = timeline("t", "builds", &periods, &[Span { label: "us-sep".into(), start: 0, online: Some(5) }]);
        // 10 columns over 760 - 200 - 20 = 540 px: 54 px each; 5 building, 5 online.
        assert!(svg.contains("class=\"build\" x=\"200.0\" y=\"50.0\" width=\"270.00\""), "{svg}");
        assert!(svg.contains("class=\"online\" x=\"470.0\" y=\"50.0\" width=\"270.00\""), "{svg}");
    }
}
