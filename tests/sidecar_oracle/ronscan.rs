//! A small RON scanner that finds the raw text of each field of a struct.
//!
//! serde drops fields it does not know. To keep fields written by a newer
//! minor version byte for byte, the oracle uses this scanner to cut the source
//! into `key: value` pieces without interpreting the values.

/// Splits the body of the struct or list that opens at `src[open]` into its
/// top-level items (separated by commas), returned as trimmed byte ranges.
/// Returns `None` when brackets or strings do not balance.
#[allow(dead_code)]
pub fn items(src: &str, open: usize) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = src.as_bytes();
    let close = match bytes.get(open)? {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        _ => return None,
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    // End of the last byte of code (not comment, not space) in the current item: a
    // comment after a value must not be copied, or the comma written after it would
    // land inside the comment.
    let mut code_end = start;
    let mut i = open + 1;
    while i < bytes.len() {
        let mut trivia = false;
        match bytes[i] {
            b'"' => i = skip_string(bytes, i)?,
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && !is_ident(bytes, i) => {
                i = skip_raw_string(bytes, i)?
            }
            b'\'' => i = skip_char(bytes, i)?,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                trivia = true;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..].find("*/").map(|p| i + 2 + p + 1)?;
                trivia = true;
            }
            b' ' | b'\t' | b'\r' | b'\n' => trivia = true,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            c if c == close => {
                push_trimmed(src, start..code_end.max(start), &mut out);
                return Some(out);
            }
            b',' if depth == 0 => {
                push_trimmed(src, start..code_end.max(start), &mut out);
                start = i + 1;
                trivia = true;
            }
            _ => {}
        }
        if !trivia {
            code_end = i + 1;
        }
        i += 1;
    }
    None
}

fn is_ident(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

/// Index of the closing quote of the string opening at `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn skip_raw_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    while i < bytes.len() {
        if bytes[i] == b'"' && bytes[i + 1..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes {
            return Some(i + hashes);
        }
        i += 1;
    }
    None
}

fn skip_char(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    if bytes.get(i) == Some(&b'\\') {
        i += 1;
    }
    // Skip one UTF-8 character, then expect the closing quote.
    i += 1;
    while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
        i += 1;
    }
    while i < bytes.len() && bytes[i] != b'\'' {
        i += 1;
    }
    (i < bytes.len()).then_some(i)
}

fn push_trimmed(src: &str, r: std::ops::Range<usize>, out: &mut Vec<std::ops::Range<usize>>) {
    let piece = &src[r.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// Strips leading `//` and `/* */` comments and whitespace.
fn skip_trivia(s: &str) -> &str {
    let mut s = s.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("//") {
            s = rest.find('\n').map_or("", |p| &rest[p..]).trim_start();
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.find("*/").map_or("", |p| &rest[p + 2..]).trim_start();
        } else {
            return s;
        }
    }
}

/// The fields of a struct written `(key: value, …)` (optionally `Name(…)`),
/// as (key, raw value text) pairs; `None` when `src` is not such a struct.
pub fn struct_fields(src: &str) -> Option<Vec<(String, String)>> {
    let body = skip_trivia(src);
    let offset = src.len() - body.len();
    let open = offset + body.find('(')?;
    if !src[offset..open].chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    items(src, open)?
        .into_iter()
        .map(|r| {
            let item = &src[r];
            let item = skip_trivia(item);
            let colon = item.find(':')?;
            let key = item[..colon].trim();
            key.chars()
                .all(|c| c.is_alphanumeric() || c == '_')
                .then(|| (key.to_owned(), item[colon + 1..].trim().to_owned()))
        })
        .collect()
}

/// The elements of a list written `[a, b, …]`, as raw text.
pub fn list_items(src: &str) -> Option<Vec<String>> {
    let body = skip_trivia(src);
    let open = src.len() - body.len();
    Some(items(src, open)?.into_iter().map(|r| src[r].to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_nested_fields_and_strings() {
        let src = "// c\n(\n  a: 1,\n  b: \"x, (y\",\n  c: [(d: 2), (e: \"]\")],\n  f: r#\"raw\"#,\n)";
        let f = struct_fields(src).unwrap();
        let keys: Vec<_> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "f"]);
        assert_eq!(f[2].1, "[(d: 2), (e: \"]\")]");
        assert_eq!(list_items(&f[2].1).unwrap(), ["(d: 2)", "(e: \"]\")"]);
    }

    #[test]
    fn comments_after_values_are_not_part_of_them() {
        let src =
            "(\n  a: 1 // one, really\n  ,\n  b: [2, /* two */ 3] /* end */,\n  // lead\n  c: \"//\",\n)";
        let f = struct_fields(src).unwrap();
        assert_eq!(
            f,
            [
                ("a".into(), "1".into()),
                ("b".into(), "[2, /* two */ 3]".into()),
                ("c".into(), "\"//\"".into())
            ]
        );
    }

    #[test]
    fn unbalanced_input_is_none() {
        assert!(struct_fields("(a: \"open").is_none());
        assert!(struct_fields("(a: [1, 2)").is_none());
    }
}
