//! `marginalia import`.
//!
//! Exit status: 0 when everything was imported, 3 when the import ran but some
//! documents were skipped or some brat/JSONL content could not be kept (listed
//! on stderr), 1 when the input or destination cannot be used, 2 for wrong
//! arguments and an input that does not exist.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::formats::import::{import_brat, import_jsonl, import_qdpx};

/// `marginalia import --help`.
pub const HELP: &str = "\
Usage: marginalia import brat SRC_DIR --into FOLDER
       marginalia import jsonl FILE --into FOLDER
       marginalia import qdpx FILE --into FOLDER

Brings documents and their annotations made elsewhere into the corpus FOLDER
(created when it does not exist). Existing files are never overwritten.

Input kinds:
  brat    a folder of X.txt files with X.ann beside them, and annotation.conf
          (which becomes the tag set when FOLDER has none)
  jsonl   one JSON object a line, or a JSON array of objects, or one object; each
          object is recognised on its own as
            Marginalia JSONL (what `marginalia export --format jsonl` writes), lossless
            doccano: {\"text\", \"label\" or \"labels\": [[start, end, label], ...]} or
            {\"text\", \"entities\": [...], \"relations\": [...]} (UTF-16 offsets, converted)
            spaCy / Prodigy: {\"text\", \"spans\": [{start, end, label}, ...]}, with
            Prodigy's answer, annotator and time kept
          a record's \"id\" names its document and its \"meta\" becomes the document's
          title, outlet, author, date, web address and language; every key not kept
          is reported with a count
  qdpx    a REFI-QDA project (.qdpx) from ATLAS.ti, NVivo, MAXQDA or QualCoder: codes
          become the tag set, text sources documents, selections annotations

Options:
  --into FOLDER  the corpus to import into; give it once
  -h, --help     show this text

Exit status:
  0  everything imported
  3  imported, but some documents were skipped or some content could not be kept
     (listed on standard error)
  1  the input or the destination cannot be used
  2  wrong arguments, or the input does not exist

See docs/formats.md for what each kind keeps.";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("marginalia import: {msg}\nRun `marginalia import --help` for the options.");
    ExitCode::from(super::EXIT_USAGE)
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
                _ if into.is_some() => return usage_error("--into is given twice; give it once"),
                Some(p) => into = Some(PathBuf::from(p)),
                None => return usage_error("--into needs a folder"),
            },
            "-h" | "--help" => {
                println!("{HELP}");
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
            if let Err(code) = super::existing_folder("import", &src) {
                return code;
            }
            import_brat(&src, &into)
        }
        "jsonl" => {
            if let Err(code) = super::existing_file("import", &src) {
                return code;
            }
            import_jsonl(&src, &into)
        }
        "qdpx" => {
            if let Err(code) = super::existing_file("import", &src) {
                return code;
            }
            import_qdpx(&src, &into)
        }
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
