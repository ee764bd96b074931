//! Relations in the text: drawn between their ends, picked, deleted from the
//! inspector and by keyboard, followed and come back from; claim cues stay
//! visible.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::model::Kind;
use marginalia::ui::MarginaliaApp;
use ui_common::*;

fn entity() -> Kind {
    Kind::Entity { canonical: None }
}

/// The seeds with "North Korean refugees" (GROUP) and "China" (PLACE) tagged.
fn tagged() -> (tempfile::TempDir, Harness<'static, MarginaliaApp>) {
    let dir = seeds_copy();
    annotate(
        dir.path(),
        CLINTON_DOC,
        &[
            ("North Korean refugees", "GROUP", entity()),
            ("China", "PLACE", entity()),
        ],
    );
    let h = harness(dir.path());
    (dir, h)
}

fn selected_label(h: &Harness<'_, MarginaliaApp>) -> Option<String> {
    let s = h.state().session()?;
    let id = h.state().view()?.selected.clone()?;
    s.data.get(&id).map(|a| a.label.to_string())
}

fn relation_count(h: &Harness<'_, MarginaliaApp>) -> usize {
    h.state().session().unwrap().data.relations.len()
}

/// Selects the GROUP, picks the first relation type and clicks China.
fn relate_by_picking(h: &mut Harness<'_, MarginaliaApp>) {
    let group = cp_of(h, "North Korean refugees");
    let china = cp_of(h, "China in the last");
    click_cp(h, group + 2, Modifiers::NONE);
    assert_eq!(selected_label(h).as_deref(), Some("GROUP"));
    h.get_by_label("Pick target in text").click();
    h.run_steps(2);
    // The banner says what the next click picks.
    assert!(h.query_by_label_contains("Click the target of the").is_some());
    assert!(h.query_by_label_contains("speaker").is_none());
    click_cp(h, china + 1, Modifiers::NONE);
    assert_eq!(relation_count(h), 1);
}

#[test]
fn a_relation_is_drawn_from_one_end_to_the_other_with_its_type() {
    let (_dir, mut h) = tagged();
    relate_by_picking(&mut h);
    h.run_steps(2);
    let kind = h.state().session().unwrap().data.relations[0].kind.clone();
    let group = pos_of(&h, cp_of(&h, "North Korean refugees"));
    let china = pos_of(&h, cp_of(&h, "China in the last"));
    let marks = &h.state().view().unwrap().reader.marks;
    assert_eq!(marks.relations.len(), 1);
    let m = &marks.relations[0];
    assert_eq!(m.text, kind);
    let (from, to) = (m.from.unwrap(), m.to.unwrap());
    // Each end sits over its annotation's first line.
    assert!(
        (from.y - group.y).abs() < 20.0 && from.x > group.x,
        "{from:?} vs {group:?}"
    );
    assert!(
        (to.y - china.y).abs() < 20.0 && to.x > china.x,
        "{to:?} vs {china:?}"
    );
}

#[test]
fn a_relation_is_deleted_from_the_inspector_and_by_keyboard() {
    let (_dir, mut h) = tagged();
    relate_by_picking(&mut h);
    let group = cp_of(&h, "North Korean refugees");
    click_cp(&mut h, group + 2, Modifiers::NONE);
    h.get_by_label_contains("Delete relation").click();
    h.run_steps(2);
    assert_eq!(relation_count(&h), 0);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(relation_count(&h), 1, "undo brings it back");
    if selected_label(&h).is_none() {
        click_cp(&mut h, group + 2, Modifiers::NONE);
    }
    // Selecting the relation in the inspector, then Delete, removes the
    // relation and keeps the annotation.
    let kind = h.state().session().unwrap().data.relations[0].kind.clone();
    h.get_by_label_contains(&format!("→ {kind}: ")).click();
    h.run_steps(2);
    h.key_press(Key::Delete);
    h.run_steps(2);
    assert_eq!(relation_count(&h), 0);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 2);
    // With no relation selected, Delete removes the annotation as before.
    h.key_press(Key::Delete);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);
}

#[test]
fn alt_left_goes_back_after_following_a_relation() {
    let (_dir, mut h) = tagged();
    relate_by_picking(&mut h);
    let group = cp_of(&h, "North Korean refugees");
    click_cp(&mut h, group + 2, Modifiers::NONE);
    assert_eq!(selected_label(&h).as_deref(), Some("GROUP"));
    h.get_by_label("Go").click();
    h.run_steps(2);
    assert_eq!(selected_label(&h).as_deref(), Some("PLACE"));
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    h.run_steps(2);
    assert_eq!(selected_label(&h).as_deref(), Some("GROUP"));
}

#[test]
fn a_claims_cue_stays_underlined_when_the_claim_is_not_selected() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let quote = "We urge every country to act according to international obligations";
    let person = cp_of(&h, "Hillary Clinton");
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(person);
    h.run_steps(3);
    let claim = cp_of(&h, quote);
    drag_cp(&mut h, claim, claim + quote.chars().count());
    h.key_press(Key::C);
    h.run_steps(3);
    let cue = cp_of(&h, "stating");
    drag_cp(&mut h, cue, cue + 7);
    h.get_by_label("Cue from selection").click();
    h.run_steps(2);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().view().unwrap().selected, None);
    let at = pos_of(&h, cue);
    let cues = &h.state().view().unwrap().reader.marks.cues;
    assert_eq!(cues.len(), 1, "{cues:?}");
    assert!(
        cues[0].contains(at + egui::vec2(3.0, 0.0)),
        "{:?} vs {at:?}",
        cues[0]
    );
}
