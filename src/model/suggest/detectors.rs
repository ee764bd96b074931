//! Detectors that need no tags: figures and quantities (the claims
//! comparison's reader, `model::quantity`), dates, and claim cues ("said",
//! "according to", "denied") proposing the sentence as a claim with its
//! speaker and stance.
//!
//! Each proposes a label only when the corpus tag set has one for it (see
//! [`Labels`]); a tag set without a date label gets no dates.

use compact_str::CompactString;

use super::super::annotation::{Annotation, Span, Stance};
use super::super::document::Document;
use super::super::quantity;
use super::super::tagset::{LabelKind, TagSet};
use super::tokens::Tok;
use super::{ClaimHint, Origin, Suggestion};

/// Scores of detector suggestions: how often such a find is what analysts tag.
mod score {
    pub const FIGURE: f32 = 0.8;
    pub const LONE_DIGIT: f32 = 0.4;
    pub const DATE: f32 = 0.85;
    pub const CLAIM_WITH_SPEAKER: f32 = 0.7;
    pub const CLAIM: f32 = 0.5;
}

/// The tag set's labels the detectors propose, where it has them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Labels {
    /// For figures and quantities.
    pub figure: Option<CompactString>,
    /// For dates.
    pub date: Option<CompactString>,
    /// For claims.
    pub claim: Option<CompactString>,
    /// Entity labels whose annotations may speak a claim.
    pub speakers: Vec<CompactString>,
}

impl Labels {
    /// Picks the labels from a tag set by their usual names.
    pub fn of(tagset: &TagSet) -> Self {
        let entity = |names: &[&str]| {
            names.iter().find_map(|n| {
                tagset
                    .labels
                    .iter()
                    .find(|l| l.kind == LabelKind::Entity && l.name.eq_ignore_ascii_case(n))
                    .map(|l| CompactString::from(l.name.as_str()))
            })
        };
        let claim = tagset
            .labels
            .iter()
            .filter(|l| l.kind == LabelKind::Claim)
            .min_by_key(|l| !l.name.eq_ignore_ascii_case("CLAIM"))
            .map(|l| CompactString::from(l.name.as_str()));
        let speakers = tagset
            .labels
            .iter()
            .filter(|l| l.kind == LabelKind::Entity && is_speaker_label(&l.name))
            .map(|l| CompactString::from(l.name.as_str()))
            .collect();
        Self {
            figure: entity(&[
                "QUANTITY", "NUMBER", "CARDINAL", "FIGURE", "NUM", "MONEY", "PERCENT",
            ]),
            date: entity(&["DATE", "TIME", "TIMEX", "TIMEX3"]),
            claim,
            speakers,
        }
    }
}

/// People and organisations: who can say something.
fn is_speaker_label(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.starts_with("PER") || n.starts_with("ORG") || n == "GROUP" || n == "NORP"
}

/// Which detectors run.
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Which {
    pub figures: bool,
    pub dates: bool,
    pub claims: bool,
}

/// What the detectors find in a text alone: figures and dates as they are
/// proposed, and each claim cue with its sentence, waiting for its speaker.
/// Tagging never changes a text, so this is found once per text and kept
/// (see [`super::Prepared`]); only the speakers follow the annotations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Found {
    /// Figures and dates.
    entities: Vec<Suggestion>,
    /// Claim cues, one a sentence.
    cues: Vec<CueAt>,
}

/// A sentence with a claim cue.
#[derive(Clone, Debug)]
struct CueAt {
    sentence: Span,
    cue: Span,
    stance: Stance,
    speaker_after: bool,
}

/// Runs the detectors `which` over a text whose words are `toks`.
pub(crate) fn find(labels: &Labels, doc: &Document, toks: &[Tok], which: Which) -> Found {
    let mut found = Found::default();
    let mut dates = Vec::new();
    if which.dates
        && let Some(label) = &labels.date
    {
        super::dates::find(&doc.text, toks, &mut dates);
        for span in &dates {
            found.entities.push(entity(*span, label, score::DATE));
        }
    }
    if which.figures
        && let Some(label) = &labels.figure
    {
        figures(doc, toks, &dates, label, &mut found.entities);
    }
    if which.claims && labels.claim.is_some() {
        found.cues = cues(doc, toks);
    }
    found
}

/// The suggestions of `found`, each claim given its speaker among `annotations`.
pub(crate) fn with_speakers(
    labels: &Labels,
    found: &Found,
    annotations: &[Annotation],
    out: &mut Vec<Suggestion>,
) {
    out.extend(found.entities.iter().cloned());
    if let Some(label) = &labels.claim {
        claims(labels, &found.cues, annotations, label, out);
    }
}

/// Every detector's suggestions for a document.
#[cfg(test)]
pub(crate) fn detect(
    labels: &Labels,
    doc: &Document,
    toks: &[Tok],
    annotations: &[Annotation],
    which: Which,
    out: &mut Vec<Suggestion>,
) {
    with_speakers(labels, &find(labels, doc, toks, which), annotations, out);
}

fn entity(span: Span, label: &CompactString, score: f32) -> Suggestion {
    Suggestion {
        span,
        label: label.clone(),
        score,
        origin: Origin::Detector,
        canonical: None,
        claim: None,
    }
}

/// Words that are part of a figure besides the number words the quantity
/// reader knows ("forty-seven" is "forty" and "seven").
const FIGURE_WORDS: &[&str] = &[
    "hundred",
    "thousand",
    "million",
    "billion",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "billions",
    "percent",
    "half",
];

/// True for a word that is a figure or part of one.
fn is_figure_word(w: &str) -> bool {
    w.chars().any(|c| c.is_ascii_digit())
        || crate::model::quantity::UNITS
            .iter()
            .chain(&crate::model::quantity::TENS)
            .chain(FIGURE_WORDS)
            .any(|n| n.eq_ignore_ascii_case(w))
}

/// Figures the quantity reader finds, with their qualifiers ("about 1,200")
/// but without what they count (the reader's range runs on to "refugees"),
/// left out where they are part of a date.
fn figures(doc: &Document, toks: &[Tok], dates: &[Span], label: &CompactString, out: &mut Vec<Suggestion>) {
    for found in quantity::read_all(&doc.text) {
        let first = toks.partition_point(|t| t.bytes.end <= found.range.start);
        let last = toks.partition_point(|t| t.bytes.start < found.range.end);
        // The last word of the range that is part of the figure.
        let Some(end) = (first..last)
            .rev()
            .find(|&i| is_figure_word(&doc.text[toks[i].bytes.clone()]))
        else {
            continue;
        };
        let mut span = Span::new(toks[first].span.start, toks[end].span.end);
        // "50%": the sign is a segment of its own, right after the figure.
        if doc.text[toks[end].bytes.end..].starts_with('%') {
            span.end += 1;
        }
        if dates.iter().any(|d| d.overlaps(&span)) {
            continue;
        }
        // A lone digit is as often a list number or a footnote as a figure.
        let lone_digit = first == end && toks[end].bytes.len() == 1;
        out.push(entity(
            span,
            label,
            if lone_digit {
                score::LONE_DIGIT
            } else {
                score::FIGURE
            },
        ));
    }
}

/// A claim cue: its words (lower case) and the stance it implies.
struct Cue {
    words: &'static [&'static str],
    stance: Stance,
    /// The speaker comes after the cue ("according to UNHCR").
    speaker_after: bool,
}

const fn cue(words: &'static [&'static str], stance: Stance, speaker_after: bool) -> Cue {
    Cue {
        words,
        stance,
        speaker_after,
    }
}

/// The cues, longest first where one starts another.
const CUES: &[Cue] = &[
    cue(&["according", "to"], Stance::Reports, true),
    cue(&["said"], Stance::Asserts, false),
    cue(&["says"], Stance::Asserts, false),
    cue(&["told"], Stance::Asserts, false),
    cue(&["stated"], Stance::Asserts, false),
    cue(&["added"], Stance::Asserts, false),
    cue(&["announced"], Stance::Asserts, false),
    cue(&["estimated"], Stance::Asserts, false),
    cue(&["estimates"], Stance::Asserts, false),
    cue(&["insisted"], Stance::Asserts, false),
    cue(&["warned"], Stance::Asserts, false),
    cue(&["argued"], Stance::Asserts, false),
    cue(&["confirmed"], Stance::Asserts, false),
    cue(&["claimed"], Stance::Asserts, false),
    cue(&["claims"], Stance::Asserts, false),
    cue(&["reported"], Stance::Reports, false),
    cue(&["reports"], Stance::Reports, false),
    cue(&["denied"], Stance::Denies, false),
    cue(&["denies"], Stance::Denies, false),
    cue(&["rejected"], Stance::Denies, false),
    cue(&["dismissed"], Stance::Denies, false),
    cue(&["questioned"], Stance::Questions, false),
    cue(&["doubted"], Stance::Questions, false),
    cue(&["disputed"], Stance::Questions, false),
];

/// Each sentence's first claim cue.
fn cues(doc: &Document, toks: &[Tok]) -> Vec<CueAt> {
    let word = |i: usize| &doc.text[toks[i].bytes.clone()];
    let mut out = Vec::new();
    let mut start = 0;
    while start < toks.len() {
        let mut end = start + 1;
        while end < toks.len() && !toks[end].hard_gap {
            end += 1;
        }
        // Sentence: words start..end.
        for i in start..end {
            let found = CUES.iter().find(|c| {
                i + c.words.len() <= end
                    && c.words
                        .iter()
                        .enumerate()
                        .all(|(k, w)| word(i + k).eq_ignore_ascii_case(w))
            });
            if let Some(c) = found {
                out.push(CueAt {
                    sentence: Span::new(toks[start].span.start, toks[end - 1].span.end),
                    cue: Span::new(toks[i].span.start, toks[i + c.words.len() - 1].span.end),
                    stance: c.stance,
                    speaker_after: c.speaker_after,
                });
                // One claim a sentence: its first cue.
                break;
            }
        }
        start = end;
    }
    out
}

/// Claims: each sentence with a cue, its speaker the nearest person or
/// organisation annotation that is the cue's subject (before the cue in its
/// sentence; after it for "according to").
fn claims(
    labels: &Labels,
    cues: &[CueAt],
    annotations: &[Annotation],
    label: &CompactString,
    out: &mut Vec<Suggestion>,
) {
    let mut speakers: Vec<(Span, &Annotation)> = annotations
        .iter()
        .filter(|a| a.claim().is_none() && labels.speakers.contains(&a.label))
        .filter_map(|a| a.spans.first().map(|s| (*s, a)))
        .collect();
    speakers.sort_by_key(|(s, _)| s.start);
    for c in cues {
        let (sentence, cue_span) = (c.sentence, c.cue);
        // Only the speakers that start inside the sentence, found by search.
        let from = speakers.partition_point(|(s, _)| s.start < sentence.start);
        let to = speakers.partition_point(|(s, _)| s.start < sentence.end);
        let in_sentence = speakers[from..to].iter().filter(|(s, _)| s.end <= sentence.end);
        let speaker = if c.speaker_after {
            in_sentence
                .filter(|(s, _)| s.start >= cue_span.end)
                .min_by_key(|(s, _)| s.start)
        } else {
            // The subject: the nearest before the cue, else the nearest after ("said Smith").
            let before = in_sentence
                .clone()
                .filter(|(s, _)| s.end <= cue_span.start)
                .max_by_key(|(s, _)| s.end);
            before.or_else(|| {
                in_sentence
                    .filter(|(s, _)| s.start >= cue_span.end && s.start <= cue_span.end + 3)
                    .min_by_key(|(s, _)| s.start)
            })
        };
        out.push(Suggestion {
            span: sentence,
            label: label.clone(),
            score: if speaker.is_some() {
                score::CLAIM_WITH_SPEAKER
            } else {
                score::CLAIM
            },
            origin: Origin::Detector,
            canonical: None,
            claim: Some(Box::new(ClaimHint {
                cue: cue_span,
                speaker: speaker.map(|(_, a)| a.id.clone()),
                stance: c.stance,
            })),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;
    use crate::model::Kind;

    fn run(text: &str, anns: &[Annotation]) -> (Document, Vec<Suggestion>) {
        let d = Document::new("a.txt", text);
        let toks = tokenize(&d.text);
        let mut out = Vec::new();
        let which = Which {
            figures: true,
            dates: true,
            claims: true,
        };
        detect(&Labels::of(&TagSet::builtin()), &d, &toks, anns, which, &mut out);
        (d, out)
    }

    #[test]
    fn the_builtin_tag_set_has_a_label_for_each_detector() {
        let l = Labels::of(&TagSet::builtin());
        assert_eq!(l.figure.as_deref(), Some("NUMBER"));
        assert_eq!(l.date.as_deref(), Some("DATE"));
        assert_eq!(l.claim.as_deref(), Some("CLAIM"));
        assert!(l.speakers.iter().any(|s| s == "PERSON") && l.speakers.iter().any(|s| s == "ORG"));
    }

    #[test]
    fn figures_and_dates_are_found_apart() {
        let (d, s) = run("On 12 March 2012 about 1,200 refugees crossed.", &[]);
        let got: Vec<(&str, &str)> = s.iter().map(|x| (d.slice(x.span), x.label.as_str())).collect();
        assert!(got.contains(&("12 March 2012", "DATE")), "{got:?}");
        assert!(got.contains(&("about 1,200", "NUMBER")), "{got:?}");
        assert!(
            !got.iter().any(|(t, l)| t.contains("2012") && *l == "NUMBER"),
            "{got:?}"
        );
    }

    #[test]
    fn figures_keep_words_and_percent_signs_but_not_what_they_count() {
        let (d, s) = run(
            "Some forty-seven South Korean stars and 50% of 31 refugees left.",
            &[],
        );
        let got: Vec<&str> = s
            .iter()
            .filter(|x| x.label == "NUMBER")
            .map(|x| d.slice(x.span))
            .collect();
        assert_eq!(got, ["Some forty-seven", "50%", "31"]);
    }

    #[test]
    fn a_cue_proposes_its_sentence_with_speaker_and_stance() {
        let text =
            "It rained. The ministry denied that 300 people had left. According to UNHCR, 40 returned.";
        let d = Document::new("a.txt", text);
        let at = |q: &str| {
            let s = d.cp_of(d.text.find(q).unwrap());
            Span::new(s, s + q.chars().count())
        };
        let ministry = d.annotate(vec![at("ministry")], "ORG", Kind::entity(), "t");
        let unhcr = d.annotate(vec![at("UNHCR")], "ORG", Kind::entity(), "t");
        let (_, s) = run(text, &[ministry.clone(), unhcr.clone()]);
        let claims: Vec<&Suggestion> = s.iter().filter(|x| x.claim.is_some()).collect();
        assert_eq!(claims.len(), 2, "{s:?}");
        let first = claims[0].claim.as_ref().unwrap();
        assert_eq!(
            d.slice(claims[0].span),
            "The ministry denied that 300 people had left"
        );
        assert_eq!(first.stance, Stance::Denies);
        assert_eq!(first.speaker.as_ref(), Some(&ministry.id));
        assert_eq!(d.slice(first.cue), "denied");
        let second = claims[1].claim.as_ref().unwrap();
        assert_eq!(second.stance, Stance::Reports);
        assert_eq!(second.speaker.as_ref(), Some(&unhcr.id));
        assert_eq!(d.slice(second.cue), "According to");
    }
}
