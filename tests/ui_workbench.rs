//! The workbench driven as an analyst would: drag, keys, clicks; then the
//! model and the sidecar on disk are checked.

mod ui_common;

use egui::Key;
use egui_kittest::kittest::Queryable;
use marginalia::model::{Kind, Status};
use marginalia::store::sidecar;
use ui_common::*;

#[test]
fn drag_and_hotkey_tag_hillary_clinton_and_save_it() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    assert_eq!(h.state().current.as_deref(), Some(CLINTON_DOC));
    let start = cp_of(&h, "Hillary Clinton");
    // Bring the paragraph into view first.
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(start);
    h.run_steps(3);
    drag_cp(&mut h, start + 2, start + 13);
    // Snapping widens the sloppy drag to the two words.
    assert_eq!(h.state().view().unwrap().selection.span().start, start);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let s = h.state().session().unwrap();
    assert_eq!(s.data.annotations.len(), 1);
    let a = &s.data.annotations[0];
    assert_eq!(a.quote, "Hillary Clinton");
    assert_eq!(a.label, "PERSON");
    assert_eq!(a.spans[0].start, start);
    assert_eq!(a.spans[0].end, start + 15);
    assert_eq!(a.annotator, "tester");
    settle(&mut h);
    let on_disk =
        sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap()).unwrap();
    assert_eq!(on_disk.data.annotations.len(), 1);
    assert_eq!(on_disk.data.annotations[0].quote, "Hillary Clinton");
    assert_eq!(on_disk.data.annotations[0].spans[0].start, start);
    assert_eq!(on_disk.data.status, Status::InProgress);

    // Relabel with the selection cleared and the annotation selected.
    h.key_press(Key::Num2);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations[0].label, "ORG");
    // Delete, undo, redo.
    h.key_press(Key::Delete);
    h.run_steps(2);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations[0].label, "ORG");
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Y);
    h.run_steps(2);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);
    settle(&mut h);
    let on_disk =
        sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap()).unwrap();
    assert_eq!(on_disk.data.annotations[0].label, "ORG");
    assert!(matches!(on_disk.data.annotations[0].kind, Kind::Entity { .. }));
}

#[test]
fn keyboard_switches_documents_and_keeps_undo_per_document() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    step_document(&mut h, true);
    assert_eq!(h.state().current.as_deref(), Some("001_ae94bf7b73027a13.txt"));
    step_document(&mut h, false);
    assert_eq!(h.state().current.as_deref(), Some(CLINTON_DOC));
    // Mark done from the keyboard.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::D);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.status, Status::Done);
    settle(&mut h);
    let on_disk =
        sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap()).unwrap();
    assert_eq!(on_disk.data.status, Status::Done);
    // The document list shows it.
    assert!(h.query_by_label_contains("● 000_13d38fe2f37237c1.txt").is_some());
}

#[test]
fn corrupt_sidecar_opens_read_only_with_a_banner_and_is_never_touched() {
    let dir = seeds_copy();
    let side = sidecar(dir.path(), CLINTON_DOC);
    let garbage = "(\n    format: \"marginalia\",\n    version: \"1.0\",\n    annotations: [ (id: \"x\", spans: [(start: 1, end: ]\n";
    std::fs::write(&side, garbage).unwrap();
    let mut h = harness(dir.path());
    // The banner names the file, the line and what to do.
    assert!(
        h.query_by_label_contains(&format!(
            "Read-only. {}",
            dir.path().canonicalize().unwrap().join(CLINTON_DOC).display()
        ))
        .is_some()
    );
    assert!(h.query_by_label_contains("could not be read: line 4").is_some());
    assert!(h.query_by_label_contains("fix or remove the file").is_some());
    // Try to annotate: refused, file untouched.
    let start = cp_of(&h, "North Korean");
    drag_cp(&mut h, start, start + 12);
    h.key_press(Key::Num3);
    h.run_steps(3);
    std::thread::sleep(std::time::Duration::from_millis(500));
    h.run_steps(3);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    assert_eq!(std::fs::read_to_string(&side).unwrap(), garbage);
    assert!(
        h.state()
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("read-only")
    );
}

#[test]
fn without_a_folder_picker_the_app_offers_a_typed_path() {
    let dir = seeds_copy();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join("note.txt"),
        "안녕하세요 — 北朝鮮 😀\r\nsecond line",
    )
    .unwrap();
    let mut h = harness(dir.path());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::O);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("No folder picker is available")
            .is_some()
    );
    h.get_by_label("Folder path").focus();
    h.run_steps(1);
    h.get_by_label("Folder path").type_text("/no/such/folder/here");
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("is not a folder that exists here")
            .is_some()
    );
    h.get_by_label("Folder path").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_by_label("Folder path")
        .type_text(&other.path().display().to_string());
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(3);
    assert_eq!(h.state().current.as_deref(), Some("note.txt"));
    let s = h.state().session().unwrap();
    assert_eq!(
        s.doc.len_chars(),
        "안녕하세요 — 北朝鮮 😀\r\nsecond line".chars().count()
    );
    assert!(h.state().title().contains("note.txt"));
}

#[test]
fn a_source_edited_outside_is_reloaded_and_annotations_re_anchored() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let start = cp_of(&h, "Hillary Clinton");
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(start);
    h.run_steps(3);
    drag_cp(&mut h, start, start + 15);
    h.key_press(Key::Num1);
    h.run_steps(1);
    settle(&mut h);
    // Someone inserts a line at the top of the source.
    let src = dir.path().join(CLINTON_DOC);
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::write(&src, format!("Editor's note: updated.\n{text}")).unwrap();
    // The workbench checks the files about once a second.
    wait_until(&mut h, "noticing the changed source", |app| {
        app.session()
            .is_some_and(|s| s.doc.text.starts_with("Editor's note"))
    });
    let s = h.state().session().unwrap();
    assert!(s.doc.text.starts_with("Editor's note"));
    let a = &s.data.annotations[0];
    assert_eq!(a.quote, "Hillary Clinton");
    assert_eq!(
        a.spans[0].start,
        start + "Editor's note: updated.\n".chars().count()
    );
    assert!(
        h.state()
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("source text changed")
    );
    settle(&mut h);
    let on_disk =
        sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap()).unwrap();
    assert_eq!(on_disk.data.annotations[0].spans[0].start, start + 24);
}
