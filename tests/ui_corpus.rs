//! Corpus-wide work through the real workbench: renaming a canonical id
//! everywhere, propagating an annotation with a false hit unticked, and the
//! claims board grouped by proposition.

mod ui_common;

use std::path::Path;

use egui_kittest::kittest::Queryable;
use marginalia::model::{Claim, DocAnnotations, Kind};
use marginalia::store::{corpus, sidecar};
use ui_common::*;

fn disk(dir: &Path, rel: &str) -> DocAnnotations {
    sidecar::from_str(&std::fs::read_to_string(sidecar(dir, rel)).unwrap())
        .unwrap()
        .data
}

const DOCS: [&str; 3] = [
    "000_13d38fe2f37237c1.txt",
    "001_ae94bf7b73027a13.txt",
    "002_785b35f39feb0ae3.txt",
];

#[test]
fn rename_a_canonical_id_across_the_corpus_and_undo_it() {
    let dir = seeds_copy();
    let canon = || Kind::Entity {
        canonical: Some("dprk".into()),
    };
    for rel in DOCS {
        annotate(
            dir.path(),
            rel,
            &[
                ("North Korea", "PLACE", canon()),
                ("China", "PLACE", Kind::entity()),
            ],
        );
    }
    let mut h = harness(dir.path());
    h.get_by_label("Entities").click();
    h.run_steps(3);
    h.get_by_label_contains("dprk “North Korea”  (PLACE)  — 3 mentions in 3 documents")
        .click();
    h.run_steps(2);
    h.get_by_label("Rename canonical id…").click();
    h.run_steps(2);
    h.get_by_label("New canonical id").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("New canonical id").type_text("Q423");
    h.run_steps(1);
    h.get_by_label("Apply").click();
    h.run_steps(3);
    assert!(
        h.state()
            .notice
            .as_deref()
            .unwrap()
            .contains("Changed 3 mentions in 3 files")
    );
    settle(&mut h);
    for rel in DOCS {
        let d = disk(dir.path(), rel);
        let nk = d.annotations.iter().find(|a| a.quote == "North Korea").unwrap();
        assert_eq!(nk.canonical(), Some("Q423"), "{rel}");
        // The other mention in the same file is untouched.
        assert_eq!(
            d.annotations
                .iter()
                .find(|a| a.quote == "China")
                .unwrap()
                .canonical(),
            None
        );
    }
    // One step undoes it everywhere.
    h.get_by_label("Edit").click();
    h.run_steps(2);
    h.get_by_label_contains("Undo set canonical id Q423").click();
    h.run_steps(3);
    settle(&mut h);
    for rel in DOCS {
        let d = disk(dir.path(), rel);
        assert_eq!(
            d.annotations
                .iter()
                .find(|a| a.quote == "North Korea")
                .unwrap()
                .canonical(),
            Some("dprk")
        );
    }
}

#[test]
fn propagate_to_the_corpus_with_one_false_hit_unticked() {
    let dir = seeds_copy();
    annotate(dir.path(), DOCS[0], &[("China", "PLACE", Kind::entity())]);
    let mut h = harness(dir.path());
    // Select the existing annotation (Tab), then propagate it.
    h.key_press(egui::Key::Tab);
    h.run_steps(2);
    h.get_by_label("Annotate all occurrences in the corpus…").click();
    h.run_steps(3);
    let p = h.state().propagation.clone().expect("preview open");
    assert_eq!(p.text, "China");
    assert_eq!(p.label, "PLACE");
    let total = p.rows.len();
    let already = p.rows.iter().filter(|r| r.already).count();
    assert_eq!(already, 1);
    assert!(total > 5, "China occurs across the seeds");
    // Untick the first match that is not yet annotated.
    let first_new = p.rows.iter().position(|r| !r.already).unwrap();
    let unticked = p.rows[first_new].clone();
    h.get_by_label(&format!("Keep match {}", first_new + 1)).click();
    h.run_steps(2);
    let n = total - already - 1;
    h.get_by_label(&format!("Annotate {n} occurrences")).click();
    h.run_steps(3);
    settle(&mut h);
    let mut added = 0;
    for e in corpus::scan(dir.path()).unwrap() {
        let side = sidecar(dir.path(), &e.rel);
        if !side.exists() {
            continue;
        }
        let d = disk(dir.path(), &e.rel);
        for a in d
            .annotations
            .iter()
            .filter(|a| a.quote.eq_ignore_ascii_case("China"))
        {
            assert_eq!(a.label, "PLACE");
            assert!(
                !(e.rel == unticked.doc && a.spans.as_slice() == [unticked.span]),
                "the unticked match was annotated"
            );
            added += 1;
        }
    }
    assert_eq!(added, n + already);
    // One corpus-wide undo removes them all.
    h.state_mut().run(marginalia::ui::command::Command::Undo);
    settle(&mut h);
    let count: usize = corpus::scan(dir.path())
        .unwrap()
        .iter()
        .filter(|e| sidecar(dir.path(), &e.rel).exists())
        .map(|e| disk(dir.path(), &e.rel).annotations.len())
        .sum();
    assert_eq!(count, 1);
}

#[test]
fn claims_board_groups_claims_by_proposition() {
    let dir = seeds_copy();
    let claim = |p: &str| {
        Kind::Claim(Box::new(Claim {
            proposition: Some(p.into()),
            ..Default::default()
        }))
    };
    annotate(
        dir.path(),
        DOCS[0],
        &[(
            "at least 50 North Korean refugees",
            "CLAIM",
            claim("repatriated-count"),
        )],
    );
    annotate(
        dir.path(),
        DOCS[1],
        &[("31", "CLAIM", claim("repatriated-count"))],
    );
    annotate(
        dir.path(),
        DOCS[2],
        &[("China", "CLAIM", claim("china-position"))],
    );
    let mut h = harness(dir.path());
    h.get_by_label("Claims").click();
    h.run_steps(3);
    assert!(h.query_by_label("3 claims").is_some());
    h.get_by_label("Group by proposition").click();
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("repatriated-count — 2 claims from 2 sources")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("china-position — 1 claim from 1 source")
            .is_some()
    );
    // Clicking a claim in a group opens its document at it.
    h.get_by_label("31").click();
    h.run_steps(3);
    assert_eq!(h.state().current.as_deref(), Some(DOCS[1]));
    h.get_by_label("Claims").click();
    h.run_steps(3);
    // Back to the flat table: clicking a claim opens its document at it.
    h.get_by_label("Group by proposition").click();
    h.run_steps(3);
    // The link on the board, not the inspector's value of the claim now selected.
    h.get_by_role_and_label(egui::accesskit::Role::Link, "31").click();
    h.run_steps(3);
    assert_eq!(h.state().current.as_deref(), Some(DOCS[1]));
    assert_eq!(h.state().view().unwrap().selected.as_deref(), Some("fixture0"));
}

#[test]
fn canonical_ids_of_other_documents_are_offered_and_follow_edits() {
    let dir = seeds_copy();
    annotate(
        dir.path(),
        DOCS[1],
        &[(
            "North Korea",
            "PLACE",
            Kind::Entity {
                canonical: Some("Q423".into()),
            },
        )],
    );
    annotate(dir.path(), DOCS[0], &[("China", "PLACE", Kind::entity())]);
    let mut h = harness(dir.path());
    // The other document's canonical id arrives with the background read.
    settle(&mut h);
    let china = h.state().session().unwrap().data.annotations[0].id.clone();
    h.state_mut().view_mut().unwrap().selected = Some(china);
    h.run_steps(2);
    h.get_by_label("Canonical id").focus();
    h.run_steps(1);
    h.get_by_label("Canonical id").type_text("q4");
    h.run_steps(2);
    h.get_by_label("↳ Q423").click();
    h.run_steps(2);
    assert_eq!(
        h.state().session().unwrap().data.annotations[0].canonical(),
        Some("Q423")
    );
    // An id set here joins the list at once, and leaves it when undone.
    h.state_mut().view_mut().unwrap().selected = None;
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().unwrap().data.annotations[0].canonical(), None);
    assert_eq!(h.state_mut().ws.vocab().canonicals, vec!["Q423".to_owned()]);
    let place = h.state().session().unwrap().data.annotations[0].id.clone();
    h.state_mut().view_mut().unwrap().selected = Some(place);
    h.run_steps(2);
    h.get_by_label("Canonical id").focus();
    h.run_steps(1);
    h.get_by_label("Canonical id").type_text("Q1000");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(
        h.state_mut().ws.vocab().canonicals,
        vec!["Q1000".to_owned(), "Q423".to_owned()]
    );
}

/// One history: a proposition set on the claims board is an ordinary step, so
/// Ctrl+Z back in the reader takes it off, and Ctrl+Y puts it back.
#[test]
fn a_proposition_set_on_the_board_is_undone_by_ctrl_z_in_the_reader() {
    let dir = seeds_copy();
    let claim = Kind::Claim(Box::default());
    annotate(
        dir.path(),
        DOCS[0],
        &[("at least 50 North Korean refugees", "CLAIM", claim)],
    );
    let mut h = harness(dir.path());
    // What the board's proposition field does on commit.
    h.state_mut()
        .run(marginalia::ui::command::Command::SetProposition {
            doc: DOCS[0].to_owned(),
            id: "fixture0".into(),
            key: Some("detained-count".into()),
        });
    h.run_steps(2);
    let proposition =
        |h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>| match &h.state().ws.sessions[DOCS[0]]
            .data
            .get("fixture0")
            .unwrap()
            .kind
        {
            Kind::Claim(c) => c.proposition.clone(),
            _ => None,
        };
    assert_eq!(proposition(&h).as_deref(), Some("detained-count"));
    h.get_by_label("Reader").click();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(
        proposition(&h),
        None,
        "Ctrl+Z in the reader did not undo the board's step"
    );
    settle(&mut h);
    let Kind::Claim(c) = &disk(dir.path(), DOCS[0]).annotations[0].kind else {
        panic!("a claim")
    };
    assert_eq!(c.proposition, None);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run_steps(2);
    assert_eq!(proposition(&h).as_deref(), Some("detained-count"));
}
