//! Every script shows what is stored: right-to-left, mixed and emoji lines in
//! the real workbench, with the fonts that ship with Marginalia (the same on
//! every machine). The painted highlight of a stored range must cover exactly
//! the glyphs of that range, and a click on a glyph must land on its code points.

mod ui_common;

use std::path::Path;

use egui::epaint::{Shape, TextShape};
use egui::{Color32, Rect, Vec2};
use egui_kittest::Harness;
use marginalia::model::Kind;
use marginalia::ui::MarginaliaApp;
use marginalia::ui::app::PickerMode;
use marginalia::ui::state::Prefs;
use ui_common::*;

const ARABIC: &str = "عاد اللاجئون إلى ديارهم بعد خمسة وثلاثين عاما من المنفى.\n";
const HEBREW: &str = "הממשלה החזירה אלפי פליטים לביתם בשנה שעברה.\n";
const MIXED: &str = "قالت منظمة Human Rights Watch في تقرير عام 2012 إن 50 ألف شخص عادوا.\n";
const EMOJI: &str = "Families 👨‍👩‍👧 waved flags 🇰🇷 and thumbs 👍🏽 at the border.\n";

fn entity() -> Kind {
    Kind::Entity { canonical: None }
}

/// A folder with one document per script, each with annotations.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a_arabic.txt", ARABIC),
        ("b_hebrew.txt", HEBREW),
        ("c_mixed.txt", MIXED),
        ("d_emoji.txt", EMOJI),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    annotate(
        dir.path(),
        "a_arabic.txt",
        &[("وثلاثين", "NUMBER", entity()), ("المنفى", "PLACE", entity())],
    );
    annotate(
        dir.path(),
        "b_hebrew.txt",
        &[("פליטים", "GROUP", entity()), ("החזירה", "EVENT", entity())],
    );
    annotate(
        dir.path(),
        "c_mixed.txt",
        &[
            ("Human Rights Watch", "ORG", entity()),
            ("2012", "DATE", entity()),
            ("منظمة", "MISC", entity()),
        ],
    );
    annotate(
        dir.path(),
        "d_emoji.txt",
        &[
            ("👨‍👩‍👧", "GROUP", entity()),
            ("🇰🇷", "PLACE", entity()),
            ("👍🏽", "MISC", entity()),
        ],
    );
    dir
}

/// The workbench on `folder` with the bundled fonts only.
fn harness_bundled(folder: &Path) -> Harness<'static, MarginaliaApp> {
    let mut app = MarginaliaApp::new(Prefs::default());
    app.prefs.annotator = "tester".into();
    app.picker_mode = PickerMode::Unavailable;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1300.0, 850.0))
        // Interface arrows and symbols are not in the bundled fonts; the reader's text is.
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut MarginaliaApp| marginalia::ui::view::show(app, ui),
            app,
        );
    marginalia::ui::fonts::install_bundled(&h.ctx);
    h.run_steps(2);
    h.state_mut().open_folder(folder);
    h.run_steps(3);
    wait_loaded(&mut h);
    h
}

fn flatten<'a>(shape: &'a Shape, out: &mut Vec<&'a Shape>) {
    match shape {
        Shape::Vec(v) => v.iter().for_each(|s| flatten(s, out)),
        s => out.push(s),
    }
}

/// The shapes painted in the last frame.
fn painted(h: &Harness<'_, MarginaliaApp>) -> Vec<Shape> {
    let mut out = Vec::new();
    for c in &h.output().shapes {
        let mut flat = Vec::new();
        flatten(&c.shape, &mut flat);
        out.extend(flat.into_iter().cloned());
    }
    out
}

fn label_fill(h: &Harness<'_, MarginaliaApp>, label: &str) -> Color32 {
    let rgb = h
        .state()
        .ws
        .corpus
        .as_ref()
        .unwrap()
        .tagset
        .label(label)
        .unwrap()
        .rgb();
    marginalia::ui::theme::ReaderColours::of(&h.ctx.style_of(h.ctx.theme()).visuals).highlight(rgb)
}

/// Filled rectangles painted in `fill`.
fn rects_filled(shapes: &[Shape], fill: Color32) -> Vec<Rect> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Rect(r) if r.fill == fill => Some(r.rect),
            _ => None,
        })
        .collect()
}

fn texts(shapes: &[Shape]) -> Vec<&TextShape> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn has_rtl(s: &str) -> bool {
    s.chars().any(|c| ('\u{0590}'..='\u{08FF}').contains(&c))
}

/// Screen x range of the glyphs drawing `needle`. A line with right-to-left
/// text is painted word by word: the union of the runs painting `needle`'s
/// words. A left-to-right line is one run: the glyphs of `needle`'s code points.
fn glyph_span(shapes: &[Shape], needle: &str) -> (f32, f32) {
    let ts = texts(shapes);
    let words: Vec<&str> = unicode_segmentation::UnicodeSegmentation::split_word_bounds(needle)
        .filter(|w| !w.trim().is_empty())
        .collect();
    let runs: Vec<Rect> = words
        .iter()
        .filter_map(|w| ts.iter().find(|t| t.galley.job.text == *w))
        .map(|t| t.galley.rect.translate(t.pos.to_vec2()))
        .collect();
    if runs.len() == words.len() {
        let x0 = runs.iter().map(|r| r.left()).fold(f32::INFINITY, f32::min);
        let x1 = runs.iter().map(|r| r.right()).fold(f32::NEG_INFINITY, f32::max);
        return (x0, x1);
    }
    assert!(!has_rtl(needle), "{needle} is not painted word by word");
    let t = ts
        .iter()
        .find(|t| t.galley.job.text.contains(needle))
        .unwrap_or_else(|| panic!("no painted text holds {needle}"));
    let text = &t.galley.job.text;
    let start = text[..text.find(needle).unwrap()].chars().count();
    let n = needle.chars().count();
    let row = &t.galley.rows[0];
    let glyphs = &row.row.glyphs[start..start + n];
    let x0 = glyphs.iter().map(|g| g.pos.x).fold(f32::INFINITY, f32::min);
    let x1 = glyphs.iter().map(|g| g.max_x()).fold(f32::NEG_INFINITY, f32::max);
    let o = t.pos.x + row.pos.x;
    (o + x0, o + x1)
}

/// Opens document `index` (0-based, in name order) and checks that each
/// annotation's painted highlight covers exactly the glyphs of its text.
fn check_highlights(h: &mut Harness<'_, MarginaliaApp>, tags: &[(&str, &str)]) {
    h.run_steps(2);
    let shapes = painted(h);
    for (needle, label) in tags {
        let rects = rects_filled(&shapes, label_fill(h, label));
        assert_eq!(rects.len(), 1, "{needle}: one highlight expected, got {rects:?}");
        let (x0, x1) = glyph_span(&shapes, needle);
        let r = rects[0];
        assert!(
            // Within a pixel: egui snaps glyph positions to pixels, not advances.
            (r.left() - x0).abs() <= 1.0 && (r.right() - x1).abs() <= 1.0,
            "{needle}: highlight {:.1}..{:.1}, glyphs {x0:.1}..{x1:.1}",
            r.left(),
            r.right()
        );
    }
}

#[test]
fn highlights_cover_the_stored_glyphs_in_every_script() {
    let dir = folder();
    let mut h = harness_bundled(dir.path());
    check_highlights(&mut h, &[("وثلاثين", "NUMBER"), ("المنفى", "PLACE")]);
    step_document(&mut h, true);
    check_highlights(&mut h, &[("פליטים", "GROUP"), ("החזירה", "EVENT")]);
    step_document(&mut h, true);
    check_highlights(
        &mut h,
        &[("Human Rights Watch", "ORG"), ("2012", "DATE"), ("منظمة", "MISC")],
    );
    step_document(&mut h, true);
    check_highlights(&mut h, &[("👨‍👩‍👧", "GROUP"), ("🇰🇷", "PLACE"), ("👍🏽", "MISC")]);
}

#[test]
fn right_to_left_words_run_from_the_right() {
    let dir = folder();
    let mut h = harness_bundled(dir.path());
    h.run_steps(2);
    let shapes = painted(&h);
    let x = |w: &str| glyph_span(&shapes, w).0;
    // The first word of the sentence is rightmost.
    assert!(x("عاد") > x("اللاجئون"));
    assert!(x("اللاجئون") > x("المنفى"));
    step_document(&mut h, true);
    step_document(&mut h, true);
    let shapes = painted(&h);
    let x = |w: &str| glyph_span(&shapes, w).0;
    // English inside Arabic keeps its own order, and the Arabic around it reads right to left.
    assert!(x("Human") < x("Rights") && x("Rights") < x("Watch"));
    assert!(x("منظمة") > x("Watch") && x("Human") > x("في"));
}

#[test]
fn a_click_on_a_glyph_lands_on_its_code_points() {
    let dir = folder();
    let mut h = harness_bundled(dir.path());
    for _ in 0..3 {
        h.run_steps(2);
        let shapes = painted(&h);
        let text = h.state().session().unwrap().doc.text.clone();
        // Every word: a click at the middle of its glyphs is inside its code points.
        for (b, word) in unicode_segmentation::UnicodeSegmentation::split_word_bound_indices(text.trim_end())
        {
            if word.trim().is_empty() || word.chars().count() < 2 {
                continue;
            }
            let Some(t) = texts(&shapes).into_iter().find(|t| t.galley.job.text == word) else {
                continue;
            };
            let start = text[..b].chars().count();
            let r = t.galley.rect.translate(t.pos.to_vec2());
            let reader = &h.state().view().unwrap().reader;
            let doc = &h.state().session().unwrap().doc;
            let hit = reader.cp_at_screen(doc, r.center()).expect("a hit");
            assert!(
                (start..=start + word.chars().count()).contains(&hit),
                "{word} at {start}: hit {hit}"
            );
        }
        step_document(&mut h, true);
    }
}

#[test]
fn dragging_over_an_emoji_selects_it_whole() {
    let dir = folder();
    let mut h = harness_bundled(dir.path());
    for _ in 0..3 {
        step_document(&mut h, true);
    }
    let fam = cp_of(&h, "👨‍👩‍👧");
    // From just inside the family's left edge to the middle of it.
    let a = pos_of(&h, fam) + Vec2::new(1.0, 0.0);
    let b = pos_of(&h, fam + 5) - Vec2::new(2.0, 0.0);
    h.hover_at(a);
    h.run_steps(1);
    h.drag_at(a);
    h.run_steps(1);
    for i in 1..=4 {
        h.hover_at(a + (b - a) * (i as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(b);
    h.run_steps(2);
    let sel = h.state().view().unwrap().selection.span();
    assert_eq!((sel.start, sel.end), (fam, fam + 5), "the family is one unit");
}

#[test]
fn a_document_can_be_set_right_to_left() {
    let dir = folder();
    let mut h = harness_bundled(dir.path());
    for _ in 0..3 {
        step_document(&mut h, true);
    }
    let root = dir.path().to_path_buf();
    h.state_mut().prefs.set_direction(
        &root,
        "d_emoji.txt",
        marginalia::model::bidi::TextDirection::RightToLeft,
    );
    h.run_steps(2);
    let shapes = painted(&h);
    let x = |w: &str| glyph_span(&shapes, w).0;
    // English words keep their order inside a right-to-left paragraph, and
    // the full stop, which takes the paragraph's direction, goes to the left.
    assert!(x("Families") < x("waved"));
    let stop = texts(&shapes)
        .into_iter()
        .find(|t| t.galley.job.text == ".")
        .expect("the full stop alone");
    assert!(stop.pos.x < x("Families"));
    check_highlights(&mut h, &[("👨‍👩‍👧", "GROUP"), ("🇰🇷", "PLACE"), ("👍🏽", "MISC")]);
}
