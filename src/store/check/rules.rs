//! The rules one annotation file is held to: spans inside the text, quotes
//! that match it, ids that resolve, labels in the tag set.

use std::collections::{HashMap, HashSet};

use crate::model::anchor::reanchor_all;
use crate::model::tagset::{LabelKind, TagSet};
use crate::model::{AnnId, Annotation, Document, Kind, Speaker};
use crate::store::sidecar::{self, Sidecar, SidecarError};

use super::{Problem, Severity, Sink};

/// Checks one parsed sidecar against its source, the tag set and the other sidecars.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_sidecar(
    rel: &str,
    side_rel: &str,
    sc: &Sidecar,
    doc: Option<&Document>,
    tagset: &TagSet,
    sources: &HashSet<&str>,
    parsed: &HashMap<String, Result<Sidecar, SidecarError>>,
    sink: &mut Sink<'_>,
) {
    let data = &sc.data;
    let mut ids: HashMap<&str, &Annotation> = HashMap::new();
    for a in &data.annotations {
        if ids.insert(&a.id, a).is_some() {
            sink.push(
                Severity::Error,
                Problem::DuplicateId,
                Some(&a.id),
                format!(
                    "two annotations have the id {}; give one of them a new id in {side_rel}",
                    a.id
                ),
            );
        }
    }
    let mut event_ids: HashSet<&str> = HashSet::new();
    for e in &data.events {
        if !event_ids.insert(&e.id) || ids.contains_key(e.id.as_str()) {
            sink.push(
                Severity::Error,
                Problem::DuplicateId,
                Some(&e.id),
                format!(
                    "the event id {} is used twice (by events or an annotation); give the event a new id in {side_rel}",
                    e.id
                ),
            );
        }
    }
    links(data, &ids, &event_ids, sink);
    for c in &data.conflicts {
        sink.push(
            Severity::Info,
            Problem::MergeConflict,
            None,
            format!(
                "{}; open the document in Marginalia to keep one",
                crate::model::merge::describe(c)
            ),
        );
    }
    let mut rel_ids = HashSet::new();
    for r in &data.relations {
        if !rel_ids.insert(&r.id) || ids.contains_key(r.id.as_str()) {
            sink.push(
                Severity::Error,
                Problem::DuplicateId,
                Some(&r.id),
                format!(
                    "the relation id {} is used twice; give the relation a new id in {side_rel}",
                    r.id
                ),
            );
        }
    }

    let unchanged = doc.is_some_and(|d| d.hash == sc.source_hash);
    for a in &data.annotations {
        check_labels(a, tagset, sink);
        if let Kind::Claim(c) = &a.kind
            && let Speaker::Entity(sid) = &c.speaker
        {
            match ids.get(sid.as_str()) {
                None => sink.push(
                    Severity::Error,
                    Problem::DanglingSpeaker,
                    Some(&a.id),
                    format!(
                        "claim {} names the speaker {sid}, which is not an annotation of this document; pick the speaker again",
                        a.id
                    ),
                ),
                Some(s) if s.kind.is_claim() => sink.push(
                    Severity::Warning,
                    Problem::DanglingSpeaker,
                    Some(&a.id),
                    format!("claim {} names the speaker {sid}, which is a claim, not an entity", a.id),
                ),
                Some(_) => {}
            }
        }
        for c in &a.conflicts {
            sink.push(
                Severity::Info,
                Problem::MergeConflict,
                Some(&a.id),
                format!(
                    "annotation {} (\"{}\"): {}; open it in Marginalia to keep one",
                    a.id,
                    short(&a.quote),
                    crate::model::merge::describe(c)
                ),
            );
        }
        if a.orphaned {
            sink.push(
                Severity::Warning,
                Problem::Orphaned,
                Some(&a.id),
                format!(
                    "annotation {} (\"{}\") lost its place when the source changed; select its text again or delete it",
                    a.id,
                    short(&a.quote)
                ),
            );
            continue;
        }
        let Some(doc) = doc else { continue };
        if let Some(why) = span_problem(a, doc) {
            sink.push(
                if unchanged {
                    Severity::Error
                } else {
                    Severity::Info
                },
                Problem::OutOfRange,
                Some(&a.id),
                format!("annotation {}: {why}", a.id),
            );
            continue;
        }
        if unchanged {
            let (quote, _, _) = doc.selector(&a.spans);
            // An empty quote means none was recorded (offsets only), which is allowed.
            if !a.quote.is_empty() && quote != a.quote {
                sink.push(
                    Severity::Error,
                    Problem::QuoteMismatch,
                    Some(&a.id),
                    format!(
                        "annotation {} stores the quote \"{}\" but the text there is \"{}\"; the file was edited by hand or by another tool",
                        a.id,
                        short(&a.quote),
                        short(&quote)
                    ),
                );
            }
            if let Some(cue) = a.claim().and_then(|c| c.cue.as_ref())
                && !cue.quote.is_empty()
                && doc.spans_in_range(&[cue.span])
                && doc.slice(cue.span) != cue.quote
            {
                sink.push(
                    Severity::Error,
                    Problem::QuoteMismatch,
                    Some(&a.id),
                    format!(
                        "the cue of claim {} stores \"{}\" but the text there is \"{}\"",
                        a.id,
                        short(&cue.quote),
                        short(doc.slice(cue.span))
                    ),
                );
            }
        }
    }

    if let Some(doc) = doc
        && !unchanged
    {
        // Show what opening the document would do, without writing anything.
        let mut copy = data.clone();
        let r = reanchor_all(doc, &mut copy);
        let newly: Vec<&AnnId> = r
            .orphaned
            .iter()
            .filter(|id| data.get(id).is_some_and(|a| !a.orphaned))
            .collect();
        sink.push(
            Severity::Info,
            Problem::SourceChanged,
            None,
            format!(
                "the source changed since the annotations were saved; opening it moves {} and cannot place {}",
                plural(r.moved.len(), "annotation"),
                plural(newly.len(), "annotation"),
            ),
        );
        for id in newly {
            let quote = data.get(id).map_or("", |a| a.quote.as_str());
            sink.push(
                Severity::Warning,
                Problem::Orphaned,
                Some(id),
                format!(
                    "annotation {id} (\"{}\") no longer matches the changed source and will be flagged orphaned when opened",
                    short(quote)
                ),
            );
        }
    }

    for r in &data.relations {
        if !tagset.relations.contains(&r.kind) {
            sink.push(
                Severity::Warning,
                Problem::NotInTagSet,
                Some(&r.id),
                format!(
                    "relation {} has the type \"{}\", which the tag set does not list (it lists {})",
                    r.id,
                    r.kind,
                    tagset.relations.join(", ")
                ),
            );
        }
        if !ids.contains_key(r.from.as_str()) && !event_ids.contains(r.from.as_str()) {
            sink.push(
                Severity::Error,
                Problem::DanglingRelation,
                Some(&r.id),
                format!(
                    "relation {} starts at {}, which is not an annotation of this document; remove the relation",
                    r.id, r.from
                ),
            );
        }
        let here = |id: &str| ids.contains_key(id) || event_ids.contains(id);
        let problem = match r.to.doc.as_deref() {
            None => (!here(&r.to.id)).then(|| "this document has no annotation with that id".to_owned()),
            Some(other) if other == rel => {
                (!here(&r.to.id)).then(|| "this document has no annotation with that id".to_owned())
            }
            Some(other) => {
                let other_side = format!("{other}{}", sidecar::EXTENSION);
                if !sources.contains(other) {
                    Some(format!("{other} does not exist in this folder"))
                } else {
                    match parsed.get(&other_side) {
                        None => Some(format!("{other} has no annotations yet")),
                        Some(Err(_)) => Some(format!("the annotation file of {other} cannot be read")),
                        Some(Ok(o)) => o
                            .data
                            .get(&r.to.id)
                            .is_none()
                            .then(|| format!("{other} has no annotation with that id")),
                    }
                }
            }
        };
        if let Some(why) = problem {
            let place =
                r.to.doc
                    .as_deref()
                    .map(|d| format!(" in {d}"))
                    .unwrap_or_default();
            sink.push(
                Severity::Error,
                Problem::DanglingRelation,
                Some(&r.id),
                format!(
                    "relation {} points to annotation {}{place}, but {why}; remove the relation or link it again",
                    r.id, r.to.id
                ),
            );
        }
    }
}

/// Events and equivalences: every id they name is an annotation (a trigger)
/// or an annotation or event (an argument, a member) of this document.
fn links(
    data: &crate::model::DocAnnotations,
    ids: &HashMap<&str, &Annotation>,
    event_ids: &HashSet<&str>,
    sink: &mut Sink<'_>,
) {
    let known = |id: &str| ids.contains_key(id) || event_ids.contains(id);
    for e in &data.events {
        if !ids.contains_key(e.trigger.as_str()) {
            sink.push(
                Severity::Error,
                Problem::DanglingRelation,
                Some(&e.id),
                format!(
                    "event {} is stated by {}, which is not an annotation of this document; remove the event",
                    e.id, e.trigger
                ),
            );
        }
        for a in e.arguments.iter().filter(|a| !known(&a.id)) {
            sink.push(
                Severity::Error,
                Problem::DanglingRelation,
                Some(&e.id),
                format!(
                    "event {} names {} as its {}, which is not an annotation or event of this document; remove the argument",
                    e.id, a.id, a.role
                ),
            );
        }
    }
    for q in &data.equivalences {
        for m in q.members.iter().filter(|m| !known(m)) {
            sink.push(
                Severity::Error,
                Problem::DanglingRelation,
                Some(m),
                format!(
                    "an equivalence ({}) names {m}, which is not an annotation or event of this document; remove it from the equivalence",
                    q.kind
                ),
            );
        }
    }
}

/// Label, kind and attribute values against the tag set.
fn check_labels(a: &Annotation, tagset: &TagSet, sink: &mut Sink<'_>) {
    let Some(def) = tagset.label(&a.label) else {
        sink.push(
            Severity::Warning,
            Problem::NotInTagSet,
            Some(&a.id),
            format!(
                "annotation {} has the label \"{}\", which the tag set does not define; add it to marginalia.ron or relabel",
                a.id, a.label
            ),
        );
        return;
    };
    let kind_ok = match def.kind {
        LabelKind::Entity => !a.kind.is_claim(),
        LabelKind::Claim => a.kind.is_claim(),
    };
    if !kind_ok {
        sink.push(
            Severity::Warning,
            Problem::NotInTagSet,
            Some(&a.id),
            format!(
                "annotation {} is {} but its label \"{}\" is for {}",
                a.id,
                if a.kind.is_claim() { "a claim" } else { "an entity" },
                a.label,
                if def.kind == LabelKind::Claim {
                    "claims"
                } else {
                    "entities"
                }
            ),
        );
    }
    for (k, v) in &a.attributes {
        if let Some(attr) = def.attributes.iter().find(|x| &x.name == k)
            && !attr.values.is_empty()
            && !attr.values.contains(v)
        {
            sink.push(
                Severity::Warning,
                Problem::NotInTagSet,
                Some(&a.id),
                format!(
                    "annotation {} has {k} = \"{v}\"; the tag set allows {}",
                    a.id,
                    attr.values.join(", ")
                ),
            );
        }
    }
}

/// Why the spans of an annotation (or its cue) cannot be right, if they cannot.
fn span_problem(a: &Annotation, doc: &Document) -> Option<String> {
    let len = doc.len_chars();
    if a.spans.is_empty() {
        return Some("it has no spans".into());
    }
    for s in &a.spans {
        if s.start > s.end {
            return Some(format!("the span {}..{} runs backwards", s.start, s.end));
        }
        if s.end > len {
            return Some(format!(
                "the span {}..{} ends past the end of the text ({len} characters)",
                s.start, s.end
            ));
        }
    }
    if a.spans.windows(2).any(|w| w[0].end > w[1].start) {
        return Some("its spans overlap or are out of order".into());
    }
    if let Some(cue) = a.claim().and_then(|c| c.cue.as_ref())
        && (cue.span.start > cue.span.end || cue.span.end > len)
    {
        return Some(format!(
            "the cue span {}..{} is outside the text",
            cue.span.start, cue.span.end
        ));
    }
    None
}

/// A quote cut to a readable length for messages.
fn short(s: &str) -> String {
    const MAX: usize = 60;
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.chars().count() <= MAX {
        flat
    } else {
        let mut cut: String = flat.chars().take(MAX - 1).collect();
        cut.push('…');
        cut
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
