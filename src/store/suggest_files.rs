//! The suggestion engine's two files in the corpus root: the gazetteer the
//! analysts write, and the suggestions they rejected.
//!
//! Both are tab-separated text, one entry a line, so a team sharing the
//! corpus through git reviews and merges them line by line. The rejections
//! file is written sorted, so two analysts' rejections merge without
//! conflicts unless they rejected the same thing.

use std::io;
use std::path::Path;

use crate::model::suggest::{Gazetteer, Rejection, Rejections};

use super::atomic::write_atomic;
use super::safe_file;

/// The gazetteer: `text<TAB>label[<TAB>canonical id]` a line.
pub const GAZETTEER_FILE: &str = "gazetteer.tsv";

/// The rejected suggestions: `document<TAB>label<TAB>start<TAB>before<TAB>text<TAB>after`
/// a line, sorted (before and after: a little context either side).
pub const REJECTIONS_FILE: &str = "rejected-suggestions.tsv";

/// The most either file may hold.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The first line of the rejections file, saying what it is.
const REJECTIONS_HEADER: &str = "# Suggestions rejected in this corpus: document, label, start (code point), text before, text, text after. Written by Marginalia; sorted so that merges go line by line.";

/// Reads the corpus gazetteer; none is an empty one. Errors name the file and
/// the line and say what to fix.
pub fn load_gazetteer(root: &Path) -> Result<Gazetteer, String> {
    let path = root.join(GAZETTEER_FILE);
    match safe_file::read_string_capped(&path, MAX_BYTES) {
        Ok(src) => {
            Gazetteer::parse(&src).map_err(|e| format!("{}, line {}: {}", path.display(), e.line, e.message))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Gazetteer::default()),
        Err(e) => Err(format!(
            "{}: cannot read the gazetteer: {e}{}",
            path.display(),
            safe_file::advice(&e)
        )),
    }
}

/// Reads the corpus's rejected suggestions; none is an empty set. Errors name
/// the file and the line.
pub fn load_rejections(root: &Path) -> Result<Rejections, String> {
    let path = root.join(REJECTIONS_FILE);
    let src = match safe_file::read_string_capped(&path, MAX_BYTES) {
        Ok(src) => src,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Rejections::default()),
        Err(e) => {
            return Err(format!(
                "{}: cannot read the rejected suggestions: {e}{}",
                path.display(),
                safe_file::advice(&e)
            ));
        }
    };
    parse_rejections(&src).map_err(|(line, msg)| format!("{}, line {line}: {msg}", path.display()))
}

/// Parses the text of a rejections file; an error gives the line and what is wrong.
pub fn parse_rejections(src: &str) -> Result<Rejections, (usize, String)> {
    let mut out = Rejections::default();
    for (i, raw) in src.lines().enumerate() {
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() != 6 && f.len() != 4 {
            return Err((
                i + 1,
                format!(
                    "expected six tab-separated fields (document, label, start, text before, text, \
                     text after), found {}; fix the line or delete it to forget that rejection",
                    f.len()
                ),
            ));
        }
        // Four fields: a line without context (document, label, start, text).
        let (before, quote, after) = if f.len() == 6 {
            (f[3], f[4], f[5])
        } else {
            ("", f[3], "")
        };
        let start = f[2].parse::<usize>().map_err(|_| {
            (
                i + 1,
                format!(
                    "the start \"{}\" is not a whole number; fix it or delete the line",
                    f[2]
                ),
            )
        })?;
        out.insert(Rejection {
            doc: unescape(f[0]),
            label: unescape(f[1]).into(),
            quote: unescape(quote),
            start,
            before: unescape(before),
            after: unescape(after),
        });
    }
    Ok(out)
}

/// The text of a rejections file: a header line, then one rejection a line, sorted.
pub fn render_rejections(r: &Rejections) -> String {
    let mut lines: Vec<String> = r
        .iter()
        .map(|x| {
            // A document whose name starts with `#` would read as a comment line.
            let doc = escape(&x.doc);
            let doc = match doc.strip_prefix('#') {
                Some(rest) => format!("\\#{rest}"),
                None => doc,
            };
            format!(
                "{doc}\t{}\t{}\t{}\t{}\t{}",
                escape(&x.label),
                x.start,
                escape(&x.before),
                escape(&x.quote),
                escape(&x.after)
            )
        })
        .collect();
    lines.sort();
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 160);
    out.push_str(REJECTIONS_HEADER);
    out.push('\n');
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Writes the rejections file atomically (a crash leaves the old file or the new one).
pub fn save_rejections(root: &Path, r: &Rejections) -> io::Result<()> {
    write_atomic(&root.join(REJECTIONS_FILE), render_rejections(r).as_bytes())
}

/// Tabs, line breaks and backslashes written as `\t`, `\n`, `\r`, `\\`, so a
/// field stays on its line.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape`]; an unknown escape is kept as written.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('#') => out.push('#'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rejection(doc: &str, label: &str, start: usize, quote: &str) -> Rejection {
        Rejection {
            doc: doc.into(),
            label: label.into(),
            quote: quote.into(),
            start,
            before: "in ".into(),
            after: String::new(),
        }
    }

    #[test]
    fn rejections_round_trip_through_the_corpus_root() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_rejections(dir.path()).unwrap().is_empty());
        let mut r = Rejections::default();
        r.insert(rejection("b/x.txt", "ORG", 10, "a\tb\\n"));
        r.insert(rejection("a.txt", "PLACE", 3, "Gaza\nStrip"));
        save_rejections(dir.path(), &r).unwrap();
        let text = std::fs::read_to_string(dir.path().join(REJECTIONS_FILE)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "a.txt\tPLACE\t3\tin \tGaza\\nStrip\t", "{text}");
        assert_eq!(load_rejections(dir.path()).unwrap(), r);
    }

    #[test]
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(REJECTIONS_FILE),
            "# x\na\tORG\t1\tChina\na\tORG\tten\tChina\n",
        )
        .unwrap();
        let e = load_rejections(dir.path()).unwrap_err();
        assert!(
            e.contains(REJECTIONS_FILE) && e.contains("line 3") && e.contains("ten"),
            "{e}"
        );
        std::fs::write(dir.path().join(GAZETTEER_FILE), "China\tPLACE\nTaiwan\n").unwrap();
        let e = load_gazetteer(dir.path()).unwrap_err();
        assert!(e.contains(GAZETTEER_FILE) && e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_gazetteer_that_is_a_folder_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(GAZETTEER_FILE)).unwrap();
        let e = load_gazetteer(dir.path()).unwrap_err();
        assert!(e.contains(GAZETTEER_FILE), "{e}");
    }

    proptest! {
        #[test]
        fn any_field_survives_the_file(doc in "\\PC{0,12}", label in "[A-Z\\t\\\\]{1,6}", quote in "(\\PC|[\\t\\n\\r\\\\]){0,16}", start in 0usize..100_000) {
            let mut r = Rejections::default();
            r.insert(rejection(&doc, &label, start, &quote));
            let back = parse_rejections(&render_rejections(&r)).unwrap();
            prop_assert_eq!(back, r);
        }
    }
}
