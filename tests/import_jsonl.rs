//! JSONL imports that drop nothing silently: record ids as document names,
//! `meta`, doccano `label`/`labels`, Prodigy answers, annotators and times,
//! JSON arrays and pretty-printed objects, duplicate spans, and every key not
//! kept reported once with a count.

use std::path::Path;

use marginalia::formats::import::{ImportReport, import_jsonl};
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::store::corpus;
use proptest::prelude::*;
use serde_json::{Value, json};

fn import(dir: &Path, name: &str, content: &str) -> (ImportReport, std::path::PathBuf) {
    let file = dir.join(name);
    std::fs::write(&file, content).unwrap();
    let into = dir.join(format!("{name}-corpus"));
    (import_jsonl(&file, &into).unwrap(), into)
}

fn lost_text(r: &ImportReport) -> Vec<String> {
    r.lost.iter().map(|l| l.what.clone()).collect()
}

#[test]
fn record_ids_name_documents_made_safe_and_unique() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = [
        json!({"id": 1, "text": "one", "label": []}),
        json!({"id": "report.md", "text": "two"}),
        json!({"id": "../../etc/passwd", "text": "three"}),
        json!({"id": 1, "text": "four"}),
        json!({"text": "five", "_input_hash": 12345}),
    ];
    let content: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (report, into) = import(tmp.path(), "ids.jsonl", &content.join("\n"));
    assert_eq!(
        report.documents,
        vec![
            "1.txt",
            "report.md",
            "_._.._etc_passwd.txt",
            "1-2.txt",
            "doc-00005.txt"
        ],
        "{}",
        report.summary()
    );
    assert_eq!(std::fs::read_to_string(into.join("1-2.txt")).unwrap(), "four");
    let lost = lost_text(&report);
    assert!(
        lost.iter()
            .any(|l| l.contains("\"1\" was given to an earlier record")),
        "{lost:?}"
    );
    assert!(
        lost.iter().any(|l| l.contains("cannot be a file name")),
        "{lost:?}"
    );
    // Prodigy's hash is not a name, and it is reported as not kept.
    assert!(
        lost.iter().any(|l| l.contains("\"_input_hash\" of 1 record(s)")),
        "{lost:?}"
    );
}

#[test]
fn a_labels_key_is_read_as_doccano_triples_in_utf16_units() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, into) = import(
        tmp.path(),
        "labels.jsonl",
        r#"{"text":"Apple 😀 Beats","labels":[[0,5,"ORG"],[9,14,"ORG"]]}"#,
    );
    assert!(report.is_complete(), "{}", report.summary());
    let d = corpus::load(&into, "doc-00001.txt").unwrap();
    let quotes: Vec<&str> = d.data.annotations.iter().map(|a| a.quote.as_str()).collect();
    assert_eq!(quotes, ["Apple", "Beats"]);
}

#[test]
fn meta_becomes_the_documents_source_and_other_meta_keys_are_reported_with_a_count() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = [
        json!({"text": "a", "meta": {"title": "T1", "publisher": "Daily NK", "category": "x", "score": 3}}),
        json!({"text": "b", "meta": {"headline": "T2", "category": "y"}, "url": "https://example.org/b"}),
    ];
    let content: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (report, into) = import(tmp.path(), "meta.jsonl", &content.join("\n"));
    let a = corpus::load(&into, "doc-00001.txt").unwrap();
    assert_eq!(a.data.meta.title, "T1");
    assert_eq!(a.data.meta.outlet, "Daily NK");
    let b = corpus::load(&into, "doc-00002.txt").unwrap();
    assert_eq!(b.data.meta.title, "T2");
    // A top-level key named like a document field is read too (doccano puts meta there).
    assert_eq!(b.data.meta.url, "https://example.org/b");
    let lost = lost_text(&report);
    assert!(
        lost.contains(
            &"the key \"meta.category\" of 2 record(s) (Marginalia has no field for it)".to_owned()
        ),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .any(|l| l.starts_with("the key \"meta.score\" of 1 record(s)")),
        "{lost:?}"
    );
    assert_eq!(lost.len(), 2, "{lost:?}");
}

#[test]
fn prodigy_answers_annotators_and_times_are_kept_and_its_bookkeeping_reported_once_per_key() {
    let tmp = tempfile::tempdir().unwrap();
    let task = |text: &str, answer: &str| {
        json!({"text": text, "spans": [{"start": 0, "end": 4, "label": "ORG", "token_start": 0, "token_end": 0, "score": 0.5}],
            "tokens": [{"text": "Sony", "start": 0, "end": 4, "id": 0}],
            "_input_hash": 1, "_task_hash": 2, "_view_id": "ner_manual", "answer": answer, "accept": ["A", "B"],
            "_annotator_id": "news-alex", "_timestamp": 1_700_000_000})
    };
    let content = format!(
        "{}\n{}\n",
        task("Sony grew.", "accept"),
        task("Sony fell.", "reject")
    );
    let (report, into) = import(tmp.path(), "prodigy.jsonl", &content);
    let d = corpus::load(&into, "doc-00002.txt").unwrap();
    let a = &d.data.annotations[0];
    assert_eq!(a.quote, "Sony");
    assert_eq!(a.annotator, "news-alex");
    assert_eq!(a.created, "2023-11-14T22:13:20Z");
    assert_eq!(a.attributes.get("answer").map(String::as_str), Some("reject"));
    assert_eq!(a.attributes.get("accept").map(String::as_str), Some("A, B"));
    // A plain field of the span is kept as an attribute.
    assert_eq!(a.attributes.get("score").map(String::as_str), Some("0.5"));
    let lost = lost_text(&report);
    for key in [
        "_input_hash",
        "_task_hash",
        "_view_id",
        "tokens",
        "spans[].token_start",
        "spans[].token_end",
    ] {
        let n = lost
            .iter()
            .filter(|l| l.starts_with(&format!("the key \"{key}\" of 2 record(s)")))
            .count();
        assert_eq!(n, 1, "{key}: {lost:?}");
    }
    assert_eq!(lost.len(), 6, "{lost:?}");
}

#[test]
fn a_json_array_and_a_pretty_printed_object_are_read_and_a_broken_one_is_one_error() {
    let tmp = tempfile::tempdir().unwrap();
    let records = json!([{"id": "a", "text": "Sony", "spans": [{"start": 0, "end": 4, "label": "ORG"}]},
        {"id": "b", "text": "Ericsson"}]);
    let (report, _) = import(
        tmp.path(),
        "array.json",
        &serde_json::to_string_pretty(&records).unwrap(),
    );
    assert_eq!(report.documents, ["a.txt", "b.txt"], "{}", report.summary());
    assert_eq!(report.annotations, 1);
    let one = serde_json::to_string_pretty(&records[0]).unwrap();
    let (report, _) = import(tmp.path(), "one.json", &one);
    assert_eq!(report.documents, ["a.txt"], "{}", report.summary());
    assert!(report.is_complete(), "{}", report.summary());
    // A pretty-printed file with a missing comma: one error with its place, not one per line.
    let broken = one.replacen(",\n", "\n", 1);
    let file = tmp.path().join("broken.json");
    std::fs::write(&file, &broken).unwrap();
    let err = import_jsonl(&file, &tmp.path().join("c3"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.json") && err.contains("line 3"), "{err}");
    assert!(!tmp.path().join("c3").exists());
}

#[test]
fn duplicate_spans_are_imported_once_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = [
        json!({"text": "Sony and Sony", "spans": [{"start": 0, "end": 4, "label": "ORG"}, {"start": 0, "end": 4, "label": "ORG"},
            {"start": 0, "end": 4, "label": "BRAND"}, {"start": 9, "end": 13, "label": "ORG"}]}),
        json!({"text": "Ericsson in Sweden", "entities": [
            {"id": 7, "start_offset": 0, "end_offset": 8, "label": "ORG"},
            {"id": 9, "start_offset": 0, "end_offset": 8, "label": "ORG"},
            {"id": 8, "start_offset": 12, "end_offset": 18, "label": "PLACE"}],
            "relations": [{"id": 1, "from_id": 9, "to_id": 8, "type": "based-in"}]}),
    ];
    let content: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (report, into) = import(tmp.path(), "dup.jsonl", &content.join("\n"));
    assert_eq!(report.duplicates, 2, "{}", report.summary());
    assert!(report.summary().contains("2 duplicate span(s)"));
    assert_eq!(report.annotations, 5);
    let b = corpus::load(&into, "doc-00002.txt").unwrap();
    // The relation from the duplicate starts at the span kept.
    assert_eq!(b.data.relations[0].from, "d7");
}

/// Texts with emoji (two UTF-16 units), CJK, Arabic and line breaks.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "Sony ",
        "😀",
        "日本語",
        "مرحبا بالعالم",
        " ",
        "\n",
        "a",
        "é",
        "👍🏽",
        "\r\n",
        "北京",
    ])
}

#[derive(Clone, Debug)]
struct Rec {
    id: String,
    text: String,
    spans: Vec<(usize, usize, String)>,
    title: String,
    outlet: String,
    kind: u8,
}

fn rec() -> impl Strategy<Value = Rec> {
    (
        "[a-z0-9][a-z0-9_-]{0,8}|北京-[0-9]{1,3}",
        prop::collection::vec(piece(), 1..12),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0..3u8),
            0..5,
        ),
        "[A-Za-z][A-Za-z ]{0,10}[A-Za-z]|😀 خبر",
        "[A-Za-z]{0,6}",
        0..3u8,
    )
        .prop_map(|(id, pieces, raw, title, outlet, kind)| {
            let text: String = pieces.concat();
            let n = text.chars().count();
            let mut spans: Vec<(usize, usize, String)> = raw
                .into_iter()
                .map(|(a, b, l)| {
                    let (a, b) = (a.index(n + 1), b.index(n + 1));
                    (
                        a.min(b),
                        a.max(b),
                        ["ORG", "PLACE", "PERSON"][l as usize].to_owned(),
                    )
                })
                .filter(|(a, b, _)| a < b)
                .collect();
            spans.sort();
            spans.dedup();
            Rec {
                id,
                text,
                spans,
                title,
                outlet,
                kind,
            }
        })
}

fn utf16(text: &str, cp: usize) -> usize {
    text.chars().take(cp).map(char::len_utf16).sum()
}

/// A record as doccano (UTF-16 `label` triples), spaCy (`spans`) or doccano
/// `entities` objects write it.
fn record_json(r: &Rec) -> Value {
    let meta = json!({"title": r.title, "outlet": r.outlet});
    match r.kind {
        0 => json!({"id": r.id, "text": r.text, "meta": meta, "label":
            r.spans.iter().map(|(a, b, l)| json!([utf16(&r.text, *a), utf16(&r.text, *b), l])).collect::<Vec<_>>()}),
        1 => json!({"id": r.id, "text": r.text, "meta": meta, "spans":
            r.spans.iter().map(|(a, b, l)| json!({"start": a, "end": b, "label": l})).collect::<Vec<_>>()}),
        _ => json!({"id": r.id, "text": r.text, "meta": meta, "entities":
            r.spans.iter().enumerate().map(|(i, (a, b, l))| json!({"id": i, "start_offset": utf16(&r.text, *a),
                "end_offset": utf16(&r.text, *b), "label": l})).collect::<Vec<_>>()}),
    }
}

fn export_jsonl(corpus: &Path, out: &Path) -> Vec<Value> {
    let opts = ExportOptions {
        format: Format::Jsonl,
        out: out.to_path_buf(),
        ..Default::default()
    };
    export_corpus(corpus, &opts, &mut |_, _| true).unwrap();
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Foreign JSONL → corpus → Marginalia JSONL keeps each record's id (as
    /// `<id>.txt`), meta and spans; that JSONL → corpus → JSONL is the same file.
    #[test]
    fn ids_meta_and_spans_survive_jsonl_to_corpus_to_jsonl(recs in prop::collection::vec(rec(), 1..4)) {
        let mut recs = recs;
        let mut seen = std::collections::HashSet::new();
        recs.retain(|r| seen.insert(r.id.to_lowercase()));
        let tmp = tempfile::tempdir().unwrap();
        let lines: Vec<String> = recs.iter().map(|r| record_json(r).to_string()).collect();
        let (report, into) = import(tmp.path(), "in.jsonl", &lines.join("\n"));
        prop_assert!(report.is_complete(), "{}", report.summary());
        let out = export_jsonl(&into, &tmp.path().join("out.jsonl"));
        prop_assert_eq!(out.len(), recs.len());
        for r in &recs {
            let name = format!("{}.txt", r.id);
            let line = out.iter().find(|l| l["id"] == name.as_str());
            prop_assert!(line.is_some(), "no line for {}", name);
            let line = line.unwrap();
            prop_assert_eq!(line["text"].as_str().unwrap(), r.text.as_str());
            prop_assert_eq!(line["meta"]["title"].as_str().unwrap_or(""), r.title.trim());
            prop_assert_eq!(line["meta"]["outlet"].as_str().unwrap_or(""), r.outlet.as_str());
            let mut spans: Vec<(usize, usize, String)> = line["entities"].as_array().unwrap().iter()
                .map(|e| (e["start"].as_u64().unwrap() as usize, e["end"].as_u64().unwrap() as usize,
                    e["label"].as_str().unwrap().to_owned()))
                .collect();
            spans.sort();
            prop_assert_eq!(&spans, &r.spans);
            for e in line["entities"].as_array().unwrap() {
                let (a, b) = (e["start"].as_u64().unwrap() as usize, e["end"].as_u64().unwrap() as usize);
                let quote: String = r.text.chars().skip(a).take(b - a).collect();
                prop_assert_eq!(e["text"].as_str().unwrap(), quote.as_str());
            }
        }
        let again = tmp.path().join("out.jsonl");
        let into2 = tmp.path().join("second");
        let report2 = import_jsonl(&again, &into2).unwrap();
        prop_assert!(report2.is_complete(), "{}", report2.summary());
        let out2 = export_jsonl(&into2, &tmp.path().join("out2.jsonl"));
        prop_assert_eq!(out2, out);
    }
}
