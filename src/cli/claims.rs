//! `marginalia claims`: the claims comparison of a corpus, as JSON, CSV or an
//! HTML report (see `formats::claims` and docs/claims.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::formats::claims::{to_csv, to_html, to_json};
use crate::formats::csv::Formulas;
use crate::model::comparison::{Comparison, build};
use crate::store::corpus::{read_annotations, scan, sidecar_path};
use crate::workspace::claims::doc_cells;

const USAGE: &str = "Usage: marginalia claims FOLDER [--json | --csv [FILE] | --html FILE] [--csv-formulas]\n\
Lines up what every source claims about each proposition and where they disagree.\n\
  --json          print the comparison as JSON (the default)\n\
  --csv [FILE]    one row per claim, to FILE or standard output\n\
  --html FILE     a self-contained report with each proposition's figures on one axis\n\
  --csv-formulas  with --csv: write cells that begin with = + - @ tab or carriage return as\n\
                  they are; by default a ' is put before them so spreadsheets do not run them\n\
Exit status: 0 when written, 2 for wrong arguments, a folder that does not exist or a file that cannot be written.";

enum Output {
    Json,
    Csv(Option<PathBuf>),
    Html(PathBuf),
}

/// The comparison of the corpus at `root`, its sidecars and journals as on disk.
/// Documents whose annotations cannot be read are left out and named in the
/// returned list.
pub fn comparison_of(root: &Path) -> std::io::Result<(Comparison, Vec<String>)> {
    let mut cells = Vec::new();
    let mut contradicts = Vec::new();
    let mut unreadable = Vec::new();
    for entry in scan(root)? {
        match read_annotations(&sidecar_path(&root.join(&entry.rel))) {
            Ok(Some((data, _))) => {
                let d = doc_cells(&entry.rel, &data);
                cells.extend(d.cells);
                contradicts.extend(d.contradicts);
            }
            Ok(None) => {}
            Err(e) => unreadable.push(format!("{}: {e}", entry.rel)),
        }
    }
    Ok((build(cells, &contradicts), unreadable))
}

/// Runs `marginalia claims` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let formulas = if args.iter().any(|a| a == "--csv-formulas") {
        Formulas::Keep
    } else {
        Formulas::Guard
    };
    let args: Vec<String> = args.iter().filter(|a| *a != "--csv-formulas").cloned().collect();
    let args = args.as_slice();
    let (folder, output) = match parse(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if formulas == Formulas::Keep && !matches!(output, Output::Csv(_)) {
        eprintln!("marginalia claims: --csv-formulas applies to --csv only\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let (cmp, unreadable) = match comparison_of(&folder) {
        Ok(x) => x,
        Err(e) => {
            eprintln!(
                "marginalia claims: cannot list {} ({e}); check that the folder exists and can be read",
                folder.display()
            );
            return ExitCode::from(2);
        }
    };
    for u in &unreadable {
        eprintln!("marginalia claims: left out {u}; run `marginalia check` for details");
    }
    let title = format!(
        "Claims in {}",
        folder
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| folder.display().to_string())
    );
    let (text, to) = match output {
        Output::Json => (to_json(&cmp) + "\n", None),
        Output::Csv(to) => (to_csv(&cmp, formulas), to),
        Output::Html(to) => (to_html(&cmp, &title), Some(to)),
    };
    match to {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match crate::store::atomic::write_atomic(&path, text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "marginalia claims: cannot write {} ({e}); choose a folder you can write to",
                    path.display()
                );
                ExitCode::from(2)
            }
        },
    }
}

fn parse(args: &[String]) -> Result<(PathBuf, Output), ExitCode> {
    let usage_error = |msg: &str| {
        eprintln!("marginalia claims: {msg}\n\n{USAGE}");
        Err(ExitCode::from(2))
    };
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Err(ExitCode::SUCCESS);
    }
    let Some(folder) = args.first().filter(|a| !a.starts_with('-')) else {
        return usage_error("which folder? Give the folder that holds the documents.");
    };
    let folder = super::check::folder_arg("claims", USAGE, std::slice::from_ref(folder))?;
    let output = match &args[1..] {
        [] => Output::Json,
        [f] if f == "--json" => Output::Json,
        [f] if f == "--csv" => Output::Csv(None),
        [f, path] if f == "--csv" => Output::Csv(Some(PathBuf::from(path))),
        [f, path] if f == "--html" => Output::Html(PathBuf::from(path)),
        [f] if f == "--html" => return usage_error("--html needs the file to write"),
        _ => return usage_error(&format!("unexpected arguments: {}", args[1..].join(" "))),
    };
    Ok((folder, output))
}
