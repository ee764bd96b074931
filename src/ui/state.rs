//! The workbench's own state: how each open document is shown (`DocView`), the
//! find bar and the analyst's preferences. The documents themselves are the
//! workspace's (re-exported here for the views).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};

use crate::agree::Disagreement;
use crate::formats::Format;
use crate::model::bidi::TextDirection;
use crate::model::{AnnId, DocAnnotations, Document, Span};

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
    /// Light, dark or as the system is.
    pub theme: super::theme::ThemeChoice,
    /// Paragraph direction chosen for a document, by [`Prefs::doc_key`]; a
    /// document not listed follows its text. A way of viewing, like the text
    /// size, so it lives here rather than in the sidecar.
    pub directions: BTreeMap<String, TextDirection>,
    /// Which kinds of suggestion are shown (View menu).
    pub suggestions: crate::model::suggest::Enabled,
    /// Dim the running headers, footers and page numbers of paged sources (PDF).
    pub dim_furniture: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            font_size: 17.0,
            snap_words: true,
            recent: Vec::new(),
            last_doc: BTreeMap::new(),
            annotator: String::new(),
            theme: Default::default(),
            directions: BTreeMap::new(),
            suggestions: Default::default(),
            dim_furniture: true,
        }
    }
}

impl Prefs {
    /// The key of document `rel` of the folder at `root` in per-document preferences.
    pub fn doc_key(root: &Path, rel: &str) -> String {
        format!("{}/{rel}", root.display())
    }

    /// The paragraph direction chosen for a document (automatic unless set).
    pub fn direction(&self, root: &Path, rel: &str) -> TextDirection {
        self.directions
            .get(&Self::doc_key(root, rel))
            .copied()
            .unwrap_or_default()
    }

    /// Sets a document's paragraph direction; automatic is not stored.
    pub fn set_direction(&mut self, root: &Path, rel: &str, dir: TextDirection) {
        let key = Self::doc_key(root, rel);
        if dir == TextDirection::Auto {
            self.directions.remove(&key);
        } else {
            self.directions.insert(key, dir);
        }
    }

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
    /// Selected relation (one of the selected annotation's), which Delete removes.
    pub selected_relation: Option<AnnId>,
    /// The current suggestion, which Enter accepts and Backspace rejects.
    pub suggestion: Option<crate::model::suggest::Suggestion>,
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

/// UI state of the board.
#[derive(Clone, Debug, Default)]
pub struct BoardState {
    /// Filter over every column.
    pub filter: String,
    /// Column sorted by, and whether descending.
    pub sort: (usize, bool),
    /// Group rows by proposition key.
    pub grouped: bool,
    /// Row whose proposition is being edited, and the typed key.
    pub editing: Option<(String, String, String)>,
}

/// Sort orders of the index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Most mentions first.
    #[default]
    Mentions,
    /// Most documents first.
    Documents,
    /// Alphabetical.
    Name,
}

/// UI state of the entity index.
#[derive(Clone, Debug, Default)]
pub struct EntityIndexState {
    /// Filter on key, label or mention text.
    pub filter: String,
    /// Sort order.
    pub sort: SortBy,
    /// Group whose rename field is open, and the typed name.
    pub renaming: Option<(String, String)>,
    /// Merge offers groups of every label, not only those sharing one.
    pub merge_any_label: bool,
}

/// One document compared across two corpus copies.
pub struct Comparison {
    /// The other copy's root folder.
    pub other: PathBuf,
    /// Document path.
    pub rel: String,
    /// The text (the same in both copies).
    pub doc: Arc<Document>,
    /// This copy's annotations.
    pub a: DocAnnotations,
    /// The other copy's annotations.
    pub b: DocAnnotations,
    /// Where they differ, in text order.
    pub disagreements: Vec<Disagreement>,
    /// The disagreement shown, if one was picked.
    pub current: Option<usize>,
    pub(crate) reader_a: ReaderState,
    pub(crate) reader_b: ReaderState,
    pub(crate) sel_a: Selection,
    pub(crate) sel_b: Selection,
}

/// An export under way.
pub struct Running {
    pub(crate) done: Arc<AtomicUsize>,
    pub(crate) total: Arc<AtomicUsize>,
    pub(crate) cancel: Arc<AtomicBool>,
}

/// State of the export window.
pub struct ExportDialog {
    /// Chosen format.
    pub format: Format,
    /// Destination file (or folder for brat).
    pub path: String,
    /// Only documents marked done.
    pub only_done: bool,
    /// Replace an existing destination.
    pub force: bool,
    /// W3C: the web address the sources are published under; empty for their
    /// place on this computer.
    pub base_uri: String,
    /// CSV: write cells a spreadsheet would run as formulas as they are.
    pub csv_formulas: bool,
    /// The export in progress, if any.
    pub running: Option<Running>,
    /// Outcome of the last run: Ok(summary) or Err(message).
    pub outcome: Option<Result<String, String>>,
}

/// One occurrence offered by "annotate all occurrences in the corpus".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Document path.
    pub doc: String,
    /// Where it is.
    pub span: Span,
    /// Up to 40 characters before it.
    pub before: String,
    /// The matched text.
    pub text: String,
    /// Up to 40 characters after it.
    pub after: String,
    /// True when the span already carries the label.
    pub already: bool,
    /// Whether the analyst keeps it.
    pub ticked: bool,
}

/// The state of the propagation preview.
#[derive(Clone, Debug, Default)]
pub struct Propagation {
    /// Text to look for.
    pub text: String,
    /// Label to apply.
    pub label: String,
    /// Match case exactly.
    pub match_case: bool,
    /// Whole words only.
    pub whole_word: bool,
    /// What was found.
    pub rows: Vec<Occurrence>,
    /// (text, case, word) the rows were computed for.
    pub computed_for: Option<(String, bool, bool)>,
}

/// Filters and what is open in the Propositions tab.
#[derive(Clone, Debug)]
pub struct PropositionsState {
    /// Words to look for in quotes, speakers, outlets, labels and keys.
    pub filter: String,
    /// Only claims of this outlet (or document, where no outlet is recorded).
    pub outlet: String,
    /// Only claims of this speaker.
    pub speaker: String,
    /// Only claims published on or after this date (`YYYY-MM-DD`).
    pub from: String,
    /// Only claims published on or before this date.
    pub to: String,
    /// Contested propositions first.
    pub contested_first: bool,
    /// The proposition whose detail is shown.
    pub open: Option<String>,
    /// The value being corrected.
    pub editing: ValueEdit,
}

impl PropositionsState {
    /// What the rows shown depend on: the comparison (by address) and the filters.
    pub fn cache_key(&self, comparison: usize) -> (usize, String) {
        (
            comparison,
            format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                self.filter, self.outlet, self.speaker, self.from, self.to, self.contested_first
            ),
        )
    }
}

impl Default for PropositionsState {
    fn default() -> Self {
        Self {
            filter: String::new(),
            outlet: String::new(),
            speaker: String::new(),
            from: String::new(),
            to: String::new(),
            contested_first: true,
            open: None,
            editing: None,
        }
    }
}

/// The value being corrected: ((document, id), typed text, error).
pub type ValueEdit = Option<((String, String), String, Option<String>)>;

/// What the tab shows for one state of the comparison and the filters.
pub struct Shown {
    /// What it was computed for (see [`PropositionsState::cache_key`]).
    pub key: (usize, String),
    /// The propositions shown, with the claims that pass the filters.
    pub rows: Vec<crate::model::comparison::PropositionRow>,
    /// Every outlet (or document without one) with a claim.
    pub outlets: std::collections::BTreeSet<String>,
    /// Every speaker of a claim.
    pub speakers: std::collections::BTreeSet<String>,
}
