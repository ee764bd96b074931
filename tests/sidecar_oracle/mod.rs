//! The general sidecar reader the single-pass reader in `store::sidecar_read`
//! is checked against: `ronscan` cuts out the fields to keep unknown ones, then
//! serde reads the rest through `ron`. Slow, but independent of the reader it
//! checks: where it answers, the app's reader must give the same sidecar.

#![allow(dead_code)]

pub mod ronscan;

use std::collections::BTreeMap;

use marginalia::model::{Annotation, DocAnnotations, Equivalence, Event, Relation, Status};
use marginalia::store::sidecar::{FORMAT, MAJOR, MINOR, Sidecar, SidecarError};
use serde::Deserialize;

#[derive(Deserialize)]
struct FileRecord {
    format: String,
    version: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    source_hash: String,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    relations: Vec<Relation>,
    #[serde(default)]
    events: Vec<Event>,
    #[serde(default)]
    equivalences: Vec<Equivalence>,
    #[serde(default)]
    meta: marginalia::model::DocMeta,
    #[serde(default)]
    conflicts: Vec<marginalia::model::merge::Conflict>,
    #[serde(default, deserialize_with = "present")]
    extraction: Option<ExtractionRecord>,
}

/// A struct that, when the field is there, is written without `Some(…)`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ExtractionRecord>, D::Error> {
    ExtractionRecord::deserialize(d).map(Some)
}

/// The record of the extraction (format 1.3).
#[derive(Deserialize)]
struct ExtractionRecord {
    kind: String,
    version: u32,
    text_hash: String,
}

const TOP_FIELDS: &[&str] = &[
    "format",
    "version",
    "source",
    "source_hash",
    "status",
    "annotations",
    "relations",
    "events",
    "equivalences",
    "meta",
    "conflicts",
    "extraction",
];

/// The fields of an annotation the model has.
pub const ANN_FIELDS: &[&str] = &[
    "id",
    "spans",
    "quote",
    "prefix",
    "suffix",
    "label",
    "kind",
    "attributes",
    "note",
    "annotator",
    "created",
    "modified",
    "orphaned",
    "conflicts",
    "origin",
];

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.split_once('.').unwrap_or((v, "0"));
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// The version a version field's raw text names, when its major is newer.
fn newer_major_in_text(text: &str) -> Option<(u32, u32)> {
    let v = text.trim_matches('"');
    v.split_once('.')?;
    parse_version(v).filter(|version| version.0 > MAJOR)
}

fn finish(
    version: (u32, u32),
    source: String,
    source_hash: String,
    extraction: Option<marginalia::model::Extraction>,
    mut data: DocAnnotations,
) -> Sidecar {
    data.sort();
    Sidecar {
        version: (MAJOR, version.1),
        source,
        source_hash,
        extraction,
        data,
    }
}

/// Reads a sidecar as the app read it before it had one reader: errors carry
/// `ron`'s line and column; a newer major version is an error with
/// `future_version` set; unknown fields of the file and its annotations are kept.
pub fn read(src: &str) -> Result<Sidecar, SidecarError> {
    let err = |line, column, message: String| SidecarError {
        line,
        column,
        message,
        future_version: false,
    };
    let future = |message: String| SidecarError {
        line: 0,
        column: 0,
        message,
        future_version: true,
    };
    if src.trim().is_empty() {
        return Err(err(1, 1, "the annotation file is empty".into()));
    }
    let fields = ronscan::struct_fields(src);
    if let Some(fields) = &fields
        && let Some((_, v)) = fields.iter().find(|(k, _)| k == "version")
        && let Some(version) = newer_major_in_text(v)
    {
        return Err(future(format!("newer major version {}.{}", version.0, version.1)));
    }
    let rec: FileRecord =
        ron::from_str(src).map_err(|e| err(e.span.start.line, e.span.start.col, e.code.to_string()))?;
    if rec.format != FORMAT {
        return Err(err(0, 0, format!("the format field is \"{}\"", rec.format)));
    }
    let version = parse_version(&rec.version).ok_or_else(|| {
        err(
            0,
            0,
            format!("the version \"{}\" is not MAJOR.MINOR", rec.version),
        )
    })?;
    if version.0 > MAJOR {
        return Err(future(format!("newer major version {}", rec.version)));
    }
    let mut extra = BTreeMap::new();
    let mut ann_extras: Vec<BTreeMap<String, String>> = Vec::new();
    // Whether every field could be cut out verbatim; only then can unknown ones be kept.
    let mut scanned = fields.is_some();
    for (k, v) in fields.unwrap_or_default() {
        if k == "annotations" {
            let items = ronscan::list_items(&v);
            scanned &= items.as_ref().is_some_and(|i| i.len() == rec.annotations.len());
            for item in items.unwrap_or_default() {
                let mut m = BTreeMap::new();
                let item_fields = ronscan::struct_fields(&item);
                scanned &= item_fields.is_some();
                for (ak, av) in item_fields.unwrap_or_default() {
                    if !ANN_FIELDS.contains(&ak.as_str()) {
                        m.insert(ak, av);
                    }
                }
                ann_extras.push(m);
            }
        } else if !TOP_FIELDS.contains(&k.as_str()) {
            extra.insert(k, v);
        }
    }
    if !scanned && version.1 > MINOR {
        return Err(future(format!(
            "newer minor version {} whose new fields cannot be cut out",
            rec.version
        )));
    }
    let annotations = rec
        .annotations
        .into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            a.extra = ann_extras.get(i).cloned().unwrap_or_default();
            a
        })
        .collect();
    let data = DocAnnotations {
        annotations,
        relations: rec.relations,
        events: rec.events,
        equivalences: rec.equivalences,
        status: rec.status,
        meta: Box::new(rec.meta),
        conflicts: rec.conflicts,
        extra,
    };
    let extraction = match rec.extraction {
        Some(x) => Some(marginalia::model::Extraction {
            kind: marginalia::model::SourceKind::parse(&x.kind)
                .ok_or_else(|| err(0, 0, format!("unknown extraction kind {}", x.kind)))?,
            version: x.version,
            text_hash: x.text_hash,
        }),
        None => None,
    };
    Ok(finish(version, rec.source, rec.source_hash, extraction, data))
}

/// True when `ronscan` can cut out every field of the file and of each of its
/// annotations, which the oracle needs to keep unknown fields (without it, it
/// drops them in a file of this version, and refuses a newer minor's file).
pub fn scanned(src: &str) -> bool {
    let Some(fields) = ronscan::struct_fields(src) else {
        return false;
    };
    fields.iter().filter(|(k, _)| k == "annotations").all(|(_, v)| {
        ronscan::list_items(v).is_some_and(|items| items.iter().all(|i| ronscan::struct_fields(i).is_some()))
    })
}
