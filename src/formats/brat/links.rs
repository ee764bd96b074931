//! Reading brat's events (`E`), relations (`R`) and equivalences (`*`), with
//! the attributes, normalisations and notes that point at events and
//! relations, once the text-bound annotations are made.

use super::read::owned;
use super::*;
use crate::model::{Attributes, Equivalence, Event, EventArg};

/// The `A`, `M`, `N` and `#` lines that point at an event or a relation.
#[derive(Default)]
pub(super) struct Extras<'a> {
    pub attributes: Attributes,
    pub notes: Vec<&'a str>,
    pub meta: Option<note::Note<'a>>,
    /// How many lines were taken, for the report when what they point at is not kept.
    pub lines: usize,
}

/// " (and the n lines about it)", for a report of what is skipped.
fn and_lines(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (and the line about it)".into(),
        n => format!(" (and the {n} lines about it)"),
    }
}

impl<'a> Extras<'a> {
    /// Takes one line `id` of type `ty` about `target`: the rest of its middle
    /// column in `parts`, its text column in `tail`.
    pub fn take(
        &mut self,
        id: &str,
        ty: &str,
        target: &str,
        parts: std::str::SplitWhitespace<'_>,
        tail: &'a str,
        lost: &mut Vec<String>,
    ) {
        self.lines += 1;
        match id.chars().next() {
            Some('A' | 'M') => {
                let value = parts.collect::<SmallVec<[&str; 4]>>().join(" ");
                if self.attributes.insert(ty.to_owned(), value).is_some() {
                    lost.push(format!(
                        "{id}: a second value of attribute {ty} on {target}; the last one is kept"
                    ));
                }
            }
            Some('N') => {
                let kb = parts.take(1).collect::<String>();
                self.attributes
                    .insert(format!("{EXTRA_NORM_PREFIX}{ty} {kb}"), tail.to_owned());
            }
            _ if ty == META_NOTE => match note::parse(tail) {
                Ok(n) => self.meta = Some(n),
                Err(e) => lost.push(format!(
                    "{id}: the Marginalia note of {target} cannot be read ({e}); skipped"
                )),
            },
            _ if ty == "AnnotatorNotes" => self.notes.push(tail),
            _ => {
                let e = self
                    .attributes
                    .get_or_insert_default(format!("{OTHER_NOTE_PREFIX}{ty}"));
                if !e.is_empty() {
                    e.push('\n');
                }
                e.push_str(tail);
            }
        }
    }

    /// The attributes and the note, with what the Marginalia note adds.
    fn into_fields(self) -> (Attributes, String, note::Note<'a>) {
        let meta = self.meta.unwrap_or_default();
        let mut attributes = self.attributes;
        attributes.extend(meta.attributes.clone());
        let note = match &meta.note {
            Some(n) => n.to_string(),
            None => self.notes.join("\n"),
        };
        (attributes, note, meta)
    }
}

/// An `E` line read: `E1<TAB>Type:Trigger Role:Id …`.
pub(super) struct PendingEvent<'a> {
    pub bid: &'a str,
    pub kind: &'a str,
    pub trigger: &'a str,
    pub args: Vec<(&'a str, &'a str)>,
    pub extras: Extras<'a>,
}

/// An `R` line read: `R1<TAB>Type Role1:Id Role2:Id`.
pub(super) struct PendingRelation<'a> {
    pub bid: &'a str,
    pub kind: &'a str,
    pub roles: (&'a str, &'a str),
    pub from: &'a str,
    pub to: &'a str,
    pub extras: Extras<'a>,
}

/// What [`finish`] puts together.
pub(super) struct Read<'a> {
    pub events: Vec<PendingEvent<'a>>,
    pub rels: Vec<PendingRelation<'a>>,
    /// `*` lines: type and members.
    pub equivalences: Vec<(&'a str, Vec<&'a str>)>,
    /// brat id → id of every annotation made.
    pub final_id: HashMap<&'a str, AnnId>,
    /// Relations kept in the notes of annotations, with the annotation's id.
    pub meta_rels: Vec<(AnnId, note::NoteRelation<'a>)>,
}

/// A relation kept in a note, starting at `from`.
fn from_note(from: AnnId, r: note::NoteRelation<'_>) -> Relation {
    Relation {
        id: owned(r.id),
        from,
        to: Target {
            doc: r.to_doc.map(owned),
            id: owned(r.to),
        },
        kind: owned(r.kind),
        attributes: r.attributes.into(),
        note: r.note.map(owned).unwrap_or_default(),
    }
}

/// Makes the events, relations and equivalences read, in `data`, whose
/// annotations are made. What names something that is not there is reported
/// in `lost` and left out.
pub(super) fn finish(read: Read<'_>, data: &mut DocAnnotations, lost: &mut Vec<String>) {
    let Read {
        events,
        rels,
        equivalences,
        final_id,
        meta_rels,
    } = read;
    data.relations
        .extend(meta_rels.into_iter().map(|(from, r)| from_note(from, r)));
    // Every event's id first: an argument may name an event of a later line.
    let mut event_id: HashMap<&str, AnnId> = HashMap::new();
    for e in &events {
        if final_id.contains_key(e.trigger) {
            let id = e
                .extras
                .meta
                .as_ref()
                .and_then(|m| m.id.as_deref())
                .unwrap_or(e.bid);
            event_id.insert(e.bid, id.into());
        }
    }
    let resolve = |id: &str| final_id.get(id).or_else(|| event_id.get(id)).cloned();
    for e in events {
        let Some(trigger) = final_id.get(e.trigger) else {
            lost.push(format!(
                "{}: its trigger {} is not a kept text annotation; the event{} is skipped",
                e.bid,
                e.trigger,
                and_lines(e.extras.lines)
            ));
            continue;
        };
        let id = event_id[e.bid].clone();
        let (attributes, note, meta) = e.extras.into_fields();
        let arguments = match meta.arguments {
            Some(args) => args
                .into_iter()
                .map(|(role, id)| EventArg {
                    role: owned(role),
                    id: owned(id),
                })
                .collect(),
            None => e
                .args
                .iter()
                .filter_map(|&(role, arg)| match resolve(arg) {
                    Some(id) => Some(EventArg {
                        role: role.into(),
                        id,
                    }),
                    None => {
                        lost.push(format!(
                            "{}: its argument {role}:{arg} is not a kept annotation or event; left out",
                            e.bid
                        ));
                        None
                    }
                })
                .collect(),
        };
        data.relations
            .extend(meta.relations.into_iter().map(|r| from_note(id.clone(), r)));
        data.events.push(Event {
            id,
            kind: meta.label.map_or_else(|| e.kind.to_owned(), owned),
            trigger: trigger.clone(),
            arguments,
            attributes,
            note,
        });
    }
    for r in rels {
        let (Some(from), Some(to)) = (resolve(r.from), resolve(r.to)) else {
            lost.push(format!(
                "{}: relation between {} and {}, which are not both kept annotations or events; skipped{}",
                r.bid,
                r.from,
                r.to,
                and_lines(r.extras.lines)
            ));
            continue;
        };
        let (mut attributes, note, meta) = r.extras.into_fields();
        if r.roles != ("Arg1", "Arg2") {
            attributes.insert(
                write::ROLES_KEY.to_owned(),
                format!("{} {}", r.roles.0, r.roles.1),
            );
        }
        data.relations.push(Relation {
            id: meta.id.map_or_else(|| r.bid.into(), owned),
            from,
            to: Target { doc: None, id: to },
            kind: r.kind.to_owned(),
            attributes,
            note,
        });
    }
    for (kind, members) in equivalences {
        let mut kept = Vec::with_capacity(members.len());
        for m in &members {
            match resolve(m) {
                Some(id) => kept.push(id),
                None => lost.push(format!(
                    "*: the equivalence {kind} names {m}, which is not a kept annotation or event; left out of it"
                )),
            }
        }
        if kept.len() < 2 {
            lost.push(format!(
                "*: the equivalence {kind} {} has fewer than two kept members; skipped",
                members.join(" ")
            ));
            continue;
        }
        data.equivalences.push(Equivalence {
            kind: kind.to_owned(),
            members: kept,
        });
    }
}
