//! The real `marginalia export` / `marginalia import` binary: destinations,
//! skips and exit statuses.

mod brat_support;
mod export_support;

use std::path::Path;
use std::process::{Command, Output};

fn marginalia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn existing_destination_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("out.jsonl");
    std::fs::write(&out, "keep me").unwrap();
    let o = marginalia(&["export", s(&root), "--format", "jsonl", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already exists") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");

    let o = marginalia(&[
        "export",
        s(&root),
        "--format",
        "jsonl",
        "--out",
        s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 6);
}

#[test]
fn export_inside_the_corpus_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    for out in [
        root.join("export.jsonl"),
        root.join("extra/../x.csv"),
        root.join("new-folder/brat"),
    ] {
        let o = marginalia(&["export", s(&root), "--format", "csv", "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("inside the corpus folder"), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn unwritable_destination_gets_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("no-such-folder/out.jsonl");
    let o = marginalia(&["export", s(&root), "--format", "jsonl", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot write") && stderr(&o).contains("no-such-folder"),
        "{}",
        stderr(&o)
    );
    // A file where a folder should be.
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let o = marginalia(&[
        "export",
        s(&root),
        "--format",
        "brat",
        "--out",
        s(&file.join("brat")),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write") && stderr(&o).contains("plain-file"),
        "{}",
        stderr(&o)
    );
}

/// `--out /dev/null` with `--force` once replaced the device with a plain file:
/// an export renames a new file over its destination.
#[cfg(unix)]
#[test]
fn a_device_or_socket_is_never_replaced() {
    use std::os::unix::fs::FileTypeExt;

    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let sock = tmp.path().join("listening.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    for format in ["jsonl", "csv", "w3c"] {
        let o = marginalia(&[
            "export",
            s(&root),
            "--format",
            format,
            "--out",
            s(&sock),
            "--force",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("not a file"), "{}", stderr(&o));
        let meta = std::fs::symlink_metadata(&sock).unwrap();
        assert!(meta.file_type().is_socket(), "{format} replaced the socket");
    }
}

#[test]
fn corrupt_and_orphaned_documents_are_skipped_listed_and_strict_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    std::fs::write(
        root.join("001_ae94bf7b73027a13.txt.ron"),
        "(format: \"marginalia\", version: \"1.0\", annotations: [",
    )
    .unwrap();
    // Rewriting the source so that an annotation's text is gone orphans it.
    std::fs::write(
        root.join("003_2e2000c2874b0a21.txt"),
        "Nothing of the old text is left here.",
    )
    .unwrap();
    let out = tmp.path().join("out.csv");
    let o = marginalia(&["export", s(&root), "--format", "csv", "--out", s(&out)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("skipped 001_ae94bf7b73027a13.txt") && err.contains("could not be read"),
        "{err}"
    );
    assert!(
        err.contains("skipped 003_2e2000c2874b0a21.txt") && err.contains("orphaned"),
        "{err}"
    );
    assert!(err.contains("exported 4 document(s)"), "{err}");
    assert!(out.exists());

    let strict_out = tmp.path().join("strict.csv");
    let o = marginalia(&[
        "export",
        s(&root),
        "--format",
        "csv",
        "--out",
        s(&strict_out),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--strict") && stderr(&o).contains("001_ae94bf7b73027a13.txt"));
    assert!(!strict_out.exists(), "nothing is written under --strict");
    // The damaged sidecar is left as it was.
    assert!(
        std::fs::read_to_string(root.join("001_ae94bf7b73027a13.txt.ron"))
            .unwrap()
            .ends_with('[')
    );
}

#[test]
fn only_done_and_every_format_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("done.jsonl");
    let o = marginalia(&[
        "export",
        s(&root),
        "--format",
        "jsonl",
        "--out",
        s(&out),
        "--only-done",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 000, 002, 003 and 004 are done; 001 and the extra document are in progress.
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);
    for f in ["brat", "conll", "w3c", "csv"] {
        let out = tmp.path().join(format!("all.{f}"));
        let o = marginalia(&["export", s(&root), "--format", f, "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        assert!(out.exists());
    }
    let o = marginalia(&["export", s(&root), "--format", "xml", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown format \"xml\""));
}

#[test]
fn import_with_escaping_names_stays_inside_into() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("work");
    std::fs::create_dir_all(&base).unwrap();
    let file = tmp.path().join("evil.jsonl");
    let line = |path: &str| {
        format!(
            "{{\"format\": \"marginalia-jsonl/1\", \"path\": {}, \"text\": \"hi\", \"entities\": [], \"claims\": [], \"relations\": []}}",
            serde_json::to_string(path).unwrap()
        )
    };
    let evil_abs = tmp.path().join("abs-evil.txt");
    let lines = [
        line("../escaped.txt"),
        line(s(&evil_abs)),
        line("sub/../../up.txt"),
        line("ok/fine.txt"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let into = base.join("into");
    let o = marginalia(&["import", "jsonl", s(&file), "--into", s(&into)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("evil.jsonl line 1") && err.contains("only names inside the folder"),
        "{err}"
    );
    assert!(!base.join("escaped.txt").exists());
    assert!(!tmp.path().join("up.txt").exists());
    assert!(!evil_abs.exists());
    assert!(into.join("ok/fine.txt").exists());
    assert!(into.join("ok/fine.txt.ron").exists());
    // Nothing else was created beside the destination.
    let beside: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("into")]);
}

#[test]
fn brat_export_then_import_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("brat");
    let o = marginalia(&["export", s(&root), "--format", "brat", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    brat_support::validate_folder(&out);
    let into = tmp.path().join("back");
    let o = marginalia(&["import", "brat", s(&out), "--into", s(&into)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before = export_support::load_all(&root);
    let after = export_support::load_all(&into);
    assert_eq!(before.len(), after.len());
    for ((d1, a1), (d2, a2)) in before.iter().zip(&after) {
        assert_eq!(d1.path, d2.path);
        if d1.text.contains('\r') {
            // CRLF became LF (brat's universal newlines); ids and fields survive.
            assert_eq!(d1.text.replace("\r\n", "\n"), d2.text);
            assert_eq!(a1.annotations.len(), a2.annotations.len());
            assert_eq!(a1.relations, a2.relations);
        } else {
            assert_eq!(d1.text, d2.text);
            assert_eq!(a1, a2, "{}", d1.path);
        }
    }
}
