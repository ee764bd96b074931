//! Writing a REFI-QDA project: each document's part is rendered on a worker
//! thread ([`doc_part`]); [`ProjectWriter`] streams the sources into the zip
//! as they come and writes `project.qde` at the end, when the users, codes
//! and variables of the whole corpus are known.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{NAMESPACE, escape_into, guid, is_datetime, needs_note, note_text};
use crate::model::{Annotation, DocAnnotations, DocMeta, Document, LabelKind, Speaker, TagSet};

/// One document's share of a project, rendered on a worker thread.
#[derive(Debug, Default)]
pub struct DocPart {
    /// The source's file in the zip (`sources/<guid>.txt`) and its text.
    file: String,
    text: String,
    /// Its `TextSource` element.
    source_xml: String,
    /// Its annotations' `Note` elements.
    notes_xml: String,
    /// Its relations' `Link` elements.
    links_xml: String,
    /// Annotators, labels and metadata fields it uses.
    users: BTreeSet<String>,
    labels: BTreeMap<String, LabelKind>,
    fields: BTreeSet<&'static str>,
}

/// A small XML builder over a `String`: elements with escaped attributes.
struct Xml<'a>(&'a mut String);

impl Xml<'_> {
    /// Opens `<name a="v" …` (without the closing `>`); attributes with no value are left out.
    fn open(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.0.push('<');
        self.0.push_str(name);
        for (k, v) in attrs {
            if let Some(v) = v {
                self.0.push(' ');
                self.0.push_str(k);
                self.0.push_str("=\"");
                escape_into(self.0, v, true);
                self.0.push('"');
            }
        }
    }

    /// `<name …/>`.
    fn empty(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.open(name, attrs);
        self.0.push_str("/>\n");
    }

    /// `<name>text</name>`.
    fn text(&mut self, name: &str, text: &str) {
        self.0.push('<');
        self.0.push_str(name);
        self.0.push('>');
        escape_into(self.0, text, false);
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push_str(">\n");
    }
}

/// The GUID of an annotation's fragment `k`'s selection (0 for the first).
fn selection_guid(path: &str, id: &str, k: usize) -> String {
    guid(&["selection", path, id, &k.to_string()])
}

fn time(t: &str) -> Option<&str> {
    is_datetime(t).then_some(t)
}

/// Renders one document: its source text, `TextSource` with one
/// `PlainTextSelection` per fragment of each annotation (coded with its
/// label), the notes of annotations that need one, and its relations as links.
pub fn doc_part(doc: &Document, data: &DocAnnotations) -> DocPart {
    let path = doc.path.as_str();
    let source = guid(&["source", path]);
    let mut part = DocPart {
        file: format!("sources/{source}.txt"),
        text: doc.text.clone(),
        ..DocPart::default()
    };
    let mut sel = String::new();
    let mut notes = String::new();
    for a in &data.annotations {
        part.labels
            .entry(a.label.to_string())
            .or_insert(if a.kind.is_claim() {
                LabelKind::Claim
            } else {
                LabelKind::Entity
            });
        let user = (!a.annotator.is_empty()).then(|| {
            part.users.insert(a.annotator.to_string());
            guid(&["user", &a.annotator])
        });
        let note = needs_note(a).then(|| guid(&["note", path, &a.id]));
        if let Some(note) = &note {
            write_note(&mut notes, note, doc, data, a, user.as_deref());
        }
        let code = guid(&["code", &a.label]);
        for (k, span) in a.spans.iter().enumerate() {
            let g = selection_guid(path, &a.id, k);
            let (start, end) = (span.start.to_string(), span.end.to_string());
            let name = doc.slice(*span);
            let mut x = Xml(&mut sel);
            x.open(
                "PlainTextSelection",
                &[
                    ("guid", Some(&g)),
                    ("name", Some(name)),
                    ("startPosition", Some(&start)),
                    ("endPosition", Some(&end)),
                    ("creatingUser", user.as_deref()),
                    ("creationDateTime", time(&a.created)),
                    ("modifyingUser", user.as_deref()),
                    ("modifiedDateTime", time(&a.modified)),
                ],
            );
            x.0.push_str(">\n");
            if k == 0 && !a.note.is_empty() {
                x.text("Description", &a.note);
            }
            let coding = guid(&["coding", path, &a.id, &k.to_string()]);
            x.open(
                "Coding",
                &[
                    ("guid", Some(&coding)),
                    ("creatingUser", user.as_deref()),
                    ("creationDateTime", time(&a.created)),
                ],
            );
            x.0.push_str(">\n");
            x.empty("CodeRef", &[("targetGUID", Some(&code))]);
            x.0.push_str("</Coding>\n");
            if let Some(note) = &note {
                x.empty("NoteRef", &[("targetGUID", Some(note))]);
            }
            x.0.push_str("</PlainTextSelection>\n");
        }
    }
    let mut x = Xml(&mut part.source_xml);
    let plain = format!("internal://{source}.txt");
    x.open(
        "TextSource",
        &[
            ("guid", Some(&source)),
            ("name", Some(path)),
            ("plainTextPath", Some(&plain)),
        ],
    );
    x.0.push_str(">\n");
    x.0.push_str(&sel);
    for field in DocMeta::FIELDS {
        let value = data.meta.get(field).unwrap_or("");
        if value.is_empty() {
            continue;
        }
        part.fields.insert(field);
        x.0.push_str("<VariableValue>\n");
        x.empty(
            "VariableRef",
            &[("targetGUID", Some(&guid(&["variable", field])))],
        );
        x.text("TextValue", value);
        x.0.push_str("</VariableValue>\n");
    }
    x.0.push_str("</TextSource>\n");
    part.notes_xml = notes;
    for r in &data.relations {
        let to_doc = r.to.doc.as_deref().unwrap_or(path);
        let mut x = Xml(&mut part.links_xml);
        x.empty(
            "Link",
            &[
                ("guid", Some(&guid(&["link", path, &r.id]))),
                ("name", Some(&r.kind)),
                ("direction", Some("OneWay")),
                ("originGUID", Some(&selection_guid(path, &r.from, 0))),
                ("targetGUID", Some(&selection_guid(to_doc, &r.to.id, 0))),
            ],
        );
    }
    part
}

fn write_note(
    out: &mut String,
    note: &str,
    doc: &Document,
    data: &DocAnnotations,
    a: &Annotation,
    user: Option<&str>,
) {
    let speaker = match a.claim().map(|c| &c.speaker) {
        Some(Speaker::Entity(id)) => data
            .get(id)
            .map(|e| (selection_guid(&doc.path, id, 0), e.quote.to_string())),
        _ => None,
    };
    let text = note_text(a, speaker.as_ref().map(|(g, q)| (g.as_str(), q.as_str())));
    let kind = if a.kind.is_claim() { "claim" } else { "entity" };
    let mut x = Xml(out);
    x.open(
        "Note",
        &[
            ("guid", Some(note)),
            (
                "name",
                Some(&format!("Marginalia {kind} {} in {}", a.id, doc.path)),
            ),
            ("creatingUser", user),
            ("creationDateTime", time(&a.created)),
            ("modifyingUser", user),
            ("modifiedDateTime", time(&a.modified)),
        ],
    );
    x.0.push_str(">\n");
    x.text("PlainTextContent", &text);
    x.0.push_str("</Note>\n");
}

/// A project being written into `W`: sources go into the zip as documents
/// come, the XML of each is kept until [`ProjectWriter::finish`].
pub struct ProjectWriter<W: Write> {
    zip: ZipWriter<zip::write::StreamWriter<W>>,
    sources: String,
    notes: String,
    links: String,
    users: BTreeSet<String>,
    labels: BTreeMap<String, LabelKind>,
    fields: BTreeSet<&'static str>,
}

fn options() -> SimpleFileOptions {
    // A fixed time, so that the same corpus gives the same bytes.
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .large_file(false)
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

impl<W: Write> ProjectWriter<W> {
    /// Starts a project written into `out`.
    pub fn new(out: W) -> Self {
        Self {
            zip: ZipWriter::new_stream(out),
            sources: String::new(),
            notes: String::new(),
            links: String::new(),
            users: BTreeSet::new(),
            labels: BTreeMap::new(),
            fields: BTreeSet::new(),
        }
    }

    /// Adds a document: its text goes into the zip now.
    pub fn add(&mut self, part: DocPart) -> io::Result<()> {
        self.zip.start_file(part.file, options()).map_err(zip_error)?;
        self.zip.write_all(part.text.as_bytes())?;
        self.sources.push_str(&part.source_xml);
        self.notes.push_str(&part.notes_xml);
        self.links.push_str(&part.links_xml);
        self.users.extend(part.users);
        for (l, k) in part.labels {
            self.labels.entry(l).or_insert(k);
        }
        self.fields.extend(part.fields);
        Ok(())
    }

    /// Writes `project.qde` (named `name`, with the codes of `tagset` and of
    /// every label used) and ends the zip; gives back the writer.
    pub fn finish(mut self, name: &str, tagset: &TagSet) -> io::Result<W> {
        let xml = self.project_xml(name, tagset);
        self.zip.start_file("project.qde", options()).map_err(zip_error)?;
        self.zip.write_all(xml.as_bytes())?;
        Ok(self.zip.finish().map_err(zip_error)?.into_inner())
    }

    fn project_xml(&self, name: &str, tagset: &TagSet) -> String {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let mut x = Xml(&mut s);
        let origin = format!("Marginalia {}", env!("CARGO_PKG_VERSION"));
        x.open(
            "Project",
            &[
                ("xmlns", Some(NAMESPACE)),
                ("name", Some(name)),
                ("origin", Some(&origin)),
            ],
        );
        x.0.push_str(">\n");
        if !self.users.is_empty() {
            x.0.push_str("<Users>\n");
            for u in &self.users {
                x.empty("User", &[("guid", Some(&guid(&["user", u]))), ("name", Some(u))]);
            }
            x.0.push_str("</Users>\n");
        }
        // Every label of the tag set, in palette order, then labels used that it lacks.
        let mut codes: Vec<(&str, Option<&crate::model::LabelDef>)> =
            tagset.labels.iter().map(|l| (l.name.as_str(), Some(l))).collect();
        for l in self.labels.keys() {
            if tagset.label(l).is_none() {
                codes.push((l, None));
            }
        }
        if !codes.is_empty() {
            x.0.push_str("<CodeBook>\n<Codes>\n");
            for (label, def) in codes {
                let colour = def.map(|d| {
                    let [r, g, b] = d.rgb();
                    format!("#{r:02X}{g:02X}{b:02X}")
                });
                x.open(
                    "Code",
                    &[
                        ("guid", Some(&guid(&["code", label]))),
                        ("name", Some(label)),
                        ("isCodable", Some("true")),
                        ("color", colour.as_deref()),
                    ],
                );
                let description = def.map_or("", |d| d.description.as_str());
                if description.is_empty() {
                    x.0.push_str("/>\n");
                } else {
                    x.0.push_str(">\n");
                    x.text("Description", description);
                    x.0.push_str("</Code>\n");
                }
            }
            x.0.push_str("</Codes>\n</CodeBook>\n");
        }
        if !self.fields.is_empty() {
            x.0.push_str("<Variables>\n");
            for f in &self.fields {
                x.empty(
                    "Variable",
                    &[
                        ("guid", Some(&guid(&["variable", f]))),
                        ("name", Some(f)),
                        ("typeOfVariable", Some("Text")),
                    ],
                );
            }
            x.0.push_str("</Variables>\n");
        }
        for (tag, body) in [
            ("Sources", &self.sources),
            ("Notes", &self.notes),
            ("Links", &self.links),
        ] {
            if !body.is_empty() {
                x.0.push_str(&format!("<{tag}>\n"));
                x.0.push_str(body);
                x.0.push_str(&format!("</{tag}>\n"));
            }
        }
        x.0.push_str("</Project>\n");
        s
    }
}
