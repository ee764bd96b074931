//! `marginalia agree` on two annotated copies of the seeds, through the
//! library and through the real binary.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use marginalia::agree::{Warning, compare_folders, disagreements, load_pair};
use marginalia::model::{Claim, DocAnnotations, Document, Kind, Speaker, Stance};
use marginalia::store::corpus::{self, DiskStamp};

fn run(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("agree")
        .args(args)
        .output()
        .expect("run marginalia")
}

fn run_str(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("agree")
        .args(args)
        .output()
        .expect("run marginalia")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of the seeds under `news/`.
fn seeds_copy() -> tempfile::TempDir {
    let texts: Vec<(String, String)> = common::seed_names()
        .iter()
        .map(|n| (format!("news/{n}"), common::seed(n)))
        .collect();
    let files: Vec<(&str, &[u8])> = texts.iter().map(|(n, t)| (n.as_str(), t.as_bytes())).collect();
    common::corpus(&files)
}

fn annotate(root: &Path, name: &str, build: impl FnOnce(&Document, &mut DocAnnotations)) {
    let doc = Document::new(format!("news/{name}"), common::seed(name));
    let mut data = DocAnnotations::default();
    build(&doc, &mut data);
    corpus::save(root, &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
}

fn stance_claim(doc: &Document, id: &str, stance: Stance) -> marginalia::model::Annotation {
    let mut c = common::claim(
        doc,
        id,
        "the international community has once again failed",
        Speaker::Author,
        None,
    );
    c.kind = Kind::Claim(Box::new(Claim {
        speaker: Speaker::Author,
        stance,
        ..Claim::default()
    }));
    c
}

/// Two annotators on the Clinton article:
///
/// | A                              | B                                    | outcome          |
/// |--------------------------------|--------------------------------------|------------------|
/// | PERSON "Hillary Clinton"       | PERSON "Clinton"                     | boundaries differ|
/// | PERSON "Pak Sun-Young"         | ORG "Pak Sun-Young"                  | label differs    |
/// | PLACE "China" (1st)            | PLACE "China" (1st)                  | exact            |
/// | CLAIM "…once again failed"     | same span, stance Denies             | claim differs    |
/// | GROUP "North Korean refugees"  |                                      | only in A        |
/// |                                | DATE "March 12, 2012"                | only in B        |
///
/// A = 5, B = 5; exact matches 2 (China, the claim), overlap matches 3 (+ Clinton).
fn two_copies() -> (tempfile::TempDir, tempfile::TempDir) {
    let (a, b) = (seeds_copy(), seeds_copy());
    annotate(a.path(), common::CLINTON, |doc, data| {
        data.annotations.extend([
            common::entity(doc, "a1", "Hillary Clinton", 0, "PERSON"),
            common::entity(doc, "a2", "Pak Sun-Young", 0, "PERSON"),
            common::entity(doc, "a3", "China", 0, "PLACE"),
            stance_claim(doc, "a4", Stance::Asserts),
            common::entity(doc, "a5", "North Korean refugees", 0, "GROUP"),
        ]);
    });
    annotate(b.path(), common::CLINTON, |doc, data| {
        data.annotations.extend([
            common::entity(doc, "b1", "Clinton", 0, "PERSON"),
            common::entity(doc, "b2", "Pak Sun-Young", 0, "ORG"),
            common::entity(doc, "b3", "China", 0, "PLACE"),
            stance_claim(doc, "b4", Stance::Denies),
            common::entity(doc, "b5", "March 12, 2012", 0, "DATE"),
        ]);
    });
    (a, b)
}

#[test]
fn library_report_on_two_copies() {
    let (a, b) = two_copies();
    let r = compare_folders(a.path(), b.path()).unwrap();
    assert_eq!(r.documents_compared, 5);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let o = r.overall;
    assert_eq!((o.in_a, o.in_b, o.exact_matches, o.overlap_matches), (5, 5, 2, 3));
    // exact F1 = 2·2/10 = 0.4, overlap F1 = 2·3/10 = 0.6.
    assert!((o.exact().f1.unwrap() - 0.4).abs() < 1e-9);
    assert!((o.overlap().f1.unwrap() - 0.6).abs() < 1e-9);
    assert_eq!(r.claims.matched, 1);
    assert_eq!(r.claims.stance.observed, Some(0.0));
    let clinton = format!("news/{}", common::CLINTON);
    let doc = r.documents.iter().find(|d| d.path == clinton).unwrap();
    assert_eq!(doc.disagreements.len(), 5, "{:#?}", doc.disagreements);
    // The other four documents have no annotations on either side.
    assert!(
        r.documents
            .iter()
            .filter(|d| d.path != clinton)
            .all(|d| d.disagreements.is_empty())
    );
    let k = r.token_kappa.kappa.unwrap();
    assert!(k > 0.0 && k < 1.0, "{k}");
}

#[test]
fn binary_prints_the_report() {
    let (a, b) = two_copies();
    let out = run(&[a.path(), b.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let clinton = format!("news/{}", common::CLINTON);
    for want in [
        "Documents compared: 5",
        "exact match",
        "overlap match",
        "Cohen's kappa",
        "Krippendorff's unitizing alpha (αu), documents joined into one continuum of",
        "a coding alpha, not αu",
        "Claims matched by span and label: 1",
        "stance:     0.0% agree",
        &format!("{clinton} (5 disagreements"),
        "boundaries differ  A PERSON",
        "\"Hillary Clinton\"",
        "\"Clinton\"",
        "label differs      A PERSON",
        "B ORG",
        "only in A          GROUP",
        "only in B          DATE",
        "claim differs",
        "A asserts/fact, B denies/fact",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
    // Per-label rows: PLACE matched exactly (F1 1.000 twice), GROUP only in A (F1 0.000).
    let place = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("PLACE"))
        .unwrap();
    assert_eq!(place.matches("1.000").count(), 6, "{place}");
    // A never used DATE: alpha is a hair below 0, shown as 0 rather than "-0.000".
    assert!(!stdout.contains("-0.000"), "{stdout}");
    let overall = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("overall"))
        .unwrap();
    assert!(
        overall.contains("0.400") && overall.contains("0.600"),
        "{overall}"
    );
}

#[test]
fn binary_json_is_machine_readable() {
    let (a, b) = two_copies();
    let out = run(&[a.path(), b.path(), Path::new("--json")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["documents_compared"], 5);
    assert_eq!(v["overall"]["in_a"], 5);
    assert_eq!(v["overall"]["exact_matches"], 2);
    assert_eq!(v["per_label"]["PERSON"]["overlap_matches"], 1);
    assert_eq!(v["overall"]["exact"]["f1"], 0.4);
    assert_eq!(v["per_label"]["PERSON"]["overlap"]["recall"], 0.5);
    assert_eq!(v["per_label"]["DATE"]["exact"]["recall"], serde_json::Value::Null);
    assert!(v["token_kappa"]["kappa"].is_f64());
    assert!(v["code_point_alpha"]["alpha"].is_f64());
    // PLACE units are identical on both sides: αu is 1; A never marked DATE: αu is below 0.
    assert_eq!(v["unitizing_alpha"]["per_label"]["PLACE"]["alpha"], 1.0);
    assert!(
        v["unitizing_alpha"]["per_label"]["DATE"]["alpha"]
            .as_f64()
            .unwrap()
            < 0.0
    );
    let total: u64 = common::seed_names()
        .iter()
        .map(|n| common::seed(n).chars().count() as u64)
        .sum();
    assert_eq!(v["unitizing_alpha"]["continuum_length"], total);
    let docs = v["documents"].as_array().unwrap();
    let clinton = format!("news/{}", common::CLINTON);
    let doc = docs.iter().find(|d| d["path"] == clinton.as_str()).unwrap();
    let kinds: Vec<&str> = doc["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    for k in [
        "only_a",
        "only_b",
        "label_differs",
        "boundary_differs",
        "claim_differs",
    ] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    let boundary = doc["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "boundary_differs")
        .unwrap();
    let claim = doc["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "claim_differs")
        .unwrap();
    assert_eq!(claim["a"]["stance"], "asserts");
    assert_eq!(claim["b"]["stance"], "denies");
    assert_eq!(claim["b"]["claim_type"], "fact");
    assert_eq!(boundary["a"]["stance"], serde_json::Value::Null);
    assert_eq!(boundary["a"]["quote"], "Hillary Clinton");
    assert_eq!(boundary["b"]["quote"], "Clinton");
    let a_start = boundary["a"]["spans"][0]["start"].as_u64().unwrap() as usize;
    let text = common::seed(common::CLINTON);
    assert_eq!(
        common::find(&text, "Hillary Clinton", 0).start,
        a_start,
        "offsets are code points"
    );
}

#[test]
fn documents_in_one_copy_or_with_other_text_are_warned_about() {
    let (a, b) = two_copies();
    let names = common::seed_names();
    fs::write(a.path().join("news/extra-a.txt"), "only here").unwrap();
    fs::write(b.path().join("news/extra-b.txt"), "only there").unwrap();
    let changed = format!("news/{}", names[1]);
    fs::write(b.path().join(&changed), "a different text").unwrap();
    let r = compare_folders(a.path(), b.path()).unwrap();
    assert_eq!(r.documents_compared, 4);
    assert!(r.warnings.contains(&Warning::OnlyInA {
        path: "news/extra-a.txt".into()
    }));
    assert!(r.warnings.contains(&Warning::OnlyInB {
        path: "news/extra-b.txt".into()
    }));
    assert!(r.warnings.contains(&Warning::TextDiffers {
        path: changed.clone()
    }));

    let out = run(&[a.path(), b.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("news/extra-a.txt: only in folder A"), "{stdout}");
    assert!(stdout.contains("news/extra-b.txt: only in folder B"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{changed}: the source text differs between the two folders"
        )),
        "{stdout}"
    );
}

#[test]
fn usage_errors_and_missing_folders_exit_2() {
    let (a, _b) = two_copies();
    let one = run(&[a.path()]);
    assert_eq!(one.status.code(), Some(2));
    assert!(
        text(&one.stderr).contains("expected two folders"),
        "{}",
        text(&one.stderr)
    );

    let flag = run_str(&[a.path().to_str().unwrap(), a.path().to_str().unwrap(), "--bogus"]);
    assert_eq!(flag.status.code(), Some(2));
    assert!(text(&flag.stderr).contains("unknown option --bogus"));

    let missing = a.path().join("no-such-folder");
    let out = run(&[a.path(), &missing]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("the folder") && err.contains("no-such-folder") && err.contains("does not exist"),
        "{err}"
    );

    let file = a.path().join("news").join(common::CLINTON);
    let out = run(&[&file, a.path()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is a file, not a folder"));

    let help = run_str(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Usage: marginalia agree FOLDER_A FOLDER_B"));
}

#[test]
fn one_document_side_by_side() {
    // What the workbench needs: both copies of one document and their disagreements.
    let (a, b) = two_copies();
    let rel = format!("news/{}", common::CLINTON);
    let (da, db) = load_pair(a.path(), b.path(), &rel).unwrap();
    let list = disagreements(&da.doc, &da.data, &db.data);
    assert_eq!(list.len(), 5);
    assert!(
        list.windows(2).all(|w| w[0].start() <= w[1].start()),
        "in text order"
    );

    // A damaged annotation file in B: the pair is refused with the reason, and the
    // folder comparison skips the document with the same warning.
    let side = b.path().join(format!("{rel}.ron"));
    fs::write(&side, "(this is not a sidecar").unwrap();
    let why = load_pair(a.path(), b.path(), &rel).unwrap_err();
    assert!(
        matches!(&why[..], [Warning::Unreadable { side, .. }] if side == "B"),
        "{why:?}"
    );
    let r = compare_folders(a.path(), b.path()).unwrap();
    assert_eq!(r.documents_compared, 4);
    assert_eq!(r.warnings, why);
    let out = run(&[a.path(), b.path()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains(&format!("{rel}: the copy in folder B cannot be used")),
        "{}",
        text(&out.stdout)
    );
}
