//! Atomic file replacement: a crash at any moment leaves the old file or the
//! new one, never a truncated mix.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is
/// written, flushed and synced, then renamed over `path`, and the folder is synced.
///
/// A symlinked target is written through the link (the link stays a link), and
/// the permissions of an existing file are kept, so a group-writable sidecar in
/// a shared folder stays group-writable.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_inner(path, bytes, true).map(|_| ())
}

/// [`write_atomic`], returning the metadata of the new file as it is once in place.
/// It is read from the written file itself, so it describes this write even if
/// another program replaced the path in the meantime.
pub fn write_atomic_stat(path: &Path, bytes: &[u8]) -> io::Result<fs::Metadata> {
    write_atomic_inner(path, bytes, true)
}

/// Syncs a folder's entry table, so renames into it survive power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Syncs, once each, the folders that hold `files` (renamed into them without a
/// folder sync); on failure, names the folder.
pub fn sync_dirs_of<'a>(files: impl IntoIterator<Item = &'a Path>) -> Result<(), (PathBuf, io::Error)> {
    let dirs: std::collections::BTreeSet<&Path> = files.into_iter().filter_map(Path::parent).collect();
    for dir in dirs {
        sync_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    }
    Ok(())
}

fn write_atomic_inner(path: &Path, bytes: &[u8], sync_folder: bool) -> io::Result<fs::Metadata> {
    let (f, tmp, path) = write_temp(path, bytes)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let result = (|| {
        f.sync_all()?;
        fs::rename(&tmp, &path)?;
        // The rename itself lives in the folder's entry table; sync it so it survives power loss.
        if sync_folder && let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        // After the rename, which changes the file's status-change time.
        f.metadata().or_else(|_| fs::metadata(&path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A file written in pieces that replaces `path` atomically on
/// [`AtomicFile::commit`], as [`write_atomic`] does with a whole buffer: for
/// outputs written while they are still being made. Dropped without a commit,
/// it leaves `path` as it was.
#[derive(Debug)]
pub struct AtomicFile {
    file: Option<io::BufWriter<EarlyWriteback>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts the temporary file beside `path` (through a symlink, keeping the permissions of an existing file).
    pub fn create(path: &Path) -> io::Result<Self> {
        // What killed runs writing the same file left beside it.
        remove_dead_temps(path);
        let (f, tmp, path) = write_temp(path, b"")?;
        Ok(Self {
            file: Some(io::BufWriter::with_capacity(1 << 20, EarlyWriteback::new(f))),
            tmp,
            path,
        })
    }

    /// Syncs the file, renames it over `path` and syncs the folder.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(f) = self.file.take() else {
            return Err(io::Error::other("the file was already committed"));
        };
        let result = (|| {
            let f = f.into_inner().map_err(io::IntoInnerError::into_error)?.file;
            f.sync_all()?;
            fs::rename(&self.tmp, &self.path)?;
            let dir = self
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            sync_dir(dir)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        result
    }
}

impl AtomicFile {
    fn open(&mut self) -> io::Result<&mut io::BufWriter<EarlyWriteback>> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the file was already committed"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.open()?.write(bytes)
    }

    // `BufWriter`'s own, rather than the default loop over `write`.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.open()?.write_all(bytes)
    }

    /// Flushes to the temporary file; only [`AtomicFile::commit`] puts it in place.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// How much of an [`AtomicFile`] is written before its pages are sent to the disk.
const WRITEBACK_STEP: u64 = 8 << 20;

/// The file under an [`AtomicFile`]'s buffer. Every [`WRITEBACK_STEP`] bytes it
/// asks the kernel to start writing what came before to the disk, without
/// waiting, so that the sync in [`AtomicFile::commit`] finds most of a large
/// export already there: syncing a 250 MB export at the end took 65 ms, all of
/// it after the last document was rendered, with every core idle.
#[derive(Debug)]
struct EarlyWriteback {
    file: File,
    written: u64,
    /// Where the range not yet sent to the disk starts.
    sent: u64,
}

impl EarlyWriteback {
    fn new(file: File) -> Self {
        Self {
            file,
            written: 0,
            sent: 0,
        }
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.written += n as u64;
        if self.written - self.sent >= WRITEBACK_STEP {
            start_writeback(&self.file, self.sent, self.written - self.sent);
            self.sent = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Starts writing `len` bytes of `file` from `offset` to the disk and returns
/// at once. Only a hint: the sync at commit is what makes the file durable, so
/// an error here changes nothing.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: `file` is an open descriptor for the whole call; the call reads
    // no memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to a fresh temporary file beside `path`, unsynced, for
/// `Batch` (`batch.rs`) to sync and rename later. Returns the temporary and
/// the path to rename it to (the link's target when `path` is a symlink).
pub(crate) fn stage_beside(path: &Path, bytes: &[u8]) -> io::Result<(PathBuf, PathBuf)> {
    write_temp(path, bytes).map(|(_, tmp, target)| (tmp, target))
}

/// Writes `bytes` to a fresh temporary beside `path` (through a symlink, with the
/// permissions of an existing file); returns it open, its path and the target.
/// On error the temporary is gone.
fn write_temp(path: &Path, bytes: &[u8]) -> io::Result<(File, PathBuf, PathBuf)> {
    let resolved = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).ok(),
        _ => None,
    };
    let path = resolved.unwrap_or_else(|| path.to_path_buf());
    let old_permissions = fs::metadata(&path).ok().map(|m| m.permissions());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let tmp = temp_path(dir, &name.to_string_lossy());
    let mut f = File::create_new(&tmp)?;
    let written = (|| {
        if let Some(p) = &old_permissions {
            f.set_permissions(p.clone())?;
        }
        f.write_all(bytes)?;
        f.flush()
    })();
    match written {
        Ok(()) => Ok((f, tmp, path)),
        Err(e) => {
            drop(f);
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A fresh hidden temporary name beside the target, unique per process and call.
pub(crate) fn temp_path(dir: &Path, name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// True for the temporary files [`write_atomic`] leaves behind when killed mid-write.
pub fn is_temp_file(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Removes the temporary files that writes of `path` killed mid-way left beside it
/// (`.name.<pid>.<n>.tmp`), returning how many went. Only for callers that hold
/// every writer of `path` off (as `store::corpus::save` does with its folder lock):
/// a temporary file still being written by another writer would be lost.
pub fn remove_stale_temps(path: &Path) -> usize {
    remove_temps(path, |_| true)
}

/// Removes what writes of `path` by processes that no longer run left beside it:
/// temporary files and the hidden staging folders of exports and imports
/// (`.name.<pid>.<n>.tmp`, 20–100 MB after a killed brat export). Safe without a
/// lock: a process that still runs keeps its own. Returns how many went.
pub fn remove_dead_temps(path: &Path) -> usize {
    let me = std::process::id();
    remove_temps(path, |pid| pid != me && !process_runs(pid))
}

/// True unless the system says no process `pid` exists.
fn process_runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes `.name.<pid>.<n>.tmp` beside `path` (files, and folders whole) whose
/// writer `pid` is taken by `remove`.
fn remove_temps(path: &Path, remove: impl Fn(u32) -> bool) -> usize {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return 0;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        // Exactly `.name.<digits>.<digits>.tmp`, so another file's temporaries never match.
        let owner = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('.'))
            .filter(|(pid, n)| {
                [pid, n]
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        if !owner.is_some_and(&remove) {
            continue;
        }
        // Not followed if a link: only what the writer made is removed.
        let gone = match e.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(e.path()),
            _ => fs::remove_file(e.path()),
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ron");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_and_symlinks_survive() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ron");
        write_atomic(&p, b"one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o664);
        let link = dir.path().join("link.ron");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        write_atomic(&link, b"three").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&p).unwrap(), b"three");
    }

    #[test]
    fn stale_temps_of_this_file_only_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt.ron");
        for name in [
            ".a.txt.ron.123.0.tmp",
            ".a.txt.ron.99.7.tmp",
            ".a.txt.ron.x.0.tmp",
            ".b.txt.ron.123.0.tmp",
            ".a.txt.ron.tmp",
            "a.txt.ron",
        ] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        assert_eq!(remove_stale_temps(&p), 2);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".a.txt.ron.tmp",
                ".a.txt.ron.x.0.tmp",
                ".b.txt.ron.123.0.tmp",
                "a.txt.ron"
            ]
        );
    }

    #[test]
    fn a_file_written_in_pieces_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.jsonl");
        fs::write(&p, b"old").unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"one\n").unwrap();
        f.write_all(b"two\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"old");
        f.commit().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one\ntwo\n");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(fs::read(&p).unwrap(), b"one\ntwo\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_larger_than_the_writeback_step_is_whole_and_hidden_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.w3c.json");
        fs::write(&p, b"old").unwrap();
        let piece: Vec<u8> = (0..=250u8).cycle().take(300_001).collect();
        let pieces = (2 * WRITEBACK_STEP as usize) / piece.len() + 3;
        let mut f = AtomicFile::create(&p).unwrap();
        for _ in 0..pieces {
            f.write_all(&piece).unwrap();
        }
        // Written to the disk in part already, but not under the destination's name.
        assert_eq!(fs::read(&p).unwrap(), b"old");
        f.commit().unwrap();
        let got = fs::read(&p).unwrap();
        assert_eq!(got.len(), piece.len() * pieces);
        assert!(got.chunks(piece.len()).all(|c| c == piece.as_slice()));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failure_leaves_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-folder").join("a.ron");
        assert!(write_atomic(&p, b"x").is_err());
    }
}
