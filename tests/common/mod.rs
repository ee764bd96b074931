//! Helpers shared by the integration tests: seeds, annotations built from real
//! text, and corpora in temporary folders.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use marginalia::model::{Annotation, Claim, Cue, Document, Kind, Span, Speaker};

/// Path of a bundled seed article.
pub fn seed_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(name)
}

/// Text of a bundled seed article.
pub fn seed(name: &str) -> String {
    fs::read_to_string(seed_path(name)).expect("seed is readable UTF-8")
}

/// The seed that mentions Hillary Clinton.
pub const CLINTON: &str = "000_13d38fe2f37237c1.txt";

/// All seed file names, sorted.
pub fn seed_names() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    v.sort();
    v
}

/// Code-point span of the `nth` occurrence of `needle` in `text`.
pub fn find(text: &str, needle: &str, nth: usize) -> Span {
    let (byte, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let start = text[..byte].chars().count();
    Span::new(start, start + needle.chars().count())
}

/// An annotation on `spans` of `doc` with quote and context taken from the text.
pub fn ann(doc: &Document, id: &str, spans: Vec<Span>, label: &str, kind: Kind) -> Annotation {
    let (quote, prefix, suffix) = doc.selector(&spans);
    Annotation {
        id: id.into(),
        spans: spans.into(),
        quote,
        prefix,
        suffix,
        label: label.into(),
        kind,
        attributes: Default::default(),
        note: String::new(),
        annotator: "ana".into(),
        created: "2026-01-02T03:04:05Z".into(),
        modified: "2026-01-02T03:04:05Z".into(),
        orphaned: false,
        conflicts: Vec::new(),
        origin: None,
        extra: BTreeMap::new(),
    }
}

/// An entity annotation on the `nth` occurrence of `needle`.
pub fn entity(doc: &Document, id: &str, needle: &str, nth: usize, label: &str) -> Annotation {
    ann(doc, id, vec![find(&doc.text, needle, nth)], label, Kind::entity())
}

/// A claim on the `nth` occurrence of `needle`, spoken by `speaker`, with an optional cue.
pub fn claim(doc: &Document, id: &str, needle: &str, speaker: Speaker, cue: Option<&str>) -> Annotation {
    let cue = cue.map(|c| Cue {
        span: find(&doc.text, c, 0),
        quote: c.into(),
    });
    ann(
        doc,
        id,
        vec![find(&doc.text, needle, 0)],
        "CLAIM",
        Kind::Claim(Box::new(Claim {
            speaker,
            cue,
            ..Claim::default()
        })),
    )
}

/// A temporary corpus folder holding the given files.
pub fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in files {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}
