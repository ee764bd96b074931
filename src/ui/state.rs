//! UI state kept apart from document state: per-document sessions (the open
//! document and its save state) and the analyst's preferences.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::model::anchor::ReanchorReport;
use crate::model::vocab::{DocVocab, Vocab};
use crate::model::{AnnId, DocAnnotations, Document, Edit, Span, Status, TagSet};
use crate::store::corpus::{DiskStamp, DocEntry, LoadedDoc};
use compact_str::CompactString;

use super::reader::{ReaderState, Selection};

/// Preferences kept between runs (eframe persistence). Preferences only:
/// annotations live in the sidecars, never here.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Reading text size in points.
    pub font_size: f32,
    /// Snap selections to word edges.
    pub snap_words: bool,
    /// Folders opened recently, newest first.
    pub recent: Vec<PathBuf>,
    /// Last document read in each folder.
    pub last_doc: BTreeMap<String, String>,
    /// Name recorded on new annotations.
    pub annotator: String,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            font_size: 17.0,
            snap_words: true,
            recent: Vec::new(),
            last_doc: BTreeMap::new(),
            annotator: String::new(),
        }
    }
}

impl Prefs {
    /// Puts `folder` first in the recent list (at most ten kept).
    pub fn remember(&mut self, folder: &Path) {
        self.recent.retain(|p| p != folder);
        self.recent.insert(0, folder.to_path_buf());
        self.recent.truncate(10);
    }
}

/// Where a save of a session stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is on disk.
    Saved,
    /// Edits wait for the autosave.
    Pending,
    /// A save is running.
    Saving,
    /// The last save failed; edits are kept in memory.
    Failed(String),
}

static NEXT_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Modification times of a document's source, sidecar and edit journal.
pub type FileTimes = (Option<SystemTime>, Option<SystemTime>, Option<SystemTime>);

/// An open document with everything the workbench tracks about it.
pub struct Session {
    /// The source text (shared with the saver thread).
    pub doc: Arc<Document>,
    /// Its annotations.
    pub data: DocAnnotations,
    /// Bumped on every change of `data`, to refresh caches.
    pub version: u64,
    /// Unique per session made, so caches keyed on `(epoch, version)` see a
    /// reloaded document as new even though its version starts again at 1.
    pub epoch: u64,
    /// Version last written to disk.
    pub saved_version: u64,
    /// Version of the save in flight, if any.
    pub in_flight: Option<u64>,
    /// When the first unsaved edit happened.
    pub dirty_since: Option<Instant>,
    /// The last save error, if the last save failed.
    pub save_error: Option<String>,
    /// Why edits are refused, if they are.
    pub read_only: Option<String>,
    /// What re-anchoring did when the source had changed.
    pub reanchor: Option<ReanchorReport>,
    /// Encoding the source was read in, and whether it was guessed.
    pub encoding: (&'static str, bool),
    /// Sidecar version to write.
    pub file_version: (u32, u32),
    /// Edits applied since the state last written (to the sidecar or its journal),
    /// each with the version it produced: when they are the only change, a save
    /// appends them to the journal instead of rewriting the sidecar.
    pub unsaved_edits: Vec<(u64, Edit)>,
    /// The last version whose change no edit describes (loaded from a journal,
    /// re-anchored, kept over a conflict): saves are full until one covers it.
    pub unrecorded: Option<u64>,
    /// When `data` last changed; the journal is folded into the sidecar after a pause.
    pub last_change: Instant,
    /// Not before this time is a failed fold of the journal tried again.
    pub compact_retry: Option<Instant>,
    /// The sidecar and its journal on disk as last seen by us.
    pub stamp: DiskStamp,
    /// Modification times of source, sidecar and journal when last checked.
    pub mtimes: FileTimes,
    /// The source file is gone from disk (deleted or moved while open): edits are
    /// refused and nothing is written beside it until it is back.
    pub source_missing: bool,
}

impl Session {
    /// Wraps a freshly loaded document.
    pub fn new(loaded: LoadedDoc, mtimes: FileTimes) -> Self {
        // A journal loaded with the document is folded in after a pause, like one this
        // session wrote (another window may still be appending to it). Re-anchored
        // places, or a journal that cannot take more lines, need a full save now.
        let needs_save = loaded.read_only.is_none()
            && (loaded.reanchor.as_ref().is_some_and(|r| !r.is_clean())
                || loaded.stamp.journal.is_some() && !loaded.journal_appendable);
        Self {
            doc: Arc::new(loaded.doc),
            data: loaded.data,
            version: 1,
            epoch: NEXT_EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            saved_version: if needs_save { 0 } else { 1 },
            in_flight: None,
            dirty_since: needs_save.then(Instant::now),
            save_error: None,
            read_only: loaded.read_only,
            reanchor: loaded.reanchor.filter(|r| !r.is_clean()),
            encoding: (loaded.encoding, loaded.encoding_guessed),
            file_version: loaded.version,
            unsaved_edits: Vec::new(),
            unrecorded: needs_save.then_some(1),
            last_change: Instant::now(),
            compact_retry: None,
            stamp: loaded.stamp,
            mtimes,
            source_missing: false,
        }
    }

    /// True when edits are not yet on disk.
    pub fn is_dirty(&self) -> bool {
        self.saved_version != self.version
    }

    /// Records an edit just applied to `data` (as `History` or `apply` returned it).
    pub fn record(&mut self, applied: Edit) {
        self.version += 1;
        self.unsaved_edits.push((self.version, applied));
        self.changed();
    }

    /// Notes a change of `data` that no recorded edit describes: the next save rewrites the sidecar.
    pub fn record_unrecorded(&mut self) {
        self.version += 1;
        self.unrecorded = Some(self.version);
        self.changed();
    }

    fn changed(&mut self) {
        self.dirty_since.get_or_insert_with(Instant::now);
        self.last_change = Instant::now();
    }

    /// True when the edit journal beside the sidecar holds edits of this document
    /// that are not yet written into the sidecar itself.
    pub fn journal_pending(&self) -> bool {
        self.stamp.journal.as_ref().is_some_and(|j| j.applied)
    }

    /// True when the next save can be an append to the edit journal: the
    /// unsaved edits are all that changed, and the journal beside the sidecar is ours.
    pub fn can_append(&self) -> bool {
        let ours = self.stamp.journal.as_ref().is_none_or(|j| j.applied);
        self.is_dirty() && self.unrecorded.is_none() && ours && !self.unsaved_edits.is_empty()
    }

    /// The edits an append to the journal would save (see [`Self::can_append`]).
    pub fn journal_edits(&self) -> Option<Vec<Edit>> {
        self.can_append()
            .then(|| self.unsaved_edits.iter().map(|(_, e)| e.clone()).collect())
    }

    /// What the status bar says about saving. Folding the journal into the
    /// sidecar is not saving: the edits are on disk already.
    pub fn save_state(&self) -> SaveState {
        if let Some(e) = &self.save_error {
            SaveState::Failed(e.clone())
        } else if self.is_dirty() && self.in_flight.is_some() {
            SaveState::Saving
        } else if self.is_dirty() {
            SaveState::Pending
        } else {
            SaveState::Saved
        }
    }
}

/// How one open document is shown: the reader's layout caches, the text
/// selection and the selected annotation. Kept apart from [`Session`], which is
/// the document's data and save state.
#[derive(Default)]
pub struct DocView {
    /// Reader caches.
    pub reader: ReaderState,
    /// Text selection.
    pub selection: Selection,
    /// Selected annotation.
    pub selected: Option<AnnId>,
}

impl DocView {
    /// A view of `doc` at its top, nothing selected.
    pub fn new(doc: &Document) -> Self {
        Self {
            reader: ReaderState::new(doc),
            ..Default::default()
        }
    }

    /// The selected text range, if not empty.
    pub fn selected_span(&self) -> Option<Span> {
        let s = self.selection.span();
        (!s.is_empty()).then_some(s)
    }
}

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
    /// through [`Self::set_disk`] so the vocabulary follows.
    pub disk: HashMap<String, std::sync::Arc<DocAnnotations>>,
    /// Canonical ids, propositions and cross-document relations of the corpus.
    pub vocab: Vocab,
    /// Which session state each document's vocabulary entry was taken from.
    pub vocab_seen: HashMap<String, (u64, u64)>,
    /// Corpus-wide index and the corpus version it was built for.
    pub index: Option<(IndexKey, std::sync::Arc<crate::model::index::CorpusIndex>)>,
    /// The index being built in the background for a newer corpus version.
    pub index_job: Option<(
        IndexKey,
        std::sync::mpsc::Receiver<crate::model::index::CorpusIndex>,
    )>,
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
        self.disk.insert(rel, std::sync::Arc::new(data));
    }

    /// Index of a document in the list.
    pub fn index_of(&self, rel: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.rel == rel)
    }
}

/// The find bar's state.
#[derive(Default)]
pub struct FindState {
    /// True while the bar is shown.
    pub open: bool,
    /// What to look for.
    pub query: String,
    /// Match case exactly.
    pub match_case: bool,
    /// Only whole words.
    pub whole_word: bool,
    /// Matches in the current document.
    pub matches: Vec<Span>,
    /// The current match.
    pub current: Option<usize>,
    /// Label used by "Annotate all".
    pub label: String,
    /// (query, case, word, doc, version) the matches were computed for.
    pub computed_for: Option<(String, bool, bool, String, u64)>,
    /// Ask the query field to take focus next frame.
    pub focus_query: bool,
}
