//! Corpus-wide views built from every document's annotations: entities grouped
//! by canonical id (or normalised text), and every claim as a row.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use compact_str::CompactString;

use super::annotation::{AnnId, Annotation, Kind, Relation, Speaker};
use super::document::DocAnnotations;

/// One mention of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Document path (shared by every mention in the document).
    pub doc: Arc<str>,
    /// Annotation id.
    pub id: AnnId,
    /// Label (shared by every mention with that label).
    pub label: Arc<str>,
    /// Covered text.
    pub quote: CompactString,
    /// Canonical id, if set (shared by every mention with that id).
    pub canonical: Option<Arc<str>>,
    /// Start offset (code points).
    pub start: usize,
}

/// Mentions that refer to the same entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityGroup {
    /// The canonical id, or the normalised text when no canonical id is set.
    pub key: String,
    /// True when `key` is a canonical id.
    pub by_canonical: bool,
    /// Labels used on the mentions, sorted, each once.
    pub labels: Vec<CompactString>,
    /// Documents the mentions are in, sorted, each once.
    pub docs: Vec<Arc<str>>,
    /// The mentions, by document and position.
    pub mentions: Vec<Mention>,
}

/// One claim, flattened for the claims board and the CSV export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRow {
    /// Document path.
    pub doc: String,
    /// Annotation id.
    pub id: AnnId,
    /// Claim text.
    pub text: CompactString,
    /// Start offset (code points).
    pub start: usize,
    /// End offset (code points).
    pub end: usize,
    /// Speaker text (`author`, empty when unknown).
    pub speaker: CompactString,
    /// Speaker canonical id, if the speaker entity has one.
    pub speaker_canonical: Option<String>,
    /// Cue words.
    pub cue: CompactString,
    /// Stance.
    pub stance: &'static str,
    /// Claim type.
    pub claim_type: &'static str,
    /// Proposition key.
    pub proposition: Option<String>,
    /// Relations touching the claim, as `type → document: text`.
    pub relations: Vec<String>,
}

/// Everything the corpus-wide panels show.
#[derive(Clone, Debug, Default)]
pub struct CorpusIndex {
    /// Entity groups, largest first.
    pub groups: Vec<EntityGroup>,
    /// Every claim, by document and position.
    pub claims: Vec<ClaimRow>,
    /// Every canonical id in use.
    pub canonicals: BTreeSet<String>,
    /// Every proposition key in use.
    pub propositions: BTreeSet<String>,
    /// Relations that cross documents, with the document of their `from` end.
    pub cross: Vec<(String, Relation)>,
}

/// Lower-cases and collapses spaces, so "North  Korea" and "north korea" group together.
pub fn normalise(text: &str) -> String {
    if text.is_ascii() {
        // One pass and one allocation; the index normalises every mention.
        let mut out = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        return out;
    }
    // `str::to_lowercase` knows a word-final capital sigma (Σ → ς).
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl CorpusIndex {
    /// Builds the index from (document path, annotations) pairs.
    pub fn build<'a>(docs: impl IntoIterator<Item = (&'a str, &'a DocAnnotations)>) -> Self {
        let mut idx = CorpusIndex::default();
        // Groups by (by canonical id, key), in a list in order of creation;
        // sorted once at the end.
        let mut group_of: HashMap<(bool, String), usize> = HashMap::new();
        let mut groups: Vec<EntityGroup> = Vec::new();
        let docs: Vec<(&str, &DocAnnotations)> = docs.into_iter().collect();
        // Borrowed lookups instead of scans and owned keys: with 10,000 annotations
        // in one document, finding speakers and relations by scanning was quadratic.
        // Quotes are looked up only for the ends of relations; a map of every
        // annotation in the corpus would be the largest thing this builds.
        let mut wanted: HashMap<(&str, &str), &str> = HashMap::new();
        for (doc, data) in &docs {
            for r in &data.relations {
                wanted.insert((*doc, r.from.as_str()), "");
                let to_doc = r.to.doc.as_deref().unwrap_or(doc);
                wanted.insert((to_doc, r.to.id.as_str()), "");
            }
        }
        let mut quotes = wanted;
        if !quotes.is_empty() {
            for (doc, data) in &docs {
                for a in &data.annotations {
                    if let Some(q) = quotes.get_mut(&(*doc, a.id.as_str())) {
                        *q = a.quote.as_str();
                    }
                }
            }
        }
        // A tag set has a handful of labels, and a canonical id names many mentions:
        // each mention shares the text of its label and id.
        let mut label_texts: HashMap<&str, Arc<str>> = HashMap::new();
        for (doc, data) in &docs {
            let doc_arc: Arc<str> = Arc::from(*doc);
            for r in &data.relations {
                if r.to.doc.is_some() {
                    idx.cross.push((doc.to_string(), r.clone()));
                }
            }
            // First annotation of each id, as `DocAnnotations::get` finds it.
            let mut by_id: HashMap<&str, &Annotation> = HashMap::with_capacity(data.annotations.len());
            for a in &data.annotations {
                by_id.entry(a.id.as_str()).or_insert(a);
            }
            // Relations touching each id, in file order, as `DocAnnotations::relations_of` yields them.
            let mut touching: HashMap<&str, Vec<&Relation>> = HashMap::new();
            for r in &data.relations {
                touching.entry(r.from.as_str()).or_default().push(r);
                if r.to.doc.is_none() && r.to.id != r.from {
                    touching.entry(r.to.id.as_str()).or_default().push(r);
                }
            }
            for a in &data.annotations {
                match &a.kind {
                    Kind::Entity { canonical } => {
                        // Looked up first: a canonical id names many mentions.
                        if let Some(c) = canonical
                            && !idx.canonicals.contains(c)
                        {
                            idx.canonicals.insert(c.clone());
                        }
                        let key = match canonical {
                            Some(c) => (true, c.clone()),
                            None => (false, normalise(&a.quote)),
                        };
                        let at = match group_of.entry(key) {
                            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
                            std::collections::hash_map::Entry::Vacant(v) => {
                                let (by_canonical, key) = v.key().clone();
                                groups.push(EntityGroup {
                                    key,
                                    by_canonical,
                                    labels: Vec::new(),
                                    docs: Vec::new(),
                                    mentions: Vec::new(),
                                });
                                *v.insert(groups.len() - 1)
                            }
                        };
                        let g = &mut groups[at];
                        // Sorted vectors, not sets: a corpus has tens of thousands of
                        // groups, most with one label and one document, and a set's
                        // smallest node is many times the size of one entry.
                        if let Err(at) = g.labels.binary_search(&a.label) {
                            g.labels.insert(at, a.label.clone());
                        }
                        // A document's mentions come together: most are already listed last.
                        if !g.docs.last().is_some_and(|d| Arc::ptr_eq(d, &doc_arc))
                            && let Err(at) = g.docs.binary_search_by(|d| (**d).cmp(*doc))
                        {
                            g.docs.insert(at, doc_arc.clone());
                        }
                        g.mentions.push(Mention {
                            doc: doc_arc.clone(),
                            id: a.id.clone(),
                            label: label_texts
                                .entry(a.label.as_str())
                                .or_insert_with(|| Arc::from(a.label.as_str()))
                                .clone(),
                            quote: a.quote.clone(),
                            canonical: canonical
                                .as_deref()
                                .map(|c| label_texts.entry(c).or_insert_with(|| Arc::from(c)).clone()),
                            start: a.extent().start,
                        });
                    }
                    Kind::Claim(c) => {
                        if let Some(p) = &c.proposition
                            && !idx.propositions.contains(p)
                        {
                            idx.propositions.insert(p.clone());
                        }
                        let (speaker, speaker_canonical) = match &c.speaker {
                            Speaker::Unknown => (CompactString::default(), None),
                            Speaker::Author => (CompactString::const_new("author"), None),
                            Speaker::Entity(id) => match by_id.get(id.as_str()) {
                                Some(e) => (e.quote.clone(), e.canonical().map(str::to_owned)),
                                None => (CompactString::default(), None),
                            },
                        };
                        let relations = touching
                            .get(a.id.as_str())
                            .map_or(&[][..], Vec::as_slice)
                            .iter()
                            .map(|r| {
                                let (other_doc, other) = if r.from == a.id {
                                    (
                                        r.to.doc.clone().unwrap_or_else(|| doc.to_string()),
                                        r.to.id.clone(),
                                    )
                                } else {
                                    (doc.to_string(), r.from.clone())
                                };
                                let text = quotes
                                    .get(&(other_doc.as_str(), other.as_str()))
                                    .copied()
                                    .unwrap_or_default();
                                let arrow = if r.from == a.id { "→" } else { "←" };
                                format!("{} {arrow} {other_doc}: {text}", r.kind)
                            })
                            .collect();
                        let e = a.extent();
                        idx.claims.push(ClaimRow {
                            doc: doc.to_string(),
                            id: a.id.clone(),
                            text: a.quote.clone(),
                            start: e.start,
                            end: e.end,
                            speaker,
                            speaker_canonical,
                            cue: c.cue.as_ref().map(|x| x.quote.clone()).unwrap_or_default(),
                            stance: c.stance.as_str(),
                            claim_type: c.claim_type.as_str(),
                            proposition: c.proposition.clone(),
                            relations,
                        });
                    }
                }
            }
        }
        // Incoming cross-document relations are listed on their target claims too.
        let mut rows: HashMap<(&str, &str), usize> = HashMap::new();
        for (i, c) in idx.claims.iter().enumerate() {
            rows.entry((c.doc.as_str(), c.id.as_str())).or_insert(i);
        }
        let mut incoming: Vec<(usize, String)> = Vec::new();
        for (from_doc, r) in &idx.cross {
            let Some(to_doc) = &r.to.doc else { continue };
            let text = quotes
                .get(&(from_doc.as_str(), r.from.as_str()))
                .copied()
                .unwrap_or_default();
            if let Some(&row) = rows.get(&(to_doc.as_str(), r.to.id.as_str())) {
                incoming.push((row, format!("{} ← {from_doc}: {text}", r.kind)));
            }
        }
        for (row, text) in incoming {
            idx.claims[row].relations.push(text);
        }
        idx.groups = groups;
        idx.groups.sort_by(|a, b| {
            (b.mentions.len().cmp(&a.mentions.len()))
                .then(a.key.cmp(&b.key))
                .then(a.by_canonical.cmp(&b.by_canonical))
        });
        idx
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The one-pass ASCII path gives what joining the words and lowercasing does.
        #[test]
        fn normalise_is_lowercased_words_joined_by_one_space(
            t in "[ \t\n\r\u{b}\u{c}aZq7_.\u{a0}\u{3a3}\u{3c3}é]{0,24}"
        ) {
            let want = t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            prop_assert_eq!(normalise(&t), want);
        }
    }
    use crate::model::{Annotation, Claim, Span};

    fn ann(id: &str, label: &str, quote: &str, start: usize, kind: Kind) -> Annotation {
        Annotation {
            id: id.into(),
            spans: smallvec::smallvec![Span::new(start, start + quote.chars().count())],
            quote: quote.into(),
            prefix: String::new(),
            suffix: String::new(),
            label: label.into(),
            kind,
            attributes: Default::default(),
            note: String::new(),
            annotator: "a".into(),
            created: Default::default(),
            modified: Default::default(),
            orphaned: false,
            conflicts: Vec::new(),
            origin: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn groups_by_canonical_then_text_and_flattens_claims() {
        let mut a = DocAnnotations::default();
        a.annotations.push(ann(
            "e1",
            "PERSON",
            "Hillary Clinton",
            0,
            Kind::Entity {
                canonical: Some("Q6294".into()),
            },
        ));
        a.annotations
            .push(ann("e2", "PLACE", "North  Korea", 20, Kind::entity()));
        let c = Claim {
            speaker: Speaker::Entity("e1".into()),
            proposition: Some("p1".into()),
            ..Default::default()
        };
        a.annotations
            .push(ann("c1", "CLAIM", "We urge", 40, Kind::Claim(Box::new(c))));
        let mut b = DocAnnotations::default();
        b.annotations.push(ann(
            "e3",
            "PERSON",
            "Clinton",
            5,
            Kind::Entity {
                canonical: Some("Q6294".into()),
            },
        ));
        b.annotations
            .push(ann("e4", "PLACE", "north korea", 9, Kind::entity()));
        let idx = CorpusIndex::build([("a.txt", &a), ("b.txt", &b)]);
        assert_eq!(idx.groups.len(), 2);
        assert!(
            idx.groups
                .iter()
                .all(|g| g.mentions.len() == 2 && g.docs.len() == 2)
        );
        assert_eq!(idx.claims.len(), 1);
        assert_eq!(idx.claims[0].speaker, "Hillary Clinton");
        assert_eq!(idx.claims[0].speaker_canonical.as_deref(), Some("Q6294"));
        assert!(idx.propositions.contains("p1"));
    }
}
