//! The benchmark plot: speedup over the interpreter by kernel and interpreter, as an SVG
//! document (no dependency needed). Two panels, the specialised tier above the generic tier;
//! one group of bars per kernel (and the geometric mean), one bar per interpreter, on a
//! logarithmic axis with bars growing from 1x (up: faster than the interpreter).

use crate::bench::{label, Row};
use anyjit_abi::discover::Interpreter;
use std::fmt::Write;

/// Bar colours, one per interpreter (repeated past the end).
const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
];

const PANEL_H: f64 = 300.0;
const LEFT: f64 = 70.0;
const TOP: f64 = 60.0;
const BAR: f64 = 7.0;
const GAP: f64 = 14.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The plot of `all` (per interpreter, its rows), as SVG text.
pub fn speedups(all: &[(Interpreter, Vec<Row>)]) -> String {
    let mut kernels: Vec<String> = Vec::new();
    for (_, rows) in all {
        for r in rows.iter().filter(|r| r.note.is_empty()) {
            if !kernels.contains(&r.kernel) {
                kernels.push(r.kernel.clone());
            }
        }
    }
    kernels.sort();
    kernels.push("geomean".into());
    let value = |rows: &[Row], k: &str, spec: bool| -> Option<f64> {
        let pick = |r: &Row| if spec { r.spec_x } else { r.generic_x };
        let done: Vec<&Row> = rows.iter().filter(|r| r.note.is_empty()).collect();
        if k == "geomean" {
            if done.is_empty() {
                return None;
            }
            let s: f64 = done.iter().map(|r| pick(r).ln()).sum();
            return Some((s / done.len() as f64).exp());
        }
        done.iter()
            .find(|r| r.kernel == k)
            .map(|r| pick(r))
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    // the axis: powers of two around every value
    let mut lo: f64 = 0.5;
    let mut hi: f64 = 2.0;
    for (_, rows) in all {
        for k in &kernels {
            for spec in [true, false] {
                if let Some(v) = value(rows, k, spec) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    let lo = 2f64.powf(lo.log2().floor());
    let hi = 2f64.powf(hi.log2().ceil());
    let n = all.len().max(1) as f64;
    let group = n * BAR + GAP;
    let width = LEFT + group * kernels.len() as f64 + 20.0;
    let legend_rows = all.len().div_ceil(4) as f64;
    let height = TOP + 2.0 * (PANEL_H + 70.0) + legend_rows * 18.0 + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="16">anyjit: speedup over the interpreter, by kernel and interpreter (log scale)</text>"#
    );
    for (p, (spec, title)) in [(true, "specialised tier"), (false, "generic tier")]
        .into_iter()
        .enumerate()
    {
        let y0 = TOP + p as f64 * (PANEL_H + 70.0);
        let y = |v: f64| y0 + PANEL_H * (hi.log2() - v.log2()) / (hi.log2() - lo.log2());
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="{:.1}" font-size="13" font-weight="bold">{title}</text>"#,
            y0 - 8.0
        );
        // grid and axis labels
        let mut t = lo;
        while t <= hi * 1.0001 {
            let yy = y(t);
            let stroke = if (t - 1.0).abs() < 1e-9 {
                r##"stroke="#333" stroke-width="1.2""##
            } else {
                r##"stroke="#ddd""##
            };
            let _ = writeln!(
                s,
                r#"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" {stroke}/>"#,
                width - 20.0
            );
            let text = if t >= 1.0 {
                format!("{t:.0}x")
            } else {
                format!("{t}x")
            };
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{text}</text>"#,
                LEFT - 6.0,
                yy + 4.0
            );
            t *= 2.0;
        }
        for (g, k) in kernels.iter().enumerate() {
            let gx = LEFT + g as f64 * group + GAP / 2.0;
            for (i, (_, rows)) in all.iter().enumerate() {
                let Some(v) = value(rows, k, spec) else {
                    continue;
                };
                let (a, b) = (y(v.max(lo)), y(1.0));
                let (top, h) = if a < b { (a, b - a) } else { (b, a - b) };
                let _ = writeln!(
                    s,
                    r#"<rect x="{:.1}" y="{top:.1}" width="{BAR}" height="{:.1}" fill="{}"><title>{} {}: {v:.2}x</title></rect>"#,
                    gx + i as f64 * BAR,
                    h.max(0.5),
                    PALETTE[i % PALETTE.len()],
                    esc(&label(&all[i].0)),
                    esc(k)
                );
            }
            let cx = gx + n * BAR / 2.0;
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="end" transform="rotate(-35 {cx:.1} {:.1})"{}>{}</text>"#,
                y0 + PANEL_H + 14.0,
                y0 + PANEL_H + 14.0,
                if k == "geomean" {
                    r#" font-weight="bold""#
                } else {
                    ""
                },
                esc(k)
            );
        }
    }
    // legend
    let ly = TOP + 2.0 * (PANEL_H + 70.0);
    for (i, (interp, _)) in all.iter().enumerate() {
        let x = LEFT + (i % 4) as f64 * 220.0;
        let yy = ly + (i / 4) as f64 * 18.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            yy - 10.0,
            PALETTE[i % PALETTE.len()],
            x + 16.0,
            yy,
            esc(&label(interp))
        );
    }
    s.push_str("</svg>\n");
    s
}
