//! Two analysts' copies of the corpus compared side by side in the workbench.

mod ui_common;

use egui_kittest::kittest::Queryable;
use marginalia::model::Kind;
use ui_common::*;

#[test]
fn compare_a_document_with_another_copy() {
    let a = seeds_copy();
    let b = seeds_copy();
    annotate(
        a.path(),
        CLINTON_DOC,
        &[
            ("Hillary Clinton", "PERSON", Kind::entity()),
            ("China", "PLACE", Kind::entity()),
        ],
    );
    annotate(
        b.path(),
        CLINTON_DOC,
        &[
            ("Hillary Clinton", "ORG", Kind::entity()),
            ("North Korea", "PLACE", Kind::entity()),
        ],
    );
    let mut h = harness(a.path());
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Compare with another copy…").click();
    h.run_steps(2);
    h.get_by_label("Other copy").focus();
    h.run_steps(1);
    h.get_by_label("Other copy")
        .type_text(&b.path().display().to_string());
    h.run_steps(1);
    h.get_by_label("Compare").click();
    h.run_steps(3);
    let cmp = h.state().compare.as_ref().expect("comparison open");
    let kinds: Vec<&str> = cmp.disagreements.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.contains(&"label differs"));
    assert!(kinds.contains(&"only in A"));
    assert!(kinds.contains(&"only in B"));
    assert!(h.query_by_label_contains("label differs at").is_some());
    assert!(
        h.query_by_label_contains("A PERSON “Hillary Clinton” · B ORG “Hillary Clinton”")
            .is_some()
    );
    // Picking one scrolls both sides to it.
    h.get_by_label_contains("label differs at").click();
    h.run_steps(2);
    assert_eq!(
        h.state().compare.as_ref().unwrap().current,
        Some(kinds.iter().position(|k| *k == "label differs").unwrap())
    );
}
