//! Background saving: sidecars are rendered and written, and edits appended
//! to their journals, off the UI thread, so a frame never waits for the disk.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};

use crate::model::{DocAnnotations, Document, Edit};
use crate::store::corpus::{DiskStamp, SaveError, save};
use crate::store::journal;

/// One save to perform.
pub struct SaveJob {
    /// Corpus root.
    pub root: PathBuf,
    /// The source document.
    pub doc: Arc<Document>,
    /// What to write.
    pub work: SaveWork,
    /// What the sidecar and its journal on disk should be now; anything else is a conflict.
    pub expected: DiskStamp,
    /// Which edit generation this job saves, to tell stale results apart.
    pub generation: u64,
}

/// What a [`SaveJob`] writes.
pub enum SaveWork {
    /// Rewrite the sidecar with these annotations, folding in the journal
    /// (`store::corpus::save`).
    Full {
        /// Annotations to write.
        data: DocAnnotations,
        /// Sidecar version to write.
        version: (u32, u32),
    },
    /// Append these edits, applied in this order since the expected state, to
    /// the journal (`store::journal::append`).
    Append(Vec<Edit>),
}

/// The outcome of a [`SaveJob`].
pub struct SaveResult {
    /// Document path relative to the root.
    pub rel: String,
    /// Generation that was saved (or failed).
    pub generation: u64,
    /// True for a full save (the sidecar rewritten), false for a journal append.
    pub full: bool,
    /// New stamp, or why the save failed.
    pub outcome: Result<DiskStamp, SaveFailure>,
}

/// Why a background save failed.
#[derive(Clone, Debug)]
pub enum SaveFailure {
    /// Someone else changed the sidecar.
    Conflict(String),
    /// Anything else (read-only, disk full, permissions), as a message.
    Other(String),
}

/// The saving thread and its channels.
pub struct Saver {
    jobs: Sender<SaveJob>,
    results: Receiver<SaveResult>,
    stall: Arc<Stall>,
}

/// Test hook: while held, background I/O (saving, loading) waits before touching
/// the disk, as on a hung network drive.
#[derive(Default)]
pub(crate) struct Stall {
    held: Mutex<bool>,
    released: Condvar,
}

impl Stall {
    /// Blocks the calling (background) thread while the stall is held.
    pub(crate) fn wait_while_held(&self) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        while *held {
            held = self.released.wait(held).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Holds or releases waiting threads.
    pub(crate) fn set(&self, held: bool) {
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = held;
        self.released.notify_all();
    }
}

impl Default for Saver {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Saver {
    /// Starts the thread; `wake` is called after each save so the UI can repaint.
    pub fn new(wake: Option<Box<dyn Fn() + Send>>) -> Self {
        let (jobs, job_rx) = channel::<SaveJob>();
        let (res_tx, results) = channel();
        let stall = Arc::new(Stall::default());
        let thread_stall = stall.clone();
        std::thread::Builder::new()
            .name("marginalia-saver".into())
            .spawn(move || {
                // Test hook: a slow disk, to show that frames keep flowing while saving.
                let delay = std::env::var("MARGINALIA_SAVE_DELAY_MS")
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok());
                while let Ok(job) = job_rx.recv() {
                    if let Some(ms) = delay {
                        std::thread::sleep(std::time::Duration::from_millis(ms));
                    }
                    thread_stall.wait_while_held();
                    let full = matches!(job.work, SaveWork::Full { .. });
                    let outcome = match &job.work {
                        SaveWork::Full { data, version } => {
                            save(&job.root, &job.doc, data, *version, &job.expected)
                        }
                        SaveWork::Append(edits) => journal::append(&job.root, &job.doc, edits, &job.expected),
                    };
                    let outcome = outcome.map_err(|e| match e {
                        SaveError::Conflict(_) => SaveFailure::Conflict(e.to_string()),
                        other => SaveFailure::Other(other.to_string()),
                    });
                    let sent = res_tx.send(SaveResult {
                        rel: job.doc.path.clone(),
                        generation: job.generation,
                        full,
                        outcome,
                    });
                    if sent.is_err() {
                        break;
                    }
                    if let Some(w) = &wake {
                        w();
                    }
                }
            })
            .expect("the saver thread starts");
        Self { jobs, results, stall }
    }

    /// Test hook for a disk that does not answer: while `held` is true, saves
    /// queue up and none is written; releasing lets them run. Lets tests show
    /// that frames keep coming while a save waits, without depending on timing.
    pub fn hold(&self, held: bool) {
        self.stall.set(held);
    }

    /// Queues a save.
    pub fn submit(&self, job: SaveJob) {
        let _ = self.jobs.send(job);
    }

    /// Results that arrived since the last call.
    pub fn poll(&self) -> Vec<SaveResult> {
        self.results.try_iter().collect()
    }

    /// Waits up to `timeout` for one result (used when quitting).
    pub fn wait(&self, timeout: std::time::Duration) -> Option<SaveResult> {
        self.results.recv_timeout(timeout).ok()
    }
}
