//! "Save a copy elsewhere": when the corpus folder cannot take the analyst's
//! edits (read-only, a full disk, a source deleted), the whole corpus is written
//! to another folder as an ordinary corpus, with the edits held in memory in its
//! sidecars, so that nothing is lost and the copy opens like any folder.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::tagset::CORPUS_TAGSET_FILE;
use crate::model::{DocAnnotations, Document};

use super::batch::Batch;
use super::corpus::{self, render, scan_report, sidecar_path};
use super::journal::journal_path;
use super::safe_file::{self, MAX_SIDECAR_BYTES};

/// The largest source copied (sources past what Marginalia opens are copied
/// too, up to this, so the copy is the whole corpus).
const MAX_COPIED_SOURCE: u64 = 1 << 30;

/// A document's annotations as held in memory, written into the copy in place
/// of whatever its sidecar and journal on disk hold.
pub struct InMemory<'a> {
    /// The document (its text is what the copy's sidecar anchors to).
    pub doc: &'a Document,
    /// Its annotations.
    pub data: &'a DocAnnotations,
    /// The sidecar version to write.
    pub version: (u32, u32),
}

/// What a copy wrote.
#[derive(Debug, Default)]
pub struct CopyReport {
    /// Sources copied.
    pub documents: usize,
    /// Sidecars written from memory.
    pub from_memory: usize,
    /// Files that could not be copied, with the reason (the copy holds the rest).
    pub left_out: Vec<(String, String)>,
}

/// Copies the corpus at `root` into `dest` (a new or empty folder outside the
/// corpus), taking the annotations of the documents in `open` from memory.
/// Sources in memory whose file is gone are written from memory as well. The
/// copy appears whole or not at all (see [`Batch`]). Errors are plain sentences
/// that name the folder.
pub fn copy_corpus(
    root: &Path,
    dest: &Path,
    open: &HashMap<&str, InMemory<'_>>,
) -> Result<CopyReport, String> {
    check_destination(root, dest)?;
    let scanned =
        scan_report(root).map_err(|e| format!("{}: cannot list the corpus ({e})", root.display()))?;
    let batch = Batch::begin(dest).map_err(|e| format!("{}: cannot write here ({e})", dest.display()))?;
    let unwritable =
        |(p, e): (PathBuf, io::Error)| format!("{}: could not write ({e}); nothing was copied", p.display());
    let mut report = CopyReport::default();
    for s in scanned.skipped {
        report.left_out.push((s.rel, s.reason));
    }
    let mut listed = std::collections::HashSet::new();
    for entry in &scanned.entries {
        listed.insert(entry.rel.as_str());
        let path = root.join(&entry.rel);
        let source = match safe_file::read_capped(&path, MAX_COPIED_SOURCE) {
            Ok(bytes) => bytes,
            Err(e) => match open.get(entry.rel.as_str()) {
                // The text the annotations anchor to is in memory.
                Some(m) => m.doc.text.as_bytes().to_vec(),
                None => {
                    report.left_out.push((entry.rel.clone(), e.to_string()));
                    continue;
                }
            },
        };
        let mut files: Vec<(String, Vec<u8>)> = vec![(entry.rel.clone(), source)];
        let side = sidecar_path(&path);
        let side_rel = format!("{}{}", entry.rel, super::sidecar::EXTENSION);
        match open.get(entry.rel.as_str()) {
            Some(m) => {
                files.push((side_rel, render(m.doc, m.data, m.version).into_bytes()));
                report.from_memory += 1;
            }
            None => {
                for (from, to) in [
                    (side.clone(), side_rel.clone()),
                    (
                        journal_path(&side),
                        format!("{side_rel}{}", super::journal::EXTENSION),
                    ),
                ] {
                    match safe_file::read_capped(&from, MAX_SIDECAR_BYTES) {
                        Ok(bytes) => files.push((to, bytes)),
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => report.left_out.push((to, e.to_string())),
                    }
                }
            }
        }
        let group: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        batch.write_group(&group).map_err(unwritable)?;
        report.documents += 1;
    }
    // Documents open in the workbench whose source is gone from disk.
    let mut gone: Vec<(&&str, &InMemory<'_>)> =
        open.iter().filter(|(rel, _)| !listed.contains(**rel)).collect();
    gone.sort_by(|a, b| corpus::natural_cmp(a.0, b.0));
    for (rel, m) in gone {
        let side_rel = format!("{rel}{}", super::sidecar::EXTENSION);
        let sidecar = render(m.doc, m.data, m.version);
        batch
            .write_group(&[(rel, m.doc.text.as_bytes()), (&side_rel, sidecar.as_bytes())])
            .map_err(unwritable)?;
        report.documents += 1;
        report.from_memory += 1;
    }
    match safe_file::read_capped(&root.join(CORPUS_TAGSET_FILE), safe_file::MAX_TAGSET_BYTES) {
        Ok(bytes) => batch
            .write_group(&[(CORPUS_TAGSET_FILE, &bytes)])
            .map_err(unwritable)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => report.left_out.push((CORPUS_TAGSET_FILE.into(), e.to_string())),
    }
    batch.commit().map_err(unwritable)?;
    Ok(report)
}

/// A copy goes into a new or empty folder outside the corpus.
fn check_destination(root: &Path, dest: &Path) -> Result<(), String> {
    if dest.as_os_str().is_empty() {
        return Err("Type or choose the folder to copy the corpus into.".into());
    }
    let canon_root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    // The nearest part of `dest` that exists says where it really is.
    let mut existing = dest;
    while !existing.exists() {
        match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => existing = p,
            _ => break,
        }
    }
    if let Ok(resolved) = std::fs::canonicalize(existing)
        && resolved.starts_with(&canon_root)
    {
        return Err(format!(
            "{} is inside the corpus folder; choose a folder outside it",
            dest.display()
        ));
    }
    match std::fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{} already holds files; choose a new or empty folder",
                    dest.display()
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(format!("{} is a file; choose a folder", dest.display()));
        }
        Err(e) => return Err(format!("{}: {e}", dest.display())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Kind, Span};
    use std::fs;

    fn ann(doc: &Document, id: &str, start: usize, end: usize) -> Annotation {
        let spans = vec![Span::new(start, end)];
        let (quote, prefix, suffix) = doc.selector(&spans);
        Annotation {
            id: id.into(),
            spans: spans.into(),
            quote,
            prefix,
            suffix,
            label: "PERSON".into(),
            kind: Kind::entity(),
            attributes: Default::default(),
            note: String::new(),
            annotator: "t".into(),
            created: "2026-01-01T00:00:00Z".into(),
            modified: "2026-01-01T00:00:00Z".into(),
            orphaned: false,
            conflicts: Vec::new(),
            origin: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn the_copy_is_a_corpus_with_the_edits_from_memory_and_the_rest_as_on_disk() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("news")).unwrap();
        fs::write(root.path().join("news/a.txt"), "Ana met Bo.").unwrap();
        fs::write(root.path().join("b.txt"), "Cy met Di.").unwrap();
        fs::write(root.path().join(CORPUS_TAGSET_FILE), "not checked here").unwrap();
        let b = Document::new("b.txt", "Cy met Di.");
        let mut on_disk = DocAnnotations::default();
        on_disk.annotations.push(ann(&b, "b1", 0, 2));
        corpus::save(root.path(), &b, &on_disk, (1, 0), &Default::default()).unwrap();
        // In memory: an edit to news/a.txt, and a document whose source was deleted.
        let a = Document::new("news/a.txt", "Ana met Bo.");
        let mut edited = DocAnnotations::default();
        edited.annotations.push(ann(&a, "a1", 0, 3));
        let gone = Document::new("gone.txt", "Ed left.");
        let mut gone_data = DocAnnotations::default();
        gone_data.annotations.push(ann(&gone, "g1", 0, 2));
        let open = HashMap::from([
            (
                "news/a.txt",
                InMemory {
                    doc: &a,
                    data: &edited,
                    version: (1, 0),
                },
            ),
            (
                "gone.txt",
                InMemory {
                    doc: &gone,
                    data: &gone_data,
                    version: (1, 0),
                },
            ),
        ]);
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("copy");
        let report = copy_corpus(root.path(), &dest, &open).unwrap();
        assert_eq!((report.documents, report.from_memory), (3, 2));
        for (rel, n) in [("news/a.txt", 1), ("b.txt", 1), ("gone.txt", 1)] {
            let loaded = corpus::load(&dest, rel).unwrap();
            assert!(loaded.read_only.is_none());
            assert_eq!(loaded.data.annotations.len(), n, "{rel}");
        }
        assert_eq!(
            corpus::load(&dest, "news/a.txt").unwrap().data.annotations[0].id,
            "a1"
        );
        assert!(dest.join(CORPUS_TAGSET_FILE).exists());
        // The original is untouched.
        assert!(!root.path().join("news/a.txt.ron").exists());
        // Not into the corpus, not into a folder with files in it.
        assert!(
            copy_corpus(root.path(), &root.path().join("x"), &open)
                .unwrap_err()
                .contains("inside the corpus")
        );
        assert!(
            copy_corpus(root.path(), &dest, &open)
                .unwrap_err()
                .contains("already holds files")
        );
    }
}
