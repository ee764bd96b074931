//! An open document as the workspace tracks it: its text and annotations, and
//! where saving it stands. How it is shown is the workbench's (`ui::state::DocView`).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::model::anchor::ReanchorReport;
use crate::model::{DocAnnotations, Document, Edit};
use crate::store::corpus::{DiskStamp, LoadedDoc};

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
