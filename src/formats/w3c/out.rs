//! The W3C items as serde structs: each annotation targets its source with a
//! position and a quote selector; the label is a `tagging` body, a canonical
//! id an `identifying` one, a note a `commenting` one; claim fields go under
//! `mrg:claim`. Fields are declared in byte order, the order of a
//! `serde_json::Value`'s keys, so an item's text is that of its value.

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::iri::{encode_path, is_date_time};
use super::{URN_LEN, hash_part, urn_of, urn_text};
use crate::model::document::CONTEXT_CHARS;
use crate::model::{Annotation, Attributes, DocAnnotations, Document, Kind, Relation, Span, Speaker};

/// One document's annotations being written: the hash of its path, which
/// every id's name starts with, is taken once, and so is its source.
pub struct Source<'d> {
    doc: &'d Document,
    data: &'d DocAnnotations,
    /// A hash that has taken the path as the first part of an id's name.
    named: Sha256,
    /// The source document as every target names it.
    source: SourceOut<'d>,
}

/// An IRI of [`urn_of`], kept on the stack.
pub struct Iri([u8; URN_LEN]);

impl Serialize for Iri {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(urn_text(&self.0))
    }
}

/// The source document: its IRI, and what it is cited by. The W3C model has
/// `language`; the rest are Dublin Core and schema.org terms, whose prefixes
/// the W3C context declares (`dcterms:`, `schema:`).
#[derive(Serialize)]
pub struct SourceOut<'a> {
    #[serde(rename = "dcterms:creator", skip_serializing_if = "str::is_empty")]
    author: &'a str,
    #[serde(rename = "dcterms:issued", skip_serializing_if = "str::is_empty")]
    published: &'a str,
    #[serde(rename = "dcterms:publisher", skip_serializing_if = "str::is_empty")]
    outlet: &'a str,
    #[serde(rename = "dcterms:title", skip_serializing_if = "str::is_empty")]
    title: &'a str,
    id: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    language: &'a str,
    #[serde(rename = "schema:url", skip_serializing_if = "str::is_empty")]
    url: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
}

/// A target's source: described in full on an annotation's targets, by its
/// IRI alone on a claim's cue.
#[derive(Serialize)]
#[serde(untagged)]
pub enum SourceRef<'a> {
    Described(&'a SourceOut<'a>),
    Iri(&'a str),
}

/// A `TextualBody`; `purpose` is one of the W3C motivations.
#[derive(Serialize)]
pub struct Body<'a> {
    purpose: &'static str,
    #[serde(rename = "type")]
    ty: &'static str,
    value: &'a str,
}

fn body<'a>(purpose: &'static str, value: &'a str) -> Body<'a> {
    Body {
        purpose,
        ty: "TextualBody",
        value,
    }
}

#[derive(Serialize)]
pub struct Creator<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
}

#[derive(Serialize)]
pub struct Position {
    end: usize,
    start: usize,
    #[serde(rename = "type")]
    ty: &'static str,
}

#[derive(Serialize)]
pub struct Quote<'a> {
    exact: &'a str,
    prefix: &'a str,
    suffix: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
}

/// A point of a web page: a text node, refined to a code point in its text.
#[derive(Serialize)]
pub struct XPathOut<'a> {
    #[serde(rename = "refinedBy")]
    refined: Position,
    #[serde(rename = "type")]
    ty: &'static str,
    value: &'a str,
}

/// The span as a range of the original web page, from the text node and
/// offset where it starts to those where it ends (exclusive, as W3C ranges are).
#[derive(Serialize)]
pub struct RangeOut<'a> {
    #[serde(rename = "endSelector")]
    end: XPathOut<'a>,
    #[serde(rename = "startSelector")]
    start: XPathOut<'a>,
    #[serde(rename = "type")]
    ty: &'static str,
}

/// A target's selectors: position and quote in the text, and for a web page
/// the range in the page itself.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Selectors<'a> {
    Text((Position, Quote<'a>)),
    /// The range is boxed: most targets are of plain text and need no room for it.
    Page((Position, Quote<'a>, Box<RangeOut<'a>>)),
}

#[derive(Serialize)]
pub struct Target<'a> {
    selector: Selectors<'a>,
    source: SourceRef<'a>,
    #[serde(rename = "type")]
    ty: &'static str,
}

/// One target, or a list for a discontinuous annotation.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Targets<'a> {
    One(Target<'a>),
    Many(Vec<Target<'a>>),
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum SpeakerOut<'a> {
    Author {
        kind: &'static str,
    },
    Entity {
        id: Iri,
        kind: &'static str,
        text: Option<&'a str>,
    },
}

#[derive(Serialize)]
pub struct ClaimOut<'a> {
    #[serde(rename = "claimType")]
    claim_type: &'static str,
    cue: Option<Target<'a>>,
    proposition: Option<&'a str>,
    speaker: Option<SpeakerOut<'a>>,
    stance: &'static str,
}

#[derive(Serialize)]
pub struct Item<'a> {
    body: Vec<Body<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<Creator<'a>>,
    id: Iri,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified: Option<&'a str>,
    motivation: &'static str,
    #[serde(rename = "mrg:attributes", skip_serializing_if = "Attributes::is_empty")]
    attributes: &'a Attributes,
    #[serde(rename = "mrg:claim", skip_serializing_if = "Option::is_none")]
    claim: Option<ClaimOut<'a>>,
    /// A sidecar time that is not an RFC 3339 date-time, kept as written:
    /// `created` must be one.
    #[serde(rename = "mrg:created", skip_serializing_if = "Option::is_none")]
    odd_created: Option<&'a str>,
    #[serde(rename = "mrg:id")]
    mrg_id: &'a str,
    #[serde(rename = "mrg:kind")]
    kind: &'static str,
    #[serde(rename = "mrg:modified", skip_serializing_if = "Option::is_none")]
    odd_modified: Option<&'a str>,
    /// Which kind of suggestion the annotation was accepted from; absent when made by hand.
    #[serde(rename = "mrg:origin", skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
    target: Targets<'a>,
    #[serde(rename = "type")]
    ty: &'static str,
}

#[derive(Serialize)]
pub struct RelationItem<'a> {
    body: Body<'a>,
    id: Iri,
    motivation: &'static str,
    #[serde(rename = "mrg:id")]
    mrg_id: &'a str,
    #[serde(rename = "mrg:kind")]
    kind: &'static str,
    target: [Iri; 2],
    #[serde(rename = "type")]
    ty: &'static str,
}

/// A sidecar time split by where it goes: `created`/`modified` when it is an
/// RFC 3339 date-time, else `mrg:created`/`mrg:modified`; nothing when empty.
fn time(t: &str) -> (Option<&str>, Option<&str>) {
    match t {
        "" => (None, None),
        t if is_date_time(t) => (Some(t), None),
        t => (None, Some(t)),
    }
}

impl<'d> Source<'d> {
    /// `base` is the IRI the document's relative path is appended to (ends in `/`).
    pub fn new(doc: &'d Document, data: &'d DocAnnotations, base: &str) -> Self {
        let mut named = Sha256::new();
        hash_part(&mut named, &doc.path);
        let meta = &data.meta;
        let source = SourceOut {
            author: &meta.author,
            published: &meta.published,
            outlet: &meta.outlet,
            title: &meta.title,
            id: format!("{base}{}", encode_path(&doc.path)),
            language: &meta.language,
            url: &meta.url,
            ty: "Text",
        };
        Source {
            doc,
            data,
            named,
            source,
        }
    }

    /// The `urn:uuid:` of the name (this document's path, `parts`…).
    fn id(&self, parts: &[&str]) -> Iri {
        let mut h = self.named.clone();
        for p in parts {
            hash_part(&mut h, p);
        }
        Iri(urn_of(h))
    }

    fn target(&self, s: Span, described: bool) -> Target<'_> {
        let (prefix, exact, suffix) = self.doc.slice_in_context(s, CONTEXT_CHARS);
        let position = Position {
            end: s.end,
            start: s.start,
            ty: "TextPositionSelector",
        };
        let quote = Quote {
            exact,
            prefix,
            suffix,
            ty: "TextQuoteSelector",
        };
        let layout = &self.doc.layout;
        let point = |p: crate::model::source::HtmlPoint<'d>| XPathOut {
            refined: Position {
                end: p.offset,
                start: p.offset,
                ty: "TextPositionSelector",
            },
            ty: "XPathSelector",
            value: p.xpath,
        };
        let selector = match (layout.html_point(s.start, false), layout.html_point(s.end, true)) {
            (Some(a), Some(b)) => Selectors::Page((
                position,
                quote,
                Box::new(RangeOut {
                    end: point(b),
                    start: point(a),
                    ty: "RangeSelector",
                }),
            )),
            _ => Selectors::Text((position, quote)),
        };
        Target {
            selector,
            source: if described {
                SourceRef::Described(&self.source)
            } else {
                SourceRef::Iri(&self.source.id)
            },
            ty: "SpecificResource",
        }
    }

    pub fn annotation<'a>(&'a self, a: &'a Annotation) -> Item<'a> {
        let mut bodies = vec![body("tagging", &a.label)];
        if let Some(c) = a.canonical() {
            bodies.push(body("identifying", c));
        }
        if !a.note.is_empty() {
            bodies.push(body("commenting", &a.note));
        }
        let claim = match &a.kind {
            Kind::Claim(c) => Some(ClaimOut {
                claim_type: c.claim_type.as_str(),
                cue: c.cue.as_ref().map(|q| self.target(q.span, false)),
                proposition: c.proposition.as_deref(),
                speaker: match &c.speaker {
                    Speaker::Unknown => None,
                    Speaker::Author => Some(SpeakerOut::Author { kind: "author" }),
                    Speaker::Entity(id) => Some(SpeakerOut::Entity {
                        id: self.id(&[id]),
                        kind: "entity",
                        text: self.data.get(id).map(|e| e.quote.as_str()),
                    }),
                },
                stance: c.stance.as_str(),
            }),
            Kind::Entity { .. } => None,
        };
        let (created, odd_created) = time(&a.created);
        let (modified, odd_modified) = time(&a.modified);
        Item {
            body: bodies,
            created,
            creator: (!a.annotator.is_empty()).then_some(Creator {
                name: &a.annotator,
                ty: "Person",
            }),
            id: self.id(&[&a.id]),
            modified,
            motivation: "tagging",
            attributes: &a.attributes,
            claim,
            odd_created,
            mrg_id: &a.id,
            kind: if a.kind.is_claim() { "claim" } else { "entity" },
            odd_modified,
            origin: a.origin.map(|o| o.as_str()),
            target: match a.spans.as_slice() {
                [one] => Targets::One(self.target(*one, true)),
                many => Targets::Many(many.iter().map(|s| self.target(*s, true)).collect()),
            },
            ty: "Annotation",
        }
    }

    pub fn relation<'a>(&self, r: &'a Relation) -> RelationItem<'a> {
        let to = match r.to.doc.as_deref() {
            Some(to_doc) if to_doc != self.doc.path => {
                let mut h = Sha256::new();
                hash_part(&mut h, to_doc);
                hash_part(&mut h, &r.to.id);
                Iri(urn_of(h))
            }
            _ => self.id(&[&r.to.id]),
        };
        RelationItem {
            body: body("tagging", &r.kind),
            id: self.id(&["relation", &r.id]),
            motivation: "linking",
            mrg_id: &r.id,
            kind: "relation",
            target: [self.id(&[&r.from]), to],
            ty: "Annotation",
        }
    }
}
