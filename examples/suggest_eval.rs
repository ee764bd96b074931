//! How good the suggestions are on a human-annotated corpus (docs/suggestions.md).
//!
//! ```text
//! cargo run --release --example suggest_eval -- conll FILE OUT.jsonl
//! marginalia import jsonl OUT.jsonl --into FOLDER
//! cargo run --release --example suggest_eval -- FOLDER
//! ```
//!
//! The first form turns a CoNLL file (a token a line, the tag in the last
//! column, BIO or IOB1, `-DOCSTART-` between documents) into JSONL records the
//! importer reads (spaCy's `{"id", "text", "spans"}`); sentences become lines,
//! tokens are joined by one space.
//!
//! The second gives the engine the first half (in reading order) of each
//! document's entity annotations, and scores its suggestions against the
//! second half: a suggestion is right when an annotation of the second half
//! has exactly its span and label. It prints, for each configuration, precision
//! and recall of everything proposed, the highest recall at a score threshold
//! where precision is at least 0.8, and the keystrokes saved there. With
//! `--list`, every judged suggestion of every configuration goes to standard
//! error: configuration, document, text, label, score, origin, right or wrong.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use marginalia::model::suggest::{Enabled, Learned, Options, Origin, Rejections, suggest_with};
use marginalia::model::{Annotation, Document, Span};
use marginalia::store::corpus::{load_tagset, load_to_read, scan};
use marginalia::store::suggest_files::load_gazetteer;

/// Keystroke-equivalents of tagging a mention by hand: select its first and
/// last word (a drag or two clicks), press the label's key.
const HAND: f64 = 3.0;
/// Accepting a suggestion (Enter) or rejecting one (x), once stepped to it.
const DECIDE: f64 = 1.0;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, file, out] if mode == "conll" => conll_to_jsonl(Path::new(file), Path::new(out)),
        [folder] => evaluate(Path::new(folder), false),
        [folder, list] if list == "--list" => evaluate(Path::new(folder), true),
        _ => {
            eprintln!("usage: suggest_eval conll FILE OUT.jsonl | suggest_eval FOLDER [--list]");
            std::process::exit(2);
        }
    }
}

/// A mention read from CoNLL: start and end (code points) and its label.
type Mention = (usize, usize, String);

/// Writes the documents of a CoNLL file as JSONL records for `marginalia import jsonl`.
fn conll_to_jsonl(file: &Path, out: &Path) {
    let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut docs: Vec<(String, Vec<Mention>)> = Vec::new();
    let mut text = String::new();
    let mut spans: Vec<Mention> = Vec::new();
    let mut open: Option<Mention> = None;
    let mut at_line_start = true;
    let mut cp = 0usize;
    let flush_doc = |text: &mut String, spans: &mut Vec<_>, docs: &mut Vec<_>| {
        if !text.trim().is_empty() {
            docs.push((std::mem::take(text).trim_end().to_owned(), std::mem::take(spans)));
        }
        text.clear();
    };
    for line in src.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"-DOCSTART-") || cols.is_empty() {
            if let Some(o) = open.take() {
                spans.push(o);
            }
            if cols.is_empty() {
                if !at_line_start {
                    text.push('\n');
                    cp += 1;
                    at_line_start = true;
                }
            } else {
                flush_doc(&mut text, &mut spans, &mut docs);
                cp = 0;
                at_line_start = true;
            }
            continue;
        }
        let (tok, tag) = (cols[0], *cols.last().expect("a column"));
        if !at_line_start {
            text.push(' ');
            cp += 1;
        }
        let start = cp;
        text.push_str(tok);
        cp += tok.chars().count();
        at_line_start = false;
        let (bio, label) = tag.split_once('-').unwrap_or((tag, ""));
        let continues = matches!(&open, Some((_, _, l)) if l == label) && bio == "I";
        if continues {
            if let Some(o) = open.as_mut() {
                o.1 = cp;
            }
        } else {
            if let Some(o) = open.take() {
                spans.push(o);
            }
            if bio == "B" || bio == "I" {
                open = Some((start, cp, label.to_owned()));
            }
        }
    }
    if let Some(o) = open.take() {
        spans.push(o);
    }
    flush_doc(&mut text, &mut spans, &mut docs);
    let mut lines = String::new();
    for (i, (text, spans)) in docs.iter().enumerate() {
        let spans: Vec<serde_json::Value> = spans
            .iter()
            .map(|(s, e, l)| serde_json::json!({"start": s, "end": e, "label": l}))
            .collect();
        let rec = serde_json::json!({"id": format!("doc-{:03}", i + 1), "text": text, "spans": spans});
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    std::fs::write(out, lines).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    eprintln!("{} documents written to {}", docs.len(), out.display());
}

/// One document: its text, the annotations given, the ones held back.
struct Split {
    doc: Document,
    given: Vec<Annotation>,
    held: HashSet<(Span, String)>,
}

/// One scored suggestion (`right` is `None` for a label the corpus never
/// uses, which its annotations cannot judge: a detector's DATE on CoNLL data).
struct Scored {
    score: f32,
    origin: Origin,
    right: bool,
}

/// Labels the corpus's annotations use: the only ones its annotations can judge.
fn used_labels(splits: &[Split]) -> HashSet<String> {
    splits
        .iter()
        .flat_map(|s| {
            s.given
                .iter()
                .map(|a| a.label.to_string())
                .chain(s.held.iter().map(|(_, l)| l.clone()))
        })
        .collect()
}

fn evaluate(root: &Path, list: bool) {
    let tagset = load_tagset(root).expect("the tag set");
    let gazetteer = load_gazetteer(root).expect("the gazetteer");
    let mut splits = Vec::new();
    for e in scan(root).expect("the folder") {
        let loaded = load_to_read(root, &e.rel).expect("a document");
        let mut anns: Vec<Annotation> = loaded
            .data
            .annotations
            .into_iter()
            .filter(|a| a.claim().is_none() && a.spans.len() == 1)
            .collect();
        anns.sort_by_key(|a| (a.spans[0].start, a.spans[0].end));
        let held: Vec<Annotation> = anns.split_off(anns.len() / 2);
        splits.push(Split {
            doc: loaded.doc,
            given: anns,
            held: held
                .into_iter()
                .map(|a| (a.spans[0], a.label.to_string()))
                .collect(),
        });
    }
    let held: usize = splits.iter().map(|s| s.held.len()).sum();
    let given: usize = splits.iter().map(|s| s.given.len()).sum();
    let chars: usize = splits.iter().map(|s| s.doc.len_chars()).sum();
    println!(
        "{}: {} documents, {chars} characters, {given} annotations given, {held} held back\n",
        root.display(),
        splits.len()
    );
    let t = Instant::now();
    let learned = Learned::learn(
        splits.iter().map(|s| (&s.doc, s.given.as_slice())),
        &tagset,
        &Rejections::default(),
        &gazetteer,
    );
    println!(
        "learned from {} tags ({} strings, learner {}) in {:.1} ms\n",
        learned.tags(),
        learned.strings(),
        if learned.has_learner() {
            "trained"
        } else {
            "not trained: too few tags"
        },
        t.elapsed().as_secs_f64() * 1e3
    );
    let none = Enabled {
        matcher: false,
        learner: false,
        detector: false,
        gazetteer: false,
    };
    let configs = [
        (
            "exact string match (INCEpTION)",
            Options {
                enabled: Enabled {
                    matcher: true,
                    ..none
                },
                variants: false,
                untagged: false,
            },
        ),
        (
            "exact, lowered where read past untagged",
            Options {
                enabled: Enabled {
                    matcher: true,
                    ..none
                },
                variants: false,
                untagged: true,
            },
        ),
        (
            "matcher with variants",
            Options {
                enabled: Enabled {
                    matcher: true,
                    ..none
                },
                variants: true,
                untagged: true,
            },
        ),
        (
            "learner alone",
            Options {
                enabled: Enabled {
                    learner: true,
                    ..none
                },
                variants: true,
                untagged: true,
            },
        ),
        ("everything", Options::default()),
    ];
    println!(
        "| configuration | proposed | precision | recall | recall at P ≥ 0.8 (threshold) | keystrokes saved there |"
    );
    println!("|---|---|---|---|---|---|");
    let mut everything = Vec::new();
    let mut everything_unjudged = 0;
    for (name, opt) in configs {
        let t = Instant::now();
        let mut unjudged = 0;
        let scored = run(&learned, &splits, opt, &mut unjudged, list.then_some(name));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let (p, r) = pr(&scored, held, 0.0);
        let (best_r, at, saved) = best_at(&scored, held, 0.8);
        println!(
            "| {name} | {} | {p:.2} | {r:.2} | {best_r:.2} ({at}) | {saved:.0}% | <!-- {ms:.1} ms -->",
            scored.len(),
        );
        if name == "everything" {
            everything = scored;
            everything_unjudged = unjudged;
        }
    }
    println!(
        "\n{everything_unjudged} suggestions of labels the corpus never uses (dates, figures, claims) are not judged.\n\nEverything, by origin (precision of what it proposed; recall of the held-back annotations):\n"
    );
    println!("| origin | proposed | precision | recall |");
    println!("|---|---|---|---|");
    for o in Origin::ALL {
        let mine: Vec<&Scored> = everything.iter().filter(|s| s.origin == o).collect();
        if mine.is_empty() {
            continue;
        }
        let right = mine.iter().filter(|s| s.right).count();
        println!(
            "| {} | {} | {:.2} | {:.2} |",
            o.as_str(),
            mine.len(),
            right as f64 / mine.len() as f64,
            right as f64 / held.max(1) as f64
        );
    }
}

/// Every suggestion of every document, scored against the held-back annotations.
fn run(
    learned: &Learned,
    splits: &[Split],
    opt: Options,
    unjudged: &mut usize,
    list: Option<&str>,
) -> Vec<Scored> {
    let labels = used_labels(splits);
    let mut out = Vec::new();
    for s in splits {
        for x in suggest_with(learned, &s.doc, &s.given, &Rejections::default(), opt) {
            if !labels.contains(x.label.as_str()) {
                *unjudged += 1;
                continue;
            }
            let right = s.held.contains(&(x.span, x.label.to_string()));
            if let Some(config) = list {
                eprintln!(
                    "{config}\t{}\t{}\t{}\t{:.2}\t{}\t{}",
                    s.doc.path,
                    s.doc.slice(x.span),
                    x.label,
                    x.score,
                    x.origin.as_str(),
                    if right { "right" } else { "wrong" }
                );
            }
            out.push(Scored {
                score: x.score,
                origin: x.origin,
                right,
            });
        }
    }
    out
}

/// Precision and recall of the suggestions scoring `min` or more.
fn pr(scored: &[Scored], held: usize, min: f32) -> (f64, f64) {
    let shown: Vec<&Scored> = scored.iter().filter(|s| s.score >= min).collect();
    let right = shown.iter().filter(|s| s.right).count();
    let p = if shown.is_empty() {
        1.0
    } else {
        right as f64 / shown.len() as f64
    };
    (p, right as f64 / held.max(1) as f64)
}

/// The highest recall at a threshold whose precision is at least `p_min`,
/// the threshold, and the keystrokes saved there as a share of tagging the
/// held-back annotations by hand.
fn best_at(scored: &[Scored], held: usize, p_min: f64) -> (f64, String, f64) {
    let mut thresholds: Vec<f32> = scored.iter().map(|s| s.score).collect();
    thresholds.sort_by(|a, b| a.total_cmp(b));
    thresholds.dedup();
    let mut best = (0.0, "none".to_owned(), 0.0);
    for t in thresholds {
        let (p, r) = pr(scored, held, t);
        if p >= p_min && r > best.0 {
            let shown = scored.iter().filter(|s| s.score >= t);
            let (right, wrong) = shown.fold(
                (0.0, 0.0),
                |(a, b), s| if s.right { (a + 1.0, b) } else { (a, b + 1.0) },
            );
            let saved = (right * (HAND - DECIDE) - wrong * DECIDE) / (HAND * held.max(1) as f64) * 100.0;
            best = (r, format!("≥ {t:.2}"), saved);
        }
    }
    best
}
