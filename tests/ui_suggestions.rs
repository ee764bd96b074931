//! Suggestions in the workbench: tag a mention, the same words elsewhere are
//! proposed; accepting is an annotation with its origin (one undo step, on
//! disk), rejecting is remembered for the corpus, and nothing of a suggestion
//! ever reaches a sidecar or an export.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::suggest::{Enabled, Origin, Suggestion};
use marginalia::ui::MarginaliaApp;
use marginalia::ui::command::Command;
use ui_common::*;

/// Tags the first "China" of the Clinton article as PLACE (key 3), with only
/// matcher suggestions on, and waits until the other mentions are proposed.
fn tag_china(h: &mut Harness<'_, MarginaliaApp>) -> usize {
    // Only what the tag itself brings: detectors and the learner propose other words too.
    h.state_mut().prefs.suggestions = Enabled {
        matcher: true,
        learner: false,
        detector: false,
        gazetteer: false,
    };
    let china = cp_of(h, "China in the last");
    drag_cp(h, china, china + 5);
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);
    wait_for_places(h);
    china
}

fn places(app: &MarginaliaApp) -> Vec<Suggestion> {
    app.suggestions_here()
        .map(|l| l.iter().filter(|s| s.label == "PLACE").cloned().collect())
        .unwrap_or_default()
}

/// True when `list` proposes the label of `s` on its words (scores change
/// as suggestions are rejected elsewhere).
fn proposes(list: &[Suggestion], s: &Suggestion) -> bool {
    list.iter().any(|x| x.span == s.span && x.label == s.label)
}

fn spans(list: &[Suggestion]) -> Vec<(usize, usize)> {
    list.iter().map(|s| (s.span.start, s.span.end)).collect()
}

fn wait_for_places(h: &mut Harness<'_, MarginaliaApp>) {
    wait_until(h, "PLACE suggestions", |app| !places(app).is_empty());
}

fn annotations(h: &Harness<'_, MarginaliaApp>) -> usize {
    h.state().session().unwrap().data.annotations.len()
}

#[test]
fn a_tag_proposes_its_other_mentions_and_enter_accepts_one_as_an_undoable_annotation() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let china = tag_china(&mut h);
    let proposed = places(h.state());
    let doc = h.state().session().unwrap().doc.clone();
    for s in &proposed {
        assert_eq!(doc.slice(s.span).to_lowercase(), "china", "{s:?}");
        assert_ne!(s.span.start, china, "the tagged mention is not proposed again");
        assert_eq!(s.origin, Origin::Matcher);
    }
    // N makes the next one current; the inspector shows it; Enter accepts it.
    h.key_press(Key::N);
    h.run_steps(2);
    let current = h.state().current_suggestion().expect("a current suggestion");
    assert!(proposes(&proposed, &current));
    h.get_by_label("Accept  (Enter)");
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(annotations(&h), 2);
    let s = h.state().session().unwrap();
    let made = s
        .data
        .annotations
        .iter()
        .find(|a| a.spans[0] == current.span)
        .expect("the accepted annotation");
    assert_eq!(
        (made.label.as_str(), made.origin),
        ("PLACE", Some(Origin::Matcher))
    );
    assert_eq!(made.annotator, "tester");
    assert!(
        !proposes(&places(h.state()), &current),
        "an accepted suggestion is no longer proposed"
    );
    settle(&mut h);
    let side = std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap();
    assert_eq!(side.matches("origin: Some(Matcher)").count(), 1, "{side}");
    assert_eq!(side.matches("label: \"PLACE\"").count(), 2, "{side}");
    // One undo step takes it away again, on disk too.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(annotations(&h), 1);
    settle(&mut h);
    let side = std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap();
    assert!(!side.contains("origin"), "{side}");
    // And the mention is proposed again.
    wait_until(&mut h, "the mention proposed again", |app| {
        proposes(&places(app), &current)
    });
}

#[test]
fn a_rejected_suggestion_stays_gone_after_the_folder_is_opened_again() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    tag_china(&mut h);
    h.key_press(Key::N);
    h.run_steps(2);
    let rejected = h.state().current_suggestion().expect("a current suggestion");
    h.key_press(Key::Backspace);
    h.run_steps(2);
    assert_eq!(
        annotations(&h),
        1,
        "Backspace rejected the suggestion, it deleted nothing"
    );
    assert!(!proposes(&places(h.state()), &rejected));
    // The next one is current, and X rejects it the same way.
    let second = h.state().current_suggestion().expect("the next suggestion");
    assert_ne!(second.span, rejected.span);
    h.key_press(Key::X);
    h.run_steps(2);
    assert!(!proposes(&places(h.state()), &second));
    wait_until(&mut h, "the rejections written", |app| !app.ws.suggest.unsaved());
    settle(&mut h);
    wait_until(&mut h, "suggestions up to date", |app| !app.ws.suggest.busy());
    let remaining = places(h.state());
    let file = dir.path().join(marginalia::store::suggest_files::REJECTIONS_FILE);
    assert!(
        file.exists(),
        "the rejections file is written in the corpus folder"
    );
    drop(h);

    let mut h = harness(dir.path());
    wait_for_places(&mut h);
    wait_until(&mut h, "suggestions up to date", |app| !app.ws.suggest.busy());
    let after = places(h.state());
    assert!(!proposes(&after, &rejected), "{rejected:?} came back");
    assert!(!proposes(&after, &second), "{second:?} came back");
    assert_eq!(spans(&after), spans(&remaining), "the others are still proposed");
}

#[test]
fn accepting_all_of_a_label_is_one_undo_step() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    tag_china(&mut h);
    let n = places(h.state()).len();
    assert!(n >= 2, "several mentions proposed, got {n}");
    h.state_mut().run(Command::AcceptAllSuggested("PLACE".into()));
    h.run_steps(2);
    assert_eq!(annotations(&h), 1 + n);
    let s = h.state().session().unwrap();
    let accepted = s.data.annotations.iter().filter(|a| a.origin.is_some()).count();
    assert_eq!(accepted, n);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(annotations(&h), 1, "one undo took every accepted one away");
}

#[test]
fn switching_an_origin_off_hides_its_suggestions() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    tag_china(&mut h);
    h.state_mut().prefs.suggestions.matcher = false;
    wait_until(&mut h, "matcher suggestions hidden", |app| {
        app.suggestions_here()
            .is_some_and(|l| l.iter().all(|s| s.origin != Origin::Matcher))
    });
    h.state_mut().prefs.suggestions.matcher = true;
    wait_for_places(&mut h);
}

#[test]
fn nothing_of_a_suggestion_reaches_the_sidecar_or_an_export() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    tag_china(&mut h);
    // Look at one, so it is current, then leave it.
    h.key_press(Key::N);
    h.run_steps(2);
    settle(&mut h);
    let side = std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap();
    assert_eq!(side.matches("label: \"PLACE\"").count(), 1, "{side}");
    assert!(!side.contains("origin"), "{side}");
    let out = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        format: Format::Jsonl,
        out: out.path().join("x.jsonl"),
        ..Default::default()
    };
    export_corpus(dir.path(), &opts, &mut |_, _| true).unwrap();
    let jsonl = std::fs::read_to_string(out.path().join("x.jsonl")).unwrap();
    assert_eq!(jsonl.matches("\"PLACE\"").count(), 1, "{jsonl}");
}

#[test]
fn a_result_for_an_older_state_or_another_text_is_never_shown_over_a_newer_one() {
    use marginalia::workspace::suggest::SuggestDone;
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    tag_china(&mut h);
    h.key_press(Key::N);
    h.run_steps(1);
    h.key_press(Key::X);
    h.run_steps(1);
    wait_until(&mut h, "suggestions up to date", |app| {
        !app.ws.suggest.busy()
            && app
                .ws
                .suggest
                .shown_for(CLINTON_DOC)
                .is_some_and(|s| s.key.rejections > 0)
    });
    let shown = h.state().ws.suggest.shown_for(CLINTON_DOC).unwrap().clone();
    let folder = h.state().ws.folder;
    let bogus = |key| SuggestDone::Suggested {
        folder,
        key,
        list: Vec::new(),
    };
    // Computed before the tag (an older version of the same text): dropped.
    let mut older = shown.key.clone();
    older.version -= 1;
    h.state_mut().ws.take_suggest(bogus(older));
    // Computed for another reading of the file (another session): dropped.
    let mut other_text = shown.key.clone();
    other_text.epoch += 1;
    other_text.version += 5;
    h.state_mut().ws.take_suggest(bogus(other_text));
    // From before a rejection: dropped, or the rejected one would flash back.
    let mut before_rejection = shown.key.clone();
    before_rejection.rejections -= 1;
    h.state_mut().ws.take_suggest(bogus(before_rejection));
    // For an earlier folder: dropped.
    h.state_mut().ws.take_suggest(SuggestDone::Suggested {
        folder: folder.wrapping_sub(1),
        key: shown.key.clone(),
        list: Vec::new(),
    });
    let now = h.state().ws.suggest.shown_for(CLINTON_DOC).unwrap();
    assert_eq!(now.key, shown.key);
    assert_eq!(now.list, shown.list);
}
