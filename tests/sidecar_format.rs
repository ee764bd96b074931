//! The sidecar format: round trips, determinism, versioning, unknown fields,
//! and the code-point offsets everything is stored in.

mod common;
mod sidecar_support;

use marginalia::model::offsets::{CharIndex, byte_to_cp, cp_to_byte};
use marginalia::model::{DocAnnotations, Document, Relation, Span, Status, Target};
use marginalia::store::corpus;
use marginalia::store::sidecar;
use proptest::prelude::*;
use sidecar_support::{sidecar_value, text};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn model_to_ron_to_model_is_identity(sc in sidecar_value()) {
        let ron = sidecar::to_string(&sc);
        let back = sidecar::from_str(&ron).map_err(|e| TestCaseError::fail(format!("{e}\n{ron}")))?;
        prop_assert_eq!(&back, &sc);
        // Saving what was read gives the same bytes.
        prop_assert_eq!(sidecar::to_string(&back), ron);
    }

    /// Control characters (C0, DEL and C1) in any text are written as escapes,
    /// so a sidecar stays plain text that diffs and displays cleanly.
    #[test]
    fn written_sidecars_hold_no_raw_control_characters(sc in sidecar_value()) {
        let text = sidecar::to_string(&sc);
        let raw = text.chars().find(|c| c.is_control() && *c != '\n');
        prop_assert!(raw.is_none(), "raw {:?} in the written sidecar", raw);
    }

    #[test]
    fn annotation_order_does_not_change_the_bytes(sc in sidecar_value()) {
        let mut shuffled = sc.clone();
        shuffled.data.annotations.reverse();
        shuffled.data.relations.reverse();
        prop_assert_eq!(sidecar::to_string(&shuffled), sidecar::to_string(&sc));
    }

    #[test]
    fn char_index_agrees_with_naive_conversions(t in text(400)) {
        let idx = CharIndex::new(&t);
        let n = t.chars().count();
        prop_assert_eq!(idx.len_chars(), n);
        for cp in 0..=n + 2 {
            prop_assert_eq!(idx.cp_to_byte(&t, cp), cp_to_byte(&t, cp), "cp {}", cp);
        }
        for b in 0..=t.len() + 2 {
            prop_assert_eq!(idx.byte_to_cp(&t, b), byte_to_cp(&t, b), "byte {}", b);
        }
    }

    #[test]
    fn a_slice_in_context_is_the_three_slices(
        t in text(200),
        start in 0usize..220,
        len in 0usize..60,
        chars in 0usize..40,
        backwards in any::<bool>(),
    ) {
        let doc = Document::new("t.txt", t.clone());
        // Spans past the end and backwards ones come from damaged files.
        let span = if backwards { Span { start: start + len, end: start } } else { Span { start, end: start + len } };
        let before = Span::new(span.start.saturating_sub(chars), span.start);
        let after = Span::new(span.end, span.end.saturating_add(chars).min(doc.len_chars()));
        prop_assert_eq!(
            doc.slice_in_context(span, chars),
            (doc.slice(before), doc.slice(span), doc.slice(after))
        );
    }

    #[test]
    fn conversions_are_inverse_on_char_boundaries(t in text(150)) {
        for (cp, (byte, _)) in t.char_indices().enumerate() {
            prop_assert_eq!(cp_to_byte(&t, cp), Some(byte));
            prop_assert_eq!(byte_to_cp(&t, byte), Some(cp));
        }
        prop_assert_eq!(cp_to_byte(&t, t.chars().count()), Some(t.len()));
    }
}

#[test]
fn seeds_offsets_count_code_points() {
    for name in common::seed_names() {
        let t = common::seed(&name);
        let idx = CharIndex::new(&t);
        assert_eq!(idx.len_chars(), t.chars().count(), "{name}");
        assert!(idx.len_chars() < t.len(), "{name} has non-ASCII punctuation");
        for (cp, (byte, _)) in t.char_indices().enumerate() {
            assert_eq!(idx.cp_to_byte(&t, cp), Some(byte), "{name} cp {cp}");
            assert_eq!(idx.byte_to_cp(&t, byte), Some(cp), "{name} byte {byte}");
        }
        // Inside a multi-byte character there is no code point.
        if let Some((b, c)) = t.char_indices().find(|(_, c)| c.len_utf8() > 1) {
            assert_eq!(idx.byte_to_cp(&t, b + 1), None, "{name}: inside {c:?}");
        }
    }
}

#[test]
fn curly_quotes_and_dashes_in_seeds_slice_by_code_points() {
    let t = common::seed(common::CLINTON);
    let doc = Document::new(common::CLINTON, t.clone());
    let span = common::find(&t, "“#savemyfriend”", 0);
    assert_eq!(span.len(), 15);
    assert_eq!(doc.slice(span), "“#savemyfriend”");
    // Python would say: text.index("“#savemyfriend”") on the same text.
    let py_index = t
        .chars()
        .collect::<Vec<_>>()
        .windows(15)
        .position(|w| w.iter().collect::<String>() == "“#savemyfriend”");
    assert_eq!(Some(span.start), py_index);
    let t1 = common::seed("001_ae94bf7b73027a13.txt");
    let dash = common::find(&t1, "–", 0);
    assert_eq!(Document::new("x", t1.clone()).slice(dash), "–");
    assert_eq!(
        cp_to_byte(&t1, dash.end).unwrap() - cp_to_byte(&t1, dash.start).unwrap(),
        3
    );
}

/// A sidecar written by a hypothetical Marginalia 1.4, with fields this build does not know.
const NEWER_MINOR: &str = r##"// written by a newer minor version
(
    format: "marginalia",
    version: "1.4",
    source: "a.txt",
    source_hash: "HASH",
    status: InProgress,
    annotations: [
        (
            id: "e1",
            spans: [(start: 0, end: 5)],
            quote: "Hello",
            prefix: "",
            suffix: " world",
            label: "PERSON",
            kind: Entity(canonical: None),
            attributes: {},
            note: "",
            annotator: "ana",
            created: "2026-01-01T00:00:00Z",
            modified: "2026-01-01T00:00:00Z",
            confidence: Some(0.75),
            review: (by: "bo", at: "2026-02-02", comments: ["ok, fine", "a \"quoted\" (paren"]),
        ),
    ],
    relations: [],
    reviewed_by: [
        "bo",
        "cy",
    ],
    layout: Layout(columns: 2, raw: r#"x"y"#),
)
"##;

#[test]
fn unknown_fields_of_a_newer_minor_are_kept_byte_for_byte() {
    let sc = sidecar::from_str(NEWER_MINOR).unwrap();
    assert_eq!(sc.version, (1, 4));
    let a = &sc.data.annotations[0];
    assert_eq!(a.extra["confidence"], "Some(0.75)");
    assert_eq!(
        a.extra["review"],
        r#"(by: "bo", at: "2026-02-02", comments: ["ok, fine", "a \"quoted\" (paren"])"#
    );
    let out = sidecar::to_string(&sc);
    assert!(out.contains("    version: \"1.4\",\n"), "{out}");
    for raw in [
        "confidence: Some(0.75),",
        r#"review: (by: "bo", at: "2026-02-02", comments: ["ok, fine", "a \"quoted\" (paren"]),"#,
        "reviewed_by: [\n        \"bo\",\n        \"cy\",\n    ],",
        "layout: Layout(columns: 2, raw: r#\"x\"y\"#),",
    ] {
        assert!(out.contains(raw), "missing {raw}\n{out}");
    }
    // And again: a second round gives the same bytes.
    assert_eq!(sidecar::to_string(&sidecar::from_str(&out).unwrap()), out);
}

#[test]
fn unknown_fields_survive_a_save_through_the_corpus_api() {
    let dir = common::corpus(&[("a.txt", b"Hello world")]);
    let src = NEWER_MINOR.replace("HASH", &marginalia::model::content_hash("Hello world"));
    std::fs::write(dir.path().join("a.txt.ron"), &src).unwrap();
    let mut loaded = corpus::load(dir.path(), "a.txt").unwrap();
    assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
    loaded.data.status = Status::Done;
    corpus::save_loaded(dir.path(), &mut loaded).unwrap();
    let out = std::fs::read_to_string(dir.path().join("a.txt.ron")).unwrap();
    assert!(out.contains("status: Done,"));
    assert!(out.contains("version: \"1.4\""));
    assert!(out.contains("confidence: Some(0.75),"));
    assert!(out.contains("layout: Layout(columns: 2, raw: r#\"x\"y\"#),"));
    assert!(out.contains("reviewed_by: [\n        \"bo\",\n        \"cy\",\n    ],"));
}

#[test]
fn a_newer_major_version_is_refused_as_future_version() {
    let src = NEWER_MINOR.replace("\"1.4\"", "\"2.0\"");
    let e = sidecar::from_str(&src).unwrap_err();
    assert!(e.future_version);
    assert!(e.message.contains("2.0"), "{e}");
    // Even when the rest would not parse as 1.x.
    let src = "(format: \"marginalia\", version: \"2.1\", annotations: {\"new\": \"shape\"})";
    assert!(sidecar::from_str(src).unwrap_err().future_version);
    // A damaged 1.x file is damage, not the future.
    let e =
        sidecar::from_str("(format: \"marginalia\", version: \"1.0\", annotations: [(id: )])").unwrap_err();
    assert!(!e.future_version);
    assert!(e.line > 0 && e.column > 0, "{e:?}");
}

#[test]
fn writer_output_is_stable_and_line_oriented() {
    let doc = Document::new("a.txt", common::seed(common::CLINTON));
    let mut data = DocAnnotations::default();
    data.annotations
        .push(common::entity(&doc, "p1", "Hillary Clinton", 0, "PERSON"));
    data.annotations
        .push(common::entity(&doc, "c1", "China", 0, "PLACE"));
    data.relations.push(Relation {
        id: "r1".into(),
        from: "p1".into(),
        to: Target {
            doc: Some("other/b.txt".into()),
            id: "x9".into(),
        },
        kind: "refers-to".into(),
        ..Default::default()
    });
    let a = corpus::render(&doc, &data, (1, 0));
    data.annotations.reverse();
    let b = corpus::render(&doc, &data, (1, 0));
    assert_eq!(a, b);
    // China comes first in the text, so first in the file.
    assert!(a.find("\"c1\"").unwrap() < a.find("\"p1\"").unwrap());
    assert!(a.contains("            to: (doc: Some(\"other/b.txt\"), id: \"x9\"),\n"));
    assert!(a.starts_with("// Marginalia annotations."));
}

/// Spans as a damaged or hand-edited file may hold them: backwards, huge, overlapping.
fn wild_span() -> impl Strategy<Value = Span> {
    prop_oneof![
        (0usize..60, 0usize..60).prop_map(|(start, end)| Span { start, end }),
        (any::<usize>(), any::<usize>()).prop_map(|(start, end)| Span { start, end }),
        (0usize..60, 1usize..8).prop_map(|(start, len)| Span::new(start, start + len)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn reanchoring_any_sidecar_against_any_text_drops_nothing(
        sc in sidecar_value(),
        text in text(60),
        spans in proptest::collection::vec(proptest::collection::vec(wild_span(), 0..3), 6),
        take_quote in proptest::collection::vec(any::<bool>(), 6),
    ) {
        let doc = Document::new("a.txt", text);
        let mut data = sc.data.clone();
        for (i, a) in data.annotations.iter_mut().enumerate() {
            a.spans = spans[i].clone().into();
            if take_quote[i] && doc.spans_in_range(&a.spans) {
                // A quote that matches some text, so placement has something to find.
                a.quote = doc.selector(&a.spans).0;
            }
        }
        let before = data.clone();
        marginalia::model::anchor::reanchor_all(&doc, &mut data);
        prop_assert_eq!(data.annotations.len(), before.annotations.len());
        let mut ids: Vec<_> = data.ids().collect();
        let mut old: Vec<_> = before.ids().collect();
        ids.sort();
        old.sort();
        prop_assert_eq!(ids, old);
        for a in &data.annotations {
            if a.orphaned || a.spans.is_empty() {
                continue;
            }
            prop_assert!(doc.spans_in_range(&a.spans), "{:?}", a.spans);
            prop_assert_eq!(&doc.selector(&a.spans).0, &a.quote);
        }
        // The whole file also goes through `check` without a panic.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), doc.text.as_bytes()).unwrap();
        let mut on_disk = sc.clone();
        on_disk.data = before;
        std::fs::write(dir.path().join("a.txt.ron"), sidecar::to_string(&on_disk)).unwrap();
        let report = marginalia::store::check::check_corpus(dir.path()).unwrap();
        prop_assert_eq!(report.documents, 1);
        // A text with NUL bytes is refused as binary; anything else opens.
        let loaded = corpus::load(dir.path(), "a.txt");
        prop_assert_eq!(loaded.is_ok(), !doc.text.contains('\0'));
    }
}

#[test]
fn comments_beside_unknown_fields_do_not_break_the_file_on_save() {
    let src = NEWER_MINOR
        .replace(
            "confidence: Some(0.75),",
            "confidence: Some(0.75) // from the model, 0..1\n            ,",
        )
        .replace("    layout:", "    // laid out by hand\n    layout:");
    let sc = sidecar::from_str(&src).unwrap();
    assert_eq!(sc.data.annotations[0].extra["confidence"], "Some(0.75)");
    let out = sidecar::to_string(&sc);
    let again = sidecar::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(again, sc);
    assert!(out.contains("            confidence: Some(0.75),\n"), "{out}");
}
