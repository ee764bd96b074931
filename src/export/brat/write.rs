//! Writing a document as brat's `.txt` and `.ann`.

use super::*;

/// Writes the `start end;start end` field of a `T` line.
fn push_spans(out: &mut String, spans: &[Span]) {
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        json_text::number(out, s.start);
        out.push(' ');
        json_text::number(out, s.end);
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
        ann.push(kind);
        json_text::number(ann, *n);
        ann.push('\t');
    }

    /// A whole line of `kind` with `body`.
    fn line(&mut self, ann: &mut String, kind: char, body: &str) {
        self.start(ann, kind);
        ann.push_str(body);
        ann.push('\n');
    }
}

/// The `# Marginalia` note of one annotation: a JSON object, written as
/// `serde_json` writes one (keys in byte order, compact), which the importer
/// reads back. Each field is set only when brat has no place for it.
#[derive(Default)]
pub(super) struct Meta<'a> {
    pub(super) annotator: &'a str,
    pub(super) attributes: BTreeMap<String, String>,
    pub(super) canonical: Option<&'a str>,
    pub(super) created: &'a str,
    /// (start, end, text) of a claim's cue, on the brat text.
    pub(super) cue: Option<(usize, usize, &'a str)>,
    pub(super) doc: Option<(&'a str, &'a BTreeMap<String, String>)>,
    pub(super) extra: Option<&'a BTreeMap<String, String>>,
    pub(super) id: Option<&'a str>,
    pub(super) claim: bool,
    pub(super) label: Option<&'a str>,
    pub(super) modified: &'a str,
    pub(super) note: Option<&'a str>,
    pub(super) orphaned: bool,
    pub(super) proposition: Option<&'a str>,
    pub(super) relations: Vec<&'a Relation>,
    pub(super) speaker: Option<&'a Speaker>,
}

impl Meta<'_> {
    pub(super) fn write(&self, out: &mut String) {
        use crate::export::json::{self, Object};
        let string_map = |out: &mut String, m: &BTreeMap<String, String>| {
            let mut o = Object::open(out);
            for (k, v) in m {
                o.entry(k, v);
            }
            o.close();
        };
        let mut o = Object::open(out);
        json::string(o.key("annotator"), self.annotator);
        if !self.attributes.is_empty() {
            string_map(o.key("attributes"), &self.attributes);
        }
        if let Some(c) = self.canonical {
            json::string(o.key("canonical"), c);
        }
        json::string(o.key("created"), self.created);
        if let Some((start, end, text)) = self.cue {
            let mut c = Object::open(o.key("cue"));
            json::number(c.key("end"), end);
            json::number(c.key("start"), start);
            json::string(c.key("text"), text);
            c.close();
        }
        if let Some((status, extra)) = self.doc {
            let mut d = Object::open(o.key("doc"));
            string_map(d.key("extra"), extra);
            json::string(d.key("status"), status);
            d.close();
        }
        if let Some(extra) = self.extra {
            string_map(o.key("extra"), extra);
        }
        if let Some(id) = self.id {
            json::string(o.key("id"), id);
        }
        if self.claim {
            json::string(o.key("kind"), "claim");
        }
        if let Some(label) = self.label {
            json::string(o.key("label"), label);
        }
        json::string(o.key("modified"), self.modified);
        if let Some(note) = self.note {
            json::string(o.key("note"), note);
        }
        if self.orphaned {
            json::boolean(o.key("orphaned"), true);
        }
        if let Some(p) = self.proposition {
            json::string(o.key("proposition"), p);
        }
        if !self.relations.is_empty() {
            json::array(o.key("relations"), &self.relations, |out, r| {
                let mut e = Object::open(out);
                json::string(e.key("id"), &r.id);
                json::string(e.key("to"), &r.to.id);
                json::opt_string(e.key("to_doc"), r.to.doc.as_deref());
                json::string(e.key("type"), &r.kind);
                e.close();
            });
        }
        match self.speaker {
            None | Some(Speaker::Unknown) => {}
            Some(Speaker::Author) => json::string(o.key("speaker"), "author"),
            Some(Speaker::Entity(id)) => {
                let mut e = Object::open(o.key("speaker"));
                json::string(e.key("entity"), id);
                e.close();
            }
        }
        o.close();
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
        let mut meta = Meta {
            annotator: &a.annotator,
            created: &a.created,
            modified: &a.modified,
            label: (*label != *a.label).then_some(a.label.as_str()),
            id: (a.id != bid).then_some(a.id.as_str()),
            orphaned: a.orphaned,
            extra: (!a.extra.is_empty()).then_some(&a.extra),
            ..Meta::default()
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
                        meta.canonical = Some(c);
                    }
                }
                if norm_text.is_some() && canonical.as_ref().is_none_or(|c| !is_token(c)) {
                    hidden.insert(NORM_TEXT_KEY.to_owned(), norm_text.unwrap_or_default());
                }
            }
            Kind::Claim(c) => {
                meta.claim = true;
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
                meta.speaker = Some(&c.speaker);
                if let Some(cue) = &c.cue {
                    let s = map.span(cue.span);
                    meta.cue = Some((s.start, s.end, &cue.quote));
                }
                meta.proposition = c.proposition.as_deref();
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
                meta.note = Some(&a.note);
            } else {
                for l in a.note.split('\n') {
                    ids.line(&mut ann, '#', &format!("AnnotatorNotes {bid}\t{l}"));
                }
            }
        }
        if let Some(rels) = out_rel.remove(a.id.as_str()) {
            meta.relations = rels;
        }
        if i == 0 && (data.status != Status::default() || !data.extra.is_empty()) {
            meta.doc = Some((data.status.key(), &data.extra));
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
            ids.line(
                &mut ann,
                '#',
                &format!("{META_NOTE} {id}\t{}", json!({"id": r.id})),
            );
        }
    }
    let txt = match normalised {
        Some((d, _)) => d.text,
        None => doc.text.clone(),
    };
    BratFiles { txt, ann }
}
