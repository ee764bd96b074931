//! Opening folders and documents: the scan, background reads of a document
//! and of the list summaries, the folder picker, typed paths, dropped folders.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::corpus::{self, sidecar_path};
use crate::store::journal::Replayed;
use crate::workspace::jobs::{Done, Pick, Reporter};
use crate::workspace::sync::file_mtimes;
use crate::workspace::{CorpusView, DocSummary, Session};

use super::super::state::DocView;
use super::{MarginaliaApp, PICKER_MIN_TIME, PickerMode, Prompt};

impl MarginaliaApp {
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
        );
        let _ = self.ws.jobs.spawn("free", move |_| drop(old));
        self.current = None;
        self.loading = None;
        self.ws.history = Default::default();
        self.ws.claims = Default::default();
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
        self.ws.folder += 1;
        let (folder, skip) = (self.ws.folder, self.summaries_skip.clone());
        let (dir, rels) = (
            root.clone(),
            entries.iter().map(|e| e.rel.clone()).collect::<Vec<_>>(),
        );
        let started = self.ws.jobs.spawn("summaries", move |out| {
            for rel in rels {
                if skip.lock().is_ok_and(|s| s.contains(&rel)) {
                    continue;
                }
                if !send_summary(out, folder, &dir, rel) {
                    break;
                }
            }
        });
        if let Err(e) = started {
            self.notice = Some(format!("The document list cannot show counts: {e}."));
        }
        self.ws.corpus = Some(CorpusView {
            root,
            entries,
            tagset,
            tagset_error,
            summaries: HashMap::new(),
            disk: HashMap::new(),
            disk_changes: 0,
            disk_stamp: HashMap::new(),
            vocab: Default::default(),
            vocab_seen: HashMap::new(),
            index: None,
            index_job: None,
        });
        // A folder in git is offered the merge set-up; the Team tab shows its state.
        self.team = super::super::team::TeamState {
            program: self.team.program.take(),
            ..Default::default()
        };
        self.adjudication = None;
        if self.tab == super::Tab::Team || self.tab == super::Tab::Compare {
            self.tab = super::Tab::Reader;
        }
        self.team_refresh();
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
        let (root, rel_owned, stall) = (corpus.root.clone(), rel.to_owned(), self.load_stall.clone());
        let preview_stall = self.preview_stall.clone();
        if let Ok(mut skip) = self.summaries_skip.lock() {
            skip.insert(rel.to_owned());
        }
        self.load_ticket += 1;
        let ticket = self.load_ticket;
        let started = self.ws.jobs.spawn("loader", move |out| {
            stall.wait_while_held();
            let mut preview = |p| {
                out.send(Done::Preview {
                    rel: rel_owned.clone(),
                    ticket,
                    preview: Box::new(p),
                });
                preview_stall.wait_while_held();
            };
            let result = corpus::load_previewing(&root, &rel_owned, &mut preview)
                .map(|l| (l, file_mtimes(&root, &rel_owned)));
            out.send(Done::Loaded {
                rel: rel_owned,
                ticket,
                result: Box::new(result),
            });
        });
        if let Err(e) = started {
            self.notice = Some(format!("Could not start reading {rel}: {e}. Try again."));
            return;
        }
        let previous = match self.loading.take() {
            Some(l) => l.previous,
            None => self.current.clone(),
        };
        self.loading = Some(Loading {
            rel: rel.to_owned(),
            ticket,
            preview: None,
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

    /// Takes in the beginning of a document being read, if it is still wanted.
    pub(super) fn take_preview(&mut self, ticket: u64, preview: crate::store::extract::Preview) {
        if let Some(l) = self.loading.as_mut().filter(|l| l.ticket == ticket) {
            l.preview = Some(preview);
        }
    }

    /// Takes in a document read in the background, if it is still wanted.
    pub(super) fn take_loaded(&mut self, rel: String, ticket: u64, result: LoadResult) {
        if self.loading.as_ref().is_none_or(|l| l.ticket != ticket) {
            return;
        }
        let Some(l) = self.loading.take() else { return };
        match result {
            Ok((loaded, mtimes)) => {
                if !self.ws.sessions.contains_key(&rel) {
                    let summary = DocSummary {
                        count: loaded.data.annotations.len(),
                        status: loaded.data.status,
                        broken: loaded.read_only.is_some(),
                    };
                    self.views.insert(rel.clone(), DocView::new(&loaded.doc));
                    self.ws.sessions.insert(rel.clone(), Session::new(loaded, mtimes));
                    if let Some(c) = self.ws.corpus.as_mut() {
                        c.remove_disk(&rel);
                        // The summary reader may have left this document out.
                        c.summaries.insert(rel.clone(), summary);
                    }
                }
                if self.current.as_deref() == Some(rel.as_str()) {
                    self.show_loaded(&rel);
                }
            }
            Err(e) => {
                self.notice = Some(format!("{e}. Pick another document from the list."));
                // The summary reader may have left it out; its list entry still needs one.
                if let Some(c) = &self.ws.corpus
                    && !c.summaries.contains_key(&rel)
                {
                    let (folder, root, rel) = (self.ws.folder, c.root.clone(), rel.clone());
                    let _ = self.ws.jobs.spawn("summary", move |out| {
                        send_summary(out, folder, &root, rel);
                    });
                }
                if self.current.as_deref() == Some(rel.as_str()) {
                    self.current = l.previous.filter(|p| self.ws.sessions.contains_key(p));
                }
            }
        }
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
        match self.filtered_documents() {
            Some(shown) => shown.into_iter().map(|i| c.entries[i].rel.clone()).collect(),
            None => c.entries.iter().map(|e| e.rel.clone()).collect(),
        }
    }

    /// The indices in the corpus list of the documents passing the filter, or
    /// `None` when there is no filter: the list draws every frame, and a corpus
    /// of 10,000 names is not copied for it.
    pub fn filtered_documents(&self) -> Option<Vec<usize>> {
        let c = self.ws.corpus.as_ref()?;
        let f = self.filter.to_lowercase();
        (!f.is_empty()).then(|| {
            c.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.rel.to_lowercase().contains(&f))
                .map(|(i, _)| i)
                .collect()
        })
    }

    /// "Open folder…": the system picker off the UI thread, or the typed-path dialog.
    pub fn start_open_folder(&mut self) {
        match self.picker_mode {
            PickerMode::Unavailable => self.ask_for_path("No folder picker is available on this system."),
            PickerMode::System => {
                if self.picker_open {
                    return;
                }
                match self.start_picker(Pick::OpenFolder, "Open a corpus folder") {
                    Ok(()) => self.picker_open = true,
                    Err(_) => self.ask_for_path("The folder picker could not be started."),
                }
            }
        }
    }

    /// Opens the system folder picker off the UI thread; the answer arrives as
    /// [`Done::Picked`].
    pub(super) fn start_picker(&mut self, purpose: Pick, title: &'static str) -> Result<(), String> {
        self.ws.jobs.spawn("picker", move |out| {
            let opened = std::time::Instant::now();
            let path = rfd::FileDialog::new().set_title(title).pick_folder();
            out.send(Done::Picked {
                purpose,
                path,
                open_for: opened.elapsed(),
            });
        })
    }

    /// Takes the answer of a folder picker.
    pub(super) fn take_picked(&mut self, purpose: Pick, path: Option<PathBuf>, open_for: Duration) {
        // An answer this fast means no dialog was ever shown (no desktop portal).
        let never_shown = path.is_none() && open_for < PICKER_MIN_TIME;
        match purpose {
            Pick::OpenFolder => {
                self.picker_open = false;
                match path {
                    Some(path) => self.open_folder(&path),
                    None if never_shown => self.ask_for_path(
                        "No folder picker could be shown (this desktop offers no file-dialog portal).",
                    ),
                    None => {}
                }
            }
            Pick::CopyFolder => self.take_copy_folder(path, never_shown),
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

    pub(super) fn handle_dropped_files(&mut self, ctx: &egui::Context) {
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
}

/// A document being read on a background thread.
pub(super) struct Loading {
    /// The document.
    pub(super) rel: String,
    /// The ticket its result will carry.
    ticket: u64,
    /// Its beginning, shown while the rest is read.
    pub(super) preview: Option<crate::store::extract::Preview>,
    /// The document shown before, shown again if this one cannot be opened.
    previous: Option<String>,
}

type LoadResult = Result<(corpus::LoadedDoc, crate::workspace::FileTimes), corpus::LoadError>;

/// Reads one document's summary and annotations as the list needs them and
/// sends them; false when nobody listens any more.
pub(super) fn send_summary(out: &Reporter, folder: u64, root: &Path, rel: String) -> bool {
    let path = sidecar_path(&root.join(&rel));
    let mut summary = DocSummary::default();
    let mut data = None;
    // Read as opening does (the sidecar with its journal applied), so a file
    // that opens read-only is marked here too.
    match corpus::read_annotations(&path) {
        Ok(Some((found, replayed))) => {
            summary.count = found.annotations.len();
            summary.status = found.status;
            summary.broken = matches!(replayed, Replayed::Kept { .. });
            data = Some(found);
        }
        Ok(None) => {}
        Err(_) => summary.broken = true,
    }
    out.send(Done::Summary {
        folder,
        rel,
        summary,
        data,
    })
}
