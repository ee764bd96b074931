//! Claims, speakers, cues, relations, find-and-annotate-all and the shortcut help,
//! driven through the real workbench.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use marginalia::model::{ClaimType, Kind, Speaker, Stance};
use marginalia::store::sidecar;
use ui_common::*;

fn click_cp(h: &mut egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>, cp: usize) {
    let p = pos_of(h, cp) + egui::vec2(2.0, 0.0);
    h.hover_at(p);
    h.run_steps(1);
    h.drag_at(p);
    h.run_steps(1);
    h.drop_at(p);
    h.run_steps(2);
}

/// Scrolls to `quote` in the current document, drags across it and tags it as a claim.
fn tag_claim(h: &mut egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>, quote: &str) {
    let claim = cp_of(h, quote);
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(claim);
    h.run_steps(3);
    drag_cp(h, claim, claim + quote.chars().count());
    h.key_press(Key::C);
    h.run_steps(3);
}

fn disk(dir: &std::path::Path, rel: &str) -> sidecar::Sidecar {
    sidecar::from_str(&std::fs::read_to_string(sidecar(dir, rel)).expect("sidecar written"))
        .expect("sidecar parses")
}

#[test]
fn clinton_claim_with_speaker_cue_stance_and_proposition() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    let person = cp_of(&h, "Hillary Clinton");
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(person);
    h.run_steps(3);
    drag_cp(&mut h, person, person + 15);
    h.key_press(Key::Num1);
    h.run_steps(2);

    let quote = "We urge every country to act according to international obligations";
    let claim = cp_of(&h, quote);
    drag_cp(&mut h, claim, claim + quote.chars().count());
    assert_eq!(h.state().view().unwrap().selection.span().start, claim);
    h.key_press(Key::C);
    h.run_steps(3);
    let claim_id = h
        .state()
        .view()
        .unwrap()
        .selected
        .clone()
        .expect("new claim selected");
    assert!(
        h.state()
            .session()
            .unwrap()
            .data
            .get(&claim_id)
            .unwrap()
            .kind
            .is_claim()
    );

    // Speaker: pick in text, then click Hillary Clinton.
    h.get_by_label("Pick speaker in text").click();
    h.run_steps(2);
    click_cp(&mut h, person + 3);
    // Cue: select "stating" while the claim stays selected.
    let cue = cp_of(&h, "stating");
    drag_cp(&mut h, cue, cue + 7);
    h.get_by_label("Cue from selection").click();
    h.run_steps(2);
    // Stance and type from their lists.
    h.get_by_label("Stance").click();
    h.run_steps(2);
    h.get_by_label("reports").click();
    h.run_steps(2);
    h.get_by_label("Type").click();
    h.run_steps(2);
    h.get_by_label("quote").click();
    h.run_steps(2);
    // Proposition key, committed when the field loses focus.
    h.get_by_label("Proposition key").focus();
    h.run_steps(1);
    h.get_by_label("Proposition key").type_text("us-urges-compliance");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
    settle(&mut h);

    let sc = disk(dir.path(), CLINTON_DOC);
    let person_ann = sc
        .data
        .annotations
        .iter()
        .find(|a| a.quote == "Hillary Clinton")
        .expect("person saved");
    assert_eq!(person_ann.label, "PERSON");
    let claim_ann = sc.data.get(&claim_id).expect("claim saved");
    assert_eq!(claim_ann.quote, quote);
    assert_eq!(claim_ann.spans[0].start, claim);
    let Kind::Claim(c) = &claim_ann.kind else {
        panic!("not a claim")
    };
    assert_eq!(c.speaker, Speaker::Entity(person_ann.id.clone()));
    let cue_saved = c.cue.as_ref().expect("cue saved");
    assert_eq!(cue_saved.quote, "stating");
    assert_eq!(cue_saved.span.start, cue);
    assert_eq!(c.stance, Stance::Reports);
    assert_eq!(c.claim_type, ClaimType::Quote);
    assert_eq!(c.proposition.as_deref(), Some("us-urges-compliance"));
}

#[test]
fn supports_relation_across_documents_can_be_followed() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    // A claim in the second document.
    step_document(&mut h, true);
    let other = "001_ae94bf7b73027a13.txt";
    assert_eq!(h.state().current.as_deref(), Some(other));
    let text = h.state().session().unwrap().doc.text.clone();
    let first_line_len = text
        .lines()
        .find(|l| l.len() > 60)
        .unwrap()
        .chars()
        .take(40)
        .count();
    let start = cp_of(&h, &text.lines().find(|l| l.len() > 60).unwrap()[..10]);
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(start);
    h.run_steps(3);
    drag_cp(&mut h, start, start + first_line_len);
    h.key_press(Key::C);
    h.run_steps(2);
    let target_id = h.state().view().unwrap().selected.clone().unwrap();
    settle(&mut h);
    // Back to the first document: a claim there supports the other one.
    step_document(&mut h, false);
    tag_claim(
        &mut h,
        "We urge every country to act according to international obligations",
    );
    h.get_by_label("Link to").click();
    h.run_steps(2);
    h.get_by_label_contains(&format!("{other}: “")).click();
    h.run_steps(3);
    settle(&mut h);
    let sc = disk(dir.path(), CLINTON_DOC);
    assert_eq!(sc.data.relations.len(), 1);
    let r = &sc.data.relations[0];
    assert_eq!(r.kind, "supports");
    assert_eq!(r.to.doc.as_deref(), Some(other));
    assert_eq!(r.to.id, target_id);
    // Follow it (the row itself selects the relation, for Delete).
    assert!(h.query_by_label_contains("→ supports:").is_some());
    h.get_by_label("Go").click();
    h.run_steps(3);
    assert_eq!(h.state().current.as_deref(), Some(other));
    assert_eq!(
        h.state().view().unwrap().selected.as_deref(),
        Some(target_id.as_str())
    );
    // The far end lists the relation too, and leads back.
    assert!(h.query_by_label_contains("← supports:").is_some());
    h.get_by_label("Go").click();
    h.run_steps(3);
    assert_eq!(h.state().current.as_deref(), Some(CLINTON_DOC));
}

#[test]
fn find_and_annotate_all_is_one_undoable_step() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run_steps(2);
    h.get_by_label("Find").type_text("refugees");
    h.run_steps(2);
    let expected = h
        .state()
        .session()
        .unwrap()
        .doc
        .text
        .to_lowercase()
        .matches("refugees")
        .count();
    assert_eq!(h.state().find.matches.len(), expected);
    h.get_by_label("as").click();
    h.run_steps(2);
    h.get_by_label("GROUP").click();
    h.run_steps(2);
    assert_eq!(h.state().find.label, "GROUP");
    h.get_by_label(&format!("Annotate all {expected} matches"))
        .click();
    h.run_steps(2);
    let s = h.state().session().unwrap();
    assert_eq!(s.data.annotations.len(), expected);
    assert!(
        s.data
            .annotations
            .iter()
            .all(|a| a.label == "GROUP" && a.quote.eq_ignore_ascii_case("refugees"))
    );
    // Again: every span already has the label, so nothing is added.
    h.get_by_label(&format!("Annotate all {expected} matches"))
        .click();
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations.len(), expected);
    settle(&mut h);
    assert_eq!(disk(dir.path(), CLINTON_DOC).data.annotations.len(), expected);
    h.key_press(Key::Escape);
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    settle(&mut h);
    assert!(disk(dir.path(), CLINTON_DOC).data.annotations.is_empty());
}

#[test]
fn f1_lists_every_shortcut_the_handler_uses() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    h.key_press(Key::F1);
    h.run_steps(2);
    let ctx = h.ctx.clone();
    for s in marginalia::ui::actions::SHORTCUTS {
        let keys = marginalia::ui::actions::describe(&ctx, &s.keys);
        assert!(h.query_all_by_label(&keys).next().is_some(), "help lacks {keys}");
        assert!(
            h.query_all_by_label(s.description).next().is_some(),
            "help lacks {}",
            s.description
        );
    }
    // The label hotkeys come from the tag set.
    assert!(
        h.query_by_label("Tag the selection as PERSON (or relabel the selected annotation)")
            .is_some()
    );
}

#[test]
fn a_speaker_is_chosen_from_the_list_of_the_documents_entities() {
    let dir = seeds_copy();
    let quote = "We urge every country to act according to international obligations";
    annotate(
        dir.path(),
        CLINTON_DOC,
        &[
            ("Hillary Clinton", "PERSON", Kind::entity()),
            (quote, "CLAIM", Kind::Claim(Default::default())),
        ],
    );
    let mut h = harness(dir.path());
    let (person, claim) = {
        let d = &h.state().session().unwrap().data;
        let id = |label: &str| {
            d.annotations
                .iter()
                .find(|a| a.label == label)
                .unwrap()
                .id
                .clone()
        };
        (id("PERSON"), id("CLAIM"))
    };
    h.state_mut().view_mut().unwrap().selected = Some(claim.clone());
    h.run_steps(2);
    h.get_by_label("Speaker").click();
    h.run_steps(2);
    h.get_by_label("Hillary Clinton (PERSON)").click();
    h.run_steps(2);
    let d = &h.state().session().unwrap().data;
    assert_eq!(
        d.get(&claim).unwrap().claim().unwrap().speaker,
        Speaker::Entity(person.clone())
    );
    settle(&mut h);
    let on_disk = disk(dir.path(), CLINTON_DOC).data;
    assert_eq!(
        on_disk.get(&claim).unwrap().claim().unwrap().speaker,
        Speaker::Entity(person)
    );
}

/// Runs frames until the corpus index shown is up to date with the annotations.
fn wait_for_index(h: &mut egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>) {
    wait_until(h, "rebuilding the corpus index", |app| !app.ws.index_pending());
    h.run_steps(1);
}

/// On a corpus too large to index at once, an edit leaves the claims board on
/// the index it had, says that it is updating, and shows the new claim once the
/// background build is in.
#[test]
fn a_large_corpus_updates_the_claims_board_in_the_background() {
    let dir = seeds_copy();
    let mut h = harness(dir.path());
    // Every corpus counts as large.
    h.state_mut().ws.index_sync_limit = 0;
    h.get_by_label("Claims").click();
    h.run_steps(1);
    // The first index: nothing but the note until it is in.
    assert!(h.query_by_label("Building the corpus index…").is_some());
    assert!(h.query_by_label("0 claims").is_none());
    wait_for_index(&mut h);
    assert!(h.query_by_label("0 claims").is_some());

    h.get_by_label("Reader").click();
    h.run_steps(2);
    tag_claim(
        &mut h,
        "We urge every country to act according to international obligations",
    );
    assert_eq!(h.state().session().unwrap().data.annotations.len(), 1);

    h.get_by_label("Claims").click();
    let mut saw_update = false;
    for _ in 0..3 {
        h.run_steps(1);
        if h.query_by_label("Updating for the latest edits…").is_some() {
            // The board still shows the index from before the edit.
            assert!(h.query_by_label("0 claims").is_some());
            saw_update = true;
            break;
        }
    }
    assert!(saw_update, "the board never said it was updating");
    wait_for_index(&mut h);
    assert!(h.query_by_label("1 claim").is_some());
    assert!(h.query_by_label("Updating for the latest edits…").is_none());
}
