//! What Marginalia knows of its files on disk, shared by the sidecar and the
//! journal code: their paths, marks (identity, size, times), the stamp a save
//! expects, the check that a sidecar is still the one expected, and where a
//! save may not write. `corpus` (load, save) and `journal` (append, replay)
//! both build on this module; neither needs the other for it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::safe_file;
use super::sidecar;

/// The sidecar path of a source: `article.txt` → `article.txt.ron`.
pub fn sidecar_path(source: &Path) -> PathBuf {
    let mut s = source.as_os_str().to_owned();
    s.push(sidecar::EXTENSION);
    PathBuf::from(s)
}

/// Appended to the sidecar's name: `article.txt.ron` → `article.txt.ron.journal`.
pub const JOURNAL_EXTENSION: &str = ".journal";

/// The journal path of a sidecar: `article.txt.ron` → `article.txt.ron.journal`.
pub fn journal_path(sidecar: &Path) -> PathBuf {
    let mut s = sidecar.as_os_str().to_owned();
    s.push(JOURNAL_EXTENSION);
    PathBuf::from(s)
}

/// A file's identity and size as `stat` shows them: enough to notice, without
/// reading it, that a file was replaced, grown or rewritten since it was last seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileMark {
    /// Size in bytes.
    pub len: u64,
    /// Device and inode (zero where the platform has none): a rename over the
    /// path by another writer changes them.
    pub file: (u64, u64),
    /// Modification time.
    pub modified: Option<SystemTime>,
    /// Status-change time (seconds, nanoseconds); unlike the modification time,
    /// no tool can set it back.
    pub changed: (i64, i64),
}

impl FileMark {
    /// The mark of an open file or of a path's metadata.
    pub fn of(meta: &fs::Metadata) -> Self {
        #[cfg(unix)]
        let (file, changed) = {
            use std::os::unix::fs::MetadataExt;
            ((meta.dev(), meta.ino()), (meta.ctime(), meta.ctime_nsec()))
        };
        #[cfg(not(unix))]
        let (file, changed) = ((0, 0), (0, 0));
        Self {
            len: meta.len(),
            file,
            modified: meta.modified().ok(),
            changed,
        }
    }

    /// The mark of the file at `path` (symlinks followed), `None` when there is none.
    pub fn read(path: &Path) -> io::Result<Option<Self>> {
        match fs::metadata(path) {
            Ok(m) => Ok(Some(Self::of(&m))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Same file, same length. Journals only grow, and only under the folder lock;
    /// their times change with every append, including ones undone after a failure.
    pub fn same_journal(&self, other: &Self) -> bool {
        self.file == other.file && self.len == other.len
    }
}

/// What a save expects of the journal beside a sidecar (part of a [`DiskStamp`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalStamp {
    /// The journal as last seen.
    pub mark: FileMark,
    /// True when its edits are part of the annotations held with this stamp, so
    /// a full save folds it into the sidecar and removes it. False when it was
    /// left unapplied (damaged, or written on top of another sidecar): then the
    /// sidecar is not replaced, so that the journal can still be applied later.
    pub applied: bool,
}

/// What is known of a sidecar and its edit journal on disk, to notice changes made by others.
#[derive(Clone, Debug, Default)]
pub struct DiskStamp {
    /// Hash of the sidecar's bytes, or `None` when there was no sidecar.
    pub sidecar: Option<String>,
    /// The journal beside it, or `None` when there was none.
    pub journal: Option<JournalStamp>,
    /// The sidecar's mark when this process read those bytes (and they parsed)
    /// or wrote them; `None` when not known. A save finding the same mark skips
    /// reading, hashing and parsing the file again: for a document with 10,000
    /// annotations that cost more than the rest of the save, and it is what
    /// keeps a journal append cheap. Not part of what a stamp is compared on.
    pub sidecar_mark: Option<FileMark>,
}

impl PartialEq for DiskStamp {
    fn eq(&self, other: &Self) -> bool {
        self.sidecar == other.sidecar && self.journal == other.journal
    }
}

impl Eq for DiskStamp {}

impl DiskStamp {
    /// Reads the current stamp of a sidecar and its journal. A journal found this
    /// way is not known to be applied to anything, so a save expecting this stamp
    /// leaves it alone (see [`JournalStamp::applied`]).
    pub fn read(path: &Path) -> io::Result<Self> {
        let sidecar = match safe_file::read_capped(path, safe_file::MAX_SIDECAR_BYTES) {
            Ok(bytes) => Some(bytes_hash(&bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let journal = FileMark::read(&journal_path(path))?.map(|mark| JournalStamp { mark, applied: false });
        Ok(Self {
            sidecar,
            journal,
            sidecar_mark: None,
        })
    }

    /// True when both stamps describe the same files on disk (whatever is known
    /// of the journal's edits).
    pub fn same_files(&self, other: &DiskStamp) -> bool {
        self.sidecar == other.sidecar
            && match (&self.journal, &other.journal) {
                (None, None) => true,
                (Some(a), Some(b)) => a.mark.same_journal(&b.mark),
                _ => false,
            }
    }
}

/// Hash of a sidecar's bytes, as [`DiskStamp::sidecar`] and journal headers name it.
pub fn sidecar_hash(bytes: &[u8]) -> String {
    bytes_hash(bytes)
}

pub(crate) fn bytes_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::model::document::hex(&Sha256::digest(bytes))
}

/// Opens an annotation file (a sidecar) to read, with its mark: `Ok(None)` when
/// there is none; refused when it is not a regular file or is larger than any
/// annotation file should be.
pub(crate) fn open_sidecar(path: &Path) -> io::Result<Option<(fs::File, FileMark)>> {
    let f = match safe_file::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mark = FileMark::of(&f.metadata()?);
    if mark.len > safe_file::MAX_SIDECAR_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "the file is {} MB, more than the {} MB Marginalia reads of an annotation file",
                mark.len / 1_000_000,
                safe_file::MAX_SIDECAR_BYTES / 1_000_000
            ),
        ));
    }
    Ok(Some((f, mark)))
}

/// Reads a file with the mark it had while read (`None` when it changed meanwhile).
/// `Ok(None)` when there is no file.
fn read_marked(path: &Path) -> io::Result<Option<(Vec<u8>, Option<FileMark>)>> {
    use std::io::Read;
    let Some((mut f, before)) = open_sidecar(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(before.len as usize);
    // Through `take`: `File::read_to_end` would ask the file for its size and
    // position again (two more system calls per file; exports read thousands).
    (&mut f).take(u64::MAX).read_to_end(&mut bytes)?;
    let after = FileMark::of(&f.metadata()?);
    Ok(Some((bytes, (before == after).then_some(before))))
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

/// Checks, under the folder lock, that the sidecar `side` is the one `expected`
/// names (by the hash of its bytes; no hash: that there is none), and that this
/// build can read it. The file is not read when its size, times and inode are
/// those `expected` recorded when this process last read or wrote those bytes.
/// Returns the file's mark as checked (`None` when there is none).
pub(crate) fn check_sidecar_unchanged(
    side: &Path,
    expected: &DiskStamp,
) -> Result<Option<FileMark>, SaveError> {
    let mark = FileMark::read(side).map_err(|e| SaveError::Io(side.to_path_buf(), e))?;
    let hash = match (expected.sidecar.as_deref(), mark) {
        (None, None) => return Ok(None),
        (Some(_), Some(m)) if expected.sidecar_mark == Some(m) => return Ok(Some(m)),
        (Some(h), Some(_)) => h,
        _ => return Err(SaveError::Conflict(side.to_path_buf())),
    };
    let Some((bytes, mark)) = read_marked(side).map_err(|e| SaveError::Io(side.to_path_buf(), e))? else {
        return Err(SaveError::Conflict(side.to_path_buf()));
    };
    if bytes_hash(&bytes) != hash {
        return Err(SaveError::Conflict(side.to_path_buf()));
    }
    // The stamp of a damaged file matches once it was loaded; the file's content
    // is what decides, so a caller that ignores `read_only` still cannot destroy it.
    if let Err(e) = sidecar::from_bytes(&bytes) {
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
    Ok(mark)
}

/// Refuses to write the annotations of `rel` when its source is gone (an
/// annotation file beside nothing would be a stray), or when the sidecar path
/// `side` is a link to a place outside the corpus (a save would write there).
pub(crate) fn may_write_beside(root: &Path, rel: &str, side: &Path) -> Result<(), SaveError> {
    let source = root.join(rel);
    if let Err(e) = fs::symlink_metadata(&source)
        && e.kind() == io::ErrorKind::NotFound
    {
        return Err(SaveError::ReadOnly(format!(
            "{} is no longer on disk (deleted or moved), and no annotation file is written beside a missing source; restore the file, or save a copy of the corpus elsewhere",
            source.display()
        )));
    }
    for path in [side.to_path_buf(), journal_path(side)] {
        if let Some(why) = link_out_of(root, &path) {
            return Err(SaveError::ReadOnly(why));
        }
    }
    Ok(())
}

/// Why `side` must be neither read nor written, when it is a link that leads
/// out of the corpus folder `root` (or nowhere).
pub(crate) fn link_out_of(root: &Path, side: &Path) -> Option<String> {
    if !fs::symlink_metadata(side).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    let inside = fs::canonicalize(root)
        .ok()
        .zip(fs::canonicalize(side).ok())
        .is_some_and(|(root, target)| target.starts_with(root));
    (!inside).then(|| {
        format!(
            "{} is a link to a file outside the corpus folder (or to nothing); it is neither read nor written. Replace the link with a copy of the file to annotate here",
            side.display()
        )
    })
}
