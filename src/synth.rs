//! Deterministic synthetic data for tests and benchmarks.
//!
//! Everything comes from a fixed-seed [`Rng`] (splitmix64), so the same seed
//! gives byte-identical documents and annotations on every machine.
//!
//! - [`article`] / [`big_article`]: one document with many annotations, about a
//!   third of them nested in or overlapping another, some claims with
//!   speakers and cues, some discontinuous spans; the text mixes ASCII, curly
//!   quotes, em dashes, accents, CJK and emoji.
//! - [`write_corpus`]: a folder of sources with their sidecars, as Marginalia
//!   itself would have saved them.

use std::io;
use std::path::Path;

use crate::model::{
    AnnId, Annotation, Attributes, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Relation, Span,
    Speaker, Stance, Status, Target,
};
use crate::store::corpus;
use crate::store::sidecar::{MAJOR, MINOR};

/// A small fast PRNG (splitmix64): deterministic, no dependencies.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Timestamp given to every synthetic annotation, so output is reproducible.
pub const SYNTH_TIME: &str = "2026-01-01T00:00:00Z";

const WORDS: &[&str] = &[
    "the",
    "refugees",
    "North",
    "Korean",
    "border",
    "China",
    "officials",
    "said",
    "government",
    "human",
    "rights",
    "repatriation",
    "camp",
    "families",
    "report",
    "according",
    "to",
    "Seoul",
    "Beijing",
    "United",
    "Nations",
    "convention",
    "asylum",
    "forced",
    "return",
    "activists",
    "in",
    "of",
    "and",
    "was",
    "were",
    "have",
    "their",
    "“quoted”",
    "‘voting",
    "feet’",
    "—",
    "–",
    "…",
    "café",
    "naïve",
    "Zürich",
    "São",
    "Paulo",
    "北朝鮮",
    "難民",
    "中国",
    "서울",
    "탈북자",
    "東京",
    "😀",
    "🇰🇷",
    "👩‍👩‍👧",
    "🙏",
    "2012",
    "50",
    "14-month",
    "Park",
    "Geun-hye",
    "Xi",
    "Jinping",
    "Tumen",
    "UNHCR",
    "«mots»",
    "Ελλάδα",
    "Москва",
    "ﬁne",
    "e\u{301}",
];

const ENTITY_LABELS: &[&str] = &[
    "PERSON", "ORG", "PLACE", "DATE", "NUMBER", "GROUP", "LAW", "EVENT", "MISC",
];

/// Builds text from the word list: sentences of 6–18 words, paragraphs of 2–6 sentences.
/// Returns the text and the code-point span of every word.
fn text(rng: &mut Rng, target_bytes: usize, crlf: bool) -> (String, Vec<Span>) {
    let mut out = String::with_capacity(target_bytes + 64);
    let mut words = Vec::new();
    let mut cp = 0;
    let newline = if crlf { "\r\n" } else { "\n" };
    while out.len() < target_bytes {
        for s in 0..2 + rng.below(5) {
            if s > 0 {
                out.push(' ');
                cp += 1;
            }
            let n = 6 + rng.below(13);
            for w in 0..n {
                if w > 0 {
                    out.push(' ');
                    cp += 1;
                }
                let mut word = (*rng.pick(WORDS)).to_owned();
                if w == 0 {
                    let mut cs = word.chars();
                    if let Some(f) = cs.next() {
                        word = f.to_uppercase().chain(cs).collect();
                    }
                }
                let len = word.chars().count();
                words.push(Span::new(cp, cp + len));
                out.push_str(&word);
                cp += len;
            }
            out.push('.');
            cp += 1;
        }
        out.push_str(newline);
        out.push_str(newline);
        cp += 2 * newline.len();
    }
    (out, words)
}

/// Span of words `a..=b`.
fn run(words: &[Span], a: usize, b: usize) -> Span {
    Span::new(words[a].start, words[b.max(a)].end)
}

/// Annotates `doc` with `count` annotations over the given word spans.
fn annotate(rng: &mut Rng, doc: &Document, words: &[Span], count: usize) -> DocAnnotations {
    let mut data = DocAnnotations::default();
    if words.is_empty() {
        return data;
    }
    let nw = words.len();
    // Word ranges of what was placed so far, to nest and overlap into.
    let mut placed: Vec<(usize, usize)> = Vec::with_capacity(count);
    let mut entities: Vec<AnnId> = Vec::new();
    let mut claims: Vec<AnnId> = Vec::new();
    for i in 0..count {
        let id = compact_str::format_compact!("a{i:06}");
        let is_claim = rng.percent(20);
        let (a, b) = if i % 3 == 2 && !placed.is_empty() {
            let &(pa, pb) = rng.pick(&placed);
            if rng.percent(50) || pa == pb {
                // Nested: a sub-range of the other annotation (or the same range).
                let a = pa + rng.below(pb - pa + 1);
                (a, a + rng.below(pb - a + 1))
            } else {
                // Overlapping: starts inside, ends past it.
                let a = pa + 1 + rng.below(pb - pa);
                (a, (pb + 1 + rng.below(3)).min(nw - 1))
            }
        } else {
            let len = if is_claim { 5 + rng.below(12) } else { rng.below(4) };
            let a = rng.below(nw);
            (a, (a + len).min(nw - 1))
        };
        placed.push((a, b));
        let spans = if b > a + 2 && rng.percent(3) {
            // Discontinuous: leave out one word in the middle.
            let gap = a + 1 + rng.below(b - a - 1);
            vec![run(words, a, gap - 1), run(words, gap + 1, b)]
        } else {
            vec![run(words, a, b)]
        };
        let kind = if is_claim {
            let speaker = match rng.below(10) {
                0..=4 if !entities.is_empty() => Speaker::Entity(rng.pick(&entities).clone()),
                5 | 6 => Speaker::Author,
                _ => Speaker::Unknown,
            };
            let cue = (a > 0 && rng.percent(50)).then(|| {
                let span = words[a - 1];
                Cue {
                    span,
                    quote: doc.slice(span).into(),
                }
            });
            Kind::Claim(Box::new(Claim {
                speaker,
                cue,
                stance: *rng.pick(&Stance::ALL),
                claim_type: *rng.pick(&ClaimType::ALL),
                proposition: rng.percent(30).then(|| format!("prop-{}", rng.below(50))),
                value: None,
            }))
        } else {
            Kind::Entity {
                canonical: rng.percent(25).then(|| format!("kb:{}", rng.below(500))),
            }
        };
        let label = if is_claim {
            "CLAIM"
        } else {
            *rng.pick(ENTITY_LABELS)
        };
        let mut attributes = Attributes::new();
        if rng.percent(15) {
            attributes.insert(
                "certainty".to_owned(),
                (*rng.pick(&["high", "medium", "low"])).to_owned(),
            );
        }
        if rng.percent(5) {
            attributes.insert(
                "comment".to_owned(),
                "checked against the “original”, twice".to_owned(),
            );
        }
        let selector = doc.selector(&spans);
        if is_claim {
            claims.push(id.clone());
        } else {
            entities.push(id.clone());
        }
        // Drawn in this order so the generated data stays the same for a seed.
        let note = if rng.percent(8) {
            "to verify — see 报告\nsecond line"
        } else {
            ""
        };
        let annotator = *rng.pick(&["ana", "ben", "chloé"]);
        let mut ann = Annotation::new(id, spans, selector, label, kind, annotator, SYNTH_TIME);
        ann.attributes = attributes;
        ann.note = note.to_owned();
        data.annotations.push(ann);
    }
    for k in 0..claims.len() / 4 {
        let from = rng.pick(&claims).clone();
        let to = rng.pick(&claims).clone();
        if from != to {
            data.relations.push(Relation {
                id: compact_str::format_compact!("r{k:05}"),
                from,
                to: Target { doc: None, id: to },
                kind: (*rng.pick(&["supports", "contradicts", "refers-to"])).to_owned(),
                ..Default::default()
            });
        }
    }
    data.status = *rng.pick(&Status::ALL);
    data.sort();
    data
}

/// One synthetic document of about `target_bytes` bytes (LF line ends) with
/// `annotations` annotations, named `path`.
pub fn article(seed: u64, path: &str, target_bytes: usize, annotations: usize) -> (Document, DocAnnotations) {
    let mut rng = Rng::new(seed);
    let (t, words) = text(&mut rng, target_bytes, false);
    let doc = Document::new(path, t);
    let data = annotate(&mut rng, &doc, &words, annotations);
    (doc, data)
}

/// The standard large case: a ~1 MB article with 10,000 annotations.
pub fn big_article(seed: u64) -> (Document, DocAnnotations) {
    article(seed, "big.txt", 1_000_000, 10_000)
}

/// What [`write_corpus`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusSummary {
    /// Source paths relative to the root, in writing order.
    pub documents: Vec<String>,
    /// Annotations written in all.
    pub annotations: usize,
    /// Bytes of source text written.
    pub bytes: usize,
}

/// Writes `docs` documents holding `annotations` annotations in all (spread
/// evenly) under `root`: sources in folders of 1000 (`d00/doc-00000.txt`) with
/// sidecars beside them. Every fifth document uses CRLF line ends. The folder
/// is created if needed; existing files of the same names are replaced.
pub fn write_corpus(root: &Path, docs: usize, annotations: usize, seed: u64) -> io::Result<CorpusSummary> {
    let mut summary = CorpusSummary::default();
    let mut rng = Rng::new(seed);
    for i in 0..docs {
        let n = annotations / docs.max(1) + usize::from(i < annotations % docs.max(1));
        let rel = format!("d{:02}/doc-{i:05}.txt", i / 1000);
        let mut doc_rng = Rng::new(rng.next_u64());
        let (t, words) = text(&mut doc_rng, 600 + n * 70, i % 5 == 4);
        let doc = Document::new(rel.clone(), t);
        let data = annotate(&mut doc_rng, &doc, &words, n);
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &doc.text)?;
        std::fs::write(
            corpus::sidecar_path(&path),
            corpus::render(&doc, &data, (MAJOR, MINOR)),
        )?;
        summary.annotations += data.annotations.len();
        summary.bytes += doc.text.len();
        summary.documents.push(rel);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let (d1, a1) = article(7, "a.txt", 5_000, 100);
        let (d2, a2) = article(7, "a.txt", 5_000, 100);
        assert_eq!(d1.text, d2.text);
        assert_eq!(a1, a2);
        let (d3, _) = article(8, "a.txt", 5_000, 100);
        assert_ne!(d1.text, d3.text);
    }

    #[test]
    fn annotations_match_their_text() {
        let (doc, data) = article(3, "a.txt", 20_000, 600);
        assert_eq!(data.annotations.len(), 600);
        let mut overlapping = 0;
        for (i, a) in data.annotations.iter().enumerate() {
            assert!(doc.spans_in_range(&a.spans));
            assert_eq!(doc.selector(&a.spans).0, a.quote);
            if data.annotations[..i]
                .iter()
                .any(|b| b.extent().overlaps(&a.extent()))
            {
                overlapping += 1;
            }
        }
        assert!(overlapping >= 200, "only {overlapping} overlap");
        assert!(doc.text.contains('😀') || doc.text.contains("難民"));
    }
}
