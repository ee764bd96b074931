//! The claims comparison written out: JSON (`marginalia claims --json`), CSV
//! with one row per claim, and a self-contained HTML report with each
//! proposition's figures drawn on a shared axis, for sharing.

use std::fmt::Write as _;

use serde::Serialize;

use super::csv::{Formulas, field};
use crate::model::comparison::{ClaimCell, Comparison, PropositionRow};
use crate::model::quantity::{Quantity, number};

#[derive(Serialize)]
struct JsonValue<'a> {
    low: Option<f64>,
    high: Option<f64>,
    approximate: bool,
    unit: &'a str,
    rate: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonClaim<'a> {
    doc: &'a str,
    id: &'a str,
    quote: &'a str,
    stance: &'a str,
    speaker: &'a str,
    outlet: &'a str,
    published: &'a str,
    value: Option<JsonValue<'a>>,
    value_from: Option<&'a str>,
    when: Option<&'a str>,
    place: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonProposition<'a> {
    key: &'a str,
    contested: bool,
    disagreements: &'a [String],
    claims: Vec<JsonClaim<'a>>,
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    propositions: Vec<JsonProposition<'a>>,
    ungrouped: Vec<JsonClaim<'a>>,
}

fn json_claim(c: &ClaimCell) -> JsonClaim<'_> {
    JsonClaim {
        doc: &c.doc,
        id: &c.id,
        quote: &c.quote,
        stance: c.stance.as_str(),
        speaker: &c.speaker,
        outlet: &c.outlet,
        published: &c.published,
        value: c.value.as_ref().map(|v| JsonValue {
            low: v.low,
            high: v.high,
            approximate: v.approximate,
            unit: &v.unit,
            rate: v.rate.as_deref(),
        }),
        value_from: c.value_from.map(|f| match f {
            crate::model::comparison::ValueFrom::Analyst => "analyst",
            crate::model::comparison::ValueFrom::Entity => "entity",
            crate::model::comparison::ValueFrom::Text => "text",
        }),
        when: c.when.as_deref(),
        place: c.place.as_deref(),
    }
}

/// The comparison as JSON: propositions with `contested` and their claims,
/// then the claims without a proposition. Open bounds are `null`.
pub fn to_json(c: &Comparison) -> String {
    let out = JsonComparison {
        propositions: c
            .propositions
            .iter()
            .map(|p| JsonProposition {
                key: &p.key,
                contested: p.is_contested(),
                disagreements: &p.contested,
                claims: p.claims.iter().map(|c| json_claim(c)).collect(),
            })
            .collect(),
        ungrouped: c.ungrouped.iter().map(|c| json_claim(c)).collect(),
    };
    serde_json::to_string_pretty(&out).expect("the comparison always serializes")
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 17] = [
    "proposition",
    "document",
    "id",
    "outlet",
    "published",
    "speaker",
    "stance",
    "quote",
    "value_low",
    "value_high",
    "approximate",
    "unit",
    "rate",
    "value_from",
    "event_time",
    "event_place",
    "contested",
];

fn csv_row(out: &mut String, key: &str, contested: bool, c: &ClaimCell, formulas: Formulas) {
    let v = c.value.as_ref();
    let num = |x: Option<f64>| x.map(|x| format!("{x}")).unwrap_or_default();
    // (cell, is a number this module wrote): numbers are never guarded, so a
    // spreadsheet still reads `-5` as minus five.
    let fields = [
        (key.to_owned(), false),
        (c.doc.to_string(), false),
        (c.id.to_string(), false),
        (c.outlet.to_string(), false),
        (c.published.to_string(), false),
        (c.speaker.clone(), false),
        (c.stance.as_str().to_owned(), false),
        (c.quote.clone(), false),
        (num(v.and_then(|v| v.low)), true),
        (num(v.and_then(|v| v.high)), true),
        (v.map(|v| v.approximate.to_string()).unwrap_or_default(), false),
        (v.map(|v| v.unit.clone()).unwrap_or_default(), false),
        (v.and_then(|v| v.rate.clone()).unwrap_or_default(), false),
        (
            c.value_from.map(|f| f.as_str().to_owned()).unwrap_or_default(),
            false,
        ),
        (c.when.clone().unwrap_or_default(), false),
        (c.place.clone().unwrap_or_default(), false),
        (contested.to_string(), false),
    ];
    for (i, (f, number)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f, if *number { Formulas::Keep } else { formulas }));
    }
    out.push_str("\r\n");
}

/// One row per claim (RFC 4180, CRLF line ends): every proposition's claims,
/// then the claims without one. An open bound is an empty cell. Text cells
/// that a spreadsheet would run as a formula are guarded as `formulas` says
/// (see [`Formulas`]).
pub fn to_csv(c: &Comparison, formulas: Formulas) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for p in &c.propositions {
        for cell in &p.claims {
            csv_row(&mut out, &p.key, p.is_contested(), cell, formulas);
        }
    }
    for cell in &c.ungrouped {
        csv_row(&mut out, "", false, cell, formulas);
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stable colour for a source, so it is the same in every strip.
pub fn source_colour(doc: &str) -> [u8; 3] {
    const PALETTE: [[u8; 3]; 8] = [
        [0x1f, 0x77, 0xb4],
        [0xd6, 0x27, 0x28],
        [0x2c, 0xa0, 0x2c],
        [0x94, 0x67, 0xbd],
        [0xff, 0x7f, 0x0e],
        [0x8c, 0x56, 0x4b],
        [0xe3, 0x77, 0xc2],
        [0x17, 0xbe, 0xcf],
    ];
    let h = doc
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16777619));
    PALETTE[h as usize % PALETTE.len()]
}

/// Where an interval lies on a strip `width` wide spanning `axis`: (from, to,
/// open below, open above).
pub fn strip_span(q: &Quantity, axis: (f64, f64), width: f64) -> (f64, f64, bool, bool) {
    let x = |v: f64| ((v - axis.0) / (axis.1 - axis.0).max(f64::EPSILON) * width).clamp(0.0, width);
    let from = q.low.map_or(0.0, x);
    let to = q.high.map_or(width, x);
    (from, to, q.low.is_none(), q.high.is_none())
}

fn svg_strip(out: &mut String, p: &PropositionRow) {
    let Some(axis) = p.axis else { return };
    let (w, row) = (420.0, 18.0);
    let valued: Vec<&ClaimCell> = p
        .claims
        .iter()
        .map(|c| &**c)
        .filter(|c| c.value.is_some())
        .collect();
    let h = row * valued.len() as f64 + 22.0;
    let _ = write!(
        out,
        r#"<svg width="{}" height="{h}" viewBox="-10 0 {} {h}" role="img" aria-label="figures of {}">"#,
        w + 20.0,
        w + 20.0,
        esc(&p.key)
    );
    for (i, c) in valued.iter().enumerate() {
        let q = c.value.as_ref().expect("filtered");
        let (a, b, open_lo, open_hi) = strip_span(q, axis, w);
        let y = row * i as f64 + 10.0;
        let [r, g, bl] = source_colour(&c.doc);
        let dash = if q.approximate {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r##"<g><title>{}: {}</title><line x1="{a:.1}" y1="{y}" x2="{:.1}" y2="{y}" stroke="#{r:02x}{g:02x}{bl:02x}" stroke-width="6" stroke-linecap="round"{dash}/>"##,
            esc(&c.source()),
            esc(&q.display()),
            b.max(a + 0.5)
        );
        if open_lo {
            let _ = write!(
                out,
                r##"<text x="{a:.1}" y="{:.1}" font-size="11">◀</text>"##,
                y + 4.0
            );
        }
        if open_hi {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="11">▶</text>"##,
                b - 8.0,
                y + 4.0
            );
        }
        out.push_str("</g>");
    }
    let base = h - 8.0;
    let _ = write!(
        out,
        r##"<line x1="0" y1="{base}" x2="{w}" y2="{base}" stroke="#999"/><text x="0" y="{h}" font-size="10" fill="#555">{}</text><text x="{w}" y="{h}" font-size="10" fill="#555" text-anchor="end">{}</text></svg>"##,
        number(axis.0.round()),
        number(axis.1.round())
    );
}

/// A self-contained HTML page (no scripts, no outside files): for each
/// proposition, contested ones first, its figures on one axis and a table of
/// what each source says.
pub fn to_html(c: &Comparison, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}}
h2{{margin-top:2em;font-size:1.2em}} .contested{{color:#b00020}} .agreed{{color:#2c7a2c}}
table{{border-collapse:collapse;width:100%;margin-top:.5em}} td,th{{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}}
th{{background:#f4f4f4}} .q{{font-style:italic}} .swatch{{display:inline-block;width:.8em;height:.8em;border-radius:.2em;margin-right:.3em}}
</style></head><body>
<h1>{t}</h1>
<p>{n} propositions, {k} contested; {u} claims without a proposition. A bar is the interval a source's figure allows; an arrow marks a side the source leaves open; a dashed bar is an approximate figure.</p>
"#,
        t = esc(title),
        n = c.propositions.len(),
        k = c.propositions.iter().filter(|p| p.is_contested()).count(),
        u = c.ungrouped.len()
    );
    let mut order: Vec<&PropositionRow> = c.propositions.iter().collect();
    order.sort_by_key(|p| (std::cmp::Reverse(p.contested.len()), p.key.clone()));
    for p in order {
        let _ = write!(out, "<h2>{}", esc(&p.key));
        if p.is_contested() {
            out.push_str(r#" <span class="contested">— contested</span></h2><ul>"#);
            for why in &p.contested {
                let _ = write!(out, "<li>{}</li>", esc(why));
            }
            out.push_str("</ul>");
        } else {
            out.push_str(r#" <span class="agreed">— sources agree</span></h2>"#);
        }
        svg_strip(&mut out, p);
        out.push_str("<table><tr><th>Source</th><th>Speaker</th><th>Stance</th><th>Value</th><th>When, where</th><th>Quote</th></tr>");
        for cell in &p.claims {
            let [r, g, b] = source_colour(&cell.doc);
            let place: Vec<&str> = [cell.when.as_deref(), cell.place.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            let _ = write!(
                out,
                r##"<tr><td><span class="swatch" style="background:#{r:02x}{g:02x}{b:02x}"></span>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="q">“{}”</td></tr>"##,
                esc(&cell.source()),
                esc(&cell.speaker),
                cell.stance.as_str(),
                esc(&cell.value.as_ref().map(Quantity::display).unwrap_or_default()),
                esc(&place.join(", ")),
                esc(&cell.quote)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::comparison::{build, cells_of};
    use crate::model::{Claim, DocAnnotations, Document, Kind, Span};

    fn doc(path: &str, text: &str, outlet: &str, date: &str) -> (String, DocAnnotations) {
        let d = Document::new(path, text.to_owned());
        let mut data = DocAnnotations::default();
        data.meta.outlet = outlet.into();
        data.meta.published = date.into();
        let claim = Kind::Claim(Box::new(Claim {
            proposition: Some("detained".into()),
            ..Default::default()
        }));
        data.annotations
            .push(d.annotate(vec![Span::new(0, d.len_chars())], "CLAIM", claim, "t"));
        (path.to_owned(), data)
    }

    fn sample() -> Comparison {
        let docs = [
            doc(
                "a.txt",
                "At least 41 refugees, said \"x\"",
                "Daily NK",
                "2012-03-12",
            ),
            doc(
                "b.txt",
                "China eventually arrested 31 refugees",
                "Blog",
                "2012-03-20",
            ),
        ];
        build(docs.iter().flat_map(|(p, d)| cells_of(p, d)).collect(), &[])
    }

    #[test]
    fn json_has_the_shape_the_command_line_promises() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&sample())).unwrap();
        let p = &v["propositions"][0];
        assert_eq!(p["key"], "detained");
        assert_eq!(p["contested"], true);
        let c = &p["claims"][0];
        assert_eq!(c["outlet"], "Daily NK");
        assert_eq!(c["value"]["low"], 41.0);
        assert!(c["value"]["high"].is_null());
        assert_eq!(c["value"]["approximate"], false);
        assert_eq!(p["claims"][1]["value"]["high"], 31.0);
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_has_every_column() {
        let csv = to_csv(&sample(), Formulas::Guard);
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next().unwrap().split(',').count(), CSV_COLUMNS.len());
        let first = lines.next().unwrap();
        assert!(first.starts_with("detained,a.txt,"), "{first}");
        assert!(first.contains(r#""At least 41 refugees, said ""x""""#), "{first}");
        assert!(
            first.ends_with(",41,,false,refugees,,read from the text,,,true"),
            "{first}"
        );
    }

    #[test]
    fn csv_guards_formula_cells_but_not_numbers() {
        let docs = [doc(
            "a.txt",
            "=HYPERLINK(1) said -5 degrees",
            "@outlet",
            "2012-03-12",
        )];
        let cmp = build(docs.iter().flat_map(|(p, d)| cells_of(p, d)).collect(), &[]);
        let guarded = to_csv(&cmp, Formulas::Guard);
        let row = guarded.split("\r\n").nth(1).unwrap();
        assert!(row.contains(",'@outlet,"), "{row}");
        assert!(row.contains(",'=HYPERLINK(1) said -5 degrees,"), "{row}");
        let kept = to_csv(&cmp, Formulas::Keep);
        let row = kept.split("\r\n").nth(1).unwrap();
        assert!(
            row.contains(",@outlet,") && row.contains(",=HYPERLINK(1)"),
            "{row}"
        );
    }

    #[test]
    fn the_report_stands_alone() {
        let html = to_html(&sample(), "Detentions <2012>");
        assert!(html.contains("&lt;2012&gt;"));
        assert!(html.contains("<svg") && html.contains("contested"));
        assert!(!html.contains("<script") && !html.contains("src="));
    }
}
