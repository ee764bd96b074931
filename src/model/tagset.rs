//! The tag set: which labels exist, how they look, their hotkeys and attributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The tag set shipped with Marginalia, used when a corpus has no `marginalia.ron`.
pub const DEFAULT_TAGSET: &str = include_str!("../../assets/tagset.ron");

/// File name of a corpus's own tag set, in the corpus root.
pub const CORPUS_TAGSET_FILE: &str = "marginalia.ron";

/// Named colours a tag set may use besides `#rrggbb`.
pub const NAMED_COLOURS: &[(&str, [u8; 3])] = &[
    ("red", [0xe8, 0x6a, 0x6a]),
    ("orange", [0xf0, 0xa0, 0x50]),
    ("yellow", [0xe8, 0xd0, 0x40]),
    ("green", [0x6c, 0xc0, 0x6c]),
    ("teal", [0x40, 0xb8, 0xb0]),
    ("blue", [0x5a, 0x9a, 0xe8]),
    ("purple", [0xa8, 0x7c, 0xe0]),
    ("pink", [0xe8, 0x80, 0xc0]),
    ("brown", [0xb0, 0x84, 0x5c]),
    ("grey", [0xa0, 0xa0, 0xa0]),
];

/// Whether a label tags entities or claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabelKind {
    /// Mentions of people, organisations, places, dates, numbers…
    Entity,
    /// Statements someone makes.
    Claim,
}

/// An attribute a label allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// Attribute key.
    pub name: String,
    /// Allowed values; empty means free text.
    #[serde(default)]
    pub values: Vec<String>,
}

/// One label of the tag set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelDef {
    /// Label name as stored in annotations (e.g. `PERSON`).
    pub name: String,
    /// `#rrggbb` or one of [`NAMED_COLOURS`].
    pub colour: String,
    /// One key (`1`–`9`, a letter) that applies the label; optional.
    #[serde(default)]
    pub hotkey: Option<String>,
    /// Entity or claim.
    pub kind: LabelKind,
    /// Attributes the label allows.
    #[serde(default)]
    pub attributes: Vec<AttributeDef>,
    /// One-line help shown in the palette tooltip.
    #[serde(default)]
    pub description: String,
}

impl LabelDef {
    /// The label's colour as RGB (grey when unparsable; validation rejects that earlier).
    pub fn rgb(&self) -> [u8; 3] {
        parse_colour(&self.colour).unwrap_or([0xa0, 0xa0, 0xa0])
    }
}

/// A validated tag set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSet {
    /// Labels in palette order.
    pub labels: Vec<LabelDef>,
    /// Relation types (e.g. `supports`, `contradicts`, `refers-to`).
    #[serde(default = "default_relations")]
    pub relations: Vec<String>,
    /// Which labels a relation type joins, by type; a type not listed joins any
    /// two annotations. Optional, so tag sets written before it still load.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub relation_labels: BTreeMap<String, RelationEnds>,
}

/// The labels a relation type may start from and point to; an empty list
/// allows every label at that end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationEnds {
    /// Labels the relation may start from.
    #[serde(default)]
    pub from: Vec<String>,
    /// Labels it may point to.
    #[serde(default)]
    pub to: Vec<String>,
}

fn default_relations() -> Vec<String> {
    vec!["supports".into(), "contradicts".into(), "refers-to".into()]
}

/// A tag set that could not be read, with the line it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagSetError {
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for TagSetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column > 0 {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for TagSetError {}

/// Parses `#rrggbb` or a named colour.
pub fn parse_colour(s: &str) -> Option<[u8; 3]> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some([c(0)?, c(2)?, c(4)?]);
    }
    NAMED_COLOURS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, c)| *c)
}

impl TagSet {
    /// The built-in tag set.
    pub fn builtin() -> Self {
        Self::parse(DEFAULT_TAGSET).expect("the bundled tag set is valid")
    }

    /// Parses and validates a tag set; errors name the line.
    pub fn parse(source: &str) -> Result<Self, TagSetError> {
        let set: TagSet = ron::from_str(source).map_err(|e| TagSetError {
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })?;
        set.validate(source)?;
        Ok(set)
    }

    fn validate(&self, source: &str) -> Result<(), TagSetError> {
        let line_of = |needle: &str, nth: usize| -> usize {
            source
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(needle))
                .nth(nth)
                .map_or(0, |(i, _)| i + 1)
        };
        let err = |line, message: String| TagSetError {
            line,
            column: 0,
            message,
        };
        if self.labels.is_empty() {
            return Err(err(
                1,
                "the tag set has no labels; add at least one under `labels`".into(),
            ));
        }
        let mut names = std::collections::HashMap::new();
        let mut keys: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for l in &self.labels {
            let name_needle = format!("\"{}\"", l.name);
            if l.name.trim().is_empty() {
                return Err(err(line_of("name: \"\"", 0), "a label has an empty name".into()));
            }
            let seen = names.entry(l.name.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                return Err(err(
                    line_of(&name_needle, 1),
                    format!(
                        "the label name \"{}\" is used twice; label names must be unique",
                        l.name
                    ),
                ));
            }
            if parse_colour(&l.colour).is_none() {
                let names: Vec<_> = NAMED_COLOURS.iter().map(|(n, _)| *n).collect();
                return Err(err(
                    line_of(&format!("\"{}\"", l.colour), 0),
                    format!(
                        "label \"{}\" has the unknown colour \"{}\"; use #rrggbb or one of {}",
                        l.name,
                        l.colour,
                        names.join(", ")
                    ),
                ));
            }
            if let Some(key) = &l.hotkey {
                if key.chars().count() != 1 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(err(
                        line_of(&format!("hotkey: Some(\"{key}\")"), 0),
                        format!(
                            "label \"{}\" has the hotkey \"{key}\"; a hotkey is one letter or digit",
                            l.name
                        ),
                    ));
                }
                let k = key.to_ascii_lowercase();
                if let Some(other) = keys.insert(k.clone(), &l.name) {
                    return Err(err(
                        line_of(&format!("hotkey: Some(\"{key}\")"), 1),
                        format!(
                            "the hotkey \"{key}\" is given to both \"{other}\" and \"{}\"",
                            l.name
                        ),
                    ));
                }
            }
        }
        for (kind, ends) in &self.relation_labels {
            let at = line_of(&format!("\"{kind}\""), 1).max(line_of(&format!("\"{kind}\""), 0));
            if !self.relations.contains(kind) {
                return Err(err(
                    at,
                    format!(
                        "relation_labels names the relation type \"{kind}\", which is not in `relations`; add it there or remove it here"
                    ),
                ));
            }
            for name in ends.from.iter().chain(&ends.to) {
                if self.label(name).is_none() {
                    return Err(err(
                        at,
                        format!(
                            "the relation type \"{kind}\" joins the label \"{name}\", which is not in `labels`"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether a relation of type `kind` may join an annotation labelled `from`
    /// to one labelled `to`; the error says what the type joins.
    pub fn check_relation(&self, kind: &str, from: &str, to: &str) -> Result<(), String> {
        let Some(ends) = self.relation_labels.get(kind) else {
            return Ok(());
        };
        let fits = |allowed: &[String], label: &str| allowed.is_empty() || allowed.iter().any(|a| a == label);
        if fits(&ends.from, from) && fits(&ends.to, to) {
            return Ok(());
        }
        let any = |allowed: &[String]| {
            if allowed.is_empty() {
                "any label".to_owned()
            } else {
                allowed.join(" or ")
            }
        };
        Err(format!(
            "A “{kind}” relation goes from {} to {}, not from {from} to {to}. Pick another relation type, or change the tag set's relation_labels.",
            any(&ends.from),
            any(&ends.to)
        ))
    }

    /// The label with this name.
    pub fn label(&self, name: &str) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.name == name)
    }

    /// The label whose hotkey is `key` (case-insensitive).
    pub fn by_hotkey(&self, key: char) -> Option<&LabelDef> {
        self.labels.iter().find(|l| {
            l.hotkey
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(&key.to_string()))
        })
    }

    /// The first claim label, used by the claim hotkey when no label is chosen.
    pub fn claim_label(&self) -> Option<&LabelDef> {
        self.labels.iter().find(|l| l.kind == LabelKind::Claim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses() {
        let t = TagSet::builtin();
        assert!(t.label("PERSON").is_some());
        assert_eq!(t.by_hotkey('1').map(|l| l.name.as_str()), Some("PERSON"));
        assert_eq!(t.claim_label().map(|l| l.name.as_str()), Some("CLAIM"));
    }

    #[test]
    fn duplicate_hotkey_names_the_line() {
        let src = "(\n labels: [\n  (name: \"A\", colour: \"red\", hotkey: Some(\"1\"), kind: Entity),\n  (name: \"B\", colour: \"red\", hotkey: Some(\"1\"), kind: Entity),\n ],\n)";
        let e = TagSet::parse(src).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("hotkey \"1\""), "{e}");
    }

    #[test]
    fn duplicate_names_and_bad_colours_are_rejected() {
        let src = "(labels: [\n(name: \"A\", colour: \"red\", kind: Entity),\n(name: \"A\", colour: \"red\", kind: Entity)])";
        assert_eq!(TagSet::parse(src).unwrap_err().line, 3);
        let src = "(labels: [\n(name: \"A\", colour: \"mauve\", kind: Entity)])";
        let e = TagSet::parse(src).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("mauve"));
    }

    #[test]
    fn relation_types_may_declare_their_labels() {
        // A tag set without relation_labels still loads, joining anything.
        let old = "(labels: [(name: \"A\", colour: \"red\", kind: Entity)], relations: [\"r\"])";
        let t = TagSet::parse(old).unwrap();
        assert!(t.relation_labels.is_empty());
        assert_eq!(t.check_relation("r", "A", "A"), Ok(()));
        let src = "(labels: [(name: \"P\", colour: \"red\", kind: Entity), (name: \"O\", colour: \"blue\", kind: Entity)],\n relations: [\"works-for\", \"r\"],\n relation_labels: {\"works-for\": (from: [\"P\"], to: [\"O\"])})";
        let t = TagSet::parse(src).unwrap();
        assert_eq!(t.check_relation("works-for", "P", "O"), Ok(()));
        let e = t.check_relation("works-for", "O", "P").unwrap_err();
        assert!(e.contains("from P to O, not from O to P"), "{e}");
        assert_eq!(t.check_relation("r", "O", "P"), Ok(()));
        // Written back, it reads the same.
        assert_eq!(TagSet::parse(&ron::to_string(&t).unwrap()).unwrap(), t);
        let bad = src.replace("to: [\"O\"]", "to: [\"Q\"]");
        let e = TagSet::parse(&bad).unwrap_err();
        assert!(e.message.contains("\"Q\""), "{e}");
        assert_eq!(e.line, 3);
        let bad = src.replace("relations: [\"works-for\", \"r\"]", "relations: [\"r\"]");
        assert!(
            TagSet::parse(&bad)
                .unwrap_err()
                .message
                .contains("not in `relations`")
        );
    }

    #[test]
    fn syntax_errors_carry_position() {
        let e = TagSet::parse("(labels: [\n(name: \"A\" colour: \"red\")])").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.column > 0);
    }
}
