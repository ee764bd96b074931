//! Importing a JSONL file: Marginalia's own lines, doccano or spaCy.

use std::path::Path;

use serde_json::Value;

use super::{
    Doc, ImportError, ImportReport, Lost, Text, ToWrite, destination_tagset, finish_tagset, note_labels,
    prepare_into, record_all, safe_rel, write_all,
};
use crate::formats::{Skipped, doccano, jsonl};

/// The largest JSONL file imported (it is read whole).
const MAX_JSONL_INPUT: u64 = 4 << 30;

/// Imports a JSONL file: Marginalia's own export (lossless), doccano (`label`
/// triples or `entities`/`relations`, UTF-16 offsets) or spaCy/Prodigy `spans`,
/// recognised line by line. Foreign documents are named `doc-00001.txt` after their line.
pub fn import_jsonl(file: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let content = crate::store::safe_file::read_string_capped(file, MAX_JSONL_INPUT)
        .map_err(|e| ImportError::Source(file.to_path_buf(), e.to_string()))?;
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    let (mut set, had_own) = destination_tagset(into);
    let start = set.clone();
    let now = crate::model::now_rfc3339();
    let fname = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let docs = content.lines().enumerate().filter_map(|(i, line)| {
        let lineno = i + 1;
        let here = format!("{fname} line {lineno}");
        if line.trim().is_empty() {
            return None;
        }
        let skip = |report: &mut ImportReport, reason: String| {
            report.skipped.push(Skipped {
                path: here.clone(),
                reason,
            })
        };
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                skip(&mut report, format!("not valid JSON ({e})"));
                return None;
            }
        };
        let parsed = if jsonl::is_marginalia(&v) {
            jsonl::from_value(&v)
                .and_then(|(doc, data)| Ok((safe_rel(&doc.path)?, Text::Hashed(doc), data, Vec::new())))
        } else {
            let foreign = if doccano::is_doccano(&v) {
                doccano::read_doccano(&v)
            } else if doccano::is_spacy(&v) || v.get("text").is_some() {
                // A bare `{"text": …}` line is a document without spans.
                doccano::read_spacy(&v)
            } else {
                Err("the line is neither Marginalia, doccano nor spaCy JSONL (no \"text\" field)".into())
            };
            foreign.map(|f| {
                let (text, data, lost) = doccano::to_model(f, &set, &now);
                (format!("doc-{lineno:05}.txt"), Text::Plain(text), data, lost)
            })
        };
        let (rel, text, data, lost) = match parsed {
            Ok(p) => p,
            Err(why) => {
                skip(&mut report, why);
                return None;
            }
        };
        report.lost.extend(lost.into_iter().map(|what| Lost {
            file: here.clone(),
            what,
        }));
        note_labels(&mut set, &data);
        Some(Doc::Write(ToWrite {
            rel,
            text,
            data,
            from: here,
        }))
    });
    let written = write_all(dest, docs);
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    Ok(report)
}
