//! The edit journal through the workbench: an edit reaches the disk as one line
//! appended to `<source>.ron.journal`, the journal is folded into the sidecar
//! after a pause, a journal left by a crash is applied when the document opens,
//! and a damaged one is shown and left alone.

mod ui_common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::{Edit, History, Kind, Status};
use marginalia::store::{corpus, journal};
use marginalia::ui::MarginaliaApp;
use ui_common::*;

fn journal_of(root: &Path, rel: &str) -> PathBuf {
    journal::journal_path(&sidecar(root, rel))
}

/// The sidecar holds exactly what the open session holds.
fn sidecar_matches_session(h: &Harness<'_, MarginaliaApp>, root: &Path, rel: &str) {
    let s = &h.state().ws.sessions[rel];
    assert_eq!(
        fs::read_to_string(sidecar(root, rel)).unwrap(),
        corpus::render(&s.doc, &s.data, s.file_version)
    );
}

/// Runs frames, pausing between them, until `done` holds; returns how long that took.
fn frames_until(
    h: &mut Harness<'_, MarginaliaApp>,
    what: &str,
    done: impl Fn(&MarginaliaApp) -> bool,
) -> Duration {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < ui_common::DEADLINE, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(20));
        h.run_steps(1);
    }
    start.elapsed()
}

#[test]
fn an_edit_is_journaled_at_once_and_folded_into_the_sidecar_after_a_pause() {
    let dir = seeds_copy();
    let root = dir.path();
    annotate(root, CLINTON_DOC, &[("North Korean", "GROUP", Kind::entity())]);
    let side = sidecar(root, CLINTON_DOC);
    let journal = journal_of(root, CLINTON_DOC);
    let side_before = fs::read(&side).unwrap();
    let mut h = harness(root);

    let start = cp_of(&h, "Hillary Clinton");
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(start);
    h.run_steps(3);
    drag_cp(&mut h, start, start + 15);
    h.key_press(Key::Num1);
    h.run_steps(1);
    // Handed to the saver in the frame of the keypress, not after the pause a whole
    // rewrite of the sidecar waits for.
    assert!(h.state().session().unwrap().in_flight.is_some());
    settle_saved(&mut h);

    // Saved means on disk: in the journal, with the sidecar it applies to named, the sidecar untouched.
    h.run_steps(1);
    assert!(h.query_by_label("Saved").is_some());
    assert_eq!(fs::read(&side).unwrap(), side_before);
    let text = fs::read_to_string(&journal).expect("the journal is on disk");
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("marginalia-journal"), "{header}");
    assert!(header.contains(&corpus::sidecar_hash(&side_before)), "{header}");
    let record = lines.next().unwrap();
    assert!(
        record.contains("Hillary Clinton") && record.contains("PERSON"),
        "{record}"
    );
    assert!(lines.next().is_none(), "one edit, one line: {text}");
    // Any reader of the folder (another window, export, check) sees the edit.
    let loaded = corpus::load(root, CLINTON_DOC).unwrap();
    assert_eq!(loaded.data, h.state().ws.sessions[CLINTON_DOC].data);

    // The sidecar is rewritten only after a pause in the work, then the journal goes.
    let waited = frames_until(&mut h, "folding the journal", |app| {
        !app.ws.sessions[CLINTON_DOC].journal_pending() && app.ws.sessions[CLINTON_DOC].in_flight.is_none()
    });
    assert!(waited >= Duration::from_millis(800), "folded after {waited:?}");
    assert!(!journal.exists());
    sidecar_matches_session(&h, root, CLINTON_DOC);
    // Our own writes are not taken for someone else's: no question, no reload, across watcher rounds.
    for _ in 0..60 {
        std::thread::sleep(Duration::from_millis(25));
        h.run_steps(1);
    }
    assert!(h.state().prompt.is_none(), "{:?}", h.state().prompt);
    assert!(h.state().notice.is_none(), "{:?}", h.state().notice);

    // The next edits start a journal on the new sidecar; undo is saved as an edit too.
    let after_fold = fs::read(&side).unwrap();
    h.key_press(Key::Delete);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(1);
    settle_saved(&mut h);
    let text = fs::read_to_string(&journal).unwrap_or_default();
    assert!(text.contains(&corpus::sidecar_hash(&after_fold)), "{text}");
    assert!(text.contains("Remove("), "{text}");
    settle(&mut h);
    assert!(!journal.exists());
    sidecar_matches_session(&h, root, CLINTON_DOC);
    assert_eq!(h.state().ws.sessions[CLINTON_DOC].data.annotations.len(), 2);
}

#[test]
fn a_journal_left_by_a_crash_is_applied_when_the_document_opens_and_folded() {
    let dir = seeds_copy();
    let root = dir.path();
    annotate(root, CLINTON_DOC, &[("North Korean", "GROUP", Kind::entity())]);
    // A workbench saved two edits to the journal and was killed before folding them in.
    let mut loaded = corpus::load(root, CLINTON_DOC).unwrap();
    let mut history = History::default();
    let mut stamp = loaded.stamp.clone();
    for e in [Edit::Remove("fixture0".into()), Edit::SetStatus(Status::Done)] {
        let applied = history.run(&mut loaded.data, "step", e).unwrap();
        stamp = journal::append(root, &loaded.doc, &[applied], &stamp).unwrap();
    }
    let mut torn = fs::read(journal_of(root, CLINTON_DOC)).unwrap();
    torn.extend_from_slice(b"Add((id: \"cut sh");
    fs::write(journal_of(root, CLINTON_DOC), torn).unwrap();

    let mut h = harness(root);
    let s = &h.state().ws.sessions[CLINTON_DOC];
    assert!(s.read_only.is_none(), "{:?}", s.read_only);
    assert_eq!(s.data, loaded.data);
    settle(&mut h);
    assert!(!journal_of(root, CLINTON_DOC).exists());
    sidecar_matches_session(&h, root, CLINTON_DOC);
    let on_disk = corpus::load(root, CLINTON_DOC).unwrap();
    assert_eq!(on_disk.data.status, Status::Done);
    assert!(on_disk.data.annotations.is_empty());
}

#[test]
fn a_damaged_journal_makes_the_document_read_only_and_is_left_alone() {
    let dir = seeds_copy();
    let root = dir.path();
    annotate(root, CLINTON_DOC, &[("North Korean", "GROUP", Kind::entity())]);
    let loaded = corpus::load(root, CLINTON_DOC).unwrap();
    journal::append(root, &loaded.doc, &[Edit::SetStatus(Status::Done)], &loaded.stamp).unwrap();
    let path = journal_of(root, CLINTON_DOC);
    let damaged = fs::read_to_string(&path).unwrap()
        + "not an edit\n"
        + &journal::render_record(&[Edit::SetStatus(Status::InProgress)]);
    fs::write(&path, &damaged).unwrap();
    let side_before = fs::read(sidecar(root, CLINTON_DOC)).unwrap();

    let mut h = harness(root);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Read-only.").is_some());
    assert!(
        h.query_by_label_contains(".txt.ron.journal: line 3 is damaged")
            .is_some()
    );
    // Edits are refused, and nothing is written past the autosave and the fold delays.
    let start = cp_of(&h, "Hillary Clinton");
    h.state_mut().view_mut().unwrap().selection = marginalia::ui::reader::Selection {
        anchor: start,
        focus: start + 15,
    };
    h.state_mut().apply_label("PERSON");
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(20));
        h.run_steps(1);
    }
    assert_eq!(h.state().ws.sessions[CLINTON_DOC].data.annotations.len(), 1);
    assert_eq!(fs::read_to_string(&path).unwrap(), damaged);
    assert_eq!(fs::read(sidecar(root, CLINTON_DOC)).unwrap(), side_before);
}

#[test]
fn a_second_workbench_follows_the_journal_of_the_first_and_nobody_is_asked() {
    let dir = seeds_copy();
    let root = dir.path();
    annotate(root, CLINTON_DOC, &[("North Korean", "GROUP", Kind::entity())]);
    let mut first = harness(root);
    let mut second = harness(root);
    let journal = journal_of(root, CLINTON_DOC);
    for (needle, label) in [("Hillary Clinton", "PERSON"), ("Seoul", "PLACE")] {
        let start = cp_of(&first, needle);
        let app = first.state_mut();
        app.view_mut().unwrap().selection = marginalia::ui::reader::Selection {
            anchor: start,
            focus: start + needle.chars().count(),
        };
        app.apply_label(label);
        assert!(app.session().unwrap().is_dirty());
        first.run_steps(1);
        settle_saved(&mut first);
        assert!(journal.exists());
        // The other window notices the journal grow and shows what it holds.
        let quote = needle.to_owned();
        frames_until(&mut second, "the second window reloading", move |app| {
            app.ws.sessions[CLINTON_DOC]
                .data
                .annotations
                .iter()
                .any(|a| a.quote == quote)
        });
    }
    // Both run on; the journal is folded once, and neither window is asked anything.
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        first.run_steps(1);
        second.run_steps(1);
        let quiet = |app: &MarginaliaApp| {
            let s = &app.ws.sessions[CLINTON_DOC];
            !s.journal_pending() && s.in_flight.is_none() && !s.is_dirty()
        };
        if !journal.exists() && quiet(first.state()) && quiet(second.state()) {
            break;
        }
        assert!(
            start.elapsed() < ui_common::DEADLINE,
            "the journal was not folded"
        );
    }
    for _ in 0..60 {
        std::thread::sleep(Duration::from_millis(25));
        first.run_steps(1);
        second.run_steps(1);
    }
    for h in [&first, &second] {
        assert!(h.state().prompt.is_none(), "{:?}", h.state().prompt);
        assert_eq!(h.state().ws.sessions[CLINTON_DOC].data.annotations.len(), 3);
        assert!(h.state().ws.sessions[CLINTON_DOC].save_error.is_none());
    }
    sidecar_matches_session(&first, root, CLINTON_DOC);
    sidecar_matches_session(&second, root, CLINTON_DOC);
}
