//! Bad inputs: each is met with a plain message naming the file, and no file on
//! disk changes because of it. Cases already covered elsewhere (damaged, empty,
//! non-UTF-8 and truncated sidecars in `corpus.rs`, export destinations and
//! escaping import names in `export_cli.rs`) are not repeated here.

mod common;
mod ui_common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::formats::{ExportError, ExportOptions, Format, export_corpus, import};
use marginalia::model::{DocAnnotations, Document, TagSet};
use marginalia::store::corpus::{self, LoadError, MAX_SOURCE_BYTES};
use marginalia::store::sidecar;
use marginalia::ui::MarginaliaApp;
use marginalia::ui::reader::Selection;

/// What is on disk under `root`: bytes of small files, size and modification time
/// of large ones, link targets of symlinks (never followed).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                out.insert(rel, format!("link to {}", fs::read_link(&p).unwrap().display()));
            } else if meta.is_dir() {
                out.insert(rel, "folder".into());
                walk(root, &p, out);
            } else if meta.len() > 4_000_000 {
                out.insert(
                    rel,
                    format!("{} bytes, modified {:?}", meta.len(), meta.modified().unwrap()),
                );
            } else {
                let bytes = fs::read(&p).unwrap_or_else(|e| format!("unreadable: {e}").into_bytes());
                out.insert(rel, format!("{bytes:?}"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Runs frames for longer than the autosave delay, so anything the app would write is written.
fn idle(h: &mut Harness<'_, MarginaliaApp>) {
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(60));
        h.run_steps(1);
    }
}

fn open(h: &mut Harness<'_, MarginaliaApp>, rel: &str) {
    h.state_mut().open_document(rel);
    ui_common::wait_loaded(h);
    h.run_steps(1);
}

#[test]
fn latin1_and_utf16_sources_open_decoded_and_are_never_rewritten() {
    let latin1 = b"\x93Caf\xe9\x94 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu \x96 Hillary Clinton.\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Ünï\r\n😀 Hillary Clinton"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("BE: Hillary Clinton".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let dir = common::corpus(&[
        ("a_latin1.txt", latin1),
        ("b_utf16.txt", &utf16),
        ("c_be.txt", &utf16be),
    ]);
    let root = dir.path();
    let before = snapshot(root);
    let mut h = ui_common::harness(root);
    assert_eq!(
        h.state().session().unwrap().doc.text,
        "“Café” crème brûlée, déjà vu – Hillary Clinton.\r\n"
    );
    assert!(
        h.query_by_label_contains("Encoding: windows-1252 (guessed)")
            .is_some()
    );
    open(&mut h, "b_utf16.txt");
    assert_eq!(h.state().session().unwrap().doc.text, "Ünï\r\n😀 Hillary Clinton");
    assert!(h.query_by_label("Encoding: UTF-16LE").is_some());
    open(&mut h, "c_be.txt");
    assert!(h.query_by_label("Encoding: UTF-16BE").is_some());
    idle(&mut h);
    assert_eq!(snapshot(root), before, "opening files wrote something");

    // Annotating writes the sidecar only, in UTF-8, with offsets in code points of the decoded text.
    open(&mut h, "b_utf16.txt");
    let start = ui_common::cp_of(&h, "Hillary");
    h.state_mut().view_mut().unwrap().selection = Selection {
        anchor: start,
        focus: start + 15,
    };
    h.state_mut().apply_label("PERSON");
    ui_common::settle(&mut h);
    assert_eq!(fs::read(root.join("b_utf16.txt")).unwrap(), utf16);
    let sc = sidecar::from_bytes(&fs::read(root.join("b_utf16.txt.ron")).unwrap()).unwrap();
    assert_eq!(sc.data.annotations[0].spans[0].start, 7);
    assert_eq!(sc.data.annotations[0].quote, "Hillary Clinton");
}

#[test]
fn binary_and_empty_sources_are_named_or_shown_and_never_written() {
    let dir = common::corpus(&[
        ("a.txt", b"Hello world"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("empty.txt", b""),
    ]);
    let root = dir.path();
    let before = snapshot(root);
    let e = corpus::load(root, "image.txt").unwrap_err();
    assert!(matches!(e, LoadError::NotText(..)));
    assert!(
        e.to_string()
            .ends_with("image.txt: not a text file (it contains NUL bytes)"),
        "{e}"
    );

    let mut h = ui_common::harness(root);
    open(&mut h, "image.txt");
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(
        notice.contains("image.txt: not a text file (it contains NUL bytes)"),
        "{notice}"
    );
    assert!(notice.contains("Pick another document from the list"), "{notice}");
    assert_eq!(
        h.state().current.as_deref(),
        Some("a.txt"),
        "the shown document stays"
    );
    assert!(h.query_by_label_contains("not a text file").is_some());

    // An empty file is a document with no text: it opens and nothing can be selected in it.
    open(&mut h, "empty.txt");
    assert_eq!(h.state().current.as_deref(), Some("empty.txt"));
    assert!(h.query_by_label("0 characters (code points)").is_some());
    h.state_mut().apply_label("PERSON");
    h.run_steps(1);
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

#[test]
fn a_100_mb_source_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    {
        // Real text, written in pieces so the test never holds 100 MB itself.
        let mut f = std::io::BufWriter::new(fs::File::create(root.join("a_dump.txt")).unwrap());
        let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n";
        for _ in 0..(100_000_000 / line.len() + 1) {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    fs::write(root.join("b_small.txt"), "Hillary Clinton spoke.").unwrap();
    let size = fs::metadata(root.join("a_dump.txt")).unwrap().len();
    assert!(size >= 100_000_000 && MAX_SOURCE_BYTES < 100_000_000);
    let before = snapshot(root);

    let e = corpus::load(root, "a_dump.txt").unwrap_err();
    assert!(matches!(e, LoadError::TooLarge(_, s) if s == size), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("a_dump.txt: the file is 100 MB"), "{msg}");
    assert!(
        msg.contains("more than the 32 MB Marginalia opens; split it into smaller files"),
        "{msg}"
    );

    // The workbench starts on that document (first in the list): it says why and stays usable.
    let mut h = ui_common::harness(root);
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("a_dump.txt: the file is 100 MB"), "{notice}");
    assert!(h.state().session().is_none());
    open(&mut h, "b_small.txt");
    assert_eq!(h.state().session().unwrap().doc.text, "Hillary Clinton spoke.");
    // Exports skip it with the same reason rather than fail.
    let out = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        format: Format::Jsonl,
        out: out.path().join("x.jsonl"),
        ..Default::default()
    };
    let report = export_corpus(root, &opts, &mut |_, _| true).unwrap();
    assert_eq!(report.documents, 1);
    assert!(report.skipped[0].reason.contains("split it into smaller files"));
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

#[test]
fn a_single_line_of_a_million_characters_opens_annotates_and_saves() {
    let words = ["Pyongyang ", "refugees ", "crossed ", "北朝鮮 ", "😀 ", "rivers "];
    let tail = "Hillary Clinton";
    let mut text = String::with_capacity(1_100_000);
    let mut count = 0;
    for w in words.iter().cycle() {
        let n = w.chars().count();
        if count + n > 1_000_000 - tail.len() {
            break;
        }
        text.push_str(w);
        count += n;
    }
    text.extend(std::iter::repeat_n('x', 1_000_000 - tail.len() - count));
    text.push_str(tail);
    assert_eq!(text.chars().count(), 1_000_000);
    assert!(!text.contains('\n'));
    let dir = common::corpus(&[("long.txt", text.as_bytes())]);
    let root = dir.path();
    let mut h = ui_common::harness(root);
    assert_eq!(h.state().session().unwrap().doc.len_chars(), 1_000_000);
    // Scroll to the very end, tag the last words there, and save.
    h.state_mut().view_mut().unwrap().reader.scroll_to = Some(999_990);
    h.run_steps(3);
    h.state_mut().view_mut().unwrap().selection = Selection {
        anchor: 999_985,
        focus: 1_000_000,
    };
    h.state_mut().apply_label("PERSON");
    ui_common::settle(&mut h);
    assert_eq!(fs::read(root.join("long.txt")).unwrap(), text.as_bytes());
    let loaded = corpus::load(root, "long.txt").unwrap();
    assert!(loaded.reanchor.is_none());
    let a = &loaded.data.annotations[0];
    assert_eq!(a.spans[0].start, 999_985);
    assert_eq!(loaded.doc.slice(a.spans[0]), tail);
}

#[test]
fn mixed_cr_lf_and_crlf_line_ends_are_kept_and_each_counts() {
    let text = "one\rtwo\nthree\r\nfour\n\rfive Hillary Clinton\r";
    let dir = common::corpus(&[("m.txt", text.as_bytes())]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "m.txt").unwrap();
    assert_eq!(loaded.doc.text, text);
    let a = common::entity(&loaded.doc, "p", "Hillary Clinton", 0, "PERSON");
    // Every CR and every LF is one code point: 3+1+3+1+5+2+4+2+5 = 26.
    assert_eq!(a.spans[0].start, 26);
    loaded.data.annotations.push(a);
    corpus::save_loaded(root, &mut loaded).unwrap();
    assert_eq!(fs::read(root.join("m.txt")).unwrap(), text.as_bytes());
    let again = corpus::load(root, "m.txt").unwrap();
    assert!(again.reanchor.is_none());
    assert_eq!(
        again.doc.slice(again.data.annotations[0].spans[0]),
        "Hillary Clinton"
    );
    // The reader shows it without touching anything.
    let before = snapshot(root);
    let mut h = ui_common::harness(root);
    assert!(h.query_by_label("1 annotations").is_some());
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_skipped_by_the_scan_and_named_when_opened() {
    use std::os::unix::fs::symlink;
    let dir = common::corpus(&[("a.txt", b"Hello"), ("sub/b.txt", b"World")]);
    let root = dir.path();
    symlink("self.txt", root.join("self.txt")).unwrap();
    symlink("pong.txt", root.join("ping.txt")).unwrap();
    symlink("ping.txt", root.join("pong.txt")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink(root.join("sub"), root.join("sub/sub-again")).unwrap();
    let before = snapshot(root);
    let rels: Vec<String> = corpus::scan(root).unwrap().into_iter().map(|e| e.rel).collect();
    assert_eq!(rels, ["a.txt", "sub/b.txt"]);
    let e = corpus::load(root, "self.txt").unwrap_err();
    assert!(e.to_string().contains("self.txt: cannot read the file"), "{e}");

    let mut h = ui_common::harness(root);
    assert_eq!(h.state().ws.corpus.as_ref().unwrap().entries.len(), 2);
    open(&mut h, "ping.txt");
    let notice = h.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("ping.txt: cannot read the file"), "{notice}");
    assert_eq!(h.state().current.as_deref(), Some("a.txt"));
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

/// Removes every permission from `path`; false when that does not stop this user reading it (root).
#[cfg(unix)]
fn make_unreadable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    fs::read(path).is_err()
}

#[cfg(unix)]
#[test]
fn unreadable_sources_and_sidecars_are_named_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let doc = Document::new("b.txt", "Hello world");
    let mut data = DocAnnotations::default();
    data.annotations
        .push(common::entity(&doc, "e1", "Hello", 0, "PERSON"));
    let side = corpus::render(&doc, &data, (1, 0));
    let dir = common::corpus(&[
        ("a.txt", b"Hello world"),
        ("b.txt", b"Hello world"),
        ("b.txt.ron", side.as_bytes()),
        ("c.txt", b"Hello world"),
    ]);
    let root = dir.path();
    // A sidecar that cannot be read even by root: a folder in its place.
    fs::create_dir(root.join("c.txt.ron")).unwrap();
    let source_locked = make_unreadable(&root.join("a.txt"));
    let sidecar_locked = make_unreadable(&root.join("b.txt.ron"));
    if !source_locked || !sidecar_locked {
        eprintln!(
            "note: running as root, permissions do not stop reads; only the folder-as-sidecar case bites"
        );
    }
    let before = snapshot(root);

    let mut cases = vec!["c.txt"];
    if sidecar_locked {
        cases.push("b.txt");
    }
    for rel in cases {
        let mut loaded = corpus::load(root, rel).unwrap();
        let why = loaded
            .read_only
            .clone()
            .expect("an unreadable sidecar makes the document read-only");
        assert!(
            why.contains(&format!("{rel}.ron: cannot read the annotation file")),
            "{why}"
        );
        assert!(why.contains("reopen"), "{why}");
        loaded.data.status = marginalia::model::Status::Done;
        assert!(corpus::save_loaded(root, &mut loaded).is_err());
    }
    if source_locked {
        let e = corpus::load(root, "a.txt").unwrap_err();
        assert!(
            e.to_string()
                .contains("a.txt: cannot read the file: Permission denied"),
            "{e}"
        );
    }

    let mut h = ui_common::harness(root);
    open(&mut h, "c.txt");
    assert!(
        h.query_by_label_contains("cannot read the annotation file")
            .is_some()
    );
    h.state_mut().view_mut().unwrap().selection = Selection { anchor: 0, focus: 5 };
    h.state_mut().apply_label("PERSON");
    assert!(
        h.state()
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("read-only")
    );
    idle(&mut h);
    assert_eq!(snapshot(root), before);
    for p in ["a.txt", "b.txt.ron"] {
        fs::set_permissions(root.join(p), fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn a_sidecar_from_a_future_version_is_read_only_in_the_workbench() {
    let future = "(format: \"marginalia\", version: \"2.3\", source: \"a.txt\", annotations: [], relations: [], hologram: Some(1))\n";
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("a.txt.ron", future.as_bytes())]);
    let root = dir.path();
    let before = snapshot(root);
    let mut h = ui_common::harness(root);
    assert!(
        h.query_by_label_contains("was written by a newer version of Marginalia")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("update Marginalia to edit it")
            .is_some()
    );
    h.state_mut().view_mut().unwrap().selection = Selection { anchor: 0, focus: 5 };
    h.state_mut().apply_label("PERSON");
    h.state_mut().run(marginalia::ui::command::Command::SetStatus(
        marginalia::model::Status::Done,
    ));
    assert!(h.state().session().unwrap().data.annotations.is_empty());
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

#[test]
fn offsets_past_the_end_are_reported_and_no_annotation_is_lost() {
    let src = r#"(format: "marginalia", version: "1.0", source: "a.txt", source_hash: "sha256:old",
        annotations: [
            (id: "moved", spans: [(start: 500, end: 505)], quote: "world", prefix: "Hello ", label: "PLACE", kind: Entity(canonical: None)),
            (id: "lost", spans: [(start: 900, end: 9000)], quote: "Pyongyang", label: "PLACE", kind: Entity(canonical: None)),
        ])"#;
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("a.txt.ron", src.as_bytes())]);
    let root = dir.path();
    let before = snapshot(root);
    // Loading only reads.
    let loaded = corpus::load(root, "a.txt").unwrap();
    assert_eq!(snapshot(root), before);
    let report = loaded.reanchor.clone().unwrap();
    assert_eq!(report.moved, ["moved"]);
    assert_eq!(report.orphaned, ["lost"]);

    let mut h = ui_common::harness(root);
    assert!(
        h.query_by_label_contains(
            "1 moved to their new place, 1 could not be placed (kept and flagged orphaned"
        )
        .is_some()
    );
    // The placed annotations are written back; the one that found no place is kept, flagged.
    ui_common::settle(&mut h);
    let sc = sidecar::from_str(&fs::read_to_string(root.join("a.txt.ron")).unwrap()).unwrap();
    let moved = sc.data.get("moved").unwrap();
    assert_eq!(moved.spans[0].start, 6);
    let lost = sc.data.get("lost").unwrap();
    assert!(lost.orphaned);
    assert_eq!(lost.quote, "Pyongyang");
    assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"Hello world");
}

#[test]
fn duplicate_hotkeys_in_the_corpus_tag_set_are_named_and_the_built_in_set_is_used() {
    let tagset = "(\n labels: [\n  (name: \"A\", colour: \"red\", hotkey: Some(\"1\"), kind: Entity),\n  (name: \"B\", colour: \"blue\", hotkey: Some(\"1\"), kind: Entity),\n ],\n)\n";
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("marginalia.ron", tagset.as_bytes())]);
    let root = dir.path();
    let before = snapshot(root);
    let e = corpus::load_tagset(root).unwrap_err();
    assert!(
        e.contains("marginalia.ron: line 4: the hotkey \"1\" is given to both \"A\" and \"B\""),
        "{e}"
    );
    let mut h = ui_common::harness(root);
    assert!(
        h.query_by_label_contains("The corpus tag set was not used")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("the hotkey \"1\" is given to both")
            .is_some()
    );
    assert_eq!(h.state().ws.corpus.as_ref().unwrap().tagset, TagSet::builtin());
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}

#[test]
fn brat_offsets_that_do_not_match_the_text_are_reported_and_the_input_is_not_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("brat");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("a.txt"), "Hillary Clinton met Kim in Seoul.").unwrap();
    fs::write(
        src.join("a.ann"),
        "T1\tPERSON 0 15\tBill Clinton\nT2\tPLACE 27 32\tSeoul\nT3\tPERSON 20 200\tKim\nT4\tPERSON 23 20\tKim\n",
    )
    .unwrap();
    let before = snapshot(&src);
    let into = tmp.path().join("corpus");
    let report = import::import_brat(&src, &into).unwrap();
    assert_eq!(snapshot(&src), before);
    let lost: Vec<String> = report
        .lost
        .iter()
        .map(|l| format!("{}: {}", l.file, l.what))
        .collect();
    assert!(
        lost.contains(
            &"a.ann: T1: its text field does not match the .txt at its offsets; offsets kept".into()
        ),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .any(|l| l.starts_with("a.ann: T3: the offsets \"20 200\" are not valid")),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .any(|l| l.starts_with("a.ann: T4: the offsets \"23 20\" are not valid")),
        "{lost:?}"
    );
    let loaded = corpus::load(&into, "a.txt").unwrap();
    let quotes: Vec<&str> = loaded.data.annotations.iter().map(|a| a.quote.as_str()).collect();
    assert_eq!(quotes, ["Hillary Clinton", "Seoul"]);
}

#[test]
fn an_export_into_the_corpus_is_refused_even_with_force_and_nothing_changes() {
    let dir = common::corpus(&[("a.txt", b"Hello world"), ("sub/b.txt", b"Hi")]);
    let root = dir.path();
    let before = snapshot(root);
    for (out, format) in [
        (root.join("a.txt"), Format::Jsonl),
        (root.join("sub"), Format::Brat),
        (root.join("sub/../export.csv"), Format::Csv),
    ] {
        let opts = ExportOptions {
            format,
            out: out.clone(),
            force: true,
            ..Default::default()
        };
        let e = export_corpus(root, &opts, &mut |_, _| true).unwrap_err();
        assert!(matches!(e, ExportError::InsideCorpus(_)), "{e}");
        assert!(
            e.to_string()
                .contains("is inside the corpus folder; export somewhere outside it"),
            "{e}"
        );
    }
    assert_eq!(snapshot(root), before);
}

#[test]
fn a_sidecar_saved_with_a_byte_order_mark_is_listed_as_sound() {
    let doc = Document::new("b.txt", "Hello world");
    let mut data = DocAnnotations::default();
    data.annotations
        .push(common::entity(&doc, "e1", "Hello", 0, "PERSON"));
    let side = format!("\u{feff}{}", corpus::render(&doc, &data, (1, 0)));
    let dir = common::corpus(&[
        ("a.txt", b"Hi"),
        ("b.txt", b"Hello world"),
        ("b.txt.ron", side.as_bytes()),
    ]);
    let root = dir.path();
    let before = snapshot(root);
    let mut h = ui_common::harness(root);
    ui_common::wait_until(&mut h, "the document list's summaries", |app| {
        app.ws.corpus.as_ref().unwrap().summaries.contains_key("b.txt")
    });
    let sum = h.state().ws.corpus.as_ref().unwrap().summaries["b.txt"];
    assert!(!sum.broken, "the list marks a sound sidecar read-only");
    assert_eq!(sum.count, 1);
    h.run_steps(1);
    assert!(h.query_by_label_contains("b.txt  (1)").is_some());
    assert!(h.query_by_label_contains("read-only").is_none());
    open(&mut h, "b.txt");
    assert!(h.state().session().unwrap().read_only.is_none());
    idle(&mut h);
    assert_eq!(snapshot(root), before);
}
