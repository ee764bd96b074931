//! A new user's folder through the real workbench: a note, a saved news page,
//! a Word report and a PDF. The list says what each is; the page opens as its
//! article; a damaged PDF says plainly what to do.

#[path = "pdf_support/mod.rs"]
mod pdf_support;
mod sources_support;
mod ui_common;

use std::path::Path;

use egui_kittest::kittest::Queryable;
use marginalia::model::SourceKind;
use ui_common::*;

#[test]
fn a_folder_of_mixed_sources_opens_each_as_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a-notes.txt"), "Notes on the border.\n").unwrap();
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources/diplomat.html");
    std::fs::copy(page, root.join("b-page.html")).unwrap();
    std::fs::write(root.join("c-report.docx"), sources_support::docx_report()).unwrap();
    std::fs::write(root.join("d-scan.pdf"), b"%PDF-1.7\n").unwrap();
    let mut h = harness(root);
    h.get_by_label_contains("b-page.html  (0)  WEB").click();
    h.run_steps(1);
    wait_loaded(&mut h);
    let s = h.state().session().expect("the page is open");
    assert_eq!(s.doc.kind, SourceKind::Html);
    assert!(
        s.doc
            .text
            .starts_with("North Korea’s Border Guards Face a Hard Winter")
    );
    assert_eq!(s.data.meta.outlet, "The Diplomat");
    h.get_by_label_contains("Text taken from a web page");

    h.get_by_label_contains("c-report.docx  (0)  DOCX").click();
    h.run_steps(1);
    wait_loaded(&mut h);
    let s = h.state().session().expect("the report is open");
    assert_eq!(s.doc.text, sources_support::DOCX_TEXT);
    assert_eq!(s.data.meta.author, "Min-ji Lee");

    h.get_by_label_contains("d-scan.pdf  (0)  PDF").click();
    h.run_steps(1);
    wait_loaded(&mut h);
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(
        notice.contains("d-scan.pdf") && notice.contains("save it again"),
        "{notice}"
    );
    // A plain text file is listed without a label, as before.
    h.get_by_label_contains("a-notes.txt  (0)");
}

/// A paged source (what the PDF extractor gives) shows a mark where each page
/// begins, and the inspector names an annotation's page.
#[test]
fn pages_are_marked_in_the_reader_and_named_in_the_inspector() {
    let dir = tempfile::tempdir().unwrap();
    let text = "First page text about Hyesan.\nRunning head\nSecond page text about Sinuiju.\n";
    std::fs::write(dir.path().join("r.txt"), text).unwrap();
    annotate(
        dir.path(),
        "r.txt",
        &[("Sinuiju", "PLACE", marginalia::model::Kind::entity())],
    );
    let mut h = harness(dir.path());
    let second = text.find("Running").unwrap();
    let head = marginalia::model::Span::new(second, second + "Running head".len());
    {
        let app = h.state_mut();
        let s = app.ws.sessions.get_mut("r.txt").expect("open");
        let layout = marginalia::model::Layout {
            pages: vec![0, second],
            furniture: vec![head],
            ..Default::default()
        };
        s.doc = std::sync::Arc::new((*s.doc).clone().with_source(SourceKind::Pdf, 1, layout));
    }
    h.run_steps(3);
    let pages = &h.state().view().unwrap().reader.marks.pages;
    assert_eq!(pages.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2]);
    assert!(pages[0].1.y < pages[1].1.y);
    let cp = cp_of(&h, "Sinuiju");
    click_cp(&mut h, cp, egui::Modifiers::NONE);
    h.run_steps(2);
    h.get_by_label("Page 2");
}

/// A long PDF shows its first page while the rest is read, read-only, then the
/// whole document in the reader.
#[test]
fn a_long_pdf_shows_its_first_page_while_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("review.pdf"), pdf_support::report(3).bytes()).unwrap();
    let mut app = marginalia::ui::MarginaliaApp::new(marginalia::ui::state::Prefs::default());
    app.prefs.annotator = "tester".into();
    app.picker_mode = marginalia::ui::app::PickerMode::Unavailable;
    // The load stops right after handing over the first page.
    app.hold_after_preview(true);
    app.open_folder(dir.path());
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::Vec2::new(1300.0, 850.0))
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut marginalia::ui::MarginaliaApp| marginalia::ui::view::show(app, ui),
            app,
        );
    wait_until(&mut h, "the first page", |app| app.loading_preview().is_some());
    h.run_steps(2);
    h.get_by_label_contains("Page 1 of 3 of review.pdf shown; reading the rest.");
    let first_words = pdf_support::prose(0, 120);
    let first_words: String = first_words
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    h.get_by_label_contains(&first_words);
    assert!(
        h.state().session().is_none(),
        "nothing can be annotated before the whole text is in"
    );
    h.state().hold_after_preview(false);
    wait_loaded(&mut h);
    let s = h.state().session().expect("the whole report is open");
    assert_eq!(s.doc.kind, SourceKind::Pdf);
    assert_eq!(s.doc.layout.pages.len(), 3);
    assert!(s.doc.text.contains(&pdf_support::prose(5, 120)));
    assert!(h.query_by_label_contains("reading the rest").is_none());
}
