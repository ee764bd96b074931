//! `marginalia export`.
//!
//! Exit status: 0 when every document was exported, 3 when the export was
//! written but some documents were skipped (listed on stderr), 1 when nothing
//! was written (destination refused, unwritable, or `--strict` with skips),
//! 2 for wrong arguments.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::formats::{ExportOptions, Format, export_corpus};

/// Exit status when the export was written but some documents were skipped.
pub const EXIT_SKIPPED: u8 = 3;

const USAGE: &str = "usage: marginalia export FOLDER --format jsonl|brat|conll|w3c|csv|qdpx --out PATH [--only-done] [--force] [--strict]";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("marginalia export: {msg}\n{USAGE}");
    ExitCode::from(2)
}

/// Runs `marginalia export` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let mut folder: Option<PathBuf> = None;
    let mut opts = ExportOptions::default();
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => match it.next().map(|f| (f, Format::parse(f))) {
                Some((_, Some(f))) => opts.format = f,
                Some((f, None)) => return usage_error(&format!("unknown format \"{f}\"")),
                None => return usage_error("--format needs a value"),
            },
            "--out" => match it.next() {
                Some(p) => out = Some(PathBuf::from(p)),
                None => return usage_error("--out needs a path"),
            },
            "--only-done" => opts.only_done = true,
            "--force" => opts.force = true,
            "--strict" => opts.strict = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with('-') => return usage_error(&format!("unknown option {flag}")),
            path if folder.is_none() => folder = Some(PathBuf::from(path)),
            extra => return usage_error(&format!("unexpected argument {extra}")),
        }
    }
    let Some(folder) = folder else {
        return usage_error("give the corpus FOLDER to export");
    };
    let Some(out) = out else {
        return usage_error("give the destination with --out PATH");
    };
    if !folder.is_dir() {
        eprintln!(
            "marginalia export: {} is not a folder; give the corpus folder to export",
            folder.display()
        );
        return ExitCode::from(1);
    }
    opts.out = out;
    match export_corpus(&folder, &opts, &mut |_, _| true) {
        Ok(report) => {
            let summary = report.summary();
            if report.skipped.is_empty() {
                println!("{summary}");
                ExitCode::SUCCESS
            } else {
                eprintln!("{summary}");
                ExitCode::from(EXIT_SKIPPED)
            }
        }
        Err(e) => {
            eprintln!("marginalia export: {e}");
            ExitCode::from(1)
        }
    }
}
