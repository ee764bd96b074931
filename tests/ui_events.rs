//! The inspector on events and equivalences imported from brat: a trigger
//! shows its event with type and arguments, an argument shows the events it
//! takes part in, a member its equivalents; deleting an event or an argument
//! is one undoable step.

mod ui_common;

use egui::Key;
use egui_kittest::kittest::Queryable;
use marginalia::formats::import::import_brat;
use ui_common::{harness, settle};

fn corpus() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("brat");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "p53 binds MDM2 (HDM2).\n").unwrap();
    std::fs::write(
        src.join("a.ann"),
        "T1\tProtein 0 3\tp53\nT2\tBinding 4 9\tbinds\nT3\tProtein 10 14\tMDM2\nT4\tProtein 16 20\tHDM2\n\
E1\tBinding:T2 Theme:T1 Theme2:T3\nA1\tNegation E1\n#1\tAnnotatorNotes E1\tchecked\n*\tEquiv T3 T4\n",
    )
    .unwrap();
    let report = import_brat(&src, &tmp.path().join("corpus")).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    tmp
}

fn select(h: &mut egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>, id: &str) {
    h.state_mut().view_mut().unwrap().selected = Some(id.into());
    h.run_steps(2);
}

fn selected(h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>) -> Option<String> {
    h.state().view().unwrap().selected.as_ref().map(|s| s.to_string())
}

#[test]
fn the_inspector_shows_events_and_equivalences_and_follows_them() {
    let tmp = corpus();
    let mut h = harness(&tmp.path().join("corpus"));
    select(&mut h, "T2");
    assert!(h.query_by_label_contains("States Binding (E1)").is_some());
    assert!(h.query_by_label_contains("Theme2: Protein “MDM2”").is_some());
    assert!(h.query_by_label_contains("Note: checked").is_some());
    assert!(h.query_by_label("Negation").is_some());
    h.get_by_label("Theme: Protein “p53”").click();
    h.run_steps(2);
    assert_eq!(selected(&h).as_deref(), Some("T1"));
    assert!(
        h.query_by_label_contains("Theme of the Binding event “binds”")
            .is_some()
    );
    select(&mut h, "T3");
    assert!(h.query_by_label_contains("Equivalent (Equiv)").is_some());
    h.get_by_label("Protein “HDM2”").click();
    h.run_steps(2);
    assert_eq!(selected(&h).as_deref(), Some("T4"));
}

#[test]
fn deleting_an_event_or_an_argument_is_one_undoable_step() {
    let tmp = corpus();
    let mut h = harness(&tmp.path().join("corpus"));
    select(&mut h, "T2");
    h.get_by_label("Delete event").click();
    h.run_steps(2);
    let data = |h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>| {
        h.state().session().unwrap().data.clone()
    };
    assert!(data(&h).events.is_empty());
    // The trigger stays.
    assert!(data(&h).get("T2").is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(data(&h).events.len(), 1);
    // Deleting an argument drops it from the event and the equivalence goes.
    select(&mut h, "T3");
    h.key_press(Key::Delete);
    h.run_steps(2);
    let d = data(&h);
    assert_eq!(d.events[0].arguments.len(), 1);
    assert!(d.equivalences.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let d = data(&h);
    assert_eq!(d.events[0].arguments.len(), 2);
    assert_eq!(d.equivalences.len(), 1);
    settle(&mut h);
    // What is on disk is what the app holds.
    let on_disk = marginalia::store::corpus::load(&tmp.path().join("corpus"), "a.txt").unwrap();
    assert_eq!(on_disk.data.events, d.events);
}
