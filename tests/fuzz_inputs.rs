//! The `cargo fuzz` targets as property tests, so every `cargo test` tries them:
//! arbitrary text and mutated valid inputs (sidecars, tag sets, brat, JSONL) must
//! never panic the parsers, and whatever a parser accepts must also survive what
//! the app does next with it (re-anchoring, writing back, export).

mod sidecar_oracle;

use std::path::Path;

use marginalia::formats::{brat, doccano, jsonl};
use marginalia::model::anchor::reanchor_all;
use marginalia::model::{Document, TagSet};
use marginalia::store::{corpus, sidecar};
use proptest::prelude::*;

fn golden(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(rel),
    )
    .expect("golden file")
}

/// Valid sidecars to mutate: every document of the golden JSONL export, rendered as a sidecar.
fn valid_sidecars() -> Vec<String> {
    golden("jsonl/export.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("golden JSONL");
            let (doc, data) = jsonl::from_value(&v).expect("golden JSONL reads back");
            corpus::render(&doc, &data, (1, 0))
        })
        .collect()
}

fn valid_jsonl_lines() -> Vec<String> {
    let mut v: Vec<String> = golden("jsonl/export.jsonl").lines().map(str::to_owned).collect();
    v.push(r#"{"text": "Kim met Moon in Seoul.", "label": [[0, 3, "PERSON"], [8, 12, "PERSON"]]}"#.into());
    v.push(
        r#"{"id": 7, "text": "Kim met Moon.", "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PERSON"}, {"id": 2, "start_offset": 8, "end_offset": 12, "label": "PERSON"}], "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "refers-to"}]}"#
            .into(),
    );
    v.push(r#"{"text": "Kim met Moon.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}"#.into());
    v
}

fn brat_pairs() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        "000_13d38fe2f37237c1",
        "001_ae94bf7b73027a13",
        "002_785b35f39feb0ae3",
        "extra/mixed",
    ]
    .iter()
    .map(|stem| {
        (
            golden(&format!("brat/{stem}.txt")),
            golden(&format!("brat/{stem}.ann")),
        )
    })
    .collect();
    v.push((
        "Bombs fell on Tumen.\r\nMore later.".into(),
        "T1\tAttack 0 10\tBombs fell\nT2\tPlace 14 19\tTumen\nE1\tAttack:T1 Place:T2\n*\tEquiv T1 T2\nA1\tSpeculation E1\nR1\tsupports Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tnote\nN1\tReference T2 Wikipedia:123\tTumen\nT3\tPlace 0 5;6 10\tBombs fell\n"
            .into(),
    ));
    v
}

/// Pieces a mutation inserts: the syntax the parsers look for, and text that is hard on offsets.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "\\",
    "\\u{",
    "\\n",
    "'",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    "0",
    "-1",
    "18446744073709551616",
    "4294967295",
    "1e999",
    "Some(",
    "None",
    "true",
    "null",
    "version",
    "\"2.0\"",
    "\"1.99\"",
    "spans",
    "start",
    "end",
    "T1",
    "R1",
    "E1",
    "A1",
    "#1",
    "*",
    "Arg1:T1",
    "Entity",
    "Claim",
    "hotkey",
    "😀",
    "e\u{301}",
    "\u{feff}",
    "\u{0}",
    "\u{202e}",
    "北",
];

/// One edit applied to a valid input, on code points so the result stays a `String`.
#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    InsertText { at: usize, text: String },
    Duplicate { at: usize, len: usize, to: usize },
    Truncate { at: usize },
    Digit { at: usize, digit: char },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        (at, 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (at, 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (at, ".{0,12}").prop_map(|(at, text)| Mutation::InsertText { at, text }),
        (at, 1usize..200, any::<usize>()).prop_map(|(at, len, to)| Mutation::Duplicate { at, len, to }),
        at.prop_map(|at| Mutation::Truncate { at }),
        (at, proptest::char::range('0', '9')).prop_map(|(at, digit)| Mutation::Digit { at, digit }),
    ]
}

fn mutate(src: &str, muts: &[Mutation]) -> String {
    let mut c: Vec<char> = src.chars().collect();
    for m in muts {
        let n = c.len();
        let pos = |at: usize| if n == 0 { 0 } else { at % (n + 1) };
        match m {
            Mutation::Delete { at, len } => {
                let a = pos(*at);
                let b = (a + len).min(n);
                c.drain(a..b);
            }
            Mutation::Insert { at, token } => {
                let a = pos(*at);
                c.splice(a..a, TOKENS[*token].chars());
            }
            Mutation::InsertText { at, text } => {
                let a = pos(*at);
                c.splice(a..a, text.chars());
            }
            Mutation::Duplicate { at, len, to } => {
                let a = pos(*at);
                let b = (a + len).min(n);
                let piece: Vec<char> = c[a..b].to_vec();
                let t = pos(*to);
                c.splice(t..t, piece);
            }
            Mutation::Truncate { at } => c.truncate(pos(*at)),
            // Changing a digit moves offsets and versions without breaking the syntax.
            Mutation::Digit { at, digit } => {
                if let Some(i) = (0..n)
                    .map(|k| (pos(*at) + k) % n)
                    .find(|&i| c[i].is_ascii_digit())
                {
                    c[i] = *digit;
                }
            }
        }
    }
    c.into_iter().collect()
}

/// What the app does with a sidecar: parse it, and when it parses, re-anchor its
/// annotations on a text (any spans, however wrong) and write it back.
fn exercise_sidecar(src: &str) {
    let _ = sidecar::from_bytes(src.as_bytes());
    // Whatever both the reader and the oracle read, they read the same way.
    if let (Ok(read), Ok(oracle)) = (sidecar::from_str(src), sidecar_oracle::read(src)) {
        assert_eq!(read, oracle, "{src}");
    }
    if let Ok(sc) = sidecar::from_str(src) {
        let mut data = sc.data.clone();
        let doc = Document::new(
            "a.txt",
            "North Korean refugees said 😀 e\u{301} at least 50.\r\nMore.",
        );
        let _ = reanchor_all(&doc, &mut data);
        let written = sidecar::to_string(&sc);
        // What the writer produces always reads back as the same data.
        let back = sidecar::from_str(&written).expect("written sidecar reads back");
        assert_eq!(back.data, sc.data);
    }
}

fn exercise_tagset(src: &str) {
    if let Ok(set) = TagSet::parse(src) {
        // A tag set that validates is one brat export and re-import can carry.
        let _ = brat::tagset_to_ron(&set);
        for l in &set.labels {
            let _ = l.rgb();
        }
    }
}

fn exercise_brat(txt: &str, ann: &str) {
    let set = TagSet::builtin();
    let imported = brat::from_brat(txt, ann, &set, "2026-01-01T00:00:00Z");
    // Whatever was imported lies inside the text and exports again.
    let doc = Document::new("a.txt", imported.doc.text.clone());
    for a in &imported.data.annotations {
        assert!(doc.spans_in_range(&a.spans), "span outside the text: {a:?}");
    }
    let _ = brat::to_brat(&doc, &imported.data);
    let _ = brat::tagset_from_conf(ann);
}

fn exercise_jsonl(line: &str) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    if let Ok((doc, data)) = jsonl::from_value(&v) {
        let _ = jsonl::doc_line(&doc, &data);
        let _ = corpus::render(&doc, &data, (1, 0));
    }
    let _ = jsonl::unread_keys(&v);
    if let Ok(f) = doccano::read_foreign(&v) {
        let len = f.text.chars().count();
        let c = doccano::to_model(f, &TagSet::builtin(), "2026-01-01T00:00:00Z");
        let doc = Document::new("a.txt", c.text);
        assert_eq!(doc.len_chars(), len);
        for a in &c.data.annotations {
            assert!(doc.spans_in_range(&a.spans), "span outside the text: {a:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sidecar_parser_survives_any_text(s in any::<String>()) {
        exercise_sidecar(&s);
    }

    #[test]
    fn sidecar_parser_survives_any_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = sidecar::from_bytes(&b);
    }

    #[test]
    fn sidecar_parser_survives_mutated_sidecars(
        which in any::<usize>(),
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = valid_sidecars();
        exercise_sidecar(&mutate(&seeds[which % seeds.len()], &muts));
    }

    #[test]
    fn tagset_parser_survives_any_text(s in any::<String>()) {
        exercise_tagset(&s);
    }

    #[test]
    fn tagset_parser_survives_mutated_tag_sets(muts in proptest::collection::vec(mutation(), 1..6)) {
        exercise_tagset(&mutate(marginalia::model::tagset::DEFAULT_TAGSET, &muts));
    }

    #[test]
    fn brat_import_survives_any_text(txt in any::<String>(), ann in any::<String>()) {
        exercise_brat(&txt, &ann);
    }

    #[test]
    fn brat_import_survives_mutated_files(
        which in any::<usize>(),
        txt_muts in proptest::collection::vec(mutation(), 0..3),
        ann_muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let pairs = brat_pairs();
        let (txt, ann) = &pairs[which % pairs.len()];
        exercise_brat(&mutate(txt, &txt_muts), &mutate(ann, &ann_muts));
    }

    #[test]
    fn jsonl_import_survives_any_text(s in any::<String>()) {
        exercise_jsonl(&s);
    }

    #[test]
    fn jsonl_import_survives_mutated_lines(
        which in any::<usize>(),
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let lines = valid_jsonl_lines();
        exercise_jsonl(&mutate(&lines[which % lines.len()], &muts));
    }
}

/// The mutations really produce inputs the parsers accept as well as reject, so
/// the properties above test both paths rather than only error handling.
#[test]
fn mutations_reach_both_accepted_and_rejected_inputs() {
    let seeds = valid_sidecars();
    let mut ok = 0;
    let mut err = 0;
    for (i, s) in seeds.iter().enumerate() {
        for k in 0..40usize {
            let m = Mutation::Digit {
                at: k * 131 + i,
                digit: char::from(b'0' + (k % 10) as u8),
            };
            let t = Mutation::Truncate { at: k * 977 };
            for muts in [vec![m], vec![t]] {
                match sidecar::from_str(&mutate(s, &muts)) {
                    Ok(_) => ok += 1,
                    Err(_) => err += 1,
                }
            }
        }
    }
    assert!(ok > 0 && err > 0, "accepted {ok}, rejected {err}");
}

/// Found by the `sidecar` fuzz target: two annotations sharing an id and spans (as a
/// hand edit can leave them) came back from a save in another order than they were read.
#[test]
fn repeated_ids_read_back_in_the_same_order_after_a_save() {
    let src = r#"(format: "marginalia", version: "1.0", source: "a.txt", source_hash: "h",
        annotations: [
            (id: "a", spans: [(start: 0, end: 5)], quote: "Hello", label: "MISC", kind: Entity(canonical: None), note: "z"),
            (id: "a", spans: [(start: 0, end: 5)], quote: "Hello", label: "MISC", kind: Entity(canonical: None), note: "b"),
        ])"#;
    let sc = sidecar::from_str(src).unwrap();
    let back = sidecar::from_str(&sidecar::to_string(&sc)).unwrap();
    assert_eq!(back.data, sc.data);
    assert_eq!(sidecar::to_string(&back), sidecar::to_string(&sc));
}

/// Every input a fuzz target once failed on stays fixed (`fuzz/seeds/<target>` keeps them).
#[test]
fn fuzz_seeds_pass_their_targets() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let files = |t: &str| -> Vec<Vec<u8>> {
        std::fs::read_dir(seeds.join(t))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect()
    };
    for b in files("sidecar") {
        exercise_sidecar(&String::from_utf8_lossy(&b));
    }
    for b in files("tagset") {
        exercise_tagset(&String::from_utf8_lossy(&b));
    }
    for b in files("brat") {
        let (txt, ann) = match b.iter().position(|&x| x == 0) {
            Some(i) => (&b[..i], &b[i + 1..]),
            None => (&b[..], &[][..]),
        };
        exercise_brat(&String::from_utf8_lossy(txt), &String::from_utf8_lossy(ann));
    }
    for b in files("jsonl") {
        for line in String::from_utf8_lossy(&b).lines() {
            exercise_jsonl(line);
        }
    }
}
