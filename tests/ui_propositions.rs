//! The Propositions tab driven through the real workbench: the comparison of
//! the seed sources' detention figures, opening a passage from a cell, grouping
//! a suggested claim, and correcting a value, checked in the model and on disk.

mod ui_common;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use marginalia::model::{Claim, Kind};
use marginalia::store::sidecar;
use ui_common::*;

const A: &str = "000_13d38fe2f37237c1.txt";
const B: &str = "001_ae94bf7b73027a13.txt";
const C: &str = "002_785b35f39feb0ae3.txt";

fn claim(key: Option<&str>) -> Kind {
    Kind::Claim(Box::new(Claim {
        proposition: key.map(str::to_owned),
        ..Default::default()
    }))
}

/// The seeds with the three detention claims tagged under one proposition, and
/// a fourth claim, without one, that counts the same refugees.
fn corpus() -> tempfile::TempDir {
    let dir = seeds_copy();
    annotate(
        dir.path(),
        A,
        &[(
            "At least 41 refugees had fled North Korea",
            "CLAIM",
            claim(Some("detained")),
        )],
    );
    annotate(
        dir.path(),
        B,
        &[("The 30-plus group", "CLAIM", claim(Some("detained")))],
    );
    annotate(
        dir.path(),
        C,
        &[
            (
                "China eventually arrested 31 refugees",
                "CLAIM",
                claim(Some("detained")),
            ),
            (
                "Chinese officials arrested a group of North Korea refugees",
                "CLAIM",
                claim(None),
            ),
        ],
    );
    dir
}

fn open_tab(h: &mut egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>) {
    h.get_by_label("Propositions").click();
    h.run_steps(3);
    wait_until(h, "the comparison", |app| app.ws.claims_built());
    h.run_steps(2);
}

fn claim_of<'a>(app: &'a marginalia::ui::MarginaliaApp, rel: &str, quote: &str) -> &'a Claim {
    let s = &app.ws.sessions[rel];
    let a = s
        .data
        .annotations
        .iter()
        .find(|a| a.quote.starts_with(quote))
        .expect("the claim");
    a.claim().expect("a claim")
}

#[test]
fn the_sources_that_disagree_show_without_reading_a_quote_and_a_cell_opens_the_passage() {
    let dir = corpus();
    let mut h = harness(dir.path());
    open_tab(&mut h);
    let cmp = h.state_mut().ws.comparison().expect("built");
    let p = cmp
        .propositions
        .iter()
        .find(|p| p.key == "detained")
        .expect("the proposition");
    assert_eq!(p.claims.len(), 3);
    assert!(p.is_contested(), "31 against at least 41: {:?}", p.contested);
    // Each source's figure is on its cell.
    h.get_by_label(&format!("{A} · ≥ 41 refugees"));
    h.get_by_label(&format!("{B} · ≥ 30 group"));
    h.get_by_label(&format!("{C} · 31 refugees")).click();
    h.run_steps(3);
    wait_until(&mut h, "the passage", |app| {
        app.current.as_deref() == Some(C) && app.view().is_some_and(|v| v.selected.is_some())
    });
    let app = h.state();
    assert_eq!(app.tab, marginalia::ui::app::Tab::Reader);
    let selected = app.view().unwrap().selected.clone().unwrap();
    assert!(
        app.session()
            .unwrap()
            .data
            .get(&selected)
            .unwrap()
            .quote
            .starts_with("China eventually")
    );
}

#[test]
fn a_suggested_claim_is_grouped_in_one_click_and_undone_with_ctrl_z() {
    let dir = corpus();
    let mut h = harness(dir.path());
    open_tab(&mut h);
    h.get_by_label("Group under detained").click();
    h.run_steps(3);
    assert_eq!(h.state().notice, None);
    settle_saved(&mut h);
    let grouped =
        |app: &marginalia::ui::MarginaliaApp| claim_of(app, C, "Chinese officials").proposition.clone();
    assert_eq!(grouped(h.state()).as_deref(), Some("detained"));
    // Saved: the sidecar with its journal says so.
    settle(&mut h);
    let on_disk = sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), C)).unwrap()).unwrap();
    let a = on_disk
        .data
        .annotations
        .iter()
        .find(|a| a.quote.starts_with("Chinese officials"))
        .unwrap();
    assert_eq!(a.claim().unwrap().proposition.as_deref(), Some("detained"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(grouped(h.state()), None, "Ctrl+Z undoes the grouping");
}

#[test]
fn a_corrected_value_is_what_is_saved_and_compared() {
    let dir = corpus();
    let mut h = harness(dir.path());
    open_tab(&mut h);
    h.get_by_label("detained").click();
    h.run_steps(3);
    // The value of the 30-plus group, corrected to the 32 another report gives.
    h.get_by_label("≥ 30 group").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Value")
        .focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Value")
        .type_text("32");
    h.run_steps(1);
    h.get_by_label("Set").click();
    h.run_steps(3);
    settle(&mut h);
    let v = claim_of(h.state(), B, "The 30-plus")
        .value
        .clone()
        .expect("a corrected value");
    assert_eq!((v.low, v.high), (Some(32.0), Some(32.0)));
    assert_eq!(v.unit, "group", "the unit is kept");
    let on_disk = sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), B)).unwrap()).unwrap();
    let a = on_disk
        .data
        .annotations
        .iter()
        .find(|a| a.quote.starts_with("The 30-plus"))
        .unwrap();
    assert_eq!(a.claim().unwrap().value, Some(v));
    let cmp = h.state_mut().ws.comparison().unwrap();
    let cell = cmp.propositions[0].claims.iter().find(|c| &*c.doc == B).unwrap();
    assert_eq!(
        cell.value_from,
        Some(marginalia::model::comparison::ValueFrom::Analyst)
    );
}

#[test]
fn a_date_found_in_the_text_is_offered_saved_and_shown_with_the_source() {
    let dir = corpus();
    let mut h = harness(dir.path());
    assert_eq!(h.state().current.as_deref(), Some(A));
    // The first seed prints "Date : March 12, 2012": offered, not set.
    assert_eq!(h.state().ws.sessions[A].data.meta.published, "");
    h.get_by_label("Published (YYYY-MM-DD): 2012-03-12").click();
    h.run_steps(3);
    settle(&mut h);
    assert_eq!(h.state().ws.sessions[A].data.meta.published, "2012-03-12");
    let on_disk = sidecar::from_str(&std::fs::read_to_string(sidecar(dir.path(), A)).unwrap()).unwrap();
    assert_eq!(on_disk.data.meta.published, "2012-03-12");
    assert_eq!(on_disk.version, (1, 1), "a file with metadata says 1.1");
    // Undone like any edit.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().ws.sessions[A].data.meta.published, "");
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(3);
    open_tab(&mut h);
    let cmp = h.state_mut().ws.comparison().unwrap();
    let cell = cmp.propositions[0].claims.iter().find(|c| &*c.doc == A).unwrap();
    assert_eq!(&*cell.published, "2012-03-12");
    assert_eq!(cell.source(), format!("{A}, 2012-03-12"));
}
