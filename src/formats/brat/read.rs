//! Reading a brat `.txt` and `.ann` back into a document.
//!
//! The lines are read in two passes: `T`, `E`, `R` and `*` lines first, then
//! the `A`, `M`, `N` and `#` lines that refer to them, whatever their order in
//! the file. Events, relations and equivalences are put together last
//! (`links.rs`), once every id they may name is known.

use super::links::{self, Extras, PendingEvent, PendingRelation};
use super::*;

/// A document read from brat files.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The text, newlines normalised to LF, with its hash (the path is left empty).
    pub doc: Document,
    /// Its annotations.
    pub data: DocAnnotations,
    /// What could not be kept, one plain sentence each (with the brat line id).
    pub lost: Vec<String>,
}

/// A `T` line read, waiting for the lines that refer to it. Everything but the
/// annotation is borrowed from the `.ann` text.
pub(super) struct Pending<'a> {
    pub bid: &'a str,
    pub ann: Annotation,
    pub stance: Option<Stance>,
    pub claim_type: Option<ClaimType>,
    pub notes: Vec<&'a str>,
    pub meta: Option<note::Note<'a>>,
}

/// The text of a note's string field, owned.
pub(super) fn owned<S: From<String> + for<'x> From<&'x str>>(s: Cow<'_, str>) -> S {
    match s {
        Cow::Borrowed(s) => s.into(),
        Cow::Owned(s) => s.into(),
    }
}

/// The fragments of a `T` line's offsets field (`start end;start end`),
/// moved back by `shift` (a byte-order mark that brat counts and the text
/// leaves out), sorted; `None` when they are not numbers in order.
fn parse_fragments(offs: &str, shift: usize) -> Option<Vec<Span>> {
    let mut spans = offs
        .split(';')
        .map(|p| {
            let mut it = p.split_whitespace();
            let s: usize = it.next()?.parse().ok()?;
            let e: usize = it.next()?.parse().ok()?;
            (s <= e && it.next().is_none())
                .then(|| Span::new(s.saturating_sub(shift), e.saturating_sub(shift)))
        })
        .collect::<Option<Vec<Span>>>()?;
    spans.sort();
    Some(spans)
}

/// True when a `T` line's text field is what brat requires: the fragments'
/// texts joined by one space. Exports before line breaks cut fragments wrote
/// a break inside one as a space, which is accepted too.
fn text_matches(doc: &Document, fragments: &[Span], field: &str) -> bool {
    let mut want = String::with_capacity(field.len());
    for (i, f) in fragments.iter().enumerate() {
        if i > 0 {
            want.push(' ');
        }
        want.push_str(doc.slice(*f));
    }
    field == want
        || field
            .chars()
            .eq(want.chars().map(|c| if is_line_break(c) { ' ' } else { c }))
}

/// Reads one brat document. `tagset` says which labels are claims; `now` stamps
/// annotations that carry no timestamps of their own.
pub fn from_brat(txt: &str, ann: &str, tagset: &TagSet, now: &str) -> Imported {
    let (mut text, _) = NewlineMap::normalise(txt);
    // brat reads the text as UTF-8 without dropping a byte-order mark, so its
    // offsets count one; Marginalia's text has none.
    let shift = usize::from(text.starts_with('\u{feff}'));
    if shift == 1 {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let ann = ann.strip_prefix('\u{feff}').unwrap_or(ann);
    let doc = Document::new("", text);
    let mut lost = Vec::new();
    let mut pend: Vec<Pending> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut events: Vec<PendingEvent> = Vec::new();
    let mut rels: Vec<PendingRelation> = Vec::new();
    let mut equivalences: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut deferred: Vec<&str> = Vec::new();
    for raw in ann.lines() {
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let mut cols = l.splitn(3, '\t');
        let id = cols.next().unwrap_or("");
        let mid = cols.next().unwrap_or("");
        let tail = cols.next();
        match id.chars().next() {
            Some('T') => {
                let Some((label, offs)) = mid.split_once(' ') else {
                    lost.push(format!("{id}: the line has no offsets; skipped"));
                    continue;
                };
                let Some(fragments) =
                    parse_fragments(offs, shift).filter(|s| !s.is_empty() && doc.spans_in_range(s))
                else {
                    lost.push(format!(
                        "{id}: the offsets \"{offs}\" are not valid for the text; skipped"
                    ));
                    continue;
                };
                if fragments.windows(2).any(|w| w[0].end > w[1].start) {
                    lost.push(format!("{id}: its fragments overlap; skipped"));
                    continue;
                }
                if let Some(t) = tail
                    && !text_matches(&doc, &fragments, t)
                {
                    lost.push(format!(
                        "{id}: its text field does not match the .txt at its offsets; offsets kept"
                    ));
                }
                // Fragments cut at line breaks (as brat cuts a selection across lines) are one span.
                let spans = join_fragments(&doc, &fragments);
                let selector = doc.selector(&spans);
                // Entity until every line is read; claim-ness is decided at the end.
                index.insert(id, pend.len());
                pend.push(Pending {
                    bid: id,
                    ann: Annotation::new(id.into(), spans, selector, label, Kind::entity(), "", now),
                    stance: None,
                    claim_type: None,
                    notes: Vec::new(),
                    meta: None,
                });
            }
            Some('R') => {
                let mut it = mid.split_whitespace();
                let kind = it.next().unwrap_or("");
                let args: SmallVec<[&str; 2]> = it.collect();
                let arg = |i: usize| args.get(i).and_then(|a| a.split_once(':'));
                match (arg(0), arg(1), args.len()) {
                    (Some(a), Some(b), 2) => rels.push(PendingRelation {
                        bid: id,
                        kind,
                        roles: (a.0, b.0),
                        from: a.1,
                        to: b.1,
                        extras: Extras::default(),
                    }),
                    _ => lost.push(format!(
                        "{id}: relation \"{mid}\" does not have two arguments; skipped"
                    )),
                }
            }
            Some('E') => {
                let mut it = mid.split_whitespace();
                let Some((kind, trigger)) = it.next().and_then(|t| t.split_once(':')) else {
                    lost.push(format!(
                        "{id}: the event \"{mid}\" does not begin with Type:Trigger; skipped"
                    ));
                    continue;
                };
                let mut args = Vec::new();
                for a in it {
                    match a.split_once(':') {
                        Some(pair) => args.push(pair),
                        None => lost.push(format!(
                            "{id}: the argument \"{a}\" is not Role:Id; left out of the event"
                        )),
                    }
                }
                events.push(PendingEvent {
                    bid: id,
                    kind,
                    trigger,
                    args,
                    extras: Extras::default(),
                });
            }
            Some('*') => {
                let mut it = mid.split_whitespace();
                match it.next() {
                    Some(kind) => equivalences.push((kind, it.collect())),
                    None => lost.push(format!("{id}: the equivalence has no type; skipped")),
                }
            }
            Some('A' | 'M' | 'N' | '#') => deferred.push(l),
            _ => lost.push(format!("{id}: unknown line type; skipped")),
        }
    }
    let event_index: HashMap<&str, usize> = events.iter().enumerate().map(|(i, e)| (e.bid, i)).collect();
    let rel_index: HashMap<&str, usize> = rels.iter().enumerate().map(|(i, r)| (r.bid, i)).collect();
    for l in deferred {
        let mut cols = l.splitn(3, '\t');
        let id = cols.next().unwrap_or("");
        let mid = cols.next().unwrap_or("");
        let tail = cols.next().unwrap_or("");
        let mut parts = mid.split_whitespace();
        let (Some(ty), Some(target)) = (parts.next(), parts.next()) else {
            lost.push(format!("{id}: the line has no target; skipped"));
            continue;
        };
        let extras = match (event_index.get(target), rel_index.get(target)) {
            (Some(&i), _) if !index.contains_key(target) => Some(&mut events[i].extras),
            (None, Some(&i)) if !index.contains_key(target) => Some(&mut rels[i].extras),
            _ => None,
        };
        if let Some(x) = extras {
            x.take(id, ty, target, parts, tail, &mut lost);
            continue;
        }
        let Some(&pi) = index.get(target) else {
            lost.push(format!(
                "{id}: it refers to {target}, which is not a kept annotation, event or relation; skipped"
            ));
            continue;
        };
        let p = &mut pend[pi];
        match id.chars().next() {
            Some('A' | 'M') => {
                let value = parts.collect::<SmallVec<[&str; 4]>>().join(" ");
                if ty == STANCE_ATTR
                    && let Some(s) = Stance::parse(&value)
                {
                    p.stance = Some(s);
                } else if ty == CLAIM_TYPE_ATTR
                    && let Some(t) = ClaimType::parse(&value)
                {
                    p.claim_type = Some(t);
                } else if p.ann.attributes.insert(ty.to_owned(), value).is_some() {
                    lost.push(format!(
                        "{id}: a second value of attribute {ty} on {target}; the last one is kept"
                    ));
                }
            }
            Some('N') => {
                let kb = parts.next().unwrap_or("");
                let has_canonical = matches!(&p.ann.kind, Kind::Entity { canonical: Some(_) });
                if ty == "Reference" && !has_canonical && matches!(p.ann.kind, Kind::Entity { .. }) {
                    let c = kb
                        .strip_prefix(OWN_KB)
                        .and_then(|k| k.strip_prefix(':'))
                        .unwrap_or(kb)
                        .to_owned();
                    if tail != c {
                        p.ann.attributes.insert(NORM_TEXT_KEY.to_owned(), tail.to_owned());
                    }
                    p.ann.kind = Kind::Entity { canonical: Some(c) };
                } else {
                    p.ann
                        .attributes
                        .insert(format!("{EXTRA_NORM_PREFIX}{ty} {kb}"), tail.to_owned());
                }
            }
            _ => {
                if ty == META_NOTE {
                    match note::parse(tail) {
                        Ok(n) => p.meta = Some(n),
                        Err(e) => lost.push(format!(
                            "{id}: the Marginalia note of {target} cannot be read ({e}); skipped"
                        )),
                    }
                } else if ty == "AnnotatorNotes" {
                    p.notes.push(tail);
                } else {
                    let key = format!("{OTHER_NOTE_PREFIX}{ty}");
                    let e = p.ann.attributes.get_or_insert_default(key);
                    if !e.is_empty() {
                        e.push('\n');
                    }
                    e.push_str(tail);
                }
            }
        }
    }
    // A trigger's own note rides on its first event's note.
    for e in &mut events {
        if let Some(t) = e.extras.meta.as_mut().and_then(|m| m.trigger.take())
            && let Some(&pi) = index.get(e.trigger)
            && pend[pi].meta.is_none()
        {
            pend[pi].meta = Some(*t);
        }
    }
    let mut data = DocAnnotations::default();
    data.annotations.reserve_exact(pend.len());
    let mut final_id: HashMap<&str, AnnId> = HashMap::with_capacity(pend.len());
    let mut meta_rels: Vec<(AnnId, note::NoteRelation)> = Vec::new();
    for p in pend {
        let (bid, a, rels_of) = finish_annotation(p, &doc, tagset, shift, &mut data, &mut lost);
        meta_rels.extend(rels_of.into_iter().map(|r| (a.id.clone(), r)));
        final_id.insert(bid, a.id.clone());
        data.annotations.push(a);
    }
    links::finish(
        links::Read {
            events,
            rels,
            equivalences,
            final_id,
            meta_rels,
        },
        &mut data,
        &mut lost,
    );
    data.sort();
    Imported { doc, data, lost }
}

/// Makes the annotation of a `T` line once every line is read: its Marginalia
/// note applied, claim or entity decided. Gives its brat id, the annotation,
/// and the relations its note holds; document fields of the note go into `data`.
fn finish_annotation<'a>(
    p: Pending<'a>,
    doc: &Document,
    tagset: &TagSet,
    shift: usize,
    data: &mut DocAnnotations,
    lost: &mut Vec<String>,
) -> (&'a str, Annotation, Vec<note::NoteRelation<'a>>) {
    let mut a = p.ann;
    a.note = p.notes.join("\n");
    // With no note (or one that is not an object) plain brat rules apply.
    let has_meta = p.meta.is_some();
    let meta = p.meta.unwrap_or_default();
    if let Some(id) = meta.id {
        a.id = owned(id);
    }
    if let Some(v) = meta.label {
        a.label = owned(v);
    }
    if let Some(v) = meta.annotator {
        a.annotator = owned(v);
    }
    if let Some(v) = meta.created {
        a.created = owned(v);
    }
    if let Some(v) = meta.modified {
        a.modified = owned(v);
    }
    if let Some(spans) = meta.spans {
        let spans: Vec<Span> = spans
            .into_iter()
            .map(|(s, e)| Span::new(s.saturating_sub(shift), e.saturating_sub(shift)))
            .collect();
        let ordered = spans.windows(2).all(|w| w[0].end <= w[1].start);
        if !spans.is_empty() && ordered && doc.spans_in_range(&spans) {
            let (quote, prefix, suffix) = doc.selector(&spans);
            (a.quote, a.prefix, a.suffix) = (quote, prefix, suffix);
            a.spans = spans.into();
        } else {
            lost.push(format!(
                "{}: the spans in its Marginalia note do not fit the text; its brat offsets are kept",
                p.bid
            ));
        }
    }
    a.orphaned = meta.orphaned;
    a.origin = meta
        .origin
        .as_deref()
        .and_then(crate::model::suggest::Origin::parse);
    a.extra.extend(meta.extra.into_owned());
    a.attributes.extend(meta.attributes);
    if let Some(c) = meta.canonical {
        a.kind = Kind::Entity {
            canonical: Some(owned(c)),
        };
    }
    let stance = p.stance.or(meta.stance.as_deref().and_then(Stance::parse));
    let claim_type = p
        .claim_type
        .or(meta.claim_type.as_deref().and_then(ClaimType::parse));
    // Our own note says what the annotation is; plain brat data goes by label and attributes.
    let is_claim = if has_meta {
        meta.kind.as_deref() == Some("claim")
    } else {
        stance.is_some()
            || claim_type.is_some()
            || tagset.label(&a.label).is_some_and(|l| l.kind == LabelKind::Claim)
    };
    if is_claim {
        if let Kind::Entity { canonical: Some(c) } = &a.kind {
            // A claim has no canonical id: keep the normalisation as an extra N line.
            let own = c.strip_prefix(OWN_KB).is_some_and(|k| k.starts_with(':'));
            let kb = if c.contains(':') && !own {
                c.clone()
            } else {
                format!("{OWN_KB}:{c}")
            };
            let text = a.attributes.remove(NORM_TEXT_KEY).unwrap_or_else(|| c.clone());
            a.attributes
                .insert(format!("{EXTRA_NORM_PREFIX}Reference {kb}"), text);
        }
        let cue = meta.cue.map(|c| {
            let span = Span::new(c.start.saturating_sub(shift), c.end.saturating_sub(shift));
            let quote = c.text.map_or_else(|| doc.slice(span).into(), owned);
            Cue { span, quote }
        });
        let speaker = match meta.speaker {
            None => Speaker::Unknown,
            Some(note::NoteSpeaker::Author) => Speaker::Author,
            Some(note::NoteSpeaker::Entity(id)) => Speaker::Entity(owned(id)),
        };
        a.kind = Kind::Claim(Box::new(Claim {
            speaker,
            cue,
            stance: stance.unwrap_or_default(),
            claim_type: claim_type.unwrap_or_default(),
            proposition: meta.proposition.map(owned),
            value: None,
        }));
    }
    if let Some(n) = meta.note {
        a.note = owned(n);
    }
    if let Some(d) = meta.doc {
        if let Some(st) = Status::parse(&d.status) {
            data.status = st;
        }
        data.extra.extend(d.extra.into_owned());
        data.events.extend(d.events);
        data.equivalences.extend(d.equivalences);
        data.relations.extend(d.relations);
    }
    (p.bid, a, meta.relations)
}
