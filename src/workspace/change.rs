//! Every change to documents, applied in one place: [`Workspace::apply`] turns
//! a [`Change`] into model `Edit`s on one or more documents, applies them all
//! or none, and records them as one step of the one undo history. Corpus-wide
//! steps (a rename, tagging every occurrence, a proposition set on the claims
//! board) are ordinary steps, so Ctrl+Z undoes them wherever the analyst is.

use std::collections::BTreeMap;

use crate::model::{
    AnnId, Annotation, Cue, Edit, Kind, LabelKind, Relation, Span, Speaker, Status, Target, new_id,
    now_rfc3339,
};
use crate::store::corpus;

use super::{Session, Workspace};

/// One change the analyst asked for, in terms of documents and annotations.
#[derive(Clone, Debug)]
pub enum Change {
    /// Tag `spans` of `doc` with `label`, as one new annotation.
    Tag {
        /// The document.
        doc: String,
        /// Its spans (more than one for a discontinuous mention).
        spans: Vec<Span>,
        /// The label.
        label: String,
    },
    /// Tag each of these single spans with `label`, skipping spans that carry
    /// it already (find matches, "annotate all occurrences"), as one step.
    TagEach {
        /// The label.
        label: String,
        /// The spans, by document.
        at: Vec<(String, Span)>,
        /// How the step is named in undo, e.g. "matches" or "occurrences".
        what: &'static str,
    },
    /// Give an annotation another label (an entity label keeps entity fields,
    /// a claim label claim fields).
    Relabel {
        /// The document.
        doc: String,
        /// The annotation.
        id: AnnId,
        /// The new label.
        label: String,
    },
    /// Replace an annotation with an edited copy (stamped as modified now).
    Update {
        /// The document.
        doc: String,
        /// What the edit did, in words (shown by undo).
        description: &'static str,
        /// The edited annotation (boxed: the other changes are small).
        ann: Box<Annotation>,
    },
    /// Remove an annotation, with the events it states and its places in
    /// other events and in equivalences (see `model::events`).
    Delete {
        /// The document.
        doc: String,
        /// The annotation.
        id: AnnId,
    },
    /// Remove an event (its trigger annotation stays).
    DeleteEvent {
        /// The document.
        doc: String,
        /// The event.
        id: AnnId,
    },
    /// Set what a document is cited by.
    SetMeta {
        /// The document.
        doc: String,
        /// Title, outlet, author, date, web address, language.
        meta: Box<crate::model::DocMeta>,
    },
    /// Set a document's status.
    SetStatus {
        /// The document.
        doc: String,
        /// The status.
        status: Status,
    },
    /// Add `span` to an annotation as another fragment.
    AddFragment {
        /// The document.
        doc: String,
        /// The annotation.
        id: AnnId,
        /// The new fragment.
        span: Span,
    },
    /// Make `span` the cue words of a claim.
    SetCue {
        /// The document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// Where the cue is.
        span: Span,
    },
    /// Make an entity of the same document the speaker of a claim.
    SetSpeaker {
        /// The document.
        doc: String,
        /// The claim.
        claim: AnnId,
        /// The entity.
        entity: AnnId,
    },
    /// Set (or clear) a claim's proposition key.
    SetProposition {
        /// The claim's document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// The key; `None` clears it.
        key: Option<String>,
    },
    /// Set (or clear) the analyst's reading of a claim's figure.
    SetValue {
        /// The claim's document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// The value; `None` reads it from the text again.
        value: Option<crate::model::quantity::Quantity>,
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
    /// Give mentions (document, id) a canonical id everywhere; `None` removes it.
    SetCanonical {
        /// The mentions.
        mentions: Vec<(String, AnnId)>,
        /// The canonical id.
        to: Option<String>,
    },
    /// Accept suggestions of one document as annotations (recording their
    /// origin and who accepted them), as one step.
    Accept {
        /// The document.
        doc: String,
        /// The suggestions, as the reader showed them.
        suggestions: Vec<crate::model::suggest::Suggestion>,
    },
    /// Model edits as they are, by document, as one step (tools and tests).
    Edits {
        /// What the step did, in words.
        description: String,
        /// The edits.
        parts: Vec<(String, Edit)>,
    },
    /// Undo the last step.
    Undo,
    /// Redo the last undone step.
    Redo,
}

/// What applying a change did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The documents changed, sorted.
    pub docs: Vec<String>,
    /// The annotation a [`Change::Tag`] made.
    pub created: Option<AnnId>,
    /// How many annotations a corpus-wide change touched.
    pub count: usize,
    /// What the step is called (for undo and redo: the step replayed).
    pub description: String,
    /// Something to tell the analyst, when there is.
    pub message: Option<String>,
}

impl Workspace {
    /// Opens a document's session if it is not open yet, reading it on this
    /// thread. True when it was opened now.
    pub fn open_session(&mut self, rel: &str) -> Result<bool, String> {
        if self.sessions.contains_key(rel) {
            return Ok(false);
        }
        let c = self.corpus.as_ref().ok_or("no folder is open")?;
        let loaded = corpus::load(&c.root, rel).map_err(|e| e.to_string())?;
        let mtimes = super::sync::file_mtimes(&c.root, rel);
        self.sessions.insert(rel.to_owned(), Session::new(loaded, mtimes));
        if let Some(c) = self.corpus.as_mut() {
            c.remove_disk(rel);
        }
        Ok(true)
    }

    /// Applies `change` as one undoable step; `annotator` is the name recorded
    /// on new annotations. Nothing changes when any part fails.
    pub fn apply(&mut self, change: Change, annotator: &str) -> Result<Applied, String> {
        match change {
            Change::Undo => self.replay(true),
            Change::Redo => self.replay(false),
            Change::Tag { doc, spans, label } => {
                let kind = self.kind_of(&label)?;
                let s = self.session(&doc)?;
                if let Some(same) = s
                    .data
                    .annotations
                    .iter()
                    .find(|a| a.label == label && a.spans.as_slice() == spans.as_slice())
                {
                    return Err(format!(
                        "“{}” is already tagged {label}; a second identical annotation was not added. Pick another label, or select other words.",
                        same.quote
                    ));
                }
                let ann = s.doc.annotate(spans, &label, kind, annotator);
                let (id, quote) = (ann.id.clone(), ann.quote.clone());
                let mut done =
                    self.commit(&format!("tag “{quote}” as {label}"), vec![(doc, Edit::Add(ann))])?;
                done.created = Some(id);
                Ok(done)
            }
            Change::TagEach { label, at, what } => {
                let kind = self.kind_of(&label)?;
                let mut by_doc: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
                let mut skipped = 0;
                for (doc, span) in at {
                    let s = self.session(&doc)?;
                    let taken = s
                        .data
                        .annotations
                        .iter()
                        .any(|a| a.label == label && a.spans.as_slice() == [span]);
                    if taken {
                        skipped += 1;
                        continue;
                    }
                    let ann = s.doc.annotate(vec![span], &label, kind.clone(), annotator);
                    by_doc.entry(doc).or_default().push(Edit::Add(ann));
                }
                let n: usize = by_doc.values().map(Vec::len).sum();
                if n == 0 {
                    return Ok(Applied {
                        message: Some(format!("Nothing to annotate: every one already is {label}.")),
                        ..Default::default()
                    });
                }
                let parts = by_doc.into_iter().map(|(d, e)| (d, Edit::Batch(e))).collect();
                let mut done = self.commit(&format!("annotate {n} {what} as {label}"), parts)?;
                let files = done.docs.len();
                done.count = n;
                done.message = Some(match (skipped, files) {
                    (0, 1) => format!("Annotated {n} {what} as {label}. Ctrl+Z undoes all of them."),
                    (0, _) => format!(
                        "Annotated {n} {what} as {label} in {files} files. Ctrl+Z undoes all of them."
                    ),
                    (_, _) => format!("Annotated {n} {what} as {label}; {skipped} already had that label."),
                });
                Ok(done)
            }
            Change::Relabel { doc, id, label } => {
                let new_kind = self.kind_of(&label)?;
                let old = self.annotation(&doc, &id)?;
                if old.label == label {
                    return Ok(Applied::default());
                }
                let mut new = old.clone();
                new.label = label.as_str().into();
                if new.kind.is_claim() != new_kind.is_claim() {
                    new.kind = new_kind;
                }
                new.modified = now_rfc3339().into();
                self.commit(&format!("relabel as {label}"), vec![(doc, Edit::Replace(new))])
            }
            Change::Update {
                doc,
                description,
                ann,
            } => {
                let mut ann = *ann;
                if self.session(&doc)?.data.get(&ann.id) == Some(&ann) {
                    return Ok(Applied::default());
                }
                ann.modified = now_rfc3339().into();
                self.commit(description, vec![(doc, Edit::Replace(ann))])
            }
            Change::Delete { doc, id } => {
                // Say what goes with it, so that undo names it too.
                let events = self
                    .session(&doc)?
                    .data
                    .events
                    .iter()
                    .filter(|e| e.trigger == id)
                    .count();
                let description = match events {
                    0 => "delete annotation".to_owned(),
                    1 => "delete annotation and the event it states".to_owned(),
                    n => format!("delete annotation and the {n} events it states"),
                };
                self.commit(&description, vec![(doc, Edit::Remove(id))])
            }
            Change::DeleteEvent { doc, id } => {
                self.commit("delete event", vec![(doc, Edit::RemoveEvent(id))])
            }
            Change::SetStatus { doc, status } => {
                if self.session(&doc)?.data.status == status {
                    return Ok(Applied::default());
                }
                self.commit(
                    &format!("mark {}", status.as_str()),
                    vec![(doc, Edit::SetStatus(status))],
                )
            }
            Change::SetMeta { doc, meta } => {
                if *self.session(&doc)?.data.meta == *meta {
                    return Ok(Applied::default());
                }
                self.commit("edit the document's source", vec![(doc, Edit::SetMeta(meta))])
            }
            Change::AddFragment { doc, id, span } => {
                let mut ann = self.annotation(&doc, &id)?.clone();
                if ann.spans.iter().any(|x| x.overlaps(&span)) {
                    return Err("That text overlaps the annotation already; select words outside it.".into());
                }
                ann.spans.push(span);
                ann.spans.sort();
                (ann.quote, ann.prefix, ann.suffix) = self.session(&doc)?.doc.selector(&ann.spans);
                self.apply(
                    Change::Update {
                        doc,
                        description: "add fragment",
                        ann: Box::new(ann),
                    },
                    annotator,
                )
            }
            Change::SetCue { doc, id, span } => {
                let mut ann = self.annotation(&doc, &id)?.clone();
                let quote = self.session(&doc)?.doc.slice(span).into();
                let Kind::Claim(c) = &mut ann.kind else {
                    return Err("Only a claim has cue words; select a claim first.".into());
                };
                c.cue = Some(Cue { span, quote });
                self.apply(
                    Change::Update {
                        doc,
                        description: "set cue",
                        ann: Box::new(ann),
                    },
                    annotator,
                )
            }
            Change::SetSpeaker { doc, claim, entity } => {
                let mut ann = self.annotation(&doc, &claim)?.clone();
                let Kind::Claim(c) = &mut ann.kind else {
                    return Err("Only a claim has a speaker; select a claim first.".into());
                };
                c.speaker = Speaker::Entity(entity);
                self.apply(
                    Change::Update {
                        doc,
                        description: "set speaker",
                        ann: Box::new(ann),
                    },
                    annotator,
                )
            }
            Change::SetProposition { doc, id, key } => {
                let mut ann = self.annotation(&doc, &id)?.clone();
                if let Kind::Claim(c) = &mut ann.kind {
                    c.proposition = key;
                }
                self.apply(
                    Change::Update {
                        doc,
                        description: "set proposition",
                        ann: Box::new(ann),
                    },
                    annotator,
                )
            }
            Change::SetValue { doc, id, value } => {
                let mut ann = self.annotation(&doc, &id)?.clone();
                let Kind::Claim(c) = &mut ann.kind else {
                    return Err("Only a claim has a value; select a claim first.".into());
                };
                c.value = value;
                self.apply(
                    Change::Update {
                        doc,
                        description: "set value",
                        ann: Box::new(ann),
                    },
                    annotator,
                )
            }
            Change::Relate {
                from_doc,
                from,
                to_doc,
                to,
                kind,
            } => {
                let label_of = |doc: &str, id: &AnnId| {
                    self.sessions
                        .get(doc)
                        .and_then(|s| s.data.get(id))
                        .map(|a| a.label.to_string())
                };
                if let (Some(c), Some(a), Some(b)) = (
                    self.corpus.as_ref(),
                    label_of(&from_doc, &from),
                    label_of(&to_doc, &to),
                ) {
                    c.tagset.check_relation(&kind, &a, &b)?;
                }
                let rel = Relation {
                    id: new_id("r"),
                    from,
                    to: Target {
                        doc: (to_doc != from_doc).then_some(to_doc),
                        id: to,
                    },
                    kind,
                    ..Relation::default()
                };
                let description = format!("add {} relation", rel.kind);
                self.commit(&description, vec![(from_doc, Edit::AddRelation(rel))])
            }
            Change::SetCanonical { mentions, to } => {
                let mut by_doc: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
                for (doc, id) in &mentions {
                    let Some(a) = self.session(doc)?.data.get(id) else {
                        continue;
                    };
                    if a.canonical() == to.as_deref() {
                        continue;
                    }
                    let mut new = a.clone();
                    new.kind = Kind::Entity {
                        canonical: to.clone(),
                    };
                    new.modified = now_rfc3339().into();
                    by_doc.entry(doc.clone()).or_default().push(Edit::Replace(new));
                }
                let n: usize = by_doc.values().map(Vec::len).sum();
                if n == 0 {
                    return Ok(Applied {
                        message: Some("Nothing to change.".into()),
                        ..Default::default()
                    });
                }
                let parts = by_doc.into_iter().map(|(d, e)| (d, Edit::Batch(e))).collect();
                let what = match &to {
                    Some(t) => format!("set canonical id {t}"),
                    None => "clear canonical id".to_owned(),
                };
                let mut done = self.commit(&what, parts)?;
                let files = done.docs.len();
                done.count = n;
                done.message = Some(format!(
                    "Changed {n} mention{} in {files} file{}. Edit → Undo reverts it.",
                    plural(n),
                    plural(files)
                ));
                Ok(done)
            }
            Change::Edits { description, parts } => self.commit(&description, parts),
            Change::Accept { doc, suggestions } => {
                self.open_session(&doc)?;
                let mut edits = self.accept_edits(&doc, &suggestions, annotator)?;
                let n = edits.len();
                let (quote, label) = match suggestions.as_slice() {
                    [one] => (
                        self.sessions[&doc].doc.slice(one.span).to_owned(),
                        one.label.to_string(),
                    ),
                    _ => (String::new(), String::new()),
                };
                let (description, edit) = match (n, edits.pop()) {
                    (1, Some(Edit::Add(a))) if !quote.is_empty() => {
                        (format!("accept “{quote}” as {label}"), Edit::Add(a))
                    }
                    (_, Some(last)) => {
                        edits.push(last);
                        (format!("accept {n} suggestions"), Edit::Batch(edits))
                    }
                    (_, None) => {
                        return Ok(Applied {
                            message: Some("Already annotated: nothing was added.".into()),
                            ..Default::default()
                        });
                    }
                };
                let created = match &edit {
                    Edit::Add(a) => Some(a.id.clone()),
                    _ => None,
                };
                let mut done = self.commit(&description, vec![(doc.clone(), edit)])?;
                self.suggest.take_out(&doc, |y| {
                    suggestions.iter().any(|x| x.span == y.span && x.label == y.label)
                });
                done.created = created;
                done.count = n;
                Ok(done)
            }
        }
    }

    /// The open session of `doc`, opened now if needed.
    fn session(&mut self, doc: &str) -> Result<&Session, String> {
        self.open_session(doc)?;
        Ok(&self.sessions[doc])
    }

    fn annotation(&mut self, doc: &str, id: &str) -> Result<&Annotation, String> {
        self.session(doc)?
            .data
            .get(id)
            .ok_or_else(|| format!("The annotation {id} is no longer in {doc}."))
    }

    /// A fresh kind for an annotation labelled `label`.
    fn kind_of(&self, label: &str) -> Result<Kind, String> {
        let def = self
            .corpus
            .as_ref()
            .and_then(|c| c.tagset.label(label))
            .ok_or_else(|| format!("The label {label} is not in the tag set."))?;
        Ok(match def.kind {
            LabelKind::Entity => Kind::entity(),
            LabelKind::Claim => Kind::claim(),
        })
    }

    /// Applies edits to documents as one step, all or none. Starting work on a
    /// document moves it to "in progress" in the same step.
    fn commit(&mut self, description: &str, parts: Vec<(String, Edit)>) -> Result<Applied, String> {
        for (rel, _) in &parts {
            self.open_session(rel)?;
            if let Some(why) = &self.sessions[rel].read_only {
                return Err(format!("{rel} is read-only, so the edit was not made. {why}"));
            }
        }
        let mut inverses: Vec<(String, Edit)> = Vec::new();
        for (rel, edit) in parts {
            let s = self.sessions.get_mut(&rel).expect("opened above");
            let edit = if s.data.status == Status::NotStarted && !matches!(edit, Edit::SetStatus(_)) {
                Edit::Batch(vec![edit, Edit::SetStatus(Status::InProgress)])
            } else {
                edit
            };
            match apply_recorded(s, edit) {
                Ok(inverse) => inverses.push((rel, inverse)),
                Err(e) => {
                    for (rel, inverse) in inverses.into_iter().rev() {
                        let s = self.sessions.get_mut(&rel).expect("opened above");
                        let _ = apply_recorded(s, inverse);
                    }
                    return Err(format!(
                        "Could not {description} in {rel}: {e}. Nothing was changed."
                    ));
                }
            }
        }
        let mut docs: Vec<String> = inverses.iter().map(|(d, _)| d.clone()).collect();
        docs.sort();
        docs.dedup();
        inverses.reverse();
        self.history.record(description, inverses);
        Ok(Applied {
            docs,
            description: description.to_owned(),
            ..Default::default()
        })
    }

    /// Replays the last step of the history (`undo`) or of its redo list. A step
    /// that can no longer be replayed (a document became read-only) stays.
    fn replay(&mut self, undo: bool) -> Result<Applied, String> {
        let mut history = std::mem::take(&mut self.history);
        let apply = |rel: &str, edit: Edit| -> Result<Edit, String> {
            self.open_session(rel)?;
            let s = self.sessions.get_mut(rel).ok_or("the document is not open")?;
            if let Some(why) = &s.read_only {
                return Err(format!("{rel} is read-only ({why})"));
            }
            apply_recorded(s, edit).map_err(|e| format!("{rel}: {e}"))
        };
        let done = if undo {
            history.undo_with(apply)
        } else {
            history.redo_with(apply)
        };
        self.history = history;
        match done {
            Ok(Some((description, parts))) => {
                let mut docs: Vec<String> = parts.into_iter().map(|(d, _)| d).collect();
                docs.sort();
                docs.dedup();
                Ok(Applied {
                    docs,
                    description,
                    ..Default::default()
                })
            }
            Ok(None) => Ok(Applied::default()),
            Err(e) => Err(format!("{e}. Nothing was changed.")),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Applies `edit` to a session's annotations and records it for the next save;
/// returns the inverse.
fn apply_recorded(s: &mut Session, edit: Edit) -> Result<Edit, crate::model::EditError> {
    let applied = edit.clone();
    let inverse = crate::model::edit::apply(&mut s.data, edit)?;
    s.record(applied);
    Ok(inverse)
}
