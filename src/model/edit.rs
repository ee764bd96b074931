//! Edits as command objects: the only way annotations change.
//!
//! The UI, the command line and corpus-wide actions build [`Edit`]s and hand
//! them to [`apply`], which returns the inverse edit. [`History`] keeps those
//! inverses, so every change is undoable and redoable in one place. Each of its
//! steps hands back the edit it actually applied, so a caller can log exactly
//! what changed (the store's edit journal replays such a log).

use super::annotation::{AnnId, Annotation, Kind, Relation, Speaker, Status};
use super::document::DocAnnotations;

/// One change to a document's annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Adds an annotation (its id must be new).
    Add(Annotation),
    /// Removes an annotation, the relations that touch it, and its use as a speaker.
    Remove(AnnId),
    /// Replaces the annotation with the same id.
    Replace(Annotation),
    /// Adds a relation.
    AddRelation(Relation),
    /// Removes a relation by id.
    RemoveRelation(AnnId),
    /// Sets the document status.
    SetStatus(Status),
    /// Several edits applied as one undoable step.
    Batch(Vec<Edit>),
}

/// Why an edit could not be applied. Nothing changes when this is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// An annotation or relation with that id already exists.
    DuplicateId(AnnId),
    /// No annotation or relation has that id.
    NotFound(AnnId),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::DuplicateId(id) => write!(f, "an annotation with id {id} already exists"),
            EditError::NotFound(id) => write!(f, "no annotation or relation with id {id}"),
        }
    }
}

impl std::error::Error for EditError {}

/// Applies `edit` and returns the edit that undoes it. On error nothing changed.
pub fn apply(doc: &mut DocAnnotations, edit: Edit) -> Result<Edit, EditError> {
    let inverse = match edit {
        Edit::Add(ann) => {
            if doc.position(&ann.id).is_some() {
                return Err(EditError::DuplicateId(ann.id));
            }
            let id = ann.id.clone();
            // In its place, so the list stays in order and `sort` below has nothing to do.
            let key = ann.sort_key();
            let at = doc.annotations.partition_point(|a| a.sort_key() < key);
            doc.annotations.insert(at, ann);
            Edit::Remove(id)
        }
        Edit::Remove(id) => {
            let Some(pos) = doc.position(&id) else {
                return Err(EditError::NotFound(id));
            };
            // Cascade first so that the inverse restores everything in one step.
            let mut undo = Vec::new();
            let touching: Vec<Relation> = doc.relations_of(&id).cloned().collect();
            doc.relations.retain(|r| !touching.contains(r));
            undo.extend(touching.into_iter().map(Edit::AddRelation));
            let speaker = Speaker::Entity(id.clone());
            for ann in doc.annotations.iter_mut() {
                if ann.claim().is_some_and(|c| c.speaker == speaker) {
                    undo.push(Edit::Replace(ann.clone()));
                    if let Kind::Claim(c) = &mut ann.kind {
                        c.speaker = Speaker::Unknown;
                    }
                }
            }
            let removed = doc.annotations.remove(pos);
            undo.insert(0, Edit::Add(removed));
            if undo.len() == 1 {
                undo.pop().expect("one edit")
            } else {
                Edit::Batch(undo)
            }
        }
        Edit::Replace(ann) => {
            let Some(pos) = doc.position(&ann.id) else {
                return Err(EditError::NotFound(ann.id));
            };
            Edit::Replace(std::mem::replace(&mut doc.annotations[pos], ann))
        }
        Edit::AddRelation(rel) => {
            if doc.relations.iter().any(|r| r.id == rel.id) {
                return Err(EditError::DuplicateId(rel.id));
            }
            let id = rel.id.clone();
            doc.relations.push(rel);
            Edit::RemoveRelation(id)
        }
        Edit::RemoveRelation(id) => {
            let Some(pos) = doc.relations.iter().position(|r| r.id == id) else {
                return Err(EditError::NotFound(id));
            };
            Edit::AddRelation(doc.relations.remove(pos))
        }
        Edit::SetStatus(status) => Edit::SetStatus(std::mem::replace(&mut doc.status, status)),
        Edit::Batch(edits) => {
            let mut inverses = Vec::with_capacity(edits.len());
            for e in edits {
                match apply(doc, e) {
                    Ok(inv) => inverses.push(inv),
                    Err(err) => {
                        // Roll back what this batch already did, so a failed batch changes nothing.
                        for inv in inverses.into_iter().rev() {
                            let _ = apply(doc, inv);
                        }
                        return Err(err);
                    }
                }
            }
            inverses.reverse();
            Edit::Batch(inverses)
        }
    };
    doc.sort();
    Ok(inverse)
}

/// One undoable step: what to do to undo it, and a short description.
#[derive(Clone, Debug)]
struct Step {
    description: String,
    inverse: Edit,
}

/// Unlimited undo and redo for one document.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

impl History {
    /// Applies `edit`, records it as one undoable step, and clears redo.
    /// Returns the edit applied (a copy of `edit`).
    pub fn run(
        &mut self,
        doc: &mut DocAnnotations,
        description: impl Into<String>,
        edit: Edit,
    ) -> Result<Edit, EditError> {
        let applied = edit.clone();
        let inverse = apply(doc, edit)?;
        self.undo.push(Step {
            description: description.into(),
            inverse,
        });
        self.redo.clear();
        Ok(applied)
    }

    /// Undoes the last step; returns its description and the edit applied to undo
    /// it, or `None` when there is nothing to undo.
    pub fn undo(&mut self, doc: &mut DocAnnotations) -> Option<(String, Edit)> {
        let step = self.undo.pop()?;
        let applied = step.inverse.clone();
        match apply(doc, step.inverse) {
            Ok(redo) => {
                self.redo.push(Step {
                    description: step.description.clone(),
                    inverse: redo,
                });
                Some((step.description, applied))
            }
            Err(_) => None,
        }
    }

    /// Redoes the last undone step; returns its description and the edit applied.
    pub fn redo(&mut self, doc: &mut DocAnnotations) -> Option<(String, Edit)> {
        let step = self.redo.pop()?;
        let applied = step.inverse.clone();
        match apply(doc, step.inverse) {
            Ok(undo) => {
                self.undo.push(Step {
                    description: step.description.clone(),
                    inverse: undo,
                });
                Some((step.description, applied))
            }
            Err(_) => None,
        }
    }

    /// Description of the step [`History::undo`] would undo.
    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.description.as_str())
    }

    /// Description of the step [`History::redo`] would redo.
    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.description.as_str())
    }
}
