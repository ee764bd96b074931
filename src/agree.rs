//! Agreement between two annotators who annotated copies of the same corpus.
//!
//! The metrics (span precision / recall / F1, token-level Cohen's kappa,
//! Krippendorff's unitizing alpha αu, a code-point nominal Krippendorff's
//! alpha, claim stance and type agreement) and the disagreement list are pure
//! functions of a [`Document`] and two [`DocAnnotations`]; [`compare_folders`]
//! is the only part that reads files. Definitions and formulas are in
//! `docs/agreement.md`.
//!
//! Annotator A is the reference and B the prediction: precision is the share
//! of B's annotations that match one of A's, recall the share of A's matched
//! by B. F1 does not depend on which side is which.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{Annotation, ClaimType, DocAnnotations, Document, Span, Stance};
use crate::store::corpus::{self, LoadedDoc};

/// The label given to tokens and code points no entity covers.
pub const OUTSIDE: &str = "O";

// ---------------------------------------------------------------------------
// Chance-corrected coefficients over paired labels
// ---------------------------------------------------------------------------

/// How often each pair (label by A, label by B) occurs among the units compared
/// (tokens, code points, matched claims). Kappa and alpha are computed from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pairs: BTreeMap<(String, String), usize>,
}

impl Confusion {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts `n` units labelled `a` by A and `b` by B.
    pub fn add(&mut self, a: &str, b: &str, n: usize) {
        if n > 0 {
            *self.pairs.entry((a.to_owned(), b.to_owned())).or_insert(0) += n;
        }
    }

    /// Adds every count of `other`, to pool documents.
    pub fn merge(&mut self, other: &Confusion) {
        for ((a, b), n) in &other.pairs {
            self.add(a, b, *n);
        }
    }

    /// Number of units.
    pub fn total(&self) -> usize {
        self.pairs.values().sum()
    }

    /// Units on which A and B gave the same label.
    pub fn agreed(&self) -> usize {
        self.pairs
            .iter()
            .filter(|((a, b), _)| a == b)
            .map(|(_, n)| n)
            .sum()
    }

    /// The count for one pair of labels.
    pub fn get(&self, a: &str, b: &str) -> usize {
        self.pairs
            .get(&(a.to_owned(), b.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Every (label by A, label by B, count), sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.pairs.iter().map(|((a, b), n)| (a.as_str(), b.as_str(), *n))
    }

    /// How often each label was used by A and by B.
    fn marginals(&self) -> BTreeMap<&str, (usize, usize)> {
        let mut m: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for ((a, b), n) in &self.pairs {
            m.entry(a.as_str()).or_default().0 += n;
            m.entry(b.as_str()).or_default().1 += n;
        }
        m
    }

    /// Cohen's kappa: `(po - pe) / (1 - pe)`, with `po` the observed agreement and
    /// `pe = Σ_k pA(k)·pB(k)` the agreement expected from each annotator's own
    /// label frequencies.
    pub fn kappa(&self) -> Kappa {
        let n = self.total();
        if n == 0 {
            return Kappa {
                units: 0,
                observed: None,
                expected: None,
                kappa: None,
            };
        }
        let nf = n as f64;
        let po = self.agreed() as f64 / nf;
        let pe: f64 = self
            .marginals()
            .values()
            .map(|(a, b)| (*a as f64 / nf) * (*b as f64 / nf))
            .sum();
        // pe = 1 only when both used one and the same label for everything: kappa is 0/0 then.
        let kappa = (pe < 1.0 - 1e-12).then(|| (po - pe) / (1.0 - pe));
        Kappa {
            units: n,
            observed: Some(po),
            expected: Some(pe),
            kappa,
        }
    }

    /// Krippendorff's alpha for nominal data, two coders, no missing values:
    /// `α = 1 - (n - 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k`, where the coincidence
    /// matrix counts each unit's pair in both orders (`o_ck = pairs(c,k) + pairs(k,c)`),
    /// `n = 2·units` and `n_c` is how often label `c` was used by either coder.
    pub fn nominal_alpha(&self) -> Alpha {
        let units = self.total();
        let n = 2 * units;
        if units == 0 {
            return Alpha {
                units,
                observed_disagreement: None,
                expected_disagreement: None,
                alpha: None,
            };
        }
        let nf = n as f64;
        // Σ_{c≠k} o_ck: every disagreeing unit adds 1 to o_ab and 1 to o_ba.
        let disagreeing = 2 * (units - self.agreed());
        let do_ = disagreeing as f64 / nf;
        let nc: Vec<f64> = self.marginals().values().map(|(a, b)| (a + b) as f64).collect();
        let sum_sq: f64 = nc.iter().map(|c| c * c).sum();
        // Σ_{c≠k} n_c n_k = n² - Σ_c n_c².
        let expected_pairs = nf * nf - sum_sq;
        let de = expected_pairs / (nf * (nf - 1.0));
        let alpha = (expected_pairs > 0.0).then(|| 1.0 - (nf - 1.0) * disagreeing as f64 / expected_pairs);
        Alpha {
            units,
            observed_disagreement: Some(do_),
            expected_disagreement: Some(de),
            alpha,
        }
    }
}

/// Cohen's kappa and the two agreements it is made of.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Kappa {
    /// Units compared.
    pub units: usize,
    /// Observed agreement `po` (share of units with the same label); `None` without units.
    pub observed: Option<f64>,
    /// Agreement expected by chance `pe`; `None` without units.
    pub expected: Option<f64>,
    /// `(po - pe) / (1 - pe)`; `None` when undefined (no units, or both annotators
    /// gave every unit the same single label, so that `pe = 1`).
    pub kappa: Option<f64>,
}

/// Krippendorff's alpha and its two disagreements.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Alpha {
    /// Units compared (each coded once by each coder).
    pub units: usize,
    /// Observed disagreement `Do`.
    pub observed_disagreement: Option<f64>,
    /// Expected disagreement `De`.
    pub expected_disagreement: Option<f64>,
    /// `1 - Do/De`; `None` when undefined (no units, or a single value used throughout).
    pub alpha: Option<f64>,
}

// ---------------------------------------------------------------------------
// Krippendorff's unitizing alpha
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Span matching
// ---------------------------------------------------------------------------

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

    fn add(&mut self, o: &SpanScores) {
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

// ---------------------------------------------------------------------------
// Disagreements
// ---------------------------------------------------------------------------

/// What kind of disagreement an entry of [`Disagreement`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisagreementKind {
    /// A has an annotation B has nothing to pair with.
    OnlyA,
    /// B has an annotation A has nothing to pair with.
    OnlyB,
    /// Same spans, different labels.
    LabelDiffers,
    /// Same label, overlapping spans with different boundaries.
    BoundaryDiffers,
    /// Matched claims (same label, overlapping) whose stance or claim type differ.
    ClaimDiffers,
}

impl DisagreementKind {
    /// Plain words for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DisagreementKind::OnlyA => "only in A",
            DisagreementKind::OnlyB => "only in B",
            DisagreementKind::LabelDiffers => "label differs",
            DisagreementKind::BoundaryDiffers => "boundaries differ",
            DisagreementKind::ClaimDiffers => "claim differs",
        }
    }
}

/// One side of a disagreement: an annotation as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnnSide {
    /// Annotation id in that annotator's sidecar.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its spans (code points, end-exclusive).
    pub spans: Vec<Span>,
    /// The covered text, read from the document (fragments joined by one space).
    pub quote: String,
    /// Stance, for claims.
    #[serde(serialize_with = "stance_name")]
    pub stance: Option<Stance>,
    /// Claim type, for claims.
    #[serde(serialize_with = "claim_type_name")]
    pub claim_type: Option<ClaimType>,
}

// JSON uses the same lower-case names as the text report and the exports.
fn stance_name<S: serde::Serializer>(v: &Option<Stance>, s: S) -> Result<S::Ok, S::Error> {
    v.map(Stance::as_str).serialize(s)
}

fn claim_type_name<S: serde::Serializer>(v: &Option<ClaimType>, s: S) -> Result<S::Ok, S::Error> {
    v.map(ClaimType::as_str).serialize(s)
}

impl AnnSide {
    fn new(doc: &Document, a: &Annotation) -> Self {
        let quote = a
            .spans
            .iter()
            .map(|s| doc.slice(*s))
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            id: a.id.to_string(),
            label: a.label.to_string(),
            spans: a.spans.to_vec(),
            quote,
            stance: a.claim().map(|c| c.stance),
            claim_type: a.claim().map(|c| c.claim_type),
        }
    }

    /// First and last code point covered.
    pub fn extent(&self) -> Span {
        let start = self.spans.iter().map(|s| s.start).min().unwrap_or(0);
        let end = self.spans.iter().map(|s| s.end).max().unwrap_or(0);
        Span { start, end }
    }
}

/// One place where the two annotators differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// What differs.
    pub kind: DisagreementKind,
    /// A's annotation (absent for [`DisagreementKind::OnlyB`]).
    pub a: Option<AnnSide>,
    /// B's annotation (absent for [`DisagreementKind::OnlyA`]).
    pub b: Option<AnnSide>,
}

impl Disagreement {
    /// Where the disagreement starts in the text: the earlier of the two sides.
    pub fn start(&self) -> usize {
        [&self.a, &self.b]
            .into_iter()
            .flatten()
            .map(|s| s.extent().start)
            .min()
            .unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------
// One document
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Two corpus copies
// ---------------------------------------------------------------------------

/// Something the comparison skipped or could not trust, with the document's path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The document exists only in folder A.
    OnlyInA {
        /// Relative path.
        path: String,
    },
    /// The document exists only in folder B.
    OnlyInB {
        /// Relative path.
        path: String,
    },
    /// The two copies of the source text differ, so offsets cannot be compared.
    TextDiffers {
        /// Relative path.
        path: String,
    },
    /// A copy could not be read (source or annotation file); the document is skipped.
    Unreadable {
        /// Relative path.
        path: String,
        /// `"A"` or `"B"`.
        side: String,
        /// Why.
        reason: String,
    },
    /// Orphaned annotations (lost their place after a source edit) were left out.
    Orphaned {
        /// Relative path.
        path: String,
        /// `"A"` or `"B"`.
        side: String,
        /// How many.
        count: usize,
    },
}

impl Warning {
    /// Relative path of the document concerned.
    pub fn path(&self) -> &str {
        match self {
            Warning::OnlyInA { path }
            | Warning::OnlyInB { path }
            | Warning::TextDiffers { path }
            | Warning::Unreadable { path, .. }
            | Warning::Orphaned { path, .. } => path,
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::OnlyInA { path } => write!(f, "{path}: only in folder A; not compared"),
            Warning::OnlyInB { path } => write!(f, "{path}: only in folder B; not compared"),
            Warning::TextDiffers { path } => write!(
                f,
                "{path}: the source text differs between the two folders; not compared (copy the same source into both)"
            ),
            Warning::Unreadable { path, side, reason } => {
                write!(
                    f,
                    "{path}: the copy in folder {side} cannot be used ({reason}); not compared"
                )
            }
            Warning::Orphaned { path, side, count } => write!(
                f,
                "{path}: {count} orphaned annotation{} in folder {side} left out (re-place {} in the workbench)",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "it" } else { "them" }
            ),
        }
    }
}

/// The comparison of one shared document, as reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocReport {
    /// Path relative to the corpus roots.
    pub path: String,
    /// Span counts over all labels.
    pub spans: SpanScores,
    /// Token-level kappa of this document alone.
    pub token_kappa: Kappa,
    /// αu of this document alone, pooled over labels.
    pub unitizing_alpha: UnitizingAlpha,
    /// Where the annotators differ, in text order.
    pub disagreements: Vec<Disagreement>,
}

/// Agreement on the claims both annotators marked (matched by span and label).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClaimAgreement {
    /// Claim pairs matched (exactly or by overlap).
    pub matched: usize,
    /// Stance agreement: `observed` is the percent agreement as a fraction.
    pub stance: Kappa,
    /// Claim type agreement, likewise.
    pub claim_type: Kappa,
}

/// αu over the compared documents, joined end to end (in natural order) into one continuum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitizingReport {
    /// Length of the joined continuum in code points.
    pub continuum_length: usize,
    /// Pooled over labels: `1 - Σ uDo / Σ uDe`.
    pub overall: UnitizingAlpha,
    /// Per label (entities and claims).
    pub per_label: BTreeMap<String, UnitizingAlpha>,
}

/// The agreement between two corpus copies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementReport {
    /// Folder of annotator A (the reference).
    pub folder_a: String,
    /// Folder of annotator B (the prediction).
    pub folder_b: String,
    /// Documents in both folders with the same text, compared.
    pub documents_compared: usize,
    /// Documents skipped or partly left out, and why.
    pub warnings: Vec<Warning>,
    /// Span scores over all labels (micro-averaged: counts are pooled).
    pub overall: SpanScores,
    /// Span scores per label.
    pub per_label: BTreeMap<String, SpanScores>,
    /// Cohen's kappa over the word tokens of all compared documents, each token
    /// labelled with its innermost entity or `O`.
    pub token_kappa: Kappa,
    /// Krippendorff's unitizing alpha over all compared documents joined end to end.
    pub unitizing_alpha: UnitizingReport,
    /// Krippendorff's alpha, nominal, over code points labelled with their
    /// innermost entity or `O` (not the unitizing alpha αu).
    pub code_point_alpha: Alpha,
    /// Per label (entities and claims), nominal alpha over code points coded
    /// inside / outside that label.
    pub code_point_alpha_per_label: BTreeMap<String, Alpha>,
    /// Stance and claim type agreement on matched claims.
    pub claims: ClaimAgreement,
    /// Per compared document, in natural order.
    pub documents: Vec<DocReport>,
}

impl AgreementReport {
    /// Pools per-document comparisons (in the order given) into a report.
    pub fn from_documents(
        folder_a: String,
        folder_b: String,
        docs: Vec<(String, DocComparison)>,
        warnings: Vec<Warning>,
    ) -> Self {
        let mut per_label: BTreeMap<String, SpanScores> = BTreeMap::new();
        let mut tokens = Confusion::new();
        let mut code_points = Confusion::new();
        let mut per_label_cp: BTreeMap<String, Confusion> = BTreeMap::new();
        let mut stance = Confusion::new();
        let mut claim_type = Confusion::new();
        let mut documents = Vec::new();
        let documents_compared = docs.len();
        let mut offset = 0;
        let mut joined: BTreeMap<String, (Vec<Span>, Vec<Span>)> = BTreeMap::new();
        for (path, c) in docs {
            let shift = |v: &[Span]| {
                v.iter()
                    .map(|s| Span::new(s.start + offset, s.end + offset))
                    .collect::<Vec<_>>()
            };
            for (label, (ua, ub)) in &c.units {
                let entry = joined.entry(label.clone()).or_default();
                entry.0.extend(shift(ua));
                entry.1.extend(shift(ub));
            }
            offset += c.len;
            let mut doc_spans = SpanScores::default();
            for (label, s) in &c.spans {
                per_label.entry(label.clone()).or_default().add(s);
                doc_spans.add(s);
            }
            tokens.merge(&c.tokens);
            code_points.merge(&c.code_points);
            stance.merge(&c.stance);
            claim_type.merge(&c.claim_type);
            for (label, conf) in &c.code_points_per_label {
                per_label_cp.entry(label.clone()).or_default().merge(conf);
            }
            documents.push(DocReport {
                path,
                spans: doc_spans,
                token_kappa: c.tokens.kappa(),
                unitizing_alpha: c.unitizing_alpha(),
                disagreements: c.disagreements,
            });
        }
        // A label one document never used still has code points there, all "out" for both.
        let all_cp = code_points.total();
        for conf in per_label_cp.values_mut() {
            let missing = all_cp.saturating_sub(conf.total());
            conf.add("out", "out", missing);
        }
        let unitizing_per_label: BTreeMap<String, UnitizingAlpha> = joined
            .iter()
            .map(|(label, (a, b))| (label.clone(), unitizing_alpha(offset, a, b)))
            .collect();
        let mut overall = SpanScores::default();
        for s in per_label.values() {
            overall.add(s);
        }
        Self {
            folder_a,
            folder_b,
            documents_compared,
            warnings,
            overall,
            per_label,
            token_kappa: tokens.kappa(),
            unitizing_alpha: UnitizingReport {
                continuum_length: offset,
                overall: UnitizingAlpha::pooled(unitizing_per_label.values()),
                per_label: unitizing_per_label,
            },
            code_point_alpha: code_points.nominal_alpha(),
            code_point_alpha_per_label: per_label_cp
                .iter()
                .map(|(k, c)| (k.clone(), c.nominal_alpha()))
                .collect(),
            claims: ClaimAgreement {
                matched: stance.total(),
                stance: stance.kappa(),
                claim_type: claim_type.kappa(),
            },
            documents,
        }
    }
}

/// Why two folders could not be compared.
#[derive(Debug)]
pub struct FolderError {
    /// The folder.
    pub path: PathBuf,
    /// The underlying error.
    pub error: std::io::Error,
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot list {} ({}); check that the folder exists and can be read",
            self.path.display(),
            self.error
        )
    }
}

impl std::error::Error for FolderError {}

/// Loads the document `rel` from both folders, for comparing it (or showing the
/// two versions side by side with [`disagreements`]). Refuses, with the reasons,
/// when a copy cannot be read, its annotation file is damaged or newer, or the
/// two source texts differ.
pub fn load_pair(a: &Path, b: &Path, rel: &str) -> Result<(LoadedDoc, LoadedDoc), Vec<Warning>> {
    let mut warnings = Vec::new();
    let mut load = |root: &Path, side: &str| {
        let reason = match corpus::load(root, rel) {
            Ok(l) => match &l.read_only {
                Some(why) => why.clone(),
                None => return Some(l),
            },
            Err(e) => e.to_string(),
        };
        warnings.push(Warning::Unreadable {
            path: rel.to_owned(),
            side: side.to_owned(),
            reason,
        });
        None
    };
    let (da, db) = (load(a, "A"), load(b, "B"));
    match (da, db) {
        (Some(da), Some(db)) if da.doc.hash == db.doc.hash => Ok((da, db)),
        (Some(_), Some(_)) => Err(vec![Warning::TextDiffers { path: rel.to_owned() }]),
        _ => Err(warnings),
    }
}

/// Compares two copies of a corpus annotated by two people: documents are
/// paired by relative path; those in one folder only, those whose source text
/// differs and those that cannot be read are skipped with a warning. Fails only
/// when a folder cannot be listed.
pub fn compare_folders(a: &Path, b: &Path) -> Result<AgreementReport, FolderError> {
    let list = |root: &Path| {
        corpus::scan(root).map_err(|error| FolderError {
            path: root.to_path_buf(),
            error,
        })
    };
    let (la, lb) = (list(a)?, list(b)?);
    let in_b: BTreeSet<&str> = lb.iter().map(|e| e.rel.as_str()).collect();
    let in_a: BTreeSet<&str> = la.iter().map(|e| e.rel.as_str()).collect();
    let mut warnings = Vec::new();
    let mut docs = Vec::new();
    for entry in &la {
        let rel = entry.rel.as_str();
        if !in_b.contains(rel) {
            warnings.push(Warning::OnlyInA { path: rel.to_owned() });
            continue;
        }
        let (da, db) = match load_pair(a, b, rel) {
            Ok(pair) => pair,
            Err(why) => {
                warnings.extend(why);
                continue;
            }
        };
        for (side, l) in [("A", &da), ("B", &db)] {
            let count = l.data.annotations.iter().filter(|x| x.orphaned).count();
            if count > 0 {
                warnings.push(Warning::Orphaned {
                    path: rel.to_owned(),
                    side: side.to_owned(),
                    count,
                });
            }
        }
        docs.push((rel.to_owned(), compare_document(&da.doc, &da.data, &db.data)));
    }
    for entry in &lb {
        if !in_a.contains(entry.rel.as_str()) {
            warnings.push(Warning::OnlyInB {
                path: entry.rel.clone(),
            });
        }
    }
    Ok(AgreementReport::from_documents(
        a.display().to_string(),
        b.display().to_string(),
        docs,
        warnings,
    ))
}
