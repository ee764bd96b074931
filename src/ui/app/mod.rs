//! The workbench: a [`Workspace`](crate::workspace::Workspace) and how it is
//! shown (the document shown, each document's view, the tab, dialogs,
//! preferences). Its work is split by kind: `open.rs` (folders, documents, the
//! picker), `input.rs` (keys, clicks, navigation), `run.rs` (view commands and
//! document changes), `tasks.rs` (exports, comparisons, the claims CSV),
//! `leaving.rs` (quit and switch folders without losing an edit). Views read it
//! and return [`Command`](super::command::Command)s.

mod input;
pub mod leaving;
mod open;
mod run;
mod suggest;
mod tasks;
mod team;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::suggest::Suggestion;
use crate::model::{AnnId, Span};
use crate::workspace::jobs::Done;
use crate::workspace::saver::Saver;
use crate::workspace::sync::SyncEvent;

use super::reader::ReaderView;
use super::state::{
    BoardState, Comparison, DocView, EntityIndexState, ExportDialog, FindState, Prefs, Propagation,
    PropositionsState, Session,
};
use leaving::LeaveState;
use open::Loading;
pub use suggest::{SUGGESTION_HELP, SuggestionKey};

/// How often the open document's files are checked for outside changes.
const WATCH_EVERY: Duration = Duration::from_millis(1000);
/// How often a frame looks for a document being read in the background, when
/// nothing wakes the workbench (a test harness).
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
    /// The folder is in a git repository not set up for merging annotations.
    SetUpGit {
        /// What is missing, in words.
        missing: Vec<String>,
    },
    /// The other corpus copy to compare the current document with.
    CompareWith {
        /// The path being typed.
        text: String,
        /// Error from the last attempt.
        error: Option<String>,
    },
    /// Where to write the claims comparison, as CSV or as an HTML report.
    ExportComparison {
        /// The report rather than the CSV.
        html: bool,
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

/// The user name the system reports (`USER`, `USERNAME` or `LOGNAME`), or
/// "analyst" where none is set.
pub fn system_user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|n| n.trim().to_owned())
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "analyst".into())
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
    /// The notice, when it is for information only (it then fades).
    pub informed: Option<String>,
    /// When the notice appeared.
    pub notice_clock: super::banners::NoticeClock,
    /// Where followed links were followed from (document, selected annotation), newest last.
    pub back: Vec<(String, Option<AnnId>)>,
    /// The shortcut list is shown.
    pub show_help: bool,
    /// Picker behaviour.
    pub picker_mode: PickerMode,
    /// The annotation a "pick in text" click will choose, and for what.
    pub picking: Option<PickTarget>,
    /// The document being read on a background thread, if one is.
    loading: Option<Loading>,
    /// Tickets of document loads, so a result that is no longer wanted is known.
    load_ticket: u64,
    /// Test hook holding background loads, see [`MarginaliaApp::hold_loads`].
    load_stall: Arc<crate::workspace::saver::Stall>,
    /// Holds a background load after it has handed over its first page.
    preview_stall: Arc<crate::workspace::saver::Stall>,
    /// A folder picker is open.
    picker_open: bool,
    /// Documents the background summary reader leaves out because they are being
    /// opened: their loader reads the sidecar anyway, and reading a large one twice
    /// at once doubled the memory and time of opening it.
    summaries_skip: Arc<Mutex<HashSet<String>>>,
    last_watch: Instant,
    title: String,
    /// The "annotate all occurrences in the corpus" preview, while open.
    pub propagation: Option<Propagation>,
    /// Which view the central area shows.
    pub tab: Tab,
    /// Entity index filter and sort.
    pub entity_index: EntityIndexState,
    /// Claims board filter, sort and grouping.
    pub board: BoardState,
    /// The Propositions tab's filters and open proposition.
    pub propositions: PropositionsState,
    /// What the Propositions tab shows, kept while the comparison and the filters stay.
    pub propositions_view: Option<Arc<super::state::Shown>>,
    /// Claims (document, id) waiting to be written as CSV once a path is chosen.
    pub pending_csv: Vec<(String, AnnId)>,
    /// The export window, while open.
    pub export: Option<ExportDialog>,
    /// The side-by-side comparison, while open.
    pub compare: Option<Comparison>,
    /// The Team tab's state: git status, sync, versions picked.
    pub team: super::team::TeamState,
    /// Versions of one document being adjudicated, while open.
    pub adjudication: Option<super::adjudicate::Adjudication>,
    /// Quitting or switching folders, while saves finish or the analyst decides.
    pub leave: LeaveState,
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
    /// Every proposition with what each source says of it.
    Propositions,
    /// One document compared with another analyst's copy, or adjudicated.
    Compare,
    /// Sharing with the team through git.
    Team,
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
            informed: None,
            notice_clock: Default::default(),
            back: Vec::new(),
            show_help: false,
            picker_mode: PickerMode::System,
            picking: None,
            loading: None,
            load_ticket: 0,
            load_stall: Default::default(),
            preview_stall: Default::default(),
            picker_open: false,
            summaries_skip: Default::default(),
            last_watch: Instant::now(),
            title: String::new(),
            propagation: None,
            tab: Tab::Reader,
            entity_index: Default::default(),
            board: Default::default(),
            propositions: Default::default(),
            propositions_view: None,
            pending_csv: Vec::new(),
            export: None,
            compare: None,
            team: Default::default(),
            adjudication: None,
            leave: Default::default(),
        }
    }

    /// Lets the saver wake the UI when a save finishes.
    pub fn set_repaint_hook(&mut self, ctx: &egui::Context) {
        let ctx = ctx.clone();
        let wake = ctx.clone();
        self.ws.saver = Saver::new(Some(Box::new(move || ctx.request_repaint())));
        self.ws.jobs.set_wake(move || wake.request_repaint());
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

    /// Test hook: holds (`true`) or releases background loads right after a
    /// long document's first page was handed over, to see what is shown then.
    pub fn hold_after_preview(&self, held: bool) {
        self.preview_stall.set(held);
    }

    /// The document being read in the background, if one is.
    pub fn loading(&self) -> Option<&str> {
        self.loading.as_ref().map(|l| l.rel.as_str())
    }

    /// The beginning of the document being read, when it is long enough to be
    /// shown in parts (the first page of a PDF).
    pub fn loading_preview(&self) -> Option<&crate::store::extract::Preview> {
        self.loading.as_ref().and_then(|l| l.preview.as_ref())
    }

    /// Shows a notice that is for information only: it fades after a while.
    pub fn inform(&mut self, message: String) {
        self.informed = Some(message.clone());
        self.notice = Some(message);
    }

    /// The name recorded on new annotations: the one the analyst typed, or
    /// else the system's user name, so work can start without being asked.
    pub fn annotator(&self) -> String {
        let typed = self.prefs.annotator.trim();
        if typed.is_empty() {
            system_user_name()
        } else {
            typed.to_owned()
        }
    }

    // ---- corpus and documents ----

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

    // ---- edits ----

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
                self.inform(format!("Reloaded {rel}: {what}."));
            }
            SyncEvent::SourceMissing { message } => self.notice = Some(message),
            SyncEvent::SourceBack => self.notice = None,
        }
    }

    /// Takes in the result of background work.
    fn take(&mut self, done: Done) {
        match done {
            Done::Loaded { rel, ticket, result } => self.take_loaded(rel, ticket, *result),
            Done::Preview { ticket, preview, .. } => self.take_preview(ticket, *preview),
            Done::Summary {
                folder,
                rel,
                summary,
                data,
            } => {
                if folder != self.ws.folder {
                    return;
                }
                if let Some(c) = self.ws.corpus.as_mut() {
                    c.summaries.insert(rel.clone(), summary);
                    if let Some(data) = data
                        && !self.ws.sessions.contains_key(&rel)
                    {
                        c.set_disk(rel, data);
                    }
                    self.ws.corpus_version += 1;
                }
            }
            Done::Index { folder, key, index } => self.ws.take_index(folder, key, index),
            Done::Claims { folder, docs } => self.ws.take_claims(folder, docs),
            Done::Exported(result) => self.take_export(result),
            Done::Team(done) => self.take_team(done),
            Done::Suggest(done) => {
                if let Some(message) = self.ws.take_suggest(*done) {
                    self.notice = Some(message);
                }
            }
            Done::Picked {
                purpose,
                path,
                open_for,
            } => self.take_picked(purpose, path, open_for),
        }
    }

    /// Work done every frame before drawing: finished saves, autosave, outside changes, background results.
    pub fn tick(&mut self, ctx: &egui::Context) {
        for done in self.ws.jobs.poll() {
            self.take(done);
        }
        self.ws.suggest.enabled = self.prefs.suggestions;
        let shown = self.current.clone();
        self.ws.suggest_tick(shown.as_deref());
        if self.loading.is_some() {
            ctx.request_repaint_after(LOAD_POLL);
        }
        for r in self.ws.saver.poll() {
            if let Some(event) = self.ws.apply_save_result(r) {
                self.on_sync_event(event);
            }
        }
        if let Some(wait) = self.ws.autosave() {
            ctx.request_repaint_after(wait);
        }
        self.watch_files();
        self.team_tick();
        ctx.request_repaint_after(WATCH_EVERY);
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

    // ---- input ----

    /// The reader view of the current session, with `selected` the annotation selected.
    pub fn reader_view<'a>(
        &'a self,
        s: &'a Session,
        selected: Option<&'a str>,
        linked: &'a [Span],
        (suggestions, current_suggestion): (&'a [Suggestion], Option<&'a Suggestion>),
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
            direction: self.prefs.direction(&c.root, &s.doc.path),
            suggestions,
            current_suggestion,
            dim_furniture: self.prefs.dim_furniture,
        })
    }
}
