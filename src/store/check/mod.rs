//! Corpus validation: the tag set and every sidecar, as a structured report.
//!
//! `marginalia check` prints this report; the GUI and tests read it directly.
//! Nothing here writes to disk (but for removing the staging folder a killed
//! import left beside the corpus), and nothing panics on damaged input: every
//! problem becomes a [`Finding`] naming the file it concerns. Reading the files
//! is here; the rules one annotation file is held to are in `rules.rs`.

mod rules;

use rules::plural;

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;

use crate::model::Document;
use crate::model::tagset::{CORPUS_TAGSET_FILE, TagSet, TagSetError};

use crate::store::corpus::LoadError;
use crate::store::corpus::{
    natural_cmp, scan_journals, scan_report, scan_sidecars, sidecar_hash, source_of_journal,
    source_of_sidecar,
};
use crate::store::journal::{self, FileMark, NotApplied, Replayed};
use crate::store::lock::read_consistent;
use crate::store::safe_file::{MAX_SIDECAR_BYTES, MAX_TAGSET_BYTES, read_capped};
use crate::store::sidecar::{self, Sidecar, SidecarError};

/// How serious a finding is. Errors and warnings make a corpus unclean; notes do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Data is wrong or cannot be read.
    Error,
    /// Data is usable but needs attention.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl Severity {
    /// Lower-case word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        }
    }
}

/// What kind of problem a finding reports; stable for tools and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    /// The corpus tag set (`marginalia.ron`) does not parse or validate.
    TagSet,
    /// A sidecar does not parse.
    Parse,
    /// A sidecar was written by a newer major version; it was not checked.
    FutureVersion,
    /// An annotation is flagged orphaned, or would become so when opened.
    Orphaned,
    /// A span (or cue) lies outside the text, runs backwards, or spans overlap.
    OutOfRange,
    /// A claim's speaker names an entity id that does not exist in the document.
    DanglingSpeaker,
    /// A relation names an annotation that does not exist.
    DanglingRelation,
    /// A stored quote differs from the text at its spans although the source is unchanged.
    QuoteMismatch,
    /// Two annotations or two relations share an id.
    DuplicateId,
    /// A label, relation type or attribute value is not in the tag set.
    NotInTagSet,
    /// A sidecar whose source file is missing.
    MissingSource,
    /// A source file that is not text (it holds NUL bytes).
    NotText,
    /// A source file that could not be read at all.
    Unreadable,
    /// A source not in UTF-8, or whose encoding was guessed.
    Encoding,
    /// The source changed since the sidecar was saved; it is re-anchored when opened.
    SourceChanged,
    /// An edit journal holds saved edits not yet written into the sidecar.
    JournalPending,
    /// An edit journal cannot be applied (damaged, or made on another sidecar).
    JournalNotApplied,
    /// Two analysts' versions were merged and changed one field differently:
    /// ours was kept, theirs is recorded for the analyst to choose.
    MergeConflict,
    /// A file or folder left out of the corpus: a link that leads out of it, a
    /// name that is not UTF-8, or a special file (FIFO, device, socket).
    Skipped,
}

impl Problem {
    /// Short snake-case code, stable across versions, for scripts.
    pub fn code(self) -> &'static str {
        match self {
            Problem::TagSet => "tag_set",
            Problem::Parse => "parse_error",
            Problem::FutureVersion => "future_version",
            Problem::Orphaned => "orphaned",
            Problem::OutOfRange => "out_of_range",
            Problem::DanglingSpeaker => "dangling_speaker",
            Problem::DanglingRelation => "dangling_relation",
            Problem::QuoteMismatch => "quote_mismatch",
            Problem::DuplicateId => "duplicate_id",
            Problem::NotInTagSet => "not_in_tag_set",
            Problem::MissingSource => "missing_source",
            Problem::NotText => "not_text",
            Problem::Unreadable => "unreadable",
            Problem::Encoding => "encoding",
            Problem::SourceChanged => "source_changed",
            Problem::JournalPending => "journal_pending",
            Problem::JournalNotApplied => "journal_not_applied",
            Problem::MergeConflict => "merge_conflict",
            Problem::Skipped => "skipped",
        }
    }
}

/// One thing `check` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file it concerns, relative to the corpus root with `/` separators:
    /// the source for document problems, the sidecar when its source is gone,
    /// `marginalia.ron` for the tag set.
    pub file: String,
    /// How serious it is.
    pub severity: Severity,
    /// What kind of problem it is.
    pub problem: Problem,
    /// 1-based line in the file the message refers to (0 when not known).
    pub line: usize,
    /// 1-based column (0 when not known).
    pub column: usize,
    /// The annotation or relation concerned, if any.
    pub id: Option<String>,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

/// Everything `check` found in a corpus.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Where the tag set came from (`marginalia.ron` or the built-in one).
    pub tagset_source: String,
    /// Number of source documents found.
    pub documents: usize,
    /// Number of sidecars found (including those without a source).
    pub sidecars: usize,
    /// Number of annotations in the sidecars that could be read.
    pub annotations: usize,
    /// Number of source documents of each kind found.
    pub per_kind: std::collections::BTreeMap<crate::model::SourceKind, usize>,
    /// Findings, grouped by file in natural order, then by severity.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True when there are no errors and no warnings (notes are allowed).
    pub fn is_clean(&self) -> bool {
        self.findings.iter().all(|f| f.severity == Severity::Info)
    }

    /// Number of findings of this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Findings grouped by file, files in natural order.
    pub fn by_file(&self) -> Vec<(&str, Vec<&Finding>)> {
        let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
        for f in &self.findings {
            match groups.iter_mut().find(|(file, _)| *file == f.file) {
                Some((_, list)) => list.push(f),
                None => groups.push((&f.file, vec![f])),
            }
        }
        groups
    }

    /// Findings about one problem kind.
    pub fn of(&self, problem: Problem) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.problem == problem)
    }
}

/// Collects findings for one file.
struct Sink<'a> {
    file: &'a str,
    out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    fn push(&mut self, severity: Severity, problem: Problem, id: Option<&str>, message: String) {
        self.at(severity, problem, 0, 0, id, message);
    }

    fn at(
        &mut self,
        severity: Severity,
        problem: Problem,
        line: usize,
        column: usize,
        id: Option<&str>,
        message: String,
    ) {
        self.out.push(Finding {
            file: self.file.to_owned(),
            severity,
            problem,
            line,
            column,
            id: id.map(str::to_owned),
            message,
        });
    }
}

/// A source as `check` sees it.
enum Source {
    Text(Document, &'static str, bool),
    NotText,
    /// A web page, Word file… whose text could not be extracted: why.
    NotExtracted(String),
    Unreadable(io::Error),
}

/// Checks the corpus at `root`. Fails only when `root` itself cannot be listed.
pub fn check_corpus(root: &Path) -> io::Result<CheckReport> {
    let scanned = scan_report(root)?;
    let sources = scanned.entries;
    let sidecars = scan_sidecars(root)?;
    let mut report = CheckReport {
        documents: sources.len(),
        sidecars: sidecars.len(),
        ..CheckReport::default()
    };
    let mut findings = Vec::new();
    let tagset = check_tagset(root, &mut report.tagset_source, &mut findings);
    // An import into this folder that was killed leaves its staging folder beside it.
    let removed = crate::store::atomic::remove_dead_temps(root);
    if removed > 0 {
        Sink {
            file: ".",
            out: &mut findings,
        }
        .push(
            Severity::Info,
            Problem::Skipped,
            None,
            format!(
                "removed {removed} hidden staging folder(s) or file(s) that a killed import left beside this folder"
            ),
        );
    }
    for s in &scanned.skipped {
        Sink {
            file: &s.rel,
            out: &mut findings,
        }
        .push(
            Severity::Warning,
            Problem::Skipped,
            None,
            format!("left out: {}", s.reason),
        );
    }

    // Every sidecar is parsed once up front, with the edit journal beside it applied
    // (what opening the document shows): relations may point into any document.
    // Both listings come first: a running workbench may fold a document's first
    // journal into a new sidecar between them, and each pair is then read as one
    // (see `store::lock`), whatever the listings caught of it.
    let journal_files = scan_journals(root)?;
    let mut pairs: Vec<&str> = sidecars
        .iter()
        .map(|e| e.rel.as_str())
        .chain(
            journal_files
                .iter()
                .map(|e| e.rel.strip_suffix(journal::EXTENSION).unwrap_or(&e.rel)),
        )
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut parsed: HashMap<String, Result<Sidecar, SidecarError>> = HashMap::new();
    let mut journals: HashMap<String, Replayed> = HashMap::new();
    for side_rel in pairs {
        let path = root.join(side_rel);
        let (result, replayed) = read_consistent(&path, || {
            let before = FileMark::read(&path).ok().flatten();
            (read_with_journal(&path, side_rel), before)
        });
        if let Some(r) = replayed {
            journals.insert(side_rel.to_owned(), r);
        }
        if let Some(result) = result {
            parsed.insert(side_rel.to_owned(), result);
        }
    }
    let source_set: HashSet<&str> = sources.iter().map(|e| e.rel.as_str()).collect();

    let orphans = sidecars
        .iter()
        .filter_map(|e| Some((e, source_of_sidecar(&e.rel)?)))
        .chain(
            journal_files
                .iter()
                .filter_map(|e| Some((e, source_of_journal(&e.rel)?))),
        );
    for (entry, src) in orphans {
        if !source_set.contains(src) {
            let mut sink = Sink {
                file: &entry.rel,
                out: &mut findings,
            };
            sink.push(
                Severity::Error,
                Problem::MissingSource,
                None,
                format!(
                    "the source {src} is missing; restore it, or move this annotation file next to the renamed source with the matching name"
                ),
            );
        }
    }

    for entry in &sources {
        let side_rel = format!("{}{}", entry.rel, sidecar::EXTENSION);
        let mut sink = Sink {
            file: &entry.rel,
            out: &mut findings,
        };
        *report
            .per_kind
            .entry(crate::store::extract::kind_of(&entry.rel))
            .or_default() += 1;
        let source = match crate::store::corpus::read_text(root, &entry.rel) {
            Ok(x) => Source::Text(
                Document::new(entry.rel.clone(), x.text).with_source(x.kind, x.version, x.layout),
                x.encoding,
                x.guessed,
            ),
            Err(LoadError::NotText(..)) => Source::NotText,
            Err(LoadError::Extract(_, why)) => Source::NotExtracted(why.to_string()),
            Err(LoadError::Io(_, e)) => Source::Unreadable(e),
            Err(e @ LoadError::TooLarge(..)) => Source::NotExtracted(e.to_string()),
        };
        let side = parsed.get(&side_rel);
        if side.is_none()
            && let Some(why) = not_a_sidecar(root, &side_rel)
        {
            sink.push(
                Severity::Error,
                Problem::Unreadable,
                None,
                format!("{side_rel}: {why}; the document opens read-only until it is replaced"),
            );
        }
        let journal_rel = format!("{side_rel}{}", journal::EXTENSION);
        match journals.get(&side_rel) {
            Some(Replayed::Applied { edits, .. }) => sink.push(
                Severity::Info,
                Problem::JournalPending,
                None,
                format!(
                    "{journal_rel} holds {} saved since {side_rel} was last written; they are included in this check, and opening the document in Marginalia writes them into {side_rel}",
                    plural(*edits, "edit")
                ),
            ),
            Some(Replayed::Kept { why, .. }) => sink.push(
                Severity::Error,
                Problem::JournalNotApplied,
                None,
                why.message(&journal_rel, &side_rel),
            ),
            _ => {}
        }
        match &source {
            Source::Text(_, encoding, guessed) => {
                if *guessed {
                    sink.push(
                        Severity::Info,
                        Problem::Encoding,
                        None,
                        format!(
                            "not UTF-8; read as {encoding} (a guess). If letters look wrong, convert the file to UTF-8"
                        ),
                    );
                } else if *encoding != "UTF-8" {
                    sink.push(Severity::Info, Problem::Encoding, None, format!("read as {encoding}"));
                }
            }
            Source::NotText => sink.push(
                if side.is_some() { Severity::Error } else { Severity::Info },
                Problem::NotText,
                None,
                if side.is_some() {
                    format!(
                        "not a text file (it contains NUL bytes), yet {side_rel} annotates it; restore the text or remove the annotation file"
                    )
                } else {
                    "not a text file (it contains NUL bytes); it is skipped".into()
                },
            ),
            Source::NotExtracted(why) => sink.push(
                if side.is_some() { Severity::Error } else { Severity::Warning },
                Problem::NotText,
                None,
                if side.is_some() {
                    format!("{why}; {side_rel} annotates it and is kept as it is")
                } else {
                    why.clone()
                },
            ),
            Source::Unreadable(e) => sink.push(
                Severity::Error,
                Problem::Unreadable,
                None,
                format!("cannot read the file ({e}){}", crate::store::safe_file::advice(e)),
            ),
        }
        let Some(side) = side else { continue };
        let sc = match side {
            Ok(sc) => sc,
            Err(e) if e.future_version => {
                sink.push(
                    Severity::Warning,
                    Problem::FutureVersion,
                    None,
                    format!(
                        "{side_rel}: {}; it was not checked and opens read-only",
                        e.message
                    ),
                );
                continue;
            }
            Err(e) => {
                sink.at(
                    Severity::Error,
                    Problem::Parse,
                    e.line,
                    e.column,
                    None,
                    format!(
                        "{side_rel}: {e}. The document opens read-only until the file is fixed (it is plain text) or removed"
                    ),
                );
                continue;
            }
        };
        report.annotations += sc.data.annotations.len();
        let doc = match &source {
            Source::Text(doc, ..) => Some(doc),
            _ => None,
        };
        rules::check_sidecar(
            &entry.rel,
            &side_rel,
            sc,
            doc,
            &tagset,
            &source_set,
            &parsed,
            &mut sink,
        );
    }

    findings.sort_by(|a, b| {
        natural_cmp(&a.file, &b.file)
            .then(a.severity.cmp(&b.severity))
            .then(a.line.cmp(&b.line))
            .then(a.problem.cmp(&b.problem))
            .then(a.id.cmp(&b.id))
    });
    // The tag set concerns the whole corpus, so it is reported first.
    findings.sort_by_key(|f| f.problem != Problem::TagSet);
    report.findings = findings;
    Ok(report)
}

/// A sidecar parsed, with the edit journal beside it applied, and what became of
/// that journal (`None`: there is none).
fn read_with_journal(
    path: &Path,
    side_rel: &str,
) -> (Option<Result<Sidecar, SidecarError>>, Option<Replayed>) {
    let bytes = match read_capped(path, MAX_SIDECAR_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return journal_alone(path, side_rel),
        Err(e) => {
            let err = SidecarError {
                line: 0,
                column: 0,
                message: format!("cannot read the file ({e})"),
                future_version: false,
            };
            return (Some(Err(err)), unreadable_beside(path));
        }
    };
    match sidecar::from_bytes(&bytes) {
        Ok(mut sc) => {
            let replayed = journal::replay(path, || Some(sidecar_hash(&bytes)), &mut sc.data);
            if let Replayed::Applied {
                source_hash: Some(h), ..
            } = &replayed
            {
                sc.source_hash = h.clone();
            }
            (Some(Ok(sc)), (replayed != Replayed::None).then_some(replayed))
        }
        Err(e) => (Some(Err(e)), unreadable_beside(path)),
    }
}

/// Edits saved before the document had a sidecar, read as the sidecar they stand for.
fn journal_alone(side: &Path, side_rel: &str) -> (Option<Result<Sidecar, SidecarError>>, Option<Replayed>) {
    let mut data = Default::default();
    let replayed = journal::replay(side, || None, &mut data);
    let sidecar = match &replayed {
        Replayed::None => return (None, None),
        Replayed::Applied { source_hash, .. } => {
            let source = side_rel.rsplit('/').next().unwrap_or(side_rel);
            Some(Ok(Sidecar {
                version: (sidecar::MAJOR, 0),
                source: source
                    .strip_suffix(sidecar::EXTENSION)
                    .unwrap_or(source)
                    .to_owned(),
                source_hash: source_hash.clone().unwrap_or_default(),
                extraction: None,
                data,
            }))
        }
        Replayed::Kept { .. } => None,
    };
    (sidecar, Some(replayed))
}

/// Why the annotation file `side_rel` exists but is not listed as one: a special
/// file (FIFO, device, socket, folder), or a link out of the corpus.
fn not_a_sidecar(root: &Path, side_rel: &str) -> Option<String> {
    let path = root.join(side_rel);
    let link = std::fs::symlink_metadata(&path).ok()?;
    if link.file_type().is_symlink() && !crate::store::safe_file::resolves_inside(root, &path) {
        return Some("it is a link to a file outside the corpus folder (or to nothing), and is neither read nor written".into());
    }
    let meta = std::fs::metadata(&path).ok()?;
    (!meta.is_file()).then(|| {
        format!(
            "it is {}, not a regular file, and is not read",
            crate::store::safe_file::kind_name(&meta)
        )
    })
}

/// A journal beside a sidecar that cannot be read is not applied.
fn unreadable_beside(side: &Path) -> Option<Replayed> {
    journal::read(&journal::journal_path(side)).map(|found| Replayed::Kept {
        mark: found.mark,
        why: NotApplied::SidecarUnreadable,
    })
}

/// Loads the corpus tag set, recording problems; falls back to the built-in one.
fn check_tagset(root: &Path, source: &mut String, findings: &mut Vec<Finding>) -> TagSet {
    let path = root.join(CORPUS_TAGSET_FILE);
    let mut sink = Sink {
        file: CORPUS_TAGSET_FILE,
        out: findings,
    };
    match read_capped(&path, MAX_TAGSET_BYTES) {
        Ok(bytes) => {
            *source = CORPUS_TAGSET_FILE.into();
            let parsed = match super::decode::utf8(&bytes) {
                Ok(s) => TagSet::parse(s.strip_prefix('\u{feff}').unwrap_or(s)),
                Err(_) => Err(TagSetError {
                    line: 0,
                    column: 0,
                    message: "the file is not UTF-8 text; save it as UTF-8".into(),
                }),
            };
            match parsed {
                Ok(t) => t,
                Err(e) => {
                    sink.at(
                        Severity::Error,
                        Problem::TagSet,
                        e.line,
                        e.column,
                        None,
                        format!(
                            "the tag set is invalid: {}. Labels are checked against the built-in tag set until it is fixed",
                            e.message
                        ),
                    );
                    TagSet::builtin()
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            *source = "built-in".into();
            TagSet::builtin()
        }
        Err(e) => {
            *source = "built-in".into();
            sink.push(
                Severity::Error,
                Problem::TagSet,
                None,
                format!(
                    "cannot read the tag set ({e}){}",
                    crate::store::safe_file::advice(&e)
                ),
            );
            TagSet::builtin()
        }
    }
}
