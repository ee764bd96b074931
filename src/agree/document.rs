//! One document.

use super::*;

/// Everything compared for one document. Counts add up across documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocComparison {
    /// Span counts per label.
    pub spans: BTreeMap<String, SpanScores>,
    /// Token labels (innermost entity or [`OUTSIDE`]) paired A × B.
    pub tokens: Confusion,
    /// Code-point labels (innermost entity or [`OUTSIDE`]) paired A × B.
    pub code_points: Confusion,
    /// Per label, code points inside / outside any annotation of that label, as
    /// `"in"` / `"out"` pairs A × B.
    pub code_points_per_label: BTreeMap<String, Confusion>,
    /// Stances of matched claims, A × B.
    pub stance: Confusion,
    /// Claim types of matched claims, A × B.
    pub claim_type: Confusion,
    /// Where the annotators differ, in text order.
    pub disagreements: Vec<Disagreement>,
    /// Length of the document in code points: the continuum for αu.
    pub len: usize,
    /// Per label, the units of A and of B for αu (sorted, overlapping ones merged).
    pub units: BTreeMap<String, (Vec<Span>, Vec<Span>)>,
}

impl DocComparison {
    /// αu of this document per label.
    pub fn unitizing_alpha_per_label(&self) -> BTreeMap<String, UnitizingAlpha> {
        self.units
            .iter()
            .map(|(label, (a, b))| (label.clone(), unitizing_alpha(self.len, a, b)))
            .collect()
    }

    /// αu of this document, pooled over labels.
    pub fn unitizing_alpha(&self) -> UnitizingAlpha {
        UnitizingAlpha::pooled(self.unitizing_alpha_per_label().values())
    }
}

/// The disagreements of one document, in text order: what the GUI shows side by side.
pub fn disagreements(doc: &Document, a: &DocAnnotations, b: &DocAnnotations) -> Vec<Disagreement> {
    compare_document(doc, a, b).disagreements
}

/// Annotations that take part in the comparison: orphaned ones have no trustworthy place.
fn placed(data: &DocAnnotations) -> Vec<Annotation> {
    data.annotations.iter().filter(|a| !a.orphaned).cloned().collect()
}

/// Compares two annotators' work on one document. Orphaned annotations are left out.
pub fn compare_document(doc: &Document, a: &DocAnnotations, b: &DocAnnotations) -> DocComparison {
    let (va, vb) = (placed(a), placed(b));
    let m = match_annotations(&va, &vb);
    let mut out = DocComparison {
        len: doc.len_chars(),
        ..DocComparison::default()
    };

    for x in &va {
        out.spans.entry(x.label.to_string()).or_default().in_a += 1;
    }
    for y in &vb {
        out.spans.entry(y.label.to_string()).or_default().in_b += 1;
    }
    for &(i, _) in &m.exact {
        let s = out.spans.entry(va[i].label.to_string()).or_default();
        s.exact_matches += 1;
        s.overlap_matches += 1;
    }
    for &(i, _) in &m.boundary {
        out.spans
            .entry(va[i].label.to_string())
            .or_default()
            .overlap_matches += 1;
    }

    let side = |x: &Annotation| Some(AnnSide::new(doc, x));
    let mut dis = Vec::new();
    for &(i, j) in m.exact.iter().chain(&m.boundary) {
        if let (Some(ca), Some(cb)) = (va[i].claim(), vb[j].claim()) {
            out.stance.add(ca.stance.as_str(), cb.stance.as_str(), 1);
            out.claim_type
                .add(ca.claim_type.as_str(), cb.claim_type.as_str(), 1);
            if ca.stance != cb.stance || ca.claim_type != cb.claim_type {
                dis.push(Disagreement {
                    kind: DisagreementKind::ClaimDiffers,
                    a: side(&va[i]),
                    b: side(&vb[j]),
                });
            }
        }
    }
    for &(i, j) in &m.boundary {
        dis.push(Disagreement {
            kind: DisagreementKind::BoundaryDiffers,
            a: side(&va[i]),
            b: side(&vb[j]),
        });
    }
    for &(i, j) in &m.label {
        dis.push(Disagreement {
            kind: DisagreementKind::LabelDiffers,
            a: side(&va[i]),
            b: side(&vb[j]),
        });
    }
    for &i in &m.only_a {
        dis.push(Disagreement {
            kind: DisagreementKind::OnlyA,
            a: side(&va[i]),
            b: None,
        });
    }
    for &j in &m.only_b {
        dis.push(Disagreement {
            kind: DisagreementKind::OnlyB,
            a: None,
            b: side(&vb[j]),
        });
    }
    dis.sort_by_key(|d| (d.start(), d.kind));
    out.disagreements = dis;

    // Token and code-point labels: innermost entity, as painted per code point.
    let n = doc.len_chars();
    let (pa, la) = paint_innermost(n, &va);
    let (pb, lb) = paint_innermost(n, &vb);
    let name = |labels: &[String], k: u32| -> String {
        labels
            .get(k as usize)
            .cloned()
            .unwrap_or_else(|| OUTSIDE.to_owned())
    };
    let mut cp_pairs: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (x, y) in pa.iter().zip(&pb) {
        *cp_pairs
            .entry((la.rank_label(*x), lb.rank_label(*y)))
            .or_insert(0) += 1;
    }
    for ((x, y), c) in cp_pairs {
        out.code_points.add(&name(&la.labels, x), &name(&lb.labels, y), c);
    }
    for tok in word_tokens(doc) {
        let range = tok.start.min(n)..tok.end.min(n);
        let x = pa[range.clone()].iter().min().copied().unwrap_or(NONE);
        let y = pb[range].iter().min().copied().unwrap_or(NONE);
        out.tokens.add(
            &name(&la.labels, la.rank_label(x)),
            &name(&lb.labels, lb.rank_label(y)),
            1,
        );
    }

    let labels: BTreeSet<&str> = va.iter().chain(&vb).map(|x| x.label.as_str()).collect();
    for label in labels {
        let ua = union_of(&va, label, n);
        let ub = union_of(&vb, label, n);
        let (len_a, len_b) = (total_len(&ua), total_len(&ub));
        let both = intersection_len(&ua, &ub);
        let mut c = Confusion::new();
        c.add("in", "in", both);
        c.add("in", "out", len_a - both);
        c.add("out", "in", len_b - both);
        c.add("out", "out", n - (len_a + len_b - both));
        out.code_points_per_label.insert(label.to_owned(), c);
        out.units.insert(label.to_owned(), (ua, ub));
    }
    out
}

/// Marks a code point no entity covers.
const NONE: u32 = u32::MAX;

/// The entities of one side, ranked innermost first.
struct Ranked {
    /// Label of each rank.
    rank_labels: Vec<u32>,
    /// Distinct label names, indexed by the values in `rank_labels`.
    labels: Vec<String>,
}

impl Ranked {
    fn rank_label(&self, rank: u32) -> u32 {
        self.rank_labels.get(rank as usize).copied().unwrap_or(NONE)
    }
}

/// For each code point, the rank of the innermost entity covering it (rank 0 is
/// the shortest extent; ties by start, label, id), or [`NONE`]. Painting from
/// the outermost inwards leaves the innermost on top. Because every code point
/// holds its innermost cover, the smallest rank over a token's code points is
/// the innermost entity overlapping the token.
fn paint_innermost(n: usize, anns: &[Annotation]) -> (Vec<u32>, Ranked) {
    let mut ents: Vec<&Annotation> = anns.iter().filter(|a| !a.kind.is_claim()).collect();
    ents.sort_by(|x, y| {
        let (ex, ey) = (x.extent(), y.extent());
        (ex.len(), ex.start, &x.label, &x.id).cmp(&(ey.len(), ey.start, &y.label, &y.id))
    });
    let labels: Vec<&str> = ents
        .iter()
        .map(|a| a.label.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rank_labels = ents
        .iter()
        .map(|a| labels.binary_search(&a.label.as_str()).map_or(NONE, |i| i as u32))
        .collect();
    let mut paint = vec![NONE; n];
    for (rank, a) in ents.iter().enumerate().rev() {
        for s in &a.spans {
            let (lo, hi) = (s.start.min(n), s.end.min(n));
            for p in &mut paint[lo..hi.max(lo)] {
                *p = rank as u32;
            }
        }
    }
    (
        paint,
        Ranked {
            rank_labels,
            labels: labels.into_iter().map(str::to_owned).collect(),
        },
    )
}

/// The words of a document as code-point spans: Unicode word-boundary segments
/// (UAX #29) that hold a letter or digit, so spaces and punctuation are not tokens.
pub fn word_tokens(doc: &Document) -> Vec<Span> {
    let mut out = Vec::new();
    let mut pos = 0;
    for seg in crate::model::words::word_bounds(&doc.text) {
        let len = seg.chars().count();
        if seg.chars().any(char::is_alphanumeric) {
            out.push(Span::new(pos, pos + len));
        }
        pos += len;
    }
    out
}

/// The code points covered by annotations with `label`, as sorted spans that do
/// not overlap (overlapping ones are merged; touching ones are kept apart).
fn union_of(anns: &[Annotation], label: &str, n: usize) -> Vec<Span> {
    let mut spans: Vec<Span> = anns
        .iter()
        .filter(|a| a.label == label)
        .flat_map(|a| a.spans.iter())
        .map(|s| Span::new(s.start.min(n), s.end.min(n)))
        .filter(|s| !s.is_empty())
        .collect();
    spans.sort();
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            // Touching units stay apart: for unitizing alpha two adjacent units are not one unit.
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn total_len(spans: &[Span]) -> usize {
    spans.iter().map(Span::len).sum()
}

/// Length of the intersection of two sorted disjoint span lists.
fn intersection_len(a: &[Span], b: &[Span]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        n += a[i].end.min(b[j].end).saturating_sub(a[i].start.max(b[j].start));
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}
