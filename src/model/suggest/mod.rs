//! Suggestions: annotations proposed from the analyst's own tags, from
//! detectors that need no tags, and from the corpus gazetteer.
//!
//! A suggestion is never an annotation: it is not written to the sidecar or
//! exported. Accepting one makes an ordinary annotation that records its
//! [`Origin`]. Everything here is pure: the corpus's annotations, the
//! rejections and the gazetteer come in, suggestions go out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::annotation::{AnnId, Annotation, Span, Stance};
use super::document::Document;
use super::tagset::{LabelKind, TagSet};

mod dates;
mod detectors;
pub mod gazetteer;
mod learner;
mod matcher;
pub mod rejections;
mod tokens;

pub use gazetteer::{Gazetteer, GazetteerEntry, GazetteerError};
pub use rejections::{Rejection, Rejections};

/// Where a suggestion, and the annotation made by accepting it, came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// The same string (or a variant of it) was tagged before.
    Matcher,
    /// The statistical learner trained on the analyst's tags.
    Learner,
    /// A detector that needs no tags: figures, dates, claim cues.
    Detector,
    /// An entry of the corpus gazetteer.
    Gazetteer,
}

impl Origin {
    /// Every origin, in display order.
    pub const ALL: [Origin; 4] = [
        Origin::Matcher,
        Origin::Learner,
        Origin::Detector,
        Origin::Gazetteer,
    ];

    /// Lower-case name used in the sidecar, exports, the command line and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Matcher => "matcher",
            Origin::Learner => "learner",
            Origin::Detector => "detector",
            Origin::Gazetteer => "gazetteer",
        }
    }

    /// Parses [`Origin::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a claim-cue suggestion proposes beyond its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimHint {
    /// The cue words ("said", "according to").
    pub cue: Span,
    /// The existing entity annotation that is the subject of the cue, if any.
    pub speaker: Option<AnnId>,
    /// The stance the cue implies ("denied" → denies, "according to" → reports).
    pub stance: Stance,
}

/// One proposed annotation in one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// Where, in code points of the document's text, on word boundaries.
    pub span: Span,
    /// The label it proposes (from the tag set).
    pub label: CompactString,
    /// How sure: 0.0 to 1.0.
    pub score: f32,
    /// Which source proposed it.
    pub origin: Origin,
    /// The canonical id to give the entity (gazetteer, or learned from earlier tags).
    pub canonical: Option<Arc<str>>,
    /// For a proposed claim: its cue, speaker and stance. `None` for entities.
    pub claim: Option<Box<ClaimHint>>,
}

/// Which origins are shown and computed (the View menu's toggles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled {
    /// Matches of strings tagged before.
    pub matcher: bool,
    /// The learner's proposals.
    pub learner: bool,
    /// Figures, dates and claim cues.
    pub detector: bool,
    /// Gazetteer entries.
    pub gazetteer: bool,
}

impl Default for Enabled {
    fn default() -> Self {
        Self {
            matcher: true,
            learner: true,
            detector: true,
            gazetteer: true,
        }
    }
}

impl Enabled {
    /// True when suggestions of `origin` are on.
    pub fn allows(&self, origin: Origin) -> bool {
        match origin {
            Origin::Matcher => self.matcher,
            Origin::Learner => self.learner,
            Origin::Detector => self.detector,
            Origin::Gazetteer => self.gazetteer,
        }
    }
}

/// What was learned from a corpus: the strings tagged and how, the gazetteer,
/// and which labels of the tag set the detectors propose. Built off the UI
/// thread and shared read-only (in an `Arc`) with every `suggest` call.
#[derive(Clone, Debug, Default)]
pub struct Learned {
    /// Tagged strings, their variants and the gazetteer.
    strings: matcher::Strings,
    /// Entity labels of the tag set; nothing else is ever proposed by the matcher.
    entity_labels: Vec<CompactString>,
    /// How many tags it learned from.
    tags: usize,
    /// The statistical tagger; `None` until enough tags were given. Shared
    /// by the copies [`Learned::with_doc`] makes, and the key of the tags
    /// [`Prepared`] keeps.
    learner: Option<Arc<learner::Perceptron>>,
    /// The labels the detectors propose.
    detect: detectors::Labels,
    /// The tags learned from each document, by path: what
    /// [`Learned::with_doc`] compares a document's annotations with.
    by_doc: Arc<HashMap<String, Vec<Tag>>>,
    /// The learner's proposals for one document made when learning (see
    /// [`Learned::tag_ahead`]): its path, its text's length, the proposals.
    ahead: Option<(String, usize, Arc<Vec<Proposal>>)>,
}

/// One tag as the matcher learns it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Tag {
    text: String,
    label: CompactString,
    canonical: Option<String>,
}

impl Learned {
    /// Learns from every document's annotations (all documents of the corpus,
    /// including the open one). Only entity annotations with one span and a
    /// label of `tagset` are learned from; gazetteer entries whose label is not
    /// in the tag set are left out. The learner trains on the documents'
    /// words up to each one's last tag, and only once there are
    /// [`MIN_LEARNER_TAGS`] tags. Rejections are applied when suggesting, not
    /// here, so rejecting needs no new `learn`.
    pub fn learn<'a>(
        docs: impl IntoIterator<Item = (&'a Document, &'a [Annotation])>,
        tagset: &TagSet,
        rejections: &Rejections,
        gazetteer: &Gazetteer,
    ) -> Learned {
        Self::learn_pausing(docs, tagset, rejections, gazetteer, &|| {})
    }

    /// [`Learned::learn`], calling `pause` between documents and every few
    /// hundred sentences of training; `pause` returns when learning may go on.
    /// The workspace holds learning there while the suggestions the analyst
    /// waits for are made, so that the two do not share the processor.
    pub fn learn_pausing<'a>(
        docs: impl IntoIterator<Item = (&'a Document, &'a [Annotation])>,
        tagset: &TagSet,
        rejections: &Rejections,
        gazetteer: &Gazetteer,
        pause: &dyn Fn(),
    ) -> Learned {
        let _ = rejections;
        let mut training = Vec::new();
        let entity_labels: Vec<CompactString> = tagset
            .labels
            .iter()
            .filter(|l| l.kind == LabelKind::Entity)
            .map(|l| CompactString::from(l.name.as_str()))
            .collect();
        let mut out = Learned {
            entity_labels,
            ..Learned::default()
        };
        let mut by_doc = HashMap::new();
        for (doc, anns) in docs {
            pause();
            let mut spans = Vec::new();
            let mut tags = Vec::new();
            for (span, tag) in out.tags_of(doc, anns) {
                out.strings.learn(&tag.text, &tag.label, tag.canonical.as_deref());
                out.tags += 1;
                spans.push((span, tag.label.clone()));
                tags.push(tag);
            }
            tags.sort_unstable();
            by_doc.insert(doc.path.clone(), tags);
            if !spans.is_empty() {
                training.push((doc.text.as_str(), tokens::tokenize(&doc.text), spans));
            }
        }
        out.by_doc = Arc::new(by_doc);
        pause();
        out.count_untagged(&training);
        out.learner = learner::Perceptron::train_pausing(&out.entity_labels, &training, pause).map(Arc::new);
        out.detect = detectors::Labels::of(tagset);
        for e in &gazetteer.entries {
            if out.is_entity_label(&e.label) {
                out.strings
                    .learn_gazetteer(&e.text, &e.label, e.canonical.as_deref());
            }
        }
        out
    }

    /// Counts, for each tagged string, the times it occurs untagged where the
    /// analysts have read: in an annotated document, before its last tag, on
    /// words no annotation covers. Such an occurrence is a decision against
    /// the label, and lowers its share.
    fn count_untagged(&mut self, training: &[learner::TrainingDoc<'_>]) {
        let exact = matcher::MatchOptions {
            matcher: true,
            gazetteer: false,
            variants: false,
            untagged: false,
        };
        for (_, toks, spans) in training {
            let reach = spans.iter().map(|(s, _)| s.end).max().unwrap_or(0);
            let read = toks.partition_point(|t| t.span.end <= reach);
            let mut found = Vec::new();
            matcher::find(
                &self.strings,
                &toks[..read],
                &mut tokens::HashKeyed::default(),
                exact,
                &mut found,
            );
            for f in found {
                if spans.iter().any(|(c, _)| c.overlaps(&f.span)) {
                    continue;
                }
                let (a, b) = (
                    toks.partition_point(|t| t.span.start < f.span.start),
                    toks.partition_point(|t| t.span.end <= f.span.end),
                );
                if let Some(k) = tokens::keys_of(&toks[a..b])
                    && let Some(e) = self.strings.get_mut(k.lower)
                {
                    e.untagged += 1;
                }
            }
        }
    }

    /// The annotations of `doc` the matcher learns from: entities with one
    /// span in range and a label of the tag set.
    fn tags_of(&self, doc: &Document, anns: &[Annotation]) -> Vec<(Span, Tag)> {
        anns.iter()
            .filter(|a| self.learns_from(doc, a))
            .map(|a| {
                let tag = Tag {
                    text: doc.slice(a.spans[0]).to_owned(),
                    label: a.label.clone(),
                    canonical: a.canonical().map(str::to_owned),
                };
                (a.spans[0], tag)
            })
            .collect()
    }

    /// Runs the learner over `doc` now, on the thread that learned, so that
    /// the first suggestions made from this learning for `doc` need not.
    pub fn tag_ahead(&mut self, doc: &Document) {
        if let Some(p) = &self.learner {
            let mut found = Vec::new();
            p.tag(&doc.text, &tokens::tokenize(&doc.text), &mut found);
            self.ahead = Some((doc.path.clone(), doc.text.len(), Arc::new(found)));
        }
    }

    fn learns_from(&self, doc: &Document, a: &Annotation) -> bool {
        !a.orphaned
            && a.spans.len() == 1
            && self.is_entity_label(&a.label)
            && a.claim().is_none()
            && doc.spans_in_range(&a.spans)
    }

    /// What was learned, brought up to date with `doc`'s `annotations` as
    /// they are now: the tags added to the document since learning are
    /// learned and the ones removed unlearned, so a new tag's other mentions
    /// are proposed at once. The rest (the learner, and how often strings
    /// were left untagged) waits for the next [`Learned::learn`]. Borrowed
    /// when nothing changed.
    pub fn with_doc(&self, doc: &Document, annotations: &[Annotation]) -> Cow<'_, Learned> {
        type View<'a> = (&'a str, &'a str, Option<&'a str>);
        // Compared as borrowed text: nothing is copied unless something changed.
        let mut now: Vec<View<'_>> = annotations
            .iter()
            .filter(|a| self.learns_from(doc, a))
            .map(|a| (doc.slice(a.spans[0]), a.label.as_str(), a.canonical()))
            .collect();
        now.sort_unstable();
        // Kept sorted when learned.
        let before: Vec<View<'_>> = self.by_doc.get(&doc.path).map_or_else(Vec::new, |v| {
            v.iter()
                .map(|t| (t.text.as_str(), t.label.as_str(), t.canonical.as_deref()))
                .collect()
        });
        if now == before {
            return Cow::Borrowed(self);
        }
        let mut out = self.clone();
        let (mut i, mut j) = (0, 0);
        let label = CompactString::from;
        while i < now.len() || j < before.len() {
            match (now.get(i), before.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if b < a => {
                    out.strings.unlearn(b.0, &label(b.1), b.2);
                    out.tags = out.tags.saturating_sub(1);
                    j += 1;
                }
                (Some(a), _) => {
                    out.strings.learn(a.0, &label(a.1), a.2);
                    out.tags += 1;
                    i += 1;
                }
                (None, Some(b)) => {
                    out.strings.unlearn(b.0, &label(b.1), b.2);
                    out.tags = out.tags.saturating_sub(1);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        Cow::Owned(out)
    }

    fn is_entity_label(&self, label: &str) -> bool {
        self.entity_labels.iter().any(|l| l == label)
    }

    /// How many tags were learned from.
    pub fn tags(&self) -> usize {
        self.tags
    }

    /// How many distinct strings were learned.
    pub fn strings(&self) -> usize {
        self.strings.entries.len()
    }

    /// True when the learner was trained (enough tags were given).
    pub fn has_learner(&self) -> bool {
        self.learner.is_some()
    }
}

/// Fewest tags in the corpus before the statistical learner proposes anything.
pub const MIN_LEARNER_TAGS: usize = learner::MIN_TAGS;

/// How `suggest_with` runs: which origins, and whether the matcher uses variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Which origins to compute.
    pub enabled: Enabled,
    /// Case, possessive, inflection, surname and acronym variants of tagged
    /// strings; off leaves exact string matching alone (for comparison).
    pub variants: bool,
    /// A string's occurrences the analysts read past without tagging lower
    /// its score; off scores by the share of tags alone (as INCEpTION does).
    pub untagged: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            enabled: Enabled::default(),
            variants: true,
            untagged: true,
        }
    }
}

/// Suggestions for one document, sorted by span start, never overlapping an
/// existing annotation of the same label, never a rejected one, only origins
/// `enabled` allows.
pub fn suggest(
    learned: &Learned,
    doc: &Document,
    annotations: &[Annotation],
    rejections: &Rejections,
    enabled: Enabled,
) -> Vec<Suggestion> {
    suggest_with(
        learned,
        doc,
        annotations,
        rejections,
        Options {
            enabled,
            ..Options::default()
        },
    )
}

/// What suggesting needs from a document's text alone: its words, what the
/// detectors find, and what the learner proposes. Tagging never changes a
/// text, so after an edit only the matcher, the claims' speakers and the
/// filters run again (see [`suggest_prepared`]).
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// The text's length in bytes, to notice a text it was not made for.
    len: usize,
    toks: Vec<tokens::Tok>,
    found: Option<(detectors::Labels, detectors::Found)>,
    tagged: Option<(Arc<learner::Perceptron>, Arc<Vec<Proposal>>)>,
    /// The key of the words at each annotated span (see `span_key`).
    span_keys: HashMap<Span, Option<u64>>,
}

/// A learner's proposal: where, which label, how sure.
type Proposal = (Span, CompactString, f32);

impl Prepared {
    /// Splits `doc`'s text into words; the rest is found when first needed.
    pub fn new(doc: &Document) -> Self {
        Self {
            len: doc.text.len(),
            toks: tokens::tokenize(&doc.text),
            found: None,
            tagged: None,
            span_keys: HashMap::new(),
        }
    }
}

/// [`suggest`] with every option.
pub fn suggest_with(
    learned: &Learned,
    doc: &Document,
    annotations: &[Annotation],
    rejections: &Rejections,
    opt: Options,
) -> Vec<Suggestion> {
    suggest_prepared(
        learned,
        &mut Prepared::new(doc),
        doc,
        annotations,
        rejections,
        opt,
    )
}

/// [`suggest_with`] on a text prepared before: `prep` must come from
/// [`Prepared::new`] on `doc`'s text, and keeps what it finds for the next call.
pub fn suggest_prepared(
    learned: &Learned,
    prep: &mut Prepared,
    doc: &Document,
    annotations: &[Annotation],
    rejections: &Rejections,
    opt: Options,
) -> Vec<Suggestion> {
    if prep.len != doc.text.len() {
        *prep = Prepared::new(doc);
    }
    let toks = &prep.toks;
    // Room for a suggestion every few words, so that a busy text is not copied as it grows.
    let mut out = Vec::with_capacity(toks.len() / 4);
    // Strings already tagged in this document, for the variants that follow a full form.
    let mut seen = tokens::HashKeyed::default();
    for a in annotations {
        if let Some(&span) = a.spans.first()
            && doc.spans_in_range(&[span])
            && let Some(k) = *prep
                .span_keys
                .entry(span)
                .or_insert_with(|| span_key(doc, toks, span))
        {
            let at = seen.entry(k).or_insert(span.start);
            *at = (*at).min(span.start);
        }
    }
    let mopt = matcher::MatchOptions {
        matcher: opt.enabled.matcher,
        gazetteer: opt.enabled.gazetteer,
        variants: opt.variants,
        untagged: opt.untagged,
    };
    if mopt.matcher || mopt.gazetteer {
        matcher::find(&learned.strings, toks, &mut seen, mopt, &mut out);
    }
    let learned_from = out.len();
    if opt.enabled.learner
        && let Some(p) = &learned.learner
    {
        if prep.tagged.as_ref().is_none_or(|(q, _)| !Arc::ptr_eq(p, q)) {
            let ahead = learned
                .ahead
                .as_ref()
                .filter(|(path, len, _)| *path == doc.path && *len == doc.text.len())
                .map(|(_, _, f)| f.clone());
            let found = ahead.unwrap_or_else(|| {
                let mut found = Vec::new();
                p.tag(&doc.text, toks, &mut found);
                Arc::new(found)
            });
            prep.tagged = Some((p.clone(), found));
        }
        let found = prep.tagged.as_ref().map_or(&[][..], |(_, f)| f.as_slice());
        // Only what no string match found: a match is the surer proposal.
        let matched: Vec<Span> = out.iter().map(|s| s.span).collect();
        for (span, label, score) in found.iter().cloned() {
            let i = matched.partition_point(|m| m.end <= span.start);
            if matched.get(i).is_some_and(|m| m.overlaps(&span)) {
                continue;
            }
            out.push(Suggestion {
                span,
                label,
                score,
                origin: Origin::Learner,
                canonical: None,
                claim: None,
            });
        }
    }
    if opt.enabled.detector {
        let which = detectors::Which {
            figures: true,
            dates: true,
            claims: true,
        };
        let before = out.len();
        if prep.found.as_ref().is_none_or(|(l, _)| *l != learned.detect) {
            let found = detectors::find(&learned.detect, doc, &prep.toks, which);
            prep.found = Some((learned.detect.clone(), found));
        }
        if let Some((_, found)) = &prep.found {
            detectors::with_speakers(&learned.detect, found, annotations, &mut out);
        }
        // A figure or date the matcher or the learner already proposes with the
        // same label is not proposed twice. Each of the two lists is in text order.
        let (matched, learned) = out[..before].split_at(learned_from);
        let has = |list: &[Suggestion], d: &Suggestion| {
            let i = list.partition_point(|s| s.span.start < d.span.start);
            list[i..]
                .iter()
                .take_while(|s| s.span.start == d.span.start)
                .any(|s| s.span == d.span && s.label == d.label)
        };
        let keep: Vec<bool> = out[before..]
            .iter()
            .map(|d| !has(matched, d) && !has(learned, d))
            .collect();
        let mut k = keep.into_iter();
        let mut i = 0;
        out.retain(|_| {
            i += 1;
            i <= before || k.next().unwrap_or(true)
        });
    }
    out.retain(|s| opt.enabled.allows(s.origin));
    out.sort_by(|a, b| {
        (a.span.start, std::cmp::Reverse(a.span.end), &a.label).cmp(&(
            b.span.start,
            std::cmp::Reverse(b.span.end),
            &b.label,
        ))
    });
    out.dedup_by(|b, a| a.span == b.span && a.label == b.label);
    filter(doc, annotations, rejections, &mut out);
    out
}

/// The lower-case key of the words at `span`, as the matcher learns a string:
/// taken from the words already read when the span holds whole words, read
/// again when it cuts one. `None` for a span longer than any learned string.
fn span_key(doc: &Document, toks: &[tokens::Tok], span: Span) -> Option<u64> {
    let a = toks.partition_point(|t| t.span.start < span.start);
    let mut b = a;
    while b < toks.len() && b - a <= matcher::MAX_WORDS && toks[b].span.end <= span.end {
        b += 1;
    }
    if b > a && toks[a].span.start == span.start && toks[b - 1].span.end == span.end {
        return tokens::keys_of(&toks[a..b]).map(|k| k.lower);
    }
    let words = tokens::tokenize(doc.slice(span));
    (words.len() <= matcher::MAX_WORDS)
        .then(|| tokens::keys_of(&words))
        .flatten()
        .map(|k| k.lower)
}

/// Drops suggestions that overlap an annotation of the same label, that sit
/// exactly on an annotation of any label, or that were rejected; lowers the
/// score of strings rejected elsewhere. `out` is sorted by start.
fn filter(doc: &Document, annotations: &[Annotation], rejections: &Rejections, out: &mut Vec<Suggestion>) {
    // Per label, the union of its annotations' spans as sorted disjoint
    // intervals, so that an overlap is one binary search however long an
    // annotation (a claim) is.
    let mut by_label: Vec<(&str, Vec<Span>)> = Vec::new();
    let mut exact: Vec<Span> = Vec::with_capacity(annotations.len());
    for a in annotations {
        let i = match by_label.iter().position(|(l, _)| *l == a.label.as_str()) {
            Some(i) => i,
            None => {
                by_label.push((a.label.as_str(), Vec::new()));
                by_label.len() - 1
            }
        };
        by_label[i].1.extend(a.spans.iter().copied());
        exact.extend(a.spans.iter().copied());
    }
    exact.sort_unstable();
    for (_, v) in by_label.iter_mut() {
        v.sort_unstable();
        let mut merged: Vec<Span> = Vec::with_capacity(v.len());
        for sp in v.iter() {
            match merged.last_mut() {
                Some(last) if sp.start < last.end => last.end = last.end.max(sp.end),
                _ => merged.push(*sp),
            }
        }
        *v = merged;
    }
    // `out` is in text order, so each list is walked once, its cursor only
    // moving forward.
    let mut at_exact = 0;
    let mut at_label = vec![0usize; by_label.len()];
    out.retain(|s| {
        while exact.get(at_exact).is_some_and(|t| t.start < s.span.start) {
            at_exact += 1;
        }
        if exact[at_exact..]
            .iter()
            .take_while(|t| t.start == s.span.start)
            .any(|t| *t == s.span)
        {
            return false;
        }
        let Some(l) = by_label.iter().position(|(l, _)| *l == s.label.as_str()) else {
            return true;
        };
        let (v, c) = (&by_label[l].1, &mut at_label[l]);
        while v.get(*c).is_some_and(|t| t.end <= s.span.start) {
            *c += 1;
        }
        v.get(*c).is_none_or(|t| t.start >= s.span.end)
    });
    if rejections.is_empty() {
        return;
    }
    // Each rejection in this document takes the suggestion of its label and
    // text with its context, else the nearest one.
    let mut gone = vec![false; out.len()];
    for r in rejections.in_doc(&doc.path) {
        let same: Vec<usize> = (0..out.len())
            .filter(|&i| {
                let s = &out[i];
                s.label == r.label && doc.slice(s.span) == r.quote
            })
            .collect();
        let with_context = || {
            same.iter()
                .copied()
                .filter(|&i| {
                    let (b, a) = rejections::context_of(doc, out[i].span);
                    rejections::same_context(r, &b, &a)
                })
                .min_by_key(|&i| out[i].span.start.abs_diff(r.start))
        };
        let nearest = || {
            same.iter()
                .copied()
                .filter(|&i| out[i].span.start.abs_diff(r.start) <= rejections::DRIFT)
                .min_by_key(|&i| out[i].span.start.abs_diff(r.start))
        };
        let hit = if r.before.is_empty() && r.after.is_empty() {
            nearest()
        } else {
            with_context().or_else(nearest)
        };
        if let Some(i) = hit {
            gone[i] = true;
        }
    }
    let mut i = 0;
    out.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
    for s in out.iter_mut() {
        let n = rejections.times_rejected(&s.label, doc.slice(s.span));
        if n > 0 {
            s.score /= 1.0 + n as f32;
        }
    }
}

#[cfg(test)]
mod tests;
