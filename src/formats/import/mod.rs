//! Importing brat folders, JSONL files and REFI-QDA projects into a corpus
//! folder: what every import shares (names, writing, the tag set);
//! brat_folder.rs, jsonl.rs and qdpx.rs read the three inputs, doccano.rs
//! converts doccano, spaCy and Prodigy records.
//!
//! Every file is written inside the destination folder, whatever names the
//! input holds: names are checked by [`safe_rel`] and the resolved folder is
//! checked again before writing. Existing sources are never overwritten.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::tagset::CORPUS_TAGSET_FILE;
use crate::model::{DocAnnotations, Document, LabelKind, TagSet};
use crate::store::atomic::write_atomic;
use crate::store::batch::Batch;
use crate::store::corpus::{self, PLAIN_EXTENSIONS};
use crate::store::decode::into_utf8;
use crate::store::sidecar::MAJOR;

use super::{Skipped, brat};

mod brat_folder;
mod jsonl;
mod qdpx;

pub use brat_folder::import_brat;
pub use jsonl::import_jsonl;
pub use qdpx::import_qdpx;

/// Something of the input that could not be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// Input file (and line) it concerns.
    pub file: String,
    /// What was not kept, in plain words.
    pub what: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Sources written, relative to the destination.
    pub documents: Vec<String>,
    /// Annotations written.
    pub annotations: usize,
    /// Relations written.
    pub relations: usize,
    /// Spans left out because another of the same document had the same
    /// extent and label (and, for Marginalia's own lines, every other field).
    pub duplicates: usize,
    /// Documents not imported, and why.
    pub skipped: Vec<Skipped>,
    /// Parts of the input that could not be kept.
    pub lost: Vec<Lost>,
    /// The tag set file written, when the destination had none and one was needed.
    pub tagset_written: Option<PathBuf>,
}

impl ImportReport {
    /// True when everything was imported and nothing was lost.
    pub fn is_complete(&self) -> bool {
        self.skipped.is_empty() && self.lost.is_empty()
    }

    /// A summary in plain words, one item a line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "imported {} document(s), {} annotation(s), {} relation(s)",
            self.documents.len(),
            self.annotations,
            self.relations
        );
        if self.duplicates > 0 {
            s.push_str(&format!(
                "\nimported {} duplicate span(s) once (same extent and label as another of their document)",
                self.duplicates
            ));
        }
        if let Some(t) = &self.tagset_written {
            s.push_str(&format!("\nwrote the tag set {}", t.display()));
        }
        for k in &self.skipped {
            s.push_str(&format!("\nskipped {}: {}", k.path, k.reason));
        }
        for l in &self.lost {
            s.push_str(&format!("\nnot kept from {}: {}", l.file, l.what));
        }
        s
    }
}

/// Why an import could not run at all.
#[derive(Debug)]
pub enum ImportError {
    /// The input cannot be read.
    Source(PathBuf, String),
    /// The destination folder cannot be created or written.
    Destination(PathBuf, io::Error),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Source(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            ImportError::Destination(p, e) => write!(
                f,
                "cannot write into {}: {e}; check that the folder can be created and written",
                p.display()
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// Checks a document name from the input and makes it a safe relative source path:
/// `/`-separated, no absolute paths, drive letters, `..`, `.`, empty or hidden parts.
/// A name without a source extension gets `.txt` appended.
pub fn safe_rel(name: &str) -> Result<String, String> {
    let n = name.replace('\\', "/");
    if n.is_empty() {
        return Err("the document has an empty name".into());
    }
    if n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') {
        return Err(format!(
            "the name \"{name}\" is an absolute path; only names inside the folder are imported"
        ));
    }
    for part in n.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(format!(
                "the name \"{name}\" leaves or skips folders (empty, . or .. parts); only names inside the folder are imported"
            ));
        }
        if part.starts_with('.') {
            return Err(format!(
                "the name \"{name}\" has a hidden part (starting with a dot), which Marginalia would not list"
            ));
        }
        if part.contains('\0') || part.chars().any(char::is_control) {
            return Err(format!(
                "the name \"{}\" holds control characters",
                name.escape_debug()
            ));
        }
    }
    let ext = n.rsplit_once('.').map_or("", |(_, e)| e);
    if PLAIN_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)) {
        Ok(n)
    } else {
        Ok(format!("{n}.txt"))
    }
}

/// A record id made a flat file name: path separators, characters some
/// systems refuse in names (`:*?"<>|`) and control characters become `_`, a
/// leading dot too (it would hide the file), and it is cut to 120 characters.
fn flat_name(id: &str) -> String {
    let mut out: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(120)
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out.is_empty() { "unnamed".into() } else { out }
}

/// The document names one import hands out, so that no two records get the
/// same one (compared without case, as some file systems do).
#[derive(Default)]
struct Names(HashSet<String>);

impl Names {
    /// Notes a name taken as it is (a Marginalia line's path).
    fn claim(&mut self, rel: &str) {
        self.0.insert(rel.to_lowercase());
    }

    /// `rel`, or `rel` with `-2`, `-3`… before its extension when it is taken.
    fn unique(&mut self, rel: &str) -> String {
        if self.0.insert(rel.to_lowercase()) {
            return rel.to_owned();
        }
        let (stem, ext) = rel.rsplit_once('.').unwrap_or((rel, "txt"));
        (2..)
            .map(|n| format!("{stem}-{n}.{ext}"))
            .find(|c| self.0.insert(c.to_lowercase()))
            .unwrap_or_default()
    }

    /// The name of a document from its record id (`.txt` added unless it has
    /// a source extension), and a note for the report when the id could not
    /// be the name as it is (see [`flat_name`]).
    fn name_for_id(&mut self, id: &str) -> (String, Option<String>) {
        // An id that is a safe relative path keeps its folders (a corpus
        // exported as REFI-QDA names its sources so); any other is made flat.
        let as_path = safe_rel(id)
            .ok()
            .filter(|r| r.chars().count() <= 200 && !r.contains([':', '*', '?', '"', '<', '>', '|']));
        let (rel, changed) = match as_path {
            Some(r) => (r, false),
            None => {
                let flat = flat_name(id);
                let rel = safe_rel(&flat).unwrap_or_else(|_| format!("{flat}.txt"));
                (rel, flat != id)
            }
        };
        let unique = self.unique(&rel);
        let note = if unique != rel {
            Some(format!(
                "the id \"{id}\" was given to an earlier record too; this document is named {unique}"
            ))
        } else if changed {
            Some(format!(
                "the id \"{}\" cannot be a file name as it is; the document is named {unique}",
                id.escape_debug()
            ))
        } else {
            None
        };
        (unique, note)
    }
}

/// Leaves out annotations that repeat an earlier one of the document in
/// everything but id and times, pointing relations at the one kept; gives how
/// many were left out.
fn drop_duplicates(data: &mut DocAnnotations) -> usize {
    use std::collections::HashMap;
    let mut by_extent: HashMap<(&[crate::model::Span], &str), usize> = HashMap::new();
    for a in &data.annotations {
        *by_extent.entry((&a.spans[..], a.label.as_str())).or_default() += 1;
    }
    if by_extent.values().all(|n| *n < 2) {
        return 0;
    }
    let same = |a: &crate::model::Annotation| {
        let mut k = a.clone();
        k.id = Default::default();
        k.created = Default::default();
        k.modified = Default::default();
        format!("{k:?}")
    };
    let mut kept: HashMap<String, crate::model::AnnId> = HashMap::new();
    let mut moved: HashMap<crate::model::AnnId, crate::model::AnnId> = HashMap::new();
    data.annotations.retain(|a| match kept.entry(same(a)) {
        std::collections::hash_map::Entry::Occupied(first) => {
            moved.insert(a.id.clone(), first.get().clone());
            false
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(a.id.clone());
            true
        }
    });
    for r in &mut data.relations {
        if let Some(to) = moved.get(&r.from) {
            r.from = to.clone();
        }
        if r.to.doc.is_none()
            && let Some(to) = moved.get(&r.to.id)
        {
            r.to.id = to.clone();
        }
    }
    moved.len()
}

/// Adds one document (source and sidecar) to the import's batch, refusing to
/// overwrite or to leave the destination. `canon_into` is the destination
/// resolved, when it existed before the import.
fn write_doc(
    batch: &Batch,
    canon_into: Option<&Path>,
    doc: &Document,
    data: &DocAnnotations,
) -> Result<(), String> {
    let rel = doc.path.as_str();
    let source = batch.root().join(rel);
    let side = corpus::sidecar_path(&source);
    if let Some(canon_into) = canon_into {
        if source.exists() || side.exists() {
            return Err(format!(
                "{} already exists; import into an empty folder or move that file away",
                source.display()
            ));
        }
        // `rel` has no `..` or hidden parts, so only a linked folder already in
        // the destination could lead out of it; folders still missing are made fresh.
        let mut existing = source.parent().unwrap_or(batch.root());
        while !existing.exists()
            && let Some(p) = existing.parent()
        {
            existing = p;
        }
        let canon = std::fs::canonicalize(existing).map_err(|e| format!("{}: {e}", existing.display()))?;
        if !canon.starts_with(canon_into) {
            return Err(format!(
                "{} leads outside the destination folder (through a link); not written",
                existing.display()
            ));
        }
    }
    // The writer raises the minor version to what the data uses, no further.
    let sidecar = corpus::render(doc, data, (MAJOR, 0));
    let side_rel = corpus::sidecar_path(Path::new(rel));
    let side_rel = side_rel.to_string_lossy();
    batch
        .write_group(&[(rel, doc.text.as_bytes()), (&side_rel, sidecar.as_bytes())])
        .map_err(|(path, e)| format!("cannot write {}: {e}", path.display()))
}

/// One document for [`write_all`].
struct ToWrite {
    /// Where it goes, relative to the destination.
    rel: String,
    text: Text,
    data: DocAnnotations,
    /// Where it came from, as the report names it (file, or file and line).
    from: String,
}

/// A document's text for [`ToWrite`]: as a [`Document`] when it was read as
/// one (its hash is taken already, and the text is not copied again), else
/// plain, made a document on the writing thread.
enum Text {
    Hashed(Document),
    Plain(String),
}

impl Text {
    /// The document written at `rel`.
    fn into_doc(self, rel: &str) -> Document {
        match self {
            Text::Hashed(mut doc) => {
                rel.clone_into(&mut doc.path);
                doc
            }
            Text::Plain(text) => Document::new(rel, text),
        }
    }
}

/// What became of one document given to [`write_all`].
struct Written {
    rel: String,
    from: String,
    used: Used,
    result: Result<(), String>,
}

/// What the report and the tag set need of a written document: kept instead
/// of its annotations, which the writing thread drops (holding every imported
/// document until the end, and dropping them all there on one thread, was a
/// twentieth of an import).
struct Used {
    /// Labels in the order of first use, each once, with the kind of that use.
    labels: Vec<(String, LabelKind)>,
    relation_kinds: Vec<String>,
    annotations: usize,
    relations: usize,
}

impl Used {
    fn of(data: &DocAnnotations) -> Used {
        let mut labels: Vec<(String, LabelKind)> = Vec::new();
        for a in &data.annotations {
            if !labels.iter().any(|(l, _)| l.as_str() == a.label.as_str()) {
                labels.push((a.label.to_string(), label_kind(a)));
            }
        }
        let mut relation_kinds: Vec<String> = Vec::new();
        for r in &data.relations {
            if !relation_kinds.contains(&r.kind) {
                relation_kinds.push(r.kind.clone());
            }
        }
        Used {
            labels,
            relation_kinds,
            annotations: data.annotations.len(),
            relations: data.relations.len(),
        }
    }

    /// Notes these labels and relation types in `set` (see [`note`]).
    fn note_into(&self, set: &mut TagSet) {
        note(
            set,
            self.labels.iter().map(|(l, k)| (l.as_str(), *k)),
            self.relation_kinds.iter().map(String::as_str),
        );
    }
}

fn label_kind(a: &crate::model::Annotation) -> LabelKind {
    if a.kind.is_claim() {
        LabelKind::Claim
    } else {
        LabelKind::Entity
    }
}

/// One document for [`write_all`]: to be written, or written already on the
/// thread that read it.
enum Doc {
    /// Boxed: a document to write carries its whole annotation set.
    Write(Box<ToWrite>),
    Written(Written),
}

/// Writes one document into the batch, or records why it was refused.
fn write_one(batch: &Batch, canon: Option<&Path>, d: ToWrite, refused: Option<String>) -> Written {
    let result = match refused {
        Some(why) => Err(why),
        None => write_doc(batch, canon, &d.text.into_doc(&d.rel), &d.data),
    };
    Written {
        used: Used::of(&d.data),
        rel: d.rel,
        from: d.from,
        result,
    }
}

/// Writes the documents `docs` yields, on several threads (see
/// [`super::parallel`]), as one [`Batch`], and returns what became of each, in
/// the order given. `docs` runs on the calling thread, so it may keep its own
/// state (the growing tag set, the report); it may hold clones of the batch
/// (to write documents as it reads them), which it must drop when it ends.
/// When the batch cannot be committed, every document is reported as not written.
fn write_all(into: Destination, docs: impl Iterator<Item = Doc>) -> Vec<Written> {
    let Destination { batch, canon } = into;
    let root = batch.root().to_path_buf();
    // Two documents with one name would race to the same file; the second is
    // refused before it is handed out, as it was when documents were written one by one.
    let mut names = HashSet::new();
    let out: RefCell<Vec<Option<Written>>> = RefCell::new(Vec::new());
    let place = |k: usize, w: Written| {
        let mut out = out.borrow_mut();
        if out.len() <= k {
            out.resize_with(k + 1, || None);
        }
        out[k] = Some(w);
    };
    let jobs = docs.enumerate().filter_map(|(k, d)| match d {
        Doc::Written(w) => {
            names.insert(w.rel.clone());
            place(k, w);
            None
        }
        Doc::Write(d) => {
            let refused = (!names.insert(d.rel.clone())).then(|| {
                format!(
                    "{} already exists; import into an empty folder or move that file away",
                    batch.root().join(&d.rel).display()
                )
            });
            Some((k, d, refused))
        }
    });
    super::parallel::run(
        jobs,
        |(k, d, refused): (usize, Box<ToWrite>, Option<String>)| {
            (k, write_one(&batch, canon.as_deref(), *d, refused))
        },
        |_, (k, w)| {
            place(k, w);
            true
        },
    );
    let mut out: Vec<Written> = out.into_inner().into_iter().flatten().collect();
    let committed = match Arc::into_inner(batch) {
        Some(batch) => batch.commit(),
        // Only a reader that kept its clone could leave one; nothing is claimed written then.
        None => Err((root, io::Error::other("the import's writers did not finish"))),
    };
    if let Err((path, e)) = committed {
        let why = format!(
            "cannot write {}: {e}; nothing of this import was written; import again",
            path.display()
        );
        for w in out.iter_mut().filter(|w| w.result.is_ok()) {
            w.result = Err(why.clone());
        }
    }
    out
}

/// Where an import writes: its batch, and the destination resolved when it existed already.
struct Destination {
    /// Shared with the threads that write documents as they read them.
    batch: Arc<Batch>,
    canon: Option<PathBuf>,
}

fn prepare_into(into: &Path) -> Result<Destination, ImportError> {
    let batch = Batch::begin(into).map_err(|e| ImportError::Destination(into.to_path_buf(), e))?;
    let canon = if batch.is_fresh() {
        None
    } else {
        Some(std::fs::canonicalize(into).map_err(|e| ImportError::Destination(into.to_path_buf(), e))?)
    };
    Ok(Destination {
        batch: Arc::new(batch),
        canon,
    })
}

/// The tag set of the destination (its own file, else built in) and whether it has its own file.
fn destination_tagset(into: &Path) -> (TagSet, bool) {
    let own = into.join(CORPUS_TAGSET_FILE).exists();
    (
        corpus::load_tagset(into).unwrap_or_else(|_| TagSet::builtin()),
        own,
    )
}

/// Writes `set` as the destination's tag set when it has none and `set` differs from the built-in one.
fn finish_tagset(
    into: &Path,
    set: &TagSet,
    had_own: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if had_own || *set == TagSet::builtin() {
        return Ok(());
    }
    // Nothing was written into a folder that the import would have created.
    if report.documents.is_empty() && !into.exists() {
        return Ok(());
    }
    let text = brat::tagset_to_ron(set);
    let path = into.join(CORPUS_TAGSET_FILE);
    if let Err(e) = TagSet::parse(&text) {
        report.lost.push(Lost {
            file: CORPUS_TAGSET_FILE.into(),
            what: format!("the tag set made from the input does not validate ({e}); it was not written"),
        });
        return Ok(());
    }
    write_atomic(&path, text.as_bytes()).map_err(|e| ImportError::Destination(path.clone(), e))?;
    report.tagset_written = Some(path);
    Ok(())
}

fn note_labels(set: &mut TagSet, data: &DocAnnotations) {
    note(
        set,
        data.annotations.iter().map(|a| (a.label.as_str(), label_kind(a))),
        data.relations.iter().map(|r| r.kind.as_str()),
    );
}

/// Adds labels (a label already in the set keeps its kind, so the first use
/// decides) and relation types the set does not have yet.
fn note<'a>(
    set: &mut TagSet,
    labels: impl Iterator<Item = (&'a str, LabelKind)>,
    relation_kinds: impl Iterator<Item = &'a str>,
) {
    for (label, kind) in labels {
        brat::add_label(set, label, kind, Vec::new());
    }
    for kind in relation_kinds {
        if !set.relations.iter().any(|k| k == kind) {
            set.relations.push(kind.to_owned());
        }
    }
}

/// Adds what [`write_all`] did to the report, in input order, and makes `set`
/// the tag set the import started with plus the labels of the documents written.
/// (While reading, labels are noted as each document is read, since a label's
/// kind decides how later documents read it; a document that could not be
/// written must not leave its labels in the corpus tag set.)
fn record_all(report: &mut ImportReport, set: &mut TagSet, start: TagSet, written: Vec<Written>) {
    *set = start;
    for w in written {
        match w.result {
            Ok(()) => {
                w.used.note_into(set);
                report.annotations += w.used.annotations;
                report.relations += w.used.relations;
                report.documents.push(w.rel);
            }
            Err(reason) => report.skipped.push(Skipped { path: w.from, reason }),
        }
    }
}
