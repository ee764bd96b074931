//! Span matching.

use super::*;

/// Precision, recall and F1 of one matching; `None` where the ratio is 0/0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prf {
    /// Matched / annotations of B.
    pub precision: Option<f64>,
    /// Matched / annotations of A.
    pub recall: Option<f64>,
    /// `2·matched / (A + B)`, the harmonic mean of precision and recall.
    pub f1: Option<f64>,
}

impl Prf {
    fn new(matched: usize, in_a: usize, in_b: usize) -> Self {
        let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
        Self {
            precision: ratio(matched, in_b),
            recall: ratio(matched, in_a),
            f1: ratio(2 * matched, in_a + in_b),
        }
    }
}

/// Span counts and scores for one label (or all labels together). JSON also
/// carries the `exact` and `overlap` scores computed from the counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(into = "SpanScoresJson")]
pub struct SpanScores {
    /// Annotations by A.
    pub in_a: usize,
    /// Annotations by B.
    pub in_b: usize,
    /// Pairs with the same spans and label.
    pub exact_matches: usize,
    /// Pairs with the same label and overlapping spans (exact matches included).
    pub overlap_matches: usize,
}

#[derive(Serialize)]
struct SpanScoresJson {
    in_a: usize,
    in_b: usize,
    exact_matches: usize,
    overlap_matches: usize,
    exact: Prf,
    overlap: Prf,
}

impl From<SpanScores> for SpanScoresJson {
    fn from(s: SpanScores) -> Self {
        Self {
            in_a: s.in_a,
            in_b: s.in_b,
            exact_matches: s.exact_matches,
            overlap_matches: s.overlap_matches,
            exact: s.exact(),
            overlap: s.overlap(),
        }
    }
}

impl SpanScores {
    /// Scores with exact matching.
    pub fn exact(&self) -> Prf {
        Prf::new(self.exact_matches, self.in_a, self.in_b)
    }

    /// Scores with overlap matching.
    pub fn overlap(&self) -> Prf {
        Prf::new(self.overlap_matches, self.in_a, self.in_b)
    }

    pub(super) fn add(&mut self, o: &SpanScores) {
        self.in_a += o.in_a;
        self.in_b += o.in_b;
        self.exact_matches += o.exact_matches;
        self.overlap_matches += o.overlap_matches;
    }
}

/// How the annotations of A and B of one document were paired, by index into
/// the slices given to [`match_annotations`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matching {
    /// Same spans, same label.
    pub exact: Vec<(usize, usize)>,
    /// Same label, overlapping spans, different spans.
    pub boundary: Vec<(usize, usize)>,
    /// Same spans, different label (only among annotations left unpaired above).
    pub label: Vec<(usize, usize)>,
    /// A's annotations paired with nothing.
    pub only_a: Vec<usize>,
    /// B's annotations paired with nothing.
    pub only_b: Vec<usize>,
}

/// Code points the two annotations share.
fn shared(a: &Annotation, b: &Annotation) -> usize {
    let mut n = 0;
    for x in &a.spans {
        for y in &b.spans {
            n += x.end.min(y.end).saturating_sub(x.start.max(y.start));
        }
    }
    n
}

/// Pairs A's and B's annotations one-to-one, in three greedy rounds:
///
/// 1. exact: same spans (every fragment) and same label, in document order;
/// 2. overlap: same label and at least one shared code point; candidate pairs
///    are taken by most shared code points first, then smallest boundary
///    distance `|startA - startB| + |endA - endB|`, then document order of the
///    earlier of the two, and a pair is kept when neither side is paired yet;
/// 3. label: same spans, different label, in document order.
///
/// Whatever is left is only in A or only in B.
pub fn match_annotations(a: &[Annotation], b: &[Annotation]) -> Matching {
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut m = Matching::default();
    let order = |v: &[Annotation]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| v[i].sort_key().cmp(&v[j].sort_key()));
        idx
    };
    let (oa, ob) = (order(a), order(b));

    for &i in &oa {
        if let Some(&j) = ob
            .iter()
            .find(|&&j| !used_b[j] && b[j].label == a[i].label && b[j].spans == a[i].spans)
        {
            used_a[i] = true;
            used_b[j] = true;
            m.exact.push((i, j));
        }
    }

    let mut candidates = Vec::new();
    for &i in &oa {
        if used_a[i] {
            continue;
        }
        for &j in &ob {
            if used_b[j] || b[j].label != a[i].label {
                continue;
            }
            let n = shared(&a[i], &b[j]);
            if n > 0 {
                let (ea, eb) = (a[i].extent(), b[j].extent());
                let dist = ea.start.abs_diff(eb.start) + ea.end.abs_diff(eb.end);
                // Ties are broken on the pair of extents as a set, so that swapping A and B
                // gives the same pairs and F1 stays symmetric.
                let (lo, hi) = if a[i].sort_key() <= b[j].sort_key() {
                    (a[i].sort_key(), b[j].sort_key())
                } else {
                    (b[j].sort_key(), a[i].sort_key())
                };
                candidates.push((std::cmp::Reverse(n), dist, lo, hi, i, j));
            }
        }
    }
    candidates.sort();
    for (.., i, j) in candidates {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            m.boundary.push((i, j));
        }
    }

    for &i in &oa {
        if used_a[i] {
            continue;
        }
        if let Some(&j) = ob.iter().find(|&&j| !used_b[j] && b[j].spans == a[i].spans) {
            used_a[i] = true;
            used_b[j] = true;
            m.label.push((i, j));
        }
    }

    m.only_a = oa.into_iter().filter(|&i| !used_a[i]).collect();
    m.only_b = ob.into_iter().filter(|&j| !used_b[j]).collect();
    m
}
