//! The workspace: what is open and how it reaches the disk, with no egui. The
//! open corpus (`corpus.rs`), its open documents (`session.rs`: data and save
//! state, apart from how the workbench shows them) and the background saver
//! (`saver.rs`). The workbench (`ui`) draws them and sends them commands.

pub mod change;
pub mod corpus;
pub mod saver;
pub mod session;
pub mod sync;

pub use change::{Applied, Change};
pub use corpus::{CorpusView, DocSummary, IndexKey};
pub use session::{FileTimes, SaveState, Session};

/// What is open: the corpus, its open documents, the one undo history, and the
/// thread that writes them to disk.
#[derive(Default)]
pub struct Workspace {
    /// The open corpus.
    pub corpus: Option<CorpusView>,
    /// Open documents (their data and save state), kept across switches.
    pub sessions: std::collections::HashMap<String, Session>,
    /// Undo and redo of every edit, in one document or across the corpus.
    pub history: crate::model::History,
    /// Writes documents off the UI thread.
    pub(crate) saver: saver::Saver,
}
