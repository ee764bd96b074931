//! Importing a brat folder.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use super::*;

/// Every `.txt` under `dir` (not hidden, not through linked folders), relative, `/`-separated.
/// `.ann` files without their `.txt` go to `orphans`.
fn brat_texts(root: &Path, dir: &Path, out: &mut Vec<String>, orphans: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            brat_texts(root, &path, out, orphans)?;
        } else if let Some(stem) = name.strip_suffix(".ann")
            && !dir.join(format!("{stem}.txt")).exists()
        {
            orphans.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned(),
            );
        } else if name.ends_with(".txt") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    Ok(())
}

/// Where the brat text `rel_txt` is written in the destination: `a.md.txt`
/// came from the source `a.md`; plain `a.txt` stays `a.txt`.
fn brat_rel(rel_txt: &str) -> Result<String, String> {
    let stem = rel_txt.strip_suffix(".txt").unwrap_or(rel_txt);
    let has_source_ext = stem
        .rsplit_once('.')
        .is_some_and(|(_, e)| PLAIN_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
    safe_rel(if has_source_ext { stem } else { rel_txt })
}

/// A brat document read and parsed on a worker thread.
struct BratDoc {
    /// Where it goes, relative to the destination.
    rel: String,
    /// Its name without `.txt`, for naming the `.ann` file in the report.
    stem: String,
    txt: String,
    ann: String,
    imported: brat::Imported,
}

/// Reads and parses `rel_txt` (and its `.ann`) under `src` with the tag set `set`,
/// for the destination name `rel` ([`brat_rel`]); gives back the name with the
/// document, or why it is skipped.
fn read_brat_doc(
    src: &Path,
    (rel_txt, rel): &(String, Result<String, String>),
    set: &TagSet,
    now: &str,
) -> (String, Result<BratDoc, String>) {
    let txt_path = src.join(rel_txt);
    let stem = rel_txt.strip_suffix(".txt").unwrap_or(rel_txt);
    let ann_path = src.join(format!("{stem}.ann"));
    let read = || -> Result<BratDoc, String> {
        // The input folder comes from someone else: a link out of it is not
        // followed, and only regular files are read (a FIFO would block).
        if !crate::store::safe_file::resolves_inside(src, &txt_path) {
            return Err(format!(
                "{} is a link to a place outside the brat folder; it is not read",
                txt_path.display()
            ));
        }
        let txt =
            match crate::store::safe_file::read_capped(&txt_path, crate::store::corpus::MAX_SOURCE_BYTES) {
                Ok(b) => into_utf8(b)
                    .map_err(|_| format!("{} is not UTF-8 text, which brat requires", txt_path.display()))?,
                Err(e) => return Err(format!("cannot read {}: {e}", txt_path.display())),
            };
        if ann_path.exists() && !crate::store::safe_file::resolves_inside(src, &ann_path) {
            return Err(format!(
                "{} is a link to a place outside the brat folder; it is not read",
                ann_path.display()
            ));
        }
        let ann =
            match crate::store::safe_file::read_capped(&ann_path, crate::store::safe_file::MAX_SIDECAR_BYTES)
                .map(into_utf8)
            {
                Ok(Ok(a)) => a,
                Ok(Err(_)) => {
                    return Err(format!(
                        "{} is not UTF-8 text, which brat requires",
                        ann_path.display()
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(format!("cannot read {}: {e}", ann_path.display())),
            };
        let rel = rel.clone()?;
        let imported = brat::from_brat(&txt, &ann, set, now);
        Ok(BratDoc {
            rel,
            stem: stem.to_owned(),
            txt,
            ann,
            imported,
        })
    };
    (rel_txt.to_owned(), read())
}

/// What could not be kept of the file `file`, for the report.
fn lost_in(file: &str, lost: Vec<String>) -> impl Iterator<Item = Lost> + '_ {
    lost.into_iter().map(move |what| Lost {
        file: file.to_owned(),
        what,
    })
}

/// What a reading thread did with a brat document.
enum Stage {
    /// Written by the thread that read it.
    Written {
        ann_name: String,
        lost: Vec<String>,
        written: Written,
    },
    /// Read (or not), for the calling thread to finish in order (boxed: the
    /// document is large beside a written one's report).
    Read(String, Result<Box<BratDoc>, String>),
}

/// True when reading `data` again with a tag set grown from the starting
/// set `start` could not change it: a label not in `start` may be learnt as
/// a claim's from an earlier document, which turns only annotations read as
/// entities into claims.
fn settled(data: &DocAnnotations, start: &TagSet) -> bool {
    data.annotations
        .iter()
        .all(|a| a.kind.is_claim() || start.label(&a.label).is_some())
}

/// The destination names that more than one of `texts` would be written to.
fn repeated_names(texts: &[(String, Result<String, String>)]) -> HashSet<String> {
    let mut seen = HashSet::new();
    texts
        .iter()
        .filter_map(|(_, rel)| rel.as_ref().ok())
        .filter(|rel| !seen.insert(*rel))
        .cloned()
        .collect()
}

/// Imports a brat folder: every `X.txt` (with `X.ann` when present) becomes a
/// source and its sidecar under `into`; `annotation.conf` becomes `marginalia.ron`
/// when `into` has no tag set yet. What brat has that Marginalia cannot keep is
/// listed per file in the report.
pub fn import_brat(src: &Path, into: &Path) -> Result<ImportReport, ImportError> {
    let mut texts = Vec::new();
    let mut orphans = Vec::new();
    brat_texts(src, src, &mut texts, &mut orphans)
        .map_err(|e| ImportError::Source(src.to_path_buf(), e.to_string()))?;
    texts.sort_by(|a, b| corpus::natural_cmp(a, b));
    let dest = prepare_into(into)?;
    let mut report = ImportReport::default();
    for o in orphans {
        report.skipped.push(Skipped {
            reason: format!("{o} has no .txt file beside it; add the text or remove the .ann file"),
            path: o,
        });
    }
    let (dest_set, had_own) = destination_tagset(into);
    let conf = crate::store::safe_file::read_string_capped(
        &src.join(brat::CONF_FILE),
        crate::store::safe_file::MAX_TAGSET_BYTES,
    )
    .ok();
    let mut set = match (&conf, had_own) {
        (Some(c), false) => brat::tagset_from_conf(c),
        _ => dest_set,
    };
    let now = crate::model::now_rfc3339();
    let start = set.clone();
    // Reading and parsing run on the cores, with the tag set the import starts
    // from. A label's kind decides how later documents read it, and the set grows
    // as documents are read; a document is read again, in order, only when it
    // uses a claim label that an earlier document added. A document that cannot
    // be read otherwise (every annotation read as an entity has a label of the
    // starting set) and whose name no other text takes is written by the thread
    // that read it: handing it to a writer thread cost more than writing it, in
    // copies, wake-ups and memory freed by another thread than the one that took it.
    let texts: Vec<(String, Result<String, String>)> = texts
        .into_iter()
        .map(|t| {
            let rel = brat_rel(&t);
            (t, rel)
        })
        .collect();
    let repeated = Arc::new(repeated_names(&texts));
    let read_with = Arc::new(start.clone());
    let (src_owned, now_owned) = (src.to_path_buf(), now.clone());
    let (batch, canon) = (Arc::clone(&dest.batch), dest.canon.clone());
    let parsed = crate::formats::parallel::ordered(texts, move |text: &(String, Result<String, String>)| {
        let (rel_txt, doc) = read_brat_doc(&src_owned, text, &read_with, &now_owned);
        match doc {
            Ok(d) if !repeated.contains(&d.rel) && settled(&d.imported.data, &read_with) => {
                let to_write = ToWrite {
                    from: rel_txt,
                    rel: d.rel,
                    text: Text::Hashed(d.imported.doc),
                    data: d.imported.data,
                };
                Stage::Written {
                    ann_name: format!("{}.ann", d.stem),
                    lost: d.imported.lost,
                    written: write_one(&batch, canon.as_deref(), to_write, None),
                }
            }
            doc => Stage::Read(rel_txt, doc.map(Box::new)),
        }
    });
    let docs = parsed.filter_map(|stage| {
        let (rel_txt, doc) = match stage {
            Stage::Written {
                ann_name,
                lost,
                written,
            } => {
                report.lost.extend(lost_in(&ann_name, lost));
                written.used.note_into(&mut set);
                return Some(Doc::Written(written));
            }
            Stage::Read(rel_txt, doc) => (rel_txt, doc),
        };
        let BratDoc {
            rel,
            stem,
            txt,
            ann,
            mut imported,
        } = match doc {
            Ok(d) => *d,
            Err(why) => {
                report.skipped.push(Skipped {
                    path: rel_txt,
                    reason: why,
                });
                return None;
            }
        };
        let learnt_claim = imported.data.annotations.iter().any(|a| {
            start.label(&a.label).is_none() && set.label(&a.label).is_some_and(|l| l.kind == LabelKind::Claim)
        });
        if learnt_claim {
            imported = brat::from_brat(&txt, &ann, &set, &now);
        }
        report.lost.extend(lost_in(&format!("{stem}.ann"), imported.lost));
        // Noted as read, for the documents after it; `record_all` keeps the labels
        // of the documents written.
        note_labels(&mut set, &imported.data);
        Some(Doc::Write(Box::new(ToWrite {
            from: rel_txt,
            rel,
            text: Text::Hashed(imported.doc),
            data: imported.data,
        })))
    });
    let written = write_all(dest, docs);
    record_all(&mut report, &mut set, start, written);
    finish_tagset(into, &set, had_own, &mut report)?;
    if let Some(c) = &conf {
        keep_conf(into, c, &mut report)?;
    }
    Ok(report)
}

/// Keeps brat's `annotation.conf` in the corpus root as it is, so that a brat
/// export writes back what the tag set has no place for: the type hierarchy,
/// argument types, macros, event declarations. A destination that has one
/// keeps its own.
fn keep_conf(into: &Path, conf: &str, report: &mut ImportReport) -> Result<(), ImportError> {
    let path = into.join(brat::CONF_FILE);
    // Nothing was written into a folder that the import would have created.
    if (report.documents.is_empty() && !into.exists()) || path.exists() {
        return Ok(());
    }
    crate::store::atomic::write_atomic(&path, conf.as_bytes())
        .map_err(|e| ImportError::Destination(path.clone(), e))
}
