//! Other annotators' versions of a document, for adjudication: a branch or
//! commit of the corpus's git repository, or another copy of the folder.

use std::path::{Path, PathBuf};

use super::git::git;
use crate::model::DocAnnotations;
use crate::store::{corpus, sidecar};

/// Where a version comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A branch, tag or commit of the corpus's repository.
    Revision(String),
    /// Another copy of the corpus folder.
    Folder(PathBuf),
}

impl Source {
    /// Its name in lists and headings.
    pub fn name(&self) -> String {
        match self {
            // A commit id is known by its first characters, as git shows it.
            Source::Revision(r) if r.len() > 12 && r.bytes().all(|b| b.is_ascii_hexdigit()) => {
                r[..10].to_owned()
            }
            Source::Revision(r) => r.clone(),
            Source::Folder(p) => p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()),
        }
    }
}

/// The branches of the repository holding `folder` (local ones, then the
/// team's as last fetched), each with the author and date of its last commit.
pub fn branches(folder: &Path) -> Vec<(String, String)> {
    let Ok(out) = git(
        folder,
        &[
            "for-each-ref",
            "--sort=-committerdate",
            "--format=%(refname:short)\u{1f}%(authorname), %(committerdate:short)\u{1f}%(symref)",
            "refs/heads",
            "refs/remotes",
        ],
    ) else {
        return Vec::new();
    };
    out.stdout
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\u{1f}');
            Some((f.next()?, f.next()?, f.next().unwrap_or("")))
        })
        // `origin/HEAD` only points at another branch, listed anyway.
        .filter(|(name, _, symref)| symref.is_empty() && !name.is_empty())
        .map(|(n, w, _)| (n.to_owned(), w.to_owned()))
        .collect()
}

/// The annotations `source` holds for the document `rel` of the corpus at
/// `root`; an empty set when that version has no sidecar for it.
pub fn load(root: &Path, source: &Source, rel: &str) -> Result<DocAnnotations, String> {
    match source {
        Source::Folder(other) => match corpus::load_to_read(other, rel) {
            Ok(loaded) => Ok(loaded.data),
            Err(e) => Err(format!("{rel} in {}: {e}", other.display())),
        },
        Source::Revision(rev) => {
            let side = format!("{rev}:./{rel}{}", sidecar::EXTENSION);
            let out = git(root, &["show", &side]).map_err(|e| e.to_string())?;
            if !out.ok {
                // Nothing annotated in that version (or the document is new there).
                let exists = git(
                    root,
                    &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
                )
                .is_ok_and(|o| o.ok);
                return if exists {
                    Ok(DocAnnotations::default())
                } else {
                    Err(format!(
                        "there is no branch or commit called {rev} in this repository"
                    ))
                };
            }
            sidecar::from_bytes(out.stdout.as_bytes())
                .map(|s| s.data)
                .map_err(|e| format!("the annotations of {rel} in {rev} cannot be read: {e}"))
        }
    }
}
