//! Agreement metrics on small documents whose values are worked out by hand
//! in the comments.

mod common;

use marginalia::agree::{
    AgreementReport, Confusion, DisagreementKind, UnitizingAlpha, compare_document, disagreements,
    match_annotations, unitizing_alpha, word_tokens,
};
use marginalia::model::{Annotation, Claim, ClaimType, DocAnnotations, Document, Kind, Stance};

fn close(x: Option<f64>, want: f64) {
    let x = x.expect("a defined value");
    assert!((x - want).abs() < 1e-9, "got {x}, want {want}");
}

fn data(anns: Vec<Annotation>) -> DocAnnotations {
    DocAnnotations {
        annotations: anns,
        ..DocAnnotations::default()
    }
}

fn claim(doc: &Document, id: &str, needle: &str, stance: Stance, claim_type: ClaimType) -> Annotation {
    let kind = Kind::Claim(Box::new(Claim {
        stance,
        claim_type,
        ..Claim::default()
    }));
    common::ann(doc, id, vec![common::find(&doc.text, needle, 0)], "CLAIM", kind)
}

const TEN: &str = "one two three four five six seven eight nine ten";

#[test]
fn tokens_are_words_only() {
    let doc = Document::new("t.txt", "Hillary Clinton, “the Secretary” — 14-month old");
    let words: Vec<&str> = word_tokens(&doc).into_iter().map(|s| doc.slice(s)).collect();
    // UAX #29 keeps "14" and "month" apart at the hyphen; punctuation and spaces are not tokens.
    assert_eq!(
        words,
        ["Hillary", "Clinton", "the", "Secretary", "14", "month", "old"]
    );
}

#[test]
fn high_raw_agreement_with_negative_kappa() {
    // Ten tokens. A tags "one" PERSON, B tags "ten" PERSON; everything else is O.
    //   A: P O O O O O O O O O
    //   B: O O O O O O O O O P
    // Observed agreement po = 8/10 = 0.8 (tokens two..nine).
    // Chance: pA(P) = pB(P) = 0.1, pA(O) = pB(O) = 0.9, so pe = 0.1·0.1 + 0.9·0.9 = 0.82.
    // kappa = (0.8 - 0.82) / (1 - 0.82) = -0.02 / 0.18 = -1/9.
    let doc = Document::new("t.txt", TEN);
    let a = data(vec![common::entity(&doc, "a1", "one", 0, "PERSON")]);
    let b = data(vec![common::entity(&doc, "b1", "ten", 0, "PERSON")]);
    let c = compare_document(&doc, &a, &b);
    let k = c.tokens.kappa();
    assert_eq!(k.units, 10);
    close(k.observed, 0.8);
    close(k.expected, 0.82);
    close(k.kappa, -1.0 / 9.0);
    // No span matches at all: F1 is 0 both ways.
    let s = &c.spans["PERSON"];
    assert_eq!((s.in_a, s.in_b, s.exact_matches, s.overlap_matches), (1, 1, 0, 0));
    close(s.exact().f1, 0.0);
    close(s.overlap().f1, 0.0);
    let kinds: Vec<_> = c.disagreements.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [DisagreementKind::OnlyA, DisagreementKind::OnlyB]);
    assert_eq!(c.disagreements[0].a.as_ref().unwrap().quote, "one");
    assert_eq!(c.disagreements[1].b.as_ref().unwrap().quote, "ten");
}

#[test]
fn perfect_agreement() {
    // Same annotations on both sides, different ids (two people never share ids).
    // Tokens: one=PERSON, three four=ORG, the rest O (the claim is not an entity).
    // po = 1, pe = 0.1² + 0.2² + 0.7² = 0.54, kappa = (1 - 0.54) / (1 - 0.54) = 1.
    let doc = Document::new("t.txt", TEN);
    let build = |p: &str| {
        data(vec![
            common::entity(&doc, &format!("{p}1"), "one", 0, "PERSON"),
            common::entity(&doc, &format!("{p}2"), "three four", 0, "ORG"),
            claim(
                &doc,
                &format!("{p}3"),
                "five six seven",
                Stance::Denies,
                ClaimType::Opinion,
            ),
        ])
    };
    let (a, b) = (build("a"), build("b"));
    let c = compare_document(&doc, &a, &b);
    let k = c.tokens.kappa();
    close(k.expected, 0.54);
    close(k.kappa, 1.0);
    close(c.code_points.nominal_alpha().alpha, 1.0);
    for (label, s) in &c.spans {
        close(s.exact().f1, 1.0);
        close(s.overlap().f1, 1.0);
        assert_eq!(s.exact_matches, 1, "{label}");
    }
    assert_eq!(c.stance.total(), 1);
    close(c.stance.kappa().observed, 1.0);
    assert!(c.disagreements.is_empty(), "{:#?}", c.disagreements);
    assert!(disagreements(&doc, &a, &b).is_empty());
}

#[test]
fn overlap_matching_forgives_boundaries_exact_does_not() {
    // A: PERSON "Hillary Clinton", MISC "Secretary of State".
    // B: PERSON "Clinton" (shorter), ORG "Secretary of State" (other label), PLACE "State" (extra).
    // Exact: no pair has the same spans and label -> 0 matches.
    // Overlap: PERSON/PERSON overlap on "Clinton" -> 1 match. MISC/ORG have different labels.
    // Overall: A = 2, B = 3.
    //   exact:   P = 0/3, R = 0/2, F1 = 0
    //   overlap: P = 1/3, R = 1/2, F1 = 2·1/(2+3) = 0.4
    let doc = Document::new("t.txt", "said Hillary Clinton, the Secretary of State, on Monday");
    let a = data(vec![
        common::entity(&doc, "a1", "Hillary Clinton", 0, "PERSON"),
        common::entity(&doc, "a2", "Secretary of State", 0, "MISC"),
    ]);
    let b = data(vec![
        common::entity(&doc, "b1", "Clinton", 0, "PERSON"),
        common::entity(&doc, "b2", "Secretary of State", 0, "ORG"),
        common::entity(&doc, "b3", "State", 0, "PLACE"),
    ]);
    let c = compare_document(&doc, &a, &b);
    let (mut in_a, mut in_b, mut exact, mut overlap) = (0, 0, 0, 0);
    for s in c.spans.values() {
        in_a += s.in_a;
        in_b += s.in_b;
        exact += s.exact_matches;
        overlap += s.overlap_matches;
    }
    assert_eq!((in_a, in_b, exact, overlap), (2, 3, 0, 1));
    let person = &c.spans["PERSON"];
    close(person.exact().f1, 0.0);
    close(person.overlap().precision, 1.0);
    close(person.overlap().recall, 1.0);
    close(person.overlap().f1, 1.0);
    close(c.spans["ORG"].overlap().precision, 0.0);
    assert_eq!(
        c.spans["ORG"].overlap().recall,
        None,
        "A has no ORG: recall is 0/0"
    );

    let d = &c.disagreements;
    let kinds: Vec<_> = d.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        [
            DisagreementKind::BoundaryDiffers,
            DisagreementKind::LabelDiffers,
            DisagreementKind::OnlyB
        ]
    );
    assert_eq!(d[0].a.as_ref().unwrap().quote, "Hillary Clinton");
    assert_eq!(d[0].b.as_ref().unwrap().quote, "Clinton");
    assert_eq!(d[1].a.as_ref().unwrap().label, "MISC");
    assert_eq!(d[1].b.as_ref().unwrap().label, "ORG");
    assert_eq!(d[1].a.as_ref().unwrap().spans, d[1].b.as_ref().unwrap().spans);
    assert_eq!(d[2].b.as_ref().unwrap().quote, "State");
    // Offsets are code points: "said " is 5 long.
    assert_eq!(d[0].a.as_ref().unwrap().spans[0].start, 5);
    assert_eq!(d[0].b.as_ref().unwrap().spans[0].start, 13);
}

#[test]
fn overlap_matching_is_one_to_one_and_prefers_the_larger_overlap() {
    // A: one PERSON over "Hillary Rodham Clinton" (22 code points).
    // B: "Hillary" (7 shared) and "Rodham Clinton" (14 shared), both PERSON.
    // Greedy by shared code points pairs A with "Rodham Clinton"; "Hillary" stays only in B.
    // Overlap: A = 1, B = 2, matched 1 -> P = 1/2, R = 1, F1 = 2/3.
    let doc = Document::new("t.txt", "Hillary Rodham Clinton spoke");
    let a = vec![common::entity(&doc, "a1", "Hillary Rodham Clinton", 0, "PERSON")];
    let b = vec![
        common::entity(&doc, "b1", "Hillary", 0, "PERSON"),
        common::entity(&doc, "b2", "Rodham Clinton", 0, "PERSON"),
    ];
    let m = match_annotations(&a, &b);
    assert_eq!(m.boundary, [(0, 1)]);
    assert_eq!(m.only_b, [0]);
    let c = compare_document(&doc, &data(a), &data(b));
    let s = &c.spans["PERSON"];
    close(s.overlap().precision, 0.5);
    close(s.overlap().recall, 1.0);
    close(s.overlap().f1, 2.0 / 3.0);
}

#[test]
fn innermost_entity_labels_the_token() {
    // A nests PLACE "Korea" inside ORG "Bank of Korea"; B has only the ORG.
    // Tokens: Bank of Korea opened -> A: ORG ORG PLACE O, B: ORG ORG ORG O.
    let doc = Document::new("t.txt", "Bank of Korea opened");
    let a = data(vec![
        common::entity(&doc, "a1", "Bank of Korea", 0, "ORG"),
        common::entity(&doc, "a2", "Korea", 0, "PLACE"),
    ]);
    let b = data(vec![common::entity(&doc, "b1", "Bank of Korea", 0, "ORG")]);
    let c = compare_document(&doc, &a, &b);
    assert_eq!(c.tokens.get("ORG", "ORG"), 2);
    assert_eq!(c.tokens.get("PLACE", "ORG"), 1);
    assert_eq!(c.tokens.get("O", "O"), 1);
    assert_eq!(c.tokens.total(), 4);
}

#[test]
fn published_nominal_alpha_example() {
    // Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), binary data, two observers:
    //   A: 0 1 0 0 0 0 0 0 1 0
    //   B: 1 1 1 0 0 1 0 0 0 0
    // Pairs: (0,0)×5, (0,1)×3, (1,0)×1, (1,1)×1.
    // Coincidences: o00 = 10, o11 = 2, o01 = o10 = 4; n = 20, n0 = 14, n1 = 6.
    // alpha = 1 - (n-1)·(o01+o10) / (2·n0·n1) = 1 - 19·8/168 = 0.0952 (published: 0.095).
    let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    let mut c = Confusion::new();
    for (x, y) in a.iter().zip(&b) {
        c.add(&x.to_string(), &y.to_string(), 1);
    }
    let alpha = c.nominal_alpha();
    close(alpha.alpha, 1.0 - 152.0 / 168.0);
    assert_eq!(format!("{:.3}", alpha.alpha.unwrap()), "0.095");
    // Do = 8/20, De = 168/(20·19).
    close(alpha.observed_disagreement, 0.4);
    close(alpha.expected_disagreement, 168.0 / 380.0);
}

#[test]
fn code_point_alpha_on_shifted_spans() {
    // Ten code points "abcdefghij". A: PERSON on 0..4, B: PERSON on 2..6.
    //   A: P P P P O O O O O O
    //   B: O O P P P P O O O O
    // Pairs: (P,O)×2, (P,P)×2, (O,P)×2, (O,O)×4.
    // Coincidences: oPP = 4, oOO = 8, oPO = oOP = 4; n = 20, nP = 8, nO = 12.
    // alpha = 1 - 19·8 / (2·8·12) = 1 - 152/192 = 0.208333…
    // Cohen's kappa on the same code points would be (0.6 - 0.52)/0.48 = 0.1667: the two differ.
    let doc = Document::new("t.txt", "abcdefghij");
    let span = |s, e| marginalia::model::Span::new(s, e);
    let a = data(vec![common::ann(
        &doc,
        "a",
        vec![span(0, 4)],
        "PERSON",
        Kind::entity(),
    )]);
    let b = data(vec![common::ann(
        &doc,
        "b",
        vec![span(2, 6)],
        "PERSON",
        Kind::entity(),
    )]);
    let c = compare_document(&doc, &a, &b);
    assert_eq!(c.code_points.total(), 10);
    close(c.code_points.nominal_alpha().alpha, 1.0 - 152.0 / 192.0);
    close(c.code_points.kappa().kappa, 0.08 / 0.48);
    // Per label the coding is in/out of PERSON: the same table here.
    close(
        c.code_points_per_label["PERSON"].nominal_alpha().alpha,
        1.0 - 152.0 / 192.0,
    );
    // The whole text is one token, PERSON for both: one label only, so kappa is undefined.
    let k = c.tokens.kappa();
    assert_eq!(k.units, 1);
    assert_eq!(k.kappa, None);
}

#[test]
fn claims_compare_stance_and_type() {
    // Two claims each. c1 has the same span on both sides; c2 overlaps ("eight nine" vs "nine ten").
    //   stance: (asserts, asserts), (denies, denies)  -> 100 % agreement;
    //           pA = pB = {asserts .5, denies .5}, pe = .5, kappa = (1 - .5)/(1 - .5) = 1.
    //   type:   (fact, opinion), (opinion, opinion)    -> 50 % agreement;
    //           pA = {fact .5, opinion .5}, pB = {opinion 1}, pe = .5·1 = .5, kappa = 0.
    let doc = Document::new("t.txt", TEN);
    let a = data(vec![
        claim(&doc, "a1", "five six", Stance::Asserts, ClaimType::Fact),
        claim(&doc, "a2", "eight nine", Stance::Denies, ClaimType::Opinion),
    ]);
    let b = data(vec![
        claim(&doc, "b1", "five six", Stance::Asserts, ClaimType::Opinion),
        claim(&doc, "b2", "nine ten", Stance::Denies, ClaimType::Opinion),
    ]);
    let c = compare_document(&doc, &a, &b);
    assert_eq!(c.stance.total(), 2);
    close(c.stance.kappa().observed, 1.0);
    close(c.stance.kappa().kappa, 1.0);
    close(c.claim_type.kappa().observed, 0.5);
    close(c.claim_type.kappa().expected, 0.5);
    close(c.claim_type.kappa().kappa, 0.0);
    let kinds: Vec<_> = c.disagreements.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [DisagreementKind::ClaimDiffers, DisagreementKind::BoundaryDiffers]
    );
    let first = &c.disagreements[0];
    assert_eq!(first.a.as_ref().unwrap().claim_type, Some(ClaimType::Fact));
    assert_eq!(first.b.as_ref().unwrap().claim_type, Some(ClaimType::Opinion));
    // Claims are spans with a label too.
    assert_eq!(c.spans["CLAIM"].exact_matches, 1);
    assert_eq!(c.spans["CLAIM"].overlap_matches, 2);
}

#[test]
fn orphaned_annotations_are_left_out() {
    let doc = Document::new("t.txt", TEN);
    let mut lost = common::entity(&doc, "a2", "two", 0, "PERSON");
    lost.orphaned = true;
    let a = data(vec![common::entity(&doc, "a1", "one", 0, "PERSON"), lost]);
    let b = data(vec![common::entity(&doc, "b1", "one", 0, "PERSON")]);
    let c = compare_document(&doc, &a, &b);
    assert_eq!(c.spans["PERSON"].in_a, 1);
    assert!(c.disagreements.is_empty());
}

fn spans(v: &[(usize, usize)]) -> Vec<marginalia::model::Span> {
    v.iter()
        .map(|&(s, e)| marginalia::model::Span::new(s, e))
        .collect()
}

#[test]
fn unitizing_alpha_small_case_by_hand() {
    // Continuum of 10 code points. A marks one unit 1..9; B marks three short units.
    //   A: -11111111-
    //   B: --1-1-1---
    // Observed: each B unit overlaps A's unit; δ² = Δstart² + Δend²:
    //   (1..9, 2..3) = 1 + 36 = 37, (1..9, 4..5) = 9 + 16 = 25, (1..9, 6..7) = 25 + 4 = 29.
    //   uDo = 91 / L² = 91 / 100 = 0.91.
    // Expected: units l = 8, 1, 1, 1 (N = 4); gaps of A: 1, 1; of B: 2, 1, 1, 3.
    //   l = 8: (N-1)/3·(2·512 - 3·64 + 8) = 1·840 = 840; no gap is ≥ 8.
    //   l = 1: (2 - 3 + 1) = 0; every gap is ≥ 1: Σ(l_h - 1 + 1) = 9; ×1² = 9, three times = 27.
    //   numerator (2/L)·867 = 173.4; denominator mL(mL-1) - Σ l(l-1) = 20·19 - 56 = 324.
    //   uDe = 173.4 / 324 = 0.535185…
    // αu = 1 - 0.91 / 0.535185… = -0.700346…
    let u = unitizing_alpha(10, &spans(&[(1, 9)]), &spans(&[(2, 3), (4, 5), (6, 7)]));
    assert!((u.observed_disagreement - 0.91).abs() < 1e-12);
    assert!((u.expected_disagreement - 173.4 / 324.0).abs() < 1e-12);
    close(u.alpha, 1.0 - 0.91 / (173.4 / 324.0));

    // The same through annotations on a document: the label's units are its spans.
    let doc = Document::new("t.txt", "abcdefghij");
    let a = data(vec![common::ann(
        &doc,
        "a",
        spans(&[(1, 9)]),
        "PERSON",
        Kind::entity(),
    )]);
    let b = data(
        [(2, 3), (4, 5), (6, 7)]
            .iter()
            .enumerate()
            .map(|(i, &(s, e))| {
                common::ann(&doc, &format!("b{i}"), spans(&[(s, e)]), "PERSON", Kind::entity())
            })
            .collect(),
    );
    let c = compare_document(&doc, &a, &b);
    close(
        c.unitizing_alpha_per_label()["PERSON"].alpha,
        1.0 - 0.91 / (173.4 / 324.0),
    );
    close(c.unitizing_alpha().alpha, 1.0 - 0.91 / (173.4 / 324.0));
}

#[test]
fn unitizing_alpha_reproduces_krippendorff_2004() {
    // Krippendorff, Content Analysis (2nd ed., 2004), the αu example: a continuum 150..450,
    // two observers, categories c and k. Shifted here to start at 0 (L = 300).
    //   c, observer i: 225+70, 370+30          observer j: 220+80, 355+20, 400+20
    //   k, both:       180+60, 300+50
    // Published: uDo_c = .0144, uDe_c = .0532, αu_c = .7286; αu_k = 1; αu = .8591.
    // Worked: uDo_c = (5² + 5² + 15² + 25² + 20²) / 300² = 1300 / 90000 = .014444;
    //         uDe_c = (2/300)·2 767 160 / (600·599 - 12 780) = .053222.
    // The book's .8591 comes from the rounded .0144/(.0532 + .0490); unrounded it is .85867.
    let shift =
        |v: &[(usize, usize)]| spans(&v.iter().map(|&(s, l)| (s - 150, s - 150 + l)).collect::<Vec<_>>());
    let c = unitizing_alpha(
        300,
        &shift(&[(225, 70), (370, 30)]),
        &shift(&[(220, 80), (355, 20), (400, 20)]),
    );
    let k = unitizing_alpha(
        300,
        &shift(&[(180, 60), (300, 50)]),
        &shift(&[(180, 60), (300, 50)]),
    );
    assert!((c.observed_disagreement - 0.0144).abs() < 0.0001, "{c:?}");
    assert!((c.observed_disagreement - 1300.0 / 90000.0).abs() < 1e-12);
    assert!((c.expected_disagreement - 0.0532).abs() < 0.0001, "{c:?}");
    assert!((c.alpha.unwrap() - 0.7286).abs() < 0.0001, "{c:?}");
    assert_eq!(k.observed_disagreement, 0.0);
    assert!((k.expected_disagreement - 0.0490).abs() < 0.0001, "{k:?}");
    close(k.alpha, 1.0);
    let overall = UnitizingAlpha::pooled([&c, &k]);
    assert!((overall.alpha.unwrap() - 0.8591).abs() < 0.0005, "{overall:?}");
}

#[test]
fn unitizing_alpha_edge_cases() {
    // Nobody marked anything: no expected disagreement, αu undefined.
    assert_eq!(unitizing_alpha(50, &[], &[]).alpha, None);
    // Identical units: perfect agreement.
    close(
        unitizing_alpha(50, &spans(&[(3, 9), (20, 30)]), &spans(&[(3, 9), (20, 30)])).alpha,
        1.0,
    );
    // Touching units stay two units: A's 0..2 + 2..4 is not B's single 0..4.
    let split = unitizing_alpha(20, &spans(&[(0, 2), (2, 4)]), &spans(&[(0, 4)]));
    assert!(split.observed_disagreement > 0.0);
    // Overlapping units of one coder are merged: A's 0..3 + 2..4 is B's 0..4.
    let merged = unitizing_alpha(20, &spans(&[(0, 3), (2, 4)]), &spans(&[(0, 4)]));
    assert_eq!(merged.observed_disagreement, 0.0);
}

#[test]
fn documents_join_into_one_continuum() {
    // Two documents of 10 code points each; the second one's units are shifted by 10.
    let d1 = Document::new("1.txt", "abcdefghij");
    let d2 = Document::new("2.txt", "klmnopqrst");
    let one = |doc: &Document, id: &str, s, e| {
        data(vec![common::ann(
            doc,
            id,
            spans(&[(s, e)]),
            "PERSON",
            Kind::entity(),
        )])
    };
    let c1 = compare_document(&d1, &one(&d1, "a", 1, 9), &one(&d1, "b", 2, 9));
    let c2 = compare_document(&d2, &one(&d2, "a", 0, 5), &one(&d2, "b", 0, 4));
    let r = AgreementReport::from_documents(
        "A".into(),
        "B".into(),
        vec![("1.txt".into(), c1), ("2.txt".into(), c2)],
        vec![],
    );
    assert_eq!(r.unitizing_alpha.continuum_length, 20);
    let want = unitizing_alpha(20, &spans(&[(1, 9), (10, 15)]), &spans(&[(2, 9), (10, 14)]));
    assert_eq!(r.unitizing_alpha.per_label["PERSON"], want);
    assert_eq!(r.unitizing_alpha.overall, UnitizingAlpha::pooled([&want]));
    assert_eq!(r.documents.len(), 2);
}
