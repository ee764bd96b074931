//! The real binary's export and import options: `--out -`, options given
//! twice, `--help`, the same exit for a missing folder everywhere, `--base-uri`
//! and `--csv-formulas`.

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn out_dash_writes_a_single_file_format_to_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    for format in ["jsonl", "csv", "conll", "w3c"] {
        // Named like the collection of a stream, so both W3C exports have one id.
        let file = tmp.path().join(format).join("annotations.jsonld");
        std::fs::create_dir(file.parent().unwrap()).unwrap();
        let mut args = vec!["export", s(&root), "--format", format, "--out", s(&file)];
        if format == "w3c" {
            args.extend(["--base-uri", "https://example.org/c/"]);
        }
        let o = marginalia(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let written = std::fs::read(&file).unwrap();
        args[5] = "-";
        let o = marginalia(&args);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert_eq!(o.stdout, written, "{format}");
        // The summary goes to standard error, out of the data's way.
        assert!(stderr(&o).contains("exported 6 document(s)") && stderr(&o).contains("standard output"));
    }
    let o = marginalia(&["export", s(&root), "--format", "brat", "--out", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot go to standard output"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    // Under --strict with a skip, nothing reaches standard output either.
    std::fs::write(root.join("001_ae94bf7b73027a13.txt.ron"), "(format: ").unwrap();
    let o = marginalia(&["export", s(&root), "--out", "-", "--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn an_option_given_twice_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("x.jsonl");
    for args in [
        vec!["--format", "jsonl", "--format", "jsonl"],
        vec!["--format", "csv", "--format", "w3c"],
        vec!["--out", "-"],
    ] {
        let mut all = vec!["export", s(&root), "--out", s(&out)];
        all.extend(args);
        let o = marginalia(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(stderr(&o).contains("given twice"), "{}", stderr(&o));
        assert!(!out.exists());
    }
    let o = marginalia(&["import", "jsonl", "f.jsonl", "--into", "a", "--into", "b"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("given twice"), "{}", stderr(&o));
}

#[test]
fn help_lists_every_option_the_formats_the_input_kinds_and_the_exit_codes() {
    let o = marginalia(&["export", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for word in [
        "--format",
        "--out",
        "--only-done",
        "--force",
        "--strict",
        "--base-uri",
        "--csv-formulas",
        "--help",
        "jsonl",
        "brat",
        "conll",
        "w3c",
        "csv",
        "standard output",
        "Exit status",
    ] {
        assert!(help.contains(word), "export --help lacks {word}:\n{help}");
    }
    for code in ["0", "1", "2", "3"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code}  "))),
            "{code}:\n{help}"
        );
    }
    // Every option the help names is one the parser takes.
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    for flag in help.split_whitespace().filter(|w| w.starts_with("--")) {
        let flag = flag.trim_end_matches([',', '.']);
        let o = marginalia(&["export", s(&root), flag]);
        assert!(!stderr(&o).contains("unknown option"), "{flag}: {}", stderr(&o));
    }

    let o = marginalia(&["import", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for word in [
        "brat",
        "jsonl",
        "--into",
        "doccano",
        "spaCy",
        "Prodigy",
        "Marginalia JSONL",
        "annotation.conf",
        "Exit status",
    ] {
        assert!(help.contains(word), "import --help lacks {word}:\n{help}");
    }
    for code in ["0", "1", "2", "3"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code}  "))),
            "{code}:\n{help}"
        );
    }
}

#[test]
fn a_missing_folder_exits_the_same_way_for_every_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let missing = tmp.path().join("no such folder");
    let m = s(&missing);
    let out = tmp.path().join("out.jsonl");
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("check", vec!["check", m]),
        ("stats", vec!["stats", m]),
        ("claims", vec!["claims", m]),
        ("export", vec!["export", m, "--out", s(&out)]),
        ("agree", vec!["agree", s(&root), m]),
        ("import", vec!["import", "brat", m, "--into", s(&out)]),
    ];
    for (cmd, args) in runs {
        let o = marginalia(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!("marginalia {cmd}: the folder {m} does not exist; check the path\n"),
            "{cmd}"
        );
    }
    assert!(!out.exists());
    let o = marginalia(&["import", "jsonl", m, "--into", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!("marginalia import: the file {m} does not exist; check the path\n")
    );
}

#[test]
fn base_uri_is_checked_and_belongs_to_w3c() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let out = tmp.path().join("x.jsonld");
    for (base, why) in [
        ("corpus/", "not an absolute URI"),
        ("https://example.org/a b/", "%20"),
        ("https://example.org/?page=1", "query or fragment"),
    ] {
        let o = marginalia(&[
            "export",
            s(&root),
            "--format",
            "w3c",
            "--out",
            s(&out),
            "--base-uri",
            base,
        ]);
        assert_eq!(o.status.code(), Some(2), "{base}");
        assert!(stderr(&o).contains(why), "{base}: {}", stderr(&o));
    }
    let o = marginalia(&[
        "export",
        s(&root),
        "--out",
        s(&out),
        "--base-uri",
        "https://example.org/",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("w3c format only"), "{}", stderr(&o));
    let o = marginalia(&["export", s(&root), "--out", s(&out), "--csv-formulas"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("csv format only"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// A corpus of one document whose claim and metadata begin like formulas.
fn formula_corpus(dir: &Path) -> std::path::PathBuf {
    use marginalia::model::{Claim, Kind, Span};
    let root = dir.join("corpus");
    std::fs::create_dir(&root).unwrap();
    let text = "=HYPERLINK(\"http://x\",\"y\") said -5 refugees, @all";
    std::fs::write(root.join("a.txt"), text).unwrap();
    let doc = marginalia::model::Document::new("a.txt", text);
    let mut data = marginalia::model::DocAnnotations::default();
    let claim = Kind::Claim(Box::new(Claim {
        proposition: Some("+p".into()),
        ..Default::default()
    }));
    let n = doc.len_chars();
    data.annotations.push(export_support::ann(
        &doc,
        "c1",
        vec![Span::new(0, n)],
        "CLAIM",
        claim,
    ));
    data.meta.outlet = "@outlet".into();
    data.meta.title = "\tTitle".into();
    data.meta.language = "en".into();
    let side = marginalia::store::corpus::sidecar_path(&root.join("a.txt"));
    let version = (
        marginalia::store::sidecar::MAJOR,
        marginalia::store::sidecar::MINOR,
    );
    std::fs::write(side, marginalia::store::corpus::render(&doc, &data, version)).unwrap();
    root
}

#[test]
fn csv_cells_that_start_like_formulas_are_guarded_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = formula_corpus(tmp.path());
    let o = marginalia(&["export", s(&root), "--format", "csv", "--out", "-"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let row = csv.split("\r\n").nth(1).unwrap();
    assert!(
        row.starts_with("a.txt,c1,CLAIM,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\") said -5 refugees, @all\","),
        "{row}"
    );
    assert!(row.contains(",'+p,"), "{row}");
    // Offsets stay numbers; the metadata columns come next, then the (empty) origin.
    assert!(row.ends_with(",0,49,'\tTitle,'@outlet,,,,en,"), "{row}");
    let o = marginalia(&[
        "export",
        s(&root),
        "--format",
        "csv",
        "--out",
        "-",
        "--csv-formulas",
    ]);
    let row = stdout(&o).split("\r\n").nth(1).unwrap().to_owned();
    assert!(row.starts_with("a.txt,c1,CLAIM,\"=HYPERLINK("), "{row}");
    assert!(row.ends_with(",0,49,\tTitle,@outlet,,,,en,"), "{row}");
    // The claims comparison's CSV follows the same rule.
    let o = marginalia(&["claims", s(&root), "--csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let row = stdout(&o).split("\r\n").nth(1).unwrap().to_owned();
    assert!(
        row.contains(",'@outlet,") && row.contains("\"'=HYPERLINK("),
        "{row}"
    );
    let o = marginalia(&["claims", s(&root), "--csv", "--csv-formulas"]);
    let row = stdout(&o).split("\r\n").nth(1).unwrap().to_owned();
    assert!(
        row.contains(",@outlet,") && row.contains("\"=HYPERLINK("),
        "{row}"
    );
}
