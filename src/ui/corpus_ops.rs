//! Corpus-wide edits: one undoable step that changes several documents, such
//! as renaming a canonical id everywhere or annotating every occurrence. Each
//! part goes through the model's `apply`, the step goes on the one history
//! (`MarginaliaApp::history`), and the sessions' autosave writes every touched
//! sidecar atomically.

use crate::model::edit::apply;
use crate::model::words::find_all;
use crate::model::{Document, Edit, Kind, LabelKind, Span, now_rfc3339};
use crate::store::corpus;

use super::app::MarginaliaApp;
use super::state::Session;

/// One occurrence offered by "annotate all occurrences in the corpus".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Document path.
    pub doc: String,
    /// Where it is.
    pub span: Span,
    /// Up to 40 characters before it.
    pub before: String,
    /// The matched text.
    pub text: String,
    /// Up to 40 characters after it.
    pub after: String,
    /// True when the span already carries the label.
    pub already: bool,
    /// Whether the analyst keeps it.
    pub ticked: bool,
}

/// The state of the propagation preview.
#[derive(Clone, Debug, Default)]
pub struct Propagation {
    /// Text to look for.
    pub text: String,
    /// Label to apply.
    pub label: String,
    /// Match case exactly.
    pub match_case: bool,
    /// Whole words only.
    pub whole_word: bool,
    /// What was found.
    pub rows: Vec<Occurrence>,
    /// (text, case, word) the rows were computed for.
    pub computed_for: Option<(String, bool, bool)>,
}

impl MarginaliaApp {
    /// Loads a document's session if it is not open yet (without showing it).
    pub fn ensure_session(&mut self, rel: &str) -> Result<(), String> {
        if self.ws.sessions.contains_key(rel) {
            return Ok(());
        }
        let c = self.ws.corpus.as_ref().ok_or("no folder is open")?;
        let loaded = corpus::load(&c.root, rel).map_err(|e| e.to_string())?;
        let mtimes = crate::workspace::sync::file_mtimes(&c.root, rel);
        self.views
            .insert(rel.to_owned(), super::state::DocView::new(&loaded.doc));
        self.ws
            .sessions
            .insert(rel.to_owned(), Session::new(loaded, mtimes));
        if let Some(c) = self.ws.corpus.as_mut() {
            c.disk.remove(rel);
        }
        Ok(())
    }

    /// Applies edits to several documents as one corpus-wide undoable step.
    /// Nothing changes when any part fails (read-only document, missing id).
    pub fn run_corpus(&mut self, description: &str, parts: Vec<(String, Edit)>) -> Result<usize, String> {
        for (rel, _) in &parts {
            self.ensure_session(rel)?;
            if let Some(why) = &self.ws.sessions[rel].read_only {
                return Err(format!("{rel} is read-only, so nothing was changed. {why}"));
            }
        }
        let mut inverses: Vec<(String, Edit)> = Vec::new();
        for (rel, edit) in parts {
            let s = self.ws.sessions.get_mut(&rel).expect("loaded above");
            match apply_recorded(s, edit) {
                Ok(inv) => inverses.push((rel, inv)),
                Err(e) => {
                    for (rel, inv) in inverses.into_iter().rev() {
                        let s = self.ws.sessions.get_mut(&rel).expect("loaded");
                        let _ = apply_recorded(s, inv);
                    }
                    return Err(format!("{rel}: {e}; nothing was changed"));
                }
            }
        }
        let files = inverses.len();
        inverses.reverse();
        self.ws.history.record(description, inverses);
        Ok(files)
    }

    /// Sets the canonical id of the given mentions (document, id) everywhere, as one step.
    /// Returns a summary of how many mentions in how many files changed.
    pub fn set_canonical(
        &mut self,
        mentions: &[(String, String)],
        to: Option<&str>,
    ) -> Result<String, String> {
        let mut by_doc: std::collections::BTreeMap<String, Vec<Edit>> = Default::default();
        for (rel, id) in mentions {
            self.ensure_session(rel)?;
            let Some(a) = self.ws.sessions[rel].data.get(id) else {
                continue;
            };
            if a.canonical() == to {
                continue;
            }
            let mut new = a.clone();
            new.kind = Kind::Entity {
                canonical: to.map(str::to_owned),
            };
            new.modified = now_rfc3339().into();
            by_doc.entry(rel.clone()).or_default().push(Edit::Replace(new));
        }
        let n: usize = by_doc.values().map(Vec::len).sum();
        if n == 0 {
            return Ok("Nothing to change.".into());
        }
        let parts: Vec<(String, Edit)> = by_doc.into_iter().map(|(rel, e)| (rel, Edit::Batch(e))).collect();
        let what = match to {
            Some(t) => format!("set canonical id {t}"),
            None => "clear canonical id".to_owned(),
        };
        let files = self.run_corpus(&what, parts)?;
        Ok(format!(
            "Changed {n} mention{} in {files} file{}. Edit → Undo corpus-wide change reverts it.",
            if n == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        ))
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
            let data = self.sessions.get(&rel).map(|s| &s.data).or_else(|| {
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

    /// Annotates the ticked occurrences, as one corpus-wide step.
    pub fn confirm_propagation(&mut self) -> Result<String, String> {
        let Some(p) = self.propagation.clone() else {
            return Ok(String::new());
        };
        let def = self
            .corpus
            .as_ref()
            .and_then(|c| c.tagset.label(&p.label))
            .cloned()
            .ok_or_else(|| format!("the label {} is not in the tag set", p.label))?;
        let mut by_doc: std::collections::BTreeMap<String, Vec<Edit>> = Default::default();
        let annotator = self.annotator();
        for row in p.rows.iter().filter(|r| r.ticked && !r.already) {
            self.ensure_session(&row.doc)?;
            let kind = if def.kind == LabelKind::Claim {
                Kind::claim()
            } else {
                Kind::entity()
            };
            let ann = self.ws.sessions[&row.doc]
                .doc
                .annotate(vec![row.span], &def.name, kind, &annotator);
            by_doc.entry(row.doc.clone()).or_default().push(Edit::Add(ann));
        }
        let n: usize = by_doc.values().map(Vec::len).sum();
        if n == 0 {
            return Ok("Nothing ticked, nothing annotated.".into());
        }
        let parts = by_doc.into_iter().map(|(rel, e)| (rel, Edit::Batch(e))).collect();
        let files = self.run_corpus(&format!("annotate {n} occurrences as {}", def.name), parts)?;
        self.propagation = None;
        Ok(format!(
            "Annotated {n} occurrences of “{}” as {} in {files} file{}.",
            p.text,
            def.name,
            if files == 1 { "" } else { "s" }
        ))
    }
}

/// Applies `edit` to a session's annotations and records it for the next save;
/// returns the inverse.
fn apply_recorded(s: &mut Session, edit: Edit) -> Result<Edit, crate::model::EditError> {
    let applied = edit.clone();
    let inverse = apply(&mut s.data, edit)?;
    s.record(applied);
    Ok(inverse)
}
