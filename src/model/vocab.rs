//! The corpus-wide lists the inspector offers while editing (canonical ids,
//! proposition keys, relations that arrive from other documents), kept up to
//! date one document at a time.
//!
//! [`super::index::CorpusIndex`] has the same facts but is built over every
//! annotation of the corpus; rebuilding it after each keystroke would cost a
//! frame tens of milliseconds on a large corpus. This keeps per-document
//! contributions and counts, so an edit costs one pass over the changed document.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::annotation::{Kind, Relation};
use super::document::DocAnnotations;

/// What one document contributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocVocab {
    /// Canonical ids of its entities.
    pub canonicals: BTreeSet<String>,
    /// Proposition keys of its claims.
    pub propositions: BTreeSet<String>,
    /// Its relations that point into another document.
    pub cross: Vec<Relation>,
}

impl DocVocab {
    /// Collects a document's contribution.
    pub fn of(data: &DocAnnotations) -> Self {
        let mut v = DocVocab::default();
        for a in &data.annotations {
            let value = match &a.kind {
                Kind::Entity { canonical } => canonical.as_ref().map(|c| (c, &mut v.canonicals)),
                Kind::Claim(c) => c.proposition.as_ref().map(|p| (p, &mut v.propositions)),
            };
            // Most annotations repeat a value already seen: look before cloning.
            if let Some((value, set)) = value
                && !set.contains(value)
            {
                set.insert(value.clone());
            }
        }
        v.cross = data
            .relations
            .iter()
            .filter(|r| r.to.doc.is_some())
            .cloned()
            .collect();
        v
    }
}

/// The merged lists, as the inspector reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VocabLists {
    /// Every canonical id in use, sorted.
    pub canonicals: Vec<String>,
    /// Every proposition key in use, sorted.
    pub propositions: Vec<String>,
    /// Every cross-document relation, with the document of its `from` end,
    /// ordered by that document.
    pub cross: Vec<(String, Relation)>,
}

/// Corpus-wide vocabulary, updated per document.
#[derive(Debug, Default)]
pub struct Vocab {
    docs: HashMap<String, DocVocab>,
    canonicals: BTreeMap<String, usize>,
    propositions: BTreeMap<String, usize>,
    lists: Option<Arc<VocabLists>>,
}

fn count_in(counts: &mut BTreeMap<String, usize>, values: &BTreeSet<String>) {
    for v in values {
        match counts.get_mut(v) {
            Some(n) => *n += 1,
            None => {
                counts.insert(v.clone(), 1);
            }
        }
    }
}

fn count_out(counts: &mut BTreeMap<String, usize>, values: &BTreeSet<String>) {
    for v in values {
        if let Some(n) = counts.get_mut(v) {
            *n -= 1;
            if *n == 0 {
                counts.remove(v);
            }
        }
    }
}

impl Vocab {
    /// Sets what `doc` contributes, replacing its previous contribution.
    pub fn set(&mut self, doc: &str, v: DocVocab) {
        if let Some(old) = self.docs.get(doc) {
            if *old == v {
                return;
            }
            count_out(&mut self.canonicals, &old.canonicals);
            count_out(&mut self.propositions, &old.propositions);
        }
        count_in(&mut self.canonicals, &v.canonicals);
        count_in(&mut self.propositions, &v.propositions);
        self.docs.insert(doc.to_owned(), v);
        self.lists = None;
    }

    /// Forgets a document (it left the corpus).
    pub fn remove(&mut self, doc: &str) {
        if let Some(old) = self.docs.remove(doc) {
            count_out(&mut self.canonicals, &old.canonicals);
            count_out(&mut self.propositions, &old.propositions);
            self.lists = None;
        }
    }

    /// The merged lists; rebuilt only after a contribution changed.
    pub fn lists(&mut self) -> Arc<VocabLists> {
        if let Some(l) = &self.lists {
            return l.clone();
        }
        let mut cross: Vec<(String, Relation)> = self
            .docs
            .iter()
            .flat_map(|(d, v)| v.cross.iter().map(move |r| (d.clone(), r.clone())))
            .collect();
        cross.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
        let lists = Arc::new(VocabLists {
            canonicals: self.canonicals.keys().cloned().collect(),
            propositions: self.propositions.keys().cloned().collect(),
            cross,
        });
        self.lists = Some(lists.clone());
        lists
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::index::CorpusIndex;
    use crate::model::{Annotation, Claim, Span, Target};

    fn ann(id: &str, kind: Kind) -> Annotation {
        Annotation::new(
            id.into(),
            vec![Span::new(0, 1)],
            ("x".into(), String::new(), String::new()),
            "L",
            kind,
            "t",
            "2026-01-01T00:00:00Z",
        )
    }

    fn entity(id: &str, canonical: Option<&str>) -> Annotation {
        ann(
            id,
            Kind::Entity {
                canonical: canonical.map(str::to_owned),
            },
        )
    }

    fn claim(id: &str, prop: Option<&str>) -> Annotation {
        ann(
            id,
            Kind::Claim(Box::new(Claim {
                proposition: prop.map(str::to_owned),
                ..Default::default()
            })),
        )
    }

    fn doc(anns: Vec<Annotation>, cross_to: Option<&str>) -> DocAnnotations {
        let mut d = DocAnnotations {
            annotations: anns,
            ..Default::default()
        };
        if let Some(to) = cross_to {
            d.relations.push(Relation {
                id: "r1".into(),
                from: d.annotations[0].id.clone(),
                to: Target {
                    doc: Some(to.into()),
                    id: "far".into(),
                },
                kind: "supports".into(),
                ..Default::default()
            });
        }
        d
    }

    /// The incremental lists must always equal what a full index build finds.
    fn assert_matches_index(vocab: &mut Vocab, docs: &[(&str, &DocAnnotations)]) {
        let idx = CorpusIndex::build(docs.iter().copied());
        let lists = vocab.lists();
        assert_eq!(
            lists.canonicals,
            idx.canonicals.iter().cloned().collect::<Vec<_>>()
        );
        assert_eq!(
            lists.propositions,
            idx.propositions.iter().cloned().collect::<Vec<_>>()
        );
        let mut cross = idx.cross.clone();
        cross.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
        assert_eq!(lists.cross, cross);
    }

    #[test]
    fn updates_one_document_at_a_time_like_a_full_build() {
        let a1 = doc(
            vec![
                entity("e1", Some("Q1")),
                entity("e2", Some("Q2")),
                claim("c1", Some("p")),
            ],
            Some("b.txt"),
        );
        let b1 = doc(vec![entity("e1", Some("Q1")), claim("c1", Some("q"))], None);
        let mut v = Vocab::default();
        v.set("a.txt", DocVocab::of(&a1));
        v.set("b.txt", DocVocab::of(&b1));
        assert_matches_index(&mut v, &[("a.txt", &a1), ("b.txt", &b1)]);

        // Q2 and p leave with a's edit; Q1 stays because b still uses it.
        let a2 = doc(vec![entity("e1", None), claim("c1", None)], None);
        v.set("a.txt", DocVocab::of(&a2));
        assert_matches_index(&mut v, &[("a.txt", &a2), ("b.txt", &b1)]);
        assert_eq!(v.lists().canonicals, vec!["Q1".to_owned()]);

        v.remove("b.txt");
        assert_matches_index(&mut v, &[("a.txt", &a2)]);
        assert!(v.lists().canonicals.is_empty());
    }

    #[test]
    fn an_unchanged_contribution_keeps_the_lists() {
        let a = doc(vec![entity("e1", Some("Q1"))], None);
        let mut v = Vocab::default();
        v.set("a.txt", DocVocab::of(&a));
        let first = v.lists();
        v.set("a.txt", DocVocab::of(&a));
        assert!(Arc::ptr_eq(&first, &v.lists()));
    }
}
