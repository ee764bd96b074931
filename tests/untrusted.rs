//! A corpus folder from someone else cannot hang, exhaust or escape: FIFOs,
//! devices, links out of the folder, names that are not UTF-8, and what killed
//! exports left behind. Commands run as the real binary under a deadline, so a
//! hang fails the test instead of stalling the suite.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use marginalia::model::{DocAnnotations, Document};
use marginalia::store::check::{Problem, check_corpus};
use marginalia::store::corpus::{self, DiskStamp, SaveError};

/// The exit status of an export that wrote everything but what it names as skipped.
const SOME_SKIPPED: i32 = 3;

/// Well beyond what any of these commands takes; a hang is a failure, not a wait.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs the binary; fails when it has not ended by the deadline (and kills it).
fn run(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run marginalia");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("marginalia {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string naming a path in a temp folder of this test.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {}",
        path.display()
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tagged(root: &Path, rel: &str, text: &str) {
    let doc = Document::new(rel, text);
    let mut data = DocAnnotations::default();
    data.annotations.push(common::entity(
        &doc,
        "e1",
        text.split(' ').next().unwrap(),
        0,
        "PERSON",
    ));
    corpus::save(root, &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
}

#[test]
fn fifos_and_devices_in_place_of_annotation_files_never_hang_a_command() {
    let dir = common::corpus(&[
        ("a.txt", b"Ana met Bo."),
        ("b.txt", b"Cy met Di."),
        ("c.txt", b"Ed."),
    ]);
    let root = dir.path();
    tagged(root, "b.txt", "Cy met Di.");
    mkfifo(&root.join("a.txt.ron"));
    mkfifo(&root.join("b.txt.ron.journal"));
    mkfifo(&root.join(marginalia::model::tagset::CORPUS_TAGSET_FILE));
    symlink("/dev/zero", root.join("c.txt.ron")).unwrap();
    let out = tempfile::tempdir().unwrap();

    let (code, stdout, stderr) = run(&["check", s(root)]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("named pipe"), "{stdout}");
    // A link to /dev/zero leads out of the corpus: neither read nor written.
    assert!(
        stdout.contains("c.txt.ron: it is a link to a file outside"),
        "{stdout}"
    );
    let (_, stdout, stderr) = run(&["stats", s(root)]);
    assert!(
        stdout.contains("Annotation files that cannot be read: 2"),
        "{stdout}{stderr}"
    );
    let jsonl = out.path().join("out.jsonl");
    let (_, stdout, stderr) = run(&["export", "--format", "jsonl", "--out", s(&jsonl), s(root)]);
    let both = format!("{stdout}{stderr}");
    assert!(both.contains("marginalia.ron"), "{both}");
    // With a sound tag set the export runs, and names what it could not read.
    fs::remove_file(root.join(marginalia::model::tagset::CORPUS_TAGSET_FILE)).unwrap();
    let (code, stdout, stderr) = run(&["export", "--format", "jsonl", "--out", s(&jsonl), s(root)]);
    let both = format!("{stdout}{stderr}");
    assert_eq!(code, SOME_SKIPPED, "{both}");
    assert!(both.contains("named pipe"), "{both}");
    assert!(both.contains("outside the corpus"), "{both}");

    // Opened as the workbench opens them: read-only with the reason, never blocking.
    let a = corpus::load(root, "a.txt").unwrap();
    assert!(
        a.read_only.as_deref().is_some_and(|w| w.contains("named pipe")),
        "{:?}",
        a.read_only
    );
    let c = corpus::load(root, "c.txt").unwrap();
    assert!(
        c.read_only
            .as_deref()
            .is_some_and(|w| w.contains("outside the corpus")),
        "{:?}",
        c.read_only
    );
    mkfifo(&root.join(marginalia::model::tagset::CORPUS_TAGSET_FILE));
    let e = corpus::load_tagset(root).unwrap_err();
    assert!(e.contains("marginalia.ron") && e.contains("named pipe"), "{e}");
}

#[test]
fn links_out_of_the_corpus_are_skipped_named_and_never_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("id_rsa");
    fs::write(&secret, "-----BEGIN PRIVATE KEY----- secret").unwrap();
    let theirs = outside.path().join("theirs.ron");
    fs::write(&theirs, "not ours").unwrap();
    let dir = common::corpus(&[("a.txt", b"Ana met Bo."), ("b.txt", b"Cy met Di.")]);
    let root = dir.path();
    symlink(&secret, root.join("notes.txt")).unwrap();
    symlink(root.join("a.txt"), root.join("same.txt")).unwrap();
    symlink(&theirs, root.join("b.txt.ron")).unwrap();

    let scanned = corpus::scan_report(root).unwrap();
    let rels: Vec<&str> = scanned.entries.iter().map(|e| e.rel.as_str()).collect();
    assert_eq!(
        rels,
        ["a.txt", "b.txt", "same.txt"],
        "a link inside the corpus is followed"
    );
    assert_eq!(scanned.skipped.len(), 1);
    assert_eq!(scanned.skipped[0].rel, "notes.txt");
    assert!(scanned.skipped[0].reason.contains("outside the corpus folder"));

    let report = check_corpus(root).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file == "notes.txt" && f.problem == Problem::Skipped),
        "{:?}",
        report.findings
    );
    let out = tempfile::tempdir().unwrap();
    for format in ["jsonl", "brat"] {
        let dest = out.path().join(format!("x.{format}"));
        let (code, stdout, stderr) = run(&["export", "--format", format, "--out", s(&dest), s(root)]);
        assert_eq!(code, SOME_SKIPPED, "{stdout}{stderr}");
        assert!(
            format!("{stdout}{stderr}").contains("notes.txt"),
            "the skipped link is named"
        );
        let mut all = String::new();
        for f in walk(&dest) {
            all.push_str(&String::from_utf8_lossy(&fs::read(f).unwrap()));
        }
        assert!(
            !all.contains("PRIVATE KEY"),
            "{format} exported a file from outside the corpus"
        );
    }

    // A sidecar linked out of the corpus is neither read nor written through.
    let b = corpus::load(root, "b.txt").unwrap();
    assert!(
        b.read_only
            .as_deref()
            .is_some_and(|w| w.contains("outside the corpus"))
    );
    let doc = Document::new("b.txt", "Cy met Di.");
    let e = corpus::save(
        root,
        &doc,
        &DocAnnotations::default(),
        (1, 0),
        &DiskStamp::default(),
    )
    .unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "not ours");
}

fn walk(p: &Path) -> Vec<std::path::PathBuf> {
    if p.is_file() {
        return vec![p.to_path_buf()];
    }
    fs::read_dir(p)
        .unwrap()
        .flat_map(|e| walk(&e.unwrap().path()))
        .collect()
}

#[test]
fn a_brat_export_never_writes_into_the_corpus_through_a_linked_subfolder() {
    let dir = common::corpus(&[("news/a.txt", b"Ana met Bo."), ("news/b.txt", b"Cy met Di.")]);
    let root = dir.path();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("brat");
    fs::create_dir(&dest).unwrap();
    symlink(root.join("news"), dest.join("news")).unwrap();
    let before = fs::read(root.join("news/a.txt")).unwrap();
    let (code, stdout, stderr) = run(&[
        "export",
        "--format",
        "brat",
        "--force",
        "--out",
        s(&dest),
        s(root),
    ]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(format!("{stdout}{stderr}").contains("link"), "{stdout}{stderr}");
    assert_eq!(fs::read(root.join("news/a.txt")).unwrap(), before);
    let names: Vec<String> = fs::read_dir(root.join("news"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn names_that_are_not_utf8_are_refused_by_name_and_never_merged() {
    use std::os::unix::ffi::OsStrExt;
    let dir = common::corpus(&[("\u{fffd}.txt", b"Replacement name."), ("ok.txt", b"Fine.")]);
    let root = dir.path();
    let bad = root.join(std::ffi::OsStr::from_bytes(b"\xff.txt"));
    if fs::write(&bad, "Latin-1 name.").is_err() {
        eprintln!("this file system refuses names that are not UTF-8; nothing to check");
        return;
    }
    let scanned = corpus::scan_report(root).unwrap();
    let rels: Vec<&str> = scanned.entries.iter().map(|e| e.rel.as_str()).collect();
    assert_eq!(rels, ["ok.txt", "\u{fffd}.txt"]);
    assert_eq!(scanned.skipped.len(), 1);
    assert_eq!(scanned.skipped[0].rel, "\\xff.txt");
    assert!(scanned.skipped[0].reason.contains("not valid UTF-8"));
    let out = tempfile::tempdir().unwrap();
    let jsonl = out.path().join("x.jsonl");
    let (code, stdout, stderr) = run(&["export", "--format", "jsonl", "--out", s(&jsonl), s(root)]);
    assert_eq!(code, SOME_SKIPPED, "{stdout}{stderr}");
    assert_eq!(fs::read_to_string(&jsonl).unwrap().lines().count(), 2);
    assert!(format!("{stdout}{stderr}").contains("\\xff.txt"));
    let brat = out.path().join("brat");
    let (code, stdout, stderr) = run(&["export", "--format", "brat", "--out", s(&brat), s(root)]);
    assert_eq!(code, SOME_SKIPPED, "{stdout}{stderr}");
}

#[test]
fn a_killed_export_leaves_staging_that_the_next_export_removes() {
    let dir = common::corpus(&[("a.txt", b"Ana met Bo.")]);
    let root = dir.path();
    let out = tempfile::tempdir().unwrap();
    // What a killed run leaves: a staging folder and a temporary file, named with
    // a process id no process has (above the largest pid Linux hands out).
    let staging = out.path().join(".brat.4294967.0.tmp");
    fs::create_dir_all(staging.join("sub")).unwrap();
    fs::write(staging.join("sub/a.ann"), "T1\tPERSON 0 3\tAna\n").unwrap();
    let temp = out.path().join(".x.jsonl.4294967.3.tmp");
    fs::write(&temp, "{").unwrap();
    // One of a process that still runs (this one) is left alone.
    let live = out.path().join(format!(".brat.{}.9.tmp", std::process::id()));
    fs::create_dir(&live).unwrap();
    let (code, ..) = run(&[
        "export",
        "--format",
        "brat",
        "--out",
        s(&out.path().join("brat")),
        s(root),
    ]);
    assert_eq!(code, 0);
    let (code, ..) = run(&[
        "export",
        "--format",
        "jsonl",
        "--out",
        s(&out.path().join("x.jsonl")),
        s(root),
    ]);
    assert_eq!(code, 0);
    assert!(
        !staging.exists(),
        "the killed export's staging folder is still there"
    );
    assert!(
        !temp.exists(),
        "the killed export's temporary file is still there"
    );
    assert!(live.exists(), "a running export's staging folder was removed");
}

#[test]
fn no_annotation_file_is_written_beside_a_deleted_source() {
    let dir = common::corpus(&[("a.txt", b"Ana met Bo.")]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    fs::remove_file(root.join("a.txt")).unwrap();
    loaded
        .data
        .annotations
        .push(common::entity(&loaded.doc, "e1", "Ana", 0, "PERSON"));
    let e = corpus::save_loaded(root, &mut loaded).unwrap_err();
    assert!(e.to_string().contains("no longer on disk"), "{e}");
    assert!(!root.join("a.txt.ron").exists());
}

#[test]
fn imports_from_a_folder_with_fifos_and_links_out_never_hang_or_read_outside() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "PRIVATE words").unwrap();
    let brat = tempfile::tempdir().unwrap();
    fs::write(brat.path().join("a.txt"), "Ana met Bo.").unwrap();
    fs::write(brat.path().join("a.ann"), "T1\tPERSON 0 3\tAna\n").unwrap();
    mkfifo(&brat.path().join("b.txt"));
    mkfifo(&brat.path().join("c.txt"));
    fs::write(brat.path().join("c.ann"), "").unwrap();
    symlink(outside.path().join("secret.txt"), brat.path().join("d.txt")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let into = out.path().join("imported");
    let (_, stdout, stderr) = run(&["import", "brat", s(brat.path()), "--into", s(&into)]);
    let both = format!("{stdout}{stderr}");
    assert!(both.contains("named pipe"), "{both}");
    assert!(both.contains("outside the brat folder"), "{both}");
    assert!(into.join("a.txt").exists(), "{both}");
    for f in walk(&into) {
        assert!(!String::from_utf8_lossy(&fs::read(f).unwrap()).contains("PRIVATE"));
    }
    let fifo = out.path().join("in.jsonl");
    mkfifo(&fifo);
    let (code, stdout, stderr) = run(&["import", "jsonl", s(&fifo), "--into", s(&out.path().join("j"))]);
    assert_ne!(code, 0);
    assert!(
        format!("{stdout}{stderr}").contains("named pipe"),
        "{stdout}{stderr}"
    );
}
