//! `marginalia check`: prints the report of [`crate::store::check`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::store::check::{CheckReport, Severity, check_corpus};

const USAGE: &str = "Usage: marginalia check FOLDER\n\
Validates the tag set and every annotation file under FOLDER.\n\
Exit status: 0 when clean (notes allowed), 1 when problems were found, 2 for usage errors.";

/// Reads the single FOLDER argument shared by `check` and `stats`; prints why on error.
pub(crate) fn folder_arg(command: &str, usage: &str, args: &[String]) -> Result<PathBuf, ExitCode> {
    match args {
        [flag] if flag == "--help" || flag == "-h" => {
            println!("{usage}");
            Err(ExitCode::SUCCESS)
        }
        [folder] if !folder.starts_with('-') => {
            let path = PathBuf::from(folder);
            super::existing_folder(command, &path)?;
            Ok(path)
        }
        [] => {
            eprintln!(
                "marginalia {command}: which folder? Give the folder that holds the documents.\n\n{usage}"
            );
            Err(ExitCode::from(2))
        }
        _ => {
            eprintln!(
                "marginalia {command}: expected exactly one folder, got: {}\n\n{usage}",
                args.join(" ")
            );
            Err(ExitCode::from(2))
        }
    }
}

/// Runs `marginalia check` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let root = match folder_arg("check", USAGE, args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match check_corpus(&root) {
        Ok(report) => {
            print!("{}", format_report(&root, &report));
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!(
                "marginalia check: cannot list {} ({e}); check that the folder exists and can be read",
                root.display()
            );
            ExitCode::from(2)
        }
    }
}

/// The report as printed: findings grouped by file, then one summary line.
pub fn format_report(root: &Path, report: &CheckReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Checking {} (tag set: {})",
        root.display(),
        report.tagset_source
    );
    for (file, findings) in report.by_file() {
        let _ = writeln!(out, "\n{file}");
        for f in findings {
            let place = match (f.line, f.column) {
                (0, _) => String::new(),
                (line, 0) => format!("line {line}: "),
                (line, column) => format!("line {line}, column {column}: "),
            };
            let _ = writeln!(
                out,
                "  {:<7} [{}] {place}{}",
                f.severity.as_str(),
                f.problem.code(),
                f.message
            );
        }
    }
    let n = |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    let verdict = if report.is_clean() {
        "clean"
    } else {
        "problems found"
    };
    let _ = writeln!(
        out,
        "\n{}, {}, {}: {}, {}, {} ({verdict})",
        n(report.documents, "document"),
        n(report.sidecars, "annotation file"),
        n(report.annotations, "annotation"),
        n(report.count(Severity::Error), "error"),
        n(report.count(Severity::Warning), "warning"),
        n(report.count(Severity::Info), "note"),
    );
    out
}
