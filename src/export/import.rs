//! Importing brat folders and JSONL files into a corpus folder.
//!
//! Every file is written inside the destination folder, whatever names the
//! input holds: names are checked by [`safe_rel`] and the resolved folder is
//! checked again before writing. Existing sources are never overwritten.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::model::tagset::CORPUS_TAGSET_FILE;
use crate::model::{
    AnnId, Annotation, DocAnnotations, Document, Kind, LabelKind, Relation, Span, TagSet, Target,
};
use crate::store::atomic::write_atomic;
use crate::store::batch::Batch;
use crate::store::corpus::{self, SOURCE_EXTENSIONS};
use crate::store::decode::into_utf8;
use crate::store::sidecar::{MAJOR, MINOR};

use super::{Skipped, brat, doccano, jsonl};

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
    if SOURCE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)) {
        Ok(n)
    } else {
        Ok(format!("{n}.txt"))
    }
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
    let sidecar = corpus::render(doc, data, (MAJOR, MINOR));
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
    Write(ToWrite),
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
        |(k, d, refused): (usize, ToWrite, Option<String>)| {
            (k, write_one(&batch, canon.as_deref(), d, refused))
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

/// Every `.txt` under `dir` (not hidden, not through linked folders), relative, `/`-separated.
/// `.ann` files without their `.txt` go to `orphans`.
fn brat_texts(root: &Path, dir: &Path, out: &mut Vec<String>, orphans: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            brat_texts(root, &path, out, orphans)?;
        } else if let Some(stem) = name.strip_suffix(".ann")
            && !dir.join(format!("{stem}.txt")).exists()
        {
            orphans.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned(),
            );
        } else if name.ends_with(".txt") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    Ok(())
}

/// Where the brat text `rel_txt` is written in the destination: `a.md.txt`
/// came from the source `a.md`; plain `a.txt` stays `a.txt`.
fn brat_rel(rel_txt: &str) -> Result<String, String> {
    let stem = rel_txt.strip_suffix(".txt").unwrap_or(rel_txt);
    let has_source_ext = stem
        .rsplit_once('.')
        .is_some_and(|(_, e)| SOURCE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
    safe_rel(if has_source_ext { stem } else { rel_txt })
}

/// A brat document read and parsed on a worker thread.
struct BratDoc {
    /// Where it goes, relative to the destination.
    rel: String,
    /// Its name without `.txt`, for naming the `.ann` file in the report.
    stem: String,
    txt: String,
    ann: String,
    imported: brat::Imported,
}

/// Reads and parses `rel_txt` (and its `.ann`) under `src` with the tag set `set`,
/// for the destination name `rel` ([`brat_rel`]); gives back the name with the
/// document, or why it is skipped.
fn read_brat_doc(
    src: &Path,
    (rel_txt, rel): &(String, Result<String, String>),
    set: &TagSet,
    now: &str,
) -> (String, Result<BratDoc, String>) {
    let txt_path = src.join(rel_txt);
    let stem = rel_txt.strip_suffix(".txt").unwrap_or(rel_txt);
    let ann_path = src.join(format!("{stem}.ann"));
    let read = || -> Result<BratDoc, String> {
        // The input folder comes from someone else: a link out of it is not
        // followed, and only regular files are read (a FIFO would block).
        if !crate::store::safe_file::resolves_inside(src, &txt_path) {
            return Err(format!(
                "{} is a link to a place outside the brat folder; it is not read",
                txt_path.display()
            ));
        }
        let txt =
            match crate::store::safe_file::read_capped(&txt_path, crate::store::corpus::MAX_SOURCE_BYTES) {
                Ok(b) => into_utf8(b)
                    .map_err(|_| format!("{} is not UTF-8 text, which brat requires", txt_path.display()))?,
                Err(e) => return Err(format!("cannot read {}: {e}", txt_path.display())),
            };
        if ann_path.exists() && !crate::store::safe_file::resolves_inside(src, &ann_path) {
            return Err(format!(
                "{} is a link to a place outside the brat folder; it is not read",
                ann_path.display()
            ));
        }
        let ann =
            match crate::store::safe_file::read_capped(&ann_path, crate::store::safe_file::MAX_SIDECAR_BYTES)
                .map(into_utf8)
            {
                Ok(Ok(a)) => a,
                Ok(Err(_)) => {
                    return Err(format!(
                        "{} is not UTF-8 text, which brat requires",
                        ann_path.display()
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(format!("cannot read {}: {e}", ann_path.display())),
            };
        let rel = rel.clone()?;
        let imported = brat::from_brat(&txt, &ann, set, now);
        Ok(BratDoc {
            rel,
            stem: stem.to_owned(),
            txt,
            ann,
            imported,
        })
    };
    (rel_txt.to_owned(), read())
}

/// What could not be kept of the file `file`, for the report.
fn lost_in(file: &str, lost: Vec<String>) -> impl Iterator<Item = Lost> + '_ {
    lost.into_iter().map(move |what| Lost {
        file: file.to_owned(),
        what,
    })
}

/// What a reading thread did with a brat document.
enum Stage {
    /// Written by the thread that read it.
    Written {
        ann_name: String,
        lost: Vec<String>,
        written: Written,
    },
    /// Read (or not), for the calling thread to finish in order.
    Read(String, Result<BratDoc, String>),
}

/// True when reading `data` again with a tag set grown from the starting
/// set `start` could not change it: a label not in `start` may be learnt as
/// a claim's from an earlier document, which turns only annotations read as
/// entities into claims.
fn settled(data: &DocAnnotations, start: &TagSet) -> bool {
    data.annotations
        .iter()
        .all(|a| a.kind.is_claim() || start.label(&a.label).is_some())
}

/// The destination names that more than one of `texts` would be written to.
fn repeated_names(texts: &[(String, Result<String, String>)]) -> HashSet<String> {
    let mut seen = HashSet::new();
    texts
        .iter()
        .filter_map(|(_, rel)| rel.as_ref().ok())
        .filter(|rel| !seen.insert(*rel))
        .cloned()
        .collect()
}

/// Imports a brat folder: every `X.txt` (with `X.ann` when present) becomes a
/// source and its sidecar under `into`; `annotation.conf` becomes `marginalia.ron`
/// when `into` has no tag set yet. What brat has that Marginalia cannot keep is
/// listed per file in the report.
pub fn import_brat(src: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let mut texts = Vec::new();
    let mut orphans = Vec::new();
    brat_texts(src, src, &mut texts, &mut orphans)
        .map_err(|e| ImportError::Source(src.to_path_buf(), e.to_string()))?;
    texts.sort_by(|a, b| corpus::natural_cmp(a, b));
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    for o in orphans {
        report.skipped.push(Skipped {
            reason: format!("{o} has no .txt file beside it; add the text or remove the .ann file"),
            path: o,
        });
    }
    let (dest_set, had_own) = destination_tagset(into);
    let conf = crate::store::safe_file::read_string_capped(
        &src.join("annotation.conf"),
        crate::store::safe_file::MAX_TAGSET_BYTES,
    )
    .ok();
    let mut set = match (&conf, had_own) {
        (Some(c), false) => brat::tagset_from_conf(c),
        _ => dest_set,
    };
    let now = crate::model::now_rfc3339();
    let start = set.clone();
    // Reading and parsing run on the cores, with the tag set the import starts
    // from. A label's kind decides how later documents read it, and the set grows
    // as documents are read; a document is read again, in order, only when it
    // uses a claim label that an earlier document added. A document that cannot
    // be read otherwise (every annotation read as an entity has a label of the
    // starting set) and whose name no other text takes is written by the thread
    // that read it: handing it to a writer thread cost more than writing it, in
    // copies, wake-ups and memory freed by another thread than the one that took it.
    let texts: Vec<(String, Result<String, String>)> = texts
        .into_iter()
        .map(|t| {
            let rel = brat_rel(&t);
            (t, rel)
        })
        .collect();
    let repeated = Arc::new(repeated_names(&texts));
    let read_with = Arc::new(start.clone());
    let (src_owned, now_owned) = (src.to_path_buf(), now.clone());
    let (batch, canon) = (Arc::clone(&dest.batch), dest.canon.clone());
    let parsed = super::parallel::ordered(texts, move |text: &(String, Result<String, String>)| {
        let (rel_txt, doc) = read_brat_doc(&src_owned, text, &read_with, &now_owned);
        match doc {
            Ok(d) if !repeated.contains(&d.rel) && settled(&d.imported.data, &read_with) => {
                let to_write = ToWrite {
                    from: rel_txt,
                    rel: d.rel,
                    text: Text::Hashed(d.imported.doc),
                    data: d.imported.data,
                };
                Stage::Written {
                    ann_name: format!("{}.ann", d.stem),
                    lost: d.imported.lost,
                    written: write_one(&batch, canon.as_deref(), to_write, None),
                }
            }
            doc => Stage::Read(rel_txt, doc),
        }
    });
    let docs = parsed.filter_map(|stage| {
        let (rel_txt, doc) = match stage {
            Stage::Written {
                ann_name,
                lost,
                written,
            } => {
                report.lost.extend(lost_in(&ann_name, lost));
                written.used.note_into(&mut set);
                return Some(Doc::Written(written));
            }
            Stage::Read(rel_txt, doc) => (rel_txt, doc),
        };
        let BratDoc {
            rel,
            stem,
            txt,
            ann,
            mut imported,
        } = match doc {
            Ok(d) => d,
            Err(why) => {
                report.skipped.push(Skipped {
                    path: rel_txt,
                    reason: why,
                });
                return None;
            }
        };
        let learnt_claim = imported.data.annotations.iter().any(|a| {
            start.label(&a.label).is_none() && set.label(&a.label).is_some_and(|l| l.kind == LabelKind::Claim)
        });
        if learnt_claim {
            imported = brat::from_brat(&txt, &ann, &set, &now);
        }
        report.lost.extend(lost_in(&format!("{stem}.ann"), imported.lost));
        // Noted as read, for the documents after it; `record_all` keeps the labels
        // of the documents written.
        note_labels(&mut set, &imported.data);
        Some(Doc::Write(ToWrite {
            from: rel_txt,
            rel,
            text: Text::Hashed(imported.doc),
            data: imported.data,
        }))
    });
    let written = write_all(dest, docs);
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    Ok(report)
}

fn foreign_to_model(
    f: doccano::ForeignDoc,
    set: &TagSet,
    now: &str,
) -> (String, DocAnnotations, Vec<String>) {
    let doc = Document::new("", f.text);
    let mut data = DocAnnotations::default();
    let mut ids: HashMap<String, AnnId> = HashMap::new();
    for (n, s) in f.spans.into_iter().enumerate() {
        let id = match &s.id {
            Some(x) => compact_str::format_compact!("d{x}"),
            None => compact_str::format_compact!("s{}", n + 1),
        };
        if let Some(x) = s.id {
            ids.insert(x, id.clone());
        }
        let spans = vec![Span::new(s.start, s.end)];
        let (quote, prefix, suffix) = doc.selector(&spans);
        let kind = match set.label(&s.label).map(|l| l.kind) {
            Some(LabelKind::Claim) => Kind::claim(),
            _ => Kind::entity(),
        };
        data.annotations.push(Annotation::new(
            id,
            spans,
            (quote, prefix, suffix),
            &s.label,
            kind,
            "",
            now,
        ));
    }
    let mut lost = f.lost;
    for r in f.relations {
        match (ids.get(&r.from), ids.get(&r.to)) {
            (Some(a), Some(b)) => data.relations.push(Relation {
                id: compact_str::format_compact!("r{}", r.id),
                from: a.clone(),
                to: Target {
                    doc: None,
                    id: b.clone(),
                },
                kind: r.kind,
            }),
            _ => lost.push(format!(
                "relation {} joins {} and {}, which are not both imported spans; skipped",
                r.id, r.from, r.to
            )),
        }
    }
    data.sort();
    (doc.text, data, lost)
}

/// The largest JSONL file imported (it is read whole).
const MAX_JSONL_INPUT: u64 = 4 << 30;

/// Imports a JSONL file: Marginalia's own export (lossless), doccano (`label`
/// triples or `entities`/`relations`, UTF-16 offsets) or spaCy/Prodigy `spans`,
/// recognised line by line. Foreign documents are named `doc-00001.txt` after their line.
pub fn import_jsonl(file: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let content = crate::store::safe_file::read_string_capped(file, MAX_JSONL_INPUT)
        .map_err(|e| ImportError::Source(file.to_path_buf(), e.to_string()))?;
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    let (mut set, had_own) = destination_tagset(into);
    let start = set.clone();
    let now = crate::model::now_rfc3339();
    let fname = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let docs = content.lines().enumerate().filter_map(|(i, line)| {
        let lineno = i + 1;
        let here = format!("{fname} line {lineno}");
        if line.trim().is_empty() {
            return None;
        }
        let skip = |report: &mut ImportReport, reason: String| {
            report.skipped.push(Skipped {
                path: here.clone(),
                reason,
            })
        };
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                skip(&mut report, format!("not valid JSON ({e})"));
                return None;
            }
        };
        let parsed = if jsonl::is_marginalia(&v) {
            jsonl::from_value(&v)
                .and_then(|(doc, data)| Ok((safe_rel(&doc.path)?, Text::Hashed(doc), data, Vec::new())))
        } else {
            let foreign = if doccano::is_doccano(&v) {
                doccano::read_doccano(&v)
            } else if doccano::is_spacy(&v) || v.get("text").is_some() {
                // A bare `{"text": …}` line is a document without spans.
                doccano::read_spacy(&v)
            } else {
                Err("the line is neither Marginalia, doccano nor spaCy JSONL (no \"text\" field)".into())
            };
            foreign.map(|f| {
                let (text, data, lost) = foreign_to_model(f, &set, &now);
                (format!("doc-{lineno:05}.txt"), Text::Plain(text), data, lost)
            })
        };
        let (rel, text, data, lost) = match parsed {
            Ok(p) => p,
            Err(why) => {
                skip(&mut report, why);
                return None;
            }
        };
        report.lost.extend(lost.into_iter().map(|what| Lost {
            file: here.clone(),
            what,
        }));
        note_labels(&mut set, &data);
        Some(Doc::Write(ToWrite {
            rel,
            text,
            data,
            from: here,
        }))
    });
    let written = write_all(dest, docs);
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    Ok(report)
}
