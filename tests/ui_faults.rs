//! Faults seen through the real workbench: two writers on one sidecar, a disk
//! that hangs while saving, and a folder that refuses writes. In every case the
//! analyst's edits stay in memory, nothing is overwritten silently, and frames
//! keep coming.

mod ui_common;

use std::path::Path;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::store::sidecar;
use marginalia::ui::MarginaliaApp;
use marginalia::ui::app::Prompt;
use marginalia::ui::reader::Selection;
use marginalia::ui::state::SaveState;
use ui_common::*;

/// Selects the first occurrence of `needle` in the open document and tags it with `label`,
/// as a drag and a hotkey would.
fn tag(h: &mut Harness<'_, MarginaliaApp>, needle: &str, label: &str) {
    let start = cp_of(h, needle);
    let app = h.state_mut();
    app.view_mut().unwrap().selection = Selection {
        anchor: start,
        focus: start + needle.chars().count(),
    };
    app.apply_label(label);
    h.run_steps(1);
}

fn quotes_on_disk(dir: &Path, rel: &str) -> Vec<String> {
    let text = std::fs::read_to_string(sidecar(dir, rel)).unwrap();
    let sc = sidecar::from_str(&text).unwrap();
    sc.data.annotations.into_iter().map(|a| a.quote.into()).collect()
}

fn quotes_in_memory(h: &Harness<'_, MarginaliaApp>, rel: &str) -> Vec<String> {
    let mut q: Vec<String> = h.state().ws.sessions[rel]
        .data
        .annotations
        .iter()
        .map(|a| a.quote.to_string())
        .collect();
    q.sort();
    q
}

/// Runs frames, pausing a little between them, until `done` holds; panics after
/// the shared deadline. (`_max`, the frames once allowed, is kept for reading: the
/// wait is for the event, however many frames it takes.)
fn run_until(h: &mut Harness<'_, MarginaliaApp>, _max: usize, done: impl Fn(&MarginaliaApp) -> bool) {
    ui_common::wait_until(h, "the awaited state", done);
}

/// A workbench on `root` whose disk hangs, with "Hillary Clinton" tagged and its
/// save handed to the saver thread, where it waits.
fn tagged_with_save_stuck(root: &Path) -> Harness<'static, MarginaliaApp> {
    let mut h = harness(root);
    h.state().hold_saves(true);
    tag(&mut h, "Hillary Clinton", "PERSON");
    run_until(&mut h, 200, |app| {
        app.ws.sessions[CLINTON_DOC].in_flight.is_some()
    });
    h
}

#[test]
fn a_second_workbench_on_the_same_folder_is_asked_and_never_overwrites() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut first = harness(root);
    let mut second = harness(root);
    // The second analyst tags something; its disk hangs, so it is not saved yet
    // (an edit is otherwise saved to the journal at once).
    second.state().hold_saves(true);
    tag(&mut second, "Hillary Clinton", "PERSON");
    // Meanwhile the first analyst tags something else and it reaches the disk.
    tag(&mut first, "North Korean", "GROUP");
    settle(&mut first);
    let theirs = std::fs::read(sidecar(root, CLINTON_DOC)).unwrap();
    assert_eq!(quotes_on_disk(root, CLINTON_DOC), ["North Korean"]);

    // The second analyst's disk answers again and the save goes ahead (Ctrl+S as well):
    // the sidecar is no longer the one it loaded.
    second.state().hold_saves(false);
    second
        .state_mut()
        .run_action(marginalia::ui::actions::Action::Save);
    run_until(&mut second, 200, |app| app.prompt.is_some());
    match &second.state().prompt {
        Some(Prompt::ExternalChange { rel, what }) => {
            assert_eq!(rel, CLINTON_DOC);
            assert!(what.contains(&format!("{CLINTON_DOC}.ron")), "{what}");
            assert!(what.contains("changed by another program") || what.contains("changed on disk"));
        }
        other => panic!("expected the changed-on-disk question, got {other:?}"),
    }
    second.run_steps(2);
    assert!(second.query_by_label_contains("Changed on disk").is_some());
    assert!(
        second
            .query_by_label_contains("Keep my version (overwrite the file)")
            .is_some()
    );
    assert!(
        second
            .query_by_label_contains("Reload from disk (drop my unsaved edits)")
            .is_some()
    );
    // While the question is open, nothing is written and no save is retried behind it.
    for _ in 0..15 {
        std::thread::sleep(Duration::from_millis(40));
        second.run_steps(1);
        assert!(second.state().ws.sessions[CLINTON_DOC].in_flight.is_none());
    }
    assert_eq!(std::fs::read(sidecar(root, CLINTON_DOC)).unwrap(), theirs);
    // The second analyst's edit is still there, in memory.
    assert_eq!(quotes_in_memory(&second, CLINTON_DOC), ["Hillary Clinton"]);

    // Keeping one's version is an explicit choice, and then it is written.
    second.state_mut().keep_mine(CLINTON_DOC);
    settle(&mut second);
    assert_eq!(quotes_on_disk(root, CLINTON_DOC), ["Hillary Clinton"]);
    // Now the first workbench is the one behind: it reloads (no unsaved edits) rather than overwrite.
    run_until(&mut first, 200, |app| {
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("Reloaded") && n.contains(CLINTON_DOC))
    });
    assert_eq!(quotes_in_memory(&first, CLINTON_DOC), ["Hillary Clinton"]);
}

#[test]
fn an_outside_write_during_unsaved_edits_asks_and_reload_takes_the_disk_version() {
    let dir = seeds_copy();
    let root = dir.path();
    // A save that cannot finish yet keeps the edit unsaved while another program writes.
    let mut h = tagged_with_save_stuck(root);
    // Another program (a git pull) writes the sidecar.
    let other = {
        let loaded = marginalia::store::corpus::load(root, CLINTON_DOC).unwrap();
        let mut data = loaded.data.clone();
        data.status = marginalia::model::Status::Done;
        marginalia::store::corpus::render(&loaded.doc, &data, (1, 0))
    };
    std::fs::write(sidecar(root, CLINTON_DOC), &other).unwrap();
    h.state().hold_saves(false);
    run_until(&mut h, 200, |app| app.prompt.is_some());
    assert!(matches!(h.state().prompt, Some(Prompt::ExternalChange { .. })));
    assert_eq!(
        std::fs::read_to_string(sidecar(root, CLINTON_DOC)).unwrap(),
        other
    );
    assert_eq!(quotes_in_memory(&h, CLINTON_DOC), ["Hillary Clinton"]);
    // Reloading takes the other program's version.
    h.state_mut().reload(CLINTON_DOC);
    h.run_steps(2);
    let s = &h.state().ws.sessions[CLINTON_DOC];
    assert_eq!(s.data.status, marginalia::model::Status::Done);
    assert!(s.data.annotations.is_empty());
    assert!(!s.is_dirty());
    assert_eq!(
        std::fs::read_to_string(sidecar(root, CLINTON_DOC)).unwrap(),
        other
    );
}

#[test]
fn frames_keep_coming_and_the_status_bar_says_saving_while_the_disk_hangs() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut h = tagged_with_save_stuck(root);
    // The save is stuck in the saver thread; the UI thread goes on drawing and taking input.
    let mut frames_while_saving = 0;
    for _ in 0..30 {
        h.run_steps(1);
        let s = &h.state().ws.sessions[CLINTON_DOC];
        if s.in_flight.is_some() && s.save_state() == SaveState::Saving {
            frames_while_saving += 1;
        }
    }
    assert_eq!(frames_while_saving, 30);
    assert!(h.query_by_label_contains("Saving…").is_some());
    // An edit made during the stuck save is taken at once.
    tag(&mut h, "North Korean", "GROUP");
    assert_eq!(
        quotes_in_memory(&h, CLINTON_DOC),
        ["Hillary Clinton", "North Korean"]
    );
    assert!(!sidecar(root, CLINTON_DOC).exists());
    // The disk answers: both edits reach it and the status bar says so.
    h.state().hold_saves(false);
    settle(&mut h);
    let mut on_disk = quotes_on_disk(root, CLINTON_DOC);
    on_disk.sort();
    assert_eq!(on_disk, ["Hillary Clinton", "North Korean"]);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Saved").is_some());
}

/// Makes a folder refuse new files and renames, and undoes it when dropped (also on panic).
struct Locked<'a> {
    dir: &'a Path,
    how: &'static str,
}

impl<'a> Locked<'a> {
    /// Locks `dir` with permissions, or, where they do not bite (running as root), with
    /// the immutable attribute. `None` when neither works on this machine.
    fn new(dir: &'a Path) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if !writable(dir) {
            return Some(Self { dir, how: "chmod" });
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok && !writable(dir) {
            return Some(Self { dir, how: "chattr" });
        }
        None
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.how == "chattr" {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(self.dir)
                .status();
        } else {
            let _ = std::fs::set_permissions(self.dir, std::fs::Permissions::from_mode(0o755));
        }
    }
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(".write-probe.tmp");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

#[test]
fn a_read_only_folder_keeps_edits_in_memory_and_saves_them_once_writable() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut h = harness(root);
    let Some(lock) = Locked::new(root) else {
        // Neither permissions nor the immutable attribute can stop this user writing here.
        eprintln!("note: this machine cannot make a folder read-only for this user; test not applicable");
        return;
    };
    tag(&mut h, "Hillary Clinton", "PERSON");
    run_until(&mut h, 300, |app| {
        app.ws.sessions[CLINTON_DOC].save_error.is_some()
    });
    let msg = h.state().ws.sessions[CLINTON_DOC].save_error.clone().unwrap();
    assert!(msg.contains("could not save"), "{msg}");
    assert!(msg.contains(&format!("{CLINTON_DOC}.ron")), "{msg}");
    assert!(msg.contains("Your edits are kept in memory"), "{msg}");
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Your edits are kept in memory")
            .is_some()
    );
    // Nothing was written, no temporary file was left, and the edit is still there.
    assert!(!sidecar(root, CLINTON_DOC).exists());
    assert!(
        std::fs::read_dir(root)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
    );
    assert_eq!(quotes_in_memory(&h, CLINTON_DOC), ["Hillary Clinton"]);
    assert!(h.state().ws.sessions[CLINTON_DOC].is_dirty());
    // More work while the folder is read-only is kept too.
    tag(&mut h, "North Korean", "GROUP");
    // The folder becomes writable again: the retry writes everything without being asked
    // (to the edit journal at once, then into the sidecar after a pause).
    drop(lock);
    run_until(&mut h, 600, |app| {
        app.ws.sessions[CLINTON_DOC].save_state() == SaveState::Saved
    });
    settle(&mut h);
    let mut on_disk = quotes_on_disk(root, CLINTON_DOC);
    on_disk.sort();
    assert_eq!(on_disk, ["Hillary Clinton", "North Korean"]);
}

#[test]
fn a_document_on_a_hung_disk_shows_loading_and_appears_when_read() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let next = "001_ae94bf7b73027a13.txt";
    h.state().hold_loads(true);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowDown);
    h.run_steps(1);
    // The read is stuck on its thread; frames keep coming and say what is happening.
    for _ in 0..30 {
        h.run_steps(1);
        assert_eq!(h.state().loading(), Some(next));
        assert_eq!(h.state().current.as_deref(), Some(next));
        assert!(h.state().session().is_none());
    }
    let loading = format!("Loading {next}…");
    assert_eq!(h.query_all_by_label(&loading).count(), 2, "reader and status bar");
    // Input is still taken: going back to the open document is immediate.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowUp);
    h.run_steps(2);
    assert_eq!(h.state().current.as_deref(), Some(CLINTON_DOC));
    assert!(h.state().loading().is_none());
    assert!(h.state().session().is_some());
    // Forward again; the disk answers and the document appears.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowDown);
    h.run_steps(1);
    assert_eq!(h.state().loading(), Some(next));
    h.state().hold_loads(false);
    wait_loaded(&mut h);
    assert_eq!(h.state().session().unwrap().doc.path, next);
    assert_eq!(h.query_all_by_label(&loading).count(), 0);
    assert!(h.query_by_label("Document 2 of 5").is_some());
}

#[test]
fn every_document_gets_its_list_entry_when_the_first_one_cannot_be_opened() {
    let dir = seeds_copy();
    let first = "000_13d38fe2f37237c1.txt";
    annotate(
        dir.path(),
        first,
        &[
            ("North Korea", "PLACE", marginalia::model::Kind::entity()),
            ("China", "PLACE", marginalia::model::Kind::entity()),
        ],
    );
    // The source turns into something that is not text; its sidecar is intact.
    std::fs::write(dir.path().join(first), [0u8, 159, 146, 150, 0, 0, 7, 0]).unwrap();
    let mut h = harness(dir.path());
    assert!(h.state().session().is_none(), "a binary file was opened");
    assert!(h.state().notice.is_some());
    // The summary reader leaves the document being opened to its loader; when that
    // fails, the list entry still gets the count from the sidecar.
    run_until(&mut h, 200, |app| {
        let c = app.ws.corpus.as_ref().unwrap();
        c.summaries.len() == c.entries.len()
    });
    let c = h.state().ws.corpus.as_ref().unwrap();
    assert_eq!(c.summaries[first].count, 2);
    assert!(!c.summaries[first].broken);
}

#[test]
fn the_document_opened_first_is_read_once_and_listed_with_its_count() {
    let dir = seeds_copy();
    let first = "000_13d38fe2f37237c1.txt";
    annotate(
        dir.path(),
        first,
        &[("China", "PLACE", marginalia::model::Kind::entity())],
    );
    let h = harness(dir.path());
    let c = h.state().ws.corpus.as_ref().unwrap();
    assert_eq!(c.summaries[first].count, 1);
    // Its annotations live in the session only, not again in the cache of unopened ones.
    assert!(!c.disk.contains_key(first));
}

/// Presses the window's close button, as the window system reports it.
fn press_close_button(h: &mut Harness<'_, MarginaliaApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run_steps(1);
}

/// True when the last frame told the window to stay open.
fn close_was_cancelled(h: &Harness<'_, MarginaliaApp>) -> bool {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::CancelClose))
}

#[test]
fn closing_with_an_edit_a_read_only_folder_refused_asks_and_a_copy_keeps_it() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut h = harness(root);
    let Some(lock) = Locked::new(root) else {
        eprintln!("note: this machine cannot make a folder read-only for this user; test not applicable");
        return;
    };
    tag(&mut h, "Hillary Clinton", "PERSON");
    run_until(&mut h, 300, |app| {
        app.ws.sessions[CLINTON_DOC].save_error.is_some()
    });
    // The window button: the window stays, the question comes.
    press_close_button(&mut h);
    assert!(close_was_cancelled(&h), "the window closed with an unsaved edit");
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    h.run_steps(1);
    assert!(!h.state().may_close());
    assert!(
        h.query_by_label_contains("could not be written to disk")
            .is_some()
    );
    assert!(h.query_by_label_contains(&format!("• {CLINTON_DOC}")).is_some());
    // "Try saving again" fails again (the folder is still read-only) and asks again.
    h.get_by_label("Try saving again").click();
    h.run_steps(1);
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    assert!(!h.state().leave.close_now);
    // A copy somewhere else: typed, then saved; the window may then close.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("rescued");
    h.run_steps(1);
    h.get_by_label("Copy to folder").click();
    h.run_steps(1);
    h.get_by_label("Copy to folder")
        .type_text(&copy.display().to_string());
    h.run_steps(1);
    h.get_by_label("Save a copy there").click();
    h.run_steps(2);
    assert!(h.state().leave.close_now, "{:?}", h.state().notice);
    assert!(h.state().may_close());
    drop(lock);
    // The copy is an ordinary corpus: every source, and the edit in its sidecar.
    assert_eq!(marginalia::store::corpus::scan(&copy).unwrap().len(), 5);
    assert_eq!(quotes_on_disk(&copy, CLINTON_DOC), ["Hillary Clinton"]);
    assert!(
        !sidecar(root, CLINTON_DOC).exists(),
        "the read-only folder was written"
    );
}

#[test]
fn ctrl_q_saves_and_closes_and_discarding_is_a_choice() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut h = harness(root);
    tag(&mut h, "Hillary Clinton", "PERSON");
    // Saved first, then closed: nothing to ask.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    run_until(&mut h, 300, |app| app.leave.close_now);
    assert!(h.state().prompt.is_none());
    assert_eq!(quotes_on_disk(root, CLINTON_DOC), ["Hillary Clinton"]);

    // An edit the folder refuses, and "Discard": the window closes, nothing is written.
    let mut h = harness(root);
    let Some(lock) = Locked::new(root) else { return };
    tag(&mut h, "North Korean", "GROUP");
    run_until(&mut h, 300, |app| {
        app.ws.sessions[CLINTON_DOC].save_error.is_some()
    });
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    h.run_steps(1);
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().prompt.is_none() && !h.state().leave.close_now);
    assert!(
        h.state().ws.sessions[CLINTON_DOC].is_dirty(),
        "cancel kept the edit"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    h.run_steps(1);
    h.get_by_label("Discard these edits").click();
    h.run_steps(2);
    assert!(h.state().leave.close_now);
    h.state_mut().ws.save_all_blocking();
    drop(lock);
    assert_eq!(quotes_on_disk(root, CLINTON_DOC), ["Hillary Clinton"]);
}

#[test]
fn switching_folders_with_an_unsaved_edit_asks_first() {
    let dir = seeds_copy();
    let root = dir.path();
    let other = seeds_copy();
    let mut h = harness(root);
    let Some(lock) = Locked::new(root) else { return };
    tag(&mut h, "Hillary Clinton", "PERSON");
    run_until(&mut h, 300, |app| {
        app.ws.sessions[CLINTON_DOC].save_error.is_some()
    });
    h.state_mut().open_folder(other.path());
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    // Still on the first folder, with the edit.
    let canon = std::fs::canonicalize(root).unwrap();
    assert_eq!(h.state().ws.corpus.as_ref().unwrap().root, canon);
    assert_eq!(quotes_in_memory(&h, CLINTON_DOC), ["Hillary Clinton"]);
    h.run_steps(1);
    h.get_by_label("Discard these edits").click();
    h.run_steps(2);
    wait_loaded(&mut h);
    let canon_other = std::fs::canonicalize(other.path()).unwrap();
    assert_eq!(h.state().ws.corpus.as_ref().unwrap().root, canon_other);
    drop(lock);
}

#[test]
fn a_read_only_folder_is_reported_when_opened() {
    let dir = seeds_copy();
    let root = dir.path();
    let Some(lock) = Locked::new(root) else { return };
    let h = harness(root);
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("cannot be written"), "{notice}");
    drop(lock);
}

#[test]
fn a_source_deleted_while_open_says_so_and_nothing_is_written_beside_it() {
    let dir = seeds_copy();
    let root = dir.path();
    let mut h = harness(root);
    h.state().hold_saves(true);
    tag(&mut h, "Hillary Clinton", "PERSON");
    std::fs::remove_file(root.join(CLINTON_DOC)).unwrap();
    // The save under way when the file went is refused, and the watcher says why.
    h.state().hold_saves(false);
    run_until(&mut h, 300, |app| app.ws.sessions[CLINTON_DOC].source_missing);
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("deleted or moved"), "{notice}");
    assert!(!notice.contains("source text changed"), "{notice}");
    // The edit held in memory is not written beside the missing file, and closing asks.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Q);
    run_until(&mut h, 300, |app| {
        matches!(app.prompt, Some(Prompt::Unsaved { .. }))
    });
    assert!(!sidecar(root, CLINTON_DOC).exists());
    assert!(!root.join(format!("{CLINTON_DOC}.ron.journal")).exists());
}

#[test]
fn switching_folders_with_everything_saved_is_immediate() {
    let dir = seeds_copy();
    let other = seeds_copy();
    let mut h = harness(dir.path());
    tag(&mut h, "Hillary Clinton", "PERSON");
    settle_saved(&mut h);
    h.state_mut().open_folder(other.path());
    // The journal is folded first (a save in flight), then the other folder opens.
    run_until(&mut h, 300, |app| {
        app.ws
            .corpus
            .as_ref()
            .is_some_and(|c| c.root == std::fs::canonicalize(other.path()).unwrap())
    });
    assert!(h.state().prompt.is_none());
    assert_eq!(quotes_on_disk(dir.path(), CLINTON_DOC), ["Hillary Clinton"]);
    assert!(
        !dir.path().join(format!("{CLINTON_DOC}.ron.journal")).exists(),
        "the journal was not folded"
    );
}
