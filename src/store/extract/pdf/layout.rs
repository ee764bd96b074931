//! A page's body in reading order: columns found by their gutters, read one after
//! the other between lines that span them (titles, figures' captions), lines
//! joined into paragraphs, end-of-line hyphens and soft hyphens taken out.

use super::line::{Fragment, Line};

/// A paragraph of a page, or one line of its furniture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Para {
    pub text: String,
    pub furniture: bool,
}

/// A gutter must be at least this many ems wide.
const GUTTER_EM: f32 = 0.8;
/// Text crossing a gutter must be at most this share of the busiest place on the page.
const GUTTER_TRAFFIC: f32 = 0.1;
/// Each side of a gutter must hold at least this share of the page's fragments.
const GUTTER_SIDE: f32 = 0.15;
/// A space between lines this many times the usual one starts a paragraph.
const PARAGRAPH_GAP: f32 = 1.5;

/// The body lines (not furniture) of a page as paragraphs in reading order.
pub(crate) fn body(lines: &[&Line], rtl_page: bool) -> Vec<String> {
    let fragments: Vec<&Fragment> = lines.iter().flat_map(|l| l.fragments.iter()).collect();
    if fragments.is_empty() {
        return Vec::new();
    }
    let gutters = gutters(&fragments);
    let column_of = |f: &Fragment| -> Option<usize> {
        if gutters.iter().any(|&(lo, hi)| f.x0 < lo && f.x1 > hi) {
            return None;
        }
        Some(gutters.iter().filter(|&&(_, hi)| f.x0 >= hi).count())
    };
    // Fragments come top to bottom (lines are sorted so); a spanning fragment
    // closes the section of columns above it.
    let mut blocks: Vec<Vec<&Fragment>> = Vec::new();
    let mut section: Vec<Vec<&Fragment>> = vec![Vec::new(); gutters.len() + 1];
    for f in fragments {
        match column_of(f) {
            Some(c) => section[c].push(f),
            None => {
                flush(&mut section, &mut blocks, rtl_page);
                blocks.push(vec![f]);
            }
        }
    }
    flush(&mut section, &mut blocks, rtl_page);
    paragraphs(&blocks)
}

/// Moves a section's columns into the blocks, in reading order.
fn flush<'a>(section: &mut [Vec<&'a Fragment>], blocks: &mut Vec<Vec<&'a Fragment>>, rtl_page: bool) {
    let mut columns: Vec<Vec<&'a Fragment>> = section.iter_mut().map(std::mem::take).collect();
    if rtl_page {
        columns.reverse();
    }
    blocks.extend(columns.into_iter().filter(|c| !c.is_empty()));
}

/// Vertical bands of white between columns: few fragments cross them, and
/// both sides hold a good share of the text.
fn gutters(fragments: &[&Fragment]) -> Vec<(f32, f32)> {
    if fragments.len() < 6 {
        return Vec::new();
    }
    let left = fragments.iter().map(|f| f.x0).fold(f32::MAX, f32::min);
    let right = fragments.iter().map(|f| f.x1).fold(f32::MIN, f32::max);
    let width = (right - left).ceil() as usize;
    if width == 0 || width > 10_000 {
        return Vec::new();
    }
    let mut coverage = vec![0u32; width + 1];
    for f in fragments {
        let a = ((f.x0 - left).max(0.0) as usize).min(width);
        let b = ((f.x1 - left).max(0.0) as usize).min(width);
        for c in &mut coverage[a..=b] {
            *c += 1;
        }
    }
    let peak = coverage.iter().copied().max().unwrap_or(0);
    let quiet = (peak as f32 * GUTTER_TRAFFIC).floor() as u32;
    let mut sizes: Vec<f32> = fragments.iter().map(|f| f.size).collect();
    sizes.sort_by(f32::total_cmp);
    let em = sizes[sizes.len() / 2];
    let need = (fragments.len() as f32 * GUTTER_SIDE).max(3.0) as usize;
    let mut out = Vec::new();
    let mut x = 0;
    while x <= width {
        if coverage[x] > quiet {
            x += 1;
            continue;
        }
        let start = x;
        while x <= width && coverage[x] <= quiet {
            x += 1;
        }
        let (lo, hi) = (left + start as f32, left + x as f32);
        if start == 0 || x > width || hi - lo < em * GUTTER_EM {
            continue;
        }
        let on_left = fragments.iter().filter(|f| f.x1 <= hi).count();
        let on_right = fragments.iter().filter(|f| f.x0 >= lo).count();
        if on_left >= need && on_right >= need {
            out.push((lo, hi));
        }
    }
    out
}

/// Joins each block's lines into paragraphs.
fn paragraphs(blocks: &[Vec<&Fragment>]) -> Vec<String> {
    // The usual distance between lines, from the page itself.
    let mut steps: Vec<f32> = Vec::new();
    for block in blocks {
        for pair in block.windows(2) {
            let step = pair[0].y - pair[1].y;
            if step > pair[1].size * 0.5 {
                steps.push(step);
            }
        }
    }
    steps.sort_by(f32::total_cmp);
    let usual = steps.get(steps.len() / 2).copied();

    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev: Option<(f32, f32, f32, bool)> = None; // baseline, size, right edge, ends a sentence
    for block in blocks {
        let right = block.iter().map(|f| f.x1).fold(f32::MIN, f32::max);
        let mut first_in_block = true;
        let mut i = 0;
        while i < block.len() {
            // Fragments on one baseline inside a column are one line.
            let mut j = i + 1;
            while j < block.len() && (block[i].y - block[j].y).abs() < block[i].size * 0.4 {
                j += 1;
            }
            let line = &block[i..j];
            let rtl = line.iter().filter(|f| f.rtl).count() * 2 > line.len();
            let mut parts: Vec<&str> = line.iter().map(|f| f.text.as_str()).collect();
            if rtl {
                parts.reverse();
            }
            let text = parts.join(" ");
            let (y, size) = (line[0].y, line.iter().map(|f| f.size).fold(0.0, f32::max));
            let x1 = line.iter().map(|f| f.x1).fold(f32::MIN, f32::max);
            let new_paragraph = match prev {
                None => true,
                Some((py, psize, pright, ends_sentence)) => {
                    let step = py - y;
                    let size_change = (size - psize).abs() > psize.max(size) * 0.15;
                    // The line ended a sentence with room left for this line's
                    // first word: it was ended on purpose.
                    let x0 = line.iter().map(|f| f.x0).fold(f32::MAX, f32::min);
                    let chars = text.chars().count().max(1) as f32;
                    let first_word = text.split(' ').next().map_or(0, |w| w.chars().count()) as f32 + 1.0;
                    let short =
                        !first_in_block && ends_sentence && right - pright > (x1 - x0) / chars * first_word;
                    let gap =
                        !first_in_block && usual.is_some_and(|u| step > u * PARAGRAPH_GAP || step < 0.0);
                    let moved = first_in_block && ends_sentence;
                    let item = text.starts_with(['•', '◦', '▪', '‣', '●', '■', '□', '–', '—', '*']);
                    size_change || short || gap || moved || item
                }
            };
            if new_paragraph && !current.is_empty() {
                out.push(finish(std::mem::take(&mut current)));
            }
            join_line(&mut current, &text);
            let ends_sentence = text
                .trim_end()
                .ends_with(['.', '!', '?', ':', '"', '”', '’', ')', '؟', '۔']);
            prev = Some((y, size, x1, ends_sentence));
            first_in_block = false;
            i = j;
        }
    }
    if !current.is_empty() {
        out.push(finish(current));
    }
    out
}

/// Appends a line to a paragraph: a word broken at the end of the line by a
/// hyphen (before a lower-case letter, or inside an all-capitals word) or a
/// soft hyphen is joined again; another hyphen there is kept, without a space.
fn join_line(paragraph: &mut String, line: &str) {
    let line = line.trim();
    if paragraph.is_empty() {
        paragraph.push_str(line);
        return;
    }
    if paragraph.ends_with('\u{AD}') {
        paragraph.pop();
        paragraph.push_str(line);
        return;
    }
    let mut head = line.chars();
    let (next, after) = (head.next(), head.next());
    let mut tail = paragraph.chars().rev();
    let last = tail.next();
    let before = tail.next();
    // A lower-case continuation, or an all-capitals word (`ELE-` / `MENT`).
    let continues = next.is_some_and(char::is_lowercase)
        || (before.is_some_and(char::is_uppercase)
            && next.is_some_and(char::is_uppercase)
            && after.is_some_and(char::is_uppercase));
    if matches!(last, Some('-' | '\u{2010}')) && before.is_some_and(char::is_alphabetic) && continues {
        paragraph.pop();
        paragraph.push_str(line);
        return;
    }
    // Any other hyphen at a line end is part of a compound (`UN-` / `Habitat`).
    if matches!(last, Some('-' | '\u{2010}'))
        && before.is_some_and(char::is_alphanumeric)
        && next.is_some_and(char::is_alphanumeric)
    {
        paragraph.push_str(line);
        return;
    }
    paragraph.push(' ');
    paragraph.push_str(line);
}

/// Soft hyphens inside a word are invisible; they go.
fn finish(paragraph: String) -> String {
    if paragraph.contains('\u{AD}') {
        paragraph.replace('\u{AD}', "")
    } else {
        paragraph
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenated_words_are_joined() {
        let mut p = String::from("an exam-");
        join_line(&mut p, "ple of it");
        assert_eq!(p, "an example of it");
        let mut p = String::from("the well-");
        join_line(&mut p, "Known");
        assert_eq!(p, "the well-Known");
        let mut p = String::from("ASN1_ELE-");
        join_line(&mut p, "MENT_FOUND");
        assert_eq!(p, "ASN1_ELEMENT_FOUND");
        let mut p = String::from("the UN-");
        join_line(&mut p, "Habitat report");
        assert_eq!(p, "the UN-Habitat report");
        let mut p = String::from("infor\u{AD}");
        join_line(&mut p, "mation");
        assert_eq!(finish(p), "information");
        assert_eq!(finish("co\u{AD}operate".into()), "cooperate");
    }
}
