//! Listing a corpus folder: sources, sidecars and journals in natural order,
//! following links only inside the corpus, and naming what is left out.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{journal, sidecar};

/// File extensions read as sources: plain text, and files whose text is
/// extracted (see `store::extract`). Listing never opens them.
pub const SOURCE_EXTENSIONS: &[&str] = &["txt", "md", "text", "html", "htm", "xhtml", "docx", "odt", "pdf"];

/// Extensions of sources read as they are (plain text, Markdown): what an
/// import may name a text it writes. An imported text named `a.html` is plain
/// text, so it is written as `a.html.txt`.
pub const PLAIN_EXTENSIONS: &[&str] = &["txt", "md", "text"];

/// One source file found by [`scan`]; its text is read only when opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocEntry {
    /// Path relative to the corpus root, `/`-separated.
    pub rel: String,
    /// True when the listing also held its edit journal (`article.txt.ron.journal`).
    /// Only a load that may miss a journal made after the listing uses it (an
    /// export, which is then the corpus as listed, see `corpus::load_for_export`).
    pub journal: bool,
}

/// Compares names the way people count: `doc2` before `doc10`, case-insensitively.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_folded(a, b).then_with(|| a.cmp(b))
}

fn natural_cmp_folded(a: &str, b: &str) -> Ordering {
    // Walks both names by byte offset, comparing digit runs as slices of the names:
    // sorting 10,000 names made a few hundred thousand comparisons, and allocating
    // for each digit run made the sort a large part of listing a folder.
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a[i..].chars().next(), b[j..].chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let ea = i + ab[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let eb = j + bb[j..].iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[i..ea], &b[j..eb]);
                let ta = na.trim_start_matches('0');
                let tb = nb.trim_start_matches('0');
                let ord = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if ord != Ordering::Equal {
                    return ord;
                }
                (i, j) = (ea, eb);
            }
            (Some(x), Some(y)) => {
                let ord = if x == y {
                    Ordering::Equal
                } else if x.is_ascii() && y.is_ascii() {
                    x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase())
                } else {
                    x.to_lowercase().cmp(y.to_lowercase())
                };
                if ord != Ordering::Equal {
                    return ord;
                }
                i += x.len_utf8();
                j += y.len_utf8();
            }
        }
    }
}

/// Lists the sources under `root`, recursively, in natural order: skips hidden
/// files and folders, sidecars, and folders already visited through a symlink.
/// What [`scan_report`] lists as skipped is left out.
pub fn scan(root: &Path) -> io::Result<Vec<DocEntry>> {
    scan_report(root).map(|s| s.entries)
}

/// A file or folder the scan left out, and why, in words for the analyst.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    /// Its path relative to the corpus root, `/`-separated (bytes that are not
    /// UTF-8 shown as `\xNN`).
    pub rel: String,
    /// Why it was left out, and what to do.
    pub reason: String,
}

/// What a scan found: the sources, and what it left out.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    /// Sources, in natural order.
    pub entries: Vec<DocEntry>,
    /// Sources and folders left out: links that lead out of the corpus folder,
    /// names that are not UTF-8, and special files with a source's name.
    pub skipped: Vec<SkippedFile>,
}

/// [`scan`], with what was left out. A corpus comes from other people, so a
/// link is followed only when it resolves inside `root`: a `notes.txt` linked to
/// a private key elsewhere must not be shown, exported or written beside.
pub fn scan_report(root: &Path) -> io::Result<ScanReport> {
    let skipped = RefCell::new(Vec::new());
    let entries = scan_files(root, is_source_name, Some(&skipped))?;
    let mut skipped = skipped.into_inner();
    skipped.sort_by(|a: &SkippedFile, b| natural_cmp(&a.rel, &b.rel));
    Ok(ScanReport { entries, skipped })
}

/// Lists the sidecars under `root` (files named like `article.txt.ron`), with
/// the same rules as [`scan`]; used to find sidecars whose source is gone.
pub fn scan_sidecars(root: &Path) -> io::Result<Vec<DocEntry>> {
    scan_files(
        root,
        |name| name.strip_suffix(sidecar::EXTENSION).is_some_and(is_source_name),
        None,
    )
}

/// Lists the edit journals under `root` (files named like `article.txt.ron.journal`),
/// with the same rules as [`scan`].
pub fn scan_journals(root: &Path) -> io::Result<Vec<DocEntry>> {
    scan_files(root, |name| source_of_journal(name).is_some(), None)
}

/// The source a journal belongs to: `dir/article.txt.ron.journal` → `dir/article.txt`.
pub fn source_of_journal(rel: &str) -> Option<&str> {
    rel.strip_suffix(journal::EXTENSION).and_then(source_of_sidecar)
}

/// The source a sidecar belongs to: `dir/article.txt.ron` → `dir/article.txt`.
pub fn source_of_sidecar(rel: &str) -> Option<&str> {
    rel.strip_suffix(sidecar::EXTENSION).filter(|s| is_source_name(s))
}

/// True when a file name has one of the [`SOURCE_EXTENSIONS`].
pub fn is_source_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    SOURCE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext))
}

/// Where a walk reports what it leaves out (only the source listing does).
type SkipSink<'a> = Option<&'a RefCell<Vec<SkippedFile>>>;

fn scan_files(
    root: &Path,
    wanted: impl Fn(&str) -> bool,
    skipped: SkipSink<'_>,
) -> io::Result<Vec<DocEntry>> {
    let mut out = Vec::new();
    let canon_root = fs::canonicalize(root)?;
    let walker = Walker {
        root,
        canon_root: &canon_root,
        wanted: &wanted,
        seen: RefCell::new(HashSet::from([canon_root.clone()])),
        skipped,
    };
    walker.walk(root, "", &mut out)?;
    out.sort_by(|a, b| natural_cmp(&a.rel, &b.rel));
    Ok(out)
}

/// One listing of a corpus: what every folder's walk shares.
struct Walker<'a> {
    root: &'a Path,
    canon_root: &'a Path,
    wanted: &'a dyn Fn(&str) -> bool,
    /// Folders listed so far (resolved), so a link back up is not walked again.
    seen: RefCell<HashSet<PathBuf>>,
    skipped: SkipSink<'a>,
}

impl Walker<'_> {
    fn skip(&self, rel: String, reason: String) {
        if let Some(sink) = self.skipped {
            sink.borrow_mut().push(SkippedFile { rel, reason });
        }
    }

    /// Lists `dir` into `out`, and its subfolders.
    fn walk(&self, dir: &Path, rel_dir: &str, out: &mut Vec<DocEntry>) -> io::Result<()> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            // An unreadable subfolder should not hide the rest of the corpus.
            Err(_) if dir != self.root => return Ok(()),
            Err(e) => return Err(e),
        };
        // Files of this folder, whose journals are known once all of it is listed.
        let mut files = Vec::new();
        let mut journals = HashSet::new();
        for entry in entries.flatten() {
            let os_name = entry.file_name();
            let name = os_name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let rel = |name: &str| {
                if rel_dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel_dir}/{name}")
                }
            };
            // The kind comes with the directory listing; only a symlink needs a `stat`
            // (which follows it, so linked folders and files are read like real ones).
            // Listing 10,000 documents with a `stat` per file took most of the time.
            let Ok(mut kind) = entry.file_type() else { continue };
            let worth_naming = kind.is_dir() || (self.wanted)(&name);
            if os_name.to_str().is_none() {
                // Two such names can read the same once made text, and every
                // output names documents in UTF-8: refused by name, never merged.
                if worth_naming && self.skipped.is_some() {
                    let shown = rel(&escaped_name(&os_name));
                    self.skip(
                        shown,
                        "its name is not valid UTF-8 text; rename it (letters, digits and punctuation in UTF-8) to include it".into(),
                    );
                }
                continue;
            }
            if kind.is_symlink() {
                let Ok(meta) = fs::metadata(entry.path()) else {
                    if worth_naming || name.ends_with(sidecar::EXTENSION) {
                        self.skip(
                            rel(&name),
                            "a link that leads nowhere (its target is missing, or it loops)".into(),
                        );
                    }
                    continue;
                };
                kind = meta.file_type();
                let inside = fs::canonicalize(entry.path()).is_ok_and(|t| t.starts_with(self.canon_root));
                if !inside {
                    if kind.is_dir() || (self.wanted)(&name) {
                        self.skip(
                            rel(&name),
                            "a link to a place outside the corpus folder; it is not read, exported or written. Copy the file into the folder to include it".into(),
                        );
                    }
                    continue;
                }
            }
            if kind.is_dir() {
                let path = entry.path();
                if let Ok(canon) = fs::canonicalize(&path)
                    && self.seen.borrow_mut().insert(canon)
                {
                    self.walk(&path, &rel(&name), out)?;
                }
                continue;
            }
            if !kind.is_file() {
                if (self.wanted)(&name) {
                    let what = fs::metadata(entry.path())
                        .map_or("a special file", |m| super::safe_file::kind_name(&m));
                    self.skip(
                        rel(&name),
                        format!("it is {what}, not a regular file; it is not read"),
                    );
                }
                continue;
            }
            if let Some(source) = source_of_journal(&name) {
                journals.insert(source.to_owned());
            }
            if (self.wanted)(&name) {
                files.push((
                    DocEntry {
                        rel: rel(&name),
                        journal: false,
                    },
                    name.into_owned(),
                ));
            }
        }
        out.extend(files.into_iter().map(|(mut e, name)| {
            e.journal = journals.contains(&name);
            e
        }));
        Ok(())
    }
}

/// A file name with bytes that are not UTF-8 written as `\xNN`, so two such
/// names never read alike.
fn escaped_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first, allocating version: the oracle for the one in use.
    fn reference_folded(a: &str, b: &str) -> Ordering {
        let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
        loop {
            match (a.peek().copied(), b.peek().copied()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                    let mut na = String::new();
                    while let Some(c) = a.peek().copied().filter(char::is_ascii_digit) {
                        na.push(c);
                        a.next();
                    }
                    let mut nb = String::new();
                    while let Some(c) = b.peek().copied().filter(char::is_ascii_digit) {
                        nb.push(c);
                        b.next();
                    }
                    let ta = na.trim_start_matches('0');
                    let tb = nb.trim_start_matches('0');
                    let ord = ta
                        .len()
                        .cmp(&tb.len())
                        .then_with(|| ta.cmp(tb))
                        .then_with(|| na.len().cmp(&nb.len()));
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                (Some(x), Some(y)) => {
                    let ord = x.to_lowercase().cmp(y.to_lowercase());
                    if ord != Ordering::Equal {
                        return ord;
                    }
                    a.next();
                    b.next();
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn natural_order_matches_the_reference(a in "[a-cA-C0-9_ ÄäÉé.-]{0,12}", b in "[a-cA-C0-9_ ÄäÉé.-]{0,12}") {
            proptest::prop_assert_eq!(natural_cmp_folded(&a, &b), reference_folded(&a, &b));
            proptest::prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        }
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["doc10", "Doc2", "doc1", "doc02", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["a", "doc1", "Doc2", "doc02", "doc10"]);
    }
}
