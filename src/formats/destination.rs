//! Where an export may go: checked before any work is done.

use std::io;
use std::path::{Path, PathBuf};

use super::{ExportError, ExportOptions};

/// `path` made absolute with every existing ancestor resolved, so symlinks and `..` cannot hide where it is.
pub(super) fn resolve(path: &Path) -> io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        match std::fs::canonicalize(cur) {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => match (cur.parent(), cur.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    cur = parent;
                }
                _ => return Ok(abs),
            },
        }
    }
}

/// Checks the destination before any work is done.
pub(super) fn check_destination(root: &Path, opts: &ExportOptions) -> Result<(), ExportError> {
    let out = &opts.out;
    let canon_root =
        std::fs::canonicalize(root).map_err(|e| ExportError::Corpus(root.to_path_buf(), e.to_string()))?;
    let resolved = resolve(out).map_err(|e| ExportError::Unwritable(out.clone(), e))?;
    if resolved.starts_with(&canon_root) {
        return Err(ExportError::InsideCorpus(out.clone()));
    }
    match std::fs::symlink_metadata(out) {
        Ok(meta) => {
            if !opts.force {
                return Err(ExportError::Exists(out.clone()));
            }
            if opts.format.is_folder() && !meta.is_dir() {
                return Err(ExportError::Unwritable(
                    out.clone(),
                    io::Error::other("it is a file, and brat export writes a folder"),
                ));
            }
            if !opts.format.is_folder() && meta.is_dir() {
                return Err(ExportError::Unwritable(
                    out.clone(),
                    io::Error::other("it is a folder; give a file name"),
                ));
            }
            // An export replaces its file whole by renaming a new one over it,
            // which would put a plain file where a device or pipe was.
            if !meta.is_file() && !meta.is_dir() && !meta.is_symlink() {
                return Err(ExportError::Unwritable(
                    out.clone(),
                    io::Error::other(
                        "it is a device, pipe or socket, not a file; give the path of a file to write",
                    ),
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            match std::fs::metadata(parent) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(ExportError::Unwritable(
                        out.clone(),
                        io::Error::other(format!("{} is not a folder", parent.display())),
                    ));
                }
                Err(e) => {
                    return Err(ExportError::Unwritable(
                        out.clone(),
                        io::Error::new(
                            e.kind(),
                            format!("the folder {} cannot be used: {e}", parent.display()),
                        ),
                    ));
                }
            }
        }
        Err(e) => return Err(ExportError::Unwritable(out.clone(), e)),
    }
    Ok(())
}
