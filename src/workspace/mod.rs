//! The workspace: what is open and how it reaches the disk, with no egui. The
//! open corpus (`corpus.rs`), its open documents (`session.rs`: data and save
//! state, apart from how the workbench shows them) and the background saver
//! (`saver.rs`). The workbench (`ui`) draws them and sends them commands.

pub mod change;
pub mod claims;
pub mod corpus;
pub mod index;
pub mod jobs;
pub mod saver;
pub mod session;
pub mod suggest;
pub mod sync;

pub use change::{Applied, Change};
pub use corpus::{CellKey, CorpusView, DocCells, DocSummary, IndexKey};
pub use session::{FileTimes, SaveState, Session};

/// What is open: the corpus, its open documents, the one undo history, and the
/// thread that writes them to disk.
pub struct Workspace {
    /// The open corpus.
    pub corpus: Option<CorpusView>,
    /// Open documents (their data and save state), kept across switches.
    pub sessions: std::collections::HashMap<String, Session>,
    /// Undo and redo of every edit, in one document or across the corpus.
    pub history: crate::model::History,
    /// Writes documents off the UI thread.
    pub(crate) saver: saver::Saver,
    /// Background work other than saving.
    pub jobs: jobs::Jobs,
    /// Bumped whenever a folder is opened, so results of work started for the
    /// previous one are told apart and dropped.
    pub folder: u64,
    /// Bumped whenever annotations of a document not open change (read in the
    /// background), to refresh the corpus index.
    pub corpus_version: u64,
    /// Below this many annotations in the corpus, the index is rebuilt at once
    /// when they change; from it on, in the background while the views show the
    /// previous one (200,000 annotations take about 0.2 s).
    pub index_sync_limit: usize,
    /// The claims comparison and the per-document cells it was built from.
    pub(crate) claims: claims::ClaimsCache,
    /// Suggestions: what was learned, what was rejected, what is shown.
    pub suggest: suggest::SuggestState,
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            corpus: None,
            sessions: Default::default(),
            history: Default::default(),
            saver: Default::default(),
            jobs: Default::default(),
            folder: 0,
            corpus_version: 0,
            index_sync_limit: 20_000,
            claims: Default::default(),
            suggest: Default::default(),
        }
    }
}
