//! Interchange formats: export and import, one module per format, all through the model.
//!
//! [`export_corpus`] is what the command line and the GUI call; it reads every
//! document through [`crate::store::corpus::load`], skips (and lists) what
//! cannot be exported faithfully, renders the chosen format and writes it
//! atomically. [`import`] brings brat, Marginalia JSONL, doccano and spaCy data
//! into a corpus folder.

pub mod brat;
pub mod conll;
pub mod csv;
pub mod doccano;
pub mod import;
pub mod jsonl;
mod parallel;
pub mod w3c;

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use crate::model::{DocAnnotations, Document, Status};
use crate::store::atomic::{sync_dirs_of, write_atomic, write_atomic_unsynced_dir};
use crate::store::corpus;

/// An export format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Marginalia JSONL, one line per document (lossless).
    #[default]
    Jsonl,
    /// brat standoff: a folder of `.txt` + `.ann` and `annotation.conf`.
    Brat,
    /// CoNLL-2003 style IOB2 tokens.
    Conll,
    /// W3C Web Annotation JSON-LD collection.
    W3c,
    /// CSV of claims.
    Csv,
}

impl Format {
    /// Every format, in menu order.
    pub const ALL: [Format; 5] = [
        Format::Jsonl,
        Format::Brat,
        Format::Conll,
        Format::W3c,
        Format::Csv,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Brat => "brat",
            Format::Conll => "conll",
            Format::W3c => "w3c",
            Format::Csv => "csv",
        }
    }

    /// Parses [`Format::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s))
    }

    /// True when the output is a folder rather than one file.
    pub fn is_folder(self) -> bool {
        self == Format::Brat
    }

    /// Usual file extension of the output (empty for folders).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Brat => "",
            Format::Conll => "conll",
            Format::W3c => "jsonld",
            Format::Csv => "csv",
        }
    }
}

/// What to export and where. Plain data, `Send`, so the GUI can hand it to a worker thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Output format.
    pub format: Format,
    /// Output file (a folder for brat).
    pub out: PathBuf,
    /// Export only documents whose status is done.
    pub only_done: bool,
    /// Replace an existing destination.
    pub force: bool,
    /// Fail, writing nothing, when any document would be skipped.
    pub strict: bool,
}

/// A document left out of an export, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Path relative to the corpus root.
    pub path: String,
    /// Plain-words reason, naming the file and what to do.
    pub reason: String,
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Documents written.
    pub documents: usize,
    /// Annotations written (entities and claims, before CoNLL drops overlaps).
    pub annotations: usize,
    /// Relations written.
    pub relations: usize,
    /// Documents left out because they could not be exported faithfully.
    pub skipped: Vec<Skipped>,
    /// Documents left out by `only_done`.
    pub not_done: usize,
    /// CoNLL only: entities dropped because they overlapped a longer or earlier one.
    pub dropped_overlaps: usize,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl ExportReport {
    /// A summary in plain words, one item a line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "exported {} document(s), {} annotation(s), {} relation(s) to {} file(s)",
            self.documents,
            self.annotations,
            self.relations,
            self.files.len()
        );
        if self.not_done > 0 {
            s.push_str(&format!(
                "\nleft out {} document(s) not marked done (--only-done)",
                self.not_done
            ));
        }
        if self.dropped_overlaps > 0 {
            s.push_str(&format!(
                "\ndropped {} overlapping entit(ies): IOB2 keeps the longest, then the earliest",
                self.dropped_overlaps
            ));
        }
        for k in &self.skipped {
            s.push_str(&format!("\nskipped {}: {}", k.path, k.reason));
        }
        s
    }
}

/// Why an export did not happen. Nothing was written.
#[derive(Debug)]
pub enum ExportError {
    /// The destination exists and `force` is off.
    Exists(PathBuf),
    /// The destination lies inside the corpus folder.
    InsideCorpus(PathBuf),
    /// The destination cannot be written.
    Unwritable(PathBuf, io::Error),
    /// The corpus folder cannot be read.
    Corpus(PathBuf, String),
    /// `strict` is on and these documents would be skipped.
    Strict(Vec<Skipped>),
    /// The progress callback asked to stop.
    Cancelled,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Exists(p) => write!(
                f,
                "{} already exists; choose another destination or pass --force to replace it",
                p.display()
            ),
            ExportError::InsideCorpus(p) => write!(
                f,
                "{} is inside the corpus folder; export somewhere outside it so the export is not read as sources",
                p.display()
            ),
            ExportError::Unwritable(p, e) => write!(
                f,
                "cannot write {}: {e}; check that its folder exists and is writable",
                p.display()
            ),
            ExportError::Corpus(p, e) => write!(f, "cannot read the corpus {}: {e}", p.display()),
            ExportError::Strict(skips) => {
                write!(
                    f,
                    "{} document(s) would be skipped and --strict is on; nothing was written",
                    skips.len()
                )?;
                for k in skips {
                    write!(f, "\n  {}: {}", k.path, k.reason)?;
                }
                Ok(())
            }
            ExportError::Cancelled => write!(f, "the export was cancelled; nothing was written"),
        }
    }
}

impl std::error::Error for ExportError {}

/// `path` made absolute with every existing ancestor resolved, so symlinks and `..` cannot hide where it is.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        match std::fs::canonicalize(cur) {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => match (cur.parent(), cur.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    cur = parent;
                }
                _ => return Ok(abs),
            },
        }
    }
}

/// Checks the destination before any work is done.
fn check_destination(root: &Path, opts: &ExportOptions) -> Result<(), ExportError> {
    let out = &opts.out;
    let canon_root =
        std::fs::canonicalize(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e.to_string()))?;
    let resolved = resolve(out).map_err(|e| ExportError::Unwritable(out.clone(), e))?;
    if resolved.starts_with(&canon_root) {
        return Err(ExportError::InsideCorpus(out.clone()));
    }
    match std::fs::symlink_metadata(out) {
        Ok(meta) => {
            if !opts.force {
                return Err(ExportError::Exists(out.clone()));
            }
            if opts.format.is_folder() && !meta.is_dir() {
                return Err(ExportError::Unwritable(
                    out.clone(),
                    io::Error::other("it is a file, and brat export writes a folder"),
                ));
            }
            if !opts.format.is_folder() && meta.is_dir() {
                return Err(ExportError::Unwritable(
                    out.clone(),
                    io::Error::other("it is a folder; give a file name"),
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            match std::fs::metadata(parent) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(ExportError::Unwritable(
                        out.clone(),
                        io::Error::other(format!("{} is not a folder", parent.display())),
                    ));
                }
                Err(e) => {
                    return Err(ExportError::Unwritable(
                        out.clone(),
                        io::Error::new(
                            e.kind(),
                            format!("the folder {} cannot be used: {e}", parent.display()),
                        ),
                    ));
                }
            }
        }
        Err(e) => return Err(ExportError::Unwritable(out.clone(), e)),
    }
    Ok(())
}

/// Why a loaded document cannot be exported faithfully, if it cannot.
fn skip_reason(loaded: &corpus::LoadedDoc, source: &Path) -> Option<String> {
    if let Some(why) = &loaded.read_only {
        return Some(why.clone());
    }
    let orphans: Vec<&str> = loaded
        .data
        .annotations
        .iter()
        .filter(|a| a.orphaned)
        .map(|a| a.id.as_str())
        .collect();
    if !orphans.is_empty() {
        return Some(format!(
            "{} orphaned annotation(s) ({}) no longer match the text of {}; open the document in Marginalia to place or delete them",
            orphans.len(),
            orphans.join(", "),
            source.display()
        ));
    }
    None
}

/// One rendered output file, relative to the destination (empty for the destination itself).
struct Output {
    rel: String,
    bytes: Vec<u8>,
}

/// Exports the corpus at `root` as `opts` says.
///
/// `progress(done, total)` is called as work advances; returning `false`
/// cancels, and then nothing is written (brat files already written are
/// removed again). Rendering happens in memory, then files are written with
/// [`write_atomic`], so a crash never leaves a half-written file.
/// Skipped documents are listed in the report; with `strict` they are an error.
pub fn export_corpus(
    root: &Path,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ExportReport, ExportError> {
    check_destination(root, opts)?;
    let entries = corpus::scan(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e.to_string()))?;
    let tagset = corpus::load_tagset(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e))?;
    let n = entries.len();
    // Rendering is one step per document; brat adds one step per document written.
    let total = if opts.format.is_folder() { 2 * n + 1 } else { n + 1 };
    let mut report = ExportReport::default();
    let mut outputs: Vec<Output> = Vec::new();
    let mut single = String::new();
    let mut w3c_items = Vec::new();
    let mut labels = BTreeSet::new();
    let mut relation_kinds = BTreeSet::new();
    if opts.format == Format::Csv {
        single.push_str(&csv::header());
    }
    let rels: Vec<&str> = entries.iter().map(|e| e.rel.as_str()).collect();
    let mut prepared = Prefetch::start(root, &rels, opts.format, opts.only_done);
    for (i, entry) in entries.iter().enumerate() {
        if !progress(i, total) {
            return Err(ExportError::Cancelled);
        }
        let doc = match prepared.next(i) {
            Ok(p) => p,
            Err(e) => {
                report.skipped.push(Skipped {
                    path: entry.rel.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let rendered = match doc.outcome {
            Prepared::Skipped(reason) => {
                report.skipped.push(Skipped {
                    path: entry.rel.clone(),
                    reason,
                });
                continue;
            }
            Prepared::NotDone => {
                report.not_done += 1;
                continue;
            }
            Prepared::Rendered(r) => r,
        };
        report.documents += 1;
        report.annotations += doc.annotations;
        report.relations += doc.relations;
        report.dropped_overlaps += rendered.dropped_overlaps;
        single.push_str(&rendered.single);
        outputs.extend(rendered.outputs);
        w3c_items.extend(rendered.w3c_items);
        labels.extend(doc.labels);
        relation_kinds.extend(doc.relation_kinds);
    }
    if opts.strict && !report.skipped.is_empty() {
        return Err(ExportError::Strict(report.skipped));
    }
    match opts.format {
        Format::Brat => outputs.push(Output {
            rel: "annotation.conf".into(),
            bytes: brat::annotation_conf(&tagset, &labels, &relation_kinds).into_bytes(),
        }),
        Format::W3c => {
            let label = root
                .file_name()
                .map_or_else(|| "corpus".to_owned(), |n| n.to_string_lossy().into_owned());
            let text = w3c::collection_text(&label, &w3c_items);
            outputs.push(Output {
                rel: String::new(),
                bytes: text.into_bytes(),
            });
        }
        _ => outputs.push(Output {
            rel: String::new(),
            bytes: single.into_bytes(),
        }),
    }
    if !progress(n, total) {
        return Err(ExportError::Cancelled);
    }
    write_outputs(opts, outputs, n, total, progress, &mut report)?;
    progress(total, total);
    Ok(report)
}

/// One document made ready for the export on a worker thread.
struct PreparedDoc {
    outcome: Prepared,
    annotations: usize,
    relations: usize,
    labels: BTreeSet<String>,
    relation_kinds: BTreeSet<String>,
}

/// Whether a document goes into the export, and its rendered part if it does.
enum Prepared {
    Skipped(String),
    NotDone,
    Rendered(Rendered),
}

/// A document's share of the output.
#[derive(Default)]
struct Rendered {
    single: String,
    outputs: Vec<Output>,
    w3c_items: Vec<String>,
    dropped_overlaps: usize,
}

/// Loads and renders one document (on a worker thread).
fn prepare(
    root: &Path,
    rel: &str,
    format: Format,
    only_done: bool,
) -> Result<PreparedDoc, corpus::LoadError> {
    let loaded = corpus::load_to_read(root, rel)?;
    let data = &loaded.data;
    let mut out = PreparedDoc {
        outcome: Prepared::NotDone,
        annotations: data.annotations.len(),
        relations: data.relations.len(),
        labels: BTreeSet::new(),
        relation_kinds: BTreeSet::new(),
    };
    if let Some(reason) = skip_reason(&loaded, &root.join(rel)) {
        out.outcome = Prepared::Skipped(reason);
        return Ok(out);
    }
    if only_done && data.status != Status::Done {
        return Ok(out);
    }
    for a in &data.annotations {
        if !out.labels.contains(&a.label) {
            out.labels.insert(a.label.clone());
        }
    }
    out.relation_kinds = data.relations.iter().map(|r| r.kind.clone()).collect();
    let mut r = Rendered::default();
    let mut report = ExportReport::default();
    render_doc(
        format,
        &loaded.doc,
        data,
        &mut r.single,
        &mut r.outputs,
        &mut r.w3c_items,
        &mut report,
    );
    r.dropped_overlaps = report.dropped_overlaps;
    out.outcome = Prepared::Rendered(r);
    Ok(out)
}

/// Loads and renders documents ahead of the export on worker threads and hands
/// them out in corpus order. Loading (read, decode, hash, parse the sidecar) and
/// rendering are nearly all of an export and documents are independent, so the
/// cores share them; the calling thread only joins the parts in order and writes,
/// so output and progress are as before.
struct Prefetch {
    root: PathBuf,
    rels: Vec<String>,
    format: Format,
    only_done: bool,
    /// Worker `w` prepares documents `w`, `w + n`, `w + 2n`, … in that order.
    results: Vec<Receiver<Result<PreparedDoc, corpus::LoadError>>>,
    workers: Vec<JoinHandle<()>>,
}

impl Prefetch {
    fn start(root: &Path, rels: &[&str], format: Format, only_done: bool) -> Self {
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8)
            .min(rels.len().max(1));
        let mut results = Vec::with_capacity(n);
        let mut workers = Vec::with_capacity(n);
        for w in 0..n {
            // A few documents ahead per worker: enough to keep it busy, little memory.
            let (tx, rx) = sync_channel(4);
            let root = root.to_path_buf();
            let mine: Vec<String> = rels.iter().skip(w).step_by(n).map(|r| (*r).to_owned()).collect();
            let spawned = std::thread::Builder::new()
                .name("marginalia-export-load".into())
                .spawn(move || {
                    for rel in mine {
                        if tx.send(prepare(&root, &rel, format, only_done)).is_err() {
                            break;
                        }
                    }
                });
            match spawned {
                Ok(h) => {
                    workers.push(h);
                    results.push(rx);
                }
                // No threads to be had: prepare everything on the calling thread instead.
                Err(_) => {
                    results.clear();
                    break;
                }
            }
        }
        Self {
            root: root.to_path_buf(),
            rels: rels.iter().map(|r| (*r).to_owned()).collect(),
            format,
            only_done,
            results,
            workers,
        }
    }

    /// Document `i`; must be asked for in order 0, 1, 2, ….
    fn next(&mut self, i: usize) -> Result<PreparedDoc, corpus::LoadError> {
        let n = self.results.len();
        match (n > 0).then(|| self.results[i % n].recv().ok()).flatten() {
            Some(r) => r,
            // The worker is gone (it panicked): prepare it here.
            None => prepare(&self.root, &self.rels[i], self.format, self.only_done),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        // Closing the channels stops the workers at their next document.
        self.results.clear();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Appends one document to the output being built.
fn render_doc(
    format: Format,
    doc: &Document,
    data: &DocAnnotations,
    single: &mut String,
    outputs: &mut Vec<Output>,
    w3c_items: &mut Vec<String>,
    report: &mut ExportReport,
) {
    match format {
        Format::Jsonl => {
            single.push_str(&jsonl::doc_line(doc, data));
            single.push('\n');
        }
        Format::Csv => single.push_str(&csv::doc_rows(doc, data)),
        Format::Conll => {
            let (text, dropped) = conll::doc_conll(doc, data);
            single.push_str(&text);
            report.dropped_overlaps += dropped;
        }
        Format::W3c => w3c_items.extend(w3c::doc_items(doc, data).iter().map(w3c::item_text)),
        Format::Brat => {
            let files = brat::to_brat(doc, data);
            let stem = brat_stem(&doc.path);
            outputs.push(Output {
                rel: format!("{stem}.txt"),
                bytes: files.txt.into_bytes(),
            });
            outputs.push(Output {
                rel: format!("{stem}.ann"),
                bytes: files.ann.into_bytes(),
            });
        }
    }
}

/// The name of a document's brat files without `.txt`/`.ann`: `a.txt` → `a`, `a.md` → `a.md`,
/// so that two sources differing only in extension never share brat files.
pub fn brat_stem(path: &str) -> &str {
    path.strip_suffix(".txt").unwrap_or(path)
}

fn write_outputs(
    opts: &ExportOptions,
    outputs: Vec<Output>,
    n: usize,
    total: usize,
    progress: &mut dyn FnMut(usize, usize) -> bool,
    report: &mut ExportReport,
) -> Result<(), ExportError> {
    let unwritable = |p: &Path, e: io::Error| ExportError::Unwritable(p.to_path_buf(), e);
    if !opts.format.is_folder() {
        for o in outputs {
            write_atomic(&opts.out, &o.bytes).map_err(|e| unwritable(&opts.out, e))?;
            report.files.push(opts.out.clone());
        }
        return Ok(());
    }
    let created_root = !opts.out.exists();
    std::fs::create_dir_all(&opts.out).map_err(|e| unwritable(&opts.out, e))?;
    let mut written: Vec<PathBuf> = Vec::new();
    let mut made_dirs: Vec<PathBuf> = Vec::new();
    let undo = |written: &[PathBuf], made_dirs: &[PathBuf]| {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        for d in made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        if created_root {
            let _ = std::fs::remove_dir(&opts.out);
        }
    };
    let docs_done = |k: usize| n + 1 + k / 2;
    // Folders first, here, so the writers below only create files.
    let mut paths = Vec::with_capacity(outputs.len());
    for o in &outputs {
        let path = opts.out.join(&o.rel);
        if let Some(parent) = path.parent()
            && !parent.exists()
        {
            let mut missing = Vec::new();
            let mut p = parent;
            while !p.exists() {
                missing.push(p.to_path_buf());
                match p.parent() {
                    Some(pp) => p = pp,
                    None => break,
                }
            }
            if let Err(e) = std::fs::create_dir_all(parent) {
                undo(&written, &made_dirs);
                return Err(unwritable(parent, e));
            }
            made_dirs.extend(missing.into_iter().rev());
        }
        paths.push(path);
    }
    let mut done_ids: Vec<usize> = Vec::with_capacity(paths.len());
    let mut failure = None;
    parallel::run(
        paths.iter().zip(&outputs),
        |(path, o)| write_atomic_unsynced_dir(path, &o.bytes),
        |k, r| {
            match r {
                Ok(()) => done_ids.push(k),
                Err(e) => {
                    failure.get_or_insert(unwritable(&paths[k], e));
                }
            }
            if failure.is_none()
                && done_ids.len().is_multiple_of(2)
                && !progress(docs_done(done_ids.len()).min(total), total)
            {
                failure = Some(ExportError::Cancelled);
            }
            failure.is_none()
        },
    );
    done_ids.sort_unstable();
    written = done_ids.into_iter().map(|k| paths[k].clone()).collect();
    if let Some(e) = failure {
        undo(&written, &made_dirs);
        return Err(e);
    }
    if let Err((dir, e)) = sync_dirs_of(written.iter().map(PathBuf::as_path)) {
        undo(&written, &made_dirs);
        return Err(unwritable(&dir, e));
    }
    report.files = written;
    Ok(())
}
