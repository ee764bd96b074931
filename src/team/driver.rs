//! `marginalia merge-driver %O %A %B %P`: git's merge driver for sidecars.
//!
//! Git calls it with three temporary files (the common ancestor, ours, which
//! is also where the result goes, and theirs) and the path in the tree. A
//! sidecar is merged as a set of annotations ([`crate::model::merge`]) and
//! written as the app writes it, so the merged file is byte for byte what the
//! app would save. Anything that is not a sidecar Marginalia can read (the tag
//! set `marginalia.ron`, a damaged file) gets git's own line merge instead.

use std::path::Path;
use std::process::Command;

use crate::model::DocAnnotations;
use crate::model::merge::{MergeReport, merge};
use crate::store::atomic::write_atomic;
use crate::store::sidecar::{self, Sidecar};

/// What the driver did.
#[derive(Debug)]
pub enum Outcome {
    /// The sidecars were merged; the report says what happened.
    Merged(MergeReport),
    /// Not sidecars: git's line merge ran and found this many conflicting places.
    LineMerge(i32),
}

/// Merges `theirs` into `ours` (written in place) with `base` as the common
/// ancestor. `path` is the file's place in the tree, for messages. An empty or
/// missing `base` (both sides added the file) counts as an empty sidecar.
pub fn run(base: &Path, ours: &Path, theirs: &Path, path: &str) -> Result<Outcome, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {} ({path}): {e}", p.display()));
    let (o, a, b) = (read(base).unwrap_or_default(), read(ours)?, read(theirs)?);
    let parse = |bytes: &[u8]| -> Option<Sidecar> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        sidecar::from_bytes(bytes).ok()
    };
    let (Some(a_side), Some(b_side)) = (parse(&a), parse(&b)) else {
        return line_merge(base, ours, theirs, path);
    };
    let o_side = if o.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match parse(&o) {
            Some(s) => Some(s),
            None => return line_merge(base, ours, theirs, path),
        }
    };
    let empty = DocAnnotations::default();
    let base_data = o_side.as_ref().map_or(&empty, |s| &s.data);
    let (data, report) = merge(base_data, &a_side.data, &b_side.data);
    // The source's hash: whichever side edited the source since the ancestor
    // wins; annotations placed on the other text are re-anchored when opened.
    let base_hash = o_side.as_ref().map(|s| s.source_hash.as_str());
    // The extraction record goes with the text it describes.
    let newer = if base_hash == Some(a_side.source_hash.as_str()) {
        &b_side
    } else {
        &a_side
    };
    let version = a_side.version.max(b_side.version);
    let text = sidecar::render(
        version,
        &a_side.source,
        &newer.source_hash,
        newer.extraction.as_ref(),
        &data,
    );
    write_atomic(ours, text.as_bytes()).map_err(|e| format!("cannot write the merged {path}: {e}"))?;
    Ok(Outcome::Merged(report))
}

/// Git's own three-way line merge, for files that are not sidecars.
fn line_merge(base: &Path, ours: &Path, theirs: &Path, path: &str) -> Result<Outcome, String> {
    let status = Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(ours)
        .arg(base)
        .arg(theirs)
        .status()
        .map_err(|e| {
            format!("{path} is not a Marginalia sidecar, and git's line merge could not run: {e}")
        })?;
    match status.code() {
        Some(n) if n >= 0 => Ok(Outcome::LineMerge(n)),
        _ => Err(format!("git's line merge of {path} failed")),
    }
}
