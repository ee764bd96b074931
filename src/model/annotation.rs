//! Annotations, their kinds (entities and claims) and relations between them.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// A half-open range of code points `start..end` in a document's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First code point covered.
    pub start: usize,
    /// One past the last code point covered.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`, swapped if given backwards.
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: start.min(end),
            end: start.max(end),
        }
    }

    /// Number of code points covered (0 for a backwards span read from a damaged file).
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when the two spans share at least one code point.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `cp` lies inside the span.
    pub fn contains(&self, cp: usize) -> bool {
        self.start <= cp && cp < self.end
    }
}

/// The spans of an annotation. Nearly every annotation has one, which is kept
/// inline instead of in a heap block of its own.
pub type Spans = smallvec::SmallVec<[Span; 1]>;

/// A stable annotation identifier, unique across annotators so branches merge without clashes.
pub type AnnId = CompactString;

/// Makes a new identifier: a short random string, so that two analysts on two
/// branches never mint the same id.
pub fn new_id(prefix: &str) -> AnnId {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    // RandomState is seeded from the OS for every new instance.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let mut n = h.finish();
    let mut s = AnnId::from(prefix);
    for _ in 0..10 {
        s.push(ALPHABET[(n % 32) as usize] as char);
        n /= 32;
    }
    s
}

/// Where a claim's speaker comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Speaker {
    /// No speaker recorded.
    #[default]
    Unknown,
    /// The author or outlet of the document itself.
    Author,
    /// An entity annotation of the same document, by id.
    Entity(AnnId),
}

/// How the speaker relates to the proposition of a claim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stance {
    /// The speaker states it as true.
    #[default]
    Asserts,
    /// The speaker states it is false.
    Denies,
    /// The speaker doubts or questions it.
    Questions,
    /// The speaker passes on what someone else said.
    Reports,
}

impl Stance {
    /// Every stance, in display order.
    pub const ALL: [Stance; 4] = [
        Stance::Asserts,
        Stance::Denies,
        Stance::Questions,
        Stance::Reports,
    ];

    /// Lower-case name used in exports and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Asserts => "asserts",
            Stance::Denies => "denies",
            Stance::Questions => "questions",
            Stance::Reports => "reports",
        }
    }

    /// Parses [`Stance::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What kind of statement a claim is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ClaimType {
    /// A checkable statement of fact.
    #[default]
    Fact,
    /// A judgement or view.
    Opinion,
    /// A statement about the future.
    Prediction,
    /// A direct quotation.
    Quote,
}

impl ClaimType {
    /// Every claim type, in display order.
    pub const ALL: [ClaimType; 4] = [
        ClaimType::Fact,
        ClaimType::Opinion,
        ClaimType::Prediction,
        ClaimType::Quote,
    ];

    /// Lower-case name used in exports and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Fact => "fact",
            ClaimType::Opinion => "opinion",
            ClaimType::Prediction => "prediction",
            ClaimType::Quote => "quote",
        }
    }

    /// Parses [`ClaimType::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The words that introduce a claim ("said", "according to").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cue {
    /// Where the cue is.
    pub span: Span,
    /// Its text, for re-anchoring.
    pub quote: CompactString,
}

/// The claim-specific part of a claim annotation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Claim {
    /// Who makes the claim.
    pub speaker: Speaker,
    /// The cue words ("said", "according to"), if marked.
    pub cue: Option<Cue>,
    /// How the speaker stands towards the proposition.
    pub stance: Stance,
    /// Fact, opinion, prediction or quote.
    pub claim_type: ClaimType,
    /// Groups the same claim across sources (e.g. `repatriated-count`).
    pub proposition: Option<String>,
    /// The figure the claim states, as the analyst corrected it; `None` when
    /// it is read from the text (see `model::comparison::value_of`).
    pub value: Option<super::quantity::Quantity>,
}

/// Whether an annotation tags an entity or records a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A mention of a person, organisation, place, date, number…
    Entity {
        /// Links mentions of the same entity across documents.
        #[serde(default)]
        canonical: Option<String>,
    },
    /// A statement someone makes. Boxed: most annotations are entities, and
    /// the claim fields would make every one of them four times the size.
    Claim(Box<Claim>),
}

impl Kind {
    /// A fresh entity kind with no canonical id.
    pub fn entity() -> Self {
        Kind::Entity { canonical: None }
    }

    /// A fresh claim kind with default fields.
    pub fn claim() -> Self {
        Kind::Claim(Box::default())
    }

    /// True for claims.
    pub fn is_claim(&self) -> bool {
        matches!(self, Kind::Claim(_))
    }
}

/// An annotation's free attributes: key → value, sorted by key, each key once.
///
/// A sorted list rather than a `BTreeMap`: most annotations have no attribute
/// or one, and a map's smallest node has room for eleven (over 500 bytes).
/// It reads, iterates and serializes like the map it replaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(String, String)>);

impl Attributes {
    /// No attributes.
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    /// True when `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it replaced.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, set to an empty string first if it was not set.
    pub fn get_or_insert_default(&mut self, key: String) -> &mut String {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, String::new()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Removes all attributes and frees their room.
    pub fn clear(&mut self) {
        self.0 = Vec::new();
    }

    /// Key and value pairs in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &String)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl std::ops::Index<&str> for Attributes {
    type Output = String;

    /// The value of `key`; panics if it is not set, as a map's index does.
    fn index(&self, key: &str) -> &String {
        self.get(key).unwrap_or_else(|| panic!("no attribute {key:?}"))
    }
}

impl IntoIterator for Attributes {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Extend<(String, String)> for Attributes {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(String, String)> for Attributes {
    /// Sorted by key; of pairs with the same key the last one wins, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut v: Vec<(String, String)> = iter.into_iter().collect();
        // Stable, so equal keys keep their order and the last is kept below.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, String)> = Vec::with_capacity(v.len());
        for (k, val) in v {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = val,
                _ => out.push((k, val)),
            }
        }
        out.shrink_to_fit();
        Self(out)
    }
}

impl From<BTreeMap<String, String>> for Attributes {
    fn from(m: BTreeMap<String, String>) -> Self {
        Self(m.into_iter().collect())
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(Self::from)
    }
}

/// One annotation: a label on one or more spans of a document.
///
/// This is the one definition of an annotation's fields: the sidecar, the
/// journal and the formats read and write through its serde form, where a
/// field a file leaves out takes its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Stable identifier.
    pub id: AnnId,
    /// Covered spans, sorted, non-overlapping; more than one for discontinuous annotations.
    pub spans: Spans,
    /// The covered text, fragments joined by one space (as brat does).
    #[serde(default)]
    pub quote: CompactString,
    /// Up to 32 code points before the first span, for re-anchoring.
    #[serde(default)]
    pub prefix: String,
    /// Up to 32 code points after the last span, for re-anchoring.
    #[serde(default)]
    pub suffix: String,
    /// Label name from the tag set.
    pub label: CompactString,
    /// Entity or claim.
    pub kind: Kind,
    /// Free attributes (key → value).
    #[serde(default)]
    pub attributes: Attributes,
    /// Free note.
    #[serde(default)]
    pub note: String,
    /// Who made the annotation.
    #[serde(default)]
    pub annotator: CompactString,
    /// When it was made (RFC 3339, UTC).
    #[serde(default)]
    pub created: CompactString,
    /// When it last changed (RFC 3339, UTC).
    #[serde(default)]
    pub modified: CompactString,
    /// Set when the source changed and the annotation could not be placed again.
    #[serde(default)]
    pub orphaned: bool,
    /// Fields two analysts changed differently, found when their versions
    /// were merged: our value is the one in the annotation, theirs is here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<super::merge::Conflict>,
    /// Where the annotation came from when it was made by accepting a
    /// suggestion; `None` when the analyst made it by hand.
    #[serde(default)]
    pub origin: Option<super::suggest::Origin>,
    /// Fields written by a newer version of Marginalia, kept verbatim (RON
    /// value texts). The sidecar writes them as fields of their own.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

impl Annotation {
    /// An annotation with no attributes, note or extra fields, created and
    /// modified at `time`. `selector` is the (quote, prefix, suffix) of its spans.
    pub fn new(
        id: AnnId,
        spans: Vec<Span>,
        selector: (CompactString, String, String),
        label: &str,
        kind: Kind,
        annotator: &str,
        time: &str,
    ) -> Self {
        let (quote, prefix, suffix) = selector;
        Self {
            id,
            spans: Spans::from_vec(spans),
            quote,
            prefix,
            suffix,
            label: label.into(),
            kind,
            attributes: Attributes::new(),
            note: String::new(),
            annotator: annotator.into(),
            created: time.into(),
            modified: time.into(),
            orphaned: false,
            conflicts: Vec::new(),
            origin: None,
            extra: BTreeMap::new(),
        }
    }

    /// The extent from the first span's start to the last span's end.
    pub fn extent(&self) -> Span {
        let start = self.spans.iter().map(|s| s.start).min().unwrap_or(0);
        let end = self.spans.iter().map(|s| s.end).max().unwrap_or(0);
        Span { start, end }
    }

    /// Sort key for deterministic output: (start, end, id).
    pub fn sort_key(&self) -> (usize, usize, &str) {
        let e = self.extent();
        (e.start, e.end, self.id.as_str())
    }

    /// The claim part, if this is a claim.
    pub fn claim(&self) -> Option<&Claim> {
        match &self.kind {
            Kind::Claim(c) => Some(c),
            Kind::Entity { .. } => None,
        }
    }

    /// The canonical id, if this is an entity that has one.
    pub fn canonical(&self) -> Option<&str> {
        match &self.kind {
            Kind::Entity { canonical } => canonical.as_deref(),
            Kind::Claim(_) => None,
        }
    }
}

/// Where a relation points: an annotation in this document or in another one.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Path of the other document relative to the corpus root, or `None` for the same document.
    pub doc: Option<String>,
    /// Annotation id in that document.
    pub id: AnnId,
}

/// A typed link between two annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// Stable identifier.
    pub id: AnnId,
    /// Annotation (or event) in this document the relation starts from.
    pub from: AnnId,
    /// Annotation (or event) it points to.
    pub to: Target,
    /// Relation type from the tag set (e.g. `supports`).
    pub kind: String,
    /// Free attributes (key → value), as brat puts on relations.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    /// Free note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// How far an analyst has got with a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Nobody has annotated it yet.
    #[default]
    NotStarted,
    /// Work has begun.
    InProgress,
    /// Finished.
    Done,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 3] = [Status::NotStarted, Status::InProgress, Status::Done];

    /// Plain words for the UI and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
        }
    }

    /// Snake-case key for exports.
    pub fn key(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Done => "done",
        }
    }

    /// Parses [`Status::key`] or [`Status::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s || x.as_str() == s)
    }
}

/// The current time as an RFC 3339 UTC timestamp with second precision.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339_from_unix(secs)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm): exact for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_known_dates() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_795_556_096), "2026-11-24T21:34:56Z");
    }

    #[test]
    fn ids_are_distinct() {
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| new_id("a")).collect();
        assert_eq!(ids.len(), 1000);
    }
}
