//! `marginalia import`.
//!
//! Exit status: 0 when everything was imported, 3 when the import ran but some
//! documents were skipped or some brat/JSONL content could not be kept (listed
//! on stderr), 1 when the input or destination cannot be used, 2 for wrong arguments.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::formats::import::{import_brat, import_jsonl, import_qdpx};

const USAGE: &str = "usage: marginalia import brat SRC_DIR --into FOLDER\n       marginalia import jsonl FILE --into FOLDER\n       marginalia import qdpx FILE --into FOLDER";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("marginalia import: {msg}\n{USAGE}");
    ExitCode::from(2)
}

/// Runs `marginalia import` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let mut kind: Option<&str> = None;
    let mut src: Option<PathBuf> = None;
    let mut into: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--into" => match it.next() {
                Some(p) => into = Some(PathBuf::from(p)),
                None => return usage_error("--into needs a folder"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with('-') => return usage_error(&format!("unknown option {flag}")),
            k if kind.is_none() => kind = Some(k),
            s if src.is_none() => src = Some(PathBuf::from(s)),
            extra => return usage_error(&format!("unexpected argument {extra}")),
        }
    }
    let (Some(kind), Some(src), Some(into)) = (kind, src, into) else {
        return usage_error("give the input kind (brat, jsonl or qdpx), the input, and --into FOLDER");
    };
    let result = match kind {
        "brat" => {
            if !src.is_dir() {
                eprintln!(
                    "marginalia import: {} is not a folder; give the folder holding the .txt and .ann files",
                    src.display()
                );
                return ExitCode::from(1);
            }
            import_brat(&src, &into)
        }
        "jsonl" => import_jsonl(&src, &into),
        "qdpx" => import_qdpx(&src, &into),
        other => {
            return usage_error(&format!(
                "unknown input kind \"{other}\"; use brat, jsonl or qdpx"
            ));
        }
    };
    match result {
        Ok(report) => {
            let summary = report.summary();
            if report.is_complete() {
                println!("{summary}");
                ExitCode::SUCCESS
            } else {
                eprintln!("{summary}");
                ExitCode::from(3)
            }
        }
        Err(e) => {
            eprintln!("marginalia import: {e}");
            ExitCode::from(1)
        }
    }
}
