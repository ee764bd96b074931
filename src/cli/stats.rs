//! `marginalia stats`: prints [`crate::store::stats::CorpusStats`].

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::store::stats::{CorpusStats, corpus_stats};

const USAGE: &str = "Usage: marginalia stats FOLDER\n\
Counts documents, annotations per label, claims per speaker and documents per status under FOLDER.";

/// Runs `marginalia stats` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let root = match super::check::folder_arg("stats", USAGE, args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match corpus_stats(&root) {
        Ok(st) => {
            print!("{}", format_stats(&st));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "marginalia stats: cannot list {} ({e}); check that the folder exists and can be read",
                root.display()
            );
            ExitCode::from(2)
        }
    }
}

/// The statistics as printed.
pub fn format_stats(st: &CorpusStats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Documents: {} ({} not text or not readable)",
        st.documents, st.not_text
    );
    if st.unreadable_sidecars > 0 {
        let _ = writeln!(
            out,
            "Annotation files that cannot be read: {} (not counted; run `marginalia check` for details)",
            st.unreadable_sidecars
        );
    }
    let _ = writeln!(
        out,
        "Annotations: {} ({} orphaned), relations: {}",
        st.annotations, st.orphaned, st.relations
    );
    let table = |out: &mut String, title: &str, rows: Vec<(&str, usize)>| {
        let _ = writeln!(out, "\n{title}");
        if rows.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, n) in rows {
            let pad = width - k.chars().count();
            let _ = writeln!(out, "  {k}{}  {n:>6}", " ".repeat(pad));
        }
    };
    let _ = writeln!(out, "\nDocuments per kind");
    for (kind, k) in &st.per_kind {
        let unreadable = if k.unreadable > 0 {
            format!(", {} not readable", k.unreadable)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:<8}  {:>6} documents, {} annotations{unreadable}",
            kind.as_str(),
            k.documents,
            k.annotations
        );
    }
    table(&mut out, "Annotations per label", st.labels_by_count());
    table(&mut out, "Claims per speaker", st.speakers_by_count());
    table(
        &mut out,
        "Documents per status",
        st.per_status.iter().map(|(s, n)| (s.as_str(), *n)).collect(),
    );
    out
}
