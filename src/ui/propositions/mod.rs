//! The Propositions tab: one row per proposition with what every source says
//! of it, the figures on one axis, and whether the sources disagree; a detail
//! with the timeline of the figure and the values to correct; claims without a
//! proposition offered for grouping. Reads the workspace's comparison and
//! returns commands. The detail of one proposition is in `detail.rs`.

use std::sync::Arc;

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, Ui, pos2, vec2};

use crate::formats::claims::{source_colour, strip_span};
use crate::model::comparison::{ClaimCell, Comparison, PropositionRow};
use crate::model::quantity::number;

use super::app::MarginaliaApp;
use super::command::Command;
mod detail;

pub use detail::value_editor;

use super::state::{PropositionsState, Shown};
use super::widgets::{bare_field, count};

/// At most this many claims of a proposition have a cell and a line in its
/// row; the rest are in its detail.
const MAX_CELLS: usize = 12;
/// At most this many suggestions are listed.
const MAX_SUGGESTIONS: usize = 60;

/// Widths of the columns, in points: fixed so that they line up across
/// propositions and fit beside the side panels at 1280 px.
const STRIP_W: f32 = 200.0;
const KEY_W: f32 = 150.0;
const BADGE_W: f32 = 14.0;
const GAP: f32 = 10.0;
const ROW_H: f32 = 10.0;

fn colour(doc: &str) -> Color32 {
    let [r, g, b] = source_colour(doc);
    Color32::from_rgb(r, g, b)
}

/// The source of a claim in at most about 30 characters: outlet and date, or
/// the document's name cut short.
fn short_source(c: &ClaimCell) -> String {
    let s = c.source();
    if s.chars().count() <= 32 {
        return s;
    }
    let head: String = s.chars().take(30).collect();
    format!("{head}…")
}

/// What a claim says, in one short phrase: its value, else its stance.
fn says(c: &ClaimCell) -> String {
    match &c.value {
        Some(v) => v.display(),
        None => c.stance.as_str().to_owned(),
    }
}

/// The hover text of a claim: the quote and everything known of it.
fn details(c: &ClaimCell) -> String {
    let mut s = format!(
        "“{}”\n\n{}",
        crate::model::bidi::display_order(&c.quote),
        c.source()
    );
    if !c.title.is_empty() {
        s.push_str(&format!(" — {}", c.title));
    }
    if !c.speaker.is_empty() {
        s.push_str(&format!("\nSpeaker: {}", c.speaker));
    }
    s.push_str(&format!("\nStance: {}", c.stance.as_str()));
    if let (Some(v), Some(from)) = (&c.value, c.value_from) {
        s.push_str(&format!("\nValue: {} ({})", v.display(), from.as_str()));
    }
    if let Some(w) = &c.when {
        s.push_str(&format!("\nWhen: {w}"));
    }
    if let Some(p) = &c.place {
        s.push_str(&format!("\nWhere: {p}"));
    }
    s.push_str("\n\nClick to open the passage.");
    s
}

/// Whether a claim passes the filters.
fn passes(c: &ClaimCell, st: &PropositionsState) -> bool {
    let f = st.filter.to_lowercase();
    (f.is_empty()
        || [
            c.quote.as_str(),
            c.speaker.as_str(),
            &c.outlet,
            &c.doc,
            c.label.as_str(),
        ]
        .iter()
        .any(|t| t.to_lowercase().contains(&f)))
        && (st.outlet.is_empty() || *c.outlet == *st.outlet || (c.outlet.is_empty() && *c.doc == *st.outlet))
        && (st.speaker.is_empty() || c.speaker == st.speaker)
        && (st.from.trim().is_empty() || (!c.published.is_empty() && &*c.published >= st.from.trim()))
        && (st.to.trim().is_empty() || (!c.published.is_empty() && &*c.published <= st.to.trim()))
}

/// The propositions shown, with only their claims that pass the filters, in
/// the chosen order.
pub fn visible(cmp: &Comparison, st: &PropositionsState) -> Vec<PropositionRow> {
    let key_filter = st.filter.to_lowercase();
    let mut rows: Vec<PropositionRow> = cmp
        .propositions
        .iter()
        .filter_map(|p| {
            let key_hit = !key_filter.is_empty() && p.key.to_lowercase().contains(&key_filter);
            // A proposition whose key matches the words shows all its claims.
            let mut relaxed = st.clone();
            if key_hit {
                relaxed.filter.clear();
            }
            let claims: Vec<Arc<ClaimCell>> =
                p.claims.iter().filter(|c| passes(c, &relaxed)).cloned().collect();
            (!claims.is_empty()).then(|| PropositionRow {
                key: p.key.clone(),
                claims,
                contested: p.contested.clone(),
                axis: p.axis,
            })
        })
        .collect();
    if st.contested_first {
        rows.sort_by_key(|p| {
            (
                std::cmp::Reverse(p.contested.len()),
                std::cmp::Reverse(p.claims.len()),
            )
        });
    }
    rows
}

/// Shows the tab.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let Some(cmp) = app.ws.comparison() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Lining up the claims of every document…");
        });
        return None;
    };
    let mut st = app.propositions.clone();
    let mut command = None;
    // Filtering and the lists of outlets and speakers run when the comparison
    // or the filters change, not on every frame: a large corpus has tens of
    // thousands of claims.
    let key = st.cache_key(Arc::as_ptr(&cmp) as usize);
    if app.propositions_view.as_ref().is_none_or(|v| v.key != key) {
        let claims = || cmp.propositions.iter().flat_map(|p| &p.claims);
        app.propositions_view = Some(Arc::new(Shown {
            key: key.clone(),
            rows: visible(&cmp, &st),
            outlets: claims()
                .map(|c| {
                    if c.outlet.is_empty() {
                        c.doc.to_string()
                    } else {
                        c.outlet.to_string()
                    }
                })
                .collect(),
            speakers: claims()
                .map(|c| c.speaker.clone())
                .filter(|s| !s.is_empty())
                .collect(),
        }));
    }
    let shown = app.propositions_view.clone().expect("set above");
    let (outlets, speakers) = (&shown.outlets, &shown.speakers);
    ui.horizontal_wrapped(|ui| {
        bare_field(
            ui,
            "Filter propositions",
            &mut st.filter,
            "Filter: words, speaker, label",
            170.0,
        );
        combo(ui, "Outlet", &mut st.outlet, outlets);
        combo(ui, "Speaker", &mut st.speaker, speakers);
        bare_field(ui, "Published from", &mut st.from, "from YYYY-MM-DD", 100.0);
        bare_field(ui, "Published to", &mut st.to, "to YYYY-MM-DD", 100.0);
        ui.checkbox(&mut st.contested_first, "Most contested first");
        if ui.button("Export CSV…").clicked() {
            command = Some(Command::AskExportComparison { html: false });
        }
        if ui.button("Export report…").clicked() {
            command = Some(Command::AskExportComparison { html: true });
        }
    });
    let rows = &shown.rows;
    let contested = rows.iter().filter(|p| p.is_contested()).count();
    ui.label(format!(
        "{}, {contested} contested · {} without a proposition{}",
        count(rows.len(), "proposition", "propositions"),
        count(cmp.ungrouped.len(), "claim", "claims"),
        if app.ws.comparison_pending() {
            " · updating…"
        } else {
            ""
        }
    ));
    if cmp.propositions.is_empty() {
        ui.add_space(8.0);
        ui.label(
            "No proposition yet. Tag claims in the reader, then give the claims that say the same thing one \
             proposition key in the inspector (e.g. “detained-count”); they line up here, source by source.",
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("propositions")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Rows of fixed-width columns, not a grid: each row measures its own
            // height in the frame it is drawn, and the columns line up across
            // propositions whatever their content.
            let chips_w = (ui.available_width() - BADGE_W - KEY_W - STRIP_W - 3.0 * GAP).max(180.0);
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = GAP;
                ui.add_space(BADGE_W);
                ui.add_sized(
                    vec2(KEY_W, 16.0),
                    egui::Label::new(RichText::new("Proposition").strong()),
                );
                ui.add_sized(
                    vec2(STRIP_W, 16.0),
                    egui::Label::new(RichText::new("Figures on one axis").strong()),
                );
                ui.strong("What each source says");
            });
            for p in rows {
                ui.separator();
                // Only rows in view are laid out; the others take the room they
                // are estimated to need, so a corpus of many propositions scrolls
                // at the cost of the few shown.
                let h = estimated_height(p, chips_w);
                if !in_view(ui, h) {
                    ui.allocate_space(vec2(ui.available_width(), h));
                    continue;
                }
                if let Some(c) = proposition_row(ui, p, &mut st, chips_w) {
                    command = Some(c);
                }
            }
            if let Some(key) = st.open.clone()
                && let Some(p) = rows.iter().find(|p| p.key == key)
            {
                ui.separator();
                if let Some(c) = detail::detail(ui, p, &mut st) {
                    command = Some(c);
                }
            }
            if !cmp.suggestions.is_empty() {
                ui.separator();
                ui.heading("Claims that look like a proposition");
                for s in cmp.suggestions.iter().take(MAX_SUGGESTIONS) {
                    if !in_view(ui, 40.0) {
                        ui.allocate_space(vec2(ui.available_width(), 22.0));
                        continue;
                    }
                    // The button first, so that it is in view however long the quote.
                    ui.horizontal_wrapped(|ui| {
                        if ui
                            .button(format!("Group under {}", s.key))
                            .on_hover_text("Gives the claim this proposition key; Ctrl+Z undoes it")
                            .clicked()
                        {
                            command = Some(Command::SetProposition {
                                doc: s.claim.doc.to_string(),
                                id: s.claim.id.clone(),
                                key: Some(s.key.clone()),
                            });
                        }
                        let quote: String = s.claim.quote.chars().take(90).collect();
                        let more = if s.claim.quote.chars().count() > 90 {
                            "…"
                        } else {
                            ""
                        };
                        if ui
                            .link(format!("{}: “{quote}{more}”", s.claim.source()))
                            .on_hover_text(details(&s.claim))
                            .clicked()
                        {
                            command = Some(Command::Open {
                                doc: s.claim.doc.to_string(),
                                id: s.claim.id.clone(),
                            });
                        }
                        ui.label(RichText::new(format!("({})", s.why)).weak());
                    });
                }
            }
        });
    app.propositions = st;
    command
}

fn combo(ui: &mut Ui, name: &str, value: &mut String, options: &std::collections::BTreeSet<String>) {
    egui::ComboBox::from_label(name)
        .selected_text(if value.is_empty() { "all" } else { value.as_str() })
        .width(110.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, String::new(), "all");
            for o in options {
                ui.selectable_value(value, o.clone(), o);
            }
        });
}

/// One proposition's row: its state, key, strip and the sources' cells.
fn proposition_row(
    ui: &mut Ui,
    p: &PropositionRow,
    st: &mut PropositionsState,
    chips_w: f32,
) -> Option<Command> {
    let mut command = None;
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = GAP;
        column(ui, BADGE_W, &mut |ui| {
            // Drawn, not a glyph: every font has a circle.
            let (rect, badge) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
            if p.is_contested() {
                ui.painter()
                    .circle_filled(rect.center(), 6.0, ui.visuals().error_fg_color);
                ui.painter().text(
                    rect.center(),
                    Align2::CENTER_CENTER,
                    "!",
                    FontId::proportional(11.0),
                    Color32::WHITE,
                );
                badge.on_hover_text(format!("Contested: {}", p.contested.join("; ")));
            } else {
                ui.painter().circle_stroke(
                    rect.center(),
                    5.0,
                    Stroke::new(2.0, Color32::from_rgb(0x2c, 0xa0, 0x2c)),
                );
                badge.on_hover_text("The sources agree");
            }
        });
        column(ui, KEY_W, &mut |ui| {
            let open = st.open.as_deref() == Some(p.key.as_str());
            let sources: std::collections::BTreeSet<&str> = p.claims.iter().map(|c| &*c.doc).collect();
            if ui
                .selectable_label(open, RichText::new(&p.key).strong())
                .on_hover_text("Show the timeline and the values of this proposition")
                .clicked()
            {
                st.open = if open { None } else { Some(p.key.clone()) };
            }
            ui.small(format!(
                "{} from {}",
                count(p.claims.len(), "claim", "claims"),
                count(sources.len(), "source", "sources")
            ));
            if p.is_contested() {
                ui.small(RichText::new("contested").color(ui.visuals().error_fg_color))
                    .on_hover_text(p.contested.join("\n"));
            }
        });
        column(ui, STRIP_W, &mut |ui| strip(ui, p));
        column(ui, chips_w, &mut |ui| {
            ui.horizontal_wrapped(|ui| {
                for c in p.claims.iter().take(MAX_CELLS) {
                    let text =
                        RichText::new(format!("{} · {}", short_source(c), says(c))).color(colour(&c.doc));
                    if ui.button(text).on_hover_text(details(c)).clicked() {
                        command = Some(Command::Open {
                            doc: c.doc.to_string(),
                            id: c.id.clone(),
                        });
                    }
                }
                if p.claims.len() > MAX_CELLS
                    && ui
                        .small_button(format!("and {} more…", p.claims.len() - MAX_CELLS))
                        .clicked()
                {
                    st.open = Some(p.key.clone());
                }
            });
        });
    });
    command
}

/// True when a block `h` high placed at the cursor would be seen.
fn in_view(ui: &Ui, h: f32) -> bool {
    let at = ui.cursor().min;
    ui.is_rect_visible(egui::Rect::from_min_size(
        at,
        vec2(ui.available_width().max(1.0), h),
    ))
}

/// About how high a proposition's row is: its tallest column (the key with
/// its notes, the strip, the cells wrapped in `chips_w`).
fn estimated_height(p: &PropositionRow, chips_w: f32) -> f32 {
    let key: f32 = 16.0 + 14.0 + if p.is_contested() { 14.0 } else { 0.0 };
    let valued = p
        .claims
        .iter()
        .filter(|c| c.value.is_some())
        .take(MAX_CELLS)
        .count();
    let strip = if valued == 0 {
        16.0
    } else {
        ROW_H * valued as f32 + 14.0
    };
    let (mut lines, mut x) = (1.0_f32, 0.0_f32);
    for c in p.claims.iter().take(MAX_CELLS) {
        // About seven points a character at the body size, plus the button's padding.
        let w = (short_source(c).chars().count() + says(c).chars().count() + 3) as f32 * 7.0 + 16.0;
        if x > 0.0 && x + w > chips_w {
            lines += 1.0;
            x = 0.0;
        }
        x += w.min(chips_w) + 8.0;
    }
    key.max(strip).max(lines * 24.0)
}

/// A column `w` wide of a row: what `add` draws, top down.
fn column(ui: &mut Ui, w: f32, add: &mut dyn FnMut(&mut Ui)) {
    ui.allocate_ui_with_layout(vec2(w, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
        ui.set_width(w);
        add(ui);
    });
}

/// The figures of a proposition as intervals on the proposition's axis, one
/// line per claim in its source's colour; dashed where approximate, with an
/// arrow where the source leaves a side open.
fn strip(ui: &mut Ui, p: &PropositionRow) {
    let valued: Vec<&ClaimCell> = p
        .claims
        .iter()
        .map(|c| &**c)
        .filter(|c| c.value.is_some())
        .take(MAX_CELLS)
        .collect();
    let Some(axis) = p.axis.filter(|_| !valued.is_empty()) else {
        ui.allocate_exact_size(vec2(STRIP_W, 16.0), Sense::hover())
            .1
            .on_hover_text("No figure in these claims");
        return;
    };
    let h = ROW_H * valued.len() as f32 + 14.0;
    let (rect, response) = ui.allocate_exact_size(vec2(STRIP_W, h), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    let weak = ui.visuals().weak_text_color();
    let base = rect.bottom() - 10.0;
    painter.line_segment(
        [pos2(rect.left(), base), pos2(rect.right(), base)],
        Stroke::new(1.0, weak),
    );
    let font = FontId::proportional(9.0);
    painter.text(
        pos2(rect.left(), rect.bottom()),
        Align2::LEFT_BOTTOM,
        number(axis.0.round()),
        font.clone(),
        weak,
    );
    painter.text(
        pos2(rect.right(), rect.bottom()),
        Align2::RIGHT_BOTTOM,
        number(axis.1.round()),
        font,
        weak,
    );
    let mut hovered = None;
    for (i, c) in valued.iter().enumerate() {
        let q = c.value.as_ref().expect("filtered");
        let (a, b, open_lo, open_hi) = strip_span(q, axis, f64::from(STRIP_W));
        let y = rect.top() + ROW_H * i as f32 + ROW_H / 2.0;
        let (x0, x1) = (
            rect.left() + a as f32,
            rect.left() + (b as f32).max(a as f32 + 2.0),
        );
        let col = colour(&c.doc);
        let col = if q.approximate {
            col.gamma_multiply(0.55)
        } else {
            col
        };
        if q.low.is_some() && q.low == q.high {
            painter.circle_filled(pos2(x0, y), 4.0, col);
        } else {
            painter.line_segment([pos2(x0, y), pos2(x1, y)], Stroke::new(5.0, col));
        }
        if open_lo {
            painter.text(
                pos2(x0, y),
                Align2::LEFT_CENTER,
                "◀",
                FontId::proportional(9.0),
                col,
            );
        }
        if open_hi {
            painter.text(
                pos2(x1, y),
                Align2::RIGHT_CENTER,
                "▶",
                FontId::proportional(9.0),
                col,
            );
        }
        if let Some(pos) = response.hover_pos()
            && (pos.y - y).abs() <= ROW_H / 2.0
        {
            hovered = Some(*c);
        }
    }
    if let Some(c) = hovered {
        response.on_hover_text(format!("{}: {}", c.source(), says(c)));
    }
}
