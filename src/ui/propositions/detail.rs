//! The open proposition: the timeline of its figure by publication date and
//! the table of its claims, where each value can be corrected.

use egui::{Align2, FontId, RichText, Sense, Stroke, Ui, pos2, vec2};

use crate::model::comparison::{ClaimCell, PropositionRow};
use crate::model::quantity::{Quantity, number};

use super::super::command::Command;
use super::super::state::{PropositionsState, ValueEdit};
use super::{GAP, colour, says};

/// Days since 1970 of an ISO date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
fn day_of(date: &str) -> Option<f64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let d: i64 = parts
        .next()
        .map_or(Some(1), |d| d.get(..2).unwrap_or(d).parse().ok())?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil calendar (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) as f64)
}

/// The open proposition: a timeline of its figures by publication date and a
/// table of its claims where each value can be corrected.
pub(super) fn detail(ui: &mut Ui, p: &PropositionRow, st: &mut PropositionsState) -> Option<Command> {
    let mut command = None;
    ui.horizontal(|ui| {
        ui.heading(&p.key);
        if ui.small_button("Close").clicked() {
            st.open = None;
        }
    });
    for why in &p.contested {
        ui.colored_label(ui.visuals().error_fg_color, why);
    }
    timeline(ui, p);
    let quote_w = (ui.available_width() - 150.0 - 110.0 - 130.0 - 100.0 - 4.0 * GAP).max(160.0);
    let cell = super::column;
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = GAP;
        for (title, w) in [
            ("Source", 150.0),
            ("Speaker · stance", 110.0),
            ("Value", 130.0),
            ("When, where", 100.0),
            ("Quote", quote_w),
        ] {
            cell(ui, w, &mut |ui| {
                ui.strong(title);
            });
        }
    });
    for c in &p.claims {
        ui.separator();
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.x = GAP;
            cell(ui, 150.0, &mut |ui| {
                if ui.link(RichText::new(c.source()).color(colour(&c.doc))).clicked() {
                    command = Some(Command::Open {
                        doc: c.doc.to_string(),
                        id: c.id.clone(),
                    });
                }
            });
            cell(ui, 110.0, &mut |ui| {
                ui.label(format!(
                    "{} · {}",
                    if c.speaker.is_empty() { "—" } else { &c.speaker },
                    c.stance.as_str()
                ));
            });
            cell(ui, 130.0, &mut |ui| {
                if let Some(cmd) = value_editor(ui, c, &mut st.editing) {
                    command = Some(cmd);
                }
            });
            cell(ui, 100.0, &mut |ui| {
                let at: Vec<&str> = [c.when.as_deref(), c.place.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                ui.label(if at.is_empty() {
                    "—".to_owned()
                } else {
                    at.join(", ")
                });
            });
            cell(ui, quote_w, &mut |ui| {
                ui.label(
                    RichText::new(format!("“{}”", crate::model::bidi::display_order(&c.quote))).italics(),
                );
            });
        });
    }
    command
}

/// The value of a claim, typed over to correct it: "31", "41+", "<=300", "70-80".
pub fn value_editor(ui: &mut Ui, c: &ClaimCell, editing_slot: &mut ValueEdit) -> Option<Command> {
    let key = (c.doc.to_string(), c.id.to_string());
    let shown = c.value.as_ref().map(Quantity::display).unwrap_or_default();
    let mut command = None;
    ui.horizontal(|ui| {
        let editing = editing_slot.as_ref().is_some_and(|(k, _, _)| *k == key);
        if !editing {
            let from = c.value_from.map_or("no figure found", |f| f.as_str());
            if ui
                .button(if shown.is_empty() {
                    "set…".to_owned()
                } else {
                    shown.clone()
                })
                .on_hover_text(format!("{from}; click to correct"))
                .clicked()
            {
                let typed = c.value.as_ref().map(typed_form).unwrap_or_default();
                *editing_slot = Some((key.clone(), typed, None));
            }
            if c.value_from == Some(crate::model::comparison::ValueFrom::Analyst)
                && ui
                    .small_button("read from text")
                    .on_hover_text("Drop the correction and read the figure from the claim again")
                    .clicked()
            {
                command = Some(Command::SetClaimValue {
                    doc: c.doc.to_string(),
                    id: c.id.clone(),
                    value: None,
                });
            }
            return;
        }
        let Some((_, text, error)) = editing_slot.as_mut() else {
            return;
        };
        let r = super::super::widgets::bare_field(ui, "Value", text, "31, 41+, <=300, 70-80", 90.0);
        let commit = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !r.has_focus() && !commit {
            r.request_focus();
        }
        let was = c.value.clone().unwrap_or_default();
        if commit || ui.small_button("Set").clicked() {
            match Quantity::parse_typed(text, &was) {
                Ok(q) => {
                    command = Some(Command::SetClaimValue {
                        doc: c.doc.to_string(),
                        id: c.id.clone(),
                        value: Some(q),
                    });
                    *editing_slot = None;
                    return;
                }
                Err(e) => *error = Some(e),
            }
        }
        if ui.small_button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            *editing_slot = None;
            return;
        }
        if let Some(e) = error.clone() {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    });
    command
}

/// A value as the analyst would type it back.
fn typed_form(q: &Quantity) -> String {
    let n = |x: f64| format!("{x}");
    let mut s = match (q.low, q.high) {
        (Some(a), Some(b)) if a == b => n(a),
        (Some(a), Some(b)) => format!("{}-{}", n(a), n(b)),
        (Some(a), None) => format!("{}+", n(a)),
        (None, Some(b)) => format!("<={}", n(b)),
        (None, None) => String::new(),
    };
    if q.approximate {
        s.insert(0, '~');
    }
    if let Some(r) = &q.rate {
        s.push_str(&format!("/{r}"));
    }
    s
}

/// How the proposition's figure moved: each dated claim's interval at its
/// publication date.
fn timeline(ui: &mut Ui, p: &PropositionRow) {
    let points: Vec<(f64, &ClaimCell, &Quantity)> = p
        .claims
        .iter()
        .filter_map(|c| Some((day_of(&c.published)?, &**c, c.value.as_ref()?)))
        .collect();
    let Some(axis) = p.axis else {
        ui.label("No figure in these claims, so no timeline.");
        return;
    };
    if points.is_empty() {
        ui.label(
            "Add publication dates to the documents (inspector → Document) to see how the reported figure moved.",
        );
        return;
    }
    let (d0, d1) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (d, _, _)| {
            (a.min(*d), b.max(*d))
        });
    let span = (d1 - d0).max(1.0);
    let (rect, response) = ui.allocate_exact_size(
        vec2(ui.available_width().clamp(200.0, 560.0), 130.0),
        Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let weak = ui.visuals().weak_text_color();
    let plot = rect.shrink2(vec2(40.0, 18.0));
    painter.rect_stroke(plot, 0.0, Stroke::new(1.0, weak), egui::StrokeKind::Inside);
    let x = |d: f64| plot.left() + ((d - d0) / span) as f32 * plot.width();
    let y =
        |v: f64| plot.bottom() - ((v - axis.0) / (axis.1 - axis.0).max(f64::EPSILON)) as f32 * plot.height();
    let font = FontId::proportional(9.0);
    painter.text(
        pos2(plot.left() - 4.0, plot.bottom()),
        Align2::RIGHT_CENTER,
        number(axis.0.round()),
        font.clone(),
        weak,
    );
    painter.text(
        pos2(plot.left() - 4.0, plot.top()),
        Align2::RIGHT_CENTER,
        number(axis.1.round()),
        font.clone(),
        weak,
    );
    let first = points.iter().map(|(_, c, _)| &*c.published).min().unwrap_or("");
    let last = points.iter().map(|(_, c, _)| &*c.published).max().unwrap_or("");
    painter.text(
        pos2(plot.left(), rect.bottom()),
        Align2::LEFT_BOTTOM,
        first,
        font.clone(),
        weak,
    );
    painter.text(
        pos2(plot.right(), rect.bottom()),
        Align2::RIGHT_BOTTOM,
        last,
        font,
        weak,
    );
    let mut hovered = None;
    for (d, c, q) in &points {
        let px = x(*d);
        let top = q.high.map_or(plot.top(), y);
        let bottom = q.low.map_or(plot.bottom(), y);
        let col = colour(&c.doc);
        painter.line_segment(
            [pos2(px, bottom), pos2(px, top.min(bottom - 3.0))],
            Stroke::new(5.0, col),
        );
        if let Some(pos) = response.hover_pos()
            && (pos.x - px).abs() < 6.0
        {
            hovered = Some(*c);
        }
    }
    if let Some(c) = hovered {
        response.on_hover_text(format!("{}: {}", c.source(), says(c)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days() {
        assert_eq!(day_of("1970-01-01"), Some(0.0));
        assert_eq!(
            day_of("2012-03-12").unwrap() - day_of("2012-03-01").unwrap(),
            11.0
        );
        assert_eq!(day_of("2015"), day_of("2015-01-01"));
        assert_eq!(day_of("March 2015"), None);
    }

    #[test]
    fn typed_forms_read_back() {
        for q in [
            Quantity::exact(31.0),
            Quantity {
                low: Some(41.0),
                ..Default::default()
            },
            Quantity {
                high: Some(300.0),
                ..Default::default()
            },
            Quantity {
                low: Some(70.0),
                high: Some(80.0),
                approximate: true,
                rate: Some("year".into()),
                ..Default::default()
            },
        ] {
            assert_eq!(Quantity::parse_typed(&typed_form(&q), &q).unwrap(), q);
        }
    }
}
