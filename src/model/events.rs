//! Events and equivalences: links between annotations of one document that a
//! binary relation cannot hold, as brat's event (`E`) and equivalence (`*`)
//! lines record them in event-annotated corpora (BioNLP shared tasks, ACE-style
//! data).
//!
//! An event is an n-ary relation: a trigger annotation (the words that state
//! it, "phosphorylation", "attacked") and arguments, each a role and the
//! annotation or event that fills it. An equivalence says that several
//! annotations name the same thing.
//!
//! When an annotation goes, what refers to it follows brat's own rules for
//! deleting: an event whose trigger is gone goes too; an argument that names
//! a removed annotation or event is dropped from its event (the event stays,
//! with the arguments left); a removed annotation or event leaves every
//! equivalence, and an equivalence left with fewer than two members goes.
//! [`unlink`] does this and returns the edits that undo it.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::annotation::{AnnId, Attributes};
use super::document::DocAnnotations;
use super::edit::Edit;

/// One argument of an event: a role and what fills it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventArg {
    /// The role, verbatim (`Theme`, `Cause`, `Theme2`: a role given twice
    /// carries a number, as brat writes it).
    pub role: CompactString,
    /// Id of an annotation or of another event of the same document.
    pub id: AnnId,
}

/// Something the text says happens, stated by a trigger annotation and with
/// role-labelled arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Stable identifier, unique among the document's events and annotations.
    pub id: AnnId,
    /// The event type (`Phosphorylation`, `Attack`).
    pub kind: String,
    /// Id of the annotation whose words state the event.
    pub trigger: AnnId,
    /// Arguments in their order (an event may have none).
    #[serde(default)]
    pub arguments: Vec<EventArg>,
    /// Free attributes (brat's `Negation`, `Speculation`), key → value.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// Free note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Event {
    /// True when `id` is the trigger or fills an argument.
    pub fn involves(&self, id: &str) -> bool {
        self.trigger == id || self.arguments.iter().any(|a| a.id == id)
    }

    /// Sort key for deterministic output: (trigger, kind, id), as relations
    /// sort by where they start.
    pub fn sort_key(&self) -> (&str, &str, &str) {
        (&self.trigger, &self.kind, &self.id)
    }
}

/// Annotations (or events) that name the same thing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Equivalence {
    /// The kind of sameness (brat's `Equiv`).
    pub kind: String,
    /// The members, in their order.
    pub members: Vec<AnnId>,
}

/// Removes what depends on the annotations or events `gone` (already removed
/// themselves, or about to be): events triggered by one of them when
/// `triggers` is set, relations of this document that touch a removed event,
/// arguments naming any of them, and their places in equivalences. Returns the
/// edits that restore it all, in the order to apply them.
pub(super) fn unlink(doc: &mut DocAnnotations, mut gone: Vec<AnnId>, triggers: bool) -> Vec<Edit> {
    let mut undo = Vec::new();
    if triggers && !doc.events.is_empty() {
        let mut kept = Vec::with_capacity(doc.events.len());
        for e in std::mem::take(&mut doc.events) {
            if gone.contains(&e.trigger) {
                gone.push(e.id.clone());
                undo.push(Edit::AddEvent(e));
            } else {
                kept.push(e);
            }
        }
        doc.events = kept;
    }
    let is_gone = |id: &str| gone.iter().any(|g| g == id);
    // The caller has removed the relations of an annotation it removes; those
    // of the events that went with it go here.
    let touches = |r: &super::Relation| is_gone(&r.from) || (r.to.doc.is_none() && is_gone(&r.to.id));
    if doc.relations.iter().any(touches) {
        let (drop, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut doc.relations).into_iter().partition(touches);
        doc.relations = keep;
        undo.extend(drop.into_iter().map(Edit::AddRelation));
    }
    for e in &mut doc.events {
        if e.arguments.iter().any(|a| is_gone(&a.id)) {
            undo.push(Edit::ReplaceEvent(e.clone()));
            e.arguments.retain(|a| !is_gone(&a.id));
        }
    }
    let mut kept = Vec::with_capacity(doc.equivalences.len());
    for q in std::mem::take(&mut doc.equivalences) {
        if !q.members.iter().any(|m| is_gone(m)) {
            kept.push(q);
            continue;
        }
        let mut left = q.clone();
        left.members.retain(|m| !is_gone(m));
        if left.members.len() >= 2 {
            undo.push(Edit::RemoveEquivalence(left.clone()));
            kept.push(left);
        }
        undo.push(Edit::AddEquivalence(q));
    }
    doc.equivalences = kept;
    undo
}

impl DocAnnotations {
    /// The event with this id.
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.id == id)
    }

    /// Events that `id` (an annotation or an event) triggers or fills an argument of.
    pub fn events_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.involves(id))
    }

    /// Equivalences that `id` is a member of.
    pub fn equivalences_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Equivalence> + 'a {
        self.equivalences
            .iter()
            .filter(move |q| q.members.iter().any(|m| m == id))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::edit::apply;
    use crate::model::{Annotation, Kind, Relation, Span, Target};

    fn ann(id: &str, at: usize) -> Annotation {
        let sel = ("x".into(), String::new(), String::new());
        Annotation::new(
            id.into(),
            vec![Span::new(at, at + 1)],
            sel,
            "L",
            Kind::entity(),
            "t",
            "",
        )
    }

    fn event(id: &str, trigger: &str, args: &[(&str, &str)]) -> Event {
        Event {
            id: id.into(),
            kind: "Binding".into(),
            trigger: trigger.into(),
            arguments: args
                .iter()
                .map(|(role, id)| EventArg {
                    role: (*role).into(),
                    id: (*id).into(),
                })
                .collect(),
            attributes: Attributes::new(),
            note: String::new(),
        }
    }

    fn relation(id: &str, from: &str, to: &str) -> Relation {
        Relation {
            id: id.into(),
            from: from.into(),
            to: Target {
                doc: None,
                id: to.into(),
            },
            kind: "Cause".into(),
            ..Relation::default()
        }
    }

    fn equiv(members: &[&str]) -> Equivalence {
        Equivalence {
            kind: "Equiv".into(),
            members: members.iter().map(|m| (*m).into()).collect(),
        }
    }

    fn sample() -> DocAnnotations {
        let mut d = DocAnnotations {
            annotations: (0..5).map(|i| ann(&format!("T{i}"), i * 2)).collect(),
            events: vec![
                event("E1", "T0", &[("Theme", "T1"), ("Theme2", "T2")]),
                event("E2", "T3", &[("Theme", "E1"), ("Cause", "T4")]),
            ],
            equivalences: vec![equiv(&["T1", "T2"]), equiv(&["T2", "T4", "T1"])],
            relations: vec![relation("R1", "E1", "T4")],
            ..DocAnnotations::default()
        };
        d.sort();
        d
    }

    #[test]
    fn removing_a_trigger_takes_its_event_and_what_names_the_event() {
        let before = sample();
        let mut d = before.clone();
        let undo = apply(&mut d, Edit::Remove("T0".into())).unwrap();
        assert_eq!(d.events.len(), 1);
        // E2 keeps its other argument; the relation from E1 is gone.
        assert_eq!(
            d.events[0].arguments,
            vec![EventArg {
                role: "Cause".into(),
                id: "T4".into()
            }]
        );
        assert!(d.relations.is_empty());
        assert_eq!(d.equivalences, before.equivalences);
        apply(&mut d, undo).unwrap();
        assert_eq!(d, before);
    }

    #[test]
    fn removing_an_argument_drops_it_and_an_equivalence_left_alone_goes() {
        let before = sample();
        let mut d = before.clone();
        let undo = apply(&mut d, Edit::Remove("T1".into())).unwrap();
        assert_eq!(d.event("E1").unwrap().arguments.len(), 1);
        // [T1, T2] is left with one member and goes; [T2, T4, T1] keeps two.
        assert_eq!(d.equivalences, vec![equiv(&["T2", "T4"])]);
        apply(&mut d, undo).unwrap();
        assert_eq!(d, before);
        let undo = apply(&mut d, Edit::RemoveEvent("E1".into())).unwrap();
        assert!(d.event("E1").is_none());
        assert_eq!(d.event("E2").unwrap().arguments.len(), 1);
        assert!(d.relations.is_empty());
        apply(&mut d, undo).unwrap();
        assert_eq!(d, before);
    }

    #[test]
    fn an_event_id_cannot_repeat_an_annotation_id_and_a_missing_equivalence_is_an_error() {
        let mut d = sample();
        assert!(apply(&mut d, Edit::AddEvent(event("T1", "T0", &[]))).is_err());
        assert!(apply(&mut d, Edit::Add(ann("E1", 40))).is_err());
        assert!(apply(&mut d, Edit::RemoveEquivalence(equiv(&["T4", "T0"]))).is_err());
        assert_eq!(d, sample());
    }

    proptest! {
        /// Whatever is removed, nothing is left naming it, and undo gives back the document.
        #[test]
        fn removal_leaves_no_reference_and_undo_restores(
            events in proptest::collection::vec((0usize..6, proptest::collection::vec(0usize..9, 0..4)), 0..4),
            equivalences in proptest::collection::vec(proptest::collection::vec(0usize..9, 2..4), 0..3),
            relations in proptest::collection::vec((0usize..9, 0usize..9), 0..3),
            gone in 0usize..9,
        ) {
            // Ids 0–5 are annotations, 6–8 events.
            let id = |i: usize| if i < 6 { format!("T{i}") } else { format!("E{}", i - 6) };
            let mut d = DocAnnotations {
                annotations: (0..6).map(|i| ann(&id(i), i * 2)).collect(),
                ..DocAnnotations::default()
            };
            for (k, (trigger, args)) in events.iter().enumerate() {
                let args: Vec<(String, String)> = args.iter().map(|&a| ("Theme".to_owned(), id(a))).collect();
                let args: Vec<(&str, &str)> = args.iter().map(|(r, a)| (r.as_str(), a.as_str())).collect();
                d.events.push(event(&id(6 + k), &id(*trigger), &args));
            }
            for m in &equivalences {
                let m: Vec<String> = m.iter().map(|&i| id(i)).collect();
                d.equivalences.push(equiv(&m.iter().map(String::as_str).collect::<Vec<_>>()));
            }
            for (k, (a, b)) in relations.iter().enumerate() {
                d.relations.push(relation(&format!("R{k}"), &id(*a), &id(*b)));
            }
            d.sort();
            let before = d.clone();
            let target = id(gone);
            let edit = if gone < 6 { Edit::Remove(target.clone().into()) } else { Edit::RemoveEvent(target.clone().into()) };
            let Ok(undo) = apply(&mut d, edit) else {
                // An event id beyond those made: nothing to remove, nothing changed.
                prop_assert_eq!(&d, &before);
                return Ok(());
            };
            let gone_events: Vec<&str> = before
                .events
                .iter()
                .filter(|e| e.id == target || e.trigger == target)
                .map(|e| e.id.as_str())
                .collect();
            let named = |x: &str| x == target || gone_events.contains(&x);
            for e in &d.events {
                prop_assert!(!named(&e.trigger) && !e.arguments.iter().any(|a| named(&a.id)));
            }
            for q in &d.equivalences {
                prop_assert!(q.members.len() >= 2 && !q.members.iter().any(|m| named(m)));
            }
            for r in &d.relations {
                prop_assert!(!named(&r.from) && !named(&r.to.id));
            }
            apply(&mut d, undo).unwrap();
            prop_assert_eq!(d, before);
        }
    }
}
