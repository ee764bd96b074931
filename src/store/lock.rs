//! The folder lock, and the one protocol every reader of a sidecar and its
//! edit journal follows (load, check, stats, export, agree).
//!
//! A sidecar and its journal are two files. A writer that folds the journal
//! into a new sidecar (or appends to it) does so under an exclusive advisory
//! lock on the folder. A reader that took no lock can see half a change: the
//! old sidecar with the next journal, which then looks made on another version.
//! Readers therefore read optimistically (no lock, so they never wait for a
//! slow writer), compare the sidecar's mark before and after, and after two
//! spoiled tries read once more under the lock taken shared: that read is
//! consistent by construction, so a mismatch found then is real.

use std::fs;
use std::path::Path;

use super::disk::FileMark;

/// Optimistic reads before the reader waits for the folder lock.
const OPTIMISTIC_TRIES: usize = 2;

/// An exclusive advisory lock on a folder, held while the returned handle lives.
/// `None` where folders cannot be opened or locked (then the hash check alone guards).
pub(crate) fn lock_folder(dir: Option<&Path>) -> Option<fs::File> {
    let f = fs::File::open(folder(dir)).ok()?;
    f.lock().ok()?;
    Some(f)
}

/// A shared lock on a folder: any number of readers, no writer, while it lives.
fn lock_folder_shared(dir: Option<&Path>) -> Option<fs::File> {
    let f = fs::File::open(folder(dir)).ok()?;
    f.lock_shared().ok()?;
    Some(f)
}

fn folder(dir: Option<&Path>) -> &Path {
    dir.filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Runs `read` until it has read the sidecar `side` and its journal as one
/// consistent pair, and returns what it read. `read` returns its result and
/// the mark the sidecar had when it was read (`None` when there was no sidecar,
/// or it changed while read). A result is taken when the sidecar's mark is the
/// same afterwards, or when it was read under the shared folder lock.
///
/// Where folders cannot be locked, reading goes on until two marks agree:
/// writers fold seconds apart, so that comes soon.
pub(crate) fn read_consistent<T>(side: &Path, mut read: impl FnMut() -> (T, Option<FileMark>)) -> T {
    let mut tries = 0;
    let mut shared = None;
    loop {
        let (value, seen) = read();
        if shared.is_some() || FileMark::read(side).ok().flatten() == seen {
            return value;
        }
        drop(value);
        tries += 1;
        if tries >= OPTIMISTIC_TRIES {
            shared = lock_folder_shared(side.parent());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_keeps_being_spoiled_is_taken_under_the_shared_lock() {
        let dir = tempfile::tempdir().unwrap();
        let side = dir.path().join("a.txt.ron");
        fs::write(&side, "x").unwrap();
        let mut calls = 0;
        // Every optimistic read reports a mark that never matches the file.
        let got = read_consistent(&side, || {
            calls += 1;
            (calls, None)
        });
        assert_eq!(got, OPTIMISTIC_TRIES + 1);
        // The shared lock was released: a writer can take the folder at once.
        let folder = fs::File::open(dir.path()).unwrap();
        assert!(folder.try_lock().is_ok());
    }

    #[test]
    fn a_read_whose_mark_holds_is_taken_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let side = dir.path().join("a.txt.ron");
        fs::write(&side, "x").unwrap();
        let mark = FileMark::read(&side).unwrap();
        let mut calls = 0;
        read_consistent(&side, || {
            calls += 1;
            ((), mark)
        });
        assert_eq!(calls, 1);
    }
}
