//! brat standoff: `X.txt` + `X.ann`, and `annotation.conf` from the tag set.
//!
//! brat reads `.txt` files with universal newlines, so CRLF counts as one
//! character there. Export writes LF-only text and maps every offset onto it;
//! import normalises CRLF and lone CR to LF the same way, so offsets in `.ann`
//! files always refer to the text as brat sees it.
//!
//! Mapping (see `docs/formats.md`): entities and claims are `T` lines; free
//! attributes whose key and value hold no white space are `A` lines; claims
//! get `A Stance` and `A ClaimType`; canonical ids are `N Reference` lines;
//! notes are `# AnnotatorNotes` lines (one per note line); same-document
//! relations are `R` lines. Whatever brat has no place for (Marginalia ids
//! that are not `T<n>`, annotator, timestamps, speaker, cue, proposition,
//! status, other attributes) travels in one `# Marginalia` note per
//! annotation holding a JSON object, which the importer reads back.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use smallvec::SmallVec;

use serde_json::json;

use crate::export::json as json_text;

use crate::model::{
    AnnId, Annotation, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, LabelDef, LabelKind, Relation,
    Span, Speaker, Stance, Status, TagSet, Target, tagset::AttributeDef, tagset::NAMED_COLOURS,
};

mod note;

/// Note type of the JSON note carrying Marginalia-only fields.
pub const META_NOTE: &str = "Marginalia";
/// Attribute name of a claim's stance.
pub const STANCE_ATTR: &str = "Stance";
/// Attribute name of a claim's type.
pub const CLAIM_TYPE_ATTR: &str = "ClaimType";
/// Attribute key keeping the text of a brat `N Reference` line when it differs from the id.
pub const NORM_TEXT_KEY: &str = "brat:norm_text";
/// Prefix of attribute keys keeping further `N` lines: `brat:N <type> <kb:id>`.
pub const EXTRA_NORM_PREFIX: &str = "brat:N ";
/// Prefix of attribute keys keeping notes of other types than AnnotatorNotes: `brat:note <type>`.
pub const OTHER_NOTE_PREFIX: &str = "brat:note ";
/// Knowledge-base name given to canonical ids that have none.
const OWN_KB: &str = "Marginalia";

/// Offsets of a text before and after universal-newline normalisation.
#[derive(Clone, Debug, Default)]
pub struct NewlineMap {
    /// Code-point index (in the original text) of every LF that follows a CR.
    crlf_lf: Vec<usize>,
}

impl NewlineMap {
    /// Normalises CRLF and lone CR to LF, as brat and Python read text files.
    pub fn normalise(text: &str) -> (String, NewlineMap) {
        if memchr::memchr(b'\r', text.as_bytes()).is_none() {
            return (text.to_owned(), NewlineMap::default());
        }
        let mut out = String::with_capacity(text.len());
        let mut map = NewlineMap::default();
        let mut prev_cr = false;
        for (i, c) in text.chars().enumerate() {
            match c {
                '\r' => out.push('\n'),
                '\n' if prev_cr => map.crlf_lf.push(i),
                c => out.push(c),
            }
            prev_cr = c == '\r';
        }
        (out, map)
    }

    fn before(&self, i: usize) -> usize {
        self.crlf_lf.partition_point(|&p| p < i)
    }

    fn inside_pair(&self, i: usize) -> bool {
        self.crlf_lf.binary_search(&i).is_ok()
    }

    /// Maps a start offset; a start between CR and LF moves back onto the line break.
    pub fn start(&self, i: usize) -> usize {
        let k = self.before(i);
        if self.inside_pair(i) { i - k - 1 } else { i - k }
    }

    /// Maps an end offset; an end between CR and LF moves past the line break.
    pub fn end(&self, i: usize) -> usize {
        i - self.before(i)
    }

    /// Maps a span.
    pub fn span(&self, s: Span) -> Span {
        Span::new(self.start(s.start), self.end(s.end))
    }
}

/// The two files of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BratFiles {
    /// The LF-only text.
    pub txt: String,
    /// The standoff annotations.
    pub ann: String,
}

fn brat_number(id: &str, prefix: char) -> Option<u64> {
    id.strip_prefix(prefix)?
        .parse()
        .ok()
        .filter(|_| id[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

/// Gives every item a brat id: its own when it already is `<prefix><n>` and unique, else a fresh one.
fn assign_ids<'a>(ids: impl Iterator<Item = &'a str> + Clone, prefix: char) -> HashMap<String, String> {
    let mut taken: BTreeSet<u64> = BTreeSet::new();
    let mut out = HashMap::new();
    for id in ids.clone() {
        if let Some(n) = brat_number(id, prefix)
            && taken.insert(n)
        {
            out.insert(id.to_owned(), id.to_owned());
        }
    }
    let mut next = 1;
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        while taken.contains(&next) {
            next += 1;
        }
        taken.insert(next);
        out.insert(id.to_owned(), format!("{prefix}{next}"));
    }
    out
}

/// A label or type as brat can hold it: white space (which separates brat fields) becomes `_`.
pub fn brat_type(name: &str) -> String {
    brat_type_cow(name).into_owned()
}

/// [`brat_type`], borrowed when the name is already one (nearly always).
fn brat_type_cow(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.is_empty() && !name.contains(char::is_whitespace) {
        return name.into();
    }
    let t = name.split_whitespace().collect::<Vec<_>>().join("_");
    if t.is_empty() { "_".into() } else { t.into() }
}

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
struct Meta<'a> {
    annotator: &'a str,
    attributes: BTreeMap<String, String>,
    canonical: Option<&'a str>,
    created: &'a str,
    /// (start, end, text) of a claim's cue, on the brat text.
    cue: Option<(usize, usize, &'a str)>,
    doc: Option<(&'a str, &'a BTreeMap<String, String>)>,
    extra: Option<&'a BTreeMap<String, String>>,
    id: Option<&'a str>,
    claim: bool,
    label: Option<&'a str>,
    modified: &'a str,
    note: Option<&'a str>,
    orphaned: bool,
    proposition: Option<&'a str>,
    relations: Vec<&'a Relation>,
    speaker: Option<&'a Speaker>,
}

impl Meta<'_> {
    fn write(&self, out: &mut String) {
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

/// `annotation.conf` for a tag set, plus any labels and relation types found in the data.
pub fn annotation_conf(tagset: &TagSet, labels: &BTreeSet<String>, relations: &BTreeSet<String>) -> String {
    let mut out = String::from("# Written by Marginalia from the corpus tag set.\n[entities]\n");
    let mut names: Vec<&str> = tagset.labels.iter().map(|l| l.name.as_str()).collect();
    for l in labels {
        if !names.contains(&l.as_str()) {
            names.push(l);
        }
    }
    names.dedup_by_key(|n| brat_type(n));
    for n in &names {
        out.push_str(&brat_type(n));
        out.push('\n');
    }
    out.push_str("\n[relations]\n");
    let mut rels: Vec<&str> = tagset.relations.iter().map(String::as_str).collect();
    for r in relations {
        if !rels.contains(&r.as_str()) {
            rels.push(r);
        }
    }
    for r in rels.iter().filter(|r| is_token(r)) {
        out.push_str(&format!("{r}\tArg1:<ENTITY>, Arg2:<ENTITY>\n"));
    }
    out.push_str("\n[events]\n\n[attributes]\n");
    // brat attribute names are global: merge the labels and values of equal names.
    let mut attrs: BTreeMap<&str, (Vec<String>, Vec<&str>)> = BTreeMap::new();
    for l in &tagset.labels {
        for a in &l.attributes {
            // No value list is declared as a brat binary attribute (`Name Arg:X`), the only
            // declaration brat has for an attribute without fixed values.
            if !is_token(&a.name) || a.values.iter().any(|v| !is_token(v)) {
                continue;
            }
            let e = attrs.entry(&a.name).or_default();
            e.0.push(brat_type(&l.name));
            for v in &a.values {
                if !e.1.contains(&v.as_str()) {
                    e.1.push(v);
                }
            }
        }
    }
    let claims: Vec<String> = tagset
        .labels
        .iter()
        .filter(|l| l.kind == LabelKind::Claim)
        .map(|l| brat_type(&l.name))
        .collect();
    if !claims.is_empty() {
        let stances: Vec<&str> = Stance::ALL.iter().map(|s| s.as_str()).collect();
        let types: Vec<&str> = ClaimType::ALL.iter().map(|s| s.as_str()).collect();
        attrs.insert(STANCE_ATTR, (claims.clone(), stances));
        attrs.insert(CLAIM_TYPE_ATTR, (claims, types));
    }
    for (name, (args, values)) in attrs {
        if values.is_empty() {
            out.push_str(&format!("{name}\tArg:{}\n", args.join("|")));
        } else {
            out.push_str(&format!(
                "{name}\tArg:{}, Value:{}\n",
                args.join("|"),
                values.join("|")
            ));
        }
    }
    out
}

/// Reads `annotation.conf` into a tag set; labels seen only in the data are added by the caller.
/// Labels carrying a `Stance` attribute become claim labels.
pub fn tagset_from_conf(conf: &str) -> TagSet {
    let mut section = String::new();
    let mut labels: Vec<String> = Vec::new();
    let mut relations: Vec<String> = Vec::new();
    let mut attrs: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for raw in conf.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with('[') && l.ends_with(']') {
            section = l[1..l.len() - 1].trim().to_owned();
            continue;
        }
        let first = l
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches('!')
            .to_owned();
        if first.is_empty() || first.starts_with('<') {
            continue;
        }
        match section.as_str() {
            "entities" | "events" if !labels.contains(&first) => labels.push(first),
            "relations" if !relations.contains(&first) => relations.push(first),
            "attributes" => {
                let rest = l[l.find(char::is_whitespace).unwrap_or(l.len())..].trim();
                let mut args = Vec::new();
                let mut values = Vec::new();
                for part in rest.split(',') {
                    let part = part.trim();
                    if let Some(a) = part.strip_prefix("Arg:") {
                        args = a.split('|').map(|s| s.trim().to_owned()).collect();
                    } else if let Some(v) = part.strip_prefix("Value:") {
                        values = v.split('|').map(|s| s.trim().to_owned()).collect();
                    }
                }
                attrs.push((first, args, values));
            }
            _ => {}
        }
    }
    let claim_labels: Vec<String> = attrs
        .iter()
        .filter(|(n, _, _)| n == STANCE_ATTR || n == CLAIM_TYPE_ATTR)
        .flat_map(|(_, a, _)| a.clone())
        .collect();
    let mut set = TagSet {
        labels: Vec::new(),
        relations,
    };
    for name in labels {
        let kind = if claim_labels.contains(&name) {
            LabelKind::Claim
        } else {
            LabelKind::Entity
        };
        let attributes = attrs
            .iter()
            .filter(|(n, args, _)| {
                n != STANCE_ATTR
                    && n != CLAIM_TYPE_ATTR
                    && args
                        .iter()
                        .any(|a| a == &name || a == "<ENTITY>" || a == "<EVENT>")
            })
            .map(|(n, _, v)| AttributeDef {
                name: n.clone(),
                values: v.iter().map(|s| s.trim_start_matches('!').to_owned()).collect(),
            })
            .collect();
        add_label(&mut set, &name, kind, attributes);
    }
    set
}

/// Adds a label with the next colour and a free hotkey (1–9) if it is not there yet.
pub fn add_label(set: &mut TagSet, name: &str, kind: LabelKind, attributes: Vec<AttributeDef>) {
    if set.label(name).is_some() {
        return;
    }
    let n = set.labels.len();
    let hotkey = (1..=9)
        .map(|d: u32| d.to_string())
        .find(|k| set.labels.iter().all(|l| l.hotkey.as_deref() != Some(k.as_str())))
        .filter(|_| n < 9);
    set.labels.push(LabelDef {
        name: name.to_owned(),
        colour: NAMED_COLOURS[n % NAMED_COLOURS.len()].0.to_owned(),
        hotkey,
        kind,
        attributes,
        description: String::new(),
    });
}

/// Writes a tag set as RON that [`TagSet::parse`] reads back.
pub fn tagset_to_ron(set: &TagSet) -> String {
    let lit = |s: &str| ron::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from(
        "// Tag set made by `marginalia import` from brat's annotation.conf.\n(\n    labels: [\n",
    );
    for l in &set.labels {
        let attrs: Vec<String> = l
            .attributes
            .iter()
            .map(|a| {
                let vals: Vec<String> = a.values.iter().map(|v| lit(v)).collect();
                format!("(name: {}, values: [{}])", lit(&a.name), vals.join(", "))
            })
            .collect();
        out.push_str(&format!(
            "        (name: {}, colour: {}, hotkey: {}, kind: {}, description: {}, attributes: [{}]),\n",
            lit(&l.name),
            lit(&l.colour),
            l.hotkey
                .as_deref()
                .map_or("None".to_owned(), |h| format!("Some({})", lit(h))),
            match l.kind {
                LabelKind::Entity => "Entity",
                LabelKind::Claim => "Claim",
            },
            lit(&l.description),
            attrs.join(", ")
        ));
    }
    let rels: Vec<String> = set.relations.iter().map(|r| lit(r)).collect();
    out.push_str(&format!("    ],\n    relations: [{}],\n)\n", rels.join(", ")));
    out
}

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
            if let Ok(n) = note::parse(tail) {
                rel_meta.insert(target, n.and_then(|n| n.id));
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
                        Ok(n) => p.meta = n,
                        Err(_) => lost.push(format!(
                            "{id}: the Marginalia note of {target} is not valid JSON; skipped"
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
        a.orphaned = meta.orphaned.unwrap_or(false);
        a.extra.extend(meta.extra);
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
                let span = Span::new(c.start as usize, c.end as usize);
                let quote = c.text.map_or_else(|| doc.slice(span).into(), owned);
                Cue { span, quote }
            });
            let speaker = match meta.speaker {
                note::NoteSpeaker::Unknown => Speaker::Unknown,
                note::NoteSpeaker::Author => Speaker::Author,
                note::NoteSpeaker::Entity(id) => Speaker::Entity(owned(id)),
            };
            a.kind = Kind::Claim(Box::new(Claim {
                speaker,
                cue,
                stance: p.stance.unwrap_or_default(),
                claim_type: p.claim_type.unwrap_or_default(),
                proposition: meta.proposition.map(owned),
            }));
        }
        if let Some(n) = meta.note {
            a.note = owned(n);
        }
        if let Some(d) = meta.doc {
            if let Some(st) = d.status.as_deref().and_then(Status::parse) {
                data.status = st;
            }
            data.extra.extend(d.extra);
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// Text with what JSON must escape, and some that it must not.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(
                &[
                    "a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\u{1}", "é", "😀", "/", "\u{7f}",
                ][..],
            ),
            0..6,
        )
        .prop_map(|v| v.concat())
    }

    fn map() -> impl Strategy<Value = BTreeMap<String, String>> {
        proptest::collection::btree_map(text(), text(), 0..3)
    }

    proptest! {
        /// The note is the text serde_json gives its own value (keys in byte
        /// order, compact, the same escapes), which is how the importer and the
        /// exports before it wrote and read it.
        #[test]
        fn the_meta_note_is_serde_json_text(
            strings in proptest::collection::vec(text(), 8),
            attributes in map(),
            extra in map(),
            doc_extra in map(),
            flags in proptest::collection::vec(any::<bool>(), 10),
            numbers in (0usize..100_000, 0usize..100_000),
            speaker in 0..3u8,
        ) {
            let relations = [
                Relation {
                    id: strings[5].as_str().into(),
                    from: "x".into(),
                    to: Target { doc: flags[9].then(|| strings[6].clone()), id: strings[7].as_str().into() },
                    kind: strings[0].clone(),
                },
                Relation {
                    id: "r2".into(),
                    from: "x".into(),
                    to: Target { doc: None, id: "t".into() },
                    kind: "k".into(),
                },
            ];
            let speaker = match speaker {
                0 => Speaker::Unknown,
                1 => Speaker::Author,
                _ => Speaker::Entity(strings[4].as_str().into()),
            };
            let meta = Meta {
                annotator: &strings[0],
                attributes: attributes.clone(),
                canonical: flags[0].then_some(strings[1].as_str()),
                created: &strings[2],
                cue: flags[1].then_some((numbers.0, numbers.1, strings[3].as_str())),
                doc: flags[2].then_some(("done", &doc_extra)),
                extra: flags[3].then_some(&extra),
                id: flags[4].then_some(strings[4].as_str()),
                claim: flags[5],
                label: flags[6].then_some(strings[5].as_str()),
                modified: &strings[6],
                note: flags[7].then_some(strings[7].as_str()),
                orphaned: flags[8],
                proposition: flags[9].then_some(strings[1].as_str()),
                relations: relations.iter().take(usize::from(flags[0]) + usize::from(flags[1])).collect(),
                speaker: Some(&speaker),
            };
            let mut text = String::new();
            meta.write(&mut text);
            let value: Value = serde_json::from_str(&text).expect("valid JSON");
            prop_assert_eq!(value.to_string(), text.clone());
            prop_assert_eq!(value["annotator"].as_str(), Some(strings[0].as_str()));
            prop_assert_eq!(value.get("note").and_then(Value::as_str), meta.note);
            prop_assert_eq!(value.get("orphaned").is_some(), flags[8]);
        }
    }
}
