//! Edits as command objects: the only way annotations change.
//!
//! The UI, the command line and corpus-wide actions build [`Edit`]s and hand
//! them to [`apply`], which returns the inverse edit. [`History`] keeps those
//! inverses, so every change is undoable and redoable in one place. Each of its
//! steps hands back the edit it actually applied, so a caller can log exactly
//! what changed (the store's edit journal replays such a log).

use super::annotation::{AnnId, Annotation, Kind, Relation, Speaker, Status};
use super::document::DocAnnotations;
use super::events::{Equivalence, Event, unlink};

/// One change to a document's annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Adds an annotation (its id must be new).
    Add(Annotation),
    /// Removes an annotation, the relations that touch it, its use as a
    /// speaker, the events it triggers, and its places in events and
    /// equivalences (see `model::events`).
    Remove(AnnId),
    /// Replaces the annotation with the same id.
    Replace(Annotation),
    /// Adds a relation.
    AddRelation(Relation),
    /// Removes a relation by id.
    RemoveRelation(AnnId),
    /// Adds an event (its id must be new among events and annotations).
    AddEvent(Event),
    /// Removes an event by id, the relations that touch it, and its places in
    /// other events and in equivalences.
    RemoveEvent(AnnId),
    /// Replaces the event with the same id.
    ReplaceEvent(Event),
    /// Adds an equivalence.
    AddEquivalence(Equivalence),
    /// Removes an equivalence equal to this one.
    RemoveEquivalence(Equivalence),
    /// Sets the document status.
    SetStatus(Status),
    /// Sets what the document is cited by (title, outlet, date…).
    SetMeta(Box<super::document::DocMeta>),
    /// Several edits applied as one undoable step.
    Batch(Vec<Edit>),
}

/// Why an edit could not be applied. Nothing changes when this is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// An annotation or relation with that id already exists.
    DuplicateId(AnnId),
    /// No annotation, relation or event has that id.
    NotFound(AnnId),
    /// No equivalence of that kind holds exactly these members.
    NoEquivalence(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::DuplicateId(id) => write!(f, "an annotation with id {id} already exists"),
            EditError::NotFound(id) => write!(f, "no annotation, relation or event with id {id}"),
            EditError::NoEquivalence(what) => write!(f, "no equivalence {what}"),
        }
    }
}

impl std::error::Error for EditError {}

/// Applies `edit` and returns the edit that undoes it. On error nothing changed.
pub fn apply(doc: &mut DocAnnotations, edit: Edit) -> Result<Edit, EditError> {
    let inverse = match edit {
        Edit::Add(ann) => {
            if doc.position(&ann.id).is_some() || doc.event(&ann.id).is_some() {
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
            undo.extend(unlink(doc, vec![id], true));
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
        Edit::AddEvent(event) => {
            if doc.event(&event.id).is_some() || doc.position(&event.id).is_some() {
                return Err(EditError::DuplicateId(event.id));
            }
            let id = event.id.clone();
            doc.events.push(event);
            Edit::RemoveEvent(id)
        }
        Edit::RemoveEvent(id) => {
            let Some(pos) = doc.events.iter().position(|e| e.id == id) else {
                return Err(EditError::NotFound(id));
            };
            let mut undo = vec![Edit::AddEvent(doc.events.remove(pos))];
            undo.extend(unlink(doc, vec![id], false));
            if undo.len() == 1 {
                undo.pop().expect("one edit")
            } else {
                Edit::Batch(undo)
            }
        }
        Edit::ReplaceEvent(event) => {
            let Some(pos) = doc.events.iter().position(|e| e.id == event.id) else {
                return Err(EditError::NotFound(event.id));
            };
            Edit::ReplaceEvent(std::mem::replace(&mut doc.events[pos], event))
        }
        Edit::AddEquivalence(q) => {
            doc.equivalences.push(q.clone());
            Edit::RemoveEquivalence(q)
        }
        Edit::RemoveEquivalence(q) => {
            let Some(pos) = doc.equivalences.iter().position(|x| *x == q) else {
                return Err(EditError::NoEquivalence(format!(
                    "{} of {}",
                    q.kind,
                    q.members.join(", ")
                )));
            };
            Edit::AddEquivalence(doc.equivalences.remove(pos))
        }
        Edit::SetStatus(status) => Edit::SetStatus(std::mem::replace(&mut doc.status, status)),
        Edit::SetMeta(meta) => Edit::SetMeta(std::mem::replace(&mut doc.meta, meta)),
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

/// One undoable step: the edit that undoes it in each document it changed (in
/// the order to apply them), and a short description.
#[derive(Clone, Debug)]
struct Step {
    description: String,
    parts: Vec<(String, Edit)>,
}

/// A step undone or redone: its description, and the edit applied in each document.
pub type Replayed = (String, Vec<(String, Edit)>);

/// Unlimited undo and redo, one history for the whole workspace: an edit in
/// one document and a corpus-wide change (a rename across documents, a
/// propagation, a proposition set from the claims board) are steps alike, so
/// Ctrl+Z undoes whichever came last. Documents are named by their path; a
/// history of one document may name it `""` ([`History::run`]).
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

impl History {
    /// Applies `edit` to the one document `doc`, records it as one undoable
    /// step, and clears redo. Returns the edit applied (a copy of `edit`).
    pub fn run(
        &mut self,
        doc: &mut DocAnnotations,
        description: impl Into<String>,
        edit: Edit,
    ) -> Result<Edit, EditError> {
        let applied = edit.clone();
        let inverse = apply(doc, edit)?;
        self.record(description, vec![(String::new(), inverse)]);
        Ok(applied)
    }

    /// Records a step already applied: the edit that undoes it in each document
    /// (in the order to apply them). Clears redo.
    pub fn record(&mut self, description: impl Into<String>, inverses: Vec<(String, Edit)>) {
        if inverses.is_empty() {
            return;
        }
        self.undo.push(Step {
            description: description.into(),
            parts: inverses,
        });
        self.redo.clear();
    }

    /// Undoes the last step of a one-document history (see [`History::run`]);
    /// returns its description and the edit applied to undo it.
    pub fn undo(&mut self, doc: &mut DocAnnotations) -> Option<(String, Edit)> {
        let (description, mut applied) = self
            .undo_with(|_, e| apply(doc, e).map_err(|e| e.to_string()))
            .ok()??;
        Some((description, applied.pop()?.1))
    }

    /// Redoes the last undone step of a one-document history.
    pub fn redo(&mut self, doc: &mut DocAnnotations) -> Option<(String, Edit)> {
        let (description, mut applied) = self
            .redo_with(|_, e| apply(doc, e).map_err(|e| e.to_string()))
            .ok()??;
        Some((description, applied.pop()?.1))
    }

    /// Undoes the last step: `apply` is given each document and edit, and
    /// returns the edit that reverses it. Returns the step's description and the
    /// edits applied per document, `Ok(None)` when there is nothing to undo. When
    /// a part cannot be applied (the document changed in a way the step did not
    /// foresee), the parts applied are reversed, the step stays, and the error says why.
    pub fn undo_with(
        &mut self,
        apply: impl FnMut(&str, Edit) -> Result<Edit, String>,
    ) -> Result<Option<Replayed>, String> {
        Self::replay(&mut self.undo, &mut self.redo, apply)
    }

    /// Redoes the last undone step (see [`History::undo_with`]).
    pub fn redo_with(
        &mut self,
        apply: impl FnMut(&str, Edit) -> Result<Edit, String>,
    ) -> Result<Option<Replayed>, String> {
        Self::replay(&mut self.redo, &mut self.undo, apply)
    }

    /// Pops a step from `from`, applies it, and pushes its reverse on `to`.
    fn replay(
        from: &mut Vec<Step>,
        to: &mut Vec<Step>,
        mut apply: impl FnMut(&str, Edit) -> Result<Edit, String>,
    ) -> Result<Option<Replayed>, String> {
        let Some(step) = from.pop() else { return Ok(None) };
        let mut back: Vec<(String, Edit)> = Vec::with_capacity(step.parts.len());
        let mut applied = Vec::with_capacity(step.parts.len());
        for (doc, edit) in &step.parts {
            match apply(doc, edit.clone()) {
                Ok(reverse) => {
                    back.push((doc.clone(), reverse));
                    applied.push((doc.clone(), edit.clone()));
                }
                Err(e) => {
                    for (doc, reverse) in back.into_iter().rev() {
                        let _ = apply(&doc, reverse);
                    }
                    let description = step.description.clone();
                    from.push(step);
                    return Err(format!("“{description}” cannot be replayed: {e}"));
                }
            }
        }
        back.reverse();
        to.push(Step {
            description: step.description.clone(),
            parts: back,
        });
        Ok(Some((step.description, applied)))
    }

    /// Description of the step [`History::undo_with`] would undo, with the
    /// documents it changes.
    pub fn undo_step(&self) -> Option<(&str, Vec<&str>)> {
        self.undo.last().map(describe)
    }

    /// Description of the step [`History::redo_with`] would redo, with its documents.
    pub fn redo_step(&self) -> Option<(&str, Vec<&str>)> {
        self.redo.last().map(describe)
    }

    /// Description of the step [`History::undo`] would undo.
    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.description.as_str())
    }

    /// Description of the step [`History::redo`] would redo.
    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.description.as_str())
    }

    /// Forgets every step that changed `doc` (its annotations were replaced by
    /// what is on disk, so those steps no longer describe it).
    pub fn forget(&mut self, doc: &str) {
        for steps in [&mut self.undo, &mut self.redo] {
            steps.retain(|s| s.parts.iter().all(|(d, _)| d != doc));
        }
    }
}

fn describe(s: &Step) -> (&str, Vec<&str>) {
    let mut docs: Vec<&str> = s.parts.iter().map(|(d, _)| d.as_str()).collect();
    docs.sort_unstable();
    docs.dedup();
    (s.description.as_str(), docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Kind, Span};

    fn ann(id: &str) -> Annotation {
        Annotation {
            id: id.into(),
            spans: vec![Span::new(0, 1)].into(),
            quote: "a".into(),
            prefix: String::new(),
            suffix: String::new(),
            label: "PERSON".into(),
            kind: Kind::entity(),
            attributes: Default::default(),
            note: String::new(),
            annotator: "t".into(),
            created: Default::default(),
            modified: Default::default(),
            orphaned: false,
            conflicts: Vec::new(),
            origin: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn steps_across_documents_undo_in_order_and_a_failing_part_changes_nothing() {
        let mut docs: std::collections::BTreeMap<String, DocAnnotations> = [
            ("a".to_owned(), DocAnnotations::default()),
            ("b".to_owned(), DocAnnotations::default()),
        ]
        .into();
        let mut h = History::default();
        let run = |docs: &mut std::collections::BTreeMap<String, DocAnnotations>,
                   parts: Vec<(&str, Edit)>| {
            parts
                .into_iter()
                .map(|(d, e)| (d.to_owned(), apply(docs.get_mut(d).unwrap(), e).unwrap()))
                .rev()
                .collect::<Vec<_>>()
        };
        let one = run(&mut docs, vec![("a", Edit::Add(ann("x")))]);
        h.record("add x", one);
        let both = run(
            &mut docs,
            vec![("a", Edit::Add(ann("y"))), ("b", Edit::Add(ann("y")))],
        );
        h.record("add y everywhere", both);
        assert_eq!(h.undo_step(), Some(("add y everywhere", vec!["a", "b"])));
        // b changed behind the history's back: the step cannot be undone, and a stays as it was.
        docs.get_mut("b").unwrap().annotations.clear();
        fn apply_to(
            docs: &mut std::collections::BTreeMap<String, DocAnnotations>,
        ) -> impl FnMut(&str, Edit) -> Result<Edit, String> + '_ {
            move |d: &str, e: Edit| apply(docs.get_mut(d).unwrap(), e).map_err(|e| e.to_string())
        }
        assert!(h.undo_with(apply_to(&mut docs)).is_err());
        assert_eq!(docs["a"].annotations.len(), 2);
        assert_eq!(h.undo_step().map(|s| s.0), Some("add y everywhere"));
        // Forgetting b drops the step; the one before it is next.
        h.forget("b");
        assert_eq!(h.undo_description(), Some("add x"));
        let (what, parts) = h.undo_with(apply_to(&mut docs)).unwrap().unwrap();
        assert_eq!((what.as_str(), parts.len()), ("add x", 1));
        assert_eq!(docs["a"].annotations.len(), 1);
        assert_eq!(h.redo_description(), Some("add x"));
        h.redo_with(apply_to(&mut docs)).unwrap();
        assert_eq!(docs["a"].annotations.len(), 2);
    }
}
