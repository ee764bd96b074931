//! Work over the whole corpus or beyond it: exports, the claims CSV, the
//! comparison with another copy, the occurrences to annotate everywhere.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::agree::{disagreements, load_pair};
use crate::formats::csv::Formulas;
use crate::formats::{ExportOptions, Format, export_corpus};
use crate::model::words::find_all;
use crate::model::{Document, Span};
use crate::store::corpus;
use crate::workspace::jobs::Done;

use super::super::reader::{ReaderState, Selection};
use super::super::state::{Comparison, Occurrence, Running};
use super::{MarginaliaApp, Prompt, Tab};

impl MarginaliaApp {
    /// Asks where to write the given board rows as CSV.
    pub fn start_board_export(&mut self, rows: &[crate::model::index::ClaimRow]) {
        self.pending_csv = rows.iter().map(|r| (r.doc.clone(), r.id.clone())).collect();
        let default = self
            .ws
            .corpus
            .as_ref()
            .map(|c| c.beside(&format!("{}-claims.csv", c.name())))
            .unwrap_or_default();
        self.prompt = Some(Prompt::ExportCsv {
            text: default,
            error: None,
        });
    }

    /// Writes the pending board rows as CSV to `path` (the same code as `marginalia export --format csv`).
    pub fn write_board_csv(&mut self, path: &str) -> Result<String, String> {
        let path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            return Err("Type a file path first.".into());
        }
        for (rel, _) in self.pending_csv.clone() {
            self.ws.open_session(&rel)?;
        }
        let rows = self.pending_csv.iter().filter_map(|(rel, id)| {
            let s = self.ws.sessions.get(rel)?;
            Some(crate::formats::csv::ClaimRow {
                doc: &s.doc,
                data: &s.data,
                claim: s.data.get(id)?,
            })
        });
        let text = crate::formats::csv::claims_csv(rows, Formulas::Guard);
        crate::store::atomic::write_atomic(&path, text.as_bytes()).map_err(|e| {
            format!(
                "Could not write {}: {e}. Choose a folder you can write to.",
                path.display()
            )
        })?;
        let n = self.pending_csv.len();
        self.pending_csv.clear();
        self.prompt = None;
        Ok(format!("Wrote {n} claims to {}.", path.display()))
    }

    /// Compares the current document with the same document in `other`.
    pub fn compare_with(&mut self, other: &Path) -> Result<(), String> {
        let (Some(c), Some(rel)) = (&self.ws.corpus, self.current.clone()) else {
            return Err("Open a document first.".into());
        };
        if !other.is_dir() {
            return Err(format!(
                "{} is not a folder that exists here. Check the spelling.",
                other.display()
            ));
        }
        let root = c.root.clone();
        // Compare what is on disk in both copies, so unsaved edits go first.
        self.ws.save_all_blocking();
        let (a, b) = load_pair(&root, other, &rel).map_err(|warnings| {
            let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            format!("Cannot compare {rel}: {}", text.join("; "))
        })?;
        let found = disagreements(&a.doc, &a.data, &b.data);
        let doc = Arc::new(a.doc);
        self.compare = Some(Comparison {
            other: other.to_path_buf(),
            rel,
            reader_a: ReaderState::new(&doc),
            reader_b: ReaderState::new(&doc),
            doc,
            a: a.data,
            b: b.data,
            disagreements: found,
            current: None,
            sel_a: Selection::default(),
            sel_b: Selection::default(),
        });
        self.tab = Tab::Compare;
        Ok(())
    }

    /// Starts the export described by the dialog, after writing pending edits.
    pub fn start_export(&mut self) {
        let Some(root) = self.ws.corpus.as_ref().map(|c| c.root.clone()) else {
            return;
        };
        // Export reads the sidecars on disk, so unsaved edits must land first.
        self.ws.save_all_blocking();
        let Some(d) = self.export.as_mut() else { return };
        let base = d.base_uri.trim();
        let opts = ExportOptions {
            format: d.format,
            out: d.path.trim().into(),
            only_done: d.only_done,
            force: d.force,
            strict: false,
            base_uri: (d.format == Format::W3c && !base.is_empty()).then(|| base.to_owned()),
            csv_formulas: if d.csv_formulas {
                Formulas::Keep
            } else {
                Formulas::Guard
            },
            refuse_empty: true,
        };
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (done2, total2, cancel2) = (done.clone(), total.clone(), cancel.clone());
        let started = self.ws.jobs.spawn("export", move |out| {
            let mut progress = |d: usize, t: usize| {
                done2.store(d, Ordering::Relaxed);
                total2.store(t, Ordering::Relaxed);
                !cancel2.load(Ordering::Relaxed)
            };
            let result = export_corpus(&root, &opts, &mut progress)
                .map(|r| r.summary())
                .map_err(|e| super::super::export_dialog::message(&e));
            out.send(Done::Exported(result));
        });
        if let Err(e) = started {
            d.outcome = Some(Err(format!("The export {e}; try again.")));
            return;
        }
        d.outcome = None;
        d.running = Some(Running { done, total, cancel });
    }

    /// Takes the outcome of an export run in the background.
    pub(super) fn take_export(&mut self, result: Result<String, String>) {
        if let Some(d) = self.export.as_mut() {
            d.outcome = Some(result);
            d.running = None;
        }
    }

    /// Finds every occurrence of the propagation text in the corpus.
    pub fn compute_propagation(&mut self) {
        let Some(mut p) = self.propagation.take() else {
            return;
        };
        let key = (p.text.clone(), p.match_case, p.whole_word);
        if p.computed_for.as_ref() == Some(&key) {
            self.propagation = Some(p);
            return;
        }
        p.rows.clear();
        let entries: Vec<String> = self
            .ws
            .corpus
            .as_ref()
            .map(|c| c.entries.iter().map(|e| e.rel.clone()).collect())
            .unwrap_or_default();
        for rel in entries {
            let doc: std::sync::Arc<Document> = match self.ws.sessions.get(&rel) {
                Some(s) => s.doc.clone(),
                None => {
                    let Some(c) = &self.ws.corpus else { break };
                    match corpus::load(&c.root, &rel) {
                        Ok(l) => std::sync::Arc::new(l.doc),
                        Err(_) => continue,
                    }
                }
            };
            let data = self.ws.sessions.get(&rel).map(|s| &s.data).or_else(|| {
                self.ws
                    .corpus
                    .as_ref()
                    .and_then(|c| c.disk.get(&rel))
                    .map(|d| &**d)
            });
            for span in find_all(&doc, &p.text, p.match_case, p.whole_word) {
                let already = data.is_some_and(|d| {
                    d.annotations
                        .iter()
                        .any(|a| a.label == p.label && a.spans.as_slice() == [span])
                });
                let before = doc
                    .slice(Span::new(span.start.saturating_sub(40), span.start))
                    .replace(['\n', '\r'], " ");
                let after = doc
                    .slice(Span::new(span.end, (span.end + 40).min(doc.len_chars())))
                    .replace(['\n', '\r'], " ");
                p.rows.push(Occurrence {
                    doc: rel.clone(),
                    span,
                    before,
                    text: doc.slice(span).to_owned(),
                    after,
                    already,
                    ticked: !already,
                });
            }
        }
        p.computed_for = Some(key);
        self.propagation = Some(p);
    }

    /// Asks where to write the claims comparison.
    pub fn ask_export_comparison(&mut self, html: bool) {
        let default = self
            .ws
            .corpus
            .as_ref()
            .map(|c| {
                c.beside(&format!(
                    "{}-claims.{}",
                    c.name(),
                    if html { "html" } else { "csv" }
                ))
            })
            .unwrap_or_default();
        self.prompt = Some(Prompt::ExportComparison {
            html,
            text: default,
            error: None,
        });
    }

    /// Writes the claims comparison of the whole corpus, as it is in the
    /// workbench (unsaved edits included), to `path`.
    pub fn write_comparison(&mut self, html: bool, path: &str) -> Result<String, String> {
        let path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            return Err("Type a file path first.".into());
        }
        let cmp = self
            .ws
            .comparison()
            .ok_or("The comparison is still being built; try again in a moment.")?;
        let name = self.ws.corpus.as_ref().map(|c| c.name()).unwrap_or_default();
        let text = if html {
            crate::formats::claims::to_html(&cmp, &format!("Claims in {name}"))
        } else {
            crate::formats::claims::to_csv(&cmp, Formulas::Guard)
        };
        crate::store::atomic::write_atomic(&path, text.as_bytes()).map_err(|e| {
            format!(
                "Could not write {}: {e}. Choose a folder you can write to.",
                path.display()
            )
        })?;
        Ok(format!(
            "Wrote the comparison of {} to {}.",
            crate::ui::widgets::count(cmp.propositions.len(), "proposition", "propositions"),
            path.display()
        ))
    }
}
