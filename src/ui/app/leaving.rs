//! Leaving a folder (closing the window, Ctrl+Q, opening another folder) never
//! drops an edit. Saves under way are finished first; edits that still could
//! not be written (a read-only folder, a full disk, a deleted source) are the
//! analyst's to retry, to save as a copy of the corpus elsewhere, or to discard.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::copy::{InMemory, copy_corpus};
use crate::workspace::jobs::Pick;

use super::{MarginaliaApp, PickerMode, Prompt};

/// Where the workbench goes once everything is saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaving {
    /// Close the window.
    Quit,
    /// Open this folder instead.
    OpenFolder(PathBuf),
}

/// The leaving state kept by the workbench.
#[derive(Default)]
pub struct LeaveState {
    /// Where the workbench is going, while saves finish or the analyst decides.
    pub to: Option<Leaving>,
    /// Everything is settled: the window may close (the shell sends the command).
    pub close_now: bool,
    /// The folder picker for "Save a copy elsewhere" is open.
    picker_open: bool,
}

impl MarginaliaApp {
    /// Documents with edits that are not on disk yet (neither in their sidecar
    /// nor in its journal), or being written right now.
    pub fn unsaved_documents(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .ws
            .sessions
            .iter()
            .filter(|(_, s)| s.is_dirty() || s.in_flight.is_some())
            .map(|(rel, _)| rel.clone())
            .collect();
        v.sort_by(|a, b| crate::store::corpus::natural_cmp(a, b));
        v
    }

    /// True when the window may close now without losing anything.
    pub fn may_close(&self) -> bool {
        self.leave.close_now || (self.leave.to.is_none() && self.unsaved_documents().is_empty())
    }

    /// Closes the window once everything is saved, asking about what cannot be.
    pub fn request_quit(&mut self) {
        self.leave_for(Leaving::Quit);
    }

    /// Starts leaving the open folder: every document is saved (journals folded
    /// in); the next frame goes on once the saves are done.
    pub fn leave_for(&mut self, to: Leaving) {
        if self.leave.to.is_some() && matches!(self.prompt, Some(Prompt::Unsaved { .. })) {
            // Already asking; a second close keeps the question open.
            return;
        }
        self.leave.to = Some(to);
        self.ws.flush_all();
    }

    /// Each frame while leaving: wait for saves, then go, or ask.
    pub(crate) fn poll_leaving(&mut self, ctx: &egui::Context) {
        let Some(to) = self.leave.to.clone() else { return };
        if matches!(self.prompt, Some(Prompt::Unsaved { .. })) {
            return;
        }
        if self.ws.sessions.values().any(|s| s.in_flight.is_some()) {
            ctx.request_repaint_after(Duration::from_millis(30));
            return;
        }
        if self.unsaved_documents().is_empty() {
            self.finish_leaving(to);
        } else {
            self.prompt = Some(Prompt::Unsaved {
                copy_to: String::new(),
                error: None,
            });
        }
    }

    fn finish_leaving(&mut self, to: Leaving) {
        self.leave.to = None;
        self.prompt = None;
        match to {
            Leaving::Quit => self.leave.close_now = true,
            Leaving::OpenFolder(p) => self.open_folder_now(&p),
        }
    }

    /// "Try saving again": every unsaved document is saved once more now.
    pub fn retry_leaving(&mut self) {
        self.prompt = None;
        for s in self.ws.sessions.values_mut() {
            s.save_error = None;
        }
        self.ws.flush_all();
    }

    /// "Discard": the unsaved edits are dropped and the workbench goes on.
    pub fn discard_and_leave(&mut self) {
        let Some(to) = self.leave.to.clone() else { return };
        self.drop_unsaved();
        self.finish_leaving(to);
    }

    /// Drops the documents with unsaved edits from memory (and their steps
    /// from the history), so that closing writes nothing of them after all.
    fn drop_unsaved(&mut self) {
        let unsaved = self.unsaved_documents();
        for rel in &unsaved {
            self.ws.sessions.remove(rel);
            self.views.remove(rel);
            self.ws.history.forget(rel);
        }
        if self.current.as_ref().is_some_and(|c| unsaved.contains(c)) {
            self.current = None;
        }
    }

    /// "Cancel": stay in this folder with the edits in memory.
    pub fn cancel_leaving(&mut self) {
        self.leave.to = None;
        self.prompt = None;
    }

    /// "Save a copy": the whole corpus goes to `dest` with every edit held in
    /// memory, then the workbench goes on. Returns what to tell the analyst.
    pub fn copy_and_leave(&mut self, dest: &Path) -> Result<String, String> {
        let Some(c) = &self.ws.corpus else {
            return Err("No folder is open.".into());
        };
        let open: HashMap<&str, InMemory<'_>> = self
            .ws
            .sessions
            .iter()
            .map(|(rel, s)| {
                (
                    rel.as_str(),
                    InMemory {
                        doc: &s.doc,
                        data: &s.data,
                        version: s.file_version,
                    },
                )
            })
            .collect();
        let report = copy_corpus(&c.root, dest, &open)?;
        let mut msg = format!(
            "Saved a copy of the corpus with your edits in {} ({} documents).",
            dest.display(),
            report.documents
        );
        if !report.left_out.is_empty() {
            let names: Vec<String> = report
                .left_out
                .iter()
                .map(|(n, why)| format!("{n} ({why})"))
                .collect();
            msg.push_str(&format!(" Not copied: {}.", names.join("; ")));
        }
        let to = self.leave.to.clone().unwrap_or(Leaving::Quit);
        // Everything is in the copy; the folder left behind keeps what it had.
        self.drop_unsaved();
        self.finish_leaving(to);
        self.notice = Some(msg.clone());
        Ok(msg)
    }

    /// Opens the system folder picker for the copy (off the UI thread).
    pub(crate) fn pick_copy_folder(&mut self) -> bool {
        if !matches!(self.picker_mode, PickerMode::System) || self.leave.picker_open {
            return false;
        }
        let started = self.start_picker(Pick::CopyFolder, "Choose a new or empty folder for the copy");
        self.leave.picker_open = started.is_ok();
        started.is_ok()
    }

    /// Takes the folder chosen for the copy.
    pub(super) fn take_copy_folder(&mut self, picked: Option<PathBuf>, never_shown: bool) {
        self.leave.picker_open = false;
        let Some(Prompt::Unsaved { copy_to, error }) = self.prompt.as_mut() else {
            return;
        };
        if let Some(p) = picked {
            *copy_to = p.display().to_string();
            *error = None;
        } else if never_shown {
            *error = Some(
                "No folder picker could be shown on this desktop; type the folder's path instead.".into(),
            );
        }
    }
}
