//! Re-anchoring: placing annotations again after their source text changed.
//!
//! Like Hypothesis: the stored position is tried first and checked against the
//! quote; otherwise every occurrence of the quote is scored on its prefix and
//! suffix context and on its distance to where the annotation is expected;
//! failing that, the context either side is used to find an edited quote.
//! What cannot be placed is flagged orphaned and kept, never dropped.

use super::annotation::{AnnId, Annotation, Kind, Span, Spans};
use super::document::{DocAnnotations, Document};

/// What re-anchoring did to a document's annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReanchorReport {
    /// Annotations whose text is still at the stored offsets.
    pub unchanged: usize,
    /// Annotations found at a new place.
    pub moved: Vec<AnnId>,
    /// Annotations that could not be placed; kept and flagged.
    pub orphaned: Vec<AnnId>,
    /// Claims whose cue span could not be placed; the cue was cleared.
    pub cues_lost: Vec<AnnId>,
}

impl ReanchorReport {
    /// True when nothing moved or got lost.
    pub fn is_clean(&self) -> bool {
        self.moved.is_empty() && self.orphaned.is_empty() && self.cues_lost.is_empty()
    }
}

/// Splits a stored quote back into the fragments of `spans` (joined by one space).
fn fragments<'a>(quote: &'a str, spans: &[Span]) -> Option<Vec<&'a str>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut rest = quote;
    for (i, s) in spans.iter().enumerate() {
        let b = crate::model::offsets::cp_to_byte(rest, s.len())?;
        out.push(&rest[..b]);
        rest = &rest[b..];
        if i + 1 < spans.len() {
            rest = rest.strip_prefix(' ')?;
        }
    }
    rest.is_empty().then_some(out)
}

/// Length in code points of the common suffix of `a` and `b`.
fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Length in code points of the common prefix of `a` and `b`.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Byte offsets of every occurrence of `needle` in `hay`.
fn occurrences(hay: &str, needle: &str) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    hay.match_indices(needle).map(|(b, _)| b).collect()
}

/// How close (in code points) to its expected place an occurrence must be to be
/// taken when it does not share enough context.
const NEAR: usize = 64;

/// Code points of prefix and suffix an occurrence must share to be taken anywhere
/// in the text; one space or one letter either side is shared by chance.
const MIN_SHARED_CONTEXT: usize = 8;

/// Finds `quote` in `doc` nearest to `expected` (code points), scored by context.
fn place(doc: &Document, quote: &str, prefix: &str, suffix: &str, expected: usize) -> Option<usize> {
    let hits = occurrences(&doc.text, quote);
    let qlen = quote.chars().count();
    let wanted = (prefix.chars().count() + suffix.chars().count()).min(MIN_SHARED_CONTEXT);
    hits.into_iter()
        .map(|b| {
            let start = doc.cp_of(b);
            let before = doc.slice(Span::new(start.saturating_sub(prefix.chars().count()), start));
            let after = doc.slice(Span::new(
                start + qlen,
                (start + qlen + suffix.chars().count()).min(doc.len_chars()),
            ));
            let context = common_suffix(before, prefix) + common_prefix(after, suffix);
            let distance = start.abs_diff(expected);
            // Context dominates; distance breaks ties between equally good contexts.
            (std::cmp::Reverse(context), distance, start)
        })
        // An occurrence that shares (almost) no context and lies far from where the
        // annotation was is another mention of the same words: a deleted "China" must
        // not jump to the next "China". Better orphaned than on the wrong mention.
        // Without stored context there is nothing to compare, so the nearest one wins.
        .filter(|(context, distance, _)| context.0 >= wanted || *distance <= NEAR)
        .min()
        .map(|(_, _, start)| start)
}

/// Similarity of two strings in 0..=1 (1 − normalised Levenshtein distance over code points).
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    1.0 - prev[b.len()] as f64 / a.len().max(b.len()) as f64
}

/// Fuzzy placement: the prefix and suffix survive and what lies between resembles the quote.
fn place_by_context(
    doc: &Document,
    quote: &str,
    prefix: &str,
    suffix: &str,
    expected: usize,
) -> Option<Span> {
    // Context shorter than this matches too easily to be trusted.
    const MIN_CONTEXT: usize = 8;
    if prefix.chars().count() < MIN_CONTEXT || suffix.chars().count() < MIN_CONTEXT {
        return None;
    }
    let qlen = quote.chars().count();
    let max_gap = qlen * 2 + 16;
    let mut best: Option<(f64, usize, Span)> = None;
    for pb in occurrences(&doc.text, prefix) {
        let start_b = pb + prefix.len();
        let window_end = doc.byte_of(doc.cp_of(start_b) + max_gap + suffix.chars().count());
        let window = &doc.text[start_b..window_end.max(start_b)];
        if let Some(sb) = window.find(suffix) {
            let start = doc.cp_of(start_b);
            let end = doc.cp_of(start_b + sb);
            let sim = similarity(quote, doc.slice(Span::new(start, end)));
            let dist = start.abs_diff(expected);
            if sim >= 0.6
                && best
                    .as_ref()
                    .is_none_or(|(s, d, _)| sim > *s || (sim == *s && dist < *d))
            {
                best = Some((sim, dist, Span::new(start, end)));
            }
        }
    }
    best.map(|(_, _, s)| s).filter(|s| !s.is_empty())
}

/// `cp` moved by `delta`, clamped to the text's start. Saturating: offsets read
/// from a damaged file can be anywhere in `usize`.
fn shift(cp: usize, delta: isize) -> usize {
    if delta >= 0 {
        cp.saturating_add(delta.unsigned_abs())
    } else {
        cp.saturating_sub(delta.unsigned_abs())
    }
}

/// How far `from` moved to reach `to`, clamped to the range of `isize`.
fn distance(from: usize, to: usize) -> isize {
    let d = to as i128 - from as i128;
    d.clamp(isize::MIN as i128, isize::MAX as i128) as isize
}

/// Where `ann` belongs in the new text, given that earlier annotations moved by `delta`.
pub fn reanchor(doc: &Document, ann: &Annotation, delta: isize) -> Option<Spans> {
    if ann.quote.is_empty() {
        // No quote was recorded (a tool wrote only offsets): there is nothing to search
        // for, and nothing contradicts the stored position, so it is kept if it fits.
        let fits = !ann.spans.is_empty()
            && doc.spans_in_range(&ann.spans)
            && ann.spans.windows(2).all(|w| w[0].end <= w[1].start);
        return fits.then(|| ann.spans.clone());
    }
    let frags = fragments(&ann.quote, &ann.spans)?;
    // Position first, checked against the quote.
    if doc.spans_in_range(&ann.spans) && ann.spans.iter().zip(&frags).all(|(s, f)| doc.slice(*s) == *f) {
        return Some(ann.spans.clone());
    }
    let mut out = Spans::with_capacity(ann.spans.len());
    for (i, (span, frag)) in ann.spans.iter().zip(&frags).enumerate() {
        let prefix = if i == 0 { ann.prefix.as_str() } else { "" };
        let suffix = if i + 1 == frags.len() {
            ann.suffix.as_str()
        } else {
            ""
        };
        let expected = match out.last() {
            // Later fragments keep their distance to the previous one.
            Some(prev) => {
                let prev: &Span = prev;
                // Saturating: spans read from a damaged file may overlap or run backwards.
                prev.end
                    .saturating_add(span.start.saturating_sub(ann.spans[i - 1].end))
            }
            None => shift(span.start, delta),
        };
        let placed = match place(doc, frag, prefix, suffix, expected) {
            Some(start) => Span::new(start, start + span.len()),
            None if frags.len() == 1 => place_by_context(doc, frag, prefix, suffix, expected)?,
            None => return None,
        };
        if out.last().is_some_and(|p: &Span| p.end > placed.start) {
            return None;
        }
        out.push(placed);
    }
    Some(out)
}

/// Re-anchors every annotation of `anns` against `doc`, updating spans, quotes
/// and context, and flagging what cannot be placed. Nothing is removed.
pub fn reanchor_all(doc: &Document, anns: &mut DocAnnotations) -> ReanchorReport {
    let mut report = ReanchorReport::default();
    let mut delta: isize = 0;
    let mut order: Vec<usize> = (0..anns.annotations.len()).collect();
    order.sort_by_key(|&i| anns.annotations[i].extent().start);
    for i in order {
        let ann = &mut anns.annotations[i];
        if ann.spans.is_empty() {
            continue;
        }
        match reanchor(doc, ann, delta) {
            Some(spans) => {
                let moved = spans != ann.spans;
                delta = distance(ann.spans[0].start, spans[0].start);
                if let Kind::Claim(c) = &mut ann.kind
                    && let Some(cue) = &mut c.cue
                {
                    let expected = shift(cue.span.start, delta);
                    let kept = cue.quote.is_empty() && doc.spans_in_range(&[cue.span]);
                    match place(doc, &cue.quote, "", "", expected) {
                        _ if kept => cue.quote = doc.slice(cue.span).into(),
                        Some(s) => cue.span = Span::new(s, s + cue.quote.chars().count()),
                        None => {
                            c.cue = None;
                            report.cues_lost.push(ann.id.clone());
                        }
                    }
                }
                if moved || ann.orphaned || ann.quote.is_empty() {
                    let (quote, prefix, suffix) = doc.selector(&spans);
                    ann.spans = spans;
                    ann.quote = quote;
                    ann.prefix = prefix;
                    ann.suffix = suffix;
                    if moved || ann.orphaned {
                        report.moved.push(ann.id.clone());
                    } else {
                        report.unchanged += 1;
                    }
                    ann.orphaned = false;
                } else {
                    report.unchanged += 1;
                }
            }
            None => {
                ann.orphaned = true;
                report.orphaned.push(ann.id.clone());
            }
        }
    }
    anns.sort();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_bounds() {
        assert_eq!(similarity("abc", "abc"), 1.0);
        assert_eq!(similarity("abc", "xyz"), 0.0);
        assert!(similarity("kitten", "sitting") > 0.5);
    }

    #[test]
    fn fragments_split_by_span_lengths() {
        let spans = [Span::new(0, 5), Span::new(10, 15)];
        assert_eq!(fragments("North Korea", &spans[..1]), None);
        assert_eq!(fragments("North Korea", &spans), Some(vec!["North", "Korea"]));
    }
}
