//! Rules that consumers of the exports hold us to: CoNLL as conlleval reads it
//! (one column count, blank lines between sentences, IOB2) and JSONL lines that
//! no reader splits at U+2028/U+2029.

mod export_support;

use marginalia::formats::conll::{self, DOCSTART};
use marginalia::formats::jsonl;
use marginalia::model::{DocAnnotations, Document, Kind, Span};
use proptest::prelude::*;

/// The characters Python's `str.split()` splits on: what conlleval's Python
/// port and most CoNLL readers cut columns at (Perl's `split ' '` takes fewer).
fn python_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{b}'
            | '\u{c}'
            | '\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Checks one document's CoNLL block as conlleval reads it, and that each
/// token's start column points at its text. Returns the number of chunks.
fn check_conll(doc: &Document, block: &str) -> usize {
    let lines: Vec<&str> = block.split('\n').collect();
    // `-DOCSTART- PATH O`, then a blank line; the block ends with a newline.
    let first: Vec<&str> = lines[0].split(python_space).collect();
    assert_eq!(first.len(), 3, "{:?}", lines[0]);
    assert_eq!((first[0], first[2]), (DOCSTART, "O"));
    assert_eq!(lines[1], "");
    assert_eq!(lines.last(), Some(&""), "the block ends with a line end");
    let (mut prev, mut chunks, mut blank_run) = ("O".to_owned(), 0, 1);
    for line in &lines[2..lines.len() - 1] {
        if line.is_empty() {
            blank_run += 1;
            assert!(blank_run < 2, "two blank lines in a row in {}", doc.path);
            prev = "O".to_owned();
            continue;
        }
        blank_run = 0;
        // conlleval: every line has the same number of columns as the first.
        let cols: Vec<&str> = line.split(python_space).collect();
        assert_eq!(cols.len(), 3, "{line:?}");
        let (token, start, tag) = (cols[0], cols[1], cols[2]);
        let start: usize = start.parse().unwrap();
        let n = token.chars().count();
        let text = doc.slice(Span::new(start, start + n));
        let same = text == token
            || text
                .chars()
                .zip(token.chars())
                .all(|(a, b)| a == b || (b == '_' && python_space(a)));
        assert!(same, "{token:?} is not the text at {start}: {text:?}");
        if let Some(label) = tag.strip_prefix("I-") {
            assert!(
                prev == format!("B-{label}") || prev == format!("I-{label}"),
                "{tag} after {prev}"
            );
        } else if tag.starts_with("B-") {
            chunks += 1;
        } else {
            assert_eq!(tag, "O");
        }
        prev = tag.to_owned();
    }
    chunks
}

#[test]
fn the_fixture_follows_conlleval_rules_and_names_its_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let mut names = Vec::new();
    for (doc, data) in export_support::load_all(&root) {
        let (block, _) = conll::doc_conll(&doc, &data);
        assert!(check_conll(&doc, &block) > 0, "{}", doc.path);
        names.push(
            block
                .lines()
                .next()
                .unwrap()
                .split(' ')
                .nth(1)
                .unwrap()
                .to_owned(),
        );
    }
    assert!(names.contains(&"extra/mixed.txt".to_owned()), "{names:?}");
}

#[test]
fn a_path_with_spaces_is_one_column() {
    assert_eq!(
        conll::docstart_line("a b/c%d\te.txt"),
        "-DOCSTART- a%20b/c%25d%09e.txt O"
    );
    assert_eq!(conll::docstart_line("北 朝.txt"), "-DOCSTART- 北%20朝.txt O");
}

/// Pieces texts are made of: words, scripts without spaces, emoji, every kind
/// of line end and space, and the separators Python splits columns at.
const PIECES: &[&str] = &[
    "Kim",
    "said",
    "U.N.",
    "50",
    ".",
    "!",
    "…",
    "’s",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u{2028}",
    "\u{a0}",
    "\u{3000}",
    "\u{1c}",
    "a\u{1f}b",
    "北朝鮮",
    "😀",
    "🙏🏽",
    "قال",
    "e\u{301}",
    "«",
    "-",
    "=",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_document_follows_conlleval_rules(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 1..40),
        spans in proptest::collection::vec((0usize..200, 1usize..30, 0usize..4), 0..12),
        path in "[a-z ]{1,8}(/[a-z%\t ]{1,5})?\\.txt",
    ) {
        let doc = Document::new(path, pieces.concat());
        let n = doc.len_chars();
        let mut data = DocAnnotations::default();
        let labels = ["PER", "ORG X", "B-LOC", "mixed\u{1c}label"];
        for (i, (start, len, label)) in spans.into_iter().enumerate() {
            if n == 0 {
                break;
            }
            let start = start % n;
            let end = (start + len).min(n);
            data.annotations.push(export_support::ann(
                &doc,
                &format!("e{i}"),
                vec![Span::new(start, end)],
                labels[label],
                Kind::entity(),
            ));
        }
        data.sort();
        let (block, _) = conll::doc_conll(&doc, &data);
        check_conll(&doc, &block);
    }

    #[test]
    fn a_jsonl_line_stays_one_line_for_every_reader(
        pieces in proptest::collection::vec(proptest::sample::select(&["a", "\u{2028}", "\u{2029}", "\n", "\u{85}", "é", "\""][..]), 0..20),
    ) {
        let text = pieces.concat();
        let doc = Document::new("a\u{2028}b.txt", text.clone());
        let mut data = DocAnnotations::default();
        data.meta.title = format!("t{text}");
        let line = jsonl::doc_line(&doc, &data);
        // No raw line separator: JavaScript before ES2019 and Python's
        // splitlines() would cut the line there.
        prop_assert!(!line.contains(['\u{2028}', '\u{2029}', '\n', '\r']), "{line:?}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        prop_assert_eq!(v["text"].as_str().unwrap(), text.as_str());
        prop_assert_eq!(v["path"].as_str().unwrap(), "a\u{2028}b.txt");
        prop_assert_eq!(v["meta"]["title"].as_str().unwrap(), format!("t{text}"));
    }
}
