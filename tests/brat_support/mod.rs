//! brat's own standoff parser rules (its `server/src/annotation.py`, the
//! `Annotations` and `TextAnnotations` classes), as a validator every brat
//! export of the tests goes through, plus the line-by-line comparison of the
//! round trip tests.
//!
//! What brat does, and so what is checked here:
//! - the `.txt` is read as UTF-8 with universal newlines (CRLF and lone CR
//!   become LF); a byte-order mark is not dropped, so it counts as a character;
//! - the `.ann` is read through Python's codecs, whose lines end wherever
//!   `str.splitlines` ends them: at CR and LF, and at U+000B, U+000C,
//!   U+001C–U+001E, U+0085, U+2028 and U+2029 too;
//! - every line is `ID<TAB>…`; an id is `*`, or letters (or `#` and letters)
//!   then digits; ids are unique (but `*`);
//! - `T`: `TYPE START END[;START END…]<TAB>TEXT`, each pair exactly two
//!   numbers with one space between, `0 <= start <= end <= len(text)`, a
//!   fragment not overlapping (or, when it comes after, touching) an earlier
//!   one, and TEXT exactly the fragments' texts joined by one space, followed
//!   by nothing or white space;
//! - `E`: `TYPE:TRIGGER ROLE:ID…`; `R`: `TYPE ROLE1:ID ROLE2:ID` with two
//!   different roles; `*`: `TYPE ID ID…`; `A`: `TYPE TARGET[ VALUE]` with a
//!   valid target id; `M` and `#`: exactly `TYPE TARGET` before the tab; `N`:
//!   `TYPE TARGET KB:ID`;
//! - every id referred to exists; an event's trigger is a `T` of the event's
//!   type; no line but an event, a relation or an equivalence refers to a
//!   trigger.
//!
//! One thing brat reports but accepts is not an error here: a `T` whose text
//! field is only white space (brat fills it in from the text).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};

/// Characters at which Python's `str.splitlines` ends a line.
pub fn python_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1c}'..='\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Python's `str.isspace()`: Unicode white space, and U+001C–U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The text as brat reads it: universal newlines, nothing else changed.
pub fn brat_text(txt: &str) -> Vec<char> {
    txt.replace("\r\n", "\n").replace('\r', "\n").chars().collect()
}

/// The lines of an `.ann` file as brat's reader gives them, without their ends.
pub fn ann_lines(ann: &str) -> Vec<String> {
    let ann = ann.replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in ann.chars() {
        if python_line_break(c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `^([A-Za-z]+|#[A-Za-z]*)([0-9]+)(.*?)$`, or `*`.
fn valid_id(id: &str) -> bool {
    if id == "*" {
        return true;
    }
    let rest = match id.strip_prefix('#') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_alphabetic()),
        None => {
            let r = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if r.len() == id.len() {
                return false;
            }
            r
        }
    };
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// Python's `int()` of a field.
fn py_int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// One parsed line, for the checks across lines.
enum Line {
    Text {
        ty: String,
    },
    Event {
        ty: String,
        trigger: String,
        args: Vec<String>,
    },
    Relation {
        args: Vec<String>,
    },
    Equiv {
        members: Vec<String>,
    },
    /// `A`, `M`, `N`, `#`: they name one target.
    OnTarget {
        target: String,
    },
}

/// Checks a `.txt`/`.ann` pair against brat's parser; every problem found,
/// each naming its line.
pub fn validate(txt: &str, ann: &str) -> Result<(), Vec<String>> {
    let text = brat_text(txt);
    let mut errors = Vec::new();
    let mut parsed: Vec<(String, Line)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (n, line) in ann_lines(ann).iter().enumerate() {
        let n = n + 1;
        let mut bad = |what: String| errors.push(format!("line {n} {line:?}: {what}"));
        let Some((id, id_tail)) = line.split_once('\t') else {
            bad("no tab after the id".into());
            continue;
        };
        if !valid_id(id) {
            bad(format!("invalid id {id:?}"));
            continue;
        }
        if id != "*" && !seen.insert(id.to_owned()) {
            bad(format!("duplicate id {id}"));
            continue;
        }
        let (data, tail) = match id_tail.find('\t') {
            Some(p) => (&id_tail[..p], &id_tail[p..]),
            None => (id_tail, ""),
        };
        let first = id.chars().next().unwrap_or(' ');
        let parsed_line = match first {
            'T' => check_text(data, tail, &text).map(|ty| Line::Text { ty }),
            'E' => {
                let (tt, rest) = data.split_once(' ').map_or((data, ""), |(a, b)| (a, b));
                let parts: Vec<&str> = tt.split(':').collect();
                if parts.len() != 2 {
                    Err("the event does not begin with TYPE:TRIGGER".into())
                } else {
                    let args: Vec<Vec<&str>> =
                        rest.split_whitespace().map(|a| a.split(':').collect()).collect();
                    if args.iter().any(|a| a.len() != 2) {
                        Err("an argument is not ROLE:ID".into())
                    } else {
                        Ok(Line::Event {
                            ty: parts[0].into(),
                            trigger: parts[1].into(),
                            args: args.iter().map(|a| a[1].to_owned()).collect(),
                        })
                    }
                }
            }
            'R' => match data.split_once(' ') {
                None => Err("a relation with only a type".into()),
                Some((_, rest)) => {
                    let args: Vec<Vec<&str>> =
                        rest.split_whitespace().map(|a| a.split(':').collect()).collect();
                    if args.len() != 2 || args.iter().any(|a| a.len() != 2) {
                        Err("a relation needs exactly two ROLE:ID arguments".into())
                    } else if args[0][0] == args[1][0] {
                        Err("the two roles of a relation are the same".into())
                    } else {
                        Ok(Line::Relation {
                            args: args.iter().map(|a| a[1].to_owned()).collect(),
                        })
                    }
                }
            },
            '*' => {
                let mut it = data.split(py_space).filter(|p| !p.is_empty());
                match it.next() {
                    Some(_) => {
                        let members: Vec<String> = it.map(str::to_owned).collect();
                        if members.is_empty() {
                            Err("an equivalence without members".into())
                        } else {
                            Ok(Line::Equiv { members })
                        }
                    }
                    None => Err("an equivalence without a type".into()),
                }
            }
            'A' => {
                // `(.+?) (.+?) (.+?)$`, else `(.+?) (.+?)$`: the target is the second field.
                let mut it = data.splitn(3, ' ');
                let (ty, target) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
                if ty.is_empty() || target.is_empty() {
                    Err("an attribute is TYPE TARGET [VALUE]".into())
                } else if !valid_id(target) || target == "*" {
                    Err(format!("the attribute's target {target:?} is not an id"))
                } else {
                    Ok(Line::OnTarget {
                        target: target.into(),
                    })
                }
            }
            'M' | '#' => {
                let parts: Vec<&str> = data.split(py_space).filter(|p| !p.is_empty()).collect();
                if parts.len() == 2 {
                    Ok(Line::OnTarget {
                        target: parts[1].into(),
                    })
                } else {
                    Err("exactly TYPE TARGET before the tab".into())
                }
            }
            'N' => {
                // `(\S+) (\S+) (\S+?):(\S+)` at the start.
                let parts: Vec<&str> = data.splitn(3, ' ').collect();
                let ok = parts.len() == 3
                    && parts.iter().all(|p| !p.is_empty())
                    && !parts[0].contains(py_space)
                    && !parts[1].contains(py_space)
                    && parts[2]
                        .split(py_space)
                        .next()
                        .and_then(|kb| kb.split_once(':'))
                        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty());
                if ok {
                    Ok(Line::OnTarget {
                        target: parts[1].into(),
                    })
                } else {
                    Err("a normalization is TYPE TARGET KB:ID".into())
                }
            }
            _ => Err(format!("no line type starts with {first:?}")),
        };
        match parsed_line {
            Ok(l) => parsed.push((id.to_owned(), l)),
            Err(e) => bad(e),
        }
    }
    cross_checks(&parsed, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A `T` line's middle field and tail against the text; gives its type.
fn check_text(data: &str, tail: &str, text: &[char]) -> Result<String, String> {
    let (ty, rest) = data.split_once(' ').ok_or("a T line without offsets")?;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for piece in rest.split(';') {
        let parts: Vec<&str> = piece.splitn(3, ' ').collect();
        if parts.len() != 2 {
            return Err(format!("the fragment {piece:?} is not START END"));
        }
        let end_str = parts[1].trim_end();
        if end_str.contains(py_space) {
            return Err("white space inside an offset".into());
        }
        let (Some(s), Some(e)) = (py_int(parts[0]), py_int(end_str)) else {
            return Err(format!("the fragment {piece:?} is not two numbers"));
        };
        if s > e || s < 0 || e as usize > text.len() {
            return Err(format!(
                "the fragment {s} {e} is not inside the text of {} characters",
                text.len()
            ));
        }
        let (s, e) = (s as usize, e as usize);
        if spans.iter().any(|&(os, oe)| e >= os && s < oe) {
            return Err(format!(
                "the fragment {s} {e} overlaps or follows touching an earlier one"
            ));
        }
        spans.push((s, e));
    }
    let spanlen: usize = spans.iter().map(|(s, e)| e - s).sum::<usize>() + spans.len() - 1;
    let tail: Vec<char> = tail.chars().collect();
    let blank = tail.iter().all(|c| py_space(*c));
    if blank && spanlen > 0 {
        // brat fills the text in itself, and reads the line.
        return Ok(ty.to_owned());
    }
    if tail.first() != Some(&'\t') {
        return Err("no tab before the text".into());
    }
    if spanlen > tail.len() - 1 {
        return Err("the text field is shorter than the fragments".into());
    }
    let field: String = tail[1..spanlen + 1].iter().collect();
    let want: Vec<String> = spans.iter().map(|&(s, e)| text[s..e].iter().collect()).collect();
    let want = want.join(" ");
    if field != want {
        return Err(format!(
            "the text field {field:?} is not the text at its offsets {want:?}"
        ));
    }
    if tail.get(spanlen + 1).is_some_and(|c| !py_space(*c)) {
        return Err("the text field is followed by more than white space".into());
    }
    Ok(ty.to_owned())
}

/// What brat checks once every line is read (`Annotations._sanity`).
fn cross_checks(parsed: &[(String, Line)], errors: &mut Vec<String>) {
    let by_id: HashMap<&str, &Line> = parsed.iter().map(|(id, l)| (id.as_str(), l)).collect();
    let mut triggers: HashSet<&str> = HashSet::new();
    for (id, l) in parsed {
        let deps: Vec<&str> = match l {
            Line::Text { .. } => Vec::new(),
            Line::Event { ty, trigger, args } => {
                match by_id.get(trigger.as_str()) {
                    Some(Line::Text { ty: tty }) if tty == ty => {}
                    Some(Line::Text { ty: tty }) => {
                        errors.push(format!("{id}: its trigger {trigger} is a {tty}, not a {ty}"))
                    }
                    Some(_) => errors.push(format!("{id}: its trigger {trigger} is not a T")),
                    None => errors.push(format!("{id}: its trigger {trigger} is not defined")),
                }
                triggers.insert(trigger);
                args.iter().map(String::as_str).collect()
            }
            Line::Relation { args } => args.iter().map(String::as_str).collect(),
            Line::Equiv { members } => members.iter().map(String::as_str).collect(),
            Line::OnTarget { target } => vec![target.as_str()],
        };
        for d in deps {
            if !by_id.contains_key(d) {
                errors.push(format!("{id}: it refers to {d}, which is not defined"));
            }
        }
    }
    // Only events, relations (BioNLP 2013 compatibility) and equivalences may name a trigger.
    for (id, l) in parsed {
        if let Line::OnTarget { target } = l
            && triggers.contains(target.as_str())
        {
            errors.push(format!("{id}: it refers to the trigger {target}"));
        }
    }
}

/// Checks `annotation.conf` as brat's `projectconfig.py` reads it: sections
/// in brackets; blank, `#` comment and all-hyphen separator lines skipped;
/// `<NAME>=value` macros expanded in the lines after them; every other line
/// `TERMS[ ARGS]` with an indentation whose parent exists, terms separated by
/// `|`, each argument (comma-separated) `KEY:TYPES`.
pub fn validate_conf(conf: &str) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let mut macros: Vec<(String, String)> = Vec::new();
    let mut depths: HashSet<usize> = HashSet::new();
    for (n, raw) in conf.split('\n').enumerate() {
        let l = raw.trim_end_matches('\r');
        let t = l.trim();
        if t.starts_with('[') && t.ends_with(']') {
            depths.clear();
            continue;
        }
        if t.is_empty() || t.starts_with('#') || t.chars().all(|c| c == '-') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('<')
            && let Some((name, value)) = rest.split_once(">=")
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
        {
            macros.push((format!("<{name}>"), value.trim().to_owned()));
            continue;
        }
        let mut line = l.to_owned();
        for (name, value) in &macros {
            line = line.replace(name.as_str(), value);
        }
        let depth = line.len() - line.trim_start().len();
        if depth > 0 && !depths.contains(&(depth - 1)) {
            errors.push(format!("line {}: {l:?} is indented under no type", n + 1));
        }
        depths.retain(|&d| d < depth);
        depths.insert(depth);
        let body = line.trim_start();
        let (terms, args) = body.split_once(py_space).map_or((body, ""), |(a, b)| (a, b));
        if terms.split('|').all(|t| t.trim().is_empty()) {
            errors.push(format!("line {}: {l:?} has an empty term", n + 1));
        }
        for a in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let ok = a
                .split_once(':')
                .is_some_and(|(k, v)| !k.contains(py_space) && !v.contains(py_space));
            if !ok {
                errors.push(format!("line {}: the argument {a:?} is not KEY:TYPES", n + 1));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Validates every `X.txt`/`X.ann` pair under a brat folder; gives how many
/// were checked. Panics with every problem found.
pub fn validate_folder(dir: &std::path::Path) -> usize {
    let mut n = 0;
    let mut problems = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ann") {
                let txt = std::fs::read(p.with_extension("txt")).unwrap();
                let txt = String::from_utf8(txt).expect("brat text is UTF-8");
                let ann = std::fs::read_to_string(&p).unwrap();
                if let Err(e) = validate(&txt, &ann) {
                    problems.push(format!("{}:\n  {}", p.display(), e.join("\n  ")));
                }
                n += 1;
            }
        }
    }
    if let Ok(conf) = std::fs::read_to_string(dir.join("annotation.conf"))
        && let Err(e) = validate_conf(&conf)
    {
        problems.push(format!("annotation.conf:\n  {}", e.join("\n  ")));
    }
    assert!(
        problems.is_empty(),
        "brat would not read these files:\n{}",
        problems.join("\n")
    );
    n
}

/// The lines of an `.ann` file for comparing a round trip: `T`, `E`, `R` and
/// `*` lines as they are (their ids are kept), `A`, `N` and `#` lines without
/// their ids (which brat gives no meaning and the export numbers afresh), `M`
/// lines as the `A` lines they come back as, Marginalia's own notes left out.
/// A multiset: line → count.
pub fn comparable_lines(ann: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for l in ann_lines(ann).into_iter().filter(|l| !l.is_empty()) {
        let (id, rest) = l.split_once('\t').unwrap_or((l.as_str(), ""));
        let key = match id.chars().next().unwrap_or(' ') {
            'T' | 'R' | 'E' | '*' => l.clone(),
            '#' if rest.starts_with("Marginalia ") => continue,
            'M' => format!("A\t{rest}"),
            c => format!("{c}\t{rest}"),
        };
        *out.entry(key).or_insert(0) += 1;
    }
    out
}
