//! Corpus-wide views of the annotations: the index (entities, claims) and the
//! vocabulary (canonical ids, propositions, relations across documents), built
//! from open documents' sessions and the rest as on disk.

use std::sync::Arc;

use crate::model::index::CorpusIndex;
use crate::model::vocab::{DocVocab, VocabLists};

use super::jobs::Done;
use super::{IndexKey, Workspace};

impl Workspace {
    /// The corpus-wide index (entities, claims), rebuilt only when some annotations changed.
    ///
    /// Below [`Workspace::index_sync_limit`] annotations it is rebuilt at once;
    /// from it on, in the background, and this returns the previous index (empty
    /// before the first) until the new one is taken in ([`Workspace::take_index`]);
    /// see [`Self::index_pending`].
    pub fn index(&mut self) -> Arc<CorpusIndex> {
        let key = self.index_key();
        let folder = self.folder;
        let Some(c) = self.corpus.as_mut() else {
            return Default::default();
        };
        if let Some((k, idx)) = &c.index
            && *k == key
        {
            return idx.clone();
        }
        let stale = c.index.as_ref().map(|(_, idx)| idx.clone()).unwrap_or_default();
        if c.index_job.is_some() {
            // One build at a time; the next starts from the state it finds.
            return stale;
        }
        // An open document's annotations live in its session, the others' on disk.
        let sessions = &self.sessions;
        let data_of = |rel: &str| {
            sessions
                .get(rel)
                .map(|s| &s.data)
                .or_else(|| c.disk.get(rel).map(|d| &**d))
        };
        let annotations: usize = c
            .entries
            .iter()
            .filter_map(|e| data_of(&e.rel))
            .map(|d| d.annotations.len())
            .sum();
        if annotations < self.index_sync_limit {
            let docs = c
                .entries
                .iter()
                .filter_map(|e| Some((e.rel.as_str(), data_of(&e.rel)?)));
            let idx = Arc::new(CorpusIndex::build(docs));
            c.index = Some((key, idx.clone()));
            return idx;
        }
        // Documents on disk are shared; open ones are copied as they are now.
        let docs: Vec<(String, Arc<crate::model::DocAnnotations>)> = c
            .entries
            .iter()
            .filter_map(|e| {
                let data = match sessions.get(&e.rel) {
                    Some(s) => Arc::new(s.data.clone()),
                    None => c.disk.get(&e.rel)?.clone(),
                };
                Some((e.rel.clone(), data))
            })
            .collect();
        let started = self.jobs.spawn("index", move |out| {
            let index = CorpusIndex::build(docs.iter().map(|(r, d)| (r.as_str(), &**d)));
            out.send(Done::Index { folder, key, index });
        });
        if started.is_ok() {
            c.index_job = Some(key);
        }
        stale
    }

    /// Takes in an index built in the background (for this folder).
    pub fn take_index(&mut self, folder: u64, key: IndexKey, index: CorpusIndex) {
        if folder != self.folder {
            return;
        }
        if let Some(c) = self.corpus.as_mut() {
            c.index = Some((key, Arc::new(index)));
            c.index_job = None;
        }
    }

    /// True while the index shown is older than the annotations and a newer one
    /// is being built.
    pub fn index_pending(&self) -> bool {
        let key = self.index_key();
        self.corpus
            .as_ref()
            .is_some_and(|c| c.index_job.is_some() && c.index.as_ref().is_none_or(|(k, _)| *k != key))
    }

    fn index_key(&self) -> IndexKey {
        (
            self.corpus_version,
            self.sessions.len(),
            self.sessions.values().map(|s| s.version).sum::<u64>(),
        )
    }

    /// Canonical ids, propositions and cross-document relations of the whole
    /// corpus, for the inspector. Updated for the documents whose annotations
    /// changed since the last call, so it is cheap on every frame.
    pub fn vocab(&mut self) -> Arc<VocabLists> {
        let Some(c) = self.corpus.as_mut() else {
            return Default::default();
        };
        for (rel, s) in &self.sessions {
            let key = (s.epoch, s.version);
            if c.vocab_seen.get(rel) != Some(&key) {
                c.vocab.set(rel, DocVocab::of(&s.data));
                c.vocab_seen.insert(rel.clone(), key);
            }
        }
        c.vocab.lists()
    }

    /// The text of annotation `id` in document `rel`, from its session or as on disk.
    pub fn quote_of(&self, rel: &str, id: &str) -> Option<&str> {
        let data = match self.sessions.get(rel) {
            Some(s) => &s.data,
            None => self.corpus.as_ref()?.disk.get(rel)?,
        };
        data.get(id).map(|a| a.quote.as_str())
    }

    /// The words before and after an annotation (its stored selector), for
    /// showing a mention in context.
    pub fn context_of(&self, rel: &str, id: &str) -> Option<(&str, &str)> {
        let data = match self.sessions.get(rel) {
            Some(s) => &s.data,
            None => self.corpus.as_ref()?.disk.get(rel)?,
        };
        data.get(id).map(|a| (a.prefix.as_str(), a.suffix.as_str()))
    }
}
