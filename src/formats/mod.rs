//! Interchange formats: export and import, one module per format, all through the model.
//!
//! [`export_corpus`] is what the command line and the GUI call; it reads every
//! document through [`crate::store::corpus::load`], skips (and lists) what
//! cannot be exported faithfully, renders the chosen format and writes it
//! atomically. [`import`] brings brat, Marginalia JSONL, doccano, spaCy and
//! Prodigy data and REFI-QDA projects into a corpus folder.

pub mod brat;
pub mod claims;
pub mod conll;
pub mod csv;
mod destination;
pub mod doccano;
pub mod import;
pub mod jsonl;
mod parallel;
pub mod qdpx;
pub mod w3c;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{DocAnnotations, Document, Status};
use crate::store::atomic::AtomicFile;
use crate::store::batch::Batch;
use crate::store::corpus;
use destination::{check_destination, resolve};

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
    /// A REFI-QDA project for ATLAS.ti, NVivo, MAXQDA and QualCoder.
    Qdpx,
}

impl Format {
    /// Every format, in menu order.
    pub const ALL: [Format; 6] = [
        Format::Jsonl,
        Format::Brat,
        Format::Conll,
        Format::W3c,
        Format::Csv,
        Format::Qdpx,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Brat => "brat",
            Format::Conll => "conll",
            Format::W3c => "w3c",
            Format::Csv => "csv",
            Format::Qdpx => "qdpx",
        }
    }

    /// What the format is and who reads it, in a few words, for the export window.
    pub fn title(self) -> &'static str {
        match self {
            Format::Jsonl => "JSONL: everything, one document a line (Marginalia, spaCy, Prodigy)",
            Format::Brat => "brat standoff: a folder of .txt and .ann files (brat, INCEpTION)",
            Format::Conll => "CoNLL IOB2: entities, one token a line (NER training, conlleval)",
            Format::W3c => "W3C Web Annotation: JSON-LD (Hypothesis, annotation servers)",
            Format::Csv => "CSV: one row per claim (spreadsheets)",
            Format::Qdpx => "REFI-QDA project (.qdpx): ATLAS.ti, NVivo, MAXQDA, QualCoder",
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
            Format::Qdpx => "qdpx",
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
    /// W3C only: the URI the sources are published under (see [`w3c::iri::check_base`]);
    /// `None` names each source by the `file://` URI of the file in the corpus folder.
    pub base_uri: Option<String>,
    /// CSV only: whether text cells that a spreadsheet would run as formulas are guarded.
    pub csv_formulas: csv::Formulas,
    /// Write nothing, and say so, when no document is left to export (the
    /// workbench asks this; a pipeline may want its empty file).
    pub refuse_empty: bool,
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
        // No file is written only when the export went to a stream.
        let place = match self.files.len() {
            0 => "standard output".to_owned(),
            n => format!("{n} file(s)"),
        };
        let mut s = format!(
            "exported {} document(s), {} annotation(s), {} relation(s) to {place}",
            self.documents, self.annotations, self.relations,
        );
        if self.not_done > 0 {
            s.push_str(&format!(
                "\nleft out {} document(s) not marked done",
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
    /// A folder format was asked to write to a stream.
    FolderToStream(Format),
    /// The base URI given for the W3C export is not usable; the text says why.
    BaseUri(String),
    /// Writing to the stream (standard output) failed.
    Stream(io::Error),
    /// `refuse_empty` is on and no document was left to export; nothing was written.
    Nothing(ExportReport),
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
            ExportError::FolderToStream(format) => write!(
                f,
                "the {} export is a folder of files and cannot go to standard output; give a folder to write it into",
                format.as_str()
            ),
            ExportError::BaseUri(why) => write!(f, "the base URI cannot be used: {why}"),
            ExportError::Stream(e) => write!(f, "cannot write to standard output: {e}"),
            ExportError::Nothing(r) => write!(
                f,
                "no document to export ({} not marked done, {} skipped); nothing was written",
                r.not_done,
                r.skipped.len()
            ),
        }
    }
}

impl std::error::Error for ExportError {}

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

/// Where an export's output goes while it is made; nothing of it is visible
/// under the destination's name before the end.
enum Sink {
    /// A single-file format, streamed into a temporary file beside the destination.
    File(AtomicFile),
    /// A single-file format bound for a stream: held until complete, so that a
    /// failed or refused export writes nothing there either.
    Memory(Vec<u8>),
    /// A folder format, written by the workers into one batch.
    Folder(Arc<Batch>),
    /// A REFI-QDA project: sources streamed into the zip, its XML written at the end.
    Qdpx(Box<qdpx::ProjectWriter<AtomicFile>>),
}

impl Sink {
    /// The single-file output being written, if this is one.
    fn single(&mut self) -> Option<&mut dyn Write> {
        match self {
            Sink::File(f) => Some(f),
            Sink::Memory(m) => Some(m),
            Sink::Folder(_) | Sink::Qdpx(_) => None,
        }
    }
}

/// Exports the corpus at `root` as `opts` says.
///
/// `progress(done, total)` is called as work advances; returning `false`
/// cancels, and then nothing is written. Documents are loaded and rendered on
/// worker threads; a single-file output is streamed into a temporary file
/// beside the destination while they are, and brat files are written into a
/// [`Batch`]. Either is put in place only once complete, so a crash, an error
/// or a cancel never leaves a partial export.
/// Skipped documents are listed in the report; with `strict` they are an error.
pub fn export_corpus(
    root: &Path,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ExportReport, ExportError> {
    check_destination(root, opts)?;
    run_export(root, opts, None, progress)
}

/// Exports a single-file format to `w` (standard output, say) instead of
/// `opts.out`, which is not used. The output is written only once complete:
/// a cancelled, failed or refused (`strict`) export writes nothing. A folder
/// format is refused.
pub fn export_corpus_to(
    root: &Path,
    opts: &ExportOptions,
    w: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ExportReport, ExportError> {
    if opts.format.is_folder() {
        return Err(ExportError::FolderToStream(opts.format));
    }
    run_export(root, opts, Some(w), progress)
}

/// The base URI under which the W3C export names the sources, and the
/// collection's IRI: as the user gave it, else `file://` URIs of the corpus
/// folder and of the destination.
fn w3c_iris(root: &Path, opts: &ExportOptions, to_stream: bool) -> Result<(String, String), ExportError> {
    let file_name = |p: &Path| {
        p.file_name().map_or_else(
            || "annotations.jsonld".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    match &opts.base_uri {
        Some(base) => {
            let base = w3c::iri::check_base(base).map_err(ExportError::BaseUri)?;
            // The export is taken to be published beside the sources.
            let name = if to_stream {
                "annotations.jsonld".to_owned()
            } else {
                file_name(&opts.out)
            };
            let id = w3c::source_iri(&base, &name);
            Ok((base, id))
        }
        None => {
            let canon = std::fs::canonicalize(root)
                .map_err(|e| ExportError::Corpus(root.to_path_buf(), e.to_string()))?;
            let base = w3c::iri::file_uri(&canon, true);
            let id = if to_stream {
                w3c::source_iri(&base, "annotations.jsonld")
            } else {
                let out = resolve(&opts.out).map_err(|e| ExportError::Unwritable(opts.out.clone(), e))?;
                w3c::iri::file_uri(&out, false)
            };
            Ok((base, id))
        }
    }
}

/// What every worker needs to render a document.
#[derive(Clone)]
struct RenderOptions {
    format: Format,
    only_done: bool,
    /// W3C: the base URI of the sources.
    base: Arc<str>,
    formulas: csv::Formulas,
}

fn run_export(
    root: &Path,
    opts: &ExportOptions,
    stream: Option<&mut dyn Write>,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ExportReport, ExportError> {
    let (base, collection_id) = if opts.format == Format::W3c {
        w3c_iris(root, opts, stream.is_some())?
    } else {
        Default::default()
    };
    let scanned =
        corpus::scan_report(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e.to_string()))?;
    let entries = scanned.entries;
    let tagset = corpus::load_tagset(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e))?;
    let n = entries.len();
    let total = n + 1;
    let unwritable = |p: &Path, e: io::Error| ExportError::Unwritable(p.to_path_buf(), e);
    let mut sink = if stream.is_some() {
        Sink::Memory(Vec::new())
    } else if opts.format.is_folder() {
        Sink::Folder(Arc::new(
            Batch::begin(&opts.out).map_err(|e| unwritable(&opts.out, e))?,
        ))
    } else if opts.format == Format::Qdpx {
        let f = AtomicFile::create(&opts.out).map_err(|e| unwritable(&opts.out, e))?;
        Sink::Qdpx(Box::new(qdpx::ProjectWriter::new(f)))
    } else {
        Sink::File(AtomicFile::create(&opts.out).map_err(|e| unwritable(&opts.out, e))?)
    };
    // W3C items are written as documents arrive, inside a collection opened here.
    let mut collection = None;
    if let Some(f) = sink.single() {
        match opts.format {
            Format::Csv => f.write_all(csv::header().as_bytes()),
            Format::W3c => {
                let label = std::fs::canonicalize(root)
                    .ok()
                    .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "corpus".to_owned());
                w3c::CollectionWriter::begin(f, &label, &collection_id).map(|c| collection = Some(c))
            }
            _ => Ok(()),
        }
        .map_err(|e| unwritable(&opts.out, e))?;
    }
    let mut report = ExportReport::default();
    // Left out by the listing (links out of the corpus, names that are not UTF-8):
    // listed like documents that cannot be exported, and `strict` refuses them too.
    report
        .skipped
        .extend(scanned.skipped.into_iter().map(|s| Skipped {
            path: s.rel,
            reason: s.reason,
        }));
    let mut brat_use = brat::ConfUse::default();
    let listed: Vec<corpus::DocEntry> = entries.clone();
    let batch = match &sink {
        Sink::Folder(b) => Some(Arc::clone(b)),
        Sink::File(_) | Sink::Memory(_) | Sink::Qdpx(_) => None,
    };
    // Loading (read, decode, hash, parse the sidecar) and rendering are nearly
    // all of an export, and documents are independent: the cores share them,
    // and this thread joins the parts in order.
    let render = RenderOptions {
        format: opts.format,
        only_done: opts.only_done,
        base: base.into(),
        formulas: opts.csv_formulas,
    };
    let base_dir = root.to_path_buf();
    let mut prepared = parallel::ordered(listed, move |entry: &corpus::DocEntry| {
        prepare(&base_dir, entry, &render, batch.as_deref())
    });
    for (i, entry) in entries.iter().enumerate() {
        if !progress(i, total) {
            return Err(ExportError::Cancelled);
        }
        let Some(doc) = prepared.next() else { break };
        let doc = match doc {
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
        if let Some((path, e)) = rendered.write_error {
            return Err(unwritable(&path, e));
        }
        report.documents += 1;
        report.annotations += doc.annotations;
        report.relations += doc.relations;
        report.dropped_overlaps += rendered.dropped_overlaps;
        if let Some(f) = sink.single() {
            f.write_all(rendered.single.as_bytes())
                .map_err(|e| unwritable(&opts.out, e))?;
            if let Some(c) = &mut collection {
                c.items(f, &rendered.w3c_items)
                    .map_err(|e| unwritable(&opts.out, e))?;
            }
        }
        if let (Sink::Qdpx(w), Some(part)) = (&mut sink, rendered.qdpx) {
            w.add(*part).map_err(|e| unwritable(&opts.out, e))?;
        }
        report
            .files
            .extend(rendered.files.iter().map(|rel| opts.out.join(rel)));
        brat_use.merge(doc.brat_use);
    }
    // The workers hold the batch until they are joined.
    drop(prepared);
    if opts.strict && !report.skipped.is_empty() {
        return Err(ExportError::Strict(report.skipped));
    }
    if opts.refuse_empty && report.documents == 0 {
        return Err(ExportError::Nothing(report));
    }
    if let (Some(c), Some(f)) = (collection, sink.single()) {
        c.finish(f).map_err(|e| unwritable(&opts.out, e))?;
    }
    if !progress(n, total) {
        return Err(ExportError::Cancelled);
    }
    match sink {
        Sink::Folder(batch) => {
            // brat's own configuration, kept in the corpus by an import, comes back as it was.
            let kept = crate::store::safe_file::read_string_capped(
                &root.join(brat::CONF_FILE),
                crate::store::safe_file::MAX_TAGSET_BYTES,
            )
            .ok();
            let kept = kept.as_deref().map(|k| k.strip_prefix('\u{feff}').unwrap_or(k));
            let conf = brat::annotation_conf(kept, &tagset, &brat_use);
            batch
                .write_group(&[("annotation.conf", conf.as_bytes())])
                .map_err(|(p, e)| unwritable(&p, e))?;
            report.files.push(opts.out.join("annotation.conf"));
            let batch = Arc::try_unwrap(batch).map_err(|_| {
                unwritable(
                    &opts.out,
                    io::Error::other("a worker still held the export's files"),
                )
            })?;
            batch.commit().map_err(|(p, e)| unwritable(&p, e))?;
        }
        Sink::File(f) => {
            f.commit().map_err(|e| unwritable(&opts.out, e))?;
            report.files.push(opts.out.clone());
        }
        Sink::Qdpx(w) => {
            let name = root
                .file_name()
                .map_or_else(|| "corpus".to_owned(), |n| n.to_string_lossy().into_owned());
            let f = w.finish(&name, &tagset).map_err(|e| unwritable(&opts.out, e))?;
            if !progress(n, total) {
                return Err(ExportError::Cancelled);
            }
            f.commit().map_err(|e| unwritable(&opts.out, e))?;
            report.files.push(opts.out.clone());
        }
        Sink::Memory(bytes) => {
            if let Some(w) = stream {
                w.write_all(&bytes)
                    .and_then(|()| w.flush())
                    .map_err(ExportError::Stream)?;
            }
        }
    }
    progress(total, total);
    Ok(report)
}

/// One document made ready for the export on a worker thread.
struct PreparedDoc {
    outcome: Prepared,
    annotations: usize,
    relations: usize,
    /// What brat's `annotation.conf` declares, for a brat export.
    brat_use: brat::ConfUse,
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
    /// Its part of a single-file output.
    single: String,
    /// Its files written into the batch, relative to the destination.
    files: Vec<String>,
    /// The file of the batch that could not be written, and why.
    write_error: Option<(PathBuf, io::Error)>,
    w3c_items: w3c::ItemsText,
    dropped_overlaps: usize,
    /// A REFI-QDA project's part.
    qdpx: Option<Box<qdpx::DocPart>>,
}

/// Loads and renders one document (on a worker thread), writing its files into
/// `batch` for a folder format.
fn prepare(
    root: &Path,
    entry: &corpus::DocEntry,
    render: &RenderOptions,
    batch: Option<&Batch>,
) -> Result<PreparedDoc, corpus::LoadError> {
    let (format, only_done) = (render.format, render.only_done);
    let loaded = corpus::load_for_export(root, entry)?;
    let data = &loaded.data;
    let mut out = PreparedDoc {
        outcome: Prepared::NotDone,
        annotations: data.annotations.len(),
        relations: data.relations.len(),
        brat_use: brat::ConfUse::default(),
    };
    if let Some(reason) = skip_reason(&loaded, &root.join(&entry.rel)) {
        out.outcome = Prepared::Skipped(reason);
        return Ok(out);
    }
    if only_done && data.status != Status::Done {
        return Ok(out);
    }
    // Only brat's `annotation.conf` lists the types used.
    if format == Format::Brat {
        out.brat_use.note(data);
    }
    out.outcome = Prepared::Rendered(render_doc(render, &loaded.doc, data, batch));
    Ok(out)
}

/// Renders one document; a folder format's files go into `batch`.
fn render_doc(
    render: &RenderOptions,
    doc: &Document,
    data: &DocAnnotations,
    batch: Option<&Batch>,
) -> Rendered {
    let mut r = Rendered::default();
    match render.format {
        Format::Jsonl => {
            r.single = jsonl::doc_line(doc, data);
            r.single.push('\n');
        }
        Format::Csv => r.single = csv::doc_rows(doc, data, render.formulas),
        Format::Conll => (r.single, r.dropped_overlaps) = conll::doc_conll(doc, data),
        Format::W3c => r.w3c_items = w3c::doc_item_texts(doc, data, &render.base),
        Format::Qdpx => r.qdpx = Some(Box::new(qdpx::doc_part(doc, data))),
        Format::Brat => {
            let files = brat::to_brat(doc, data);
            let stem = brat_stem(&doc.path);
            let txt = format!("{stem}.txt");
            let ann = format!("{stem}.ann");
            match batch.map(|b| b.write_group(&[(&txt, files.txt.as_bytes()), (&ann, files.ann.as_bytes())]))
            {
                Some(Err(e)) => r.write_error = Some(e),
                Some(Ok(())) => r.files = vec![txt, ann],
                None => {
                    r.write_error = Some((PathBuf::from(txt), io::Error::other("no folder to write into")));
                }
            }
        }
    }
    r
}

/// The name of a document's brat files without `.txt`/`.ann`: `a.txt` → `a`, `a.md` → `a.md`,
/// so that two sources differing only in extension never share brat files.
pub fn brat_stem(path: &str) -> &str {
    path.strip_suffix(".txt").unwrap_or(path)
}
