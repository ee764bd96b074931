//! What a view asks the workbench to do. A view reads the app and returns a
//! [`Command`]; [`MarginaliaApp::run`] carries it out in one place, after the
//! view is drawn, so no view changes documents itself.

use crate::model::{AnnId, Annotation, Edit, Kind, Relation, Status, Target, new_id, now_rfc3339};

use super::app::{MarginaliaApp, PickTarget, Tab};

/// One thing the analyst asked for in a view.
#[derive(Clone, Debug)]
pub enum Command {
    /// Set the current document's status.
    SetStatus(Status),
    /// Set the status of a document from the list (opening it first).
    SetStatusOf(String, Status),
    /// Undo the last step of the history.
    Undo,
    /// Redo the last undone step.
    Redo,
    /// Give mentions (document, id) a canonical id everywhere, as one step;
    /// `None` removes it.
    SetCanonical {
        /// The mentions.
        mentions: Vec<(String, String)>,
        /// The canonical id.
        to: Option<String>,
    },
    /// Tag every find match with the find bar's label, as one step.
    AnnotateAllMatches,
    /// Tag the ticked occurrences of the propagation preview, as one step.
    ConfirmPropagation,
    /// Take the version on disk of a document changed outside, dropping unsaved edits.
    Reload(String),
    /// Keep the analyst's version of a document changed outside, writing it over the file.
    KeepMine(String),
    /// Tag the selection with a label, or relabel the selected annotation.
    ApplyLabel(String),
    /// Add the selected text to the selected annotation as another fragment.
    AddFragmentFromSelection,
    /// Make the selected text the cue of the selected claim.
    SetCueFromSelection,
    /// Select an annotation of the current document.
    Select(AnnId),
    /// Go to an annotation, in this document (`doc: None`) or another.
    Follow {
        /// The document it is in, when not the current one.
        doc: Option<String>,
        /// The annotation.
        id: AnnId,
    },
    /// Add a relation from an annotation of the current document.
    AddRelation {
        /// The annotation it starts from.
        from: AnnId,
        /// The document of the far end, when not the current one.
        doc: Option<String>,
        /// The far end.
        to: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Let the next click in the text choose the speaker of this claim.
    PickSpeaker(AnnId),
    /// Let the next click in the text choose the far end of a new relation.
    PickRelationTarget {
        /// The annotation it starts from.
        from: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Show an annotation of any document in the reader.
    Open {
        /// Its document.
        doc: String,
        /// The annotation.
        id: AnnId,
    },
    /// Set (or clear) a claim's proposition key, in any document.
    SetProposition {
        /// The claim's document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// The key; `None` clears it.
        key: Option<String>,
    },
    /// Relate two annotations, possibly in different documents.
    Relate {
        /// The document of the annotation it starts from.
        from_doc: String,
        /// The annotation it starts from.
        from: AnnId,
        /// The document of the far end.
        to_doc: String,
        /// The far end.
        to: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Open "annotate all occurrences in the corpus" for the selected annotation.
    StartPropagation,
    /// Remove the selected annotation.
    DeleteSelected,
    /// Replace an annotation with an edited copy, as one undoable step.
    UpdateAnnotation {
        /// What the edit did, in words (shown by undo).
        description: &'static str,
        /// The edited annotation (boxed: the other commands are small).
        ann: Box<Annotation>,
    },
}

impl MarginaliaApp {
    /// Sets the proposition key of claim `id` in `doc`, as one undoable step.
    fn set_proposition(&mut self, doc: &str, id: &str, key: Option<String>) -> Result<usize, String> {
        self.ensure_session(doc)?;
        let mut ann = self.ws.sessions[doc]
            .data
            .get(id)
            .cloned()
            .ok_or("the claim is gone")?;
        if let Kind::Claim(c) = &mut ann.kind {
            c.proposition = key;
        }
        ann.modified = now_rfc3339().into();
        self.run_corpus("set proposition", vec![(doc.to_owned(), Edit::Replace(ann))])
    }

    /// Carries out a command from a view.
    pub fn run(&mut self, command: Command) {
        match command {
            Command::SetStatus(status) => self.set_status(status),
            Command::SetStatusOf(rel, status) => {
                if self.open_document_now(&rel) {
                    self.set_status(status);
                }
            }
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::SetCanonical { mentions, to } => {
                self.notice = Some(self.set_canonical(&mentions, to.as_deref()).unwrap_or_else(|e| e));
            }
            Command::ConfirmPropagation => {
                self.notice = Some(self.confirm_propagation().unwrap_or_else(|e| e));
            }
            Command::Reload(rel) => self.reload(&rel),
            Command::KeepMine(rel) => self.keep_mine(&rel),
            Command::AnnotateAllMatches => {
                let added = self.annotate_all_matches();
                let skipped = self.find.matches.len() - added;
                self.notice = Some(if skipped > 0 {
                    format!(
                        "Annotated {added} matches as {}; {skipped} already had that label.",
                        self.find.label
                    )
                } else {
                    format!(
                        "Annotated {added} matches as {}. Ctrl+Z undoes all of them.",
                        self.find.label
                    )
                });
            }
            Command::ApplyLabel(label) => self.apply_label(&label),
            Command::AddFragmentFromSelection => self.add_fragment_from_selection(),
            Command::SetCueFromSelection => self.set_cue_from_selection(),
            Command::Select(id) => {
                if let Some(v) = self.view_mut() {
                    v.selected = Some(id);
                }
            }
            Command::Follow { doc, id } => self.follow(doc.as_deref(), &id),
            Command::AddRelation { from, doc, to, kind } => self.add_relation(&from, doc, &to, &kind),
            Command::PickSpeaker(claim) => self.picking = Some(PickTarget::Speaker(claim)),
            Command::PickRelationTarget { from, kind } => {
                self.picking = Some(PickTarget::RelationTo { from, kind });
            }
            Command::Open { doc, id } => {
                self.tab = Tab::Reader;
                self.follow(Some(&doc), &id);
            }
            Command::SetProposition { doc, id, key } => {
                if let Err(e) = self.set_proposition(&doc, &id, key) {
                    self.notice = Some(e);
                }
            }
            Command::Relate {
                from_doc,
                from,
                to_doc,
                to,
                kind,
            } => {
                let rel = Relation {
                    id: new_id("r"),
                    from,
                    to: Target {
                        doc: (to_doc != from_doc).then_some(to_doc),
                        id: to,
                    },
                    kind: kind.clone(),
                };
                if let Err(e) = self.run_corpus(
                    &format!("add {kind} relation"),
                    vec![(from_doc, Edit::AddRelation(rel))],
                ) {
                    self.notice = Some(e);
                }
            }
            Command::StartPropagation => self.start_propagation(),
            Command::DeleteSelected => self.delete_selected(),
            Command::UpdateAnnotation { description, ann } => self.update_annotation(description, *ann),
        }
    }
}
