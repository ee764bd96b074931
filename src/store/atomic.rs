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

/// [`write_atomic`] without syncing the folder after the rename: for writing many
/// files at once, where the caller syncs each folder once at the end (with
/// [`sync_dir`]) before it reports the files as written.
pub fn write_atomic_unsynced_dir(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_inner(path, bytes, false).map(|_| ())
}

/// Syncs a folder's entry table, so renames into it survive power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Syncs, once each, the folders that hold `files` (after
/// [`write_atomic_unsynced_dir`]); on failure, names the folder.
pub fn sync_dirs_of<'a>(files: impl IntoIterator<Item = &'a Path>) -> Result<(), (PathBuf, io::Error)> {
    let dirs: std::collections::BTreeSet<&Path> = files.into_iter().filter_map(Path::parent).collect();
    for dir in dirs {
        sync_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    }
    Ok(())
}

fn write_atomic_inner(path: &Path, bytes: &[u8], sync_folder: bool) -> io::Result<fs::Metadata> {
    let resolved = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).ok(),
        _ => None,
    };
    let path = resolved.as_deref().unwrap_or(path);
    let old_permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let tmp = temp_path(dir, &name.to_string_lossy());
    let result = (|| {
        let mut f = File::create_new(&tmp)?;
        if let Some(p) = &old_permissions {
            f.set_permissions(p.clone())?;
        }
        f.write_all(bytes)?;
        f.flush()?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename itself lives in the folder's entry table; sync it so it survives power loss.
        if sync_folder && let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        // After the rename, which changes the file's status-change time.
        f.metadata().or_else(|_| fs::metadata(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A fresh hidden temporary name beside the target, unique per process and call.
fn temp_path(dir: &Path, name: &str) -> PathBuf {
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
        let ours = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(pid, n)| {
                [pid, n]
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            });
        if ours && fs::remove_file(e.path()).is_ok() {
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
    fn failure_leaves_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-folder").join("a.ron");
        assert!(write_atomic(&p, b"x").is_err());
    }
}
