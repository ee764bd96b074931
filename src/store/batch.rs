//! Writing many files into one folder as a batch, for folder exports and imports.
//!
//! Syncing each file on its own costs a file-system commit per file: 20,000 of
//! them for a brat export of 10,000 documents. A batch writes every file
//! without syncing, makes them all durable at once (one `syncfs` per file
//! system on Linux, a sync per file elsewhere), and only then puts them in
//! place, so a crash still never leaves a half-written file under its real name.
//! A new folder is sent to the disk every 16 MB while it is written (a
//! `syncfs` on a thread of its own), so that little is left for that sync.
//!
//! - When the destination folder does not exist yet, the batch is written into
//!   a hidden folder beside it that is renamed to the destination on commit:
//!   after a crash there is either the whole result or none of it.
//! - When it exists, each file is written to a hidden temporary beside its
//!   final name and renamed over it on commit, as [`super::atomic::write_atomic`]
//!   does; a file that already holds the same bytes is left untouched.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::atomic::{self, sync_dir};

/// A batch of files being written under one destination folder. See the module docs.
///
/// `write_group` may be called from several threads at once. A batch that is
/// dropped without [`Batch::commit`] removes everything it wrote.
#[derive(Debug)]
pub struct Batch {
    root: PathBuf,
    /// `root` with its links resolved (see [`super::safe_file::check_write_inside`]).
    canon_root: PathBuf,
    /// The hidden folder written instead of `root`, when `root` did not exist.
    staging: Option<PathBuf>,
    state: Mutex<Staged>,
    finished: bool,
    /// Early write-back of a new folder (see [`Batch::write_group`]).
    writeback: Writeback,
}

/// Sends a new folder's files to the disk while the batch is still being
/// written, so that the sync on commit has little left to do: it took a
/// quarter of a 10,000-document brat export, at the end, with every core idle.
#[derive(Debug, Default)]
struct Writeback {
    /// Bytes written since the last write-back was started.
    pending: std::sync::atomic::AtomicU64,
    /// The write-back running, if any.
    running: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Writeback {
    /// Bytes written between two write-backs.
    const EVERY: u64 = 16 << 20;

    /// Notes `bytes` written under `dir`; starts a write-back of its file
    /// system when enough is pending and none is running.
    fn wrote(&self, dir: &Path, bytes: u64) {
        use std::sync::atomic::Ordering;
        let pending = self.pending.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if !cfg!(target_os = "linux") || pending < Self::EVERY {
            return;
        }
        let Ok(mut running) = self.running.try_lock() else {
            return;
        };
        if running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.pending.store(0, Ordering::Relaxed);
        let dir = dir.to_path_buf();
        // Best effort: an error here shows again in the sync on commit.
        *running = std::thread::Builder::new()
            .name("marginalia-writeback".into())
            .spawn(move || {
                let _ = sync_tree(&dir);
            })
            .ok();
    }

    /// Waits for the write-back running, if any.
    fn finish(&self) {
        let handle = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// What an existing-folder batch has written so far.
#[derive(Debug, Default)]
struct Staged {
    /// (temporary, final path) of each file.
    files: Vec<(PathBuf, PathBuf)>,
    /// Folders created under the destination, parents first, removed again on abort.
    made_dirs: Vec<PathBuf>,
}

impl Batch {
    /// Starts a batch into `root`, creating its parent folders when missing.
    pub fn begin(root: &Path) -> io::Result<Batch> {
        // What killed runs into the same place left (a staging folder beside it).
        atomic::remove_dead_temps(root);
        let staging = match fs::symlink_metadata(root) {
            Ok(_) if !root.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    "it is a file, and a folder is needed here",
                ));
            }
            Ok(_) => None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = root
                    .file_name()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the folder has no name"))?;
                let parent = root
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                fs::create_dir_all(parent)?;
                let staging = atomic::temp_path(parent, &name.to_string_lossy());
                fs::create_dir(&staging)?;
                Some(staging)
            }
            Err(e) => return Err(e),
        };
        Ok(Batch {
            // Resolved once: every write into an existing folder is checked against it.
            canon_root: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            root: root.to_path_buf(),
            staging,
            state: Mutex::new(Staged::default()),
            finished: false,
            writeback: Writeback::default(),
        })
    }

    /// True when the destination did not exist, so no file in it can collide with one already there.
    pub fn is_fresh(&self) -> bool {
        self.staging.is_some()
    }

    /// The destination folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes a group of files (paths relative to the destination), for example a
    /// document's source and sidecar. On error nothing of the group stays in the
    /// batch, and the error names the file.
    pub fn write_group(&self, files: &[(&str, &[u8])]) -> Result<(), (PathBuf, io::Error)> {
        let mut written: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
        for (rel, bytes) in files {
            let target = self.root.join(rel);
            let result = match &self.staging {
                Some(staging) => {
                    let written = write_new(&staging.join(rel), bytes).map(|p| Some((p, target.clone())));
                    self.writeback.wrote(staging, bytes.len() as u64);
                    written
                }
                // Replacing a file with the same bytes would only churn the disk
                // (and a git working tree): it is left as it is.
                None => match super::safe_file::check_write_inside(&self.canon_root, &target) {
                    Err(e) => Err(e),
                    Ok(()) if holds(&target, bytes) => Ok(None),
                    Ok(()) => self
                        .make_parent(&target)
                        .and_then(|()| atomic::stage_beside(&target, bytes))
                        .map(Some),
                },
            };
            match result {
                Ok(pair) => written.extend(pair),
                Err(e) => {
                    for (tmp, _) in written {
                        let _ = fs::remove_file(tmp);
                    }
                    return Err((target, e));
                }
            }
        }
        if self.staging.is_none() {
            self.lock().files.extend(written);
        }
        Ok(())
    }

    /// Makes every file of the batch durable and puts it in place. On error,
    /// nothing of the batch is left behind (files it placed before the error are
    /// removed again) and the error names the path concerned.
    pub fn commit(mut self) -> Result<(), (PathBuf, io::Error)> {
        self.finished = true;
        let result = match self.staging.clone() {
            Some(staging) => self.commit_fresh(&staging),
            None => self.commit_existing(),
        };
        if result.is_err() {
            self.remove_all();
        }
        result
    }

    fn commit_fresh(&self, staging: &Path) -> Result<(), (PathBuf, io::Error)> {
        self.writeback.finish();
        sync_tree(staging).map_err(|e| (self.root.clone(), e))?;
        fs::rename(staging, &self.root).map_err(|e| (self.root.clone(), e))?;
        let parent = self
            .root
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        sync_dir(parent).map_err(|e| (parent.to_path_buf(), e))
    }

    fn commit_existing(&self) -> Result<(), (PathBuf, io::Error)> {
        let mut state = self.lock();
        let tmps: Vec<&Path> = state.files.iter().map(|(t, _)| t.as_path()).collect();
        sync_files(&tmps).map_err(|e| (self.root.clone(), e))?;
        let mut placed = 0;
        let mut failed = None;
        for (tmp, target) in &state.files {
            if let Err(e) = fs::rename(tmp, target) {
                failed = Some((target.clone(), e));
                break;
            }
            placed += 1;
        }
        if let Some(err) = failed {
            // Placed files are now in their real names; `remove_all` looks for them there.
            for (tmp, target) in state.files.iter_mut().take(placed) {
                *tmp = target.clone();
            }
            return Err(err);
        }
        let targets: Vec<PathBuf> = state.files.drain(..).map(|(_, t)| t).collect();
        state.made_dirs.clear();
        drop(state);
        atomic::sync_dirs_of(targets.iter().map(PathBuf::as_path))
    }

    /// Creates the folders `target` needs under the destination, noting them for an abort.
    fn make_parent(&self, target: &Path) -> io::Result<()> {
        let Some(parent) = target.parent() else {
            return Ok(());
        };
        if parent.is_dir() {
            return Ok(());
        }
        let mut state = self.lock();
        let mut missing = Vec::new();
        let mut p = parent;
        while !p.exists() {
            missing.push(p.to_path_buf());
            match p.parent() {
                Some(pp) => p = pp,
                None => break,
            }
        }
        fs::create_dir_all(parent)?;
        state.made_dirs.extend(missing.into_iter().rev());
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Staged> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Removes everything the batch wrote or placed, and the folders it made.
    fn remove_all(&mut self) {
        if let Some(staging) = &self.staging {
            let _ = fs::remove_dir_all(staging);
            return;
        }
        let state = self.lock();
        for (path, _) in &state.files {
            let _ = fs::remove_file(path);
        }
        for d in state.made_dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.writeback.finish();
        if !self.finished {
            self.remove_all();
        }
    }
}

/// True when the file at `path` holds exactly `bytes`.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|old| old == bytes)
}

/// Creates `path` (which must not exist) with `bytes`, making its folders; no sync.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let mut f = match File::create_new(path) {
        // Its folder is made by the first file that goes into it.
        Err(e) if e.kind() == io::ErrorKind::NotFound && path.parent().is_some() => {
            fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            File::create_new(path)?
        }
        other => other?,
    };
    f.write_all(bytes)?;
    Ok(path.to_path_buf())
}

/// Makes everything under `dir` durable: files, their folders and the folder's entries.
fn sync_tree(dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        syncfs(dir)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d)? {
                let e = e?;
                if e.file_type()?.is_dir() {
                    stack.push(e.path());
                } else {
                    File::options().write(true).open(e.path())?.sync_all()?;
                }
            }
            sync_dir(&d)?;
        }
        Ok(())
    }
}

/// Makes the data of `files` durable.
fn sync_files(files: &[&Path]) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        // One sync per file system the files live on.
        let mut devices = std::collections::BTreeMap::new();
        for f in files {
            let dir = f
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !devices.values().any(|d: &&Path| *d == dir) {
                devices.entry(fs::metadata(dir)?.dev()).or_insert(dir);
            }
        }
        devices.values().try_for_each(|dir| syncfs(dir))
    }
    #[cfg(not(target_os = "linux"))]
    {
        files
            .iter()
            .try_for_each(|f| File::options().write(true).open(f)?.sync_all())
    }
}

/// Syncs the whole file system holding `path`: one commit for any number of files.
#[cfg(target_os = "linux")]
fn syncfs(path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let f = File::open(path)?;
    // SAFETY: `f` is an open descriptor for the whole call; `syncfs` only reads it.
    if unsafe { libc::syncfs(f.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Writes `n` files of 1 MiB each into `b`, named `0.txt`, `1.txt`…
    fn write_mebibytes(b: &Batch, n: usize) {
        let chunk = vec![b'x'; 1 << 20];
        for i in 0..n {
            b.write_group(&[(&format!("{i}.txt"), &chunk)]).unwrap();
        }
    }

    #[test]
    fn a_large_fresh_batch_is_sent_to_disk_while_written_and_still_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let b = Batch::begin(&root).unwrap();
        let n = (Writeback::EVERY >> 20) as usize * 2 + 1;
        write_mebibytes(&b, n);
        // At least one write-back was started on the way (Linux only).
        if cfg!(target_os = "linux") {
            assert!(b.writeback.running.lock().unwrap().is_some());
        }
        assert!(!root.exists());
        b.commit().unwrap();
        for i in 0..n {
            assert_eq!(
                fs::metadata(root.join(format!("{i}.txt"))).unwrap().len(),
                1 << 20
            );
        }
        assert_eq!(names(dir.path()), ["out"]);
    }

    #[test]
    fn a_dropped_batch_waits_for_its_write_back_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let b = Batch::begin(&root).unwrap();
        write_mebibytes(&b, (Writeback::EVERY >> 20) as usize + 1);
        drop(b);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn a_fresh_folder_appears_whole_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let b = Batch::begin(&root).unwrap();
        assert!(b.is_fresh());
        b.write_group(&[("a.txt", b"A"), ("sub/b.txt", b"B")]).unwrap();
        // Nothing under the real name until the commit.
        assert!(!root.exists());
        b.commit().unwrap();
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"A");
        assert_eq!(fs::read(root.join("sub/b.txt")).unwrap(), b"B");
        assert_eq!(names(dir.path()), ["out"]);
    }

    #[test]
    fn an_existing_folder_gets_files_replaced_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("a.txt"), b"old").unwrap();
        fs::write(root.join("keep.txt"), b"mine").unwrap();
        let b = Batch::begin(&root).unwrap();
        assert!(!b.is_fresh());
        b.write_group(&[("a.txt", b"new"), ("sub/b.txt", b"B"), ("keep.txt", b"mine")])
            .unwrap();
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"old");
        let kept = fs::metadata(root.join("keep.txt")).unwrap().modified().unwrap();
        b.commit().unwrap();
        // Same bytes: not rewritten.
        assert_eq!(
            fs::metadata(root.join("keep.txt")).unwrap().modified().unwrap(),
            kept
        );
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"new");
        assert_eq!(fs::read(root.join("sub/b.txt")).unwrap(), b"B");
        assert_eq!(names(&root), ["a.txt", "keep.txt", "sub"]);
    }

    #[test]
    fn a_dropped_batch_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh");
        let b = Batch::begin(&fresh).unwrap();
        b.write_group(&[("a.txt", b"A")]).unwrap();
        drop(b);
        assert!(names(dir.path()).is_empty());

        let root = dir.path().join("existing");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("a.txt"), b"old").unwrap();
        let b = Batch::begin(&root).unwrap();
        b.write_group(&[("a.txt", b"new"), ("deep/er/b.txt", b"B")])
            .unwrap();
        drop(b);
        assert_eq!(names(&root), ["a.txt"]);
        assert_eq!(fs::read(root.join("a.txt")).unwrap(), b"old");
    }

    #[test]
    fn a_failed_group_keeps_none_of_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        let b = Batch::begin(&root).unwrap();
        // The second file's folder would be the first file: it cannot be made.
        let err = b.write_group(&[("a", b"A"), ("a/b.txt", b"B")]).unwrap_err();
        assert!(err.0.ends_with("a/b.txt"), "{err:?}");
        b.write_group(&[("c.txt", b"C")]).unwrap();
        b.commit().unwrap();
        assert_eq!(names(&root), ["c.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_commit_that_cannot_place_a_file_removes_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        fs::create_dir(&root).unwrap();
        let b = Batch::begin(&root).unwrap();
        b.write_group(&[("a.txt", b"A"), ("z.txt", b"Z")]).unwrap();
        // A folder now stands where the second file goes, so its rename fails.
        fs::create_dir(root.join("z.txt")).unwrap();
        fs::write(root.join("z.txt/inside"), b"x").unwrap();
        let err = b.commit().unwrap_err();
        assert!(err.0.ends_with("z.txt"), "{err:?}");
        assert_eq!(names(&root), ["z.txt"]);
    }
}
