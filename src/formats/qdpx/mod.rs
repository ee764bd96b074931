//! REFI-QDA projects (`.qdpx`): the exchange format of ATLAS.ti, NVivo,
//! MAXQDA and QualCoder. A `.qdpx` is a zip holding `project.qde` (XML in the
//! namespace `urn:QDA-XML:project:1.0`) and the sources under `sources/`.
//!
//! Labels are codes, annotations are `PlainTextSelection`s coded with their
//! label, claims carry their fields in a note, relations are `Link`s and a
//! document's metadata are variables. Positions count Unicode code points of
//! the source's plain text as stored in the project (a CR LF line end is two),
//! end-exclusive, as QualCoder (whose positions are Python string indices)
//! writes and reads them. GUIDs are derived from paths and ids, so exporting
//! the same corpus twice gives the same project. export.rs writes a project,
//! read.rs reads one for `formats::import`.

mod export;
pub mod read;
mod xml;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::model::{Annotation, Claim, ClaimType, Cue, Span, Stance};

pub use export::{DocPart, ProjectWriter, doc_part};

/// The namespace of a REFI-QDA project.
pub const NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// A GUID made from `parts`: the same parts always give the same GUID. It has
/// the form of an RFC 9562 version 8 UUID (a name-based one of our own hash).
pub fn guid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"marginalia-qdpx");
    for p in parts {
        h.update([0]);
        h.update(p.as_bytes());
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::model::document::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// True for characters XML 1.0 allows in a document (even as a reference).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `s` escaped for XML: as element text, or as an attribute value
/// when `attr` (where line ends and tabs would otherwise read back as spaces).
/// A CR is always a reference, since a reader turns a CR LF in text into LF.
/// Characters XML cannot hold at all (most control characters) become U+FFFD.
fn escape_into(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// True when `s` is an `xsd:dateTime` as Marginalia writes times
/// (`2026-01-02T03:04:05Z`, fractions and offsets allowed), so that a
/// hand-edited time never makes the project invalid.
pub(crate) fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19 || !digits(0..4) || !digits(5..7) || !digits(8..10) || !digits(11..13) {
        return false;
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || !digits(14..16) {
        return false;
    }
    if !digits(17..19) {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let zone = rest.as_bytes();
    rest.is_empty()
        || rest == "Z"
        || (zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[3] == b':'
            && zone[1..3].iter().chain(&zone[4..6]).all(u8::is_ascii_digit))
}

/// The first line of the note that carries an annotation's fields.
const NOTE_HEADER_CLAIM: &str = "Marginalia claim";
/// The first line of the note of an entity with fields REFI-QDA has no place for.
const NOTE_HEADER_ENTITY: &str = "Marginalia entity";

/// A field value on one line of a note: as it is, or as a JSON string when
/// it holds a line break or starts with a quote.
fn note_value(v: &str) -> String {
    if v.contains(['\n', '\r']) || v.starts_with('"') {
        serde_json::to_string(v).unwrap_or_default()
    } else {
        v.to_owned()
    }
}

fn read_note_value(v: &str) -> String {
    if v.starts_with('"') {
        serde_json::from_str(v).unwrap_or_else(|_| v.to_owned())
    } else {
        v.to_owned()
    }
}

/// The fields of an annotation that a note carries: its id, the claim's
/// fields, the canonical id, the attributes and the origin.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoteFields {
    /// The annotation's id.
    pub id: String,
    /// The claim part, for a claim; its speaker entity is named by the GUID
    /// of that entity's first selection (see [`NoteFields::speaker_guid`]).
    pub claim: Option<Claim>,
    /// For a claim spoken by an entity: the GUID of the entity's first selection.
    pub speaker_guid: Option<String>,
    /// The entity's canonical id.
    pub canonical: Option<String>,
    /// Free attributes.
    pub attributes: BTreeMap<String, String>,
    /// Which kind of suggestion the annotation was accepted from.
    pub origin: Option<crate::model::suggest::Origin>,
}

/// True when an annotation needs a note to carry what a selection cannot:
/// claims, entities with a canonical id or attributes, and annotations of
/// more than one fragment (whose selections the note joins).
fn needs_note(a: &Annotation) -> bool {
    a.kind.is_claim()
        || a.canonical().is_some()
        || !a.attributes.is_empty()
        || a.spans.len() > 1
        || a.origin.is_some()
}

/// The text of an annotation's note: a header line, then `Key: value` lines
/// people can read and the import reads back. `speaker` is the GUID and the
/// text of the speaker entity, for a claim spoken by one.
fn note_text(a: &Annotation, speaker: Option<(&str, &str)>) -> String {
    let mut lines = vec![
        if a.kind.is_claim() {
            NOTE_HEADER_CLAIM
        } else {
            NOTE_HEADER_ENTITY
        }
        .to_owned(),
        format!("Id: {}", note_value(&a.id)),
    ];
    if let Some(c) = a.claim() {
        match (&c.speaker, speaker) {
            (crate::model::Speaker::Author, _) => lines.push("Speaker: author".into()),
            (crate::model::Speaker::Entity(_), Some((guid, text))) => {
                lines.push(format!("Speaker: entity {guid} {}", note_value(text)));
            }
            _ => {}
        }
        lines.push(format!("Stance: {}", c.stance.as_str()));
        lines.push(format!("Type: {}", c.claim_type.as_str()));
        if let Some(p) = &c.proposition {
            lines.push(format!("Proposition: {}", note_value(p)));
        }
        if let Some(v) = &c.value {
            lines.push(format!("Value: {}", serde_json::to_string(v).unwrap_or_default()));
        }
        if let Some(cue) = &c.cue {
            lines.push(format!(
                "Cue: {} {} {}",
                cue.span.start,
                cue.span.end,
                note_value(&cue.quote)
            ));
        }
    }
    if let Some(k) = a.canonical() {
        lines.push(format!("Canonical: {}", note_value(k)));
    }
    if let Some(o) = a.origin {
        lines.push(format!("Origin: {}", o.as_str()));
    }
    if !a.attributes.is_empty() {
        lines.push(format!(
            "Attributes: {}",
            serde_json::to_string(&a.attributes).unwrap_or_default()
        ));
    }
    lines.join("\n")
}

/// Reads a note that [`note_text`] wrote; `None` for any other note. Lines it
/// cannot read are named in the second value.
pub fn parse_note(text: &str) -> Option<(NoteFields, Vec<String>)> {
    let text = text.replace("\r\n", "\n");
    let mut lines = text.lines();
    let claim = match lines.next()?.trim() {
        NOTE_HEADER_CLAIM => true,
        NOTE_HEADER_ENTITY => false,
        _ => return None,
    };
    let mut f = NoteFields {
        claim: claim.then(Claim::default),
        ..NoteFields::default()
    };
    let mut bad = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let Some((key, value)) = line.split_once(": ") else {
            bad.push(line.to_owned());
            continue;
        };
        let ok = match (key, f.claim.as_mut()) {
            ("Id", _) => {
                f.id = read_note_value(value);
                true
            }
            ("Canonical", _) => {
                f.canonical = Some(read_note_value(value));
                true
            }
            ("Origin", _) => {
                f.origin = crate::model::suggest::Origin::parse(value.trim());
                f.origin.is_some()
            }
            ("Attributes", _) => serde_json::from_str(value).map(|m| f.attributes = m).is_ok(),
            ("Speaker", Some(c)) if value == "author" => {
                c.speaker = crate::model::Speaker::Author;
                true
            }
            ("Speaker", Some(_)) => match value.strip_prefix("entity ") {
                Some(rest) => {
                    f.speaker_guid = rest.split(' ').next().map(str::to_owned);
                    true
                }
                None => false,
            },
            ("Stance", Some(c)) => Stance::parse(value).map(|s| c.stance = s).is_some(),
            ("Type", Some(c)) => ClaimType::parse(value).map(|t| c.claim_type = t).is_some(),
            ("Proposition", Some(c)) => {
                c.proposition = Some(read_note_value(value));
                true
            }
            ("Value", Some(c)) => serde_json::from_str(value).map(|v| c.value = Some(v)).is_ok(),
            ("Cue", Some(c)) => {
                let mut parts = value.splitn(3, ' ');
                let mut num = || parts.next().and_then(|n| n.parse::<usize>().ok());
                match (num(), num()) {
                    (Some(s), Some(e)) => {
                        let quote = parts.next().map(read_note_value).unwrap_or_default();
                        c.cue = Some(Cue {
                            span: Span::new(s, e),
                            quote: quote.into(),
                        });
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if !ok {
            bad.push(line.to_owned());
        }
    }
    Some((f, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_have_the_schema_form() {
        let g = guid(&["doc", "a.txt"]);
        assert_eq!(g, guid(&["doc", "a.txt"]));
        assert_ne!(g, guid(&["doc", "b.txt"]));
        // The parts are separated: ["ab", "c"] is not ["a", "bc"].
        assert_ne!(guid(&["ab", "c"]), guid(&["a", "bc"]));
        let b = g.as_bytes();
        assert_eq!(g.len(), 36);
        assert!([8, 13, 18, 23].iter().all(|&i| b[i] == b'-'));
        assert_eq!(b[14], b'8');
    }

    #[test]
    fn escaping_keeps_line_ends_and_drops_what_xml_cannot_hold() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&\"c\"\r\n\t\u{1}", true);
        assert_eq!(s, "a&lt;b&gt;&amp;&quot;c&quot;&#13;&#10;&#9;\u{FFFD}");
        let mut t = String::new();
        escape_into(&mut t, "x\r\ny\"", false);
        assert_eq!(t, "x&#13;\ny\"");
    }

    #[test]
    fn datetimes_are_checked() {
        for ok in [
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.123Z",
            "2026-01-02T03:04:05+02:00",
            "2026-01-02T03:04:05",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-01-02",
            "2026-01-02 03:04:05Z",
            "yesterday",
            "2026-01-02T03:04:05Zx",
            "2026-01-02T03:04:05.Z",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn a_claim_note_reads_back() {
        let doc = crate::model::Document::new("a.txt", "Sony said: at least 41 fled.\nلا 😀");
        let claim = Claim {
            speaker: crate::model::Speaker::Entity("e1".into()),
            cue: Some(Cue {
                span: Span::new(5, 9),
                quote: "said".into(),
            }),
            stance: Stance::Denies,
            claim_type: ClaimType::Opinion,
            proposition: Some("two\nlines".into()),
            value: Some(crate::model::quantity::Quantity {
                low: Some(41.0),
                unit: "people".into(),
                ..Default::default()
            }),
        };
        let mut a = doc.annotate(
            vec![Span::new(11, 28)],
            "CLAIM",
            crate::model::Kind::Claim(Box::new(claim.clone())),
            "",
        );
        a.attributes.insert("k: v".into(), "x\ny".into());
        let text = note_text(&a, Some(("1234", "Sony")));
        let (f, bad) = parse_note(&text).unwrap();
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(f.id, a.id.as_str());
        assert_eq!(f.speaker_guid.as_deref(), Some("1234"));
        let mut expected = claim;
        expected.speaker = crate::model::Speaker::Unknown;
        assert_eq!(f.claim, Some(expected));
        assert_eq!(f.attributes.get("k: v").map(String::as_str), Some("x\ny"));
        assert!(parse_note("Some memo").is_none());
    }
}
