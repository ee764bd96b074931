//! `marginalia suggest`: the suggestions the reader would show, for every
//! document of a corpus, learned from the annotations already in it; and,
//! with `--accept-above`, written as annotations that record their origin.
//!
//! Exit status: 0 when done, 1 when the corpus's tag set, gazetteer or
//! rejections cannot be read, 2 for wrong arguments and a folder that does not
//! exist, 3 when some documents could not be read or saved (listed on stderr).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::model::annotation::{Claim, Cue, Kind, Speaker};
use crate::model::suggest::{Enabled, Learned, Origin, Suggestion, suggest};
use crate::store::corpus::{LoadedDoc, load, load_tagset, save_loaded, scan};
use crate::store::suggest_files::{GAZETTEER_FILE, REJECTIONS_FILE, load_gazetteer, load_rejections};

/// `marginalia suggest --help`.
pub const HELP: &str = "\
Usage: marginalia suggest FOLDER [--json] [--accept-above SCORE] [--only KINDS] [--annotator NAME]

Proposes annotations for every document of the corpus FOLDER, learned from the
annotations already in it: other mentions of strings tagged before (and their
variants: case, possessive, inflection, a surname after the full name, an acronym
after its expansion), mentions found by a learner trained on the tags, figures,
dates and claim cues, and the names of the corpus gazetteer (gazetteer.tsv).
Suggestions rejected in the workbench (rejected-suggestions.tsv) are left out.

Options:
  --json                print the suggestions as a JSON array of
                        {\"doc\", \"start\", \"end\", \"label\", \"score\", \"origin\"};
                        start and end count code points, end exclusive
  --accept-above SCORE  write every suggestion scoring SCORE (0 to 1) or more as an
                        annotation that records its origin, and report how many per
                        document and origin
  --only KINDS          only these kinds, comma-separated: matcher, learner,
                        detector, gazetteer (default: all)
  --annotator NAME      the name recorded on accepted annotations
                        (default: the system's user name)
  -h, --help            show this text

Without --json, prints a table: document, start-end, label, score, origin, text.

Exit status:
  0  done
  1  the tag set, the gazetteer or the rejected suggestions cannot be read
  2  wrong arguments, or the folder does not exist
  3  some documents could not be read or saved (listed on standard error)

See docs/suggestions.md for what each kind proposes and how well.";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("marginalia suggest: {msg}\nRun `marginalia suggest --help` for the options.");
    ExitCode::from(super::EXIT_USAGE)
}

/// What the arguments ask for.
struct Args {
    folder: PathBuf,
    json: bool,
    accept_above: Option<f32>,
    enabled: Enabled,
    annotator: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, ExitCode> {
    let mut folder = None;
    let mut json = false;
    let mut accept_above = None;
    let mut enabled = Enabled::default();
    let mut annotator = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{HELP}");
                return Err(ExitCode::SUCCESS);
            }
            "--json" => json = true,
            "--accept-above" => {
                let Some(v) = it.next() else {
                    return Err(usage_error(
                        "--accept-above needs a score from 0 to 1, such as 0.9",
                    ));
                };
                match v.parse::<f32>() {
                    Ok(x) if (0.0..=1.0).contains(&x) => accept_above = Some(x),
                    _ => {
                        return Err(usage_error(&format!(
                            "--accept-above takes a score from 0 to 1, such as 0.9, not \"{v}\""
                        )));
                    }
                }
            }
            "--only" => {
                let Some(v) = it.next() else {
                    return Err(usage_error("--only needs kinds such as matcher,gazetteer"));
                };
                enabled = Enabled {
                    matcher: false,
                    learner: false,
                    detector: false,
                    gazetteer: false,
                };
                for k in v.split(',').map(str::trim) {
                    match Origin::parse(k) {
                        Some(Origin::Matcher) => enabled.matcher = true,
                        Some(Origin::Learner) => enabled.learner = true,
                        Some(Origin::Detector) => enabled.detector = true,
                        Some(Origin::Gazetteer) => enabled.gazetteer = true,
                        None => {
                            return Err(usage_error(&format!(
                                "unknown kind \"{k}\" in --only; use matcher, learner, detector or gazetteer"
                            )));
                        }
                    }
                }
            }
            "--annotator" => match it.next() {
                Some(n) if !n.trim().is_empty() => annotator = Some(n.trim().to_owned()),
                _ => return Err(usage_error("--annotator needs a name")),
            },
            flag if flag.starts_with('-') => return Err(usage_error(&format!("unknown option {flag}"))),
            f if folder.is_none() => folder = Some(PathBuf::from(f)),
            extra => {
                return Err(usage_error(&format!(
                    "unexpected argument {extra}; give one folder"
                )));
            }
        }
    }
    let Some(folder) = folder else {
        return Err(usage_error(
            "which folder? Give the folder that holds the documents.",
        ));
    };
    super::existing_folder("suggest", &folder)?;
    Ok(Args {
        folder,
        json,
        accept_above,
        enabled,
        annotator,
    })
}

/// The name recorded on accepted annotations when none is given.
fn system_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs `marginalia suggest` with the arguments after the subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let root = args.folder.as_path();
    let fail = |msg: String| {
        eprintln!("marginalia suggest: {msg}");
        ExitCode::from(1)
    };
    let tagset = match load_tagset(root) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!(
                "{e}; fix the tag set, or run `marginalia check` for details"
            ));
        }
    };
    let gazetteer = match load_gazetteer(root) {
        Ok(g) => g,
        Err(e) => {
            return fail(format!(
                "{e}\nFix that line of {GAZETTEER_FILE}, or remove the file."
            ));
        }
    };
    let rejections = match load_rejections(root) {
        Ok(r) => r,
        Err(e) => return fail(format!("{e}\nFix that line of {REJECTIONS_FILE}, or remove it.")),
    };
    let entries = match scan(root) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "marginalia suggest: cannot list {} ({e}); check that the folder can be read",
                root.display()
            );
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let mut trouble = false;
    let mut docs: Vec<LoadedDoc> = Vec::with_capacity(entries.len());
    for e in &entries {
        match load(root, &e.rel) {
            Ok(d) => docs.push(d),
            Err(err) => {
                eprintln!("marginalia suggest: left out {err}");
                trouble = true;
            }
        }
    }
    let learned = Learned::learn(
        docs.iter().map(|d| (&d.doc, d.data.annotations.as_slice())),
        &tagset,
        &rejections,
        &gazetteer,
    );
    let found: Vec<Vec<Suggestion>> = docs
        .iter()
        .map(|d| suggest(&learned, &d.doc, &d.data.annotations, &rejections, args.enabled))
        .collect();
    match args.accept_above {
        None => print_suggestions(&docs, &found, args.json),
        Some(min) => {
            let annotator = args.annotator.clone().unwrap_or_else(system_user);
            let picked: Vec<Vec<Suggestion>> = found
                .into_iter()
                .map(|v| v.into_iter().filter(|s| s.score >= min).collect())
                .collect();
            if args.json {
                print_suggestions(&docs, &picked, true);
            }
            if !accept(root, &mut docs, &picked, &annotator, args.json) {
                trouble = true;
            }
        }
    }
    if trouble {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the suggestions as JSON or as a table.
fn print_suggestions(docs: &[LoadedDoc], found: &[Vec<Suggestion>], json: bool) {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        let items: Vec<serde_json::Value> = docs
            .iter()
            .zip(found)
            .flat_map(|(d, v)| {
                v.iter().map(|s| {
                    serde_json::json!({
                        "doc": d.doc.path,
                        "start": s.span.start,
                        "end": s.span.end,
                        "label": s.label.as_str(),
                        "score": (s.score * 1000.0).round() / 1000.0,
                        "origin": s.origin.as_str(),
                    })
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out, "{text}");
        return;
    }
    let total: usize = found.iter().map(Vec::len).sum();
    for (d, v) in docs.iter().zip(found) {
        for s in v {
            let text: String = d
                .doc
                .slice(s.span)
                .chars()
                .take(60)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let more = if s.span.len() > 60 { "…" } else { "" };
            let _ = writeln!(
                out,
                "{}\t{}-{}\t{}\t{:.2}\t{}\t{text}{more}",
                d.doc.path,
                s.span.start,
                s.span.end,
                s.label,
                s.score,
                s.origin.as_str()
            );
        }
    }
    let _ = writeln!(out, "{total} suggestions in {} documents", docs.len());
}

/// Writes the picked suggestions as annotations and reports how many per
/// document and origin. False when a document could not be saved.
fn accept(
    root: &Path,
    docs: &mut [LoadedDoc],
    picked: &[Vec<Suggestion>],
    annotator: &str,
    json: bool,
) -> bool {
    let mut ok = true;
    let mut report = String::new();
    let mut total = 0;
    for (d, v) in docs.iter_mut().zip(picked) {
        if v.is_empty() {
            continue;
        }
        if let Some(why) = &d.read_only {
            eprintln!("marginalia suggest: {} is not changed: {why}", d.doc.path);
            ok = false;
            continue;
        }
        let mut counts: BTreeMap<Origin, usize> = BTreeMap::new();
        for s in v {
            let mut ann = d
                .doc
                .annotate(vec![s.span], &s.label, kind_of(&d.doc, s), annotator);
            ann.origin = Some(s.origin);
            d.data.annotations.push(ann);
            *counts.entry(s.origin).or_default() += 1;
        }
        d.data.sort();
        if let Err(e) = save_loaded(root, d) {
            eprintln!("marginalia suggest: {} was not saved: {e}", d.doc.path);
            ok = false;
            continue;
        }
        let n: usize = counts.values().sum();
        total += n;
        let per: Vec<String> = counts
            .iter()
            .map(|(o, n)| format!("{n} {}", o.as_str()))
            .collect();
        report.push_str(&format!("{}: {n} accepted ({})\n", d.doc.path, per.join(", ")));
    }
    report.push_str(&format!("{total} suggestions accepted as annotations\n"));
    // With --json the standard output holds the JSON alone.
    if json {
        eprint!("{report}");
    } else {
        print!("{report}");
    }
    ok
}

/// The annotation kind an accepted suggestion makes: a claim with its cue,
/// speaker and stance, or an entity with its canonical id.
fn kind_of(doc: &crate::model::Document, s: &Suggestion) -> Kind {
    match &s.claim {
        Some(h) => Kind::Claim(Box::new(Claim {
            speaker: h.speaker.clone().map_or(Speaker::Unknown, Speaker::Entity),
            cue: Some(Cue {
                span: h.cue,
                quote: doc.slice(h.cue).into(),
            }),
            stance: h.stance,
            ..Claim::default()
        })),
        None => Kind::Entity {
            canonical: s.canonical.as_deref().map(str::to_owned),
        },
    }
}
