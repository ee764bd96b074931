//! The `# Marginalia` note of an annotation, read back by the importer.
//!
//! The note is read straight into the fields the importer uses rather than
//! into a `serde_json::Value`: building and dropping a tree of maps for every
//! annotation was a tenth of a brat import. The reading is as lenient as
//! lookups on a `Value` were: a field of another type than the exporter
//! writes counts as absent, unknown fields are skipped, and a repeated field
//! keeps its last value. Only text that is not JSON at all is an error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What the importer uses of a note, when the note is a JSON object.
#[derive(Debug, Default)]
pub(super) struct Note<'a> {
    pub id: Option<Cow<'a, str>>,
    pub label: Option<Cow<'a, str>>,
    pub annotator: Option<Cow<'a, str>>,
    pub created: Option<Cow<'a, str>>,
    pub modified: Option<Cow<'a, str>>,
    pub canonical: Option<Cow<'a, str>>,
    /// `"claim"` for a claim.
    pub kind: Option<Cow<'a, str>>,
    pub proposition: Option<Cow<'a, str>>,
    pub note: Option<Cow<'a, str>>,
    pub orphaned: Option<bool>,
    /// Entries of the `extra` object, a value that is not a string as empty.
    pub extra: Vec<(String, String)>,
    /// Entries of the `attributes` object, likewise.
    pub attributes: Vec<(String, String)>,
    pub cue: Option<NoteCue<'a>>,
    pub speaker: NoteSpeaker<'a>,
    /// The document's status and extra fields (on one annotation of a document).
    pub doc: Option<NoteDoc<'a>>,
    /// Relations to other documents or without a brat line.
    pub relations: Vec<NoteRelation<'a>>,
}

/// A claim's cue: both offsets are needed, the text is optional.
#[derive(Debug)]
pub(super) struct NoteCue<'a> {
    pub start: u64,
    pub end: u64,
    pub text: Option<Cow<'a, str>>,
}

/// Who makes a claim.
#[derive(Debug, Default)]
pub(super) enum NoteSpeaker<'a> {
    #[default]
    Unknown,
    Author,
    Entity(Cow<'a, str>),
}

/// The `doc` object.
#[derive(Debug, Default)]
pub(super) struct NoteDoc<'a> {
    pub status: Option<Cow<'a, str>>,
    pub extra: Vec<(String, String)>,
}

/// One entry of `relations`; an entry without `id`, `to` and `type` strings is skipped.
#[derive(Debug)]
pub(super) struct NoteRelation<'a> {
    pub id: Cow<'a, str>,
    pub to: Cow<'a, str>,
    pub kind: Cow<'a, str>,
    pub to_doc: Option<Cow<'a, str>>,
}

/// Reads a note: `Ok(None)` when it is JSON but not an object (then nothing
/// of it is used, as with no note), an error when it is not JSON.
pub(super) fn parse(text: &str) -> Result<Option<Note<'_>>, serde_json::Error> {
    serde_json::from_str::<Top>(text).map(|t| t.0)
}

/// Any JSON value; an object is read as a [`Note`].
struct Top<'a>(Option<Note<'a>>);

/// Any JSON value, kept when it is a string.
struct Str<'a>(Option<Cow<'a, str>>);

/// Any JSON value, kept when it is a boolean.
struct Bool(Option<bool>);

/// Any JSON value, kept when it is a whole number from 0.
struct Unsigned(Option<u64>);

/// Any JSON value: an object's entries with string keys, a value that is not
/// a string as empty; anything else as no entries.
struct Pairs(Vec<(String, String)>);

/// Any JSON value, read as a speaker.
struct SpeakerValue<'a>(NoteSpeaker<'a>);

/// Any JSON value, kept when it is an object with start and end offsets.
struct CueValue<'a>(Option<NoteCue<'a>>);

/// Any JSON value, kept when it is an object.
struct DocValue<'a>(Option<NoteDoc<'a>>);

/// Any JSON value, kept when it is an object with `id`, `to` and `type` strings.
struct RelationValue<'a>(Option<NoteRelation<'a>>);

/// Any JSON value: an array's relations, anything else as none.
struct Relations<'a>(Vec<NoteRelation<'a>>);

/// What a lenient value gives for a JSON value it does not take.
trait Lenient<'de>: Sized {
    /// What the value is read as (for error messages, never shown: any value is taken).
    const WHAT: &'static str;
    /// The value for JSON of another type.
    fn other() -> Self;
    fn string(s: Cow<'de, str>) -> Self {
        let _ = s;
        Self::other()
    }
    fn boolean(b: bool) -> Self {
        let _ = b;
        Self::other()
    }
    fn unsigned(n: u64) -> Self {
        let _ = n;
        Self::other()
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        drain_map(map).map(|()| Self::other())
    }
    fn array<A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        drain_seq(seq).map(|()| Self::other())
    }
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The visitor of every lenient value: it takes any JSON value and hands it
/// to the type's own rule.
struct Any<T>(std::marker::PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for Any<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_bool<E>(self, b: bool) -> Result<T, E> {
        Ok(T::boolean(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<T, E> {
        Ok(T::unsigned(n))
    }

    fn visit_i64<E>(self, _: i64) -> Result<T, E> {
        Ok(T::other())
    }

    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::other())
    }

    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::other())
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<T, E> {
        Ok(T::string(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::object(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }
}

/// `Deserialize` for lenient values, through [`Any`].
macro_rules! lenient {
    ($($t:ident$(<$l:lifetime>)?),*) => {$(
        impl<'de> Deserialize<'de> for $t$(<$l>)? {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(Any::<Self>(std::marker::PhantomData))
            }
        }
    )*};
}

lenient!(
    Top<'de>,
    Str<'de>,
    Bool,
    Unsigned,
    Pairs,
    SpeakerValue<'de>,
    CueValue<'de>,
    DocValue<'de>,
    RelationValue<'de>,
    Relations<'de>
);

impl<'de> Lenient<'de> for Str<'de> {
    const WHAT: &'static str = "a string";
    fn other() -> Self {
        Str(None)
    }
    fn string(s: Cow<'de, str>) -> Self {
        Str(Some(s))
    }
}

impl<'de> Lenient<'de> for Bool {
    const WHAT: &'static str = "a boolean";
    fn other() -> Self {
        Bool(None)
    }
    fn boolean(b: bool) -> Self {
        Bool(Some(b))
    }
}

impl<'de> Lenient<'de> for Unsigned {
    const WHAT: &'static str = "a whole number";
    fn other() -> Self {
        Unsigned(None)
    }
    fn unsigned(n: u64) -> Self {
        Unsigned(Some(n))
    }
}

/// Reads an object's entries, `f` called with each key (a repeated key
/// comes again, so the last value wins where `f` assigns).
fn entries<'de, A: MapAccess<'de>>(
    mut map: A,
    mut f: impl FnMut(&str, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
        f(key.as_deref().unwrap_or_default(), &mut map)?;
    }
    Ok(())
}

impl<'de> Lenient<'de> for Pairs {
    const WHAT: &'static str = "an object of strings";
    fn other() -> Self {
        Pairs(Vec::new())
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        entries(map, |k, map| {
            let Str(v) = map.next_value()?;
            out.push((k.to_owned(), v.map(Cow::into_owned).unwrap_or_default()));
            Ok(())
        })?;
        Ok(Pairs(out))
    }
}

impl<'de> Lenient<'de> for SpeakerValue<'de> {
    const WHAT: &'static str = "a speaker";
    fn other() -> Self {
        SpeakerValue(NoteSpeaker::Unknown)
    }
    fn string(s: Cow<'de, str>) -> Self {
        SpeakerValue(if s == "author" {
            NoteSpeaker::Author
        } else {
            NoteSpeaker::Unknown
        })
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut entity = None;
        entries(map, |k, map| {
            if k == "entity" {
                entity = map.next_value::<Str>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        })?;
        Ok(SpeakerValue(
            entity.map_or(NoteSpeaker::Unknown, NoteSpeaker::Entity),
        ))
    }
}

impl<'de> Lenient<'de> for CueValue<'de> {
    const WHAT: &'static str = "a cue";
    fn other() -> Self {
        CueValue(None)
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let (mut start, mut end, mut text) = (None, None, None);
        entries(map, |k, map| {
            match k {
                "start" => start = map.next_value::<Unsigned>()?.0,
                "end" => end = map.next_value::<Unsigned>()?.0,
                "text" => text = map.next_value::<Str>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        })?;
        Ok(CueValue(start.zip(end).map(|(start, end)| NoteCue {
            start,
            end,
            text,
        })))
    }
}

impl<'de> Lenient<'de> for DocValue<'de> {
    const WHAT: &'static str = "a document's fields";
    fn other() -> Self {
        DocValue(None)
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut doc = NoteDoc::default();
        entries(map, |k, map| {
            match k {
                "status" => doc.status = map.next_value::<Str>()?.0,
                "extra" => doc.extra = map.next_value::<Pairs>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        })?;
        Ok(DocValue(Some(doc)))
    }
}

impl<'de> Lenient<'de> for RelationValue<'de> {
    const WHAT: &'static str = "a relation";
    fn other() -> Self {
        RelationValue(None)
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let (mut id, mut to, mut kind, mut to_doc) = (None, None, None, None);
        entries(map, |k, map| {
            match k {
                "id" => id = map.next_value::<Str>()?.0,
                "to" => to = map.next_value::<Str>()?.0,
                "type" => kind = map.next_value::<Str>()?.0,
                "to_doc" => to_doc = map.next_value::<Str>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        })?;
        Ok(RelationValue(match (id, to, kind) {
            (Some(id), Some(to), Some(kind)) => Some(NoteRelation { id, to, kind, to_doc }),
            _ => None,
        }))
    }
}

impl<'de> Lenient<'de> for Relations<'de> {
    const WHAT: &'static str = "a list of relations";
    fn other() -> Self {
        Relations(Vec::new())
    }
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(RelationValue(r)) = seq.next_element()? {
            out.extend(r);
        }
        Ok(Relations(out))
    }
}

impl<'de> Lenient<'de> for Top<'de> {
    const WHAT: &'static str = "a JSON value";
    fn other() -> Self {
        Top(None)
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut n = Note::default();
        entries(map, |k, map| {
            match k {
                "id" => n.id = map.next_value::<Str>()?.0,
                "label" => n.label = map.next_value::<Str>()?.0,
                "annotator" => n.annotator = map.next_value::<Str>()?.0,
                "created" => n.created = map.next_value::<Str>()?.0,
                "modified" => n.modified = map.next_value::<Str>()?.0,
                "canonical" => n.canonical = map.next_value::<Str>()?.0,
                "kind" => n.kind = map.next_value::<Str>()?.0,
                "proposition" => n.proposition = map.next_value::<Str>()?.0,
                "note" => n.note = map.next_value::<Str>()?.0,
                "orphaned" => n.orphaned = map.next_value::<Bool>()?.0,
                "extra" => n.extra = map.next_value::<Pairs>()?.0,
                "attributes" => n.attributes = map.next_value::<Pairs>()?.0,
                "cue" => n.cue = map.next_value::<CueValue>()?.0,
                "speaker" => n.speaker = map.next_value::<SpeakerValue>()?.0,
                "doc" => n.doc = map.next_value::<DocValue>()?.0,
                "relations" => n.relations = map.next_value::<Relations>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        })?;
        Ok(Top(Some(n)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// JSON as text, so that repeated keys can be written (a `Value` cannot hold them).
    #[derive(Clone, Debug)]
    enum J {
        Null,
        Bool(bool),
        Number(&'static str),
        Str(String),
        Array(Vec<J>),
        Object(Vec<(String, J)>),
    }

    impl J {
        fn text(&self, out: &mut String) {
            match self {
                J::Null => out.push_str("null"),
                J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                J::Number(n) => out.push_str(n),
                J::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
                J::Array(items) => {
                    out.push('[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        v.text(out);
                    }
                    out.push(']');
                }
                J::Object(entries) => {
                    out.push('{');
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push(':');
                        v.text(out);
                    }
                    out.push('}');
                }
            }
        }
    }

    const KEYS: &[&str] = &[
        "id",
        "label",
        "annotator",
        "created",
        "modified",
        "canonical",
        "kind",
        "proposition",
        "note",
        "orphaned",
        "extra",
        "attributes",
        "cue",
        "speaker",
        "doc",
        "relations",
        "other",
        "start",
        "end",
        "text",
        "entity",
        "status",
        "to",
        "type",
        "to_doc",
        "é\"\\x",
    ];

    fn leaf() -> impl Strategy<Value = J> {
        prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            prop::sample::select(&["0", "7", "-3", "2.5", "1e2", "18446744073709551616"][..])
                .prop_map(J::Number),
            prop::sample::select(&["author", "claim", "Done", "x", "", "a\\b\"c\n", "😀"][..])
                .prop_map(|s| J::Str(s.to_owned())),
        ]
    }

    fn json() -> impl Strategy<Value = J> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..6)
                    .prop_map(|kv| { J::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()) }),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..10)
                    .prop_map(|kv| { J::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()) }),
            ]
        })
    }

    /// A value of the kinds the note's fields hold, and sometimes any JSON.
    fn plain() -> impl Strategy<Value = J> {
        prop_oneof![
            4 => prop::sample::select(&["author", "claim", "Done", "a\\b\"c\n"][..]).prop_map(|s| J::Str(s.to_owned())),
            3 => prop::sample::select(&["0", "7", "-3", "2.5"][..]).prop_map(J::Number),
            2 => leaf(),
            1 => json(),
        ]
    }

    /// An object with keys from `keys`, often repeated.
    fn object_of(keys: &'static [&'static str], value: BoxedStrategy<J>) -> impl Strategy<Value = J> {
        prop::collection::vec((prop::sample::select(keys), value), 0..7)
            .prop_map(|kv| J::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
    }

    /// A value for the note's field `key`: mostly of the shape the exporter
    /// writes there, with the wrong types and repeated keys mixed in.
    fn field(key: &'static str) -> BoxedStrategy<J> {
        let shaped = match key {
            "cue" => object_of(
                &["start", "end", "text", "other"],
                prop_oneof![
                    3 => prop::sample::select(&["0", "7"][..]).prop_map(J::Number),
                    2 => prop::sample::select(&["x", "a\\b\"c\n"][..]).prop_map(|s| J::Str(s.to_owned())),
                    1 => plain(),
                ]
                .boxed(),
            )
            .boxed(),
            "speaker" => prop_oneof![plain(), object_of(&["entity", "other"], plain().boxed())].boxed(),
            "doc" => object_of(
                &["status", "extra", "other"],
                prop_oneof![plain(), object_of(&["k", "é", "k2"], plain().boxed())].boxed(),
            )
            .boxed(),
            "relations" => prop_oneof![
                1 => plain(),
                3 => prop::collection::vec(
                    prop_oneof![
                        1 => plain(),
                        4 => object_of(&["id", "to", "type", "to_doc", "other"], plain().boxed()),
                    ],
                    0..4,
                )
                .prop_map(J::Array),
            ]
            .boxed(),
            "extra" | "attributes" => object_of(&["k", "é", "k2"], plain().boxed()).boxed(),
            _ => plain().boxed(),
        };
        prop_oneof![4 => shaped, 1 => json()].boxed()
    }

    /// An object with the note's own keys, often repeated.
    fn note() -> impl Strategy<Value = J> {
        let entry = prop::sample::select(&KEYS[..17])
            .prop_flat_map(|k| field(k).prop_map(move |v| (k.to_owned(), v)));
        prop::collection::vec(entry, 0..14).prop_map(J::Object)
    }

    /// What the importer used of a note, in owned form, to compare the two readings.
    #[derive(Debug, PartialEq)]
    struct Seen {
        strings: Vec<Option<String>>,
        orphaned: Option<bool>,
        extra: BTreeMap<String, String>,
        attributes: BTreeMap<String, String>,
        cue: Option<(u64, u64, Option<String>)>,
        speaker: String,
        doc: (Option<String>, BTreeMap<String, String>),
        relations: Vec<(String, String, String, Option<String>)>,
    }

    const STRING_FIELDS: [&str; 9] = [
        "id",
        "label",
        "annotator",
        "created",
        "modified",
        "canonical",
        "kind",
        "proposition",
        "note",
    ];

    /// The reading through lookups on a `serde_json::Value`, which the reader replaces.
    fn through_value(v: &Value) -> Option<Seen> {
        v.as_object()?;
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let pairs = |v: Option<&Value>| -> BTreeMap<String, String> {
            v.and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        };
        Some(Seen {
            strings: STRING_FIELDS.iter().map(|k| s(v, k)).collect(),
            orphaned: v.get("orphaned").and_then(Value::as_bool),
            extra: pairs(v.get("extra")),
            attributes: pairs(v.get("attributes")),
            cue: v
                .get("cue")
                .and_then(|c| Some((c.get("start")?.as_u64()?, c.get("end")?.as_u64()?, s(c, "text")))),
            speaker: match v.get("speaker") {
                Some(Value::String(s)) if s == "author" => "author".into(),
                Some(sp) => sp
                    .get("entity")
                    .and_then(Value::as_str)
                    .map_or("unknown".into(), |id| format!("entity {id}")),
                None => "unknown".into(),
            },
            doc: v
                .get("doc")
                .map(|d| (s(d, "status"), pairs(d.get("extra"))))
                .unwrap_or_default(),
            relations: v
                .get("relations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| Some((s(r, "id")?, s(r, "to")?, s(r, "type")?, s(r, "to_doc"))))
                .collect(),
        })
    }

    fn through_reader(n: Note) -> Seen {
        let s = |c: Option<Cow<str>>| c.map(Cow::into_owned);
        Seen {
            strings: vec![
                s(n.id),
                s(n.label),
                s(n.annotator),
                s(n.created),
                s(n.modified),
                s(n.canonical),
                s(n.kind),
                s(n.proposition),
                s(n.note),
            ],
            orphaned: n.orphaned,
            extra: n.extra.into_iter().collect(),
            attributes: n.attributes.into_iter().collect(),
            cue: n.cue.map(|c| (c.start, c.end, s(c.text))),
            speaker: match n.speaker {
                NoteSpeaker::Unknown => "unknown".into(),
                NoteSpeaker::Author => "author".into(),
                NoteSpeaker::Entity(id) => format!("entity {id}"),
            },
            doc: n
                .doc
                .map(|d| (s(d.status), d.extra.into_iter().collect()))
                .unwrap_or_default(),
            relations: n
                .relations
                .into_iter()
                .map(|r| {
                    (
                        r.id.into_owned(),
                        r.to.into_owned(),
                        r.kind.into_owned(),
                        s(r.to_doc),
                    )
                })
                .collect(),
        }
    }

    proptest! {
        // Each case takes microseconds; repeated keys of the same field need many.
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The reader takes from any JSON what lookups on a `Value` took, repeated
        /// keys and values of the wrong type included, and fails where it fails.
        #[test]
        fn reads_what_a_value_gave(j in prop_oneof![json(), note()], cut in 0usize..4) {
            let mut text = String::new();
            j.text(&mut text);
            let value = serde_json::from_str::<Value>(&text);
            let read = parse(&text);
            prop_assert_eq!(value.is_ok(), read.is_ok());
            if let (Ok(value), Ok(read)) = (value, read) {
                prop_assert_eq!(through_value(&value), read.map(through_reader), "{}", text);
            }
            // Cut short, it is no longer JSON (unless the cut left a whole value).
            let short = &text[..text.floor_char_boundary(text.len().saturating_sub(cut + 1))];
            prop_assert_eq!(
                serde_json::from_str::<Value>(short).is_ok(),
                parse(short).is_ok(),
                "{}", short
            );
        }
    }

    #[test]
    fn a_written_note_borrows_its_strings() {
        let n = parse(r#"{"annotator":"chloé","id":"a1","note":"a \"b\""}"#)
            .unwrap()
            .unwrap();
        assert!(matches!(n.annotator, Some(Cow::Borrowed("chloé"))));
        assert!(matches!(n.id, Some(Cow::Borrowed("a1"))));
        assert_eq!(n.note.as_deref(), Some("a \"b\""));
        assert!(parse("[1, 2]").unwrap().is_none());
        assert!(parse("{\"id\": ").is_err());
    }
}
