//! The sidecar reader against the oracle (`sidecar_oracle`: serde through
//! `ron`, with `ronscan` for unknown fields): on every file the oracle reads,
//! the reader gives the same sidecar, or refuses it for a reason it names
//! (a field it could not keep); every file the oracle refuses, it refuses too,
//! with a line and a column. Read in windows, a file gives the same answer.

mod sidecar_oracle;
mod sidecar_support;

use std::collections::BTreeMap;

use marginalia::model::{
    Annotation, Attributes, Claim, Cue, DocAnnotations, DocMeta, Equivalence, Event, Kind, Relation, Span,
    Speaker,
};
use marginalia::store::sidecar::{self, Sidecar};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use sidecar_oracle::ronscan;
use sidecar_support::{sidecar_value, text};

// ---- a writer of every layout ----

/// Formatting choices, drawn from a seed so a failing case can be replayed.
struct Layout(u64);

/// What may stand between two tokens: whitespace and comments of every kind.
const GAPS: &[&str] = &[
    "",
    "",
    "",
    " ",
    " ",
    "\n",
    "\t",
    "\r\n",
    "\n        ",
    "// a comment, with (brackets] and \"quotes\n",
    " /* block */ ",
    "/**/",
    "/***/",
    "/* spans\nlines */",
    "/* holds // and \" */",
    "// 😀 漢 \u{2028}\n",
    "/* ) ] } , : */\n",
];

/// Whitespace only, for the places where the oracle's `ronscan` wants no comment.
const SPACES: &[&str] = &["", "", " ", "  ", "\n", "\t", "\r\n", " \n    "];

impl Layout {
    fn next(&mut self, n: usize) -> usize {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    fn coin(&mut self, percent: usize) -> bool {
        self.next(100) < percent
    }

    fn gap(&mut self) -> &'static str {
        GAPS[self.next(GAPS.len())]
    }

    fn space(&mut self) -> &'static str {
        SPACES[self.next(SPACES.len())]
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        if self.coin(30) {
            return;
        }
        for i in (1..v.len()).rev() {
            v.swap(i, self.next(i + 1));
        }
    }
}

/// A string literal with every escape RON has, chosen at random per character.
fn lit(l: &mut Layout, s: &str) -> String {
    let mut out = String::from("\"");
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let style = l.next(10);
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if style < 5 => out.push_str("\\n"),
            '\r' if style < 5 => out.push_str("\\r"),
            '\t' if style < 5 => out.push_str("\\t"),
            '\0' if style < 5 => out.push_str("\\0"),
            '\'' if style < 5 => out.push_str("\\'"),
            _ if style == 7 => {
                let digits = format!("{:x}", c as u32);
                let width = digits.len() + l.next(7 - digits.len());
                let digits = format!("{:0width$x}", c as u32);
                let digits = if l.coin(50) { digits.to_uppercase() } else { digits };
                out.push_str(&format!("\\u{{{digits}}}"));
            }
            _ if style == 8 => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&if l.coin(50) {
                        format!("\\x{b:02x}")
                    } else {
                        format!("\\x{b:02X}")
                    });
                }
            }
            _ => out.push(c),
        }
        // A line continuation drops the whitespace after it, so only before other text.
        if l.coin(4)
            && chars
                .get(i + 1)
                .is_none_or(|n| !matches!(n, ' ' | '\t' | '\n' | '\r'))
        {
            out.push_str(if l.coin(50) { "\\\n        " } else { "\\\r\n\t" });
        }
    }
    out.push('"');
    out
}

struct Field {
    key: String,
    value: String,
    /// An unknown field: its text is kept, so only spaces go before it.
    unknown: bool,
}

fn field(key: &str, value: String) -> Field {
    Field {
        key: key.into(),
        value,
        unknown: false,
    }
}

/// Adds a field that has a default, leaving it out now and then when it holds the default.
fn defaulted(l: &mut Layout, fields: &mut Vec<Field>, key: &str, is_default: bool, value: String) {
    if !(is_default && l.coin(50)) {
        fields.push(field(key, value));
    }
}

/// `(key: value, …)` in any order, with any trivia and an optional trailing comma.
/// `scanned` marks the structs whose unknown fields are kept.
fn structure(l: &mut Layout, mut fields: Vec<Field>, scanned: bool) -> String {
    l.shuffle(&mut fields);
    let mut out = String::from("(");
    out += l.gap();
    let n = fields.len();
    for (i, f) in fields.into_iter().enumerate() {
        out += &f.key;
        out += if scanned { l.space() } else { l.gap() };
        out += ":";
        out += if f.unknown { l.space() } else { l.gap() };
        out += &f.value;
        out += l.gap();
        if i + 1 < n || l.coin(50) {
            out += ",";
            out += l.gap();
        }
    }
    out + ")"
}

fn list(l: &mut Layout, items: Vec<String>) -> String {
    let mut out = String::from("[");
    out += l.gap();
    let n = items.len();
    for (i, item) in items.into_iter().enumerate() {
        out += &item;
        out += l.gap();
        if i + 1 < n || l.coin(50) {
            out += ",";
            out += l.gap();
        }
    }
    out + "]"
}

/// `Name(inner)`, as RON writes newtype variants and `Some`.
fn newtype(l: &mut Layout, name: &str, inner: String) -> String {
    let mut out = format!("{name}{}({}{inner}{}", l.gap(), l.gap(), l.gap());
    if l.coin(30) {
        out += ",";
        out += l.gap();
    }
    out + ")"
}

fn option(l: &mut Layout, v: Option<String>) -> String {
    match v {
        Some(v) => newtype(l, "Some", v),
        None => "None".into(),
    }
}

fn opt_lit(l: &mut Layout, s: &Option<String>) -> String {
    let v = s.as_ref().map(|s| lit(l, s));
    option(l, v)
}

fn span(l: &mut Layout, s: &Span) -> String {
    let fields = vec![
        field("start", s.start.to_string()),
        field("end", s.end.to_string()),
    ];
    structure(l, fields, false)
}

fn kind(l: &mut Layout, k: &Kind) -> String {
    match k {
        Kind::Entity { canonical } => {
            let mut fields = Vec::new();
            let v = opt_lit(l, canonical);
            defaulted(l, &mut fields, "canonical", canonical.is_none(), v);
            format!("Entity{}{}", l.gap(), structure(l, fields, false))
        }
        Kind::Claim(c) => {
            let inner = claim(l, c);
            newtype(l, "Claim", inner)
        }
    }
}

fn claim(l: &mut Layout, c: &Claim) -> String {
    let mut fields = Vec::new();
    let speaker = match &c.speaker {
        Speaker::Unknown => "Unknown".into(),
        Speaker::Author => "Author".into(),
        Speaker::Entity(id) => {
            let id = lit(l, id);
            newtype(l, "Entity", id)
        }
    };
    defaulted(l, &mut fields, "speaker", c.speaker == Speaker::Unknown, speaker);
    let cue = c.cue.as_ref().map(|Cue { span: s, quote }| {
        let fields = vec![field("span", span(l, s)), field("quote", lit(l, quote))];
        structure(l, fields, false)
    });
    let cue = option(l, cue);
    defaulted(l, &mut fields, "cue", c.cue.is_none(), cue);
    defaulted(
        l,
        &mut fields,
        "stance",
        c.stance == Default::default(),
        format!("{:?}", c.stance),
    );
    defaulted(
        l,
        &mut fields,
        "claim_type",
        c.claim_type == Default::default(),
        format!("{:?}", c.claim_type),
    );
    let p = opt_lit(l, &c.proposition);
    defaulted(l, &mut fields, "proposition", c.proposition.is_none(), p);
    let value = c.value.as_ref().map(|q| {
        let num = |x: Option<f64>| x.map_or("None".to_owned(), |x| format!("Some({x:?})"));
        let fields = vec![
            field("low", num(q.low)),
            field("high", num(q.high)),
            field("approximate", q.approximate.to_string()),
            field("unit", lit(l, &q.unit)),
            field("rate", opt_lit(l, &q.rate)),
        ];
        structure(l, fields, false)
    });
    let value = option(l, value);
    defaulted(l, &mut fields, "value", c.value.is_none(), value);
    structure(l, fields, false)
}

fn attributes(l: &mut Layout, m: &Attributes) -> String {
    let mut out = String::from("{");
    out += l.gap();
    let n = m.len();
    for (i, (k, v)) in m.iter().enumerate() {
        out += &format!("{}{}:{}{}{}", lit(l, k), l.gap(), l.gap(), lit(l, v), l.gap());
        if i + 1 < n || l.coin(50) {
            out += ",";
            out += l.gap();
        }
    }
    out + "}"
}

fn annotation(l: &mut Layout, a: &Annotation) -> String {
    let mut fields = vec![field("id", lit(l, &a.id))];
    let spans = a.spans.iter().map(|s| span(l, s)).collect();
    fields.push(field("spans", list(l, spans)));
    for (key, value) in [
        ("quote", a.quote.as_str()),
        ("prefix", &a.prefix),
        ("suffix", &a.suffix),
        ("note", &a.note),
        ("annotator", &a.annotator),
        ("created", &a.created),
        ("modified", &a.modified),
    ] {
        let v = lit(l, value);
        defaulted(l, &mut fields, key, value.is_empty(), v);
    }
    fields.push(field("label", lit(l, &a.label)));
    fields.push(field("kind", kind(l, &a.kind)));
    let attrs = attributes(l, &a.attributes);
    defaulted(l, &mut fields, "attributes", a.attributes.is_empty(), attrs);
    defaulted(l, &mut fields, "orphaned", !a.orphaned, a.orphaned.to_string());
    let conflicts = conflicts(l, &a.conflicts);
    defaulted(l, &mut fields, "conflicts", a.conflicts.is_empty(), conflicts);
    let origin = a.origin.map_or("None".to_owned(), |o| format!("Some({o:?})"));
    defaulted(l, &mut fields, "origin", a.origin.is_none(), origin);
    fields.extend(unknown_fields(&a.extra));
    structure(l, fields, true)
}

fn unknown_fields(extra: &BTreeMap<String, String>) -> impl Iterator<Item = Field> + '_ {
    extra.iter().map(|(k, v)| Field {
        key: k.clone(),
        value: v.clone(),
        unknown: true,
    })
}

fn relation(l: &mut Layout, r: &Relation) -> String {
    let mut to = Vec::new();
    let doc = opt_lit(l, &r.to.doc);
    defaulted(l, &mut to, "doc", r.to.doc.is_none(), doc);
    to.push(field("id", lit(l, &r.to.id)));
    let mut fields = vec![
        field("id", lit(l, &r.id)),
        field("from", lit(l, &r.from)),
        field("to", structure(l, to, false)),
        field("kind", lit(l, &r.kind)),
    ];
    let attrs = attributes(l, &r.attributes);
    defaulted(l, &mut fields, "attributes", r.attributes.is_empty(), attrs);
    let note = lit(l, &r.note);
    defaulted(l, &mut fields, "note", r.note.is_empty(), note);
    structure(l, fields, false)
}

fn event(l: &mut Layout, e: &Event) -> String {
    let args = e
        .arguments
        .iter()
        .map(|a| {
            let fields = vec![field("role", lit(l, &a.role)), field("id", lit(l, &a.id))];
            structure(l, fields, false)
        })
        .collect();
    let mut fields = vec![
        field("id", lit(l, &e.id)),
        field("kind", lit(l, &e.kind)),
        field("trigger", lit(l, &e.trigger)),
    ];
    let args = list(l, args);
    defaulted(l, &mut fields, "arguments", e.arguments.is_empty(), args);
    let attrs = attributes(l, &e.attributes);
    defaulted(l, &mut fields, "attributes", e.attributes.is_empty(), attrs);
    let note = lit(l, &e.note);
    defaulted(l, &mut fields, "note", e.note.is_empty(), note);
    structure(l, fields, false)
}

fn conflicts(l: &mut Layout, list_of: &[marginalia::model::merge::Conflict]) -> String {
    let items = list_of
        .iter()
        .map(|c| {
            let fields = vec![
                field("field", lit(l, &c.field)),
                field("ours", lit(l, &c.ours)),
                field("theirs", lit(l, &c.theirs)),
            ];
            structure(l, fields, false)
        })
        .collect();
    list(l, items)
}

fn equivalence(l: &mut Layout, q: &Equivalence) -> String {
    let members = q.members.iter().map(|m| lit(l, m)).collect();
    let fields = vec![field("kind", lit(l, &q.kind)), field("members", list(l, members))];
    structure(l, fields, false)
}

/// The sidecar in a layout drawn from `seed`, as a person or another tool might write it.
fn render_any_layout(sc: &Sidecar, seed: u64) -> String {
    let l = &mut Layout(seed);
    let d = &sc.data;
    let mut fields = vec![
        field("format", lit(l, sidecar::FORMAT)),
        field("version", lit(l, &format!("{}.{}", sc.version.0, sc.version.1))),
    ];
    let v = lit(l, &sc.source);
    defaulted(l, &mut fields, "source", sc.source.is_empty(), v);
    let v = lit(l, &sc.source_hash);
    defaulted(l, &mut fields, "source_hash", sc.source_hash.is_empty(), v);
    if let Some(x) = &sc.extraction {
        let record = vec![
            field("kind", lit(l, x.kind.as_str())),
            field("version", x.version.to_string()),
            field("text_hash", lit(l, &x.text_hash)),
        ];
        let record = structure(l, record, false);
        fields.push(field("extraction", record));
    }
    let status = format!("{:?}", d.status);
    defaulted(l, &mut fields, "status", d.status == Default::default(), status);
    let anns = d.annotations.iter().map(|a| annotation(l, a)).collect();
    let anns = list(l, anns);
    defaulted(l, &mut fields, "annotations", d.annotations.is_empty(), anns);
    let rels = d.relations.iter().map(|r| relation(l, r)).collect();
    let rels = list(l, rels);
    defaulted(l, &mut fields, "relations", d.relations.is_empty(), rels);
    let events = d.events.iter().map(|e| event(l, e)).collect();
    let events = list(l, events);
    defaulted(l, &mut fields, "events", d.events.is_empty(), events);
    let equivalences = d.equivalences.iter().map(|q| equivalence(l, q)).collect();
    let equivalences = list(l, equivalences);
    defaulted(
        l,
        &mut fields,
        "equivalences",
        d.equivalences.is_empty(),
        equivalences,
    );
    if !d.meta.is_empty() || l.coin(20) {
        let meta = DocMeta::FIELDS
            .iter()
            .map(|f| field(f, lit(l, d.meta.get(f).unwrap_or_default())))
            .collect();
        let meta = structure(l, meta, false);
        fields.push(field("meta", meta));
    }
    let conflicts = conflicts(l, &d.conflicts);
    defaulted(l, &mut fields, "conflicts", d.conflicts.is_empty(), conflicts);
    fields.extend(unknown_fields(&d.extra));
    let mut out = String::new();
    if l.coin(50) {
        out += "// Marginalia annotations.\n";
    }
    out += l.gap();
    out += &structure(l, fields, true);
    out += l.gap();
    out
}

// ---- strategies ----

/// A string literal with only the escapes RON requires.
fn plain_lit(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c => out.push(c),
        }
    }
    out + "\""
}

/// The text of a RON value a newer version might store in a field this build
/// does not know: every kind of value, nested, with comments inside.
fn ron_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        text(8).prop_map(|s| plain_lit(&s)),
        any::<i32>().prop_map(|n| n.to_string()),
        "-?[0-9]{1,6}\\.[0-9]{1,4}",
        Just("true".to_string()),
        Just("false".to_string()),
        Just("None".to_string()),
        Just("()".to_string()),
        "[A-Z][a-z0-9_]{0,6}".prop_filter("Some needs a value", |s| s != "Some"),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        let sep = || {
            prop_oneof![
                Just(", "),
                Just(","),
                Just(" , "),
                Just(",\n  "),
                Just(", /* c */ "),
                Just(" // c, d\n, ")
            ]
        };
        let key = "[a-z_][a-z0-9_]{0,5}";
        prop_oneof![
            inner.clone().prop_map(|v| format!("Some({v})")),
            (vec(inner.clone(), 0..4), sep(), any::<bool>()).prop_map(|(v, sep, trailing)| {
                let comma = if trailing && !v.is_empty() { "," } else { "" };
                format!("[{}{comma}]", v.join(sep))
            }),
            (vec(inner.clone(), 1..4), sep()).prop_map(|(v, sep)| format!("({})", v.join(sep))),
            (
                proptest::option::of("[A-Z][a-zA-Z]{0,6}"),
                vec((key, inner.clone()), 1..4),
                sep()
            )
                .prop_map(|(name, fields, sep)| {
                    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{}({})", name.unwrap_or_default(), fields.join(sep))
                }),
            (vec((inner.clone(), inner), 0..3), sep()).prop_map(|(entries, sep)| {
                let entries: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", entries.join(sep))
            }),
        ]
    })
}

/// Fields this build does not know, named so they never clash with one it does.
fn unknown_extra() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map("(x|new|zz)_[a-z0-9_]{0,6}", ron_value(), 0..3)
}

/// A sidecar of any minor version with unknown fields at the top and in annotations.
fn sidecar_with_extras() -> impl Strategy<Value = Sidecar> {
    (sidecar_value(), 0u32..5, unknown_extra(), vec(unknown_extra(), 6)).prop_map(
        |(mut sc, minor, top, per_annotation)| {
            // A file using what 1.1, 1.2 or 1.3 added says so at least (the writer makes sure).
            let d = &sc.data;
            let uses_1_1 = !d.meta.is_empty()
                || d.annotations
                    .iter()
                    .any(|a| a.claim().is_some_and(|c| c.value.is_some()));
            let uses_1_2 = !d.events.is_empty()
                || !d.equivalences.is_empty()
                || d.relations
                    .iter()
                    .any(|r| !r.attributes.is_empty() || !r.note.is_empty());
            let uses_1_3 = sc.extraction.is_some()
                || !d.conflicts.is_empty()
                || d.annotations
                    .iter()
                    .any(|a| a.origin.is_some() || !a.conflicts.is_empty());
            let needed = if uses_1_3 {
                3
            } else if uses_1_2 {
                2
            } else {
                u32::from(uses_1_1)
            };
            sc.version.1 = minor.max(needed);
            sc.data.extra = top;
            for (a, extra) in sc.data.annotations.iter_mut().zip(per_annotation) {
                a.extra = extra;
            }
            sc.data.sort();
            sc
        },
    )
}

// ---- damage ----

/// Pieces a mutation inserts: syntax the readers look for, and what only the general reader handles.
const TOKENS: &[&str] = &[
    "\"",
    "\\",
    "\\u{",
    "\\u{110000}",
    "\\x",
    "\\xC3",
    "\\xC3\\xA9",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "/*",
    "*/",
    "//",
    "\n",
    "r#\"",
    "r\"x\"",
    "'",
    "'x'",
    "#",
    "#![enable(implicit_some)]",
    "Some(",
    "None",
    "0x1",
    "1_0",
    "-",
    "+",
    ".",
    "e5",
    "f32",
    "\u{c}",
    "\u{feff}",
    "\u{2028}",
    " ",
    "Entity",
    "Claim(",
    "r#id",
    "x_new: 1,",
    "1.5",
    "true",
    "inf",
    "Span",
    "b\"",
    "\\\n",
];

/// A few random edits at random places, on code points so the text stays a `String`.
fn damage(src: &str, seed: u64) -> String {
    let l = &mut Layout(seed);
    let mut c: Vec<char> = src.chars().collect();
    for _ in 0..1 + l.next(4) {
        let n = c.len();
        let at = l.next(n + 1);
        match l.next(5) {
            0 => {
                let end = (at + 1 + l.next(4)).min(n);
                c.drain(at..end);
            }
            1 | 2 => {
                let t = TOKENS[l.next(TOKENS.len())];
                c.splice(at..at, t.chars());
            }
            3 => {
                let end = (at + 1 + l.next(40)).min(n);
                let piece: Vec<char> = c[at..end].to_vec();
                let to = l.next(n + 1);
                c.splice(to..to, piece);
            }
            _ => {
                if let Some(i) = (0..n).map(|k| (at + k) % n).find(|&i| c[i].is_ascii_digit()) {
                    c[i] = char::from(b'0' + l.next(10) as u8);
                }
            }
        }
    }
    c.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_writers_output_reads(sc in sidecar_with_extras()) {
        let text = sidecar::to_string(&sc);
        prop_assert_eq!(sidecar::from_str(&text), Ok(sc.clone()));
        prop_assert_eq!(sidecar_oracle::read(&text), Ok(sc.clone()));
        let bytes = text.as_bytes();
        let file = sidecar::from_reader(bytes, Some(bytes.len() as u64), |_| {}).expect("read from memory");
        prop_assert_eq!(file, Ok(sc));
    }

    #[test]
    fn any_layout_reads(sc in sidecar_with_extras(), seed in any::<u64>()) {
        let text = render_any_layout(&sc, seed);
        let oracle = sidecar_oracle::read(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&oracle, &sc, "{}", text);
        prop_assert_eq!(sidecar::from_str(&text), Ok(oracle.clone()), "{}", text);
        for window in WINDOWS {
            let windowed = read_windowed(text.as_bytes(), window);
            prop_assert_eq!(windowed, Ok(oracle.clone()), "window {}: {}", window, text);
        }
        // With the file's size known, or a size that is wrong (the file changed since).
        let len = text.len() as u64;
        for size in [0, len / 2, len, len + 1, 2 * len + 100] {
            let sized = sidecar::from_reader(text.as_bytes(), Some(size), |_| {}).expect("read from memory");
            prop_assert_eq!(sized, Ok(oracle.clone()), "size {}: {}", size, text);
        }
    }

    #[test]
    fn damaged_files_read_as_the_oracle_reads_them(
        sc in sidecar_with_extras(),
        seed in any::<u64>(),
        damage_seed in any::<u64>(),
    ) {
        let text = damage(&render_any_layout(&sc, seed), damage_seed);
        let read = sidecar::from_str(&text);
        for window in WINDOWS {
            prop_assert_eq!(&read_windowed(text.as_bytes(), window), &read, "window {}: {}", window, text);
        }
        agrees_with_the_oracle(&text, &read)?;
    }

    #[test]
    fn an_error_names_the_place_of_the_damage(sc in sidecar_with_extras(), pick in any::<usize>()) {
        // A stray character where the writer put a field's name.
        let text = sidecar::to_string(&sc);
        let keys: Vec<(usize, usize)> = text
            .lines()
            .enumerate()
            .filter_map(|(n, line)| {
                let body = line.trim_start();
                let word: String = body.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                (!word.is_empty() && body[word.len()..].starts_with(':')).then(|| (n, line.len() - body.len()))
            })
            .collect();
        let (line, indent) = keys[pick % keys.len()];
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[line].insert(indent, '@');
        let damaged = lines.join("\n");
        let e = sidecar::from_str(&damaged).expect_err("a stray character");
        prop_assert_eq!((e.line, e.column), (line + 1, indent + 1), "{}\n{}", e, damaged);
        prop_assert!(e.message.contains("`@`"), "{}", e);
        prop_assert!(sidecar_oracle::read(&damaged).is_err());
    }
}

/// What the reader may refuse that the oracle reads: a field it could not
/// keep (the oracle drops it), one written twice (the oracle keeps one), and
/// positions and names written other than in digits and letters, and numbers
/// in forms it keeps out rather than risk writing back what RON would not read
/// (an exponent of many digits, say, which damage makes by joining two numbers).
const REFUSED_ON_PURPOSE: &[&str] = &[
    "unknown field",
    "a number in a form",
    "appears twice",
    "a position",
    "field name",
    "too large",
];

/// Checks the reader's answer `read` on `text` against the oracle's.
fn agrees_with_the_oracle(
    text: &str,
    read: &Result<Sidecar, sidecar::SidecarError>,
) -> Result<(), TestCaseError> {
    let oracle = sidecar_oracle::read(text);
    match (read, &oracle) {
        // Where `ronscan` cannot cut the file up, the oracle drops unknown fields the
        // reader keeps; where a comment's damage makes it cut a field with no name,
        // its unknown fields are not to be trusted either.
        (Ok(sc), Ok(o)) if !sidecar_oracle::scanned(text) || o.data.extra.contains_key("") => {
            prop_assert_eq!(without_extras(sc), without_extras(o), "{}", text)
        }
        (Ok(sc), Ok(o)) => prop_assert_eq!(sc, o, "{}", text),
        (Err(e), Ok(_)) => prop_assert!(
            REFUSED_ON_PURPOSE.iter().any(|m| e.message.contains(m)),
            "refused what the oracle reads: {}\n{}",
            e,
            text
        ),
        // The oracle refuses new fields a comment hides from `ronscan`; the reader keeps them.
        (Ok(_), Err(o)) => prop_assert!(o.future_version, "read what the oracle refuses ({})\n{}", o, text),
        (Err(_), Err(_)) => {}
    }
    if let Err(e) = read {
        prop_assert!(!e.message.is_empty());
        if !e.future_version {
            prop_assert!(e.line >= 1 && e.column >= 1, "{:?}", e);
            prop_assert!(e.line <= text.lines().count() + 1, "{:?}", e);
        }
    }
    Ok(())
}

/// `sc` without the unknown fields of the file and its annotations.
fn without_extras(sc: &Sidecar) -> Sidecar {
    let mut sc = sc.clone();
    sc.data.extra.clear();
    for a in &mut sc.data.annotations {
        a.extra.clear();
    }
    sc
}

// ---- cases ----

/// Windows of text for reading a file in pieces: every token and comment is cut somewhere.
const WINDOWS: [usize; 3] = [1, 7, 64];

/// The reader on `bytes` read as a file, `window` bytes ahead of each step;
/// where it reads the file, it has seen every byte once.
fn read_windowed(bytes: &[u8], window: usize) -> Result<Sidecar, sidecar::SidecarError> {
    let mut seen = Vec::new();
    let read =
        sidecar::from_reader_in(window, bytes, |b| seen.extend_from_slice(b)).expect("read from memory");
    if read.is_ok() {
        assert_eq!(seen, bytes, "window {window}");
    }
    read
}

/// Reads `src`, checks that the oracle and windowed reading agree.
fn read_ok(src: &str) -> Sidecar {
    let sc = sidecar::from_str(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    assert_eq!(sidecar_oracle::read(src), Ok(sc.clone()), "{src}");
    for window in WINDOWS {
        assert_eq!(read_windowed(src.as_bytes(), window), Ok(sc.clone()), "{src}");
    }
    sc
}

/// Checks that `src` is refused, the same way in windows, and returns the error.
fn refused(src: &str) -> sidecar::SidecarError {
    let e = sidecar::from_str(src).expect_err(src);
    for window in WINDOWS {
        assert_eq!(
            read_windowed(src.as_bytes(), window),
            Err(e.clone()),
            "window {window}: {src}"
        );
    }
    e
}

fn with_note(note_literal: &str) -> String {
    format!(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [(start: 0, end: 1)], label: "L", kind: Entity(canonical: None), note: {note_literal})])"#
    )
}

#[test]
fn a_name_or_number_ends_at_any_white_space_ron_skips() {
    for ws in [
        "\u{b}", "\u{c}", "\u{85}", "\u{200e}", "\u{200f}", "\u{2028}", "\u{2029}",
    ] {
        let src = format!(
            r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [(start: 0{ws}, end: 1)], label: "L", kind: Entity(canonical: None{ws}))])"#
        );
        let sc = read_ok(&src);
        assert_eq!(sc.data.annotations[0].spans[0].start, 0, "{ws:?}");
    }
}

#[test]
fn every_string_escape_reads_as_ron_reads_it() {
    let sc = read_ok(&with_note(
        "\"q\\\" b\\\\ a\\' n\\n r\\r t\\t z\\0 x\\x41 e\\xC3\\xA9 f\\xf0\\x9f\\x98\\x80 u\\u{1F600} \\u{0}\\u{0000e9} c\\\n      d\\\r\n\te\"",
    ));
    assert_eq!(
        sc.data.annotations[0].note,
        "q\" b\\ a' n\n r\r t\t z\0 xA eé f😀 u😀 \0é cde"
    );
    // Raw line breaks, tabs, controls and any script stand for themselves.
    let sc = read_ok(&with_note(
        "\"line\nbreak\r\n\ttab \u{1} 漢 😀 \u{feff} \u{2028}\"",
    ));
    assert_eq!(
        sc.data.annotations[0].note,
        "line\nbreak\r\n\ttab \u{1} 漢 😀 \u{feff} \u{2028}"
    );
}

#[test]
fn bad_escapes_are_errors_at_the_escape() {
    for bad in [
        r#""\q""#,
        r#""\u{}""#,
        r#""\u{110000}""#,
        r#""\u{d800}""#,
        r#""\u{1234567}""#,
        r#""\u1234""#,
        r#""\xC3""#,
        r#""\xC3\x41""#,
        r#""\xZZ""#,
        "\"\\\rx\"",
        "\"\\é\"",
        "\"open",
    ] {
        let src = with_note(bad);
        let e = refused(&src);
        assert!(sidecar_oracle::read(&src).is_err(), "{bad}");
        assert!(!e.future_version, "{bad}: {e:?}");
        let at = src.find("note: ").unwrap() + "note: ".len();
        let expected = if bad == "\"open" { at } else { at + 1 };
        assert_eq!((e.line, e.column), (1, expected + 1), "{bad}: {e}");
    }
}

#[test]
fn omitted_fields_take_their_defaults() {
    let sc = read_ok(r#"(format: "marginalia", version: "1.0")"#);
    assert_eq!(sc.version, (1, 0));
    assert_eq!(sc.data, DocAnnotations::default());
    assert_eq!(sc.source, "");
    let sc = read_ok(
        r#"(version: "1", format: "marginalia", annotations: [
            (label: "L", kind: Entity(), spans: [], id: "e"),
            (id: "c", spans: [(end: 4, start: 2)], label: "C", kind: Claim(())),
            (id: "d", spans: [], label: "C", kind: Claim((cue: Some((quote: "said", span: (start: 0, end: 4)),),),)),
        ], relations: [(kind: "supports", to: (id: "e"), from: "c", id: "r")])"#,
    );
    let get = |id| sc.data.get(id).unwrap();
    assert_eq!(get("e").kind, Kind::entity());
    assert_eq!(get("e").quote, "");
    assert!(get("e").attributes.is_empty() && !get("e").orphaned);
    assert_eq!(get("c").kind, Kind::claim());
    assert_eq!(get("c").spans.as_slice(), [Span { start: 2, end: 4 }]);
    assert_eq!(get("d").claim().unwrap().cue.as_ref().unwrap().quote, "said");
    assert_eq!(sc.data.relations[0].to.doc, None);
}

#[test]
fn empty_lists_and_maps_read() {
    let sc = read_ok(
        "( format : \"marginalia\" , version : \"1.0\" , annotations : [ ] , relations : [\n] ,
          status: Done, extra_list: [], extra_map: {}, extra_unit: (), extra_tuple: ( ) )",
    );
    assert_eq!(sc.data.extra["extra_list"], "[]");
    assert_eq!(sc.data.extra["extra_map"], "{}");
    assert_eq!(sc.data.extra["extra_unit"], "()");
    assert_eq!(sc.data.extra["extra_tuple"], "( )");
    let sc = read_ok(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [], label: "L", kind: Entity(canonical: None), attributes: {})])"#,
    );
    assert!(sc.data.annotations[0].spans.is_empty());
}

#[test]
fn a_repeated_attribute_keeps_its_last_value() {
    let sc = read_ok(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [], label: "L", kind: Entity(canonical: None), attributes: {"k": "1", "j": "2", "k": "3",})])"#,
    );
    let attrs = &sc.data.annotations[0].attributes;
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs["k"], "3");
}

/// Like the newer-minor file of the format tests, without the raw string.
const NEWER_MINOR: &str = r#"// written by a newer minor version
(
    format: "marginalia",
    version: "1.4",
    source: "a.txt",
    source_hash: "HASH",
    status: InProgress,
    annotations: [
        (
            id: "e1",
            spans: [(start: 0, end: 5)],
            quote: "Hello",
            label: "PERSON",
            kind: Entity(canonical: None),
            confidence: Some(0.75),
            review: (by: "bo", at: "2026-02-02", comments: ["ok, fine", "a \"quoted\" (paren"]),
            weights: {"a": -1, 2: [3.5, -0.25], Unit: Named(x: true, y: None)},
            lead: /* why */ Tag( 1 , ) // how
            ,
        ),
    ],
    relations: [],
    reviewed_by: [
        "bo",
        "cy",
    ],
    layout: Layout(columns: 2, raw: "x\"y"),
)
"#;

#[test]
fn unknown_fields_of_a_newer_minor_are_the_text_ronscan_cuts() {
    let sc = read_ok(NEWER_MINOR);
    assert_eq!(sc.version, (1, 4));
    let a = &sc.data.annotations[0];
    assert_eq!(a.extra["confidence"], "Some(0.75)");
    assert_eq!(a.extra["lead"], "/* why */ Tag( 1 , )");
    // Exactly what the oracle's scanner cuts out.
    let top = ronscan::struct_fields(NEWER_MINOR).unwrap();
    for k in ["reviewed_by", "layout"] {
        let (_, v) = top.iter().find(|(key, _)| key == k).unwrap();
        assert_eq!(&sc.data.extra[k], v);
    }
    let (_, anns) = top.iter().find(|(key, _)| key == "annotations").unwrap();
    let item = &ronscan::list_items(anns).unwrap()[0];
    for (k, v) in ronscan::struct_fields(item).unwrap() {
        if let Some(kept) = a.extra.get(&k) {
            assert_eq!(kept, &v, "{k}");
        }
    }
    assert_eq!(a.extra.len(), 4);
}

#[test]
fn a_newer_major_is_refused_as_future_version() {
    for src in [
        NEWER_MINOR.replace("\"1.4\"", "\"2.0\""),
        NEWER_MINOR.replace("\"1.4\"", "\"\\u{32}.1\""),
        "(format: \"marginalia\", version: \"2.1\", annotations: {\"new\": \"shape\"})".into(),
    ] {
        let e = refused(&src);
        assert!(e.future_version, "{e:?}");
        assert!(e.message.contains("newer Marginalia"), "{e}");
        assert!(sidecar_oracle::read(&src).unwrap_err().future_version);
    }
}

#[test]
fn a_field_below_the_annotations_that_cannot_be_kept_is_never_dropped() {
    let claim = r#"(format: "marginalia", version: "VERSION", annotations: [(id: "c", spans: [], label: "C", kind: Claim((stance: Denies, certainty: 0.5)))])"#;
    // A newer minor version's field: the file is from the future, opened read-only.
    let e = refused(&claim.replace("VERSION", "1.4"));
    assert!(e.future_version, "{e:?}");
    assert!(
        e.message.contains("`certainty`") && e.message.contains("claim"),
        "{e}"
    );
    // In a file of this version it is a mistake, with its place.
    let src = claim.replace("VERSION", "1.0");
    let e = refused(&src);
    assert!(!e.future_version, "{e:?}");
    assert_eq!((e.line, e.column), (1, src.find("certainty").unwrap() + 1), "{e}");
    assert!(e.message.contains("unknown field `certainty` in a claim"), "{e}");
    for (what, src) in [
        ("span", with_note("\"n\"").replace("(start: 0, end: 1)", "(start: 0, end: 1, weight: 2)")),
        (
            "relation",
            r#"(format: "marginalia", version: "1.1", relations: [(id: "r", from: "a", to: (id: "b"), kind: "k", strength: 3)])"#.into(),
        ),
    ] {
        let e = refused(&src);
        assert!(e.message.contains(what), "{e}");
    }
}

#[test]
fn damaged_files_give_errors_that_say_what_and_where() {
    let good = with_note("\"n\"");
    for (src, line, says) in [
        (String::new(), 1, "empty"),
        ("   \n".into(), 2, "empty"),
        ("// only a comment\n".into(), 2, "empty"),
        ("(".into(), 1, "expected a field name"),
        (
            good.replace("kind: Entity(canonical: None), ", ""),
            1,
            "has no `kind`",
        ),
        (
            good.replace("format: \"marginalia\"", "format: \"other\""),
            1,
            "not \"marginalia\"",
        ),
        (good.replace("\"1.0\"", "\"one\""), 1, "MAJOR.MINOR"),
        (
            good.replace("(start: 0, end: 1)", "(start: -1, end: 1)"),
            1,
            "a position",
        ),
        (
            good.replace("(start: 0, end: 1)", "(start: 18446744073709551616, end: 1)"),
            1,
            "too large",
        ),
        (
            good.replace("Entity(canonical: None)", "Entity"),
            1,
            "expected `(`",
        ),
        (good.replace("Entity(canonical: None)", "Event"), 1, "`Event`"),
        (
            good.replace("note:", "note: \"a\", note:"),
            1,
            "`note` appears twice",
        ),
        (
            good.replace("label: \"L\",", "label: \"L\" note: \"x\","),
            1,
            "a comma may be missing",
        ),
        (format!("{good} trailing"), 1, "after the closing `)`"),
        (format!("{good} /* unclosed"), 1, "not closed"),
        (good.replace(')', "]"), 1, "expected"),
        (good.replace("format: \"marginalia\", ", ""), 1, "no `format`"),
        (good.replace("version: \"1.0\", ", ""), 1, "no `version`"),
        (
            good.replace("status", "x")
                .replace("(format", "(status: Finished, format"),
            1,
            "NotStarted, InProgress, Done",
        ),
        (
            good.replace("(format", "\n\n  (format: \"marginalia\", format"),
            3,
            "appears twice",
        ),
    ] {
        let e = refused(&src);
        assert!(!e.future_version, "{src}: {e:?}");
        assert!(e.message.contains(says), "{src}: {e}");
        assert_eq!(e.line, line, "{src}: {e}");
        assert!(e.column >= 1, "{src}: {e}");
        assert!(sidecar_oracle::read(&src).is_err(), "{src}");
    }
    // Columns count characters, not bytes.
    let e = refused(&with_note("\"😀é\" x"));
    assert_eq!(
        e.column,
        with_note("\"😀é\" x").chars().position(|c| c == 'x').unwrap() + 1,
        "{e}"
    );
}

#[test]
fn hand_written_ron_reads() {
    let good = with_note("\"n\"");
    for src in [
        good.replace("note: \"n\"", "note: r#\"raw \"n\"\"#"),
        good.replace("note: \"n\"", "note: r\"raw\""),
        good.replace("(format", "FileRecord(format"),
        good.replace("[(start", "[Span(start"),
        good.replace("[(id", "[Annotation(id"),
        good.replace("note:", "extra_char: 'x', note:"),
        good.replace("note:", "extra_float: 1e5, note:"),
        good.replace("note:", "extra_inf: inf, note:"),
        good.replace("note:", "extra_bytes: b\"x\", note:"),
        good.replace("note:", "extra_hex: 0x1F, note:"),
        good.replace("note:", "/* outer /* nested */ still a comment */ note:"),
        good.replace("note:", "note /* before the colon */ :"),
        good.replace(", note:", ",\u{c}note:"),
        good.replace(
            "note:",
            "deep: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], note:",
        ),
        good.replace("version", "source /* c */ : \"a\", version"),
    ] {
        read_ok(&src);
    }
    assert_eq!(
        read_ok(&good.replace("note: \"n\"", "note: r#\"a \"b\"\"#"))
            .data
            .annotations[0]
            .note,
        "a \"b\""
    );
    // A raw identifier names the field without its `r#` (the oracle cannot cut it out).
    let sc = sidecar::from_str(
        &good
            .replace("label: \"L\", ", "")
            .replace("note:", "r#note2: 1, r#label: \"M\", note:"),
    )
    .unwrap();
    assert_eq!(sc.data.annotations[0].extra["note2"], "1");
    assert_eq!(sc.data.annotations[0].label, "M");
}

#[test]
fn forms_it_does_not_take_are_refused_with_a_reason() {
    let good = with_note("\"n\"");
    for (src, says) in [
        (
            good.replace("(start: 0, end: 1)", "(start: 0x0, end: 1_0)"),
            "a position",
        ),
        (
            good.replace("(start: 0, end: 1)", "(start: +0, end: 1)"),
            "a position",
        ),
        (good.replace("note:", "x: 1, x: 2, note:"), "`x` appears twice"),
        (format!("#![enable(implicit_some)]\n{good}"), "extensions"),
    ] {
        let e = refused(&src);
        assert!(e.message.contains(says), "{src}: {e}");
        assert!(e.line >= 1 && e.column >= 1);
    }
}

#[test]
fn a_newer_minor_whose_fields_the_oracle_cannot_cut_out_is_read_and_kept() {
    // A comment between a key and its colon stops `ronscan`, so the oracle
    // refuses the file; the reader keeps its new fields.
    let src = NEWER_MINOR.replace("    source:", "    source /* c */ :");
    assert!(sidecar_oracle::read(&src).unwrap_err().future_version);
    let sc = sidecar::from_str(&src).unwrap();
    assert_eq!(sc, sidecar::from_str(NEWER_MINOR).unwrap());
}

#[test]
fn a_byte_order_mark_is_dropped() {
    let good = with_note("\"n\"");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(good.as_bytes());
    assert_eq!(sidecar::from_bytes(&bytes), Ok(read_ok(&good)));
    for window in WINDOWS {
        assert_eq!(read_windowed(&bytes, window), Ok(read_ok(&good)));
    }
    assert_eq!(sidecar::from_str(&format!("\u{feff}{good}")), Ok(read_ok(&good)));
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_at_the_first_bad_byte() {
    let good = with_note("\"n\"").replace(", annotations", ",\n annotations");
    let mut cut = good.clone().into_bytes();
    let at = good.find("label").unwrap();
    cut.insert(at, 0xFF);
    let e = sidecar::from_bytes(&cut).unwrap_err();
    let line_start = good[..at].rfind('\n').unwrap() + 1;
    assert_eq!((e.line, e.column), (2, at - line_start + 1), "{e}");
    assert!(e.message.contains("UTF-8"), "{e}");
    for window in WINDOWS {
        assert_eq!(read_windowed(&cut, window), Err(e.clone()), "window {window}");
    }
}

#[test]
fn a_generated_article_reads_in_windows() {
    let (doc, data) = marginalia::synth::article(7, "a.txt", 20_000, 300);
    let text = marginalia::store::corpus::render(&doc, &data, (sidecar::MAJOR, sidecar::MINOR));
    let sc = read_ok(&text);
    assert_eq!(sc.data.annotations.len(), data.annotations.len());
    // Larger than the window a file is read with: the window moves on many times.
    assert!(text.len() > 2 * 64 * 1024, "{} bytes", text.len());
    let file = sidecar::from_reader(text.as_bytes(), None, |_| {}).expect("read from memory");
    assert_eq!(file, Ok(sc));
    // An error deep in the file is placed by line, as in the whole text.
    let at = text.len() * 3 / 4;
    let at = text[at..].find("label:").unwrap() + at;
    let mut damaged = text.clone();
    damaged.insert(at, '@');
    let e = sidecar::from_reader(damaged.as_bytes(), None, |_| {})
        .unwrap()
        .unwrap_err();
    assert_eq!(e.line, text[..at].matches('\n').count() + 1, "{e}");
    assert_eq!(Err(e), sidecar::from_str(&damaged));
}
