//! A corpus: a folder of sources, each with an optional sidecar beside it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::anchor::{ReanchorReport, reanchor_all};
use crate::model::tagset::{CORPUS_TAGSET_FILE, TagSet};
use crate::model::{DocAnnotations, DocMeta, Document};

use super::decode::NotText;
pub use super::disk::{DiskStamp, SaveError, sidecar_hash, sidecar_path};
use super::disk::{
    FileMark, JournalStamp, bytes_hash, check_sidecar_unchanged, link_out_of, may_write_beside, open_sidecar,
};
use super::extract::{self, ExtractError};
use super::journal::{self, Replayed};
use super::lock::{lock_folder, read_consistent};
use super::safe_file;
pub use super::scan::{
    DocEntry, PLAIN_EXTENSIONS, SOURCE_EXTENSIONS, ScanReport, SkippedFile, is_source_name, natural_cmp,
    scan, scan_journals, scan_report, scan_sidecars, source_of_journal, source_of_sidecar,
};
use super::sidecar::{self, MAJOR};

/// Largest source opened, in bytes. Far above any article or transcript (about five
/// million words); a bigger file is refused before it is read, so a stray dump or disk
/// image in the folder cannot exhaust memory or stall the workbench.
pub const MAX_SOURCE_BYTES: u64 = 32_000_000;

/// The tag set of a corpus: its own `marginalia.ron`, or the built-in one.
/// A corpus tag set that does not validate is an error naming file and line.
pub fn load_tagset(root: &Path) -> Result<TagSet, String> {
    let path = root.join(CORPUS_TAGSET_FILE);
    match safe_file::read_string_capped(&path, safe_file::MAX_TAGSET_BYTES) {
        Ok(src) => TagSet::parse(&src).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(TagSet::builtin()),
        Err(e) => Err(format!("{}: cannot read the tag set: {e}", path.display())),
    }
}

/// The annotations stored for the source whose sidecar is `side`: the sidecar
/// with the edit journal beside it applied (what opening the document starts
/// from, before re-anchoring), without reading the source. `Ok(None)` when there
/// is neither file; a message when the sidecar cannot be read or parsed. A
/// journal that cannot be applied is left out and reported in the result.
pub fn read_annotations(side: &Path) -> Result<Option<(DocAnnotations, Replayed)>, String> {
    read_consistent(side, || {
        let before = FileMark::read(side).ok().flatten();
        (read_annotations_once(side), before)
    })
}

fn read_annotations_once(side: &Path) -> Result<Option<(DocAnnotations, Replayed)>, String> {
    let (mut data, bytes) = match safe_file::read_capped(side, safe_file::MAX_SIDECAR_BYTES) {
        Ok(bytes) => match sidecar::from_bytes(&bytes) {
            Ok(sc) => (sc.data, Some(bytes)),
            Err(e) => return Err(e.to_string()),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (DocAnnotations::default(), None),
        Err(e) => return Err(e.to_string()),
    };
    let replayed = journal::replay(side, || bytes.as_deref().map(bytes_hash), &mut data);
    if bytes.is_none() && replayed == Replayed::None {
        return Ok(None);
    }
    Ok(Some((data, replayed)))
}

/// A document opened from disk, with its annotations.
#[derive(Clone, Debug)]
pub struct LoadedDoc {
    /// The decoded source.
    pub doc: Document,
    /// Its annotations (re-anchored when the source changed).
    pub data: DocAnnotations,
    /// Encoding the source was read in.
    pub encoding: &'static str,
    /// True when the encoding was guessed.
    pub encoding_guessed: bool,
    /// Why edits are refused (damaged or newer sidecar), if they are.
    pub read_only: Option<String>,
    /// What re-anchoring did, when the source changed since the sidecar was saved.
    pub reanchor: Option<ReanchorReport>,
    /// Sidecar version to write back.
    pub version: (u32, u32),
    /// The sidecar (and edit journal) as they were on disk when loaded.
    pub stamp: DiskStamp,
    /// How many edits of the journal beside the sidecar were applied (see [`journal`]).
    pub journal_edits: usize,
    /// True when that journal may be appended to as it is (see
    /// [`Replayed::Applied`]); otherwise the next save should be a full one.
    pub journal_appendable: bool,
}

impl LoadedDoc {
    /// True when the in-memory annotations differ from the sidecar (after re-anchoring,
    /// or with the edits of its journal applied), so a save should write it.
    pub fn needs_save(&self) -> bool {
        self.read_only.is_none()
            && (self.reanchor.as_ref().is_some_and(|r| !r.is_clean()) || self.stamp.journal.is_some())
    }
}

/// Why a document could not be opened.
#[derive(Debug)]
pub enum LoadError {
    /// The source could not be read.
    Io(PathBuf, io::Error),
    /// The source is not text.
    NotText(PathBuf, NotText),
    /// The source is larger than [`MAX_SOURCE_BYTES`]; it was not read.
    TooLarge(PathBuf, u64),
    /// The text of a web page, Word or other file could not be extracted.
    Extract(PathBuf, ExtractError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(p, e) => write!(f, "{}: cannot read the file: {e}", p.display()),
            LoadError::NotText(p, why) => write!(f, "{}: {why}", p.display()),
            LoadError::Extract(p, why) => write!(f, "{}: {why}", p.display()),
            LoadError::TooLarge(p, size) => write!(
                f,
                "{}: the file is {} MB, more than the {} MB Marginalia opens; split it into smaller files",
                p.display(),
                (size + 500_000) / 1_000_000,
                MAX_SOURCE_BYTES / 1_000_000
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads a source, refusing one over [`MAX_SOURCE_BYTES`] without reading it whole
/// (the limit holds even for a file that grows while it is read).
fn read_source(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let io_err = |e| LoadError::Io(path.to_path_buf(), e);
    let f = safe_file::open_regular(path).map_err(io_err)?;
    let size = f.metadata().map_err(io_err)?.len();
    if size > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf(), size));
    }
    let mut f = f.take(MAX_SOURCE_BYTES + 1);
    // One byte more than the size asked for: getting the size, and no more, is
    // the end, without the read that finds nothing (a tenth of the system calls
    // of an export). Anything else reads on to the end.
    let mut bytes = vec![0; size as usize + 1];
    let got = loop {
        match f.read(&mut bytes) {
            Ok(n) => break n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(e)),
        }
    };
    bytes.truncate(got);
    if got as u64 != size {
        f.read_to_end(&mut bytes).map_err(io_err)?;
    }
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf(), bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens `rel` under `root`: decodes the source, reads its sidecar, and
/// re-anchors when the source changed. A damaged or newer sidecar makes the
/// document read-only; it is never overwritten.
pub fn load(root: &Path, rel: &str) -> Result<LoadedDoc, LoadError> {
    load_previewing(root, rel, &mut |_| {})
}

/// [`load`], handing `preview` the beginning of a long source (the first page
/// of a PDF) as soon as it is read, to be shown while the rest is.
pub fn load_previewing(
    root: &Path,
    rel: &str,
    preview: &mut dyn FnMut(extract::Preview),
) -> Result<LoadedDoc, LoadError> {
    let loaded = load_with(root, rel, true, Journal::Apply, preview)?;
    // Built here, on the loading thread, rather than in the first frame that
    // shows the document.
    loaded.doc.index();
    Ok(loaded)
}

/// [`load`] for reading only (export, statistics): the same document and
/// annotations, but without the sidecar's hash in [`LoadedDoc::stamp`], which only
/// a save needs. Hashing every sidecar was a tenth of an export's time.
/// Saving such a document is refused as a conflict, never done blindly.
pub fn load_to_read(root: &Path, rel: &str) -> Result<LoadedDoc, LoadError> {
    load_with(root, rel, false, Journal::Apply, &mut |_| {})
}

/// [`load_to_read`] for an export: a journal is looked for only when `entry`
/// was listed with one. The export is then of the corpus as listed, with any
/// sidecar written since (each is whole by itself), but not a journal begun
/// after the listing. Looking for a journal that is not there, and then checking
/// that the sidecar had not been replaced meanwhile, were two of a document's
/// eleven calls to the system.
pub fn load_for_export(root: &Path, entry: &DocEntry) -> Result<LoadedDoc, LoadError> {
    let journal = if entry.journal {
        Journal::Apply
    } else {
        Journal::NotListed
    };
    load_with(root, &entry.rel, false, journal, &mut |_| {})
}

/// Whether a load looks for the sidecar's journal (see [`load_for_export`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Journal {
    Apply,
    NotListed,
}

fn load_with(
    root: &Path,
    rel: &str,
    stamp: bool,
    journal: Journal,
    preview: &mut dyn FnMut(extract::Preview),
) -> Result<LoadedDoc, LoadError> {
    let path = root.join(rel);
    // The bytes go before the sidecar is read: a large source is not held twice
    // while its annotations are parsed.
    let bytes = read_source(&path)?;
    let ex =
        extract::extract_previewing(rel, bytes, &extract::Limits::default(), preview).map_err(
            |e| match e {
                ExtractError::NotText(e) => LoadError::NotText(path.clone(), e),
                e => LoadError::Extract(path.clone(), e),
            },
        )?;
    let doc = Document::new(rel, ex.text).with_source(ex.kind, ex.version, ex.layout);
    let side = sidecar_path(&path);
    let mut loaded = LoadedDoc {
        doc,
        data: DocAnnotations::default(),
        encoding: ex.encoding,
        encoding_guessed: ex.guessed,
        read_only: None,
        reanchor: None,
        version: (MAJOR, 0),
        stamp: DiskStamp::default(),
        journal_edits: 0,
        journal_appendable: false,
    };
    if let Some(why) = link_out_of(root, &side) {
        loaded.read_only = Some(why);
        fill_meta(&mut loaded.data.meta, &ex.meta);
        return Ok(loaded);
    }
    // One file alone is whole (sidecars are replaced by renaming): only a pair can
    // have been read half before and half after a fold (see `store::lock`).
    if journal == Journal::NotListed {
        read_stored(&mut loaded, &side, stamp, journal);
        fill_meta(&mut loaded.data.meta, &ex.meta);
        return Ok(loaded);
    }
    read_consistent(&side, || {
        loaded.data = DocAnnotations::default();
        loaded.read_only = None;
        loaded.reanchor = None;
        loaded.version = (MAJOR, 0);
        loaded.stamp = DiskStamp::default();
        loaded.journal_edits = 0;
        loaded.journal_appendable = false;
        ((), read_stored(&mut loaded, &side, stamp, journal))
    });
    fill_meta(&mut loaded.data.meta, &ex.meta);
    Ok(loaded)
}

/// Fills the fields of a document's metadata the analyst left empty with what
/// its file says (a web page's title, byline and date; a Word file's
/// properties). What the analyst wrote is never replaced.
fn fill_meta(meta: &mut DocMeta, found: &DocMeta) {
    for field in DocMeta::FIELDS {
        if meta.get(field).is_some_and(str::is_empty)
            && let Some(v) = found.get(field).filter(|v| !v.is_empty())
        {
            meta.set(field, v.to_owned());
        }
    }
}

/// Reads the sidecar of a loaded document and the journal beside it into
/// `loaded`; returns the sidecar's mark as read (`None` when there is none).
fn read_stored(loaded: &mut LoadedDoc, side: &Path, stamp: bool, journal: Journal) -> Option<FileMark> {
    // Hashed while read only for the stamp; a journal that names its base has the
    // file read again (rare, and `load_with` notices a change in between). Read-only
    // loads also skip the second look at the open file: `load_with` compares the
    // mark with the path's once the journal is read as well.
    let (parsed, hash, side_mark) = match read_sidecar(side, stamp, stamp) {
        Ok(Some(read)) => read,
        Ok(None) => {
            apply_journal(loaded, side, || None, None, journal);
            return None;
        }
        Err(e) => {
            loaded.read_only = Some(format!(
                "{}: cannot read the annotation file ({e}){}, then reopen the document",
                side.display(),
                safe_file::advice(&e)
            ));
            keep_journal(loaded, side);
            return FileMark::read(side).ok().flatten();
        }
    };
    loaded.stamp.sidecar = if stamp { hash.clone() } else { None };
    match parsed {
        Ok(sc) => {
            if stamp && hash.is_some() {
                loaded.stamp.sidecar_mark = side_mark;
            }
            loaded.version = sc.version;
            loaded.data = sc.data;
            // A journal that appeared since it was looked for is checked against the
            // file as it is now; a change meanwhile reads everything again (see `load_with`).
            let base = || {
                hash.or_else(|| {
                    safe_file::read_capped(side, safe_file::MAX_SIDECAR_BYTES)
                        .ok()
                        .map(|b| bytes_hash(&b))
                })
            };
            apply_journal(loaded, side, base, Some(sc.source_hash), journal);
        }
        Err(e) => {
            let what = if e.future_version {
                "was written by a newer version of Marginalia"
            } else {
                "could not be read"
            };
            loaded.read_only = Some(format!(
                "{} {what}: {e}. The document is read-only and the file is left untouched; {}",
                side.display(),
                if e.future_version {
                    "update Marginalia to edit it."
                } else {
                    "fix or remove the file (it is plain text), then reopen."
                }
            ));
            keep_journal(loaded, side);
        }
    }
    side_mark
}

/// Reads and parses a sidecar, with the hash of its bytes when `hash` is set and
/// the mark the file had while read (`None` when it changed meanwhile; without
/// `recheck`, the mark seen before reading, for callers that compare it with the
/// path's afterwards). `Ok(None)` when there is no file. The file is read a
/// window at a time: a large sidecar is not held whole beside its annotations.
fn read_sidecar(path: &Path, hash: bool, recheck: bool) -> io::Result<Option<ParsedSidecar>> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let Some((mut f, before)) = open_sidecar(path)? else {
        return Ok(None);
    };
    let mut hasher = Sha256::new();
    let seen = |b: &[u8]| {
        if hash {
            hasher.update(b);
        }
    };
    let parsed = sidecar::from_reader(&mut f, Some(before.len), seen)?;
    if hash && parsed.is_err() {
        // Reading stopped at the error; the hash is of the whole file.
        let mut rest = Vec::new();
        f.read_to_end(&mut rest)?;
        hasher.update(&rest);
    }
    let digest = hash.then(|| crate::model::document::hex(&hasher.finalize()));
    if !recheck {
        return Ok(Some((parsed, digest, Some(before))));
    }
    let after = FileMark::of(&f.metadata()?);
    Ok(Some((parsed, digest, (before == after).then_some(before))))
}

/// A sidecar as [`read_sidecar`] reads it: contents, hash, mark.
type ParsedSidecar = (
    Result<sidecar::Sidecar, sidecar::SidecarError>,
    Option<String>,
    Option<FileMark>,
);

/// Applies the edit journal beside `side` to a loaded document whose sidecar
/// hashes to `base` and names `source_hash` (both `None` without a sidecar),
/// then re-anchors if the text changed since the edits were placed.
fn apply_journal(
    loaded: &mut LoadedDoc,
    side: &Path,
    base: impl FnOnce() -> Option<String>,
    source_hash: Option<String>,
    journal: Journal,
) {
    let replayed = match journal {
        Journal::Apply => journal::replay(side, base, &mut loaded.data),
        Journal::NotListed => Replayed::None,
    };
    loaded.stamp.journal = replayed.stamp();
    let placed_on = match replayed {
        Replayed::None => source_hash,
        Replayed::Applied {
            edits,
            source_hash: s,
            appendable,
            ..
        } => {
            loaded.journal_edits = edits;
            loaded.journal_appendable = appendable;
            s.or(source_hash)
        }
        Replayed::Kept { why, .. } => {
            loaded.read_only = Some(why.message(
                &journal::journal_path(side).display().to_string(),
                &side.display().to_string(),
            ));
            source_hash
        }
    };
    let moved = placed_on.as_ref().is_some_and(|h| *h != loaded.doc.hash);
    if moved
        || !loaded
            .data
            .annotations
            .iter()
            .all(|a| loaded.doc.spans_in_range(&a.spans))
    {
        loaded.reanchor = Some(reanchor_all(&loaded.doc, &mut loaded.data));
    }
}

/// Records a journal beside a sidecar that cannot be read, so that it is never
/// removed, and says so in the read-only message.
fn keep_journal(loaded: &mut LoadedDoc, side: &Path) {
    let path = journal::journal_path(side);
    let Some(found) = journal::read(&path) else { return };
    loaded.stamp.journal = found.mark.map(|mark| JournalStamp { mark, applied: false });
    if let Some(why) = &mut loaded.read_only {
        why.push_str(&format!(
            " {} beside it holds edits not yet written into it; it is kept as well.",
            path.display()
        ));
    }
}

/// Renders the sidecar of a document.
pub fn render(doc: &Document, data: &DocAnnotations, version: (u32, u32)) -> String {
    let source = doc.path.rsplit('/').next().unwrap_or(&doc.path);
    sidecar::render(version, source, &doc.hash, doc.extraction().as_ref(), data)
}

/// Saves a document's annotations atomically, refusing when the sidecar or its
/// edit journal on disk is no longer the one described by `expected`, and
/// refusing to replace a sidecar this build cannot read (damaged, or from a
/// newer major version) even when `expected` describes it. A journal whose
/// edits `expected` holds as applied is folded in: removed once the new
/// sidecar is in place. Returns the new stamp.
pub fn save(
    root: &Path,
    doc: &Document,
    data: &DocAnnotations,
    version: (u32, u32),
    expected: &DiskStamp,
) -> Result<DiskStamp, SaveError> {
    let side = sidecar_path(&root.join(&doc.path));
    may_write_beside(root, &doc.path, &side)?;
    let jpath = journal::journal_path(&side);
    // Two writers (a second window on the same folder) could otherwise both pass the
    // check below before either renames, and the later rename would silently drop the
    // earlier save. The lock is held until the new file is in place.
    let lock = lock_folder(side.parent());
    let checked_mark = check_sidecar_unchanged(&side, expected)?;
    let on_disk = FileMark::read(&jpath).map_err(|e| SaveError::Io(jpath.clone(), e))?;
    let fold = match (&expected.journal, on_disk) {
        (None, None) => false,
        (Some(j), Some(m)) if j.mark.same_journal(&m) => {
            if !j.applied {
                return Err(SaveError::ReadOnly(format!(
                    "{} holds edits that were not applied, and {} is not replaced while it does;                      reopen the document to see why",
                    jpath.display(),
                    side.display()
                )));
            }
            true
        }
        _ => return Err(SaveError::Conflict(jpath)),
    };
    let text = render(doc, data, version);
    let hash = bytes_hash(text.as_bytes());
    // Under the lock no other save of this sidecar is under way, so temporary files of
    // it are what killed saves left; without this they would pile up after each crash.
    // Also when this save writes nothing: the state a killed save left may be the one
    // saved next.
    if lock.is_some() {
        super::atomic::remove_stale_temps(&side);
    }
    // The sidecar's mark once saved: as checked, when its bytes were already these.
    let mut written_mark = checked_mark;
    if expected.sidecar.as_deref() != Some(hash.as_str()) {
        // Named in the journal before the rename: if the process dies between the
        // rename and the removal below, loading sees that the journal is already in.
        let marked = if fold {
            Some(journal::mark_folded(&jpath, &hash).map_err(|e| SaveError::Io(jpath.clone(), e))?)
        } else {
            None
        };
        match super::atomic::write_atomic_stat(&side, text.as_bytes()) {
            Ok(meta) => written_mark = Some(FileMark::of(&meta)),
            Err(e) => {
                if let Some(len) = marked {
                    journal::unmark_folded(&jpath, len);
                }
                return Err(SaveError::Io(side, e));
            }
        }
    }
    let mut new = DiskStamp {
        sidecar: Some(hash),
        journal: None,
        sidecar_mark: written_mark,
    };
    if fold {
        if let Err(e) = fs::remove_file(&jpath)
            && e.kind() != io::ErrorKind::NotFound
        {
            // Everything is in the sidecar; the journal now says so and is folded by a later save.
            new.journal = FileMark::read(&jpath)
                .ok()
                .flatten()
                .map(|mark| JournalStamp { mark, applied: true });
            return Ok(new);
        }
        if let Some(dir) = jpath.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        if lock.is_some() {
            super::atomic::remove_stale_temps(&jpath);
        }
    }
    Ok(new)
}

/// Saves a loaded document and records the new stamp in it (folding in the edit
/// journal it was loaded with, if any). Refuses read-only documents, so the GUI
/// and tools need no check of their own. After a save the
/// re-anchoring report is cleared (and [`LoadedDoc::needs_save`] is false), since
/// the sidecar then matches the source again; read it before saving if it is shown.
pub fn save_loaded(root: &Path, loaded: &mut LoadedDoc) -> Result<(), SaveError> {
    if let Some(why) = &loaded.read_only {
        return Err(SaveError::ReadOnly(why.clone()));
    }
    loaded.stamp = save(root, &loaded.doc, &loaded.data, loaded.version, &loaded.stamp)?;
    // The re-anchored places are on disk now: the sidecar matches the source again.
    loaded.reanchor = None;
    loaded.journal_edits = 0;
    loaded.journal_appendable = false;
    Ok(())
}

/// Hash of a source file's text (decoded, or extracted), to notice edits made
/// outside Marginalia.
pub fn source_hash(root: &Path, rel: &str) -> Option<String> {
    let bytes = read_source(&root.join(rel)).ok()?;
    extract::extract(rel, bytes).ok().map(|e| e.text_hash)
}

/// The text of the source `rel` under `root` as every reader of the corpus sees
/// it (decoded, or extracted from a web page, Word file…), without its sidecar:
/// for `check` and `stats`.
pub fn read_text(root: &Path, rel: &str) -> Result<extract::Extracted, LoadError> {
    let path = root.join(rel);
    extract::extract(rel, read_source(&path)?).map_err(|e| match e {
        ExtractError::NotText(e) => LoadError::NotText(path, e),
        e => LoadError::Extract(path, e),
    })
}
