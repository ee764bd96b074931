//! One queue for background work: reading a document, the document list's
//! summaries, the corpus index, an export, a folder picker. A job runs on a
//! thread of its own and reports [`Done`] results on one channel; the
//! workbench takes them each frame ([`Jobs::poll`]) and is woken when one
//! arrives, so nothing polls on a timer. Saving has its own worker
//! (`saver.rs`): saves are ordered per document and must finish before quitting.
//!
//! A new kind of background work adds a [`Done`] variant and the code that
//! takes it in the workbench's `tick`.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::model::DocAnnotations;
use crate::model::index::CorpusIndex;
use crate::store::corpus::{LoadError, LoadedDoc};

use super::{DocSummary, FileTimes, IndexKey};

/// What a folder picker was opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// A corpus folder to open.
    OpenFolder,
    /// A folder to save a copy of the corpus into.
    CopyFolder,
}

/// A result of background work.
pub enum Done {
    /// A document was read. `ticket` tells a wanted load from one given up.
    Loaded {
        /// The document.
        rel: String,
        /// The ticket the load was started with.
        ticket: u64,
        /// The document and its files' modification times, or why not.
        result: Box<Result<(LoadedDoc, FileTimes), LoadError>>,
    },
    /// The beginning of a long document being read (the first page of a
    /// PDF), to show until [`Done::Loaded`] brings the whole.
    Preview {
        /// The document.
        rel: String,
        /// The ticket the load was started with.
        ticket: u64,
        /// What was read so far.
        preview: Box<crate::store::extract::Preview>,
    },
    /// One document's list summary and annotations as on disk.
    Summary {
        /// The folder generation it was read for (see `Workspace::folder`).
        folder: u64,
        /// The document.
        rel: String,
        /// Its counts and status.
        summary: DocSummary,
        /// Its annotations, when its sidecar could be read.
        data: Option<DocAnnotations>,
    },
    /// The corpus index was built.
    Index {
        /// The folder generation it was built for.
        folder: u64,
        /// The state of the annotations it was built from.
        key: IndexKey,
        /// The index.
        index: CorpusIndex,
    },
    /// Claim cells of documents for the comparison were computed.
    Claims {
        /// The folder generation they were computed for.
        folder: u64,
        /// (document, the state they were computed from, its cells).
        docs: Vec<(String, super::CellKey, super::DocCells)>,
    },
    /// Suggestion work finished: learning, suggesting or saving rejections.
    Suggest(Box<super::suggest::SuggestDone>),
    /// An export finished: a summary, or why it failed.
    Exported(Result<String, String>),
    /// The team's git work reported.
    Team(TeamDone),
    /// A folder picker closed.
    Picked {
        /// What it was for.
        purpose: Pick,
        /// The folder chosen, if one was.
        path: Option<PathBuf>,
        /// How long it was open: an instant answer means no dialog was shown.
        open_for: Duration,
    },
}

type Wake = Arc<Mutex<Option<Arc<dyn Fn() + Send + Sync>>>>;

/// The queue: start jobs, take their results.
pub struct Jobs {
    tx: Sender<Done>,
    rx: Receiver<Done>,
    wake: Wake,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            wake: Default::default(),
        }
    }
}

/// What the team's git work reports (see `crate::team`).
pub enum TeamDone {
    /// Where the corpus stands with git.
    Status {
        /// The folder generation it was read for.
        folder: u64,
        /// How far the folder is set up for merging annotations.
        setup: crate::team::setup::State,
        /// Whether to ask the analyst to set it up now (see `setup::worth_offering`).
        offer: bool,
        /// Branch, unshared work and others' changes, or why not.
        status: Result<crate::team::sync::Status, String>,
        /// Branches to pick versions from, with their last committer and date.
        branches: Vec<(String, String)>,
    },
    /// A step of a sync began.
    Step(crate::team::sync::Step),
    /// A sync ended.
    Synced(Result<crate::team::sync::Report, crate::team::sync::SyncError>),
    /// Set-up finished: the changes made, or why not.
    SetUp(Result<crate::team::setup::Report, String>),
    /// Other versions of a document were read for adjudication.
    Versions {
        /// The document.
        rel: String,
        /// Where each version comes from.
        sources: Vec<crate::team::versions::Source>,
        /// Their annotations, in the same order, or why not.
        result: Result<Vec<DocAnnotations>, String>,
    },
    /// The agreement of those versions over the whole corpus was pooled.
    CorpusTally {
        /// The adjudicated document.
        rel: String,
        /// The pooled figures.
        tally: crate::agree::adjudicate::CorpusTally,
    },
}

/// What a running job reports through.
pub struct Reporter {
    tx: Sender<Done>,
    wake: Wake,
}

impl Reporter {
    /// Sends a result and wakes the workbench. False when nobody listens any
    /// more (the workbench is gone): the job should stop.
    pub fn send(&self, done: Done) -> bool {
        let sent = self.tx.send(done).is_ok();
        if let Some(wake) = self.wake.lock().ok().and_then(|w| w.clone()) {
            wake();
        }
        sent
    }
}

impl Jobs {
    /// Calls `wake` whenever a result arrives (the workbench asks for a frame).
    pub fn set_wake(&self, wake: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut w) = self.wake.lock() {
            *w = Some(Arc::new(wake));
        }
    }

    /// Runs `work` on a thread named `name`; it reports through the [`Reporter`].
    pub fn spawn(&self, name: &str, work: impl FnOnce(&Reporter) + Send + 'static) -> Result<(), String> {
        let reporter = Reporter {
            tx: self.tx.clone(),
            wake: self.wake.clone(),
        };
        std::thread::Builder::new()
            .name(format!("marginalia-{name}"))
            .spawn(move || work(&reporter))
            .map(drop)
            .map_err(|e| format!("could not start a background task ({e})"))
    }

    /// The results that arrived since the last call, in order.
    pub fn poll(&self) -> Vec<Done> {
        self.rx.try_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    #[test]
    fn results_arrive_in_order_and_wake_the_workbench() {
        let jobs = Jobs::default();
        let woken = Arc::new(AtomicUsize::new(0));
        let w = woken.clone();
        jobs.set_wake(move || {
            w.fetch_add(1, Ordering::SeqCst);
        });
        jobs.spawn("test", |r| {
            for n in 0..3 {
                r.send(Done::Exported(Ok(n.to_string())));
            }
        })
        .unwrap();
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while got.len() < 3 && Instant::now() < deadline {
            got.extend(jobs.poll().into_iter().map(|d| match d {
                Done::Exported(Ok(s)) => s,
                _ => unreachable!(),
            }));
            std::thread::yield_now();
        }
        assert_eq!(got, ["0", "1", "2"]);
        assert_eq!(woken.load(Ordering::SeqCst), 3);
    }
}
