//! Reading a brat `.txt` and `.ann` back into a document.

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
struct Pending<'a> {
    bid: &'a str,
    ann: Annotation,
    stance: Option<Stance>,
    claim_type: Option<ClaimType>,
    notes: Vec<&'a str>,
    meta: Option<note::Note<'a>>,
}

/// The text of a note's string field, owned.
fn owned<S: From<String> + for<'x> From<&'x str>>(s: Cow<'_, str>) -> S {
    match s {
        Cow::Borrowed(s) => s.into(),
        Cow::Owned(s) => s.into(),
    }
}

/// Reads one brat document. `tagset` says which labels are claims; `now` stamps
/// annotations that carry no timestamps of their own.
pub fn from_brat(txt: &str, ann: &str, tagset: &TagSet, now: &str) -> Imported {
    let (text, _) = NewlineMap::normalise(txt);
    let doc = Document::new("", text);
    let mut lost = Vec::new();
    let mut pend: Vec<Pending> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rels: Vec<(&str, &str, &str, &str)> = Vec::new();
    let mut rel_meta: HashMap<&str, Option<Cow<str>>> = HashMap::new();
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
                let spans: Option<Vec<Span>> = offs
                    .split(';')
                    .map(|p| {
                        let mut it = p.split_whitespace();
                        let s = it.next()?.parse().ok()?;
                        let e = it.next()?.parse().ok()?;
                        (s <= e).then(|| Span::new(s, e))
                    })
                    .collect();
                let Some(mut spans) = spans.filter(|s| !s.is_empty() && doc.spans_in_range(s)) else {
                    lost.push(format!(
                        "{id}: the offsets \"{offs}\" are not valid for the text; skipped"
                    ));
                    continue;
                };
                spans.sort();
                if spans.windows(2).any(|w| w[0].end > w[1].start) {
                    lost.push(format!("{id}: its fragments overlap; skipped"));
                    continue;
                }
                let (quote, prefix, suffix) = doc.selector(&spans);
                // The text field shows line breaks as spaces.
                if let Some(t) = tail
                    && !t
                        .bytes()
                        .eq(quote.bytes().map(|b| if b == b'\n' { b' ' } else { b }))
                {
                    lost.push(format!(
                        "{id}: its text field does not match the .txt at its offsets; offsets kept"
                    ));
                }
                // Entity until every line is read; claim-ness is decided at the end.
                let kind = Kind::entity();
                index.insert(id, pend.len());
                pend.push(Pending {
                    bid: id,
                    ann: Annotation::new(id.into(), spans, (quote, prefix, suffix), label, kind, "", now),
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
                let arg = |i: usize| args.get(i).and_then(|a| a.split_once(':')).map(|(_, t)| t);
                match (arg(0), arg(1), args.len()) {
                    (Some(a), Some(b), 2) => rels.push((id, kind, a, b)),
                    _ => lost.push(format!(
                        "{id}: relation \"{mid}\" does not have two arguments; skipped"
                    )),
                }
                if args
                    .iter()
                    .take(2)
                    .zip(["Arg1:", "Arg2:"])
                    .any(|(a, role)| !a.starts_with(role))
                {
                    lost.push(format!(
                        "{id}: its argument roles are written back as Arg1 and Arg2"
                    ));
                }
            }
            Some('A' | 'M' | 'N' | '#') => deferred.push(l),
            Some('E') => lost.push(format!(
                "{id}: events are not supported; its trigger is kept as a text annotation"
            )),
            Some('*') => lost.push(format!("{id}: equivalences (*) are not supported; skipped")),
            _ => lost.push(format!("{id}: unknown line type; skipped")),
        }
    }
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
        if id.starts_with('#') && ty == META_NOTE && target.starts_with('R') {
            match note::parse(tail) {
                Ok(n) => {
                    rel_meta.insert(target, n.id);
                }
                Err(e) => lost.push(format!(
                    "{id}: the Marginalia note of {target} cannot be read ({e}); its relation keeps its brat id"
                )),
            }
            continue;
        }
        let Some(&pi) = index.get(target) else {
            lost.push(format!(
                "{id}: it refers to {target}, which is not a kept text annotation; skipped"
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
    let mut data = DocAnnotations::default();
    data.annotations.reserve_exact(pend.len());
    let mut final_id: HashMap<&str, AnnId> = HashMap::with_capacity(pend.len());
    let mut meta_rels: Vec<(AnnId, note::NoteRelation)> = Vec::new();
    for p in pend {
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
        a.orphaned = meta.orphaned;
        a.extra.extend(meta.extra.into_owned());
        a.attributes.extend(meta.attributes);
        if let Some(c) = meta.canonical {
            a.kind = Kind::Entity {
                canonical: Some(owned(c)),
            };
        }
        // Our own note says what the annotation is; plain brat data goes by label and attributes.
        let is_claim = if has_meta {
            meta.kind.as_deref() == Some("claim")
        } else {
            p.stance.is_some()
                || p.claim_type.is_some()
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
                let span = Span::new(c.start, c.end);
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
                stance: p.stance.unwrap_or_default(),
                claim_type: p.claim_type.unwrap_or_default(),
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
        }
        for r in meta.relations {
            meta_rels.push((a.id.clone(), r));
        }
        final_id.insert(p.bid, a.id.clone());
        data.annotations.push(a);
    }
    for (id, kind, from, to) in rels {
        match (final_id.get(from), final_id.get(to)) {
            (Some(f), Some(t)) => {
                let rid = match rel_meta.get(id) {
                    Some(Some(rid)) => rid.as_ref().into(),
                    _ => id.into(),
                };
                data.relations.push(Relation {
                    id: rid,
                    from: f.clone(),
                    to: Target {
                        doc: None,
                        id: t.clone(),
                    },
                    kind: kind.to_owned(),
                });
            }
            _ => lost.push(format!(
                "{id}: relation between {from} and {to}, which are not both kept text annotations; skipped"
            )),
        }
    }
    for (from, r) in meta_rels {
        data.relations.push(Relation {
            id: owned(r.id),
            from,
            to: Target {
                doc: r.to_doc.map(owned),
                id: owned(r.to),
            },
            kind: owned(r.kind),
        });
    }
    data.sort();
    Imported { doc, data, lost }
}
