//! Carrying out what views ask: a [`Command`] that changes documents becomes a
//! workspace [`Change`], applied on the one history; the rest move the
//! selection, the tab or the reader.

use crate::model::AnnId;
use crate::workspace::{Applied, Change};

use super::super::command::Command;
use super::super::reader::Selection;
use super::{MarginaliaApp, PickTarget, Tab};

impl MarginaliaApp {
    /// Applies a document change through the workspace and tells the analyst
    /// what came of it. `None` when it failed (the notice says why).
    pub fn change(&mut self, change: Change) -> Option<Applied> {
        let verb = match change {
            Change::Undo => Some("Undid"),
            Change::Redo => Some("Redid"),
            _ => None,
        };
        let annotator = self.annotator();
        match self.ws.apply(change, &annotator) {
            Ok(done) => {
                self.forget_stale_selections(&done.docs);
                if let Some(message) = &done.message {
                    self.inform(message.clone());
                }
                // Undoing a step the reader does not show says where it happened.
                let shown = self.current.as_deref();
                if let Some(verb) = verb
                    && !done.docs.is_empty()
                    && (done.docs.len() > 1 || Some(done.docs[0].as_str()) != shown)
                {
                    self.inform(match done.docs.as_slice() {
                        [one] => format!("{verb} “{}” in {one}.", done.description),
                        many => format!("{verb} “{}” in {} documents.", done.description, many.len()),
                    });
                }
                Some(done)
            }
            Err(e) => {
                self.notice = Some(e);
                None
            }
        }
    }

    /// After a change of `docs`: an annotation selected there that is gone is no
    /// longer selected.
    fn forget_stale_selections(&mut self, docs: &[String]) {
        for rel in docs {
            if let (Some(s), Some(v)) = (self.ws.sessions.get(rel), self.views.get_mut(rel))
                && v.selected.as_ref().is_some_and(|id| s.data.get(id).is_none())
            {
                v.selected = None;
            }
        }
    }

    /// The shown document, the selected text and the selected annotation.
    fn selection_here(&self) -> Option<(String, Option<crate::model::Span>, Option<AnnId>)> {
        let rel = self.current.clone()?;
        let v = self.views.get(&rel)?;
        Some((rel, v.selected_span(), v.selected.clone()))
    }

    /// What a label hotkey or palette click does: tag the selected text, or
    /// relabel the selected annotation.
    pub fn apply_label(&mut self, label: &str) {
        let Some((doc, span, selected)) = self.selection_here() else {
            return;
        };
        if let Some(span) = span {
            let tag = Change::Tag {
                doc: doc.clone(),
                spans: vec![span],
                label: label.to_owned(),
            };
            if let Some(done) = self.change(tag)
                && let Some(v) = self.views.get_mut(&doc)
            {
                v.selected = done.created;
                v.selection = Selection::caret(span.end);
            }
        } else if let Some(id) = selected {
            self.change(Change::Relabel {
                doc,
                id,
                label: label.to_owned(),
            });
        } else {
            self.notice = Some("Select some text first (drag across it), then press the label's key.".into());
        }
    }

    /// Carries out a command from a view.
    pub fn run(&mut self, command: Command) {
        let here = self.current.clone();
        match command {
            Command::SetStatus(status) => {
                if let Some(doc) = here {
                    self.change(Change::SetStatus { doc, status });
                }
            }
            Command::SetStatusOf(doc, status) => {
                if self.open_document_now(&doc) {
                    self.change(Change::SetStatus { doc, status });
                }
            }
            Command::Undo => {
                self.change(Change::Undo);
            }
            Command::Redo => {
                self.change(Change::Redo);
            }
            Command::SetCanonical { mentions, to } => {
                let mentions = mentions.into_iter().map(|(d, id)| (d, id.into())).collect();
                self.change(Change::SetCanonical { mentions, to });
            }
            Command::ConfirmPropagation => {
                let Some(p) = self.propagation.clone() else { return };
                let at = p
                    .rows
                    .iter()
                    .filter(|r| r.ticked && !r.already)
                    .map(|r| (r.doc.clone(), r.span));
                let change = Change::TagEach {
                    label: p.label.clone(),
                    at: at.collect(),
                    what: "occurrences",
                };
                if self.change(change).is_some() {
                    self.propagation = None;
                }
            }
            Command::Reload(rel) => self.reload(&rel),
            Command::KeepMine(rel) => self.keep_mine(&rel),
            Command::AnnotateAllMatches => {
                let Some(doc) = here else { return };
                let at = self.find.matches.iter().map(|m| (doc.clone(), *m)).collect();
                self.change(Change::TagEach {
                    label: self.find.label.clone(),
                    at,
                    what: "matches",
                });
            }
            Command::ApplyLabel(label) => self.apply_label(&label),
            Command::AddFragmentFromSelection => match self.selection_here() {
                Some((doc, Some(span), Some(id))) => {
                    self.change(Change::AddFragment { doc, id, span });
                }
                _ => {
                    self.notice = Some(
                        "Select the extra words in the text first, keeping the annotation selected.".into(),
                    )
                }
            },
            Command::SetCueFromSelection => {
                match self.selection_here() {
                    Some((doc, Some(span), Some(id))) => {
                        self.change(Change::SetCue { doc, id, span });
                    }
                    _ => self.notice = Some(
                        "Select the cue words (e.g. “said”) in the text first, keeping the claim selected."
                            .into(),
                    ),
                }
            }
            Command::Select(id) => {
                if let Some(v) = self.view_mut() {
                    v.selected = Some(id);
                }
            }
            Command::Follow { doc, id } => self.follow(doc.as_deref(), &id),
            Command::AddRelation { from, doc, to, kind } => {
                let Some(from_doc) = here else { return };
                let to_doc = doc.unwrap_or_else(|| from_doc.clone());
                self.change(Change::Relate {
                    from_doc,
                    from,
                    to_doc,
                    to,
                    kind,
                });
            }
            Command::PickSpeaker(claim) => self.picking = Some(PickTarget::Speaker(claim)),
            Command::PickRelationTarget { from, kind } => {
                self.picking = Some(PickTarget::RelationTo { from, kind });
            }
            Command::Open { doc, id } => {
                self.tab = Tab::Reader;
                self.follow(Some(&doc), &id);
            }
            Command::SetProposition { doc, id, key } => {
                self.change(Change::SetProposition { doc, id, key });
            }
            Command::Relate {
                from_doc,
                from,
                to_doc,
                to,
                kind,
            } => {
                self.change(Change::Relate {
                    from_doc,
                    from,
                    to_doc,
                    to,
                    kind,
                });
            }
            Command::StartPropagation => self.start_propagation(),
            Command::SetMeta(meta) => {
                if let Some(doc) = here {
                    self.change(Change::SetMeta { doc, meta });
                }
            }
            Command::SetClaimValue { doc, id, value } => {
                self.change(Change::SetValue { doc, id, value });
            }
            Command::AskExportComparison { html } => self.ask_export_comparison(html),
            Command::FocusSuggestion(s) => self.focus_suggestion(Some(*s)),
            Command::AcceptSuggestion => self.accept_current_suggestion(),
            Command::RejectSuggestion => self.reject_current_suggestion(),
            Command::AcceptAllSuggested(label) => self.accept_all_of(&label),
            Command::StepSuggestion(forward) => self.step_suggestion(forward),
            Command::DeleteSelected => {
                // A relation counts as selected only while its annotation is.
                let relation = self.session().zip(self.view()).and_then(|(s, v)| {
                    let (sel, rel) = (v.selected.as_ref()?, v.selected_relation.as_ref()?);
                    s.data
                        .relations_of(sel)
                        .any(|r| r.id == *rel)
                        .then(|| rel.clone())
                });
                if let Some(id) = relation {
                    self.run(Command::DeleteRelation(id));
                } else if let Some((doc, _, Some(id))) = self.selection_here() {
                    self.change(Change::Delete { doc, id });
                }
            }
            Command::DeleteEvent(id) => {
                if let Some(doc) = here {
                    self.change(Change::DeleteEvent { doc, id });
                }
            }
            Command::SelectRelation(id) => {
                if let Some(v) = self.view_mut() {
                    v.selected_relation = id;
                }
            }
            Command::DeleteRelation(id) => {
                let Some(doc) = here else { return };
                let kind = self
                    .session()
                    .and_then(|s| s.data.relations.iter().find(|r| r.id == id))
                    .map(|r| r.kind.clone());
                let Some(kind) = kind else { return };
                self.change(Change::Edits {
                    description: format!("delete {kind} relation"),
                    parts: vec![(doc, crate::model::Edit::RemoveRelation(id))],
                });
                if let Some(v) = self.view_mut() {
                    v.selected_relation = None;
                }
            }
            Command::Team(c) => self.run_team(c),
            Command::UpdateAnnotation { description, ann } => {
                if let Some(doc) = here {
                    self.change(Change::Update {
                        doc,
                        description,
                        ann,
                    });
                }
            }
        }
    }
}
