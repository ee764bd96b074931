//! The single-pass sidecar reader against the general one: on every file it
//! reads, it must give exactly what the general reader gives, and it must read
//! every file the writer or a careful hand produces. Everything else, errors
//! included, goes to the general reader unchanged.

mod sidecar_support;

use std::collections::BTreeMap;

use marginalia::model::{Annotation, Attributes, Claim, Cue, DocAnnotations, Kind, Relation, Span, Speaker};
use marginalia::store::ronscan;
use marginalia::store::sidecar::{self, Sidecar};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
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

/// Whitespace only, for the places where `ronscan` wants no comment.
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
    let fields = vec![
        field("id", lit(l, &r.id)),
        field("from", lit(l, &r.from)),
        field("to", structure(l, to, false)),
        field("kind", lit(l, &r.kind)),
    ];
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
    let status = format!("{:?}", d.status);
    defaulted(l, &mut fields, "status", d.status == Default::default(), status);
    let anns = d.annotations.iter().map(|a| annotation(l, a)).collect();
    let anns = list(l, anns);
    defaulted(l, &mut fields, "annotations", d.annotations.is_empty(), anns);
    let rels = d.relations.iter().map(|r| relation(l, r)).collect();
    let rels = list(l, rels);
    defaulted(l, &mut fields, "relations", d.relations.is_empty(), rels);
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
    (sidecar_value(), 0u32..4, unknown_extra(), vec(unknown_extra(), 6)).prop_map(
        |(mut sc, minor, top, per_annotation)| {
            sc.version.1 = minor;
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
    fn the_writers_output_is_read_in_one_pass(sc in sidecar_with_extras()) {
        let text = sidecar::to_string(&sc);
        let fast = sidecar::from_str_fast(&text);
        prop_assert!(fast.is_some(), "not read in one pass:\n{}", text);
        prop_assert_eq!(fast.as_ref(), Some(&sc));
        prop_assert_eq!(sidecar::from_str_reference(&text), Ok(sc.clone()));
        // The writer names the text before the annotations: an export's reading leaves out their context.
        let bytes = text.as_bytes();
        let leave_out = |details| sidecar::LeaveOut { unless_source: &sc.source_hash, details };
        let without = sidecar::from_reader_fast(bytes, Some(bytes.len() as u64), |_| {}, Some(leave_out(false)))
            .expect("read from memory");
        prop_assert_eq!(without, Some(without_context(&sc)));
        // And for CoNLL, which writes labels and spans only, without the details either.
        let bare = sidecar::from_reader_fast(bytes, Some(bytes.len() as u64), |_| {}, Some(leave_out(true)))
            .expect("read from memory");
        prop_assert_eq!(bare, Some(without_details(&sc)));
    }

    #[test]
    fn any_layout_is_read_in_one_pass(sc in sidecar_with_extras(), seed in any::<u64>()) {
        let text = render_any_layout(&sc, seed);
        let reference = sidecar::from_str_reference(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&reference, &sc, "{}", text);
        let fast = sidecar::from_str_fast(&text);
        prop_assert!(fast.is_some(), "not read in one pass:\n{}", text);
        prop_assert_eq!(fast.as_ref(), Some(&reference), "{}", text);
        for window in WINDOWS {
            let windowed = read_windowed(text.as_bytes(), window);
            prop_assert_eq!(windowed.as_ref(), Some(&reference), "window {}: {}", window, text);
        }
        // With the file's size known, or a size that is wrong (the file changed since).
        let len = text.len() as u64;
        for size in [0, len / 2, len, len + 1, 2 * len + 100] {
            let sized = sidecar::from_reader_fast(text.as_bytes(), Some(size), |_| {}, None).expect("read from memory");
            prop_assert_eq!(sized.as_ref(), Some(&reference), "size {}: {}", size, text);
        }
        // An export's reading: context left out only for the text the sidecar names,
        // and only once that name is read (here it may follow the annotations).
        let bytes = text.as_bytes();
        let without = |hash: &str| {
            let leave_out = sidecar::LeaveOut { unless_source: hash, details: false };
            sidecar::from_reader_fast(bytes, Some(bytes.len() as u64), |_| {}, Some(leave_out)).expect("read from memory")
        };
        prop_assert_eq!(without("another text"), Some(reference.clone()), "{}", text);
        let got = without(&reference.source_hash);
        prop_assert!(
            got == Some(reference.clone()) || got == Some(without_context(&reference)),
            "{:?}\n{}", got, text
        );
    }

    #[test]
    fn damaged_files_read_as_the_general_reader_reads_them(
        sc in sidecar_with_extras(),
        seed in any::<u64>(),
        damage_seed in any::<u64>(),
    ) {
        let text = damage(&render_any_layout(&sc, seed), damage_seed);
        let reference = sidecar::from_str_reference(&text);
        let fast = sidecar::from_str_fast(&text);
        for window in WINDOWS {
            prop_assert_eq!(&read_windowed(text.as_bytes(), window), &fast, "window {}: {}", window, text);
        }
        if let Some(fast) = fast {
            prop_assert_eq!(Ok(fast), reference.clone(), "{}", text);
        }
        prop_assert_eq!(sidecar::from_str(&text), reference, "{}", text);
    }
}

// ---- cases ----

/// `sc` with every annotation's prefix and suffix empty.
fn without_context(sc: &Sidecar) -> Sidecar {
    let mut sc = sc.clone();
    for a in &mut sc.data.annotations {
        a.prefix.clear();
        a.suffix.clear();
    }
    sc
}

/// `sc` as an export that writes only labels and spans reads it: no context,
/// quote, note, annotator, times or attributes.
fn without_details(sc: &Sidecar) -> Sidecar {
    let mut sc = without_context(sc);
    for a in &mut sc.data.annotations {
        a.quote = Default::default();
        a.note = Default::default();
        a.annotator = Default::default();
        a.created = Default::default();
        a.modified = Default::default();
        a.attributes = Default::default();
    }
    sc
}

/// Windows of text for reading a file in pieces: every token and comment is cut somewhere.
const WINDOWS: [usize; 3] = [1, 7, 64];

/// The single-pass reader on `bytes` read as a file, `window` bytes ahead of
/// each step; where it answers, it has seen every byte once.
fn read_windowed(bytes: &[u8], window: usize) -> Option<Sidecar> {
    let mut seen = Vec::new();
    let read =
        sidecar::from_reader_fast_in(window, bytes, |b| seen.extend_from_slice(b)).expect("read from memory");
    if read.is_some() {
        assert_eq!(seen, bytes, "window {window}");
    }
    read
}

/// Reads `src` both ways, checks they agree and that the single-pass reader answered.
fn read_fast(src: &str) -> Sidecar {
    let fast = sidecar::from_str_fast(src).unwrap_or_else(|| panic!("not read in one pass:\n{src}"));
    assert_eq!(sidecar::from_str_reference(src), Ok(fast.clone()), "{src}");
    fast
}

/// Checks that `src` is left to the general reader and reads exactly as it did.
fn left_to_reference(src: &str) -> Result<Sidecar, sidecar::SidecarError> {
    assert_eq!(sidecar::from_str_fast(src), None, "read in one pass:\n{src}");
    let reference = sidecar::from_str_reference(src);
    assert_eq!(sidecar::from_str(src), reference, "{src}");
    reference
}

fn with_note(note_literal: &str) -> String {
    format!(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [(start: 0, end: 1)], label: "L", kind: Entity(canonical: None), note: {note_literal})])"#
    )
}

#[test]
fn every_string_escape_reads_as_ron_reads_it() {
    let sc = read_fast(&with_note(
        "\"q\\\" b\\\\ a\\' n\\n r\\r t\\t z\\0 x\\x41 e\\xC3\\xA9 f\\xf0\\x9f\\x98\\x80 u\\u{1F600} \\u{0}\\u{0000e9} c\\\n      d\\\r\n\te\"",
    ));
    assert_eq!(
        sc.data.annotations[0].note,
        "q\" b\\ a' n\n r\r t\t z\0 xA eé f😀 u😀 \0é cde"
    );
    // Raw line breaks, tabs, controls and any script stand for themselves.
    let sc = read_fast(&with_note(
        "\"line\nbreak\r\n\ttab \u{1} 漢 😀 \u{feff} \u{2028}\"",
    ));
    assert_eq!(
        sc.data.annotations[0].note,
        "line\nbreak\r\n\ttab \u{1} 漢 😀 \u{feff} \u{2028}"
    );
}

#[test]
fn bad_escapes_are_reported_by_the_general_reader() {
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
        let e = left_to_reference(&with_note(bad)).unwrap_err();
        assert!(e.line > 0, "{bad}: {e:?}");
    }
}

#[test]
fn omitted_fields_take_their_defaults() {
    let sc = read_fast(r#"(format: "marginalia", version: "1.0")"#);
    assert_eq!(sc.version, (1, 0));
    assert_eq!(sc.data, DocAnnotations::default());
    assert_eq!(sc.source, "");
    let sc = read_fast(
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
    let sc = read_fast(
        "( format : \"marginalia\" , version : \"1.0\" , annotations : [ ] , relations : [\n] ,
          status: Done, extra_list: [], extra_map: {}, extra_unit: (), extra_tuple: ( ) )",
    );
    assert_eq!(sc.data.extra["extra_list"], "[]");
    assert_eq!(sc.data.extra["extra_map"], "{}");
    assert_eq!(sc.data.extra["extra_unit"], "()");
    assert_eq!(sc.data.extra["extra_tuple"], "( )");
    let sc = read_fast(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [], label: "L", kind: Entity(canonical: None), attributes: {})])"#,
    );
    assert!(sc.data.annotations[0].spans.is_empty());
}

#[test]
fn a_repeated_attribute_keeps_its_last_value() {
    let sc = read_fast(
        r#"(format: "marginalia", version: "1.0", annotations: [(id: "a", spans: [], label: "L", kind: Entity(canonical: None), attributes: {"k": "1", "j": "2", "k": "3",})])"#,
    );
    let attrs = &sc.data.annotations[0].attributes;
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs["k"], "3");
}

/// Like the newer-minor file of the format tests, without the raw string only the
/// general reader handles.
const NEWER_MINOR: &str = r#"// written by a newer minor version
(
    format: "marginalia",
    version: "1.3",
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
    let sc = read_fast(NEWER_MINOR);
    assert_eq!(sc.version, (1, 3));
    let a = &sc.data.annotations[0];
    assert_eq!(a.extra["confidence"], "Some(0.75)");
    assert_eq!(a.extra["lead"], "/* why */ Tag( 1 , )");
    // Exactly what the scanner the general reader keeps them with produces.
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
fn a_newer_major_is_left_to_the_general_reader() {
    for src in [
        NEWER_MINOR.replace("\"1.3\"", "\"2.0\""),
        NEWER_MINOR.replace("\"1.3\"", "\"\\u{32}.1\""),
        "(format: \"marginalia\", version: \"2.1\", annotations: {\"new\": \"shape\"})".into(),
    ] {
        let e = left_to_reference(&src).unwrap_err();
        assert!(e.future_version, "{e:?}");
    }
}

#[test]
fn damaged_files_give_the_errors_they_gave() {
    let good = with_note("\"n\"");
    for src in [
        String::new(),
        "   \n".into(),
        "(".into(),
        good.replace("kind: Entity(canonical: None), ", ""),
        good.replace("format: \"marginalia\"", "format: \"other\""),
        good.replace("\"1.0\"", "\"one\""),
        good.replace("(start: 0, end: 1)", "(start: -1, end: 1)"),
        good.replace("(start: 0, end: 1)", "(start: 18446744073709551616, end: 1)"),
        good.replace("Entity(canonical: None)", "Entity"),
        good.replace("Entity(canonical: None)", "Event"),
        good.replace("note:", "note: \"a\", note:"),
        good.replace("label: \"L\",", "label: \"L\" note: \"x\","),
        format!("{good} trailing"),
        format!("{good} /* unclosed"),
        good.replace(')', "]"),
    ] {
        let e = left_to_reference(&src).unwrap_err();
        assert!(!e.future_version, "{src}: {e:?}");
    }
}

#[test]
fn valid_files_outside_the_fast_subset_still_read() {
    let good = with_note("\"n\"");
    for src in [
        good.replace("note: \"n\"", "note: r#\"raw \"n\"\"#"),
        good.replace("(format", "FileRecord(format"),
        good.replace("[(start", "[Span(start"),
        format!("#![enable(implicit_some)]\n{good}"),
        good.replace("(start: 0, end: 1)", "(start: 0, end: 1, weight: 2)"),
        good.replace("(start: 0, end: 1)", "(start: 0x0, end: 1_0)"),
        good.replace("(start: 0, end: 1)", "(start: +0, end: 1)"),
        good.replace("note:", "extra_char: 'x', note:"),
        good.replace("note:", "extra_float: 1e5, note:"),
        good.replace("note:", "extra_inf: inf, note:"),
        good.replace("note:", "extra_bytes: b\"x\", note:"),
        good.replace("note:", "r#note2: 1, note:"),
        good.replace("note:", "/* outer /* nested */ still a comment */ note:"),
        good.replace("note:", "note /* before the colon */ :"),
        good.replace(", note:", ",\u{c}note:"),
        good.replace(
            "note:",
            "deep: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], note:",
        ),
        good.replace("version", "source /* c */ : \"a\", version"),
        good.replace("note:", "x: 1, x: 2, note:"),
    ] {
        let read = left_to_reference(&src);
        assert!(read.is_ok(), "{src}: {read:?}");
    }
}

#[test]
fn a_newer_minor_whose_fields_cannot_be_cut_out_is_still_refused() {
    // A comment between a key and its colon stops `ronscan`, so the file's new
    // fields could not be copied; it opens read-only rather than losing them.
    let src = NEWER_MINOR.replace("    source:", "    source /* c */ :");
    let e = left_to_reference(&src).unwrap_err();
    assert!(e.future_version, "{e:?}");
}

#[test]
fn a_byte_order_mark_is_dropped_from_bytes_only() {
    let good = with_note("\"n\"");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(good.as_bytes());
    assert_eq!(sidecar::from_bytes(&bytes), Ok(read_fast(&good)));
    for window in WINDOWS {
        assert_eq!(read_windowed(&bytes, window), Some(read_fast(&good)));
    }
    let mut cut = good.clone().into_bytes();
    cut.insert(cut.len() / 2, 0xFF);
    assert_eq!(read_windowed(&cut, 7), None, "not UTF-8");
    assert!(left_to_reference(&format!("\u{feff}{good}")).is_err());
}

#[test]
fn a_generated_article_is_read_in_one_pass() {
    let (doc, data) = marginalia::synth::article(7, "a.txt", 20_000, 300);
    let text = marginalia::store::corpus::render(&doc, &data, (sidecar::MAJOR, sidecar::MINOR));
    let sc = read_fast(&text);
    assert_eq!(sc.data.annotations.len(), data.annotations.len());
    // Larger than the window a file is read with: the window moves on many times.
    assert!(text.len() > 2 * 64 * 1024, "{} bytes", text.len());
    let file = sidecar::from_reader_fast(text.as_bytes(), None, |_| {}, None).expect("read from memory");
    assert_eq!(file, Some(sc));
}
