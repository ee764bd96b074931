//! Reader behaviour: word selection, extending, snapping on/off, cycling
//! through overlapping annotations, text size.

mod ui_common;

use egui::{Key, Modifiers};
use marginalia::ui::reader::Selection;
use ui_common::*;

#[test]
fn shift_click_extends_the_selection_to_whole_words() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let start = cp_of(&h, "repatriation of at least");
    drag_cp(&mut h, start + 1, start + 5);
    let sel = h.state().view().unwrap().selection.span();
    assert_eq!((sel.start, sel.end), (start, start + "repatriation".len()));
    // Shift+click further on extends the selection, snapped to the word's end.
    let least = cp_of(&h, "least 50");
    click_cp(&mut h, least + 2, Modifiers::SHIFT);
    let sel = h.state().view().unwrap().selection.span();
    assert_eq!((sel.start, sel.end), (start, least + 5));
}

#[test]
fn snapping_can_be_turned_off() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let start = cp_of(&h, "repatriation");
    drag_cp(&mut h, start + 2, start + 7);
    assert_eq!(h.state().view().unwrap().selection.span().start, start);
    h.key_press_modifiers(Modifiers::COMMAND, Key::W);
    h.run_steps(1);
    assert!(!h.state().prefs.snap_words);
    drag_cp(&mut h, start + 2, start + 7);
    let sel = h.state().view().unwrap().selection.span();
    assert_eq!((sel.start, sel.end), (start + 2, start + 7));
}

#[test]
fn clicking_overlapping_annotations_cycles_through_them() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let outer = cp_of(&h, "North Korean refugees");
    // GROUP over the phrase, PLACE over "North Korean" inside it.
    drag_cp(&mut h, outer, outer + 21);
    h.key_press(Key::Num6);
    h.run_steps(1);
    h.state_mut().view_mut().unwrap().selection = Selection::caret(0);
    h.state_mut().view_mut().unwrap().selected = None;
    drag_cp(&mut h, outer, outer + 12);
    h.key_press(Key::Num3);
    h.run_steps(1);
    h.key_press(Key::Escape);
    h.run_steps(1);
    let labels = |h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>| {
        let s = h.state().session().unwrap();
        h.state()
            .view()
            .unwrap()
            .selected
            .as_ref()
            .and_then(|id| s.data.get(id))
            .map(|a| a.label.clone())
    };
    click_cp(&mut h, outer + 3, Modifiers::NONE);
    assert_eq!(labels(&h).as_deref(), Some("PLACE"), "innermost first");
    click_cp(&mut h, outer + 3, Modifiers::NONE);
    assert_eq!(labels(&h).as_deref(), Some("GROUP"));
    click_cp(&mut h, outer + 3, Modifiers::NONE);
    assert_eq!(labels(&h).as_deref(), Some("PLACE"));
    // Outside every annotation, a click clears the selection.
    click_cp(&mut h, outer + 18, Modifiers::NONE);
    assert_eq!(labels(&h).as_deref(), Some("GROUP"));
    click_cp(&mut h, 2, Modifiers::NONE);
    assert_eq!(labels(&h), None);
}

#[test]
fn text_size_changes_with_ctrl_plus_and_minus() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let before = h.state().prefs.font_size;
    h.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Equals);
    h.run_steps(2);
    assert_eq!(h.state().prefs.font_size, before + 2.0);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    h.run_steps(2);
    assert_eq!(h.state().prefs.font_size, before + 1.0);
}

#[test]
fn a_discontinuous_annotation_is_built_and_selected_as_one() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let north = cp_of(&h, "North Korean refugees");
    let china = cp_of(&h, "China in the last");
    drag_cp(&mut h, north, north + 5);
    h.key_press(Key::Num3);
    h.run_steps(1);
    drag_cp(&mut h, china, china + 5);
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Add selection as a fragment").click();
    h.run_steps(2);
    let s = h.state().session().unwrap();
    assert_eq!(s.data.annotations.len(), 1);
    let a = &s.data.annotations[0];
    assert_eq!(a.spans.len(), 2);
    assert_eq!(a.quote, "North China");
    // Clicking either fragment selects the same annotation.
    let id = a.id.clone();
    click_cp(&mut h, 0, Modifiers::NONE);
    assert_eq!(h.state().view().unwrap().selected, None);
    click_cp(&mut h, china + 2, Modifiers::NONE);
    assert_eq!(h.state().view().unwrap().selected.as_deref(), Some(id.as_str()));
    settle(&mut h);
    let on_disk = std::fs::read_to_string(sidecar(dir.path(), CLINTON_DOC)).unwrap();
    assert!(on_disk.contains(&format!(
        "spans: [(start: {north}, end: {}), (start: {china}, end: {})]",
        north + 5,
        china + 5
    )));
}
