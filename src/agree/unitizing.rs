//! Krippendorff's unitizing alpha.

use super::*;

/// Krippendorff's alpha for unitizing a continuum (αu) for one category, or
/// pooled over categories.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UnitizingAlpha {
    /// Observed disagreement `uDo`.
    pub observed_disagreement: f64,
    /// Expected disagreement `uDe`.
    pub expected_disagreement: f64,
    /// `1 - uDo/uDe`; `None` when `uDe` is 0 (neither coder marked a unit).
    pub alpha: Option<f64>,
}

impl UnitizingAlpha {
    fn new(observed: f64, expected: f64) -> Self {
        Self {
            observed_disagreement: observed,
            expected_disagreement: expected,
            alpha: (expected > 0.0).then(|| 1.0 - observed / expected),
        }
    }

    /// Pools categories as Krippendorff does: `1 - Σ_c uDo_c / Σ_c uDe_c`.
    pub fn pooled<'a>(per_category: impl IntoIterator<Item = &'a UnitizingAlpha>) -> Self {
        let (mut o, mut e) = (0.0, 0.0);
        for a in per_category {
            o += a.observed_disagreement;
            e += a.expected_disagreement;
        }
        Self::new(o, e)
    }
}

/// Sorts units and merges the ones that overlap: one coder's units of one
/// category must not overlap for αu. Units are clipped to `0..len`.
fn normalise_units(units: &[Span], len: usize) -> Vec<Span> {
    let mut v: Vec<Span> = units
        .iter()
        .map(|s| Span::new(s.start.min(len), s.end.min(len)))
        .filter(|s| !s.is_empty())
        .collect();
    v.sort();
    let mut out: Vec<Span> = Vec::new();
    for s in v {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Lengths of the stretches of `0..len` that no unit covers.
fn gap_lengths(units: &[Span], len: usize) -> Vec<usize> {
    let mut gaps = Vec::new();
    let mut pos = 0;
    for u in units {
        if u.start > pos {
            gaps.push(u.start - pos);
        }
        pos = pos.max(u.end);
    }
    if len > pos {
        gaps.push(len - pos);
    }
    gaps
}

/// Krippendorff's αu (Krippendorff 1995; in the form of *Content Analysis*, 2nd
/// ed., 2004) for one category and two coders on a continuum `0..len`, given
/// each coder's units of that category. Overlapping units of one coder are
/// merged first.
///
/// With `L = len`, `m = 2` coders, segments being units and the gaps between them:
///
/// * `uDo = Σ δ²(g, h) / L²`, summed over each unit `g` of one coder and each
///   segment `h` of the other, where `δ²` is `(start_g - start_h)² + (end_g - end_h)²`
///   for two overlapping units, `len_g²` when `h` is a gap that contains `g`,
///   and 0 otherwise;
/// * `uDe = (2/L) · Σ_g [ (N-1)/3 · (2l³ - 3l² + l) + l² · Σ_{gaps h, l_h ≥ l} (l_h - l + 1) ]
///   / [ mL(mL - 1) - Σ_g l(l - 1) ]`, with `g` over the units of both coders,
///   `l = len_g`, `N` their number and `h` over the gaps of both coders.
pub fn unitizing_alpha(len: usize, a: &[Span], b: &[Span]) -> UnitizingAlpha {
    let (a, b) = (normalise_units(a, len), normalise_units(b, len));
    if len == 0 {
        return UnitizingAlpha::new(0.0, 0.0);
    }
    let l = len as f64;
    let sq = |x: usize, y: usize| {
        let d = x.abs_diff(y) as f64;
        d * d
    };
    let mut observed = 0.0;
    // Both lists are sorted and disjoint, so the overlapping pairs are found by a merge walk;
    // a unit that overlaps no unit of the other coder lies inside one of its gaps.
    let mut touched_a = vec![false; a.len()];
    let mut touched_b = vec![false; b.len()];
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].overlaps(&b[j]) {
            observed += sq(a[i].start, b[j].start) + sq(a[i].end, b[j].end);
            touched_a[i] = true;
            touched_b[j] = true;
        }
        if a[i].end <= b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    for (u, t) in a.iter().zip(&touched_a).chain(b.iter().zip(&touched_b)) {
        if !t {
            observed += (u.len() as f64) * (u.len() as f64);
        }
    }
    observed /= l * l;

    let mut gaps = gap_lengths(&a, len);
    gaps.extend(gap_lengths(&b, len));
    gaps.sort_unstable_by(|x, y| y.cmp(x));
    // prefix[k] = sum of the k longest gaps, so Σ_{l_h ≥ l} (l_h - l + 1) = S_k - k(l - 1).
    let mut prefix = Vec::with_capacity(gaps.len() + 1);
    prefix.push(0.0);
    for g in &gaps {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + *g as f64);
    }
    let units: Vec<usize> = a.iter().chain(&b).map(Span::len).collect();
    let n = units.len() as f64;
    let mut sum = 0.0;
    let mut same_unit_pairs = 0.0;
    for &u in &units {
        let lu = u as f64;
        let k = gaps.partition_point(|g| *g >= u);
        let within_gaps = prefix[k] - k as f64 * (lu - 1.0);
        sum += (n - 1.0) / 3.0 * (2.0 * lu * lu * lu - 3.0 * lu * lu + lu) + lu * lu * within_gaps;
        same_unit_pairs += lu * (lu - 1.0);
    }
    let m = 2.0;
    let denominator = m * l * (m * l - 1.0) - same_unit_pairs;
    let expected = if denominator > 0.0 {
        2.0 / l * sum / denominator
    } else {
        0.0
    };
    UnitizingAlpha::new(observed, expected)
}
