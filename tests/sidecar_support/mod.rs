//! Strategies shared by the sidecar tests: sidecars whose every string field
//! holds text that is hard on a writer and a reader.
#![allow(dead_code)]

use std::collections::BTreeMap;

use marginalia::model::suggest::Origin;
use marginalia::model::{
    Annotation, Claim, ClaimType, Cue, DocAnnotations, Equivalence, Event, EventArg, Kind, Relation, Span,
    Speaker, Stance, Status, Target,
};
use marginalia::store::sidecar::{self, Sidecar};
use proptest::prelude::*;

/// Characters that stress the writer: quotes, backslashes, line endings,
/// controls, emoji, combining marks, CJK, plus anything at all.
pub fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        1 => Just('"'),
        1 => Just('\\'),
        1 => Just('\r'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just('\0'),
        // C1 controls and their neighbours share a first byte (0xC2).
        1 => Just('\u{85}'),
        1 => Just('\u{9f}'),
        1 => Just('\u{ab}'),
        1 => Just('\u{7f}'),
        1 => Just('😀'),
        1 => Just('\u{301}'),
        1 => Just('漢'),
        1 => Just('\u{feff}'),
        1 => Just('\u{2028}'),
        1 => Just('}'),
        1 => Just('('),
        2 => Just(' '),
        4 => proptest::char::range('a', 'z'),
    ]
}

/// Up to `max` characters of [`nasty_char`].
pub fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(nasty_char(), 0..max).prop_map(String::from_iter)
}

/// A forward span somewhere in the first few thousand code points.
pub fn span() -> impl Strategy<Value = Span> {
    (0usize..5000, 0usize..200).prop_map(|(s, l)| Span::new(s, s + l))
}

/// Any speaker, entity ids of nasty text included.
pub fn speaker() -> impl Strategy<Value = Speaker> {
    prop_oneof![
        Just(Speaker::Unknown),
        Just(Speaker::Author),
        text(12).prop_map(|t| Speaker::Entity(t.into()))
    ]
}

/// A claim's value: bounds open or not, whole and fractional, any unit and rate.
pub fn quantity() -> impl Strategy<Value = marginalia::model::quantity::Quantity> {
    let bound = proptest::option::of(prop_oneof![
        any::<i32>().prop_map(f64::from),
        proptest::sample::select(vec![0.5, 41.0, 1.2e6, -3.25, 1e-7, 2.5e20]),
    ]);
    (
        bound.clone(),
        bound,
        any::<bool>(),
        text(8),
        proptest::option::of(text(6)),
    )
        .prop_map(
            |(low, high, approximate, unit, rate)| marginalia::model::quantity::Quantity {
                low,
                high,
                approximate,
                unit,
                rate,
            },
        )
}

/// Document metadata: none, or every field some text.
pub fn meta() -> impl Strategy<Value = marginalia::model::DocMeta> {
    proptest::option::of(proptest::collection::vec(text(12), 6)).prop_map(|texts| {
        let mut m = marginalia::model::DocMeta::default();
        for (field, t) in marginalia::model::DocMeta::FIELDS
            .iter()
            .zip(texts.unwrap_or_default())
        {
            m.set(field, t);
        }
        m
    })
}

/// An entity or a claim with every claim field varied.
pub fn kind() -> impl Strategy<Value = Kind> {
    let claim = (
        speaker(),
        proptest::option::of((span(), text(10)).prop_map(|(span, quote)| Cue {
            span,
            quote: quote.into(),
        })),
        proptest::sample::select(Stance::ALL.to_vec()),
        proptest::sample::select(ClaimType::ALL.to_vec()),
        proptest::option::of(text(16)),
        proptest::option::of(quantity()),
    )
        .prop_map(|(speaker, cue, stance, claim_type, proposition, value)| {
            Kind::Claim(Box::new(Claim {
                speaker,
                cue,
                stance,
                claim_type,
                proposition,
                value,
            }))
        });
    prop_oneof![
        proptest::option::of(text(16)).prop_map(|canonical| Kind::Entity { canonical }),
        claim
    ]
}

/// An annotation with nasty text in every string field; no unknown fields.
pub fn annotation() -> impl Strategy<Value = Annotation> {
    (
        (
            text(10),
            proptest::collection::vec(span(), 0..4),
            text(40),
            text(32),
            text(32),
            text(8),
        ),
        (
            kind(),
            proptest::collection::btree_map(text(8), text(16), 0..4),
            text(60),
            text(10),
        ),
        (
            text(20),
            text(20),
            any::<bool>(),
            proptest::option::of(proptest::sample::select(Origin::ALL.to_vec())),
        ),
    )
        .prop_map(
            |(
                (id, spans, quote, prefix, suffix, label),
                (kind, attributes, note, annotator),
                (created, modified, orphaned, origin),
            )| {
                // Orphaned ones also carry a merge conflict, so that conflicts with
                // any text go through the writer and both readers.
                let conflicts = if orphaned {
                    vec![marginalia::model::merge::Conflict {
                        field: label.clone(),
                        ours: note.clone(),
                        theirs: quote.clone(),
                    }]
                } else {
                    Vec::new()
                };
                Annotation {
                    id: id.into(),
                    spans: spans.into(),
                    quote: quote.into(),
                    prefix,
                    suffix,
                    label: label.into(),
                    kind,
                    attributes: attributes.into(),
                    note,
                    annotator: annotator.into(),
                    created: created.into(),
                    modified: modified.into(),
                    orphaned,
                    conflicts,
                    origin,
                    extra: BTreeMap::new(),
                }
            },
        )
}

/// Attributes, often none (as most relations and events have).
fn attributes() -> impl Strategy<Value = marginalia::model::Attributes> {
    prop_oneof![
        2 => Just(BTreeMap::new()),
        1 => proptest::collection::btree_map(text(8), text(16), 1..3),
    ]
    .prop_map(Into::into)
}

/// A note, often empty.
fn note() -> impl Strategy<Value = String> {
    prop_oneof![2 => Just(String::new()), 1 => text(30)]
}

/// A relation to this or another document, sometimes with attributes and a note.
pub fn relation() -> impl Strategy<Value = Relation> {
    (
        text(8),
        text(8),
        proptest::option::of(text(24)),
        text(8),
        text(10),
        attributes(),
        note(),
    )
        .prop_map(|(id, from, doc, to, kind, attributes, note)| Relation {
            id: id.into(),
            from: from.into(),
            to: Target { doc, id: to.into() },
            kind,
            attributes,
            note,
        })
}

/// An event with nasty text in every string field.
pub fn event() -> impl Strategy<Value = Event> {
    (
        text(8),
        text(10),
        text(8),
        proptest::collection::vec((text(8), text(8)), 0..4),
        attributes(),
        note(),
    )
        .prop_map(|(id, kind, trigger, args, attributes, note)| Event {
            id: id.into(),
            kind,
            trigger: trigger.into(),
            arguments: args
                .into_iter()
                .map(|(role, id)| EventArg {
                    role: role.into(),
                    id: id.into(),
                })
                .collect(),
            attributes,
            note,
        })
}

/// An equivalence of any number of members (a hand-edited file may hold one or none).
pub fn equivalence() -> impl Strategy<Value = Equivalence> {
    (text(8), proptest::collection::vec(text(8), 0..4)).prop_map(|(kind, members)| Equivalence {
        kind,
        members: members.into_iter().map(Into::into).collect(),
    })
}

/// A sidecar of this build's version with unique annotation ids, sorted as read back.
pub fn sidecar_value() -> impl Strategy<Value = Sidecar> {
    (
        proptest::collection::vec(annotation(), 0..6),
        proptest::collection::vec(relation(), 0..4),
        proptest::sample::select(Status::ALL.to_vec()),
        text(20),
        "[0-9a-f]{0,64}",
        meta(),
        proptest::collection::vec(event(), 0..3),
        proptest::collection::vec(equivalence(), 0..3),
        proptest::option::of((
            proptest::sample::select(marginalia::model::SourceKind::ALL.to_vec()),
            0..5u32,
            text(64),
        )),
    )
        .prop_map(
            |(
                mut annotations,
                relations,
                status,
                source,
                source_hash,
                meta,
                events,
                equivalences,
                extraction,
            )| {
                // Ids are unique within a document (the edit layer enforces it).
                for (i, a) in annotations.iter_mut().enumerate() {
                    a.id = format!("{i}:{}", a.id).into();
                }
                let mut data = DocAnnotations {
                    annotations,
                    relations,
                    events,
                    equivalences,
                    status,
                    meta: Box::new(meta),
                    // A document-level conflict whenever the source is named with a
                    // quote, so that some files hold one with any text.
                    conflicts: if source.contains('"') {
                        vec![marginalia::model::merge::Conflict {
                            field: "status".into(),
                            ours: source.clone(),
                            theirs: source_hash.clone(),
                        }]
                    } else {
                        Vec::new()
                    },
                    extra: BTreeMap::new(),
                };
                data.sort();
                Sidecar {
                    version: (sidecar::MAJOR, sidecar::MINOR),
                    source,
                    source_hash,
                    extraction: extraction.map(|(kind, version, text_hash)| marginalia::model::Extraction {
                        kind,
                        version,
                        text_hash,
                    }),
                    data,
                }
            },
        )
}
