//! The workbench application: owns the corpus, the open sessions and the
//! preferences, turns input into edits, and schedules saves.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::{AnnId, Span, Status, words};
use crate::store::corpus::{self, sidecar_path};
use crate::store::journal::Replayed;

use super::actions::{self, Action};
use super::command::Command;
use super::reader::{ReaderView, Selection};
use super::saver::Saver;
use super::state::{CorpusView, DocSummary, DocView, FileTimes, FindState, Prefs, Session};
use crate::workspace::Change;
use crate::workspace::sync::{SyncEvent, file_mtimes};

/// How often the open document's files are checked for outside changes.
const WATCH_EVERY: Duration = Duration::from_millis(1000);
/// How often a frame looks for a document being read in the background.
const LOAD_POLL: Duration = Duration::from_millis(30);
/// A folder picker that answers faster than this never showed a window.
pub(crate) const PICKER_MIN_TIME: Duration = Duration::from_millis(250);

/// A question the analyst must answer before work goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// The sidecar or source changed on disk while there were unsaved edits.
    ExternalChange {
        /// Document concerned.
        rel: String,
        /// What changed, in words.
        what: String,
    },
    /// Type a folder path (no picker, or the analyst asked for it).
    TypePath {
        /// Why the dialog is shown.
        reason: String,
        /// The path being typed.
        text: String,
        /// Error from the last attempt.
        error: Option<String>,
    },
    /// The other corpus copy to compare the current document with.
    CompareWith {
        /// The path being typed.
        text: String,
        /// Error from the last attempt.
        error: Option<String>,
    },
    /// Where to write the claims board as CSV.
    ExportCsv {
        /// The path being typed.
        text: String,
        /// Error from the last attempt.
        error: Option<String>,
    },
    /// Ask the analyst's name, recorded on annotations.
    Annotator {
        /// The name being typed.
        text: String,
    },
    /// Leaving the folder with edits that could not be saved (see `ui::leaving`).
    Unsaved {
        /// The folder typed or picked for a copy of the corpus.
        copy_to: String,
        /// Why the last copy failed.
        error: Option<String>,
    },
}

/// How the "Open folder" picker behaves; tests replace the real dialog.
pub enum PickerMode {
    /// The rfd folder dialog, on a background thread.
    System,
    /// No picker can be shown (as on a machine without a desktop portal).
    Unavailable,
}

/// The Marginalia workbench.
pub struct MarginaliaApp {
    /// What is open and how it reaches the disk (see `crate::workspace`).
    pub ws: crate::workspace::Workspace,
    /// Path of the document shown, relative to the root.
    pub current: Option<String>,
    /// How each open document is shown (reader caches, selection), kept apart
    /// from its data.
    pub views: HashMap<String, DocView>,
    /// Preferences.
    pub prefs: Prefs,
    /// Find bar.
    pub find: FindState,
    /// Filter text of the document list.
    pub filter: String,
    /// A pending question.
    pub prompt: Option<Prompt>,
    /// A message shown in the window (errors opening things, notices).
    pub notice: Option<String>,
    /// The shortcut list is shown.
    pub show_help: bool,
    /// Picker behaviour.
    pub picker_mode: PickerMode,
    /// The annotation a "pick in text" click will choose, and for what.
    pub picking: Option<PickTarget>,
    /// The document being read on a background thread, if one is.
    loading: Option<Loading>,
    /// Test hook holding background loads, see [`MarginaliaApp::hold_loads`].
    load_stall: std::sync::Arc<super::saver::Stall>,
    picker: Option<(Receiver<Option<PathBuf>>, Instant)>,
    summaries_rx: Option<Receiver<Found>>,
    /// Documents the background summary reader leaves out because they are being
    /// opened: their loader reads the sidecar anyway, and reading a large one twice
    /// at once doubled the memory and time of opening it.
    summaries_skip: Arc<Mutex<HashSet<String>>>,
    /// Sends one more summary into [`Self::summaries_rx`] (for a document whose
    /// opening failed after the summary reader had left it out).
    summaries_tx: Option<Sender<Found>>,
    last_watch: Instant,
    title: String,
    /// Bumped whenever any document's annotations change, to refresh the corpus index.
    pub corpus_version: u64,
    /// The "annotate all occurrences in the corpus" preview, while open.
    pub propagation: Option<super::corpus_ops::Propagation>,
    /// Which view the central area shows.
    pub tab: Tab,
    /// Entity index filter and sort.
    pub entity_index: super::entity_index::EntityIndexState,
    /// Claims board filter, sort and grouping.
    pub board: super::claims_board::BoardState,
    /// Claims (document, id) waiting to be written as CSV once a path is chosen.
    pub pending_csv: Vec<(String, AnnId)>,
    /// The export window, while open.
    pub export: Option<super::export_dialog::ExportDialog>,
    /// The side-by-side comparison, while open.
    pub compare: Option<super::compare::Comparison>,
    /// Below this many annotations in the corpus, the index is rebuilt at once
    /// when they change; from it on, in the background while the views show the
    /// previous one (200,000 annotations take about 0.2 s).
    pub index_sync_limit: usize,
    /// Quitting or switching folders, while saves finish or the analyst decides.
    pub leave: super::leaving::LeaveState,
}

/// The views of the central area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The document reader.
    Reader,
    /// Every entity in the corpus.
    Entities,
    /// Every claim in the corpus.
    Claims,
    /// One document compared with another analyst's copy.
    Compare,
}

/// What a "pick in text" click sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickTarget {
    /// The speaker of this claim.
    Speaker(AnnId),
    /// The far end of a new relation of this type from this annotation.
    RelationTo {
        /// Annotation the relation starts from.
        from: AnnId,
        /// Relation type.
        kind: String,
    },
}

impl MarginaliaApp {
    /// A workbench with no corpus open.
    pub fn new(prefs: Prefs) -> Self {
        Self {
            ws: Default::default(),
            current: None,
            views: HashMap::new(),
            prefs,
            find: FindState::default(),
            filter: String::new(),
            prompt: None,
            notice: None,
            show_help: false,
            picker_mode: PickerMode::System,
            picking: None,
            loading: None,
            load_stall: Default::default(),
            picker: None,
            summaries_rx: None,
            summaries_skip: Default::default(),
            summaries_tx: None,
            last_watch: Instant::now(),
            title: String::new(),
            corpus_version: 0,
            propagation: None,
            tab: Tab::Reader,
            entity_index: Default::default(),
            board: Default::default(),
            pending_csv: Vec::new(),
            export: None,
            compare: None,
            index_sync_limit: 20_000,
            leave: Default::default(),
        }
    }

    /// Lets the saver wake the UI when a save finishes.
    pub fn set_repaint_hook(&mut self, ctx: &egui::Context) {
        let ctx = ctx.clone();
        self.ws.saver = Saver::new(Some(Box::new(move || ctx.request_repaint())));
    }

    /// Test hook: holds (`true`) or releases background saves, to simulate a disk
    /// that hangs. See [`Saver::hold`].
    pub fn hold_saves(&self, held: bool) {
        self.ws.saver.hold(held);
    }

    /// Test hook: holds (`true`) or releases background loads of documents, to
    /// simulate a disk that hangs while a document is opened.
    pub fn hold_loads(&self, held: bool) {
        self.load_stall.set(held);
    }

    /// The document being read in the background, if one is.
    pub fn loading(&self) -> Option<&str> {
        self.loading.as_ref().map(|l| l.rel.as_str())
    }

    /// The name recorded on new annotations.
    pub fn annotator(&self) -> String {
        if self.prefs.annotator.trim().is_empty() {
            std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "analyst".into())
        } else {
            self.prefs.annotator.clone()
        }
    }

    // ---- corpus and documents ----

    /// Opens a corpus folder at its first document (or the one last read there).
    /// Opens `folder` as the corpus. With edits of the open folder not yet on
    /// disk, they are saved first, and the analyst is asked about any that
    /// cannot be (see `ui::leaving`).
    pub fn open_folder(&mut self, folder: &Path) {
        if self.ws.corpus.is_some() && !self.ws.sessions.is_empty() {
            self.leave_for(super::leaving::Leaving::OpenFolder(folder.to_path_buf()));
        } else {
            self.open_folder_now(folder);
        }
    }

    /// Opens `folder` at once; what is still unsaved of the folder open now is
    /// only submitted for saving.
    pub(crate) fn open_folder_now(&mut self, folder: &Path) {
        self.ws.flush_all();
        let root = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
        let (entries, skipped) = match corpus::scan_report(&root) {
            Ok(s) => (s.entries, s.skipped),
            Err(e) => {
                self.notice = Some(format!(
                    "Could not open {}: {e}. Choose another folder with File → Open folder….",
                    folder.display()
                ));
                return;
            }
        };
        let (tagset, tagset_error) = match corpus::load_tagset(&root) {
            Ok(t) => (t, None),
            Err(e) => (crate::model::TagSet::builtin(), Some(e)),
        };
        // Freeing a large corpus (hundreds of thousands of annotations) takes a
        // noticeable fraction of a second; the new folder should not wait for it.
        let old = (
            std::mem::take(&mut self.ws.sessions),
            std::mem::take(&mut self.views),
            self.ws.corpus.take(),
            self.summaries_rx.take(),
        );
        let _ = std::thread::Builder::new()
            .name("marginalia-free".into())
            .spawn(move || drop(old));
        self.current = None;
        self.loading = None;
        self.ws.history = Default::default();
        self.propagation = None;
        let mut notes = Vec::new();
        if entries.is_empty() {
            notes.push(format!(
                "{} holds no .txt, .md or .text files. Open another folder with File → Open folder….",
                root.display()
            ));
        }
        if let Err(e) = crate::store::safe_file::probe_writable(&root) {
            notes.push(format!(
                "{} cannot be written ({e}), so annotations made here cannot be saved. Fix the folder's permissions, or open a writable copy of it.",
                root.display()
            ));
        }
        if !skipped.is_empty() {
            let shown: Vec<String> = skipped
                .iter()
                .take(5)
                .map(|s| format!("{} ({})", s.rel, s.reason))
                .collect();
            let more = skipped.len().saturating_sub(5);
            notes.push(format!(
                "Left out of the list: {}{}.",
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        self.notice = (!notes.is_empty()).then(|| notes.join(" "));
        self.prefs.remember(&root);
        let key = root.display().to_string();
        let start = self
            .prefs
            .last_doc
            .get(&key)
            .filter(|rel| entries.iter().any(|e| &e.rel == *rel))
            .cloned()
            .or_else(|| entries.first().map(|e| e.rel.clone()));
        // Marked before the summary reader starts, so it never reads the first document.
        self.summaries_skip = Arc::new(Mutex::new(start.iter().cloned().collect()));
        let (tx, rx) = channel();
        spawn_summaries(&root, &entries, tx.clone(), self.summaries_skip.clone());
        self.summaries_rx = Some(rx);
        self.summaries_tx = Some(tx);
        self.ws.corpus = Some(CorpusView {
            root,
            entries,
            tagset,
            tagset_error,
            summaries: HashMap::new(),
            disk: HashMap::new(),
            vocab: Default::default(),
            vocab_seen: HashMap::new(),
            index: None,
            index_job: None,
        });
        if let Some(rel) = start {
            self.open_document(&rel);
        }
    }

    /// Shows a document. One not open yet is read on a background thread, so a
    /// slow disk or a large file never stalls a frame: the reader says it is
    /// loading, and the document appears when it is ready (see [`Self::tick`]).
    pub fn open_document(&mut self, rel: &str) {
        if let Some(cur) = self.current.clone()
            && cur != rel
        {
            self.ws.flush(&cur);
        }
        let Some(corpus) = &self.ws.corpus else { return };
        if self.ws.sessions.contains_key(rel) {
            // A load still running for another document is dropped: its result is not wanted.
            self.loading = None;
            self.show_loaded(rel);
            return;
        }
        if self.loading.as_ref().is_some_and(|l| l.rel == rel) {
            return;
        }
        let (tx, rx) = channel();
        let (root, rel_owned, stall) = (corpus.root.clone(), rel.to_owned(), self.load_stall.clone());
        if let Ok(mut skip) = self.summaries_skip.lock() {
            skip.insert(rel.to_owned());
        }
        let spawned = std::thread::Builder::new()
            .name("marginalia-loader".into())
            .spawn(move || {
                stall.wait_while_held();
                let result = corpus::load(&root, &rel_owned).map(|l| (l, file_mtimes(&root, &rel_owned)));
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            self.notice = Some(format!("Could not start reading {rel}: {e}. Try again."));
            return;
        }
        let previous = match self.loading.take() {
            Some(l) => l.previous,
            None => self.current.clone(),
        };
        self.loading = Some(Loading {
            rel: rel.to_owned(),
            rx,
            previous,
        });
        self.current = Some(rel.to_owned());
        self.find.computed_for = None;
    }

    /// Opens a document at once, reading it on this thread if it is not open yet.
    /// For actions that need its annotations in the same step (following a
    /// relation, setting a status from the list); navigation uses [`Self::open_document`].
    pub fn open_document_now(&mut self, rel: &str) -> bool {
        if let Some(cur) = self.current.clone()
            && cur != rel
        {
            self.ws.flush(&cur);
        }
        if let Err(e) = self.ws.open_session(rel) {
            self.notice = Some(format!("{e}. Pick another document from the list."));
            return false;
        }
        self.loading = None;
        self.show_loaded(rel);
        true
    }

    fn show_loaded(&mut self, rel: &str) {
        self.current = Some(rel.to_owned());
        if let Some(s) = self.ws.sessions.get(rel) {
            self.views
                .entry(rel.to_owned())
                .or_insert_with(|| DocView::new(&s.doc));
        }
        if let Some(c) = &self.ws.corpus {
            self.prefs
                .last_doc
                .insert(c.root.display().to_string(), rel.to_owned());
        }
        self.find.computed_for = None;
    }

    /// Takes the result of a background load when it has arrived.
    fn poll_loading(&mut self, ctx: &egui::Context) {
        let Some(l) = &self.loading else { return };
        let result = match l.rx.try_recv() {
            Ok(r) => r,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                // The loader has no handle on the context; look again soon.
                ctx.request_repaint_after(LOAD_POLL);
                return;
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(corpus::LoadError::Io(
                PathBuf::from(&l.rel),
                std::io::Error::other("the reading thread stopped"),
            )),
        };
        let Some(l) = self.loading.take() else { return };
        match result {
            Ok((loaded, mtimes)) => {
                if !self.ws.sessions.contains_key(&l.rel) {
                    let summary = DocSummary {
                        count: loaded.data.annotations.len(),
                        status: loaded.data.status,
                        broken: loaded.read_only.is_some(),
                    };
                    self.views.insert(l.rel.clone(), DocView::new(&loaded.doc));
                    self.ws
                        .sessions
                        .insert(l.rel.clone(), Session::new(loaded, mtimes));
                    if let Some(c) = self.ws.corpus.as_mut() {
                        c.disk.remove(&l.rel);
                        // The summary reader may have left this document out.
                        c.summaries.insert(l.rel.clone(), summary);
                    }
                }
                if self.current.as_deref() == Some(l.rel.as_str()) {
                    self.show_loaded(&l.rel);
                }
            }
            Err(e) => {
                self.notice = Some(format!("{e}. Pick another document from the list."));
                // The summary reader may have left it out; its list entry still needs one.
                if let (Some(c), Some(tx)) = (&self.ws.corpus, &self.summaries_tx)
                    && !c.summaries.contains_key(&l.rel)
                {
                    let (root, rel, tx) = (c.root.clone(), l.rel.clone(), tx.clone());
                    let _ = std::thread::Builder::new()
                        .name("marginalia-summary".into())
                        .spawn(move || {
                            let _ = tx.send(read_summary(&root, rel));
                        });
                }
                if self.current.as_deref() == Some(l.rel.as_str()) {
                    self.current = l.previous.filter(|p| self.ws.sessions.contains_key(p));
                }
            }
        }
    }

    /// The corpus-wide index (entities, claims), rebuilt only when some annotations changed.
    ///
    /// On a large corpus the rebuild runs in the background and this returns the
    /// previous index (empty before the first) until it is done; see
    /// [`Self::index_pending`].
    pub fn index(&mut self) -> Arc<crate::model::index::CorpusIndex> {
        let key = self.index_key();
        let Some(c) = self.ws.corpus.as_mut() else {
            return Default::default();
        };
        if let Some((k, rx)) = &c.index_job {
            match rx.try_recv() {
                Ok(idx) => {
                    c.index = Some((*k, Arc::new(idx)));
                    c.index_job = None;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => c.index_job = None,
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            }
        }
        if let Some((k, idx)) = &c.index
            && *k == key
        {
            return idx.clone();
        }
        let stale = || c.index.as_ref().map(|(_, idx)| idx.clone()).unwrap_or_default();
        if c.index_job.is_some() {
            // One build at a time; the next starts from the state it finds.
            return stale();
        }
        // An open document's annotations live in its session, the others' on disk.
        let data_of = |rel: &str| {
            self.ws
                .sessions
                .get(rel)
                .map(|s| &s.data)
                .or_else(|| c.disk.get(rel).map(|d| &**d))
        };
        let annotations: usize = c
            .entries
            .iter()
            .filter_map(|e| data_of(&e.rel))
            .map(|d| d.annotations.len())
            .sum();
        if annotations < self.index_sync_limit {
            let docs = c
                .entries
                .iter()
                .filter_map(|e| Some((e.rel.as_str(), data_of(&e.rel)?)));
            let idx = Arc::new(crate::model::index::CorpusIndex::build(docs));
            c.index = Some((key, idx.clone()));
            c.index_job = None;
            return idx;
        }
        // Documents on disk are shared; open ones are copied as they are now.
        let docs: Vec<(String, Arc<crate::model::DocAnnotations>)> = c
            .entries
            .iter()
            .filter_map(|e| {
                let data = match self.ws.sessions.get(&e.rel) {
                    Some(s) => Arc::new(s.data.clone()),
                    None => c.disk.get(&e.rel)?.clone(),
                };
                Some((e.rel.clone(), data))
            })
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("marginalia-index".into())
            .spawn(move || {
                let idx =
                    crate::model::index::CorpusIndex::build(docs.iter().map(|(r, d)| (r.as_str(), &**d)));
                let _ = tx.send(idx);
            });
        if spawned.is_ok() {
            c.index_job = Some((key, rx));
        }
        stale()
    }

    /// True while the index shown is older than the annotations and a newer one
    /// is being built.
    pub fn index_pending(&self) -> bool {
        let key = self.index_key();
        self.ws
            .corpus
            .as_ref()
            .is_some_and(|c| c.index_job.is_some() && c.index.as_ref().is_none_or(|(k, _)| *k != key))
    }

    fn index_key(&self) -> super::state::IndexKey {
        (
            self.corpus_version,
            self.ws.sessions.len(),
            self.ws.sessions.values().map(|s| s.version).sum::<u64>(),
        )
    }

    /// Canonical ids, propositions and cross-document relations of the whole
    /// corpus, for the inspector. Updated for the documents whose annotations
    /// changed since the last call, so it is cheap on every frame.
    pub fn vocab(&mut self) -> std::sync::Arc<crate::model::vocab::VocabLists> {
        let Some(c) = self.ws.corpus.as_mut() else {
            return Default::default();
        };
        for (rel, s) in &self.ws.sessions {
            let key = (s.epoch, s.version);
            if c.vocab_seen.get(rel) != Some(&key) {
                c.vocab.set(rel, crate::model::vocab::DocVocab::of(&s.data));
                c.vocab_seen.insert(rel.clone(), key);
            }
        }
        c.vocab.lists()
    }

    /// The text of annotation `id` in document `rel`, from its session or as on disk.
    pub fn quote_of(&self, rel: &str, id: &str) -> Option<&str> {
        let data = match self.ws.sessions.get(rel) {
            Some(s) => &s.data,
            None => self.ws.corpus.as_ref()?.disk.get(rel)?,
        };
        data.get(id).map(|a| a.quote.as_str())
    }

    /// The session shown.
    pub fn session(&self) -> Option<&Session> {
        self.ws.sessions.get(self.current.as_deref()?)
    }

    /// How the document shown is shown.
    pub fn view(&self) -> Option<&DocView> {
        self.views.get(self.current.as_deref()?)
    }

    /// How the document shown is shown, mutably.
    pub fn view_mut(&mut self) -> Option<&mut DocView> {
        let cur = self.current.clone()?;
        self.views.get_mut(&cur)
    }

    /// The session shown, mutably.
    pub fn session_mut(&mut self) -> Option<&mut Session> {
        let cur = self.current.clone()?;
        self.ws.sessions.get_mut(&cur)
    }

    /// Moves `delta` documents through the (filtered) list.
    pub fn step_document(&mut self, delta: isize) {
        let list = self.visible_documents();
        if list.is_empty() {
            return;
        }
        let pos = self
            .current
            .as_ref()
            .and_then(|c| list.iter().position(|r| r == c))
            .map_or(0, |p| {
                (p as isize + delta).clamp(0, list.len() as isize - 1) as usize
            });
        let rel = list[pos].clone();
        self.open_document(&rel);
    }

    /// Documents passing the list filter, in order.
    pub fn visible_documents(&self) -> Vec<String> {
        let Some(c) = &self.ws.corpus else {
            return Vec::new();
        };
        let f = self.filter.to_lowercase();
        c.entries
            .iter()
            .filter(|e| f.is_empty() || e.rel.to_lowercase().contains(&f))
            .map(|e| e.rel.clone())
            .collect()
    }

    // ---- edits ----

    /// Selects the next (`forward`) or previous annotation in reading order.
    pub fn step_annotation(&mut self, forward: bool) {
        let Some(rel) = self.current.clone() else { return };
        let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel)) else {
            return;
        };
        let n = s.data.annotations.len();
        if n == 0 {
            return;
        }
        let pos = v.selected.as_ref().and_then(|id| s.data.position(id));
        let next = match (pos, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(p), true) => (p + 1) % n,
            (Some(p), false) => (p + n - 1) % n,
        };
        let a = &s.data.annotations[next];
        v.selected = Some(a.id.clone());
        v.reader.scroll_to = Some(a.extent().start);
        v.selection = Selection::caret(a.extent().start);
    }

    /// Handles a click in the text: selects the annotation under it, cycling
    /// through overlapping ones on repeated clicks.
    pub fn click_at(&mut self, cp: usize) {
        let Some(rel) = self.current.clone() else { return };
        let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel)) else {
            return;
        };
        let hits: Vec<AnnId> = s.data.at(cp).into_iter().map(|a| a.id.clone()).collect();
        v.selected = match (&v.selected, hits.is_empty()) {
            (_, true) => None,
            (Some(cur), false) => match hits.iter().position(|h| h == cur) {
                Some(p) => Some(hits[(p + 1) % hits.len()].clone()),
                None => Some(hits[0].clone()),
            },
            (None, false) => Some(hits[0].clone()),
        };
    }

    /// Handles a "pick in text" click.
    pub fn pick_at(&mut self, cp: usize) {
        let Some(target) = self.picking.take() else { return };
        let (Some(doc), Some(s)) = (self.current.clone(), self.session()) else {
            return;
        };
        let hits = s.data.at(cp);
        match target {
            PickTarget::RelationTo { from, kind } => match hits.iter().find(|a| a.id != from) {
                Some(to) => {
                    let to = to.id.clone();
                    self.run(Command::AddRelation {
                        from,
                        doc: None,
                        to,
                        kind,
                    });
                }
                None => {
                    self.notice =
                        Some("No annotation there. Click inside another annotation to link to it.".into())
                }
            },
            PickTarget::Speaker(claim) => match hits.iter().find(|a| !a.kind.is_claim()) {
                Some(entity) => {
                    let entity = entity.id.clone();
                    self.change(Change::SetSpeaker { doc, claim, entity });
                }
                None => {
                    self.notice =
                        Some("No entity there. Tag the speaker as an entity first, then pick it.".into())
                }
            },
        }
    }

    /// Opens the propagation preview for the selected annotation's text and label,
    /// or for the selected text with the first label.
    pub fn start_propagation(&mut self) {
        let (Some(s), Some(v)) = (self.session(), self.view()) else {
            return;
        };
        let (text, label) = if let Some(span) = v.selected_span() {
            let label = v
                .selected
                .as_ref()
                .and_then(|id| s.data.get(id))
                .map(|a| a.label.to_string())
                .or_else(|| {
                    self.ws
                        .corpus
                        .as_ref()
                        .and_then(|c| c.tagset.labels.first().map(|l| l.name.clone()))
                })
                .unwrap_or_default();
            (s.doc.slice(span).to_owned(), label)
        } else if let Some(a) = v.selected.as_ref().and_then(|id| s.data.get(id)) {
            (a.quote.to_string(), a.label.to_string())
        } else {
            self.notice = Some(
                "Select some text or an annotation first; its text is then looked for in every document."
                    .into(),
            );
            return;
        };
        self.propagation = Some(super::corpus_ops::Propagation {
            text,
            label,
            whole_word: true,
            ..Default::default()
        });
    }

    /// Asks where to write the given board rows as CSV.
    pub fn start_board_export(&mut self, rows: &[crate::model::index::ClaimRow]) {
        self.pending_csv = rows.iter().map(|r| (r.doc.clone(), r.id.clone())).collect();
        let default = self
            .ws
            .corpus
            .as_ref()
            .map(|c| c.beside(&format!("{}-claims.csv", c.name())))
            .unwrap_or_default();
        self.prompt = Some(Prompt::ExportCsv {
            text: default,
            error: None,
        });
    }

    /// Writes the pending board rows as CSV to `path` (the same code as `marginalia export --format csv`).
    pub fn write_board_csv(&mut self, path: &str) -> Result<String, String> {
        let path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            return Err("Type a file path first.".into());
        }
        for (rel, _) in self.pending_csv.clone() {
            self.ws.open_session(&rel)?;
        }
        let rows = self.pending_csv.iter().filter_map(|(rel, id)| {
            let s = self.ws.sessions.get(rel)?;
            Some(crate::export::csv::ClaimRow {
                doc: &s.doc,
                data: &s.data,
                claim: s.data.get(id)?,
            })
        });
        let text = crate::export::csv::claims_csv(rows);
        crate::store::atomic::write_atomic(&path, text.as_bytes()).map_err(|e| {
            format!(
                "Could not write {}: {e}. Choose a folder you can write to.",
                path.display()
            )
        })?;
        let n = self.pending_csv.len();
        self.pending_csv.clear();
        self.prompt = None;
        Ok(format!("Wrote {n} claims to {}.", path.display()))
    }

    /// Shows the far end of a relation: opens its document if it is elsewhere,
    /// selects the annotation and scrolls to it.
    pub fn follow(&mut self, doc: Option<&str>, id: &str) {
        if let Some(d) = doc
            && self.current.as_deref() != Some(d)
            && !self.open_document_now(d)
        {
            return;
        }
        let start = self.session().map(|s| s.data.get(id).map(|a| a.extent().start));
        if let (Some(start), Some(v)) = (start, self.view_mut()) {
            match start {
                Some(start) => {
                    v.selected = Some(id.into());
                    v.reader.scroll_to = Some(start);
                }
                None => {
                    self.notice = Some(format!(
                        "The annotation {id} is no longer there; the relation points nowhere."
                    ))
                }
            }
        }
    }

    /// Recomputes find matches when the query or the document changed.
    pub fn refresh_find(&mut self) {
        let Some(s) = self.session() else { return };
        let key = (
            self.find.query.clone(),
            self.find.match_case,
            self.find.whole_word,
            s.doc.path.clone(),
            s.version,
        );
        if self.find.computed_for.as_ref() == Some(&key) {
            return;
        }
        self.find.matches = words::find_all(
            &s.doc,
            &self.find.query,
            self.find.match_case,
            self.find.whole_word,
        );
        self.find.current = if self.find.matches.is_empty() {
            None
        } else {
            Some(0)
        };
        self.find.computed_for = Some(key);
    }

    /// Moves to the next or previous find match.
    pub fn step_match(&mut self, forward: bool) {
        let n = self.find.matches.len();
        if n == 0 {
            return;
        }
        let i = match self.find.current {
            None => 0,
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
        };
        self.find.current = Some(i);
        let m = self.find.matches[i];
        if let Some(v) = self.view_mut() {
            v.reader.scroll_to = Some(m.start);
            v.selection = Selection {
                anchor: m.start,
                focus: m.end,
            };
        }
    }

    // ---- saving and outside changes ----

    /// Take the version on disk, dropping unsaved edits of `rel`.
    pub fn reload(&mut self, rel: &str) {
        match self.ws.reload_document(rel) {
            Ok(()) => {
                // The text may have changed: fresh layout, the selection kept.
                let selection = self.views.get(rel).map(|v| v.selection).unwrap_or_default();
                let view = DocView {
                    selection,
                    ..DocView::new(&self.ws.sessions[rel].doc)
                };
                self.views.insert(rel.to_owned(), view);
            }
            Err(e) => self.notice = Some(e),
        }
        self.prompt = None;
        self.find.computed_for = None;
    }

    /// Keep the analyst's version of `rel`: write it over the file changed outside.
    pub fn keep_mine(&mut self, rel: &str) {
        self.ws.keep_mine(rel);
        self.prompt = None;
    }

    /// Looks, about once a second, for changes others made to the shown document.
    fn watch_files(&mut self) {
        if self.last_watch.elapsed() < WATCH_EVERY {
            return;
        }
        self.last_watch = Instant::now();
        let Some(rel) = self.current.clone() else { return };
        if self.prompt.is_some() {
            return;
        }
        if let Some(event) = self.ws.check_disk(&rel) {
            self.on_sync_event(event);
        }
    }

    /// Tells the analyst what disk sync found, or asks.
    fn on_sync_event(&mut self, event: SyncEvent) {
        match event {
            SyncEvent::Ask { rel, what } => self.prompt = Some(Prompt::ExternalChange { rel, what }),
            SyncEvent::Reloaded { rel, what } => {
                self.reload(&rel);
                self.notice = Some(format!("Reloaded {rel}: {what}."));
            }
            SyncEvent::SourceMissing { message } => self.notice = Some(message),
            SyncEvent::SourceBack => self.notice = None,
        }
    }

    /// Work done every frame before drawing: finished saves, autosave, outside changes, background results.
    pub fn tick(&mut self, ctx: &egui::Context) {
        self.poll_loading(ctx);
        for r in self.ws.saver.poll() {
            if let Some(event) = self.ws.apply_save_result(r) {
                self.on_sync_event(event);
            }
        }
        if let Some(wait) = self.ws.autosave() {
            ctx.request_repaint_after(wait);
        }
        self.watch_files();
        ctx.request_repaint_after(WATCH_EVERY);
        if let Some(rx) = &self.summaries_rx
            && let Some(c) = self.ws.corpus.as_mut()
        {
            for found in rx.try_iter() {
                c.summaries.insert(found.rel.clone(), found.summary);
                if let Some(data) = found.data
                    && !self.ws.sessions.contains_key(&found.rel)
                {
                    c.set_disk(found.rel, data);
                }
                self.corpus_version += 1;
            }
        }
        self.poll_picker();
        self.handle_dropped_files(ctx);
        // Last: a folder picked or dropped in this frame is left for at once.
        self.poll_leaving(ctx);
        self.update_title(ctx);
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match (&self.ws.corpus, &self.current) {
            (Some(c), Some(d)) => format!("{} — {} — Marginalia", d, c.name()),
            (Some(c), None) => format!("{} — Marginalia", c.name()),
            _ => "Marginalia".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The window title as last set.
    pub fn title(&self) -> &str {
        &self.title
    }

    // ---- folder picking ----

    /// "Open folder…": the system picker off the UI thread, or the typed-path dialog.
    pub fn start_open_folder(&mut self) {
        match self.picker_mode {
            PickerMode::Unavailable => self.ask_for_path("No folder picker is available on this system."),
            PickerMode::System => {
                if self.picker.is_some() {
                    return;
                }
                let (tx, rx) = channel();
                let spawned = std::thread::Builder::new()
                    .name("marginalia-picker".into())
                    .spawn(move || {
                        let picked = rfd::FileDialog::new()
                            .set_title("Open a corpus folder")
                            .pick_folder();
                        let _ = tx.send(picked);
                    });
                match spawned {
                    Ok(_) => self.picker = Some((rx, Instant::now())),
                    Err(_) => self.ask_for_path("The folder picker could not be started."),
                }
            }
        }
    }

    /// Shows the typed-path dialog with a reason.
    pub fn ask_for_path(&mut self, reason: &str) {
        self.prompt = Some(Prompt::TypePath {
            reason: format!("{reason} Type the path of the folder to open:"),
            text: self
                .ws
                .corpus
                .as_ref()
                .map(|c| c.root.display().to_string())
                .unwrap_or_default(),
            error: None,
        });
    }

    fn poll_picker(&mut self) {
        let Some((rx, started)) = &self.picker else { return };
        match rx.try_recv() {
            Ok(Some(path)) => {
                self.picker = None;
                self.open_folder(&path);
            }
            Ok(None) => {
                let instant = started.elapsed() < PICKER_MIN_TIME;
                self.picker = None;
                if instant {
                    // An answer this fast means no dialog was ever shown (no desktop portal).
                    self.ask_for_path(
                        "No folder picker could be shown (this desktop offers no file-dialog portal).",
                    );
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.picker = None;
                self.ask_for_path("The folder picker closed unexpectedly.");
            }
        }
    }

    /// Opens a typed path, or explains why not.
    pub fn open_typed_path(&mut self, text: &str) -> Result<(), String> {
        let p = PathBuf::from(text.trim());
        if text.trim().is_empty() {
            return Err("Type a folder path first.".into());
        }
        if !p.is_dir() {
            return Err(format!(
                "{} is not a folder that exists here. Check the spelling.",
                p.display()
            ));
        }
        self.prompt = None;
        self.open_folder(&p);
        Ok(())
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            if p.is_dir() {
                self.open_folder(&p);
            } else {
                self.notice = Some(format!(
                    "{} is a file; drop a folder to open it as a corpus.",
                    p.display()
                ));
            }
        }
    }

    // ---- input ----

    /// Runs an action from the shortcut table or a menu.
    pub fn run_action(&mut self, action: Action) {
        match action {
            Action::OpenFolder => self.start_open_folder(),
            Action::Quit => self.request_quit(),
            Action::Undo => self.run(Command::Undo),
            Action::Redo => self.run(Command::Redo),
            Action::Delete => self.run(Command::DeleteSelected),
            Action::Escape => {
                if self.picking.take().is_some() {
                    return;
                }
                if self.find.open {
                    self.find.open = false;
                    self.find.matches.clear();
                    self.find.computed_for = None;
                }
                self.show_help = false;
                if let Some(v) = self.view_mut() {
                    v.selected = None;
                    v.selection = Selection::caret(v.selection.focus);
                }
            }
            Action::NextDocument => self.step_document(1),
            Action::PrevDocument => self.step_document(-1),
            Action::NextAnnotation => self.step_annotation(true),
            Action::PrevAnnotation => self.step_annotation(false),
            Action::ToggleDone => {
                let next = match self.session().map(|s| s.data.status) {
                    Some(Status::Done) => Status::InProgress,
                    Some(_) => Status::Done,
                    None => return,
                };
                self.run(Command::SetStatus(next));
            }
            Action::ZoomIn => self.prefs.font_size = (self.prefs.font_size + 1.0).min(40.0),
            Action::ZoomOut => self.prefs.font_size = (self.prefs.font_size - 1.0).max(9.0),
            Action::ToggleSnap => self.prefs.snap_words = !self.prefs.snap_words,
            Action::Help => self.show_help = !self.show_help,
            Action::Find => {
                self.find.open = true;
                self.find.focus_query = true;
                if self.find.label.is_empty()
                    && let Some(c) = &self.ws.corpus
                {
                    self.find.label = c
                        .tagset
                        .labels
                        .first()
                        .map(|l| l.name.clone())
                        .unwrap_or_default();
                }
            }
            Action::FindNext => self.step_match(true),
            Action::FindPrev => self.step_match(false),
            Action::Save => {
                if let Some(rel) = self.current.clone() {
                    self.ws.flush(&rel);
                }
            }
        }
    }

    /// Reads shortcuts and label hotkeys from this frame's input.
    pub fn handle_keys(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        if self.prompt.is_some() {
            return;
        }
        for a in actions::take_pressed(ctx, typing) {
            self.run_action(a);
        }
        if typing {
            return;
        }
        for key in actions::take_label_keys(ctx) {
            let label = self
                .ws
                .corpus
                .as_ref()
                .and_then(|c| c.tagset.by_hotkey(key))
                .map(|l| l.name.clone());
            if let Some(l) = label {
                self.apply_label(&l);
            }
        }
    }

    /// Applies what the reader reported (clicks, finished drags).
    pub fn after_reader(&mut self, out: super::reader::ReaderOutput) {
        if let Some(cp) = out.picked {
            self.pick_at(cp);
            return;
        }
        let snap = self.prefs.snap_words;
        let Some(rel) = self.current.clone() else { return };
        if let Some(cp) = out.double_clicked
            && let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel))
            && let Some(w) = words::word_at(&s.doc, cp)
        {
            v.selection = Selection {
                anchor: w.start,
                focus: w.end,
            };
        }
        if out.selection_done
            && snap
            && let (Some(s), Some(v)) = (self.ws.sessions.get(&rel), self.views.get_mut(&rel))
        {
            let sel = v.selection;
            let snapped = words::snap_to_words(&s.doc, sel.span());
            v.selection = if sel.anchor <= sel.focus {
                Selection {
                    anchor: snapped.start,
                    focus: snapped.end,
                }
            } else {
                Selection {
                    anchor: snapped.end,
                    focus: snapped.start,
                }
            };
        }
        if let Some(cp) = out.clicked {
            self.click_at(cp);
        }
    }

    /// The reader view of the current session, with `selected` the annotation selected.
    pub fn reader_view<'a>(
        &'a self,
        s: &'a Session,
        selected: Option<&'a str>,
        linked: &'a [Span],
    ) -> Option<ReaderView<'a>> {
        let c = self.ws.corpus.as_ref()?;
        Some(ReaderView {
            doc: &s.doc,
            data: &s.data,
            data_version: s.version,
            tagset: &c.tagset,
            font_size: self.prefs.font_size,
            selected,
            linked,
            matches: if self.find.open { &self.find.matches } else { &[] },
            current_match: self.find.current,
            picking: self.picking.is_some(),
        })
    }
}

/// A document being read on a background thread.
struct Loading {
    /// The document.
    rel: String,
    /// Where the loader sends the document and its files' modification times.
    rx: Receiver<LoadResult>,
    /// The document shown before, shown again if this one cannot be opened.
    previous: Option<String>,
}

type LoadResult = Result<(corpus::LoadedDoc, FileTimes), corpus::LoadError>;

/// What the background reader found in one sidecar.
struct Found {
    rel: String,
    summary: DocSummary,
    data: Option<crate::model::DocAnnotations>,
}

/// Reads every sidecar on a background thread, for the document list and the
/// corpus index, except those in `skip` (being opened, so read by their loader).
fn spawn_summaries(
    root: &Path,
    entries: &[corpus::DocEntry],
    tx: Sender<Found>,
    skip: Arc<Mutex<HashSet<String>>>,
) {
    let root = root.to_path_buf();
    let rels: Vec<String> = entries.iter().map(|e| e.rel.clone()).collect();
    std::thread::spawn(move || {
        for rel in rels {
            if skip.lock().is_ok_and(|s| s.contains(&rel)) {
                continue;
            }
            if tx.send(read_summary(&root, rel)).is_err() {
                break;
            }
        }
    });
}

/// One document's summary and annotations, as the summary reader finds them.
fn read_summary(root: &Path, rel: String) -> Found {
    let path = sidecar_path(&root.join(&rel));
    let mut found = Found {
        rel,
        summary: DocSummary::default(),
        data: None,
    };
    // Read as opening does (the sidecar with its journal applied), so a file
    // that opens read-only is marked here too.
    match corpus::read_annotations(&path) {
        Ok(Some((data, replayed))) => {
            found.summary.count = data.annotations.len();
            found.summary.status = data.status;
            found.summary.broken = matches!(replayed, Replayed::Kept { .. });
            found.data = Some(data);
        }
        Ok(None) => {}
        Err(_) => found.summary.broken = true,
    }
    found
}
