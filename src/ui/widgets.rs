//! Small shared widgets.

use egui::{Color32, Response, Ui};

/// A labelled one-line text field; the label is its accessible name.
pub fn text_field(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
            .labelled_by(l.id)
    })
    .inner
}

/// A text field whose label is only its accessible name (for compact rows).
pub fn bare_field(ui: &mut Ui, name: &str, value: &mut String, hint: &str, width: f32) -> Response {
    let r = ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(width),
    );
    let name = name.to_owned();
    r.widget_info(move || egui::WidgetInfo::labeled(egui::Role::TextInput, true, &name));
    r
}

/// A small filled square in a label's colour.
pub fn swatch(ui: &mut Ui, rgb: [u8; 3]) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter()
        .rect_filled(rect, 2.0, Color32::from_rgb(rgb[0], rgb[1], rgb[2]));
}

/// "1 mention", "3 mentions": a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// While the corpus index is built in the background, says so and keeps
/// frames coming until it is in. Returns true while there is no index at all
/// yet, for the view to show nothing else.
pub fn index_pending_note(ws: &crate::workspace::Workspace, ui: &mut Ui) -> bool {
    if !ws.index_pending() {
        return false;
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
    let first = ws.corpus.as_ref().is_some_and(|c| c.index.is_none());
    ui.weak(if first {
        "Building the corpus index…"
    } else {
        "Updating for the latest edits…"
    });
    first
}
