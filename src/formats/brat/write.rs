//! Writing a document as brat's `.txt` and `.ann`.

use std::fmt::Write as _;

use super::note::{Note, NoteCue, NoteDoc, NoteRelation, NoteSpeaker};
use super::*;

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
    let local_rel: Vec<&Relation> = data
        .relations
        .iter()
        .filter(|r| {
            r.to.doc.is_none()
                && tid.contains_key(r.from.as_str())
                && tid.contains_key(r.to.id.as_str())
                && is_token(&r.kind)
        })
        .collect();
    let rid = assign_ids(local_rel.iter().map(|r| r.id.as_str()), 'R');
    // About 330 bytes per annotation: its T line and its note.
    let mut ann = String::with_capacity(data.annotations.len() * 384);
    let mut ids = LineIds::default();
    let mut out_rel: HashMap<&str, Vec<&Relation>> = HashMap::new();
    for r in &data.relations {
        if !local_rel.iter().any(|l| std::ptr::eq(*l, r)) {
            out_rel.entry(r.from.as_str()).or_default().push(r);
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    for (i, a) in data.annotations.iter().enumerate() {
        let bid = tid[a.id.as_str()].as_str();
        spans.clear();
        spans.extend(a.spans.iter().map(|s| map.span(*s)));
        let label = brat_type_cow(&a.label);
        ann.push_str(bid);
        ann.push('\t');
        ann.push_str(&label);
        ann.push(' ');
        push_spans(&mut ann, &spans);
        ann.push('\t');
        for (k, s) in spans.iter().enumerate() {
            if k > 0 {
                ann.push(' ');
            }
            let text = ndoc.slice(*s);
            if text.contains('\n') {
                ann.push_str(&text.replace('\n', " "));
            } else {
                ann.push_str(text);
            }
        }
        ann.push('\n');
        let mut meta = Note {
            annotator: Some(a.annotator.as_str().into()),
            created: Some(a.created.as_str().into()),
            modified: Some(a.modified.as_str().into()),
            label: (*label != *a.label).then_some(a.label.as_str().into()),
            id: (a.id != bid).then_some(a.id.as_str().into()),
            orphaned: a.orphaned,
            extra: Cow::Borrowed(&a.extra),
            ..Note::default()
        };
        let mut attrs = a.attributes.clone();
        let norm_text = attrs.remove(NORM_TEXT_KEY);
        let hidden = &mut meta.attributes;
        match &a.kind {
            Kind::Entity { canonical } => {
                if let Some(c) = canonical {
                    if is_token(c) {
                        // Ids without a knowledge base (and ids that look like ours) get our prefix, which import strips.
                        let kb = if c.contains(':') && !c.starts_with(&format!("{OWN_KB}:")) {
                            c.clone()
                        } else {
                            format!("{OWN_KB}:{c}")
                        };
                        // The N text is one line; a multi-line one travels in the note instead.
                        let t = match &norm_text {
                            Some(t) if !t.contains(['\n', '\r']) => t.clone(),
                            _ => c.clone(),
                        };
                        ids.line(&mut ann, 'N', &format!("Reference {bid} {kb}\t{t}"));
                        // Import only keeps an N text that differs from the id, so keep the others here.
                        if norm_text.is_some() && t == *c {
                            hidden.insert(NORM_TEXT_KEY.to_owned(), norm_text.clone().unwrap_or_default());
                        }
                    } else {
                        meta.canonical = Some(c.into());
                    }
                }
                if norm_text.is_some() && canonical.as_ref().is_none_or(|c| !is_token(c)) {
                    hidden.insert(NORM_TEXT_KEY.to_owned(), norm_text.unwrap_or_default());
                }
            }
            Kind::Claim(c) => {
                meta.kind = Some("claim".into());
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
                    hidden.insert(NORM_TEXT_KEY.to_owned(), t);
                }
            }
        }
        for (k, v) in attrs {
            if let Some(rest) = k.strip_prefix(EXTRA_NORM_PREFIX)
                && let Some((ty, kb)) = rest.split_once(' ')
                && is_token(ty)
                && is_token(kb)
                && kb.contains(':')
                && !v.contains('\n')
            {
                ids.line(&mut ann, 'N', &format!("{ty} {bid} {kb}\t{v}"));
            } else if let Some(ty) = k.strip_prefix(OTHER_NOTE_PREFIX)
                && is_token(ty)
                && ty != META_NOTE
                && ty != "AnnotatorNotes"
                && !v.contains('\r')
            {
                for piece in v.split('\n') {
                    ids.line(&mut ann, '#', &format!("{ty} {bid}\t{piece}"));
                }
            } else if is_token(&k)
                && (v.is_empty() || is_token(&v))
                && k != STANCE_ATTR
                && k != CLAIM_TYPE_ATTR
                && !k.starts_with("brat:")
            {
                let sep = if v.is_empty() { "" } else { " " };
                ids.line(&mut ann, 'A', &format!("{k} {bid}{sep}{v}"));
            } else {
                meta.attributes.insert(k, v);
            }
        }
        if !a.note.is_empty() {
            if a.note.contains('\r') {
                // A note line cannot hold a CR: the JSON note keeps it whole.
                meta.note = Some(a.note.as_str().into());
            } else {
                for l in a.note.split('\n') {
                    ids.line(&mut ann, '#', &format!("AnnotatorNotes {bid}\t{l}"));
                }
            }
        }
        if let Some(rels) = out_rel.remove(a.id.as_str()) {
            meta.relations = rels
                .into_iter()
                .map(|r| NoteRelation {
                    id: r.id.as_str().into(),
                    to: r.to.id.as_str().into(),
                    to_doc: r.to.doc.as_deref().map(Cow::from),
                    kind: r.kind.as_str().into(),
                })
                .collect();
        }
        if i == 0 && (data.status != Status::default() || !data.extra.is_empty()) {
            meta.doc = Some(NoteDoc {
                extra: Cow::Borrowed(&data.extra),
                status: data.status.key().into(),
            });
        }
        ids.start(&mut ann, '#');
        ann.push_str(META_NOTE);
        ann.push(' ');
        ann.push_str(bid);
        ann.push('\t');
        meta.write(&mut ann);
        ann.push('\n');
    }
    for r in local_rel {
        let id = &rid[r.id.as_str()];
        ann.push_str(&format!(
            "{id}\t{} Arg1:{} Arg2:{}\n",
            r.kind,
            tid[r.from.as_str()],
            tid[r.to.id.as_str()]
        ));
        if r.id != id {
            let mut note = format!("{META_NOTE} {id}\t");
            Note {
                id: Some(r.id.as_str().into()),
                ..Note::default()
            }
            .write(&mut note);
            ids.line(&mut ann, '#', &note);
        }
    }
    let txt = match normalised {
        Some((d, _)) => d.text,
        None => doc.text.clone(),
    };
    BratFiles { txt, ann }
}
