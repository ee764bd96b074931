//! Properties of the agreement measures on random annotations: swapping the
//! annotators changes nothing symmetric, and a copy agrees perfectly with itself.

mod common;

use marginalia::agree::{compare_document, unitizing_alpha};
use marginalia::model::{DocAnnotations, Document, Kind, Span};
use proptest::prelude::*;

const TEXT: &str = "ab cd ef gh ij kl mn op qr st uv wx yz ab cd ef";

fn annotations(doc: &Document, side: &str, raw: &[(usize, usize, bool)]) -> DocAnnotations {
    let n = doc.len_chars();
    DocAnnotations {
        annotations: raw
            .iter()
            .enumerate()
            .map(|(i, &(s, l, x))| {
                let span = Span::new(s % n, (s % n + 1 + l).min(n));
                let label = if x { "X" } else { "Y" };
                common::ann(doc, &format!("{side}{i}"), vec![span], label, Kind::entity())
            })
            .collect(),
        ..DocAnnotations::default()
    }
}

fn raw() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
    prop::collection::vec((0usize..60, 0usize..12, any::<bool>()), 0..8)
}

proptest! {
    #[test]
    fn swapping_annotators_keeps_symmetric_measures(ra in raw(), rb in raw()) {
        let doc = Document::new("t.txt", TEXT);
        let (a, b) = (annotations(&doc, "a", &ra), annotations(&doc, "b", &rb));
        let ab = compare_document(&doc, &a, &b);
        let ba = compare_document(&doc, &b, &a);
        for (label, s) in &ab.spans {
            let t = &ba.spans[label];
            prop_assert_eq!((s.in_a, s.in_b), (t.in_b, t.in_a));
            prop_assert_eq!(s.exact_matches, t.exact_matches, "exact, {}", label);
            prop_assert_eq!(s.overlap_matches, t.overlap_matches, "overlap, {}", label);
            prop_assert_eq!(s.overlap().f1, t.overlap().f1);
        }
        let (k1, k2) = (ab.tokens.kappa(), ba.tokens.kappa());
        prop_assert_eq!(k1.kappa.map(|k| (k * 1e9).round()), k2.kappa.map(|k| (k * 1e9).round()));
        if let Some(k) = k1.kappa {
            prop_assert!(k <= 1.0 + 1e-12);
        }
        let (u1, u2) = (ab.unitizing_alpha(), ba.unitizing_alpha());
        prop_assert!((u1.observed_disagreement - u2.observed_disagreement).abs() < 1e-12);
        prop_assert!((u1.expected_disagreement - u2.expected_disagreement).abs() < 1e-12);
        prop_assert!(u1.observed_disagreement >= 0.0);
        // Every annotation is accounted for exactly once in matches and disagreements.
        for (label, s) in &ab.spans {
            let only_a = ab.disagreements.iter().filter(|d| d.b.is_none() && d.a.as_ref().unwrap().label == *label).count();
            let label_a = ab.disagreements.iter().filter(|d| d.kind == marginalia::agree::DisagreementKind::LabelDiffers && d.a.as_ref().unwrap().label == *label).count();
            prop_assert_eq!(s.overlap_matches + only_a + label_a, s.in_a, "{}", label);
        }
    }

    #[test]
    fn a_copy_agrees_with_itself(ra in raw()) {
        let doc = Document::new("t.txt", TEXT);
        let (a, b) = (annotations(&doc, "a", &ra), annotations(&doc, "b", &ra));
        let c = compare_document(&doc, &a, &b);
        prop_assert!(c.disagreements.is_empty());
        for s in c.spans.values() {
            prop_assert_eq!(s.exact_matches, s.in_a);
        }
        prop_assert_eq!(c.tokens.agreed(), c.tokens.total());
        if let Some(u) = c.unitizing_alpha().alpha {
            prop_assert!((u - 1.0).abs() < 1e-12);
        }
        let units: Vec<Span> = c.units.values().flat_map(|(x, _)| x.clone()).collect();
        if !units.is_empty() {
            prop_assert!(unitizing_alpha(doc.len_chars(), &units, &units).alpha.is_some());
        }
    }
}
