//! Writing the journal: appending a save's edits, and the marker a full save
//! writes before it replaces the sidecar.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::model::{Document, Edit};

use super::{FileMark, JournalStamp, Record, journal_path, one_line, render_header, render_record};
use crate::store::disk::{DiskStamp, SaveError, check_sidecar_unchanged, may_write_beside, sidecar_path};
use crate::store::lock::lock_folder;

/// Appends `edits` (the edits applied since the state described by `expected`,
/// in order) to the journal of `doc`, creating it if there is none, and syncs
/// it. Refuses with a conflict when the sidecar or the journal is not the one
/// `expected` describes; the sidecar check uses its remembered size, times and
/// inode, so the sidecar is not read. Returns the new stamp.
///
/// `expected` must come from a previous append or save, or from a load whose
/// journal can take more lines (`LoadedDoc::journal_appendable` in `corpus.rs`):
/// a line appended after one a crash left unreadable would make both unreadable.
/// A journal that does not end with a newline is refused; one whose last line is
/// complete but unreadable is only caught by that load.
pub fn append(
    root: &Path,
    doc: &Document,
    edits: &[Edit],
    expected: &DiskStamp,
) -> Result<DiskStamp, SaveError> {
    let side = sidecar_path(&root.join(&doc.path));
    let path = journal_path(&side);
    let io_err = |e| SaveError::Io(path.clone(), e);
    if edits.is_empty() {
        return Ok(expected.clone());
    }
    may_write_beside(root, &doc.path, &side)?;
    // Held until the record is synced: another process's append or full save
    // between the checks below and the write would otherwise be lost or mixed in.
    let lock = lock_folder(side.parent());
    let sidecar_mark = check_sidecar_unchanged(&side, expected)?;
    let record = render_record(edits);
    let mark = match &expected.journal {
        None => {
            if FileMark::read(&path).map_err(io_err)?.is_some() {
                return Err(SaveError::Conflict(path));
            }
            if lock.is_some() {
                crate::store::atomic::remove_stale_temps(&path);
            }
            let mut text = render_header(expected.sidecar.as_deref(), &doc.hash);
            text.push_str(&record);
            // Created whole by a rename, so a journal never exists without its header.
            let meta = crate::store::atomic::write_atomic_stat(&path, text.as_bytes()).map_err(io_err)?;
            FileMark::of(&meta)
        }
        Some(j) if !j.applied => {
            return Err(SaveError::ReadOnly(format!(
                "{} holds edits that were not applied; it is left untouched",
                path.display()
            )));
        }
        Some(j) => {
            let mut f = match OpenOptions::new().read(true).append(true).open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(SaveError::Conflict(path)),
                Err(e) => return Err(io_err(e)),
            };
            let before = FileMark::of(&f.metadata().map_err(io_err)?);
            if !before.same_journal(&j.mark) {
                return Err(SaveError::Conflict(path));
            }
            // A line appended after one a crash cut short would make both unreadable.
            if !ends_with_newline(&mut f, before.len).map_err(io_err)? {
                return Err(SaveError::Io(
                    path.clone(),
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        "it ends with an incomplete line left by a crash; open the document again, \
                         which saves it whole",
                    ),
                ));
            }
            append_synced(&mut f, record.as_bytes(), before.len).map_err(io_err)?
        }
    };
    Ok(DiskStamp {
        sidecar: expected.sidecar.clone(),
        journal: Some(JournalStamp { mark, applied: true }),
        sidecar_mark,
    })
}

/// True when the file (`len` bytes long) is empty or its last byte is a newline.
fn ends_with_newline(f: &mut File, len: u64) -> io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8];
    f.seek(SeekFrom::Start(len - 1))?;
    f.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Appends `bytes` to `f` (opened for appending, `len` bytes long) and syncs it.
/// On failure the file is cut back to `len`, so a half-written line never has
/// a later record appended to it.
fn append_synced(f: &mut File, bytes: &[u8], len: u64) -> io::Result<FileMark> {
    let result = f.write_all(bytes).and_then(|()| f.sync_data());
    if let Err(e) = result {
        if f.set_len(len).is_ok() {
            let _ = f.sync_data();
        }
        return Err(e);
    }
    Ok(FileMark::of(&f.metadata()?))
}

/// Appends the marker naming the sidecar a full save is about to write (see
/// [`Record::FoldedInto`]). Returns the journal's length before, for [`unmark_folded`].
pub(crate) fn mark_folded(path: &Path, new_sidecar: &str) -> io::Result<u64> {
    let mut f = OpenOptions::new().append(true).open(path)?;
    let len = f.metadata()?.len();
    let mut line = one_line(&Record::FoldedInto(new_sidecar.to_owned()));
    line.push('\n');
    append_synced(&mut f, line.as_bytes(), len)?;
    Ok(len)
}

/// Takes the marker back off after the save it announced failed, so the journal
/// is again exactly what its owner expects.
pub(crate) fn unmark_folded(path: &Path, len: u64) {
    if let Ok(f) = OpenOptions::new().write(true).open(path)
        && f.set_len(len).is_ok()
    {
        let _ = f.sync_data();
    }
}
