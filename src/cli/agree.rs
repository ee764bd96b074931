//! `marginalia agree`: prints [`crate::agree::AgreementReport`] for two copies of a corpus.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::agree::{
    AgreementReport, Alpha, AnnSide, DisagreementKind, Kappa, Prf, UnitizingAlpha, compare_folders,
};

const USAGE: &str = "Usage: marginalia agree FOLDER_A FOLDER_B [--json]\n\
Compares two copies of the same corpus annotated by two people (same relative paths).\n\
A is the reference, B the prediction. Prints span precision/recall/F1 per label (exact and\n\
overlap matching), token-level Cohen's kappa, Krippendorff's unitizing alpha (αu) and a\n\
code-point nominal alpha, claim stance and type agreement, then the disagreements per document. --json prints the same as JSON.\n\
Exit status: 0 when the comparison ran, 1 when a folder cannot be read, 2 for usage errors\n\
and for a folder that does not exist or is a file.";

/// Longest quote shown in the text report, in characters; JSON has the whole text.
const QUOTE_CHARS: usize = 60;

/// Runs `marginalia agree` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut folders = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--json" => json = true,
            flag if flag.starts_with('-') => {
                eprintln!("marginalia agree: unknown option {flag}\n\n{USAGE}");
                return ExitCode::from(2);
            }
            folder => folders.push(PathBuf::from(folder)),
        }
    }
    let [a, b] = folders.as_slice() else {
        eprintln!(
            "marginalia agree: expected two folders (annotator A's copy, then annotator B's), got {}\n\n{USAGE}",
            folders.len()
        );
        return ExitCode::from(2);
    };
    for folder in [a, b] {
        if let Err(code) = super::existing_folder("agree", folder) {
            return code;
        }
    }
    match compare_folders(a, b) {
        Ok(report) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("marginalia agree: cannot write the report as JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", format_report(&report));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("marginalia agree: {e}");
            ExitCode::from(1)
        }
    }
}

fn num(x: Option<f64>) -> String {
    match x.map(|v| format!("{v:.3}")) {
        None => "n/a".to_owned(),
        // A tiny negative value rounds to "-0.000", which reads like a different result from 0.
        Some(s) if s == "-0.000" => "0.000".to_owned(),
        Some(s) => s,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn kappa_line(k: &Kappa, unit: &str) -> String {
    if k.kappa.is_none() && k.units > 0 {
        return format!(
            "n/a: both annotators gave all {} {unit}s the same single label, so chance agreement is 1",
            k.units
        );
    }
    format!(
        "{} ({} {unit}{}, observed agreement {}, expected by chance {})",
        num(k.kappa),
        k.units,
        if k.units == 1 { "" } else { "s" },
        num(k.observed),
        num(k.expected)
    )
}

fn alpha_line(a: &Alpha) -> String {
    if a.alpha.is_none() && a.units > 0 {
        return format!(
            "n/a: all {} code points carry the same single label for both annotators",
            a.units
        );
    }
    format!(
        "{} ({} code point{}, observed disagreement {}, expected {})",
        num(a.alpha),
        a.units,
        if a.units == 1 { "" } else { "s" },
        num(a.observed_disagreement),
        num(a.expected_disagreement)
    )
}

/// A quote on one line, shortened for the text report.
fn short(quote: &str) -> String {
    let flat: String = quote
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    if flat.chars().count() > QUOTE_CHARS {
        let head: String = flat.chars().take(QUOTE_CHARS - 1).collect();
        format!("{head}…")
    } else {
        flat
    }
}

fn spans_text(side: &AnnSide) -> String {
    side.spans
        .iter()
        .map(|s| format!("{}..{}", s.start, s.end))
        .collect::<Vec<_>>()
        .join(",")
}

fn side_text(side: &AnnSide) -> String {
    format!("{} {} \"{}\"", side.label, spans_text(side), short(&side.quote))
}

/// The report as printed: summary, per-label table, coefficients, then disagreements per document.
pub fn format_report(r: &AgreementReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Agreement between");
    let _ = writeln!(out, "  A (reference):  {}", r.folder_a);
    let _ = writeln!(out, "  B (prediction): {}", r.folder_b);
    let _ = writeln!(
        out,
        "Documents compared: {}{}",
        r.documents_compared,
        if r.warnings.is_empty() {
            String::new()
        } else {
            format!(
                " ({} warning{})",
                r.warnings.len(),
                if r.warnings.len() == 1 { "" } else { "s" }
            )
        }
    );
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for w in &r.warnings {
            let _ = writeln!(out, "  {w}");
        }
    }

    let _ = writeln!(out, "\nSpans (precision = matched/B, recall = matched/A)");
    let width = r
        .per_label
        .keys()
        .map(|k| k.chars().count())
        .chain(["overall".len(), "label".len()])
        .max()
        .unwrap_or(7);
    let head = format!(
        "  {:<width$}  {:>5} {:>5}   {:^20}   {:^20}",
        "", "", "", "exact match", "overlap match"
    );
    let _ = writeln!(out, "{}", head.trim_end());
    let _ = writeln!(
        out,
        "  {:<width$}  {:>5} {:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}",
        "label", "A", "B", "P", "R", "F1", "P", "R", "F1"
    );
    let row = |out: &mut String, name: &str, s: &crate::agree::SpanScores| {
        let (e, o): (Prf, Prf) = (s.exact(), s.overlap());
        let _ = writeln!(
            out,
            "  {name:<width$}  {:>5} {:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}",
            s.in_a,
            s.in_b,
            num(e.precision),
            num(e.recall),
            num(e.f1),
            num(o.precision),
            num(o.recall),
            num(o.f1)
        );
    };
    for (label, s) in &r.per_label {
        row(&mut out, label, s);
    }
    row(&mut out, "overall", &r.overall);

    let _ = writeln!(
        out,
        "\nCohen's kappa, word tokens labelled with their innermost entity or O:\n  {}",
        kappa_line(&r.token_kappa, "token")
    );
    let u = &r.unitizing_alpha;
    let _ = writeln!(
        out,
        "\nKrippendorff's unitizing alpha (αu), documents joined into one continuum of {} code points:",
        u.continuum_length
    );
    let unitizing_row = |out: &mut String, name: &str, a: &UnitizingAlpha| {
        if a.alpha.is_none() {
            let _ = writeln!(out, "  {name:<width$}     n/a  (neither annotator marked a unit)");
            return;
        }
        let _ = writeln!(
            out,
            "  {name:<width$}  {:>6}  (observed disagreement {:.3e}, expected {:.3e})",
            num(a.alpha),
            a.observed_disagreement,
            a.expected_disagreement
        );
    };
    for (label, a) in &u.per_label {
        unitizing_row(&mut out, label, a);
    }
    unitizing_row(&mut out, "overall", &u.overall);
    let _ = writeln!(
        out,
        "\nKrippendorff's alpha, nominal, per code point (innermost entity or O; a coding alpha, not αu):\n  {}",
        alpha_line(&r.code_point_alpha)
    );

    let c = &r.claims;
    let _ = writeln!(out, "\nClaims matched by span and label: {}", c.matched);
    if c.matched > 0 {
        let _ = writeln!(
            out,
            "  stance:     {} agree, kappa {}",
            pct(c.stance.observed),
            num(c.stance.kappa)
        );
        let _ = writeln!(
            out,
            "  claim type: {} agree, kappa {}",
            pct(c.claim_type.observed),
            num(c.claim_type.kappa)
        );
    }

    let _ = writeln!(
        out,
        "\nDisagreements (offsets in code points, start..end, end excluded)"
    );
    let mut any = false;
    for d in &r.documents {
        if d.disagreements.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(
            out,
            "\n{} ({} disagreement{}, token kappa {}, αu {})",
            d.path,
            d.disagreements.len(),
            if d.disagreements.len() == 1 { "" } else { "s" },
            num(d.token_kappa.kappa),
            num(d.unitizing_alpha.alpha)
        );
        for dis in &d.disagreements {
            let kind = dis.kind.as_str();
            match (dis.kind, &dis.a, &dis.b) {
                (DisagreementKind::OnlyA, Some(a), _) => {
                    let _ = writeln!(out, "  {kind:<17}  {}", side_text(a));
                }
                (DisagreementKind::OnlyB, _, Some(b)) => {
                    let _ = writeln!(out, "  {kind:<17}  {}", side_text(b));
                }
                (DisagreementKind::ClaimDiffers, Some(a), Some(b)) => {
                    let field = |s: &AnnSide| {
                        format!(
                            "{}/{}",
                            s.stance.map_or("-", |x| x.as_str()),
                            s.claim_type.map_or("-", |x| x.as_str())
                        )
                    };
                    let _ = writeln!(
                        out,
                        "  {kind:<17}  {} \"{}\": A {}, B {}",
                        spans_text(a),
                        short(&a.quote),
                        field(a),
                        field(b)
                    );
                }
                (_, Some(a), Some(b)) => {
                    let _ = writeln!(out, "  {kind:<17}  A {}", side_text(a));
                    let _ = writeln!(out, "  {:<17}  B {}", "", side_text(b));
                }
                _ => {}
            }
        }
    }
    if !any {
        let _ = writeln!(out, "  (none)");
    }
    out
}
