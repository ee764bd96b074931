//! `marginalia check` and `marginalia stats`, through the library report and
//! through the real binary (exit status and printed text).

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use marginalia::model::{Claim, DocAnnotations, Document, Kind, Relation, Speaker, Status, Target};
use marginalia::store::check::{Problem, Severity, check_corpus};
use marginalia::store::corpus::{self, DiskStamp};
use marginalia::store::stats::corpus_stats;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .output()
        .expect("run marginalia")
}

fn check(root: &Path) -> (i32, String, String) {
    let out = run(&["check", root.to_str().unwrap()]);
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes a sidecar for `rel` whose source is `text`.
fn annotate(root: &Path, rel: &str, text: &str, build: impl FnOnce(&Document, &mut DocAnnotations)) {
    let doc = Document::new(rel, text);
    let mut data = DocAnnotations::default();
    build(&doc, &mut data);
    corpus::save(root, &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
}

/// A corpus of the seeds with a sound set of annotations on the Clinton article.
fn seeded() -> tempfile::TempDir {
    let names = common::seed_names();
    let texts: Vec<(String, String)> = names
        .iter()
        .map(|n| (format!("news/{n}"), common::seed(n)))
        .collect();
    let files: Vec<(&str, &[u8])> = texts.iter().map(|(n, t)| (n.as_str(), t.as_bytes())).collect();
    let dir = common::corpus(&files);
    let rel = format!("news/{}", common::CLINTON);
    annotate(dir.path(), &rel, &common::seed(common::CLINTON), |doc, data| {
        let mut p = common::entity(doc, "p1", "Hillary Clinton", 0, "PERSON");
        p.attributes.insert("role".into(), "official".into());
        data.annotations.push(p);
        data.annotations
            .push(common::entity(doc, "p2", "Pak Sun-Young", 0, "PERSON"));
        let mut china = common::entity(doc, "o1", "China", 0, "PLACE");
        china.kind = Kind::Entity {
            canonical: Some("Q148".into()),
        };
        data.annotations.push(china);
        data.annotations.push(common::claim(
            doc,
            "c1",
            "We urge every country to act according to international obligations",
            Speaker::Entity("p1".into()),
            Some("stating"),
        ));
        data.annotations.push(common::claim(
            doc,
            "c2",
            "the international community has once again failed",
            Speaker::Author,
            None,
        ));
        data.annotations.push(common::claim(
            doc,
            "c3",
            "Others may be summarily executed",
            Speaker::Unknown,
            None,
        ));
        data.relations.push(Relation {
            id: "r1".into(),
            from: "c1".into(),
            to: Target {
                doc: None,
                id: "c2".into(),
            },
            kind: "supports".into(),
            ..Default::default()
        });
        data.status = Status::InProgress;
    });
    dir
}

fn clinton_sidecar(root: &Path) -> std::path::PathBuf {
    root.join("news").join(format!("{}.ron", common::CLINTON))
}

#[test]
fn a_sound_corpus_is_clean() {
    let dir = seeded();
    let report = check_corpus(dir.path()).unwrap();
    assert!(report.is_clean(), "{:#?}", report.findings);
    assert_eq!(report.documents, 5);
    assert_eq!(report.sidecars, 1);
    assert_eq!(report.annotations, 6);
    let (code, out, err) = check(dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("5 documents, 1 annotation file, 6 annotations: 0 errors, 0 warnings, 0 notes (clean)"),
        "{out}"
    );
    assert!(out.contains("tag set: built-in"), "{out}");
}

#[test]
fn hand_made_damage_is_reported_per_file() {
    let dir = seeded();
    let root = dir.path();
    let side = clinton_sidecar(root);
    let mut src = fs::read_to_string(&side).unwrap();
    // Hand edits: a quote that no longer matches, a speaker and relations that point nowhere.
    src = src.replacen("quote: \"Pak Sun-Young\"", "quote: \"Pak Sun-young\"", 1);
    src = src.replacen("speaker: Entity(\"p1\")", "speaker: Entity(\"gone\")", 1);
    src = src.replacen(
        "to: (doc: None, id: \"c2\")",
        "to: (doc: None, id: \"nowhere\")",
        1,
    );
    fs::write(&side, src).unwrap();
    // A second document with cross-document relations: one good, one dangling, one to a missing file.
    let other = format!("news/{}", common::seed_names()[1]);
    let clinton_rel = format!("news/{}", common::CLINTON);
    annotate(
        root,
        &other,
        &common::seed(&common::seed_names()[1]),
        |doc, data| {
            let word = doc
                .text
                .split_whitespace()
                .find(|w| w.len() > 5)
                .unwrap()
                .to_owned();
            data.annotations.push(common::entity(doc, "x1", &word, 0, "MISC"));
            for (id, doc_rel, target) in [
                ("r1", clinton_rel.as_str(), "p1"),
                ("r2", clinton_rel.as_str(), "p404"),
                ("r3", "news/missing.txt", "p1"),
            ] {
                data.relations.push(Relation {
                    id: id.into(),
                    from: "x1".into(),
                    to: Target {
                        doc: Some(doc_rel.into()),
                        id: target.into(),
                    },
                    kind: "refers-to".into(),
                    ..Default::default()
                });
            }
            let mut bad = common::entity(doc, "x2", &word, 0, "WIDGET");
            bad.spans[0].end = 1_000_000;
            data.annotations.push(bad);
        },
    );
    // A sidecar whose source was renamed away.
    fs::write(
        root.join("news/old-name.txt.ron"),
        "(format: \"marginalia\", version: \"1.0\")",
    )
    .unwrap();

    let report = check_corpus(root).unwrap();
    assert!(!report.is_clean());
    let ids = |p: Problem| -> Vec<String> { report.of(p).filter_map(|f| f.id.clone()).collect() };
    assert_eq!(ids(Problem::QuoteMismatch), ["p2"]);
    assert_eq!(ids(Problem::DanglingSpeaker), ["c1"]);
    let mut dangling = ids(Problem::DanglingRelation);
    dangling.sort();
    assert_eq!(dangling, ["r1", "r2", "r3"], "{:#?}", report.findings);
    // r1 of the Clinton file is the local one; r1 of the other file is fine.
    let dangling_files: Vec<&str> = report
        .of(Problem::DanglingRelation)
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(dangling_files.iter().filter(|f| **f == clinton_rel).count(), 1);
    assert_eq!(ids(Problem::OutOfRange), ["x2"]);
    assert_eq!(ids(Problem::NotInTagSet), ["x2"]);
    let missing: Vec<&str> = report
        .of(Problem::MissingSource)
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(missing, ["news/old-name.txt.ron"]);

    let (code, out, _) = check(root);
    assert_eq!(code, 1, "{out}");
    // Grouped by file: each file is a heading followed by its findings.
    let clinton_at = out
        .find(&format!("\n{clinton_rel}\n"))
        .expect("heading for the Clinton file");
    let other_at = out
        .find(&format!("\n{other}\n"))
        .expect("heading for the other file");
    assert!(clinton_at < other_at, "natural order: 000 before 001\n{out}");
    assert!(out.contains("[quote_mismatch] annotation p2 stores the quote \"Pak Sun-young\" but the text there is \"Pak Sun-Young\""), "{out}");
    assert!(
        out.contains("[dangling_speaker] claim c1 names the speaker gone"),
        "{out}"
    );
    assert!(
        out.contains("[missing_source] the source news/old-name.txt is missing"),
        "{out}"
    );
    assert!(out.contains("relation r3 points to annotation p1 in news/missing.txt, but news/missing.txt does not exist in this folder"), "{out}");
    assert!(out.contains("ends past the end of the text"), "{out}");
    assert!(out.trim_end().ends_with("(problems found)"), "{out}");
}

#[test]
fn parse_errors_name_the_line_and_future_versions_are_named() {
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("b.txt", b"Other text")]);
    let root = dir.path();
    fs::write(
        root.join("a.txt.ron"),
        "(\n  format: \"marginalia\",\n  version: \"1.0\",\n  annotations: [(id: ]\n)",
    )
    .unwrap();
    fs::write(
        root.join("b.txt.ron"),
        "(format: \"marginalia\", version: \"2.0\", annotations: [])",
    )
    .unwrap();
    let report = check_corpus(root).unwrap();
    let parse: Vec<_> = report.of(Problem::Parse).collect();
    assert_eq!(parse.len(), 1);
    assert_eq!((parse[0].file.as_str(), parse[0].line), ("a.txt", 4));
    assert!(parse[0].column > 0);
    assert_eq!(report.of(Problem::FutureVersion).count(), 1);
    let (code, out, _) = check(root);
    assert_eq!(code, 1);
    assert!(out.contains("[parse_error] line 4, column"), "{out}");
    assert!(out.contains("a.txt.ron: "), "{out}");
    assert!(
        out.contains("[future_version] b.txt.ron: it was written by a newer Marginalia"),
        "{out}"
    );
}

#[test]
fn an_invalid_corpus_tag_set_is_an_error_with_its_line() {
    let dir = common::corpus(&[
        ("a.txt", b"Hello"),
        ("marginalia.ron", b"(labels: [\n (name: \"A\", colour: \"red\", kind: Entity),\n (name: \"B\", colour: \"mauve\", kind: Entity),\n])"),
    ]);
    let report = check_corpus(dir.path()).unwrap();
    let f: Vec<_> = report.of(Problem::TagSet).collect();
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].file.as_str(), f[0].line, f[0].severity),
        ("marginalia.ron", 3, Severity::Error)
    );
    let (code, out, _) = check(dir.path());
    assert_eq!(code, 1);
    assert!(out.starts_with("Checking"), "{out}");
    assert!(
        out.contains("\nmarginalia.ron\n  error   [tag_set] line 3"),
        "{out}"
    );
    assert!(out.contains("mauve"), "{out}");
}

#[test]
fn labels_are_checked_against_the_corpus_tag_set() {
    let dir = common::corpus(&[
        ("a.txt", b"Hello world"),
        (
            "marginalia.ron",
            b"(labels: [(name: \"GREETING\", colour: \"red\", kind: Entity)], relations: [\"echoes\"])",
        ),
    ]);
    annotate(dir.path(), "a.txt", "Hello world", |doc, data| {
        data.annotations
            .push(common::entity(doc, "g", "Hello", 0, "GREETING"));
        data.annotations
            .push(common::entity(doc, "p", "world", 0, "PERSON"));
    });
    let report = check_corpus(dir.path()).unwrap();
    assert_eq!(report.tagset_source, "marginalia.ron");
    let ids: Vec<_> = report
        .of(Problem::NotInTagSet)
        .filter_map(|f| f.id.as_deref())
        .collect();
    assert_eq!(ids, ["p"]);
}

#[test]
fn orphans_and_pending_reanchoring_are_reported() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    annotate(dir.path(), "a.txt", &text, |doc, data| {
        data.annotations
            .push(common::entity(doc, "keep", "Hillary Clinton", 0, "PERSON"));
        data.annotations
            .push(common::entity(doc, "lose", "14-month old infant", 0, "GROUP"));
    });
    fs::write(
        dir.path().join("a.txt"),
        format!("New intro.\n{}", text.replace("14-month old infant", "baby")),
    )
    .unwrap();
    let report = check_corpus(dir.path()).unwrap();
    let changed: Vec<_> = report.of(Problem::SourceChanged).collect();
    assert_eq!(changed.len(), 1);
    assert!(
        changed[0]
            .message
            .contains("moves 1 annotation and cannot place 1 annotation"),
        "{}",
        changed[0].message
    );
    let orphans: Vec<_> = report
        .of(Problem::Orphaned)
        .filter_map(|f| f.id.as_deref())
        .collect();
    assert_eq!(orphans, ["lose"]);
    // Checking writes nothing: the sidecar still has the old positions.
    assert!(corpus::load(dir.path(), "a.txt").unwrap().reanchor.is_some());
    let (code, out, _) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[orphaned] annotation lose (\"14-month old infant\")"),
        "{out}"
    );

    // Once opened and saved, the orphan is stored as such and still reported.
    let mut loaded = corpus::load(dir.path(), "a.txt").unwrap();
    corpus::save_loaded(dir.path(), &mut loaded).unwrap();
    let report = check_corpus(dir.path()).unwrap();
    assert_eq!(report.of(Problem::SourceChanged).count(), 0);
    let orphans: Vec<_> = report
        .of(Problem::Orphaned)
        .filter_map(|f| f.id.as_deref())
        .collect();
    assert_eq!(orphans, ["lose"]);
}

#[test]
fn odd_sources_are_notes_not_failures() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Grüße\r\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let dir = common::corpus(&[
        (
            "latin1.txt",
            b"Caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu, na\xefve",
        ),
        ("utf16.txt", &utf16),
        ("bom.txt", b"\xEF\xBB\xBFplain\r\n"),
        ("empty.txt", b""),
        ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ]);
    let (code, out, err) = check(dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("\nlatin1.txt\n  note    [encoding] not UTF-8; read as windows-1252 (a guess)"),
        "{out}"
    );
    assert!(
        out.contains("\nutf16.txt\n  note    [encoding] read as UTF-16LE"),
        "{out}"
    );
    assert!(
        out.contains("\nimage.txt\n  note    [not_text] not a text file (it contains NUL bytes)"),
        "{out}"
    );
    assert!(
        !out.contains("bom.txt"),
        "a UTF-8 BOM is nothing to report\n{out}"
    );
    assert!(!out.contains("empty.txt"), "{out}");
    assert!(
        out.contains("5 documents, 0 annotation files, 0 annotations: 0 errors, 0 warnings, 3 notes (clean)"),
        "{out}"
    );

    // Annotations on decoded text: CRLF counts as two code points, and check agrees.
    annotate(dir.path(), "utf16.txt", "Grüße\r\n", |doc, data| {
        data.annotations
            .push(common::entity(doc, "g", "Grüße", 0, "MISC"));
    });
    let crlf: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "a\r\nb\r\nHillary Clinton"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    fs::write(dir.path().join("crlf.txt"), &crlf).unwrap();
    annotate(
        dir.path(),
        "crlf.txt",
        "a\r\nb\r\nHillary Clinton",
        |doc, data| {
            let p = common::entity(doc, "p", "Hillary Clinton", 0, "PERSON");
            assert_eq!(p.spans[0].start, 6);
            data.annotations.push(p);
        },
    );
    let report = check_corpus(dir.path()).unwrap();
    assert!(report.is_clean(), "{:#?}", report.findings);
    assert_eq!(report.annotations, 2);
    // Shift the stored span by one, as a tool counting CRLF as one character would: caught.
    let side = dir.path().join("crlf.txt.ron");
    let src = fs::read_to_string(&side)
        .unwrap()
        .replace("(start: 6, end: 21)", "(start: 4, end: 19)");
    fs::write(&side, src).unwrap();
    let (code, out, _) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[quote_mismatch] annotation p stores the quote \"Hillary Clinton\""),
        "{out}"
    );
    fs::remove_file(&side).unwrap();

    // A binary source that has annotations is an error: they cannot be placed.
    fs::write(
        dir.path().join("image.txt.ron"),
        "(format: \"marginalia\", version: \"1.0\")",
    )
    .unwrap();
    let (code, out, _) = check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error   [not_text]"), "{out}");
}

#[test]
fn usage_errors_exit_2_and_say_what_to_do() {
    let out = run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("which folder?"));
    let out = run(&["check", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/folder") && err.contains("does not exist"),
        "{err}"
    );
    let out = run(&["stats", "a", "b"]);
    assert_eq!(out.status.code(), Some(2));
    let file = common::seed_path(common::CLINTON);
    let out = run(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a file, not a folder"));
    let out = run(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: marginalia check FOLDER"));
}

#[test]
fn garbage_sidecars_never_crash_check_or_stats() {
    let dir = common::corpus(&[("a.txt", b"Hello world")]);
    let garbage: &[&[u8]] = &[
        b"",
        b"(",
        b"\xff\xfe\x00",
        b"(format: \"marginalia\", version: \"x.y\")",
        b"(format: \"other\", version: \"1.0\")",
        b"(format: \"marginalia\", version: \"1.0\", annotations: [(id: \"a\", spans: [(start: 9, end: 2)], label: \"MISC\", kind: Claim((speaker: Entity(\"a\"), cue: Some((span: (start: 50, end: 1), quote: \"x\")))))])",
        b"(format: \"marginalia\", version: \"1.0\", source_hash: \"nope\", annotations: [(id: \"a\", spans: [(start: 3, end: 5), (start: 1, end: 2)], quote: \"lo H\", label: \"MISC\", kind: Entity())])",
        b"[1, 2, 3]",
        b"/* unterminated",
    ];
    for g in garbage {
        fs::write(dir.path().join("a.txt.ron"), g).unwrap();
        let report = check_corpus(dir.path()).unwrap();
        assert!(
            !report.is_clean(),
            "{:?} passed as clean",
            String::from_utf8_lossy(g)
        );
        let (code, out, err) = check(dir.path());
        assert_eq!(code, 1, "{out}{err}");
        let st = run(&["stats", dir.path().to_str().unwrap()]);
        assert_eq!(st.status.code(), Some(0));
    }
}

#[test]
fn stats_count_labels_speakers_and_statuses() {
    let dir = seeded();
    fs::write(dir.path().join("news/zz-binary.txt"), b"\0\0\0").unwrap();
    let st = corpus_stats(dir.path()).unwrap();
    assert_eq!(st.documents, 6);
    assert_eq!(st.not_text, 1);
    assert_eq!(st.annotations, 6);
    assert_eq!(st.relations, 1);
    assert_eq!(st.per_label["PERSON"], 2);
    assert_eq!(st.per_label["PLACE"], 1);
    assert_eq!(st.per_label["CLAIM"], 3);
    assert_eq!(st.claims_per_speaker["Hillary Clinton"], 1);
    assert_eq!(st.claims_per_speaker["author"], 1);
    assert_eq!(st.claims_per_speaker["unknown"], 1);
    assert_eq!(st.per_status[&Status::InProgress], 1);
    assert_eq!(st.per_status[&Status::NotStarted], 4);
    assert_eq!(st.per_status[&Status::Done], 0);

    let out = run(&["stats", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Documents: 6 (1 not text or not readable)"),
        "{text}"
    );
    assert!(
        text.contains("\nAnnotations per label\n  CLAIM        3\n  PERSON       2\n  PLACE        1\n"),
        "{text}"
    );
    assert!(text.contains("  Hillary Clinton       1"), "{text}");
    assert!(text.contains("  in progress       1"), "{text}");
}

#[test]
fn stats_use_the_canonical_id_of_a_speaker_when_there_is_one() {
    let dir = common::corpus(&[("a.txt", b"Clinton said it. Clinton said that.")]);
    annotate(
        dir.path(),
        "a.txt",
        "Clinton said it. Clinton said that.",
        |doc, data| {
            let mut p = common::entity(doc, "p", "Clinton", 0, "PERSON");
            p.kind = Kind::Entity {
                canonical: Some("wikidata:Q6294".into()),
            };
            data.annotations.push(p);
            data.annotations
                .push(common::entity(doc, "q", "Clinton", 1, "PERSON"));
            for (id, needle, who) in [("c1", "it", "p"), ("c2", "that", "q")] {
                let mut c = common::claim(doc, id, needle, Speaker::Entity(who.into()), None);
                c.kind = Kind::Claim(Box::new(Claim {
                    speaker: Speaker::Entity(who.into()),
                    ..Claim::default()
                }));
                data.annotations.push(c);
            }
        },
    );
    let st = corpus_stats(dir.path()).unwrap();
    assert_eq!(st.claims_per_speaker["wikidata:Q6294"], 1);
    assert_eq!(st.claims_per_speaker["Clinton"], 1);
}
