//! File → Export… in the workbench writes the same dataset as `marginalia export`.

mod ui_common;

use egui::Key;
use egui_kittest::kittest::Queryable;
use ui_common::*;

#[test]
fn export_from_the_file_menu_writes_jsonl_with_unsaved_edits_included() {
    let dir = seeds_copy();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dataset.jsonl");
    let mut h = harness(dir.path());
    // An edit that is not saved yet when the export starts.
    let start = cp_of(&h, "North Korean refugees");
    drag_cp(&mut h, start, start + 21);
    h.key_press(Key::Num6);
    h.run_steps(1);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export…").click();
    h.run_steps(2);
    h.get_by_label("Destination").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.get_by_label("Destination")
        .type_text(&dest.display().to_string());
    h.run_steps(1);
    h.get_by_label("Export").click();
    wait_until(&mut h, "the export", |app| {
        app.export.as_ref().is_some_and(|d| d.outcome.is_some())
    });
    let outcome = h
        .state()
        .export
        .as_ref()
        .and_then(|d| d.outcome.clone())
        .expect("export finished");
    let summary = outcome.expect("export succeeded");
    assert!(
        summary.contains("exported 5 document(s), 1 annotation(s)"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&dest).unwrap();
    assert_eq!(text.lines().count(), 5);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let e = &first["entities"][0];
    assert_eq!(e["label"], "GROUP");
    assert_eq!(e["text"], "North Korean refugees");
    assert_eq!(e["start"].as_u64().unwrap() as usize, start);
    // A second export to the same place is refused without "Replace".
    h.run_steps(2);
    h.get_by_label("Export").click();
    wait_until(&mut h, "the refused export", |app| {
        app.export
            .as_ref()
            .is_some_and(|d| d.running.is_none() && d.outcome.as_ref().is_some_and(|o| o.is_err()))
    });
    let err = h
        .state()
        .export
        .as_ref()
        .and_then(|d| d.outcome.clone())
        .unwrap()
        .unwrap_err();
    assert!(err.contains("dataset.jsonl"), "{err}");
    assert!(h.query_by_label_contains("Done:").is_none());
}

#[test]
fn an_export_with_no_document_writes_nothing_and_says_why_in_plain_words() {
    let dir = seeds_copy();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("dataset.jsonl");
    let mut h = harness(dir.path());
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export…").click();
    h.run_steps(2);
    h.get_by_label("Destination").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.get_by_label("Destination")
        .type_text(&dest.display().to_string());
    h.run_steps(1);
    // No seed is marked done.
    h.get_by_label("Only documents marked done").click();
    h.run_steps(1);
    h.get_by_label("Export").click();
    wait_until(&mut h, "the export", |app| {
        app.export
            .as_ref()
            .is_some_and(|d| d.running.is_none() && d.outcome.is_some())
    });
    let err = h
        .state()
        .export
        .as_ref()
        .and_then(|d| d.outcome.clone())
        .unwrap()
        .unwrap_err();
    assert!(
        err.contains("no document to export") && err.contains("5 not marked done"),
        "{err}"
    );
    assert!(
        !err.contains("--"),
        "the window speaks no command-line flags: {err}"
    );
    assert!(!dest.exists());
    let hidden: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    // An existing destination is refused in the window's words too.
    std::fs::write(&dest, "keep").unwrap();
    h.get_by_label("Only documents marked done").click();
    h.run_steps(1);
    h.get_by_label("Export").click();
    wait_until(&mut h, "the refused export", |app| {
        app.export.as_ref().is_some_and(|d| {
            d.running.is_none()
                && d.outcome
                    .as_ref()
                    .is_some_and(|o| o.as_ref().is_err_and(|e| e.contains("already exists")))
        })
    });
    let err = h
        .state()
        .export
        .as_ref()
        .unwrap()
        .outcome
        .clone()
        .unwrap()
        .unwrap_err();
    assert!(
        err.contains("Replace the destination if it exists") && !err.contains("--"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "keep");
}
