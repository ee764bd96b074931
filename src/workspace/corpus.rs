//! The open corpus as the workspace holds it: its listing, tag set, what is
//! known of documents not open, the vocabulary and the corpus-wide index.

use std::collections::HashMap;
use std::path::PathBuf;

use compact_str::CompactString;

use crate::model::vocab::{DocVocab, Vocab};
use crate::model::{DocAnnotations, Status, TagSet};
use crate::store::corpus::DocEntry;

/// What the document list shows for a document not open yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocSummary {
    /// Number of annotations.
    pub count: usize,
    /// Workflow status.
    pub status: Status,
    /// True when the sidecar could not be read.
    pub broken: bool,
}

/// The open corpus.
pub struct CorpusView {
    /// Its root folder.
    pub root: PathBuf,
    /// Sources, in natural order.
    pub entries: Vec<DocEntry>,
    /// The tag set in force.
    pub tagset: TagSet,
    /// Why the corpus tag set was not used, if it was not.
    pub tagset_error: Option<String>,
    /// Counts and statuses per document, filled in the background.
    pub summaries: HashMap<String, DocSummary>,
    /// The annotations of documents not open in a session, as read from disk
    /// (an open document's annotations live in its session only), trimmed to
    /// what the corpus views read: no context, notes, attributes, annotator or
    /// times. Never saved from; an edit opens the document from disk. Change it
    /// through [`Self::set_disk`] and [`Self::remove_disk`] so the vocabulary
    /// and the claims comparison follow.
    pub disk: HashMap<String, std::sync::Arc<DocAnnotations>>,
    /// Counts changes to `disk`, so a view can tell in one comparison whether
    /// anything read from disk changed since it last looked.
    pub disk_changes: u64,
    /// For each document in `disk`, the value of `disk_changes` when it was set.
    pub disk_stamp: HashMap<String, u64>,
    /// Canonical ids, propositions and cross-document relations of the corpus.
    pub vocab: Vocab,
    /// Which session state each document's vocabulary entry was taken from.
    pub vocab_seen: HashMap<String, (u64, u64)>,
    /// Corpus-wide index and the corpus version it was built for.
    pub index: Option<(IndexKey, std::sync::Arc<crate::model::index::CorpusIndex>)>,
    /// The state of the annotations an index is being built for in the background.
    pub index_job: Option<IndexKey>,
}

/// Which state of the corpus an index was built from: the corpus version,
/// the number of open documents and the sum of their edit versions.
pub type IndexKey = (u64, usize, u64);

impl CorpusView {
    /// Display name of the corpus folder.
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.root.display().to_string())
    }

    /// A path named `name` in the folder that holds the corpus folder: where
    /// exports go by default, since an export inside the corpus is refused.
    pub fn beside(&self, name: &str) -> String {
        self.root
            .parent()
            .unwrap_or(&self.root)
            .join(name)
            .display()
            .to_string()
    }

    /// Records the annotations of a document that is not open, as on disk.
    pub fn set_disk(&mut self, rel: String, mut data: DocAnnotations) {
        // A corpus of 200,000 annotations is held here whole; the fields no corpus
        // view shows are a third of its memory.
        for a in &mut data.annotations {
            for s in [&mut a.prefix, &mut a.suffix, &mut a.note] {
                *s = String::new();
            }
            for s in [&mut a.annotator, &mut a.created, &mut a.modified] {
                *s = CompactString::default();
            }
            a.attributes.clear();
            a.extra.clear();
        }
        data.annotations.shrink_to_fit();
        data.extra.clear();
        self.vocab.set(&rel, DocVocab::of(&data));
        self.vocab_seen.remove(&rel);
        self.disk_changes += 1;
        self.disk_stamp.insert(rel.clone(), self.disk_changes);
        self.disk.insert(rel, std::sync::Arc::new(data));
    }

    /// Forgets the annotations of a document as on disk: it is open in a
    /// session now, which holds them.
    pub fn remove_disk(&mut self, rel: &str) {
        if self.disk.remove(rel).is_some() {
            self.disk_changes += 1;
            self.disk_stamp.remove(rel);
        }
    }

    /// Index of a document in the list.
    pub fn index_of(&self, rel: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.rel == rel)
    }
}

/// Which state of a document its cells were computed from: a session's
/// (epoch, version), or the stamp of the annotations read from disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CellKey {
    /// An open document.
    Session(u64, u64),
    /// A document as on disk, by its `CorpusView::disk_stamp`.
    Disk(u64),
}

/// One document's contribution to the comparison.
#[derive(Clone, Debug, Default)]
pub struct DocCells {
    /// Its claims.
    pub cells: Vec<std::sync::Arc<crate::model::comparison::ClaimCell>>,
    /// Its `contradicts` relations between claims.
    pub contradicts: Vec<(
        crate::model::comparison::ClaimRef,
        crate::model::comparison::ClaimRef,
    )>,
}
