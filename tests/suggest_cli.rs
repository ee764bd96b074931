//! `marginalia suggest` through the real binary on corpora in temp folders.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use marginalia::model::suggest::Origin;
use marginalia::model::{DocAnnotations, Document, Kind, Span};
use marginalia::store::corpus::{self, DiskStamp, read_annotations, sidecar_path};
use marginalia::store::suggest_files::{GAZETTEER_FILE, REJECTIONS_FILE};

fn marginalia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .env("USER", "tester")
        .output()
        .expect("run marginalia")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `rel` with `text` and, when `tags` is not empty, a sidecar tagging
/// the first occurrence of each quote.
fn write_doc(root: &Path, rel: &str, text: &str, tags: &[(&str, &str)]) {
    fs::write(root.join(rel), text).unwrap();
    if tags.is_empty() {
        return;
    }
    let doc = Document::new(rel, text);
    let mut data = DocAnnotations::default();
    for (quote, label) in tags {
        let s = doc.cp_of(text.find(quote).expect("quote in text"));
        data.annotations.push(doc.annotate(
            vec![Span::new(s, s + quote.chars().count())],
            label,
            Kind::entity(),
            "analyst",
        ));
    }
    corpus::save(root, &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
}

/// Two documents: one tagged, one not, with text before the names that is
/// more than one byte a character, so code points and bytes differ.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_doc(
        dir.path(),
        "a.txt",
        "Ça commence: Hillary Clinton met UNHCR staff in Geneva on 12 March 2012.",
        &[("Hillary Clinton", "PERSON"), ("UNHCR", "ORG")],
    );
    write_doc(
        dir.path(),
        "b.txt",
        "Ünter «Hillary Clinton», UNHCR counted 1,200 refugees; Clinton agreed.",
        &[],
    );
    fs::write(dir.path().join(GAZETTEER_FILE), "# places\nGeneva\tPLACE\tQ71\n").unwrap();
    dir
}

/// The JSON items as (doc, text, label, origin, score), text cut from the
/// source by the code points given.
fn items(root: &Path, json: &str) -> Vec<(String, String, String, String, f64)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| {
            let doc = x["doc"].as_str().unwrap().to_owned();
            let text = fs::read_to_string(root.join(&doc)).unwrap();
            let (s, e) = (
                x["start"].as_u64().unwrap() as usize,
                x["end"].as_u64().unwrap() as usize,
            );
            let quote: String = text.chars().skip(s).take(e - s).collect();
            let keys: Vec<&String> = x.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["doc", "end", "label", "origin", "score", "start"]);
            (
                doc,
                quote,
                x["label"].as_str().unwrap().to_owned(),
                x["origin"].as_str().unwrap().to_owned(),
                x["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn has(
    found: &[(String, String, String, String, f64)],
    doc: &str,
    text: &str,
    label: &str,
    origin: &str,
) -> bool {
    found
        .iter()
        .any(|(d, t, l, o, _)| d == doc && t == text && l == label && o == origin)
}

#[test]
fn json_lists_suggestions_in_code_points_with_their_origin() {
    let dir = corpus();
    let root = dir.path().to_str().unwrap();
    let o = marginalia(&["suggest", root, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let found = items(dir.path(), &stdout(&o));
    assert!(
        has(&found, "b.txt", "Hillary Clinton", "PERSON", "matcher"),
        "{found:?}"
    );
    assert!(has(&found, "b.txt", "UNHCR", "ORG", "matcher"), "{found:?}");
    assert!(has(&found, "b.txt", "Clinton", "PERSON", "matcher"), "{found:?}");
    assert!(has(&found, "b.txt", "1,200", "NUMBER", "detector"), "{found:?}");
    assert!(has(&found, "a.txt", "Geneva", "PLACE", "gazetteer"), "{found:?}");
    assert!(
        has(&found, "a.txt", "12 March 2012", "DATE", "detector"),
        "{found:?}"
    );
    // What is tagged already is not proposed again.
    assert!(
        !found.iter().any(|(d, t, ..)| d == "a.txt" && t == "UNHCR"),
        "{found:?}"
    );
    // The readable table says the same.
    let o = marginalia(&["suggest", root]);
    assert_eq!(o.status.code(), Some(0));
    let table = stdout(&o);
    assert!(
        table.contains("b.txt\t") && table.contains("\tmatcher\tUNHCR"),
        "{table}"
    );
    assert!(
        table.trim_end().ends_with("suggestions in 2 documents"),
        "{table}"
    );
    // --only keeps one kind.
    let o = marginalia(&["suggest", root, "--json", "--only", "gazetteer"]);
    let only = items(dir.path(), &stdout(&o));
    assert_eq!(only.len(), 1, "{only:?}");
}

#[test]
fn a_rejected_suggestion_is_left_out() {
    let dir = corpus();
    let root = dir.path().to_str().unwrap();
    let text = fs::read_to_string(dir.path().join("b.txt")).unwrap();
    let at = text[..text.find("UNHCR").unwrap()].chars().count();
    fs::write(
        dir.path().join(REJECTIONS_FILE),
        format!("# rejected\nb.txt\tORG\t{at}\tUNHCR\n"),
    )
    .unwrap();
    let found = items(dir.path(), &stdout(&marginalia(&["suggest", root, "--json"])));
    assert!(!has(&found, "b.txt", "UNHCR", "ORG", "matcher"), "{found:?}");
    assert!(has(&found, "b.txt", "Hillary Clinton", "PERSON", "matcher"));
}

#[test]
fn accept_above_writes_annotations_with_their_origin_and_reports_them() {
    let dir = corpus();
    let root = dir.path().to_str().unwrap();
    let o = marginalia(&["suggest", root, "--accept-above", "0.8"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(report.contains("b.txt: "), "{report}");
    assert!(
        report.contains("matcher") && report.contains("detector"),
        "{report}"
    );
    assert!(
        report.contains("a.txt: 2 accepted (1 detector, 1 gazetteer)"),
        "{report}"
    );
    let (data, _) = read_annotations(&sidecar_path(&dir.path().join("b.txt")))
        .unwrap()
        .unwrap();
    let unhcr = data
        .annotations
        .iter()
        .find(|a| a.quote == "UNHCR")
        .expect("accepted");
    assert_eq!(
        (unhcr.label.as_str(), unhcr.origin),
        ("ORG", Some(Origin::Matcher))
    );
    assert_eq!(unhcr.annotator, "tester");
    // The surname after the full name scores 0.85: in.
    assert!(
        data.annotations
            .iter()
            .any(|a| a.quote == "Clinton" && a.origin == Some(Origin::Matcher))
    );
    let (a, _) = read_annotations(&sidecar_path(&dir.path().join("a.txt")))
        .unwrap()
        .unwrap();
    let geneva = a.annotations.iter().find(|x| x.quote == "Geneva").unwrap();
    assert_eq!(geneva.canonical(), Some("Q71"));
    assert_eq!(geneva.origin, Some(Origin::Gazetteer));
    // Hand-made annotations are kept as they were.
    assert!(
        a.annotations
            .iter()
            .any(|x| x.quote == "UNHCR" && x.origin.is_none())
    );
    // The corpus is still sound, and what was accepted is not proposed again.
    assert_eq!(marginalia(&["check", root]).status.code(), Some(0));
    let again = items(dir.path(), &stdout(&marginalia(&["suggest", root, "--json"])));
    assert!(!has(&again, "b.txt", "UNHCR", "ORG", "matcher"), "{again:?}");
    assert!(!has(&again, "b.txt", "Clinton", "PERSON", "matcher"), "{again:?}");
    // Nothing scores 0.999 or more but exact repeats and gazetteer names, now all taken.
    let o = marginalia(&["suggest", root, "--accept-above", "0.999"]);
    assert!(
        stdout(&o).ends_with("0 suggestions accepted as annotations\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_arguments_and_files_exit_with_a_message_that_says_what_to_do() {
    let dir = corpus();
    let root = dir.path().to_str().unwrap();
    let missing = dir.path().join("no such folder");
    let m = missing.to_str().unwrap();
    let o = marginalia(&["suggest", m, "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!("marginalia suggest: the folder {m} does not exist; check the path\n")
    );
    for args in [
        vec!["suggest"],
        vec!["suggest", root, "--accept-above", "high"],
        vec!["suggest", root, "--accept-above", "1.5"],
        vec!["suggest", root, "--only", "magic"],
        vec!["suggest", root, "--bogus"],
    ] {
        let o = marginalia(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("suggest --help"), "{args:?}: {}", stderr(&o));
    }
    let o = marginalia(&["suggest", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit status:") && stdout(&o).contains("--accept-above SCORE"));
    fs::write(dir.path().join(GAZETTEER_FILE), "Geneva\tPLACE\nno tab here\n").unwrap();
    let o = marginalia(&["suggest", root]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(GAZETTEER_FILE) && e.contains("line 2") && e.contains("tab"),
        "{e}"
    );
    assert!(stdout(&o).is_empty());
}
