//! Snapshot images of the reader (rendered by wgpu, on a software adapter in CI):
//! Arabic, Hebrew, mixed Arabic–English and emoji lines with highlights, drawn
//! with the fonts that ship with Marginalia so the glyphs are the same on every
//! machine. `UPDATE_SNAPSHOTS=1 cargo test --test ui_snapshots` rewrites them
//! in `tests/snapshots/`; look at the new images before committing them.

use egui::Vec2;
use egui_kittest::{Harness, SnapshotOptions};
use marginalia::model::{Annotation, DocAnnotations, Document, Kind, Span, TagSet};
use marginalia::ui::reader::{ReaderState, ReaderView, Selection};

const TEXT: &str = "عاد اللاجئون إلى ديارهم بعد خمسة وثلاثين عاما من المنفى.\n\
הממשלה החזירה אלפי פליטים לביתם בשנה שעברה.\n\
قالت منظمة Human Rights Watch في تقرير عام 2012 إن 50 ألف شخص عادوا.\n\
Families 👨‍👩‍👧 waved flags 🇰🇷 and thumbs 👍🏽 at the border.\n";

fn annotations(doc: &Document) -> DocAnnotations {
    let mut data = DocAnnotations::default();
    let tags = [
        ("وثلاثين", "NUMBER"),
        ("פליטים", "GROUP"),
        ("Human Rights Watch", "ORG"),
        ("2012", "DATE"),
        ("👨‍👩‍👧", "GROUP"),
        ("👍🏽", "MISC"),
    ];
    for (i, (needle, label)) in tags.iter().enumerate() {
        let start = doc.cp_of(doc.text.find(needle).unwrap());
        let spans = vec![Span::new(start, start + needle.chars().count())];
        let (quote, prefix, suffix) = doc.selector(&spans);
        data.annotations.push(Annotation {
            id: format!("s{i}").into(),
            spans: spans.into(),
            quote,
            prefix,
            suffix,
            label: (*label).into(),
            kind: Kind::Entity { canonical: None },
            attributes: Default::default(),
            note: String::new(),
            annotator: "fixture".into(),
            created: "2026-01-01T00:00:00Z".into(),
            modified: "2026-01-01T00:00:00Z".into(),
            orphaned: false,
            conflicts: Vec::new(),
            origin: None,
            extra: Default::default(),
        });
    }
    data.sort();
    data
}

#[test]
fn reader_in_every_script() {
    let doc = Document::new("scripts.txt", TEXT);
    let data = annotations(&doc);
    let tagset = TagSet::builtin();
    let mut state = ReaderState::new(&doc);
    let mut selection = Selection::default();
    let mut fonts_set = false;
    let mut h = Harness::builder()
        .with_size(Vec2::new(760.0, 230.0))
        .wgpu()
        .build_ui(move |ui| {
            // The bundled fonts take effect from the next frame: show nothing until then.
            if !fonts_set {
                marginalia::ui::fonts::install_bundled(ui.ctx());
                fonts_set = true;
                return;
            }
            let view = ReaderView {
                doc: &doc,
                data: &data,
                data_version: 1,
                tagset: &tagset,
                font_size: 17.0,
                selected: None,
                linked: &[],
                matches: &[],
                current_match: None,
                picking: false,
                direction: Default::default(),
                suggestions: &[],
                current_suggestion: None,
                dim_furniture: true,
            };
            state.show(ui, &view, &mut selection);
        });
    h.run_steps(3);
    // Anti-aliasing differs a little between adapters: colour tolerance as egui's
    // own tests use, and a handful of edge pixels.
    h.snapshot_options(
        "reader_in_every_script",
        &SnapshotOptions::new().threshold(0.6).max_failed_pixels(40),
    );
}
