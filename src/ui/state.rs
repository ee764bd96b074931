//! The workbench's own state: how each open document is shown (`DocView`), the
//! find bar and the analyst's preferences. The documents themselves are the
//! workspace's (re-exported here for the views).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{AnnId, Document, Span};

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

pub use crate::workspace::{CorpusView, DocSummary, FileTimes, IndexKey, SaveState, Session};

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
