//! The workspace: what is open and how it reaches the disk, with no egui. The
//! open corpus (`corpus.rs`), its open documents (`session.rs`: data and save
//! state, apart from how the workbench shows them) and the background saver
//! (`saver.rs`). The workbench (`ui`) draws them and sends them commands.

pub mod corpus;
pub mod saver;
pub mod session;

pub use corpus::{CorpusView, DocSummary, IndexKey};
pub use session::{FileTimes, SaveState, Session};
