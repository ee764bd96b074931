//! The model's values as the sidecar writes them: annotations (with their
//! spans, kinds and claims) and relations.

use std::collections::BTreeMap;

use crate::model::merge::Conflict;
use crate::model::quantity::Quantity;
use crate::model::suggest::Origin;
use crate::model::{
    Annotation, Attributes, Claim, ClaimType, Cue, DocMeta, Equivalence, Event, EventArg, Kind, Relation,
    Span, Speaker, Stance, Target,
};

use super::lex::{Reader, set};

/// The fields of an annotation this version knows, in the order
/// `write_annotation` writes them (the reader looks for them so).
const ANN_FIELDS: &[&str] = &[
    "id",
    "spans",
    "quote",
    "prefix",
    "suffix",
    "label",
    "kind",
    "attributes",
    "note",
    "annotator",
    "created",
    "modified",
    "orphaned",
    "conflicts",
    "origin",
];

const SPAN_FIELDS: &[&str] = &["start", "end"];
const CLAIM_FIELDS: &[&str] = &["speaker", "cue", "stance", "claim_type", "proposition", "value"];
const VALUE_FIELDS: &[&str] = &["low", "high", "approximate", "unit", "rate"];
const META_FIELDS: &[&str] = &DocMeta::FIELDS;
const EXTRACTION_FIELDS: &[&str] = &["kind", "version", "text_hash"];
const CUE_FIELDS: &[&str] = &["span", "quote"];
const RELATION_FIELDS: &[&str] = &["id", "from", "to", "kind", "attributes", "note"];
const EVENT_FIELDS: &[&str] = &["id", "kind", "trigger", "arguments", "attributes", "note"];
const ARGUMENT_FIELDS: &[&str] = &["role", "id"];
const EQUIVALENCE_FIELDS: &[&str] = &["kind", "members"];
const TARGET_FIELDS: &[&str] = &["doc", "id"];
const CONFLICT_FIELDS: &[&str] = &["field", "ours", "theirs"];

impl Reader<'_> {
    /// `value`, or an error at `at` naming the missing `field` of `what`.
    fn need<T>(
        &mut self,
        at: usize,
        value: Option<T>,
        field: &str,
        what: impl std::fmt::Display,
    ) -> Option<T> {
        if value.is_some() {
            return value;
        }
        self.fail_at(
            at,
            format!("{what} has no `{field}` field; add it (or remove {what})"),
        )
    }

    pub(super) fn annotation(&mut self) -> Option<Annotation> {
        let at = self.pos;
        let mut id = None;
        let mut spans = None;
        let mut quote = None;
        let mut prefix = None;
        let mut suffix = None;
        let mut label = None;
        let mut kind = None;
        let mut attributes = None;
        let mut note = None;
        let mut annotator = None;
        let mut created = None;
        let mut modified = None;
        let mut orphaned = None;
        let mut conflicts = None;
        let mut origin = None;
        let mut extra = BTreeMap::new();
        let named = (&["Annotation"][..], "an annotation");
        self.fields_in_order(named, ANN_FIELDS, |r, key, start| match key {
            "id" => set(&mut id, r.string()?),
            "spans" => set(&mut spans, r.list(Reader::span)?),
            "quote" => set(&mut quote, r.string()?),
            "prefix" => set(&mut prefix, r.string()?),
            "suffix" => set(&mut suffix, r.string()?),
            "label" => set(&mut label, r.string()?),
            "kind" => set(&mut kind, r.kind()?),
            "attributes" => set(&mut attributes, r.string_map::<Attributes>()?),
            "note" => set(&mut note, r.string()?),
            "annotator" => set(&mut annotator, r.string()?),
            "created" => set(&mut created, r.string()?),
            "modified" => set(&mut modified, r.string()?),
            "orphaned" => set(&mut orphaned, r.boolean()?),
            "conflicts" => set(&mut conflicts, r.list(Reader::conflict)?),
            "origin" => set(
                &mut origin,
                r.option(|r| {
                    r.variant(
                        "an annotation's origin",
                        &[
                            ("Matcher", Origin::Matcher),
                            ("Learner", Origin::Learner),
                            ("Detector", Origin::Detector),
                            ("Gazetteer", Origin::Gazetteer),
                        ],
                    )
                })?,
            ),
            _ => r.unknown(&mut extra, key, start),
        })?;
        let missing = [
            ("id", id.is_none()),
            ("spans", spans.is_none()),
            ("label", label.is_none()),
            ("kind", kind.is_none()),
        ]
        .into_iter()
        .find_map(|(field, missing)| missing.then_some(field));
        if let Some(field) = missing {
            return match &id {
                Some(id) => self.need(at, None, field, format_args!("the annotation \"{id}\"")),
                None => self.need(at, None, field, "an annotation"),
            };
        }
        let (Some(id), Some(spans), Some(label), Some(kind)) = (id, spans, label, kind) else {
            return None;
        };
        Some(Annotation {
            id,
            spans,
            quote: quote.unwrap_or_default(),
            prefix: prefix.unwrap_or_default(),
            suffix: suffix.unwrap_or_default(),
            label,
            kind,
            attributes: attributes.unwrap_or_default(),
            note: note.unwrap_or_default(),
            annotator: annotator.unwrap_or_default(),
            created: created.unwrap_or_default(),
            modified: modified.unwrap_or_default(),
            orphaned: orphaned.unwrap_or_default(),
            conflicts: conflicts.unwrap_or_default(),
            origin: origin.flatten(),
            extra,
        })
    }

    fn span(&mut self) -> Option<Span> {
        let at = self.pos;
        let mut start = None;
        let mut end = None;
        let named = (&["Span"][..], "a span");
        self.fields_in_order(named, SPAN_FIELDS, |r, key, _| match key {
            "start" => set(&mut start, r.offset()?),
            "end" => set(&mut end, r.offset()?),
            _ => r.nested_unknown(key, SPAN_FIELDS, "a span"),
        })?;
        Some(Span {
            start: self.need(at, start, "start", "a span")?,
            end: self.need(at, end, "end", "a span")?,
        })
    }

    fn kind(&mut self) -> Option<Kind> {
        let at = self.pos;
        match self.ident() {
            Some("Entity") => {
                let mut canonical = None;
                self.trivia()?;
                let named = (&[][..], "an entity's fields (`Entity(canonical: None)`)");
                self.fields_in_order(named, &["canonical"], |r, key, _| match key {
                    "canonical" => set(&mut canonical, r.option(Reader::string)?),
                    _ => r.nested_unknown(key, &["canonical"], "an entity"),
                })?;
                Some(Kind::Entity {
                    canonical: canonical.flatten(),
                })
            }
            Some("Claim") => self
                .parenthesised(Reader::claim)
                .map(|c| Kind::Claim(Box::new(c))),
            _ => {
                self.pos = at;
                let found = self.found();
                self.fail(format!(
                    "an annotation's kind is `Entity(…)` or `Claim((…))`, found {found}"
                ))
            }
        }
    }

    fn claim(&mut self) -> Option<Claim> {
        let mut speaker = None;
        let mut cue = None;
        let mut stance = None;
        let mut claim_type = None;
        let mut proposition = None;
        let mut value = None;
        let named = (&["Claim"][..], "a claim");
        self.fields_in_order(named, CLAIM_FIELDS, |r, key, _| match key {
            "speaker" => set(&mut speaker, r.speaker()?),
            "cue" => set(&mut cue, r.option(Reader::cue)?),
            "stance" => set(
                &mut stance,
                r.variant(
                    "a claim's stance",
                    &[
                        ("Asserts", Stance::Asserts),
                        ("Denies", Stance::Denies),
                        ("Questions", Stance::Questions),
                        ("Reports", Stance::Reports),
                    ],
                )?,
            ),
            "claim_type" => set(
                &mut claim_type,
                r.variant(
                    "a claim's type",
                    &[
                        ("Fact", ClaimType::Fact),
                        ("Opinion", ClaimType::Opinion),
                        ("Prediction", ClaimType::Prediction),
                        ("Quote", ClaimType::Quote),
                    ],
                )?,
            ),
            "proposition" => set(&mut proposition, r.option(Reader::string)?),
            "value" => set(&mut value, r.option(Reader::quantity)?),
            _ => r.nested_unknown(key, CLAIM_FIELDS, "a claim"),
        })?;
        Some(Claim {
            speaker: speaker.unwrap_or_default(),
            cue: cue.flatten(),
            stance: stance.unwrap_or_default(),
            claim_type: claim_type.unwrap_or_default(),
            proposition: proposition.flatten(),
            value: value.flatten(),
        })
    }

    /// A claim's value: `(low: Some(41.0), high: None, approximate: false, unit: "refugees", rate: None)`.
    fn quantity(&mut self) -> Option<Quantity> {
        let (mut low, mut high, mut approximate, mut unit, mut rate) = (None, None, None, None, None);
        let named = (&["Quantity"][..], "a claim's value");
        self.fields_in_order(named, VALUE_FIELDS, |r, key, _| match key {
            "low" => set(&mut low, r.option(Reader::float)?),
            "high" => set(&mut high, r.option(Reader::float)?),
            "approximate" => set(&mut approximate, r.boolean()?),
            "unit" => set(&mut unit, r.string()?),
            "rate" => set(&mut rate, r.option(Reader::string)?),
            _ => r.nested_unknown(key, VALUE_FIELDS, "a claim's value"),
        })?;
        Some(Quantity {
            low: low.flatten(),
            high: high.flatten(),
            approximate: approximate.unwrap_or_default(),
            unit: unit.unwrap_or_default(),
            rate: rate.flatten(),
        })
    }

    /// The document's metadata: `(title: "…", outlet: "…", …)`, every field a string.
    /// The record of the extraction that produced the document's text (1.3).
    pub(super) fn extraction(&mut self) -> Option<crate::model::Extraction> {
        let at = self.pos;
        let mut kind = None;
        let mut version = None;
        let mut text_hash = None;
        let named = (&["Extraction"][..], "the record of the extraction");
        self.fields_in_order(named, EXTRACTION_FIELDS, |r, key, _| match key {
            "kind" => {
                let k_at = r.pos;
                let name: String = r.string()?;
                match crate::model::SourceKind::parse(&name) {
                    Some(k) => set(&mut kind, k),
                    None => {
                        r.pos = k_at;
                        r.fail(format!(
                            "the extraction's kind \"{name}\" is not one of text, markdown, html, docx, odt, pdf"
                        ))
                    }
                }
            }
            "version" => set(&mut version, u32::try_from(r.offset()?).unwrap_or(u32::MAX)),
            "text_hash" => set(&mut text_hash, r.string()?),
            _ => r.nested_unknown(key, EXTRACTION_FIELDS, "the record of the extraction"),
        })?;
        let what = "the record of the extraction";
        Some(crate::model::Extraction {
            kind: self.need(at, kind, "kind", what)?,
            version: self.need(at, version, "version", what)?,
            text_hash: self.need(at, text_hash, "text_hash", what)?,
        })
    }

    pub(super) fn meta(&mut self) -> Option<DocMeta> {
        let mut meta = DocMeta::default();
        let mut seen: Vec<&str> = Vec::new();
        let named = (&["DocMeta"][..], "the document's metadata");
        self.fields_in_order(named, META_FIELDS, |r, key, _| {
            if !META_FIELDS.contains(&key) {
                return r.nested_unknown(key, META_FIELDS, "the document's metadata");
            }
            if seen.contains(&key) {
                return None;
            }
            seen.push(key);
            let v: String = r.string()?;
            meta.set(key, v);
            Some(())
        })?;
        Some(meta)
    }

    fn speaker(&mut self) -> Option<Speaker> {
        let at = self.pos;
        match self.ident() {
            Some("Unknown") => Some(Speaker::Unknown),
            Some("Author") => Some(Speaker::Author),
            Some("Entity") => self.parenthesised(Reader::string).map(Speaker::Entity),
            _ => {
                self.pos = at;
                let found = self.found();
                self.fail(format!(
                    "a claim's speaker is `Unknown`, `Author` or `Entity(\"id\")`, found {found}"
                ))
            }
        }
    }

    fn cue(&mut self) -> Option<Cue> {
        let at = self.pos;
        let mut span = None;
        let mut quote = None;
        let named = (&["Cue"][..], "a cue");
        self.fields_in_order(named, CUE_FIELDS, |r, key, _| match key {
            "span" => set(&mut span, r.span()?),
            "quote" => set(&mut quote, r.string()?),
            _ => r.nested_unknown(key, CUE_FIELDS, "a cue"),
        })?;
        Some(Cue {
            span: self.need(at, span, "span", "a cue")?,
            quote: self.need(at, quote, "quote", "a cue")?,
        })
    }

    pub(super) fn relation(&mut self) -> Option<Relation> {
        let at = self.pos;
        let mut id = None;
        let mut from = None;
        let mut to = None;
        let mut kind = None;
        let mut attributes = None;
        let mut note = None;
        let named = (&["Relation"][..], "a relation");
        self.fields_in_order(named, RELATION_FIELDS, |r, key, _| match key {
            "id" => set(&mut id, r.string()?),
            "from" => set(&mut from, r.string()?),
            "to" => set(&mut to, r.target()?),
            "kind" => set(&mut kind, r.string()?),
            "attributes" => set(&mut attributes, r.string_map::<Attributes>()?),
            "note" => set(&mut note, r.string()?),
            _ => r.nested_unknown(key, RELATION_FIELDS, "a relation"),
        })?;
        Some(Relation {
            id: self.need(at, id, "id", "a relation")?,
            from: self.need(at, from, "from", "a relation")?,
            to: self.need(at, to, "to", "a relation")?,
            kind: self.need(at, kind, "kind", "a relation")?,
            attributes: attributes.unwrap_or_default(),
            note: note.unwrap_or_default(),
        })
    }

    /// An event: `(id: "E1", kind: "…", trigger: "T1", arguments: [(role: "Theme", id: "T2")])`.
    pub(super) fn event(&mut self) -> Option<Event> {
        let at = self.pos;
        let (mut id, mut kind, mut trigger, mut arguments, mut attributes, mut note) =
            (None, None, None, None, None, None);
        let named = (&["Event"][..], "an event");
        self.fields_in_order(named, EVENT_FIELDS, |r, key, _| match key {
            "id" => set(&mut id, r.string()?),
            "kind" => set(&mut kind, r.string()?),
            "trigger" => set(&mut trigger, r.string()?),
            "arguments" => set(&mut arguments, r.list(Reader::argument)?),
            "attributes" => set(&mut attributes, r.string_map::<Attributes>()?),
            "note" => set(&mut note, r.string()?),
            _ => r.nested_unknown(key, EVENT_FIELDS, "an event"),
        })?;
        Some(Event {
            id: self.need(at, id, "id", "an event")?,
            kind: self.need(at, kind, "kind", "an event")?,
            trigger: self.need(at, trigger, "trigger", "an event")?,
            arguments: arguments.unwrap_or_default(),
            attributes: attributes.unwrap_or_default(),
            note: note.unwrap_or_default(),
        })
    }

    fn argument(&mut self) -> Option<EventArg> {
        let at = self.pos;
        let (mut role, mut id) = (None, None);
        let named = (&["EventArg"][..], "an event's argument");
        self.fields_in_order(named, ARGUMENT_FIELDS, |r, key, _| match key {
            "role" => set(&mut role, r.string()?),
            "id" => set(&mut id, r.string()?),
            _ => r.nested_unknown(key, ARGUMENT_FIELDS, "an event's argument"),
        })?;
        Some(EventArg {
            role: self.need(at, role, "role", "an event's argument")?,
            id: self.need(at, id, "id", "an event's argument")?,
        })
    }

    /// A merge conflict: `(field: "label", ours: "\"PERSON\"", theirs: "\"ORG\"")`.
    pub(super) fn conflict(&mut self) -> Option<Conflict> {
        let at = self.pos;
        let (mut field, mut ours, mut theirs) = (None, None, None);
        let named = (&["Conflict"][..], "a conflict");
        self.fields_in_order(named, CONFLICT_FIELDS, |r, key, _| match key {
            "field" => set(&mut field, r.string()?),
            "ours" => set(&mut ours, r.string()?),
            "theirs" => set(&mut theirs, r.string()?),
            _ => r.nested_unknown(key, CONFLICT_FIELDS, "a conflict"),
        })?;
        Some(Conflict {
            field: self.need(at, field, "field", "a conflict")?,
            ours: self.need(at, ours, "ours", "a conflict")?,
            theirs: self.need(at, theirs, "theirs", "a conflict")?,
        })
    }

    /// An equivalence: `(kind: "Equiv", members: ["T1", "T2"])`.
    pub(super) fn equivalence(&mut self) -> Option<Equivalence> {
        let at = self.pos;
        let (mut kind, mut members) = (None, None);
        let named = (&["Equivalence"][..], "an equivalence");
        self.fields_in_order(named, EQUIVALENCE_FIELDS, |r, key, _| match key {
            "kind" => set(&mut kind, r.string()?),
            "members" => set(&mut members, r.list(Reader::string)?),
            _ => r.nested_unknown(key, EQUIVALENCE_FIELDS, "an equivalence"),
        })?;
        Some(Equivalence {
            kind: self.need(at, kind, "kind", "an equivalence")?,
            members: self.need(at, members, "members", "an equivalence")?,
        })
    }

    fn target(&mut self) -> Option<Target> {
        let at = self.pos;
        let mut doc = None;
        let mut id = None;
        let named = (&["Target"][..], "a relation's target");
        self.fields_in_order(named, TARGET_FIELDS, |r, key, _| match key {
            "doc" => set(&mut doc, r.option(Reader::string)?),
            "id" => set(&mut id, r.string()?),
            _ => r.nested_unknown(key, TARGET_FIELDS, "a relation's target"),
        })?;
        // A missing `doc` is `None`, as serde reads a missing `Option` field.
        Some(Target {
            doc: doc.flatten(),
            id: self.need(at, id, "id", "a relation's target")?,
        })
    }
}
