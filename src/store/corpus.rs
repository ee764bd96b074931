//! A corpus: a folder of sources, each with an optional sidecar beside it.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::anchor::{ReanchorReport, reanchor_all};
use crate::model::tagset::{CORPUS_TAGSET_FILE, TagSet};
use crate::model::{DocAnnotations, Document, content_hash};

use super::atomic::write_atomic;
use super::decode::{NotText, decode};
use super::sidecar::{self, MAJOR, MINOR};

/// File extensions read as sources.
pub const SOURCE_EXTENSIONS: &[&str] = &["txt", "md", "text"];

/// Largest source opened, in bytes. Far above any article or transcript (about five
/// million words); a bigger file is refused before it is read, so a stray dump or disk
/// image in the folder cannot exhaust memory or stall the workbench.
pub const MAX_SOURCE_BYTES: u64 = 32_000_000;

/// One source file found by [`scan`]; its text is read only when opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocEntry {
    /// Path relative to the corpus root, `/`-separated.
    pub rel: String,
}

/// The sidecar path of a source: `article.txt` → `article.txt.ron`.
pub fn sidecar_path(source: &Path) -> PathBuf {
    let mut s = source.as_os_str().to_owned();
    s.push(sidecar::EXTENSION);
    PathBuf::from(s)
}

/// Compares names the way people count: `doc2` before `doc10`, case-insensitively.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_folded(a, b).then_with(|| a.cmp(b))
}

fn natural_cmp_folded(a: &str, b: &str) -> Ordering {
    // Walks both names by byte offset, comparing digit runs as slices of the names:
    // sorting 10,000 names made a few hundred thousand comparisons, and allocating
    // for each digit run made the sort a large part of listing a folder.
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a[i..].chars().next(), b[j..].chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let ea = i + ab[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let eb = j + bb[j..].iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[i..ea], &b[j..eb]);
                let ta = na.trim_start_matches('0');
                let tb = nb.trim_start_matches('0');
                let ord = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if ord != Ordering::Equal {
                    return ord;
                }
                (i, j) = (ea, eb);
            }
            (Some(x), Some(y)) => {
                let ord = if x == y {
                    Ordering::Equal
                } else if x.is_ascii() && y.is_ascii() {
                    x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase())
                } else {
                    x.to_lowercase().cmp(y.to_lowercase())
                };
                if ord != Ordering::Equal {
                    return ord;
                }
                i += x.len_utf8();
                j += y.len_utf8();
            }
        }
    }
}

/// Lists the sources under `root`, recursively, in natural order: skips hidden
/// files and folders, sidecars, and folders already visited through a symlink.
pub fn scan(root: &Path) -> io::Result<Vec<DocEntry>> {
    scan_files(root, is_source_name)
}

/// Lists the sidecars under `root` (files named like `article.txt.ron`), with
/// the same rules as [`scan`]; used to find sidecars whose source is gone.
pub fn scan_sidecars(root: &Path) -> io::Result<Vec<DocEntry>> {
    scan_files(root, |name| {
        name.strip_suffix(sidecar::EXTENSION).is_some_and(is_source_name)
    })
}

/// The source a sidecar belongs to: `dir/article.txt.ron` → `dir/article.txt`.
pub fn source_of_sidecar(rel: &str) -> Option<&str> {
    rel.strip_suffix(sidecar::EXTENSION).filter(|s| is_source_name(s))
}

/// True when a file name has one of the [`SOURCE_EXTENSIONS`].
pub fn is_source_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    SOURCE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext))
}

fn scan_files(root: &Path, wanted: impl Fn(&str) -> bool) -> io::Result<Vec<DocEntry>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    seen.insert(fs::canonicalize(root)?);
    walk(root, root, "", &wanted, &mut seen, &mut out)?;
    out.sort_by(|a, b| natural_cmp(&a.rel, &b.rel));
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    rel_dir: &str,
    wanted: &dyn Fn(&str) -> bool,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<DocEntry>,
) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        // An unreadable subfolder should not hide the rest of the corpus.
        Err(_) if dir != root => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        // The kind comes with the directory listing; only a symlink needs a `stat`
        // (which follows it, so linked folders and files are read like real ones).
        // Listing 10,000 documents with a `stat` per file took most of the time.
        let Ok(mut kind) = entry.file_type() else { continue };
        if kind.is_symlink() {
            let Ok(meta) = fs::metadata(entry.path()) else {
                continue;
            };
            kind = meta.file_type();
        }
        let rel = || {
            if rel_dir.is_empty() {
                name.clone().into_owned()
            } else {
                format!("{rel_dir}/{name}")
            }
        };
        if kind.is_dir() {
            let path = entry.path();
            if let Ok(canon) = fs::canonicalize(&path)
                && seen.insert(canon)
            {
                walk(root, &path, &rel(), wanted, seen, out)?;
            }
        } else if kind.is_file() && wanted(&name) {
            out.push(DocEntry { rel: rel() });
        }
    }
    Ok(())
}

/// The tag set of a corpus: its own `marginalia.ron`, or the built-in one.
/// A corpus tag set that does not validate is an error naming file and line.
pub fn load_tagset(root: &Path) -> Result<TagSet, String> {
    let path = root.join(CORPUS_TAGSET_FILE);
    match fs::read_to_string(&path) {
        Ok(src) => TagSet::parse(&src).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(TagSet::builtin()),
        Err(e) => Err(format!("{}: cannot read the tag set: {e}", path.display())),
    }
}

/// What is known of a sidecar on disk, to notice changes made by others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskStamp {
    /// Hash of the sidecar's bytes, or `None` when there was no sidecar.
    pub sidecar: Option<String>,
}

impl DiskStamp {
    /// Reads the current stamp of a sidecar.
    pub fn read(path: &Path) -> io::Result<Self> {
        match fs::read(path) {
            Ok(bytes) => Ok(Self {
                sidecar: Some(bytes_hash(&bytes)),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self { sidecar: None }),
            Err(e) => Err(e),
        }
    }
}

fn bytes_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
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
    /// The sidecar as it was on disk when loaded.
    pub stamp: DiskStamp,
}

impl LoadedDoc {
    /// True when the in-memory annotations differ from the file (after re-anchoring).
    pub fn needs_save(&self) -> bool {
        self.read_only.is_none() && self.reanchor.as_ref().is_some_and(|r| !r.is_clean())
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
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(p, e) => write!(f, "{}: cannot read the file: {e}", p.display()),
            LoadError::NotText(p, why) => write!(f, "{}: {why}", p.display()),
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
    let f = fs::File::open(path).map_err(io_err)?;
    let size = f.metadata().map_err(io_err)?.len();
    if size > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf(), size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge(path.to_path_buf(), bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens `rel` under `root`: decodes the source, reads its sidecar, and
/// re-anchors when the source changed. A damaged or newer sidecar makes the
/// document read-only; it is never overwritten.
pub fn load(root: &Path, rel: &str) -> Result<LoadedDoc, LoadError> {
    let path = root.join(rel);
    let bytes = read_source(&path)?;
    let decoded = decode(&bytes).map_err(|e| LoadError::NotText(path.clone(), e))?;
    let doc = Document::new(rel, decoded.text);
    let side = sidecar_path(&path);
    let mut loaded = LoadedDoc {
        doc,
        data: DocAnnotations::default(),
        encoding: decoded.encoding,
        encoding_guessed: decoded.guessed,
        read_only: None,
        reanchor: None,
        version: (MAJOR, MINOR),
        stamp: DiskStamp::default(),
    };
    let side_bytes = match fs::read(&side) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(loaded),
        Err(e) => {
            loaded.read_only = Some(format!(
                "{}: cannot read the annotation file ({e}); fix its permissions and reopen",
                side.display()
            ));
            return Ok(loaded);
        }
    };
    loaded.stamp = DiskStamp {
        sidecar: Some(bytes_hash(&side_bytes)),
    };
    let parsed = sidecar::from_bytes(&side_bytes);
    match parsed {
        Ok(sc) => {
            if let Some(h) = &loaded.stamp.sidecar {
                remember_good(&side, h);
            }
            loaded.version = sc.version;
            loaded.data = sc.data;
            if sc.source_hash != loaded.doc.hash
                || !loaded
                    .data
                    .annotations
                    .iter()
                    .all(|a| loaded.doc.spans_in_range(&a.spans))
            {
                loaded.reanchor = Some(reanchor_all(&loaded.doc, &mut loaded.data));
            }
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
        }
    }
    Ok(loaded)
}

/// Why a save did not happen. Edits stay in memory.
#[derive(Debug)]
pub enum SaveError {
    /// The document is read-only (damaged or newer sidecar).
    ReadOnly(String),
    /// The sidecar changed on disk since it was loaded or last saved.
    Conflict(PathBuf),
    /// Writing failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::ReadOnly(why) => write!(f, "not saved: {why}"),
            SaveError::Conflict(p) => write!(
                f,
                "{} was changed by another program since it was opened; not overwritten. Reload it to see the other changes.",
                p.display()
            ),
            SaveError::Io(p, e) => write!(
                f,
                "could not save {}: {e}. Your edits are kept in memory; free space or fix permissions and they will be saved.",
                p.display()
            ),
        }
    }
}

impl std::error::Error for SaveError {}

/// Renders the sidecar of a document.
pub fn render(doc: &Document, data: &DocAnnotations, version: (u32, u32)) -> String {
    let source = doc.path.rsplit('/').next().unwrap_or(&doc.path);
    sidecar::render(version, source, &doc.hash, data)
}

/// Hash of the bytes of each sidecar as this process last read (and parsed
/// without error) or wrote it. A save finding exactly those bytes on disk
/// knows they are readable and skips parsing them again: for a document
/// with 10,000 annotations that parse cost more than the rest of the save.
static KNOWN_GOOD: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<PathBuf, String>>> =
    std::sync::LazyLock::new(Default::default);

fn remember_good(side: &Path, hash: &str) {
    if let Ok(mut m) = KNOWN_GOOD.lock() {
        m.insert(side.to_path_buf(), hash.to_owned());
    }
}

fn known_good(side: &Path, hash: Option<&str>) -> bool {
    hash.is_some_and(|h| {
        KNOWN_GOOD
            .lock()
            .is_ok_and(|m| m.get(side).is_some_and(|k| k == h))
    })
}

/// Saves a document's annotations atomically, refusing when the sidecar on disk
/// is no longer the one described by `expected`, and refusing to replace a
/// sidecar this build cannot read (damaged, or from a newer major version)
/// even when `expected` describes it. Returns the new stamp.
pub fn save(
    root: &Path,
    doc: &Document,
    data: &DocAnnotations,
    version: (u32, u32),
    expected: &DiskStamp,
) -> Result<DiskStamp, SaveError> {
    let side = sidecar_path(&root.join(&doc.path));
    // Two writers (a second window on the same folder) could otherwise both pass the
    // check below before either renames, and the later rename would silently drop the
    // earlier save. The lock is held until the new file is in place.
    let lock = lock_folder(side.parent());
    let on_disk = match fs::read(&side) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(SaveError::Io(side, e)),
    };
    let current = DiskStamp {
        sidecar: on_disk.as_deref().map(bytes_hash),
    };
    if &current != expected {
        return Err(SaveError::Conflict(side));
    }
    let text = render(doc, data, version);
    let new = DiskStamp {
        sidecar: Some(bytes_hash(text.as_bytes())),
    };
    if current == new {
        return Ok(new);
    }
    // The stamp of a damaged file matches once it was loaded; the file's content
    // is what decides, so a caller that ignores `read_only` still cannot destroy it.
    if let Some(bytes) = &on_disk
        && !known_good(&side, current.sidecar.as_deref())
        && let Err(e) = sidecar::from_bytes(bytes)
    {
        return Err(SaveError::ReadOnly(format!(
            "{} {}: {e}; the file is left untouched",
            side.display(),
            if e.future_version {
                "was written by a newer version of Marginalia"
            } else {
                "could not be read"
            }
        )));
    }
    // Under the lock no other save of this sidecar is under way, so temporary files of
    // it are what killed saves left; without this they would pile up after each crash.
    if lock.is_some() {
        super::atomic::remove_stale_temps(&side);
    }
    write_atomic(&side, text.as_bytes()).map_err(|e| SaveError::Io(side.clone(), e))?;
    if let Some(h) = &new.sidecar {
        remember_good(&side, h);
    }
    Ok(new)
}

/// An exclusive advisory lock on a folder, held while the returned handle lives.
/// `None` where folders cannot be opened or locked (then the hash check alone guards).
fn lock_folder(dir: Option<&Path>) -> Option<fs::File> {
    let dir = dir
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let f = fs::File::open(dir).ok()?;
    f.lock().ok()?;
    Some(f)
}

/// Saves a loaded document and records the new stamp in it. Refuses read-only
/// documents, so the GUI and tools need no check of their own. After a save the
/// re-anchoring report is cleared (and [`LoadedDoc::needs_save`] is false), since
/// the sidecar then matches the source again; read it before saving if it is shown.
pub fn save_loaded(root: &Path, loaded: &mut LoadedDoc) -> Result<(), SaveError> {
    if let Some(why) = &loaded.read_only {
        return Err(SaveError::ReadOnly(why.clone()));
    }
    loaded.stamp = save(root, &loaded.doc, &loaded.data, loaded.version, &loaded.stamp)?;
    // The re-anchored places are on disk now: the sidecar matches the source again.
    loaded.reanchor = None;
    Ok(())
}

/// Hash of a source file's decoded text, to notice edits made outside Marginalia.
pub fn source_hash(root: &Path, rel: &str) -> Option<String> {
    let bytes = read_source(&root.join(rel)).ok()?;
    decode(&bytes).ok().map(|d| content_hash(&d.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first, allocating version: the oracle for the one in use.
    fn reference_folded(a: &str, b: &str) -> Ordering {
        let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
        loop {
            match (a.peek().copied(), b.peek().copied()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                    let mut na = String::new();
                    while let Some(c) = a.peek().copied().filter(char::is_ascii_digit) {
                        na.push(c);
                        a.next();
                    }
                    let mut nb = String::new();
                    while let Some(c) = b.peek().copied().filter(char::is_ascii_digit) {
                        nb.push(c);
                        b.next();
                    }
                    let ta = na.trim_start_matches('0');
                    let tb = nb.trim_start_matches('0');
                    let ord = ta
                        .len()
                        .cmp(&tb.len())
                        .then_with(|| ta.cmp(tb))
                        .then_with(|| na.len().cmp(&nb.len()));
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                (Some(x), Some(y)) => {
                    let ord = x.to_lowercase().cmp(y.to_lowercase());
                    if ord != Ordering::Equal {
                        return ord;
                    }
                    a.next();
                    b.next();
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn natural_order_matches_the_reference(a in "[a-cA-C0-9_ ÄäÉé.-]{0,12}", b in "[a-cA-C0-9_ ÄäÉé.-]{0,12}") {
            proptest::prop_assert_eq!(natural_cmp_folded(&a, &b), reference_folded(&a, &b));
            proptest::prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        }
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["doc10", "Doc2", "doc1", "doc02", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["a", "doc1", "Doc2", "doc02", "doc10"]);
    }
}
