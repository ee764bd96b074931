//! Corpus-wide edits: one undoable step that changes several documents, such
//! as renaming a canonical id everywhere or annotating every occurrence. Each
//! part goes through the model's `apply`, the step goes on the one history
//! (`MarginaliaApp::history`), and the sessions' autosave writes every touched
//! sidecar atomically.

use crate::model::words::find_all;
use crate::model::{Document, Span};
use crate::store::corpus;

use super::app::MarginaliaApp;

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
}
