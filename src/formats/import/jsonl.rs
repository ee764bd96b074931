//! Importing a JSONL file (or a JSON array, or one JSON object): Marginalia's
//! own lines, doccano, spaCy or Prodigy records.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{
    Doc, ImportError, ImportReport, Lost, Names, Text, ToWrite, destination_tagset, finish_tagset,
    note_labels, prepare_into, record_all, safe_rel, write_all,
};
use crate::formats::{Skipped, doccano, jsonl};

/// The largest JSONL file imported (it is read whole).
const MAX_JSONL_INPUT: u64 = 4 << 30;

/// One record of the input: where it is (for the report), the number that
/// names a document without an id, and the record or why it cannot be read.
struct Record {
    here: String,
    number: String,
    value: Result<Value, String>,
}

/// The records of the file: one a line (JSONL, where a line holding an array
/// gives one record per element), or the elements of one JSON array, or one
/// JSON object spread over many lines. A file that is one JSON document with
/// a syntax error is refused with the one place of the error, rather than
/// read line by line into as many errors as it has lines.
fn records<'a>(content: &'a str, fname: &'a str) -> Result<Box<dyn Iterator<Item = Record> + 'a>, String> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let first = content.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if serde_json::from_str::<Value>(first).is_err() && !first.is_empty() {
        match serde_json::from_str::<Value>(content) {
            Ok(Value::Array(items)) => {
                return Ok(Box::new(items.into_iter().enumerate().map(move |(i, v)| {
                    Record {
                        here: format!("{fname} record {}", i + 1),
                        number: format!("{:05}", i + 1),
                        value: Ok(v),
                    }
                })));
            }
            Ok(v) => {
                return Ok(Box::new(std::iter::once(Record {
                    here: fname.to_owned(),
                    number: "00001".into(),
                    value: Ok(v),
                })));
            }
            // The parse went past the first line: the file is one JSON document.
            Err(e)
                if content
                    .lines()
                    .position(|l| l == first)
                    .is_some_and(|i| e.line() > i + 1) =>
            {
                return Err(format!(
                    "it is not valid JSON (line {}, column {}: {e}); a file holding one JSON array or object must be valid as a whole",
                    e.line(),
                    e.column()
                ));
            }
            Err(_) => {}
        }
    }
    Ok(Box::new(content.lines().enumerate().flat_map(
        move |(i, line)| {
            let lineno = i + 1;
            let recs: Vec<Record> = if line.trim().is_empty() {
                Vec::new()
            } else {
                match serde_json::from_str::<Value>(line) {
                    Ok(Value::Array(items)) => items
                        .into_iter()
                        .enumerate()
                        .map(|(k, v)| Record {
                            here: format!("{fname} line {lineno} record {}", k + 1),
                            number: format!("{lineno:05}-{}", k + 1),
                            value: Ok(v),
                        })
                        .collect(),
                    parsed => vec![Record {
                        here: format!("{fname} line {lineno}"),
                        number: format!("{lineno:05}"),
                        value: parsed.map_err(|e| format!("not valid JSON ({e})")),
                    }],
                }
            };
            recs
        },
    )))
}

/// Keys left out of the documents, over the whole file: how many records had
/// each, and why it was not kept.
#[derive(Default)]
struct Unkept(BTreeMap<String, (usize, String)>);

impl Unkept {
    fn add(&mut self, keys: impl IntoIterator<Item = (String, String)>) {
        let mut once = std::collections::BTreeSet::new();
        for (k, why) in keys {
            if once.insert(k.clone()) {
                self.0.entry(k).or_insert((0, why)).0 += 1;
            }
        }
    }

    fn report(self, fname: &str, report: &mut ImportReport) {
        for (k, (n, why)) in self.0 {
            report.lost.push(Lost {
                file: fname.to_owned(),
                what: format!("the key \"{k}\" of {n} record(s) ({why})"),
            });
        }
    }
}

/// Imports a JSONL file: Marginalia's own export (lossless), doccano (`label`
/// triples or `entities`/`relations`, UTF-16 offsets), spaCy or Prodigy
/// `spans`, recognised record by record; a JSON array of such records, or one
/// such object, is read too. A foreign record's `id` names its document (made
/// safe and unique); one without is named `doc-00001.txt` after its line.
/// Keys that are not kept are reported once per key with a count, and a span
/// repeating an earlier one's extent and label is imported once and counted.
pub fn import_jsonl(file: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let content = crate::store::safe_file::read_string_capped(file, MAX_JSONL_INPUT)
        .map_err(|e| ImportError::Source(file.to_path_buf(), e.to_string()))?;
    let fname = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let records = records(&content, &fname).map_err(|e| ImportError::Source(file.to_path_buf(), e))?;
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    let (mut set, had_own) = destination_tagset(into);
    let start = set.clone();
    let now = crate::model::now_rfc3339();
    let mut unkept = Unkept::default();
    let mut names = Names::default();
    let docs = records.filter_map(|rec| {
        let Record { here, number, value } = rec;
        let skip = |report: &mut ImportReport, reason: String| {
            report.skipped.push(Skipped {
                path: here.clone(),
                reason,
            })
        };
        let v = match value {
            Ok(v) => v,
            Err(why) => {
                skip(&mut report, why);
                return None;
            }
        };
        let mut lost = Vec::new();
        let parsed = if jsonl::is_marginalia(&v) {
            unkept.add(
                jsonl::unread_keys(&v)
                    .into_iter()
                    .map(|k| (k, "not a field of Marginalia JSONL".to_owned())),
            );
            jsonl::from_value(&v).and_then(|(doc, mut data)| {
                let rel = safe_rel(&doc.path)?;
                names.claim(&rel);
                report.duplicates += super::drop_duplicates(&mut data);
                Ok((rel, Text::Hashed(doc), data))
            })
        } else {
            doccano::read_foreign(&v).map(|f| {
                unkept.add(f.unkept.iter().map(|(k, why)| (k.clone(), (*why).to_owned())));
                let rel = match f.name.as_deref() {
                    Some(id) => {
                        let (rel, note) = names.name_for_id(id);
                        lost.extend(note);
                        rel
                    }
                    None => names.unique(&format!("doc-{number}.txt")),
                };
                let c = doccano::to_model(f, &set, &now);
                report.duplicates += c.duplicates;
                lost.extend(c.lost);
                (rel, Text::Plain(c.text), c.data)
            })
        };
        let (rel, text, data) = match parsed {
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
        Some(Doc::Write(Box::new(ToWrite {
            rel,
            text,
            data,
            from: here,
        })))
    });
    let written = write_all(dest, docs);
    unkept.report(&fname, &mut report);
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    Ok(report)
}
