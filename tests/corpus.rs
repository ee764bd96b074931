//! The corpus on disk: re-anchoring after source edits, read-only sidecars,
//! save conflicts, scanning, and decoding of odd sources.

mod common;

use std::fs;
use std::path::Path;

use marginalia::model::{DocAnnotations, Document, Speaker, Status};
use marginalia::store::corpus::{self, DiskStamp, SaveError};
use marginalia::store::decode::{NotText, decode};

/// Saves `data` for `rel` as a fresh sidecar.
fn save_new(root: &Path, doc: &Document, data: &DocAnnotations) -> DiskStamp {
    corpus::save(root, doc, data, (1, 0), &DiskStamp::default()).expect("first save")
}

/// The Clinton seed article as `a.txt` in a fresh corpus, with entities
/// `(id, quote, occurrence, label)` saved beside it: the folder, the text and
/// the annotations saved.
fn seed_with_entities(entities: &[(&str, &str, usize, &str)]) -> (tempfile::TempDir, String, DocAnnotations) {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let doc = Document::new("a.txt", text.clone());
    let mut data = DocAnnotations::default();
    for &(id, quote, nth, label) in entities {
        data.annotations.push(common::entity(&doc, id, quote, nth, label));
    }
    save_new(dir.path(), &doc, &data);
    (dir, text, data)
}

/// A person and a place in the Clinton seed article, for [`seed_with_entities`].
const TWO_ENTITIES: &[(&str, &str, usize, &str)] = &[
    ("p1", "Hillary Clinton", 0, "PERSON"),
    ("l1", "Seoul", 1, "PLACE"),
];

/// Replaces the first occurrence of `from` with `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in text");
    text.replacen(from, to, 1)
}

#[test]
fn annotations_follow_their_text_after_the_source_is_edited() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("news/a.txt", text.as_bytes())]);
    let root = dir.path();
    let doc = Document::new("news/a.txt", text.clone());
    let mut data = DocAnnotations::default();
    let clinton = common::entity(&doc, "p1", "Hillary Clinton", 0, "PERSON");
    let pak = common::entity(&doc, "p2", "Pak Sun-Young", 0, "PERSON");
    let seoul = common::entity(&doc, "l1", "Seoul", 1, "PLACE");
    let tag = common::entity(&doc, "m1", "“#savemyfriend”", 0, "MISC");
    let infant = common::entity(&doc, "n1", "14-month old infant", 0, "GROUP");
    let date = common::entity(&doc, "d1", "March 12, 2012", 0, "DATE");
    let claim = common::claim(
        &doc,
        "c1",
        "We urge every country to act according to international obligations",
        Speaker::Entity("p1".into()),
        Some("stating"),
    );
    let last = common::entity(&doc, "l2", "Chinese government has continued", 0, "ORG");
    let failed = common::claim(
        &doc,
        "c2",
        "the international community has once again failed in the battle",
        Speaker::Author,
        None,
    );
    let ties = common::entity(
        &doc,
        "e1",
        "damaging economic and political ties with China",
        0,
        "MISC",
    );
    for a in [
        &clinton, &pak, &seoul, &tag, &infant, &date, &claim, &last, &failed, &ties,
    ] {
        data.annotations.push((*a).clone());
    }
    data.sort();
    save_new(root, &doc, &data);

    // Insert before everything, insert inside an annotation's context, delete text
    // that an annotation covers, insert inside another, and add text at the end.
    let mut edited = format!("EDITOR'S NOTE: updated — ✓ 漢字 😀\r\n{text}");
    edited = edit(
        &edited,
        "South Korean lawmaker",
        "prominent South Korean lawmaker",
    );
    edited = edit(&edited, "14-month old infant", "baby");
    edited = edit(&edited, "Pak Sun-Young", "Pak Sun-Young (박선영)");
    edited = edit(
        &edited,
        "Seoul, and garnering",
        "Seoul (the capital), and garnering",
    );
    edited = edit(&edited, "“#savemyfriend”", "");
    // Inside annotations: a word inserted into one, a word deleted from another.
    edited = edit(
        &edited,
        "once again failed",
        "once again, and predictably, failed",
    );
    edited = edit(&edited, "economic and political ties", "political ties");
    edited.push_str("\nAppendix: Hillary Clinton is mentioned again here, far away.");
    fs::write(root.join("news/a.txt"), &edited).unwrap();

    let loaded = corpus::load(root, "news/a.txt").unwrap();
    assert!(loaded.read_only.is_none());
    let report = loaded
        .reanchor
        .clone()
        .expect("the source changed, so annotations were re-anchored");
    assert_eq!(
        loaded.data.annotations.len(),
        data.annotations.len(),
        "nothing is dropped"
    );
    assert!(loaded.needs_save());
    let new = &loaded.doc;
    for a in &loaded.data.annotations {
        if a.orphaned {
            continue;
        }
        assert_eq!(new.slice(a.spans[0]), a.quote, "{} is at its new place", a.id);
        assert_eq!(new.selector(&a.spans).0, a.quote);
    }
    let get = |id: &str| loaded.data.get(id).unwrap();
    // Found again where they now are (the earlier occurrence, not the appendix).
    assert_eq!(get("p1").spans[0], common::find(&new.text, "Hillary Clinton", 0));
    assert_eq!(get("p2").quote, "Pak Sun-Young");
    assert_eq!(get("l1").spans[0], common::find(&new.text, "Seoul", 1));
    let inserted = "EDITOR'S NOTE: updated — ✓ 漢字 😀\r\n".chars().count();
    assert_eq!(get("d1").spans[0].start, date.spans[0].start + inserted);
    assert_eq!(
        get("l2").spans[0],
        common::find(&new.text, "Chinese government has continued", 0)
    );
    let c = get("c1").claim().unwrap();
    assert_eq!(c.speaker, Speaker::Entity("p1".into()));
    let cue = c.cue.as_ref().expect("the cue survived");
    assert_eq!(new.slice(cue.span), "stating");
    assert_eq!(
        get("c2").quote,
        "the international community has once again, and predictably, failed in the battle"
    );
    assert_eq!(get("e1").quote, "damaging political ties with China");
    assert!(!get("c2").orphaned && !get("e1").orphaned);
    // The destroyed ones are kept, flagged, with their old quote for the analyst.
    for id in ["n1", "m1"] {
        assert!(get(id).orphaned, "{id} should be orphaned");
        assert!(report.orphaned.iter().any(|o| o == id));
    }
    assert_eq!(get("n1").quote, "14-month old infant");
    assert!(!get("p1").orphaned);
    assert!(report.moved.iter().any(|m| m == "p1"));

    // Saving the result and loading again is stable: nothing moves any more.
    let mut loaded = loaded;
    corpus::save_loaded(root, &mut loaded).unwrap();
    assert!(!loaded.needs_save(), "saved, so nothing is pending");
    let again = corpus::load(root, "news/a.txt").unwrap();
    assert_eq!(again.data, loaded.data);
    let orphans = again.data.annotations.iter().filter(|a| a.orphaned).count();
    assert_eq!(orphans, 2);
}

#[test]
fn a_changed_word_inside_a_long_quote_is_found_by_its_context() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let doc = Document::new("a.txt", text.clone());
    let long =
        "The government did, however, pass a resolution calling on China not to repatriate the refugees";
    let mut data = DocAnnotations::default();
    data.annotations.push(common::entity(&doc, "q1", long, 0, "MISC"));
    save_new(root, &doc, &data);

    let edited = edit(&text, "pass a resolution calling", "adopt a resolution calling");
    fs::write(root.join("a.txt"), &edited).unwrap();
    let loaded = corpus::load(root, "a.txt").unwrap();
    let a = loaded.data.get("q1").unwrap();
    assert!(
        !a.orphaned,
        "a one-word change with intact context is found again"
    );
    let expected = long.replace("pass a", "adopt a");
    assert_eq!(a.quote, expected);
    assert_eq!(loaded.doc.slice(a.spans[0]), expected);
    assert_eq!(a.spans[0], common::find(&edited, &expected, 0));

    // An export reads the changed text with context, and places it as an editor would.
    let exported = exported_a(root);
    assert_eq!(exported.data, corpus::load_to_read(root, "a.txt").unwrap().data);
    assert!(!exported.data.get("q1").unwrap().prefix.is_empty());
}

#[test]
fn an_export_of_unchanged_text_reads_the_same_annotations() {
    let (dir, _, _) = seed_with_entities(TWO_ENTITIES);
    let root = dir.path();

    let full = corpus::load_to_read(root, "a.txt").unwrap();
    let exported = exported_a(root);
    assert!(exported.reanchor.is_none() && exported.read_only.is_none());
    assert_eq!(exported.data.annotations.len(), 2);
    assert_eq!(exported.data, full.data);
}

#[test]
fn an_export_places_spans_past_the_end_as_an_editor_would() {
    let (dir, _, data) = seed_with_entities(TWO_ENTITIES);
    let root = dir.path();
    // A sidecar for this very text whose span was damaged by hand: re-anchoring
    // needs the context an export otherwise reads past.
    let side = root.join("a.txt.ron");
    let s = data.get("p1").unwrap().spans[0];
    let text = fs::read_to_string(&side).unwrap();
    let was = format!("(start: {}, end: {})", s.start, s.end);
    assert!(text.contains(&was), "{text}");
    fs::write(&side, text.replace(&was, "(start: 999990, end: 999995)")).unwrap();

    let full = corpus::load_to_read(root, "a.txt").unwrap();
    assert!(full.reanchor.is_some());
    let exported = exported_a(root);
    assert_eq!(exported.data, full.data);
    assert!(
        exported.data.annotations.iter().all(|a| !a.prefix.is_empty()),
        "read in full"
    );
}

#[test]
fn discontinuous_annotations_move_together() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let doc = Document::new("a.txt", text.clone());
    let spans = vec![
        common::find(&text, "U.S. Secretary", 0),
        common::find(&text, "Hillary Clinton", 0),
    ];
    let mut data = DocAnnotations::default();
    data.annotations.push(common::ann(
        &doc,
        "t1",
        spans,
        "PERSON",
        marginalia::model::Kind::entity(),
    ));
    save_new(root, &doc, &data);
    fs::write(root.join("a.txt"), format!("Intro.\n\n{text}")).unwrap();
    let loaded = corpus::load(root, "a.txt").unwrap();
    let a = loaded.data.get("t1").unwrap();
    assert!(!a.orphaned);
    assert_eq!(a.quote, "U.S. Secretary Hillary Clinton");
    assert_eq!(loaded.doc.slice(a.spans[0]), "U.S. Secretary");
    assert_eq!(loaded.doc.slice(a.spans[1]), "Hillary Clinton");
}

fn assert_read_only_and_untouched(sidecar: &[u8], expect_in_message: &[&str]) {
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("a.txt.ron", sidecar)]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    let why = loaded
        .read_only
        .clone()
        .expect("a damaged or newer sidecar makes the document read-only");
    assert!(why.contains("a.txt.ron"), "{why}");
    for s in expect_in_message {
        assert!(why.contains(s), "{s:?} not in {why}");
    }
    assert!(!loaded.needs_save());
    // Any attempt to save is refused and the bytes stay as they were.
    loaded.data.status = Status::Done;
    let e = corpus::save_loaded(root, &mut loaded).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    // Even a caller that ignores `read_only` and calls `save` with the loaded stamp.
    let e = corpus::save(root, &loaded.doc, &loaded.data, (1, 0), &loaded.stamp).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    assert!(e.to_string().contains("a.txt.ron"), "{e}");
    assert_eq!(fs::read(root.join("a.txt.ron")).unwrap(), sidecar);
}

#[test]
fn corrupt_sidecar_is_read_only_with_line_and_column() {
    let src = "(\n    format: \"marginalia\",\n    version: \"1.0\",\n    annotations: [\n        (id: \"a\", spans: [(start: 0 end: 5)]),\n    ],\n)\n";
    assert_read_only_and_untouched(src.as_bytes(), &["line 5, column", "could not be read"]);
}

#[test]
fn truncated_sidecar_is_read_only() {
    let doc = Document::new("a.txt", "Hello world");
    let mut data = DocAnnotations::default();
    data.annotations
        .push(common::entity(&doc, "e1", "Hello", 0, "PERSON"));
    let full = corpus::render(&doc, &data, (1, 0));
    assert_read_only_and_untouched(&full.as_bytes()[..full.len() / 2], &["line", "column"]);
}

#[test]
fn empty_sidecar_is_read_only() {
    assert_read_only_and_untouched(b"", &["line 1, column 1", "empty"]);
    assert_read_only_and_untouched(b"  \n\n", &["empty"]);
}

#[test]
fn non_utf8_sidecar_is_read_only() {
    assert_read_only_and_untouched(
        b"(\n format: \"marginalia\",\n note: \"caf\xe9\"\n)",
        &["line 3, column", "UTF-8"],
    );
}

#[test]
fn future_version_sidecar_is_read_only() {
    let src =
        "(format: \"marginalia\", version: \"2.0\", source: \"a.txt\", annotations: [], relations: [])\n";
    assert_read_only_and_untouched(src.as_bytes(), &["newer", "2.0", "update Marginalia"]);
}

#[test]
fn a_sidecar_changed_by_someone_else_is_a_conflict_and_left_alone() {
    let dir = common::corpus(&[("a.txt", b"Hello world")]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    loaded
        .data
        .annotations
        .push(common::entity(&loaded.doc, "e1", "Hello", 0, "PERSON"));
    corpus::save_loaded(root, &mut loaded).unwrap();
    // Another program (a colleague's git pull, an editor) rewrites the file.
    let mut theirs = corpus::load(root, "a.txt").unwrap();
    theirs.data.status = Status::Done;
    corpus::save_loaded(root, &mut theirs).unwrap();
    let their_bytes = fs::read(root.join("a.txt.ron")).unwrap();

    loaded
        .data
        .annotations
        .push(common::entity(&loaded.doc, "e2", "world", 0, "PLACE"));
    let e = corpus::save_loaded(root, &mut loaded).unwrap_err();
    match &e {
        SaveError::Conflict(p) => assert!(p.ends_with("a.txt.ron")),
        other => panic!("expected a conflict, got {other}"),
    }
    assert!(e.to_string().contains("Reload"), "{e}");
    assert_eq!(fs::read(root.join("a.txt.ron")).unwrap(), their_bytes);

    // Deleted by someone else also counts as changed.
    fs::remove_file(root.join("a.txt.ron")).unwrap();
    assert!(matches!(
        corpus::save_loaded(root, &mut theirs),
        Err(SaveError::Conflict(_))
    ));
    assert!(!root.join("a.txt.ron").exists());
    // Created by someone else while we had none.
    let mut fresh = corpus::load(root, "a.txt").unwrap();
    fs::write(
        root.join("a.txt.ron"),
        b"(format: \"marginalia\", version: \"1.0\")",
    )
    .unwrap();
    fresh.data.status = Status::InProgress;
    assert!(matches!(
        corpus::save_loaded(root, &mut fresh),
        Err(SaveError::Conflict(_))
    ));
}

#[test]
fn saving_unchanged_data_gives_identical_bytes_and_no_write() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    loaded
        .data
        .annotations
        .push(common::entity(&loaded.doc, "p1", "Hillary Clinton", 0, "PERSON"));
    corpus::save_loaded(root, &mut loaded).unwrap();
    let first = fs::read(root.join("a.txt.ron")).unwrap();
    let mut again = corpus::load(root, "a.txt").unwrap();
    assert!(again.reanchor.is_none());
    let stamp = again.stamp.clone();
    corpus::save_loaded(root, &mut again).unwrap();
    assert_eq!(again.stamp, stamp);
    assert_eq!(fs::read(root.join("a.txt.ron")).unwrap(), first);
}

#[test]
fn scan_is_recursive_natural_and_skips_hidden_and_sidecars() {
    let dir = common::corpus(&[
        ("doc10.txt", b"x"),
        ("doc2.txt", b"x"),
        ("Doc1.md", b"x"),
        ("doc2.txt.ron", b"x"),
        ("marginalia.ron", b"x"),
        ("notes.xlsx", b"x"),
        ("sub/b.text", b"x"),
        ("sub/a10.txt", b"x"),
        ("sub/a9.txt", b"x"),
        (".git/HEAD.txt", b"x"),
        (".hidden.txt", b"x"),
        ("sub/.cache/c.txt", b"x"),
        ("sub/.a.txt.ron.1.0.tmp", b"x"),
    ]);
    let root = dir.path();
    #[cfg(unix)]
    {
        // A loop back to the root and a link to a sibling folder.
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("again")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("broken.txt")).unwrap();
    }
    let rels: Vec<String> = corpus::scan(root).unwrap().into_iter().map(|e| e.rel).collect();
    let mut expected = vec![
        "Doc1.md",
        "doc2.txt",
        "doc10.txt",
        "sub/a9.txt",
        "sub/a10.txt",
        "sub/b.text",
    ];
    if cfg!(unix) {
        // `again` links to `sub`, which is listed once, under whichever name came first.
        expected.retain(|r| !r.starts_with("sub/"));
        let sub: Vec<&str> = rels
            .iter()
            .filter(|r| r.contains('/'))
            .map(String::as_str)
            .collect();
        let prefix = sub.first().map(|r| r.split('/').next().unwrap()).unwrap();
        assert_eq!(
            sub,
            ["a9.txt", "a10.txt", "b.text"].map(|n| format!("{prefix}/{n}"))
        );
        let top: Vec<&str> = rels
            .iter()
            .filter(|r| !r.contains('/'))
            .map(String::as_str)
            .collect();
        assert_eq!(top, expected);
    } else {
        assert_eq!(rels, expected);
    }
    let sidecars: Vec<String> = corpus::scan_sidecars(root)
        .unwrap()
        .into_iter()
        .map(|e| e.rel)
        .collect();
    assert_eq!(sidecars, ["doc2.txt.ron"]);
}

#[test]
fn sources_in_other_encodings_decode_and_keep_crlf() {
    // UTF-8 with BOM: the BOM is not text; CRLF stays two code points.
    let d = decode(b"\xEF\xBB\xBFone\r\ntwo").unwrap();
    assert_eq!(d.text, "one\r\ntwo");
    assert_eq!(d.text.chars().count(), 8);
    assert!(!d.guessed);
    // windows-1252 curly quotes and a Latin-1 é.
    let d = decode(b"\x93Caf\xe9\x94 \x96 na\xefve r\xe9sum\xe9 \x85").unwrap();
    assert!(d.guessed);
    assert_eq!(d.encoding, "windows-1252");
    assert_eq!(d.text, "“Café” – naïve résumé …");
    // UTF-16 with BOM, both byte orders.
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Ünï\r\n😀".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("Ünï\r\n😀".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(decode(&le).unwrap().text, "Ünï\r\n😀");
    assert_eq!(decode(&le).unwrap().encoding, "UTF-16LE");
    assert_eq!(decode(&be).unwrap().text, "Ünï\r\n😀");
    // Binary and empty.
    assert_eq!(decode(b"PK\x03\x04\0\0data"), Err(NotText::Binary));
    assert_eq!(decode(b"").unwrap().text, "");
}

#[test]
fn annotations_on_a_utf16_source_use_code_points_of_the_decoded_text() {
    let text = "Ünï\r\nHillary Clinton 😀 said so.";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let dir = common::corpus(&[("u.txt", &bytes)]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "u.txt").unwrap();
    assert_eq!(loaded.encoding, "UTF-16LE");
    assert_eq!(loaded.doc.text, text);
    let a = common::entity(&loaded.doc, "p", "Hillary Clinton", 0, "PERSON");
    assert_eq!(a.spans[0].start, 5, "CRLF counts as two code points");
    loaded.data.annotations.push(a);
    corpus::save_loaded(root, &mut loaded).unwrap();
    // The source is never rewritten; only the sidecar is created.
    assert_eq!(fs::read(root.join("u.txt")).unwrap(), bytes);
    let again = corpus::load(root, "u.txt").unwrap();
    assert!(again.reanchor.is_none());
    assert_eq!(
        again.doc.slice(again.data.annotations[0].spans[0]),
        "Hillary Clinton"
    );
}

#[test]
fn binary_sources_do_not_load() {
    let dir = common::corpus(&[("b.txt", b"\x00\x01\x02binary")]);
    let e = corpus::load(dir.path(), "b.txt").unwrap_err();
    assert!(e.to_string().contains("b.txt"), "{e}");
    assert!(e.to_string().contains("NUL"), "{e}");
}

#[test]
fn damaged_spans_in_a_sidecar_do_not_panic_on_load() {
    let src = r#"(format: "marginalia", version: "1.0", source: "a.txt", source_hash: "old",
        annotations: [
            (id: "a", spans: [(start: 9, end: 2)], quote: "xyz", label: "MISC", kind: Entity(canonical: None)),
            (id: "b", spans: [(start: 5, end: 8), (start: 1, end: 3)], quote: "abc de", label: "MISC", kind: Entity(canonical: None)),
            (id: "c", spans: [(start: 100000, end: 100004)], quote: "Hell", label: "MISC", kind: Entity(canonical: None)),
            (id: "d", spans: [], quote: "", label: "MISC", kind: Entity(canonical: None)),
        ])"#;
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("a.txt.ron", src.as_bytes())]);
    let loaded = corpus::load(dir.path(), "a.txt").unwrap();
    assert_eq!(loaded.data.annotations.len(), 4);
    let c = loaded.data.get("c").unwrap();
    assert!(!c.orphaned);
    assert_eq!(loaded.doc.slice(c.spans[0]), "Hell");
}

#[test]
fn a_sidecar_with_offsets_only_keeps_its_positions() {
    // What a simple tool might write: no quotes, no context, no hash.
    let src = r#"(format: "marginalia", version: "1.0",
        annotations: [
            (id: "a", spans: [(start: 0, end: 5)], label: "PERSON", kind: Entity(canonical: None)),
            (id: "b", spans: [(start: 6, end: 11)], label: "CLAIM",
             kind: Claim((speaker: Entity("a"), cue: Some((span: (start: 12, end: 16), quote: ""))))),
            (id: "c", spans: [(start: 40, end: 45)], label: "PLACE", kind: Entity(canonical: None)),
        ])"#;
    let dir = common::corpus(&[("a.txt", b"Hello world said Ana"), ("a.txt.ron", src.as_bytes())]);
    let loaded = corpus::load(dir.path(), "a.txt").unwrap();
    let get = |id: &str| loaded.data.get(id).unwrap();
    assert!(!get("a").orphaned);
    assert_eq!(get("a").quote, "Hello");
    assert_eq!(get("a").suffix, " world said Ana");
    assert_eq!(get("b").quote, "world");
    assert_eq!(get("b").claim().unwrap().cue.as_ref().unwrap().quote, "said");
    // Past the end of the text: nothing to keep, so it is an orphan (kept, flagged).
    assert!(get("c").orphaned);
    let report = marginalia::store::check::check_corpus(dir.path()).unwrap();
    let problems: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity != marginalia::store::check::Severity::Info)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].id.as_deref(), Some("c"));
}

#[test]
fn a_newer_minor_field_with_a_raw_identifier_is_kept() {
    let src = "(format: \"marginalia\", version: \"1.4\", r#type: 1, annotations: [], relations: [])";
    let dir = common::corpus(&[("a.txt", b"Hello"), ("a.txt.ron", src.as_bytes())]);
    let loaded = corpus::load(dir.path(), "a.txt").unwrap();
    assert_eq!(loaded.read_only, None);
    assert_eq!(loaded.data.extra["type"], "1");
    // Written back under the name RON reads it as.
    let sc = marginalia::store::sidecar::from_str(src).unwrap();
    let out = marginalia::store::sidecar::to_string(&sc);
    assert!(out.contains("    type: 1,\n"), "{out}");
    assert_eq!(marginalia::store::sidecar::from_str(&out), Ok(sc));
}

#[test]
fn a_deleted_mention_does_not_jump_to_another_mention_of_the_same_words() {
    // "China" occurs many times; annotate the one in "the chilling fate … from China in the last few weeks".
    let (dir, text, data) = seed_with_entities(&[("cn", "China", 0, "PLACE"), ("cn2", "China", 3, "PLACE")]);
    let root = dir.path();
    let edited = edit(&text, "from China in the last few weeks", "in the last few weeks");
    fs::write(root.join("a.txt"), &edited).unwrap();
    let loaded = corpus::load(root, "a.txt").unwrap();
    let cn = loaded.data.get("cn").unwrap();
    assert!(cn.orphaned, "moved to {:?} instead of being flagged", cn.spans);
    assert_eq!(
        cn.spans,
        data.get("cn").unwrap().spans,
        "an orphan keeps its old spans"
    );
    // The other mention, whose context is intact, simply moved.
    let cn2 = loaded.data.get("cn2").unwrap();
    assert!(!cn2.orphaned);
    assert_eq!(cn2.spans[0], common::find(&edited, "China", 2));
}

/// `a.txt` loaded as an export loads it: from the corpus's listing.
fn exported_a(root: &std::path::Path) -> corpus::LoadedDoc {
    let entry = corpus::scan(root)
        .unwrap()
        .into_iter()
        .find(|e| e.rel == "a.txt")
        .expect("a.txt is listed");
    corpus::load_for_export(root, &entry).unwrap()
}
