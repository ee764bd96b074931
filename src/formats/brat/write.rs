//! Writing a document as brat's `.txt` and `.ann`.
//!
//! Lines come in this order: each `T` line followed by its `A`, `N` and `#`
//! lines, then each `E` line with its lines, each `R` line with its lines,
//! and the `*` lines. brat forbids every line but an event's (and a
//! relation's) to refer to an event trigger, so a trigger's attributes, notes
//! and Marginalia fields travel in the `# Marginalia` note of its first event
//! (under `trigger`). Events whose trigger is not an annotation of the
//! document, equivalences that brat cannot hold, and relations that start at
//! nothing of the file travel whole in the document's note.

use std::fmt::Write as _;

use super::note::{Note, NoteCue, NoteDoc, NoteRelation, NoteSpeaker};
use super::*;
use crate::model::{Equivalence, Event};

/// Attribute key keeping a relation's argument roles when they are not `Arg1` and `Arg2`.
pub const ROLES_KEY: &str = "brat:roles";

/// Writes the `start end;start end` field of a `T` line.
fn push_spans(out: &mut String, spans: &[Span]) {
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let _ = write!(out, "{} {}", s.start, s.end);
    }
}

/// Numbers the `A`, `N` and `#` lines of one `.ann` file.
#[derive(Default)]
struct LineIds {
    a: usize,
    n: usize,
    note: usize,
}

impl LineIds {
    /// Starts a line of `kind` (`A`, `N` or `#`): its id and the tab after it.
    fn start(&mut self, ann: &mut String, kind: char) {
        let n = match kind {
            'A' => &mut self.a,
            'N' => &mut self.n,
            _ => &mut self.note,
        };
        *n += 1;
        let _ = write!(ann, "{kind}{n}\t");
    }

    /// A whole line of `kind` with `body`.
    fn line(&mut self, ann: &mut String, kind: char, body: &str) {
        self.start(ann, kind);
        ann.push_str(body);
        ann.push('\n');
    }

    /// The `# Marginalia` note of `bid`, when it holds anything.
    fn meta(&mut self, ann: &mut String, bid: &str, meta: &Note) {
        if meta.is_empty() {
            return;
        }
        self.start(ann, '#');
        ann.push_str(META_NOTE);
        ann.push(' ');
        ann.push_str(bid);
        ann.push('\t');
        meta.write(ann);
        ann.push('\n');
    }
}

/// The two roles of a relation's `R` line: those kept in [`ROLES_KEY`] when
/// brat can hold them, else `Arg1` and `Arg2`.
fn relation_roles(r: &Relation) -> (Option<(&str, &str)>, (&str, &str)) {
    let kept = r.attributes.get(ROLES_KEY).and_then(|v| {
        let (a, b) = v.split_once(' ')?;
        (is_role(a) && is_role(b) && a != b).then_some((a, b))
    });
    (kept, kept.unwrap_or(("Arg1", "Arg2")))
}

/// Writes the attributes and the note of the annotation, event or relation
/// `bid` as `A`, `N` and `#` lines where brat can hold them, and puts the
/// rest into `meta`. With `lines` false (an event's trigger) nothing is
/// written and all goes into `meta`.
fn extra_lines<'a>(
    ann: &mut String,
    ids: &mut LineIds,
    bid: &str,
    attrs: impl IntoIterator<Item = (String, String)>,
    note: &'a str,
    meta: &mut Note<'a>,
    lines: bool,
) {
    for (k, v) in attrs {
        if !lines {
            meta.attributes.insert(k, v);
        } else if let Some(rest) = k.strip_prefix(EXTRA_NORM_PREFIX)
            && let Some((ty, kb)) = rest.split_once(' ')
            && is_token(ty)
            && is_token(kb)
            && kb.contains(':')
            && !has_line_break(&v)
        {
            ids.line(ann, 'N', &format!("{ty} {bid} {kb}\t{v}"));
        } else if let Some(ty) = k.strip_prefix(OTHER_NOTE_PREFIX)
            && is_token(ty)
            && ty != META_NOTE
            && ty != "AnnotatorNotes"
            && v.split('\n').all(|piece| !has_line_break(piece))
        {
            for piece in v.split('\n') {
                ids.line(ann, '#', &format!("{ty} {bid}\t{piece}"));
            }
        } else if is_token(&k)
            && (v.is_empty() || is_token(&v))
            && k != STANCE_ATTR
            && k != CLAIM_TYPE_ATTR
            && !k.starts_with("brat:")
        {
            let sep = if v.is_empty() { "" } else { " " };
            ids.line(ann, 'A', &format!("{k} {bid}{sep}{v}"));
        } else {
            meta.attributes.insert(k, v);
        }
    }
    if note.is_empty() {
        return;
    }
    if lines && note.split('\n').all(|piece| !has_line_break(piece)) {
        for l in note.split('\n') {
            ids.line(ann, '#', &format!("AnnotatorNotes {bid}\t{l}"));
        }
    } else {
        // A note line cannot hold a CR or another line break: the JSON note keeps it whole.
        meta.note = Some(note.into());
    }
}

/// A relation kept in a note: one that has no `R` line.
fn note_relation(r: &Relation) -> NoteRelation<'_> {
    NoteRelation {
        attributes: r.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        id: r.id.as_str().into(),
        note: (!r.note.is_empty()).then(|| r.note.as_str().into()),
        to: r.to.id.as_str().into(),
        to_doc: r.to.doc.as_deref().map(Cow::from),
        kind: r.kind.as_str().into(),
    }
}

/// The brat files of one document.
pub fn to_brat(doc: &Document, data: &DocAnnotations) -> BratFiles {
    // Most texts have no CR: they are cut as they are, without a second copy
    // of the text hashed and indexed.
    let normalised = memchr::memchr(b'\r', doc.text.as_bytes()).map(|_| {
        let (txt, map) = NewlineMap::normalise(&doc.text);
        (Document::new(doc.path.clone(), txt), map)
    });
    let (ndoc, map) = match &normalised {
        Some((d, m)) => (d, m),
        None => (doc, &NewlineMap::default()),
    };
    let tid = assign_ids(data.annotations.iter().map(|a| a.id.as_str()), 'T');
    // An event is an `E` line when its trigger is an annotation of the
    // document whose type can stand before the colon of `Type:Trigger`.
    let has_line = |e: &Event| {
        data.get(&e.trigger)
            .is_some_and(|t| is_role(&brat_type_cow(&t.label)))
    };
    let events: Vec<&Event> = data.events.iter().filter(|e| has_line(e)).collect();
    let eid = assign_ids(events.iter().map(|e| e.id.as_str()), 'E');
    let bid_of = |id: &str| tid.get(id).or_else(|| eid.get(id)).map(String::as_str);
    // The first event of each trigger carries the trigger's note.
    let mut first_event: HashMap<&str, &str> = HashMap::new();
    for e in &events {
        first_event.entry(e.trigger.as_str()).or_insert(e.id.as_str());
    }
    let local_rel: Vec<&Relation> = data
        .relations
        .iter()
        .filter(|r| {
            r.to.doc.is_none() && bid_of(&r.from).is_some() && bid_of(&r.to.id).is_some() && is_token(&r.kind)
        })
        .collect();
    let rid = assign_ids(local_rel.iter().map(|r| r.id.as_str()), 'R');
    let equivalence_line = |q: &Equivalence| {
        (is_token(&q.kind) && q.members.len() >= 2)
            .then(|| q.members.iter().map(|m| bid_of(m)).collect::<Option<Vec<&str>>>())
            .flatten()
    };
    // Relations that cannot be `R` lines ride on the note of their start.
    let mut out_rel: HashMap<&str, Vec<&Relation>> = HashMap::new();
    let mut doc_note = NoteDoc {
        equivalences: data
            .equivalences
            .iter()
            .filter(|q| equivalence_line(q).is_none())
            .cloned()
            .collect(),
        events: data.events.iter().filter(|e| !has_line(e)).cloned().collect(),
        extra: Cow::Borrowed(&data.extra),
        relations: Vec::new(),
        status: data.status.key().into(),
    };
    for r in &data.relations {
        if local_rel.iter().any(|l| std::ptr::eq(*l, r)) {
            continue;
        }
        if bid_of(&r.from).is_some() {
            out_rel.entry(r.from.as_str()).or_default().push(r);
        } else {
            doc_note.relations.push(r.clone());
        }
    }
    let doc_note_needed = data.status != Status::default()
        || !data.extra.is_empty()
        || !doc_note.equivalences.is_empty()
        || !doc_note.events.is_empty()
        || !doc_note.relations.is_empty();
    let mut doc_note = doc_note_needed.then_some(doc_note);
    // About 330 bytes per annotation: its T line and its note.
    let mut ann = String::with_capacity(data.annotations.len() * 384 + data.events.len() * 64);
    let mut ids = LineIds::default();
    let mut trigger_notes: HashMap<&str, Note> = HashMap::new();
    let mut spans: Vec<Span> = Vec::new();
    for a in &data.annotations {
        let bid = tid[a.id.as_str()].as_str();
        spans.clear();
        spans.extend(a.spans.iter().map(|s| map.span(*s)));
        let frags = fragments(ndoc, &spans);
        let label = brat_type_cow(&a.label);
        ann.push_str(bid);
        ann.push('\t');
        ann.push_str(&label);
        ann.push(' ');
        push_spans(&mut ann, &frags);
        ann.push('\t');
        for (k, s) in frags.iter().enumerate() {
            if k > 0 {
                ann.push(' ');
            }
            ann.push_str(ndoc.slice(*s));
        }
        ann.push('\n');
        // brat allows a trigger no line but its `T` line.
        let trigger_of = first_event.get(a.id.as_str()).copied();
        let lines = trigger_of.is_none();
        let mut meta = Note {
            annotator: Some(a.annotator.as_str().into()),
            created: Some(a.created.as_str().into()),
            modified: Some(a.modified.as_str().into()),
            label: (*label != *a.label).then_some(a.label.as_str().into()),
            id: (a.id != bid).then_some(a.id.as_str().into()),
            origin: a.origin.map(|o| Cow::Borrowed(o.as_str())),
            orphaned: a.orphaned,
            extra: Cow::Borrowed(&a.extra),
            spans: (join_fragments(ndoc, &frags) != spans)
                .then(|| spans.iter().map(|s| (s.start, s.end)).collect()),
            ..Note::default()
        };
        let mut attrs = a.attributes.clone();
        let norm_text = attrs.remove(NORM_TEXT_KEY);
        match &a.kind {
            Kind::Entity { canonical } => {
                if let Some(c) = canonical {
                    if is_token(c) && lines {
                        // Ids without a knowledge base (and ids that look like ours) get our prefix, which import strips.
                        let kb = if c.contains(':') && !c.starts_with(&format!("{OWN_KB}:")) {
                            c.clone()
                        } else {
                            format!("{OWN_KB}:{c}")
                        };
                        // The N text is one line; a multi-line one travels in the note instead.
                        let t = match &norm_text {
                            Some(t) if !has_line_break(t) => t.clone(),
                            _ => c.clone(),
                        };
                        ids.line(&mut ann, 'N', &format!("Reference {bid} {kb}\t{t}"));
                        // Import only keeps an N text that differs from the id, so keep the others here.
                        if norm_text.is_some() && t == *c {
                            meta.attributes
                                .insert(NORM_TEXT_KEY.to_owned(), norm_text.clone().unwrap_or_default());
                        }
                    } else {
                        meta.canonical = Some(c.into());
                    }
                }
                if norm_text.is_some() && canonical.as_ref().is_none_or(|c| !is_token(c) || !lines) {
                    meta.attributes
                        .insert(NORM_TEXT_KEY.to_owned(), norm_text.unwrap_or_default());
                }
            }
            Kind::Claim(c) => {
                meta.kind = Some("claim".into());
                if lines {
                    ids.line(
                        &mut ann,
                        'A',
                        &format!("{STANCE_ATTR} {bid} {}", c.stance.as_str()),
                    );
                    ids.line(
                        &mut ann,
                        'A',
                        &format!("{CLAIM_TYPE_ATTR} {bid} {}", c.claim_type.as_str()),
                    );
                } else {
                    meta.stance = Some(c.stance.as_str().into());
                    meta.claim_type = Some(c.claim_type.as_str().into());
                }
                meta.speaker = match &c.speaker {
                    Speaker::Unknown => None,
                    Speaker::Author => Some(NoteSpeaker::Author),
                    Speaker::Entity(id) => Some(NoteSpeaker::Entity(id.as_str().into())),
                };
                meta.cue = c.cue.as_ref().map(|cue| {
                    let s = map.span(cue.span);
                    NoteCue {
                        end: s.end,
                        start: s.start,
                        text: Some(cue.quote.as_str().into()),
                    }
                });
                meta.proposition = c.proposition.as_deref().map(Cow::from);
                if let Some(t) = norm_text {
                    meta.attributes.insert(NORM_TEXT_KEY.to_owned(), t);
                }
            }
        }
        extra_lines(&mut ann, &mut ids, bid, attrs, &a.note, &mut meta, lines);
        if let Some(rels) = out_rel.remove(a.id.as_str()) {
            meta.relations = rels.into_iter().map(note_relation).collect();
        }
        if let Some(d) = doc_note.take() {
            meta.doc = Some(d);
        }
        match trigger_of {
            None => ids.meta(&mut ann, bid, &meta),
            Some(event) => {
                trigger_notes.insert(event, meta);
            }
        }
    }
    for e in &events {
        let id = eid[e.id.as_str()].as_str();
        let trigger = data
            .get(&e.trigger)
            .map_or(Cow::Borrowed(""), |t| brat_type_cow(&t.label));
        let _ = write!(ann, "{id}\t{trigger}:{}", tid[e.trigger.as_str()]);
        let mut whole = true;
        for arg in &e.arguments {
            match bid_of(&arg.id) {
                Some(b) if is_role(&arg.role) => {
                    let _ = write!(ann, " {}:{b}", arg.role);
                }
                _ => whole = false,
            }
        }
        ann.push('\n');
        let mut meta = Note {
            arguments: (!whole).then(|| {
                e.arguments
                    .iter()
                    .map(|a| (a.role.as_str().into(), a.id.as_str().into()))
                    .collect()
            }),
            id: (e.id != id).then_some(e.id.as_str().into()),
            label: (e.kind.as_str() != &*trigger).then_some(e.kind.as_str().into()),
            trigger: trigger_notes.remove(e.id.as_str()).map(Box::new),
            ..Note::default()
        };
        let attrs = e.attributes.iter().map(|(k, v)| (k.clone(), v.clone()));
        extra_lines(&mut ann, &mut ids, id, attrs, &e.note, &mut meta, true);
        if let Some(rels) = out_rel.remove(e.id.as_str()) {
            meta.relations = rels.into_iter().map(note_relation).collect();
        }
        ids.meta(&mut ann, id, &meta);
    }
    for r in local_rel {
        let id = rid[r.id.as_str()].as_str();
        let (kept, (role1, role2)) = relation_roles(r);
        let from = bid_of(&r.from).unwrap_or_default();
        let to = bid_of(&r.to.id).unwrap_or_default();
        let _ = writeln!(ann, "{id}\t{} {role1}:{from} {role2}:{to}", r.kind);
        let mut meta = Note {
            id: (r.id != id).then_some(r.id.as_str().into()),
            ..Note::default()
        };
        let attrs = r
            .attributes
            .iter()
            // The R line holds the roles, unless they are the ones import assumes.
            .filter(|(k, _)| k.as_str() != ROLES_KEY || kept.is_none_or(|r| r == ("Arg1", "Arg2")))
            .map(|(k, v)| (k.clone(), v.clone()));
        extra_lines(&mut ann, &mut ids, id, attrs, &r.note, &mut meta, true);
        ids.meta(&mut ann, id, &meta);
    }
    for q in &data.equivalences {
        if let Some(members) = equivalence_line(q) {
            let _ = writeln!(ann, "*\t{} {}", q.kind, members.join(" "));
        }
    }
    let txt = match normalised {
        Some((d, _)) => d.text,
        None => doc.text.clone(),
    };
    BratFiles { txt, ann }
}
