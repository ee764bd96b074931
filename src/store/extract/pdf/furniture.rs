//! Running heads and feet: lines in a page's top or bottom margin that repeat
//! across pages (digits aside), and page numbers.

use std::collections::{HashMap, HashSet};

use super::line::Line;

/// How far into the page, as a share of its height, a running head or foot may reach.
const MARGIN_BAND: f32 = 0.12;
/// At most this many lines at each edge of a page are candidates.
const EDGE_LINES: usize = 2;

/// A page's lines with its box, as furniture detection needs them.
pub(crate) struct PageLines<'a> {
    pub lines: &'a [Line],
    pub bottom: f32,
    pub top: f32,
}

/// For each page, the indices of its lines that are furniture.
pub(crate) fn detect(pages: &[PageLines<'_>]) -> Vec<HashSet<usize>> {
    let candidates: Vec<Vec<(usize, String)>> = pages.iter().map(edge_lines).collect();
    // A running line must recur on several pages: three, or every page of a
    // two-page document. One page alone only has its page number.
    let needed = pages.len().min(3);
    let mut seen: HashMap<&str, HashSet<usize>> = HashMap::new();
    for (p, lines) in candidates.iter().enumerate() {
        for (_, key) in lines {
            seen.entry(key.as_str()).or_default().insert(p);
        }
    }
    candidates
        .iter()
        .zip(pages)
        .map(|(lines, page)| {
            lines
                .iter()
                .filter(|(i, key)| {
                    (needed >= 2 && seen.get(key.as_str()).is_some_and(|s| s.len() >= needed))
                        || is_page_number(&page.lines[*i].text())
                })
                .map(|(i, _)| *i)
                .collect()
        })
        .collect()
}

/// The lines at the top and bottom edges of a page, inside its margins, with
/// the key that compares them across pages.
fn edge_lines(page: &PageLines<'_>) -> Vec<(usize, String)> {
    let height = (page.top - page.bottom).max(1.0);
    let band = height * MARGIN_BAND;
    let n = page.lines.len();
    let lines = page.lines;
    let size = |i: usize| lines[i].fragments.iter().map(|f| f.size).fold(0.0, f32::max);
    // Set apart from the body by more than the space between its lines.
    let apart =
        |upper: usize, lower: usize| lines[upper].y - lines[lower].y > size(upper).max(size(lower)) * 1.5;
    let mut out = Vec::new();
    // Lines are sorted top to bottom: the top group ends at the first wide gap.
    if let Some(k) = (0..n.min(EDGE_LINES)).find(|&k| k + 1 == n || apart(k, k + 1)) {
        out.extend((0..=k).filter(|&i| lines[i].y > page.top - band));
    }
    if let Some(k) = (0..n.min(EDGE_LINES))
        .map(|j| n - 1 - j)
        .find(|&k| k == 0 || apart(k - 1, k))
    {
        let top = out.clone();
        out.extend((k..n).filter(|&i| lines[i].y < page.bottom + band && !top.contains(&i)));
    }
    out.into_iter().map(|i| (i, key(&page.lines[i].text()))).collect()
}

/// Case, digits and spacing aside: "Annual Report — page 3" and "annual report — page 14" match.
fn key(text: &str) -> String {
    let mut out = String::new();
    let mut digits = false;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_numeric() {
                if !digits {
                    out.push('#');
                }
                digits = true;
            } else {
                digits = false;
                out.extend(c.to_lowercase());
            }
        }
        digits = false;
    }
    out
}

/// "3", "- 3 -", "iv", "Page 3", "page 3 of 10", "3 / 10", "p. 3".
pub(crate) fn is_page_number(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let mut s = lower.as_str();
    for prefix in ["page", "seite", "página", "pagina", "pg.", "p."] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    let s = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '(' | ')' | '[' | ']' | '|' | '•')
    });
    let mut parts = s
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|p| !p.is_empty() && !matches!(*p, "of" | "de" | "von" | "sur"));
    let Some(first) = parts.next() else { return false };
    let number = |p: &str| (p.len() <= 5 && p.chars().all(|c| c.is_numeric())) || is_roman(p);
    if !number(first) {
        return false;
    }
    match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some(total), None) => total.chars().all(|c| c.is_numeric()),
        _ => false,
    }
}

/// A well-formed lower-case Roman numeral below 4000 ("xiv", not "civic").
fn is_roman(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    // Thousands, then hundreds, tens and units, each as (one, five, ten).
    rest = rest.trim_start_matches('m');
    if s.len() - rest.len() > 3 {
        return false;
    }
    for (one, five, ten) in [('c', 'd', 'm'), ('x', 'l', 'c'), ('i', 'v', 'x')] {
        let nine: String = [one, ten].iter().collect();
        let four: String = [one, five].iter().collect();
        if let Some(r) = rest
            .strip_prefix(nine.as_str())
            .or_else(|| rest.strip_prefix(four.as_str()))
        {
            rest = r;
            continue;
        }
        rest = rest.strip_prefix(five).unwrap_or(rest);
        let before = rest.len();
        rest = rest.trim_start_matches(one);
        if before - rest.len() > 3 {
            return false;
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognised() {
        for yes in [
            "3",
            "- 3 -",
            "xiv",
            "Page 3",
            "page 3 of 10",
            "3 / 10",
            "p. 12",
            "— 7 —",
        ] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["", "Chapter 3", "3 apples", "In 2019 the", "page", "civic"] {
            assert!(!is_page_number(no), "{no}");
        }
    }

    #[test]
    fn keys_ignore_digits_and_case() {
        assert_eq!(
            key("Annual Report  2024 — p. 3"),
            key("annual report 2024 — P. 14")
        );
        assert_ne!(key("Annual Report"), key("Annual Reports"));
    }
}
