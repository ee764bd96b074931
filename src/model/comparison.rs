//! The claims comparison: every proposition with what each source says of it,
//! the figure read from each claim, and whether the sources disagree.
//!
//! A claim's value is, in order of trust: the analyst's correction (saved in
//! the claim), a NUMBER entity inside the claim read with the words around it,
//! or the first figure the quantity reader finds in the claim's text. Its event
//! time and place are the DATE and PLACE entities inside it. A proposition is
//! contested when two of its figures (same rate) cannot both be true, when one
//! source asserts what another denies, or when a `contradicts` relation joins
//! two of its claims. Built off the UI thread; see docs/claims.md.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::annotation::{Annotation, Kind, Speaker, Stance};
use super::document::{DocAnnotations, DocMeta};
use super::quantity::{self, Quantity};

/// Where a claim's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueFrom {
    /// The analyst typed it.
    Analyst,
    /// A NUMBER entity inside the claim.
    Entity,
    /// Read from the claim's words.
    Text,
}

impl ValueFrom {
    /// How the value was found, in words.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueFrom::Analyst => "set by the analyst",
            ValueFrom::Entity => "read from its NUMBER entity",
            ValueFrom::Text => "read from the text",
        }
    }
}

/// One claim as the comparison shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimCell {
    /// Its document.
    pub doc: Arc<str>,
    /// The claim's id.
    pub id: super::AnnId,
    /// The claim's text.
    pub quote: String,
    /// Where it starts (code points), for ordering within a document.
    pub start: usize,
    /// The stance.
    pub stance: Stance,
    /// Who makes it: the speaker entity's text, "author", or empty.
    pub speaker: String,
    /// The document's outlet, or empty.
    pub outlet: Arc<str>,
    /// The document's publication date as recorded (ISO `YYYY-MM-DD` sorts), or empty.
    pub published: Arc<str>,
    /// The document's title, or empty.
    pub title: Arc<str>,
    /// The claim's label.
    pub label: String,
    /// The proposition key.
    pub proposition: Option<String>,
    /// The figure it states.
    pub value: Option<Quantity>,
    /// Where the figure was found.
    pub value_from: Option<ValueFrom>,
    /// When the event it reports happened, from a DATE entity inside it.
    pub when: Option<String>,
    /// Where, from a PLACE entity inside it.
    pub place: Option<String>,
    /// Canonical ids (or lower-cased texts) of the entities inside it.
    pub entities: Vec<String>,
    /// Its content words, hashed, for telling which claims look alike.
    pub words: Vec<u64>,
}

impl ClaimCell {
    /// "Outlet, date" or the document's name: how a source is named in a column.
    pub fn source(&self) -> String {
        match (self.outlet.is_empty(), self.published.is_empty()) {
            (false, false) => format!("{}, {}", self.outlet, self.published),
            (false, true) => self.outlet.to_string(),
            (true, false) => format!("{}, {}", self.doc, self.published),
            (true, true) => self.doc.to_string(),
        }
    }
}

/// One proposition and its claims.
#[derive(Clone, Debug, PartialEq)]
pub struct PropositionRow {
    /// The key.
    pub key: String,
    /// Its claims, by publication date, then document and position.
    pub claims: Vec<Arc<ClaimCell>>,
    /// Why the sources disagree; empty when they do not.
    pub contested: Vec<String>,
    /// The span of every value's interval, for a shared axis: (low, high).
    pub axis: Option<(f64, f64)>,
}

impl PropositionRow {
    /// True when the sources disagree.
    pub fn is_contested(&self) -> bool {
        !self.contested.is_empty()
    }
}

/// A claim without a proposition that looks like one that has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The claim.
    pub claim: Arc<ClaimCell>,
    /// The proposition it looks like.
    pub key: String,
    /// Why, in words ("same figure", "shares North Korea, China").
    pub why: String,
}

/// A claim named by (document, id).
pub type ClaimRef = (String, String);

/// For each claim by (document, id), borrowed, the claims it is marked as
/// contradicting.
type Partners<'a> = HashMap<(&'a str, &'a str), Vec<(&'a str, &'a str)>>;

/// The whole comparison.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// Propositions, by key.
    pub propositions: Vec<PropositionRow>,
    /// Claims without a proposition.
    pub ungrouped: Vec<Arc<ClaimCell>>,
    /// Ungrouped claims offered for grouping.
    pub suggestions: Vec<Suggestion>,
}

const NUMBER_LABELS: &[&str] = &["NUMBER", "CARDINAL", "QUANTITY", "MONEY", "PERCENT"];
const DATE_LABELS: &[&str] = &["DATE", "TIME"];
const PLACE_LABELS: &[&str] = &["PLACE", "LOC", "LOCATION", "GPE"];

/// The figure of a claim and where it came from (see the module notes).
pub fn value_of(claim: &Annotation, inside: &[&Annotation]) -> Option<(Quantity, ValueFrom)> {
    if let Kind::Claim(c) = &claim.kind
        && let Some(v) = &c.value
    {
        return Some((v.clone(), ValueFrom::Analyst));
    }
    let start = claim.extent().start;
    let in_text = quantity::read_all(&claim.quote);
    if let Some(e) = inside.iter().find(|e| NUMBER_LABELS.contains(&e.label.as_str())) {
        // The figure the reader finds where the entity is, with its qualifiers
        // ("at least" before it, a noun after it); else the entity's text alone.
        let at = byte_of(&claim.quote, e.extent().start.saturating_sub(start));
        let mut q = in_text
            .iter()
            .find(|f| f.range.contains(&at))
            .map(|f| f.value.clone())
            .or_else(|| quantity::read(&e.quote).map(|f| f.value))?;
        match e.attributes.get("approx").map(String::as_str) {
            Some("at least") | Some("more than") => q.high = None,
            Some("about") => q.approximate = true,
            Some("exact") => q.approximate = false,
            _ => {}
        }
        return Some((q, ValueFrom::Entity));
    }
    in_text.into_iter().next().map(|f| (f.value, ValueFrom::Text))
}

fn byte_of(text: &str, cp: usize) -> usize {
    text.char_indices().nth(cp).map_or(text.len(), |(b, _)| b)
}

/// The entities inside a claim's extent (same document), in text order.
fn inside<'a>(data: &'a DocAnnotations, claim: &Annotation) -> Vec<&'a Annotation> {
    let e = claim.extent();
    // Annotations are sorted by start: the ones starting inside the claim follow
    // the first one starting at or after its start.
    let from = data.annotations.partition_point(|a| a.extent().start < e.start);
    data.annotations[from..]
        .iter()
        .take_while(|a| a.extent().start < e.end)
        .filter(|a| !a.kind.is_claim() && a.extent().end <= e.end)
        .collect()
}

/// What every cell of one document shares: its name and where it was
/// published, held once for all of them.
#[derive(Clone, Debug)]
pub struct CellSource {
    doc: Arc<str>,
    outlet: Arc<str>,
    published: Arc<str>,
    title: Arc<str>,
}

impl CellSource {
    /// The source of document `doc` with metadata `meta`.
    pub fn new(doc: &str, meta: &DocMeta) -> Self {
        Self {
            doc: doc.into(),
            outlet: meta.outlet.as_str().into(),
            published: meta.published.as_str().into(),
            title: meta.title.as_str().into(),
        }
    }
}

/// One claim's cell.
pub fn cell(src: &CellSource, data: &DocAnnotations, a: &Annotation) -> Option<ClaimCell> {
    let Kind::Claim(c) = &a.kind else { return None };
    let inner = inside(data, a);
    let first = |labels: &[&str]| {
        inner
            .iter()
            .find(|e| labels.contains(&e.label.as_str()))
            .map(|e| e.quote.to_string())
    };
    let (value, value_from) = match value_of(a, &inner) {
        Some((v, from)) => (Some(v), Some(from)),
        None => (None, None),
    };
    let speaker = match &c.speaker {
        Speaker::Unknown => String::new(),
        Speaker::Author => "author".to_owned(),
        Speaker::Entity(id) => data.get(id).map(|e| e.quote.to_string()).unwrap_or_default(),
    };
    Some(ClaimCell {
        doc: src.doc.clone(),
        id: a.id.clone(),
        quote: a.quote.to_string(),
        start: a.extent().start,
        stance: c.stance,
        speaker,
        outlet: src.outlet.clone(),
        published: src.published.clone(),
        title: src.title.clone(),
        label: a.label.to_string(),
        proposition: c.proposition.clone(),
        value,
        value_from,
        when: first(DATE_LABELS),
        place: first(PLACE_LABELS),
        entities: inner
            .iter()
            .filter(|e| !NUMBER_LABELS.contains(&e.label.as_str()))
            .map(|e| {
                e.canonical()
                    .map_or_else(|| super::index::normalise(&e.quote), str::to_owned)
            })
            .collect(),
        words: words(&a.quote),
    })
}

/// Every claim of a document as cells.
pub fn cells_of(doc: &str, data: &DocAnnotations) -> Vec<Arc<ClaimCell>> {
    let src = CellSource::new(doc, &data.meta);
    data.annotations
        .iter()
        .filter_map(|a| cell(&src, data, a).map(Arc::new))
        .collect()
}

/// Builds the comparison from the cells of every document and the
/// `contradicts` relations between claims ((doc, id) pairs).
pub fn build(cells: Vec<Arc<ClaimCell>>, contradicts: &[(ClaimRef, ClaimRef)]) -> Comparison {
    let mut groups: BTreeMap<String, Vec<Arc<ClaimCell>>> = BTreeMap::new();
    let mut ungrouped = Vec::new();
    for c in cells {
        match c.proposition.clone() {
            Some(k) if !k.trim().is_empty() => groups.entry(k).or_default().push(c),
            _ => ungrouped.push(c),
        }
    }
    let mut contra: Partners<'_> = HashMap::new();
    for ((ad, ai), (bd, bi)) in contradicts {
        let (a, b) = ((ad.as_str(), ai.as_str()), (bd.as_str(), bi.as_str()));
        contra.entry(a).or_default().push(b);
        contra.entry(b).or_default().push(a);
    }
    let propositions: Vec<PropositionRow> = groups
        .into_iter()
        .map(|(key, mut claims)| {
            claims.sort_by(|a, b| {
                (a.published.is_empty(), &a.published, &a.doc, a.start).cmp(&(
                    b.published.is_empty(),
                    &b.published,
                    &b.doc,
                    b.start,
                ))
            });
            let contested = disagreements(&claims, &contra);
            let axis = axis(&claims);
            PropositionRow {
                key,
                claims,
                contested,
                axis,
            }
        })
        .collect();
    let suggestions = suggest(&propositions, &ungrouped);
    Comparison {
        propositions,
        ungrouped,
        suggestions,
    }
}

/// Why the claims of one proposition disagree.
fn disagreements(claims: &[Arc<ClaimCell>], contra: &Partners<'_>) -> Vec<String> {
    let mut why = Vec::new();
    let valued: Vec<(&ClaimCell, &Quantity)> = claims
        .iter()
        .filter_map(|c| Some((&**c, c.value.as_ref()?)))
        .collect();
    'figures: for (i, (a, qa)) in valued.iter().enumerate() {
        for (b, qb) in &valued[i + 1..] {
            if a.doc != b.doc && qa.rate == qb.rate && !qa.overlaps(qb) {
                why.push(format!(
                    "{} says {}, {} says {}",
                    a.source(),
                    qa.display(),
                    b.source(),
                    qb.display()
                ));
                break 'figures;
            }
        }
    }
    let stances: HashMap<Stance, &ClaimCell> = claims.iter().map(|c| (c.stance, &**c)).collect();
    if let (Some(a), Some(d)) = (stances.get(&Stance::Asserts), stances.get(&Stance::Denies)) {
        why.push(format!("{} asserts it, {} denies it", a.source(), d.source()));
    }
    // Through each claim's partners, not every pair of claims: a proposition
    // can hold hundreds of claims, and few of them are related.
    if !contra.is_empty() {
        let here: HashMap<(&str, &str), usize> = claims
            .iter()
            .enumerate()
            .map(|(i, c)| ((&*c.doc, c.id.as_str()), i))
            .collect();
        let first = claims
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let partners = contra.get(&(&*c.doc, c.id.as_str()))?;
                let j = partners
                    .iter()
                    .filter_map(|p| here.get(p))
                    .copied()
                    .filter(|&j| j > i)
                    .min()?;
                Some((i, j))
            })
            .next();
        if let Some((i, j)) = first {
            why.push(format!(
                "marked as contradicting: {} and {}",
                claims[i].source(),
                claims[j].source()
            ));
        }
    }
    why
}

/// The range a shared axis must show: every closed bound, and room for open ones.
fn axis(claims: &[Arc<ClaimCell>]) -> Option<(f64, f64)> {
    let bounds: Vec<f64> = claims
        .iter()
        .filter_map(|c| c.value.as_ref())
        .flat_map(|q| [q.low, q.high])
        .flatten()
        .collect();
    let lo = bounds.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = bounds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return None;
    }
    // Open sides and a lone point need room to show as such.
    let pad = ((hi - lo) * 0.25).max(hi.abs() * 0.1).max(1.0);
    Some(((lo - pad).max(0.0).min(lo), hi + pad))
}

/// Content words of a text, hashed, each once: what likeness between claims is
/// counted in.
fn words(text: &str) -> Vec<u64> {
    const STOP: [&str; 31] = [
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "that",
        "this", "were", "was", "are", "is", "be", "been", "had", "has", "have", "their", "they", "it", "its",
        "as", "said",
    ];
    let mut lower = String::new();
    let mut out: Vec<u64> = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2) {
        lower.clear();
        if w.is_ascii() {
            lower.push_str(w);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(w.chars().flat_map(char::to_lowercase));
        }
        if lower.len() <= 5 && STOP.contains(&lower.as_str()) {
            continue;
        }
        out.push(fnv1a(lower.as_bytes()));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// FNV-1a: a fixed hash, so a word hashes the same in every document and run,
/// and cheaper on short words than the standard library's.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A word found in the claims of more propositions than this is not counted
/// towards likeness.
const COMMON_WORD: usize = 8;
/// At most this many suggestions are made (a view shows far fewer).
const MAX_SUGGESTIONS: usize = 500;

/// Ungrouped claims that share a figure, entities or words with a proposition's
/// claims, each with the best proposition and why. Propositions are found
/// through maps from units, entities and words to keys, so the cost follows the
/// number of claims, not their product.
fn suggest(propositions: &[PropositionRow], ungrouped: &[Arc<ClaimCell>]) -> Vec<Suggestion> {
    let mut by_unit: HashMap<String, HashSet<usize>> = HashMap::new();
    let mut by_entity: HashMap<&str, HashSet<usize>> = HashMap::new();
    let mut by_word: HashMap<u64, HashSet<usize>> = HashMap::new();
    let mut word_count: Vec<usize> = Vec::with_capacity(propositions.len());
    for (k, p) in propositions.iter().enumerate() {
        let mut all = HashSet::new();
        for c in &p.claims {
            if let Some(v) = &c.value
                && !v.unit.is_empty()
            {
                by_unit.entry(v.unit.to_lowercase()).or_default().insert(k);
            }
            for e in &c.entities {
                by_entity.entry(e.as_str()).or_default().insert(k);
            }
            all.extend(c.words.iter().copied());
        }
        word_count.push(all.len());
        for w in all {
            by_word.entry(w).or_default().insert(k);
        }
    }
    let mut out = Vec::new();
    for c in ungrouped {
        if out.len() == MAX_SUGGESTIONS {
            break;
        }
        // key → (score, reasons)
        let mut score: HashMap<usize, (f64, Vec<String>)> = HashMap::new();
        if let Some(v) = &c.value
            && let Some(keys) = by_unit.get(&v.unit.to_lowercase())
        {
            for &k in keys {
                let e = score.entry(k).or_default();
                e.0 += 1.0;
                e.1.push(format!("counts {} too", v.unit));
            }
        }
        for ent in &c.entities {
            for &k in by_entity.get(ent.as_str()).into_iter().flatten() {
                let e = score.entry(k).or_default();
                e.0 += 0.5;
                e.1.push(format!("mentions {ent}"));
            }
        }
        let mine = &c.words;
        let mut common: HashMap<usize, usize> = HashMap::new();
        for w in mine {
            // A word most propositions use tells none of them apart.
            let Some(keys) = by_word.get(w).filter(|k| k.len() <= COMMON_WORD) else {
                continue;
            };
            for &k in keys {
                *common.entry(k).or_default() += 1;
            }
        }
        for (k, n) in common {
            let jaccard = n as f64 / (mine.len() + word_count[k] - n).max(1) as f64;
            if jaccard >= 0.2 {
                let e = score.entry(k).or_default();
                e.0 += jaccard * 2.0;
                e.1.push(format!("{n} words in common"));
            }
        }
        let best = score
            .into_iter()
            // Many shared words alone (a third of them) are enough to offer.
            .filter(|(_, (s, _))| *s >= 0.6)
            .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.0.cmp(&a.0)));
        if let Some((k, (_, why))) = best {
            out.push(Suggestion {
                claim: c.clone(),
                key: propositions[k].key.clone(),
                why: why.join("; "),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Claim, Document, Span};

    /// A document whose text is `text`, with a claim over all of it and the
    /// entities given as (label, text) inside it.
    fn doc(
        path: &str,
        text: &str,
        key: Option<&str>,
        stance: Stance,
        entities: &[(&str, &str)],
    ) -> DocAnnotations {
        let d = Document::new(path, text.to_owned());
        let mut data = DocAnnotations::default();
        let claim = Kind::Claim(Box::new(Claim {
            proposition: key.map(str::to_owned),
            stance,
            ..Default::default()
        }));
        data.annotations
            .push(d.annotate(vec![Span::new(0, d.len_chars())], "CLAIM", claim, "t"));
        for (label, needle) in entities {
            let at = text.find(needle).expect("the entity's text");
            let start = text[..at].chars().count();
            let span = Span::new(start, start + needle.chars().count());
            data.annotations
                .push(d.annotate(vec![span], label, Kind::entity(), "t"));
        }
        data.sort();
        data
    }

    fn compare(docs: &[(&str, DocAnnotations)]) -> Comparison {
        let cells = docs.iter().flat_map(|(p, d)| cells_of(p, d)).collect();
        build(cells, &[])
    }

    #[test]
    fn figures_that_cannot_all_be_true_make_a_proposition_contested() {
        let c = compare(&[
            (
                "a.txt",
                doc(
                    "a.txt",
                    "At least 41 refugees had fled",
                    Some("detained"),
                    Stance::Asserts,
                    &[],
                ),
            ),
            (
                "b.txt",
                doc(
                    "b.txt",
                    "China eventually arrested 31 refugees",
                    Some("detained"),
                    Stance::Asserts,
                    &[],
                ),
            ),
            (
                "c.txt",
                doc(
                    "c.txt",
                    "The 30-plus group were detained",
                    Some("detained"),
                    Stance::Asserts,
                    &[],
                ),
            ),
        ]);
        let p = &c.propositions[0];
        assert_eq!(p.claims.len(), 3);
        assert!(p.is_contested(), "{p:?}");
        assert!(p.contested[0].contains("≥ 41"), "{:?}", p.contested);
        let (lo, hi) = p.axis.unwrap();
        assert!(lo <= 30.0 && hi > 41.0);
    }

    #[test]
    fn overlapping_figures_and_one_stance_agree() {
        let c = compare(&[
            (
                "a.txt",
                doc(
                    "a.txt",
                    "The 30-plus group were detained",
                    Some("k"),
                    Stance::Asserts,
                    &[],
                ),
            ),
            (
                "b.txt",
                doc(
                    "b.txt",
                    "China eventually arrested 31 refugees",
                    Some("k"),
                    Stance::Reports,
                    &[],
                ),
            ),
        ]);
        assert!(!c.propositions[0].is_contested());
    }

    #[test]
    fn a_contradicts_relation_within_a_proposition_makes_it_contested() {
        let docs = [
            (
                "a.txt",
                doc("a.txt", "China repatriates them", Some("k"), Stance::Asserts, &[]),
            ),
            (
                "b.txt",
                doc("b.txt", "China sends them back", Some("k"), Stance::Reports, &[]),
            ),
            (
                "c.txt",
                doc(
                    "c.txt",
                    "Russia lets them stay",
                    Some("other"),
                    Stance::Asserts,
                    &[],
                ),
            ),
        ];
        let id = |i: usize| (docs[i].0.to_owned(), docs[i].1.annotations[0].id.to_string());
        let cells: Vec<_> = docs.iter().flat_map(|(p, d)| cells_of(p, d)).collect();
        let c = build(cells.clone(), &[(id(1), id(0))]);
        let k = c.propositions.iter().find(|p| p.key == "k").unwrap();
        assert_eq!(k.contested, ["marked as contradicting: a.txt and b.txt"]);
        // A relation to a claim of another proposition does not contest either.
        let c = build(cells, &[(id(0), id(2))]);
        assert!(c.propositions.iter().all(|p| !p.is_contested()), "{c:?}");
    }

    #[test]
    fn asserting_and_denying_is_contested() {
        let c = compare(&[
            (
                "a.txt",
                doc("a.txt", "China repatriates them", Some("k"), Stance::Asserts, &[]),
            ),
            (
                "b.txt",
                doc("b.txt", "China repatriates them", Some("k"), Stance::Denies, &[]),
            ),
        ]);
        assert!(c.propositions[0].contested[0].contains("denies"));
    }

    #[test]
    fn a_number_entity_and_the_analyst_come_before_the_text() {
        let d = doc(
            "a.txt",
            "Of 9 groups, at least 41 refugees were held in Shenyang in 2012",
            Some("k"),
            Stance::Asserts,
            &[("NUMBER", "41"), ("PLACE", "Shenyang"), ("DATE", "2012")],
        );
        let cell = &cells_of("a.txt", &d)[0];
        assert_eq!(cell.value_from, Some(ValueFrom::Entity));
        assert_eq!(
            cell.value.as_ref().map(|v| (v.low, v.high)),
            Some((Some(41.0), None))
        );
        assert_eq!(cell.place.as_deref(), Some("Shenyang"));
        assert_eq!(cell.when.as_deref(), Some("2012"));
        let mut corrected = d.clone();
        let claim = corrected
            .annotations
            .iter_mut()
            .find(|a| a.kind.is_claim())
            .unwrap();
        if let Kind::Claim(c) = &mut claim.kind {
            c.value = Some(Quantity::exact(40.0));
        }
        let cell = &cells_of("a.txt", &corrected)[0];
        assert_eq!(cell.value_from, Some(ValueFrom::Analyst));
        assert_eq!(cell.value, Some(Quantity::exact(40.0)));
    }

    #[test]
    fn claims_like_a_proposition_are_offered_for_it() {
        let c = compare(&[
            (
                "a.txt",
                doc(
                    "a.txt",
                    "China arrested 31 refugees in Shenyang",
                    Some("arrests"),
                    Stance::Asserts,
                    &[],
                ),
            ),
            (
                "b.txt",
                doc(
                    "b.txt",
                    "Police arrested 29 refugees near Shenyang",
                    None,
                    Stance::Asserts,
                    &[],
                ),
            ),
            (
                "c.txt",
                doc("c.txt", "The weather was cold", None, Stance::Asserts, &[]),
            ),
        ]);
        assert_eq!(c.ungrouped.len(), 2);
        assert_eq!(c.suggestions.len(), 1);
        assert_eq!(c.suggestions[0].key, "arrests");
        assert_eq!(&*c.suggestions[0].claim.doc, "b.txt");
    }
}
