//! Shared set-up for the workbench tests: a temp copy of the seeds and a harness
//! driving the real app.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use egui::{Pos2, Vec2};
use egui_kittest::Harness;
use marginalia::model::{Annotation, DocAnnotations, Kind, Span, Status};
use marginalia::store::corpus;
use marginalia::ui::MarginaliaApp;
use marginalia::ui::app::PickerMode;
use marginalia::ui::state::Prefs;

/// The seed article that mentions Hillary Clinton.
pub const CLINTON_DOC: &str = "000_13d38fe2f37237c1.txt";

/// Copies the bundled seeds into a fresh temp folder (writable, unlike a read-only checkout).
pub fn seeds_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for e in std::fs::read_dir(src).expect("seeds folder") {
        let e = e.expect("entry");
        let to = dir.path().join(e.file_name());
        std::fs::copy(e.path(), &to).expect("copy seed");
        let mut perms = std::fs::metadata(&to).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&to, perms).unwrap();
    }
    dir
}

/// A harness running the whole workbench on `folder`.
pub fn harness(folder: &Path) -> Harness<'static, MarginaliaApp> {
    let mut app = MarginaliaApp::new(Prefs::default());
    app.prefs.annotator = "tester".into();
    app.picker_mode = PickerMode::Unavailable;
    app.open_folder(folder);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1300.0, 850.0))
        // Glyph coverage depends on the machine's fonts; the screenshot check covers it.
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut MarginaliaApp| marginalia::ui::view::show(app, ui),
            app,
        );
    h.run_steps(3);
    wait_loaded(&mut h);
    h
}

/// How long a test waits for background work (loading, saving, folding) before
/// it fails. Generous: a loaded CI machine with two cores can be slow, and a test
/// that waits on an event never waits longer than the event takes.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs frames until `done` holds, failing with `what` after [`DEADLINE`].
pub fn wait_until(
    h: &mut Harness<'_, MarginaliaApp>,
    what: &str,
    mut done: impl FnMut(&MarginaliaApp) -> bool,
) {
    let start = std::time::Instant::now();
    loop {
        h.run_steps(1);
        if done(h.state()) {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what} did not happen within {DEADLINE:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Runs frames until the document being opened (read on a background thread) is shown.
pub fn wait_loaded(h: &mut Harness<'_, MarginaliaApp>) {
    wait_until(h, "loading the document", |app| app.loading().is_none());
    h.run_steps(1);
}

/// Moves to the next (`down`) or previous document with Alt+arrow, and waits
/// until it is shown.
pub fn step_document(h: &mut Harness<'_, MarginaliaApp>, down: bool) {
    let key = if down {
        egui::Key::ArrowDown
    } else {
        egui::Key::ArrowUp
    };
    h.key_press_modifiers(egui::Modifiers::ALT, key);
    h.run_steps(1);
    wait_loaded(h);
}

/// Code-point offset of the first occurrence of `needle` in the current document.
pub fn cp_of(h: &Harness<'_, MarginaliaApp>, needle: &str) -> usize {
    let s = h.state().session().expect("a document is open");
    let b = s.doc.text.find(needle).expect("needle in text");
    s.doc.cp_of(b)
}

/// Where code point `cp` is on screen (it must be visible).
pub fn pos_of(h: &Harness<'_, MarginaliaApp>, cp: usize) -> Pos2 {
    h.state()
        .view()
        .unwrap()
        .reader
        .screen_pos_of(cp)
        .expect("code point is on screen")
}

/// Drags the pointer from one code point to another in small steps, like a hand would.
pub fn drag_cp(h: &mut Harness<'_, MarginaliaApp>, from: usize, to: usize) {
    let a = pos_of(h, from) + Vec2::new(1.0, 0.0);
    let b = pos_of(h, to) - Vec2::new(1.0, 0.0);
    h.hover_at(a);
    h.run_steps(1);
    h.drag_at(a);
    h.run_steps(1);
    for i in 1..=6 {
        h.hover_at(a + (b - a) * (i as f32 / 6.0));
        h.run_steps(1);
    }
    h.drop_at(b);
    h.run_steps(2);
}

/// The sidecar path of a document in `folder`.
pub fn sidecar(folder: &Path, rel: &str) -> PathBuf {
    folder.join(format!("{rel}.ron"))
}

/// Runs frames until the autosave has written everything into the sidecars (the
/// saver runs on its own thread): edits are saved to the edit journal at once and
/// folded into the sidecar after a pause, which this waits for.
pub fn settle(h: &mut Harness<'_, MarginaliaApp>) {
    wait_until(h, "the autosave", |app| {
        !app.ws
            .sessions
            .values()
            .any(|s| s.is_dirty() || s.in_flight.is_some() || s.journal_pending())
    });
}

/// Runs frames until every edit is saved (to the sidecar or its edit journal),
/// without waiting for the journal to be folded into the sidecar.
pub fn settle_saved(h: &mut Harness<'_, MarginaliaApp>) {
    wait_until(h, "the autosave", |app| {
        !app.ws.sessions.values().any(|s| s.is_dirty())
    });
}

/// Writes a sidecar for `rel` tagging the first occurrence of each (text, label, kind).
pub fn annotate(dir: &Path, rel: &str, tags: &[(&str, &str, Kind)]) {
    let loaded = corpus::load(dir, rel).unwrap();
    let doc = loaded.doc;
    let mut data = DocAnnotations {
        status: Status::InProgress,
        ..Default::default()
    };
    for (i, (text, label, kind)) in tags.iter().enumerate() {
        let b = doc.text.find(text).unwrap_or_else(|| panic!("{text} in {rel}"));
        let start = doc.cp_of(b);
        let spans = vec![Span::new(start, start + text.chars().count())];
        let (quote, prefix, suffix) = doc.selector(&spans);
        data.annotations.push(Annotation {
            id: format!("fixture{i}").into(),
            spans: spans.into(),
            quote,
            prefix,
            suffix,
            label: (*label).into(),
            kind: kind.clone(),
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
    corpus::save(dir, &doc, &data, (1, 0), &corpus::DiskStamp::default()).unwrap();
}

/// Clicks code point `cp` of the open document with `modifiers` held, as a
/// real keyboard and mouse report them (the modifiers are part of the frame's input).
pub fn click_cp(h: &mut Harness<'_, MarginaliaApp>, cp: usize, modifiers: egui::Modifiers) {
    let p = pos_of(h, cp) + egui::vec2(2.0, 0.0);
    h.hover_at(p);
    h.run_steps(1);
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers,
        });
    }
    h.run_steps(1);
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.run_steps(1);
}
