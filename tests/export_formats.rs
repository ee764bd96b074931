//! Format rules beyond the golden files: cancelling, progress, CSV quoting,
//! IOB2 validity, W3C selectors, and the synthetic data generator.

mod export_support;

use marginalia::formats::conll::{self, DOCSTART};
use marginalia::formats::csv::{ClaimRow, Formulas, HEADER, claims_csv};
use marginalia::formats::{ExportError, ExportOptions, ExportReport, Format, export_corpus, w3c};
use marginalia::model::{Document, Span, Speaker};
use marginalia::store::corpus;
use marginalia::synth;

fn assert_send<T: Send + 'static>() {}

#[test]
fn the_export_api_runs_on_a_worker_thread() {
    assert_send::<ExportOptions>();
    assert_send::<ExportReport>();
    assert_send::<ExportError>();
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let opts = ExportOptions {
        format: Format::W3c,
        out: tmp.path().join("w3c.jsonld"),
        ..ExportOptions::default()
    };
    let handle = std::thread::spawn(move || {
        let mut calls: Vec<(usize, usize)> = Vec::new();
        let r = export_corpus(&root, &opts, &mut |d, t| {
            calls.push((d, t));
            true
        });
        (r, calls)
    });
    let (report, calls) = handle.join().unwrap();
    assert_eq!(report.unwrap().documents, 6);
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
    let total = calls[0].1;
    assert!(calls.iter().all(|&(d, t)| t == total && d <= t));
    assert_eq!(calls.last(), Some(&(total, total)));
}

#[test]
fn cancelling_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    // Six documents: the seventh call comes once every brat file is written, before they are put in place.
    for (format, stop_at) in [
        (Format::Jsonl, 2),
        (Format::Jsonl, 7),
        (Format::Brat, 2),
        (Format::Brat, 7),
    ] {
        let out = tmp.path().join(format!("out-{}-{stop_at}", format.as_str()));
        let opts = ExportOptions {
            format,
            out: out.clone(),
            ..ExportOptions::default()
        };
        let mut calls = 0;
        let r = export_corpus(&root, &opts, &mut |_, _| {
            calls += 1;
            calls < stop_at
        });
        assert!(matches!(r, Err(ExportError::Cancelled)), "{r:?}");
        assert!(!out.exists(), "{} was left behind", out.display());
        assert_eq!(calls, stop_at, "cancelled at another step");
    }
    // Nor any temporary file or folder beside the destination.
    let hidden: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

/// Splits RFC 4180 CSV into rows of fields.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn claims_csv_quotes_and_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let docs = export_support::load_all(&root);
    let rows: Vec<ClaimRow<'_>> = docs
        .iter()
        .flat_map(|(doc, data)| {
            data.annotations
                .iter()
                .map(move |claim| ClaimRow { doc, data, claim })
        })
        .collect();
    let text = claims_csv(rows.iter().copied(), Formulas::Keep);
    let parsed = parse_csv(&text);
    assert_eq!(parsed[0], HEADER.map(str::to_owned).to_vec());
    let claims: Vec<_> = rows.iter().filter(|r| r.claim.claim().is_some()).collect();
    assert_eq!(parsed.len(), claims.len() + 1);
    for (row, c) in parsed[1..].iter().zip(claims) {
        assert_eq!(row.len(), HEADER.len());
        assert_eq!(row[0], c.doc.path);
        assert_eq!(row[1], c.claim.id);
        let (s, e): (usize, usize) = (row[12].parse().unwrap(), row[13].parse().unwrap());
        assert_eq!(row[3], c.doc.slice(Span::new(s, e)));
        if let Speaker::Entity(id) = &c.claim.claim().unwrap().speaker {
            assert_eq!(&row[5], id);
            assert_eq!(row[6], c.data.get(id).unwrap().quote);
        }
    }
    // The one claim with commas and curly quotes comes back whole.
    assert!(
        parsed
            .iter()
            .any(|r| r[3].starts_with("“Time is running out") && r[3].ends_with("harm’s way,”"))
    );
}

#[test]
fn iob2_is_valid_and_tokens_match_the_text() {
    let (doc, data) = synth::article(11, "a.txt", 30_000, 800);
    let (out, dropped) = conll::doc_conll(&doc, &data);
    assert!(out.starts_with(DOCSTART));
    assert!(dropped > 0, "a third of synthetic annotations overlap");
    let mut prev: Option<String> = None;
    let mut entities = 0;
    for line in out.lines().skip(1) {
        if line.is_empty() {
            prev = None;
            continue;
        }
        let [token, start, tag] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("not three columns: {line:?}");
        };
        assert!(
            !token.is_empty() && !token.contains(char::is_whitespace),
            "{line:?}"
        );
        let start: usize = start.parse().unwrap();
        assert_eq!(doc.slice(Span::new(start, start + token.chars().count())), token);
        if let Some(label) = tag.strip_prefix("I-") {
            let ok = prev
                .as_deref()
                .is_some_and(|p| p == format!("B-{label}") || p == format!("I-{label}"));
            assert!(ok, "{tag} after {prev:?}");
        } else if tag.starts_with("B-") {
            entities += 1;
        } else {
            assert_eq!(tag, "O");
        }
        prev = Some(tag.to_owned());
    }
    assert!(entities > 100);
    // Tokens are exact slices of the text, in order.
    let text = "Kim’s 北朝鮮 😀 said: “no”.\r\nNext line";
    let d = Document::new("t.txt", text);
    let toks = conll::tokenize(text);
    for t in &toks {
        assert_eq!(d.slice(t.span), t.text);
    }
    assert_eq!(toks[0].text, "Kim’s");
    assert!(toks.iter().find(|t| t.text == ".").unwrap().ends_sentence);
}

#[test]
fn w3c_annotations_have_iris_dates_and_exact_selectors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    for (doc, data) in export_support::load_all(&root) {
        for item in w3c::doc_items(&doc, &data, "https://example.org/c/") {
            let id = item["id"].as_str().unwrap();
            assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{id}");
            if item["motivation"] == "linking" {
                continue;
            }
            let created = item["created"].as_str().unwrap();
            assert!(
                created.len() == 20 && created.ends_with('Z') && &created[10..11] == "T",
                "{created}"
            );
            let targets = match &item["target"] {
                serde_json::Value::Array(a) => a.clone(),
                t => vec![t.clone()],
            };
            for t in targets {
                assert_eq!(
                    t["source"]["id"],
                    w3c::source_iri("https://example.org/c/", &doc.path)
                );
                let sel = t["selector"].as_array().unwrap();
                let span = Span::new(
                    sel[0]["start"].as_u64().unwrap() as usize,
                    sel[0]["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(sel[1]["exact"].as_str().unwrap(), doc.slice(span));
                let prefix = sel[1]["prefix"].as_str().unwrap();
                assert!(doc.slice(Span::new(0, span.start)).ends_with(prefix));
                let suffix = sel[1]["suffix"].as_str().unwrap();
                assert!(
                    doc.slice(Span::new(span.end, doc.len_chars()))
                        .starts_with(suffix)
                );
            }
        }
    }
}

#[test]
fn big_synthetic_article_has_the_promised_shape() {
    let (doc, data) = synth::big_article(1);
    assert!(
        (1_000_000..1_100_000).contains(&doc.text.len()),
        "{}",
        doc.text.len()
    );
    assert_eq!(data.annotations.len(), 10_000);
    // Sorted by start: an annotation overlaps an earlier one when it starts before their furthest end.
    let mut furthest = 0;
    let mut overlapping = 0;
    for a in &data.annotations {
        let e = a.extent();
        if e.start < furthest {
            overlapping += 1;
        }
        furthest = furthest.max(e.end);
        assert_eq!(doc.selector(&a.spans).0, a.quote);
    }
    assert!(overlapping >= 3_333, "{overlapping}");
    let speakers = data
        .annotations
        .iter()
        .filter(|a| matches!(a.claim().map(|c| &c.speaker), Some(Speaker::Entity(_))))
        .count();
    assert!(speakers > 100);
    assert!(data.annotations.iter().any(|a| a.spans.len() > 1));
    assert!(doc.text.contains("難民") && doc.text.contains('😀'));
    assert_eq!(synth::big_article(1).1, data);
}

#[test]
fn synthetic_corpus_loads_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c");
    let summary = synth::write_corpus(&root, 23, 310, 5).unwrap();
    assert_eq!(summary.documents.len(), 23);
    assert_eq!(summary.annotations, 310);
    let entries = corpus::scan(&root).unwrap();
    assert_eq!(entries.len(), 23);
    let mut total = 0;
    let mut crlf = 0;
    for e in entries {
        let l = corpus::load(&root, &e.rel).unwrap();
        assert!(l.read_only.is_none() && l.reanchor.is_none(), "{}", e.rel);
        total += l.data.annotations.len();
        crlf += usize::from(l.doc.text.contains("\r\n"));
    }
    assert_eq!(total, 310);
    assert!(crlf >= 4);
}
