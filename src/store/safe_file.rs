//! Opening files from a folder someone else made.
//!
//! Corpora arrive through git and shared drives, so any name in them may be a
//! FIFO (opening it blocks until a writer comes), a device (`/dev/zero` never
//! ends), a socket, or a link out of the folder. Every file Marginalia reads
//! from a corpus is opened here: only regular files, opened without blocking,
//! and read up to a cap with a message that names the file.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// The most a sidecar or an edit journal may hold (a 32 MB source densely
/// annotated stays well below it).
pub const MAX_SIDECAR_BYTES: u64 = 512 * 1024 * 1024;

/// The most a corpus tag set (`marginalia.ron`) may hold.
pub const MAX_TAGSET_BYTES: u64 = 4 * 1024 * 1024;

/// Opens `path` for reading if, and only if, it is a regular file (a link to
/// one is followed). Anything else is refused with an error that says what it
/// is, before a read can block: a FIFO is opened non-blocking, and the type is
/// checked again on the opened file, so a swap after the first look is caught.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let f = open_nonblocking(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(f)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    // Regular files ignore the flag, but reads should block as usual once the
    // type is known; clearing it keeps later reads ordinary.
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on a descriptor this function owns.
    unsafe {
        let flags = libc::fcntl(f.as_raw_fd(), libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(f.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(f)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// What kind of non-regular file `meta` describes, as an error.
fn not_regular(meta: &fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {}, not a regular file, and is not read; replace it with an ordinary file",
            kind_name(meta)
        ),
    )
}

/// "a folder", "a named pipe (FIFO)", … for messages.
pub fn kind_name(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a file"
    } else {
        "a special file"
    }
}

/// Reads a regular file whole, refusing one larger than `cap` bytes (also one
/// that grows past it while read) with an error that gives both sizes.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let f = open_regular(path)?;
    let size = f.metadata()?.len();
    if size > cap {
        return Err(too_large(size, cap));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

/// [`read_capped`] for text that must be UTF-8.
pub fn read_string_capped(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_capped(path, cap)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

fn too_large(size: u64, cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "the file is {}, more than the {} Marginalia reads of it",
            megabytes(size),
            megabytes(cap)
        ),
    )
}

fn megabytes(n: u64) -> String {
    if n < 1_000_000 {
        format!("{n} bytes")
    } else {
        format!("{} MB", (n + 500_000) / 1_000_000)
    }
}

/// What to do about a file that could not be read, as a clause to follow the
/// error (starting with "; "), or nothing when the error already says it.
pub fn advice(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "; fix its permissions",
        io::ErrorKind::FileTooLarge => {
            "; no annotation file should be that large, so check where it came from"
        }
        _ => "",
    }
}

/// Checks that files can be created in the folder `dir` (a hidden temporary
/// file is made and removed at once), so a read-only folder is reported when
/// it is opened, not at the first save.
pub fn probe_writable(dir: &Path) -> io::Result<()> {
    let probe = super::atomic::temp_path(dir, "marginalia-write-check");
    File::create_new(&probe)?;
    fs::remove_file(&probe)
}

/// True when `path`, with every link resolved, lies inside `root` (itself
/// resolved). A path that cannot be resolved (a dangling link, a loop) is not
/// inside.
pub fn resolves_inside(root: &Path, path: &Path) -> bool {
    let (Ok(root), Ok(path)) = (fs::canonicalize(root), fs::canonicalize(path)) else {
        return false;
    };
    path.starts_with(root)
}

/// Refuses a write to `target` that a link would carry out of `root` (given
/// resolved): the folder it goes into must resolve inside `root`, and a link at
/// `target` itself must point inside too. Checked just before writing: a
/// subfolder of an export destination linked into the corpus would otherwise
/// have the export replace the corpus's files.
pub fn check_write_inside(canon_root: &Path, target: &Path) -> io::Result<()> {
    let outside = |what: &Path| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a link to a place outside {}; nothing is written through it. Remove the link or choose another folder",
                what.display(),
                canon_root.display()
            ),
        )
    };
    // The nearest folder that exists: folders still to be made go where it resolves.
    let mut folder = target.parent();
    while let Some(f) = folder.filter(|p| !p.as_os_str().is_empty()) {
        match fs::canonicalize(f) {
            Ok(resolved) if resolved.starts_with(canon_root) => break,
            Ok(_) => return Err(outside(f)),
            Err(_) => folder = f.parent(),
        }
    }
    if fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink())
        && !fs::canonicalize(target).is_ok_and(|t| t.starts_with(canon_root))
    {
        return Err(outside(target));
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_devices_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("a.txt.ron");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string naming a path in a fresh temp folder.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let e = read_capped(&fifo, 10).unwrap_err();
        assert!(e.to_string().contains("named pipe"), "{e}");
        let e = read_capped(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(e.to_string().contains("device"), "{e}");
        let e = read_capped(dir.path(), 10).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
        // A link to a device is judged by what it points at.
        let link = dir.path().join("zero.txt.ron");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_capped(&link, 10).is_err());
    }

    #[test]
    fn a_file_over_the_cap_is_refused_with_both_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        fs::write(&p, vec![b'x'; 2_000_000]).unwrap();
        let e = read_capped(&p, 1_000_000).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the file is 2 MB, more than the 1 MB Marginalia reads of it"
        );
        assert_eq!(read_capped(&p, 2_000_000).unwrap().len(), 2_000_000);
    }

    #[test]
    fn links_resolve_inside_only_when_their_target_is_inside() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.txt"), "a").unwrap();
        fs::write(outside.path().join("key"), "secret").unwrap();
        std::os::unix::fs::symlink(root.path().join("a.txt"), root.path().join("b.txt")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("key"), root.path().join("c.txt")).unwrap();
        assert!(resolves_inside(root.path(), &root.path().join("b.txt")));
        assert!(!resolves_inside(root.path(), &root.path().join("c.txt")));
        assert!(!resolves_inside(root.path(), &root.path().join("missing.txt")));
    }
}
