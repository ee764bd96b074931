//! Leaving a folder (closing the window, Ctrl+Q, opening another folder) never
//! drops an edit. Saves under way are finished first; edits that still could
//! not be written (a read-only folder, a full disk, a deleted source) are the
//! analyst's to retry, to save as a copy of the corpus elsewhere, or to discard.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::store::copy::{InMemory, copy_corpus};

use super::app::{MarginaliaApp, PickerMode, Prompt};
use super::widgets::text_field;

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
    /// The folder picker for "Save a copy elsewhere", while it is open.
    picker: Option<(Receiver<Option<PathBuf>>, std::time::Instant)>,
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
        self.poll_copy_picker();
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
    fn pick_copy_folder(&mut self) -> bool {
        if !matches!(self.picker_mode, PickerMode::System) || self.leave.picker.is_some() {
            return false;
        }
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("marginalia-copy-picker".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Choose a new or empty folder for the copy")
                    .pick_folder();
                let _ = tx.send(picked);
            });
        if spawned.is_ok() {
            self.leave.picker = Some((rx, std::time::Instant::now()));
        }
        spawned.is_ok()
    }

    fn poll_copy_picker(&mut self) {
        let Some((rx, started)) = &self.leave.picker else {
            return;
        };
        let picked = match rx.try_recv() {
            Ok(p) => p,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
        };
        // An answer this fast means no dialog was ever shown (no desktop portal).
        let never_shown = picked.is_none() && started.elapsed() < super::app::PICKER_MIN_TIME;
        self.leave.picker = None;
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

/// The question asked when leaving with edits that could not be saved.
pub fn unsaved_dialog(
    app: &mut MarginaliaApp,
    ctx: &egui::Context,
    mut copy_to: String,
    error: Option<String>,
) {
    let unsaved = app.unsaved_documents();
    let going = match &app.leave.to {
        Some(Leaving::OpenFolder(p)) => format!("open {}", p.display()),
        _ => "close Marginalia".to_owned(),
    };
    enum Choice {
        Retry,
        Copy,
        Pick,
        Discard,
        Cancel,
    }
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("unsaved-edits")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Edits not saved");
        ui.label(format!(
            "You asked to {going}, but edits in {} could not be written to disk:",
            if unsaved.len() == 1 {
                "1 document".to_owned()
            } else {
                format!("{} documents", unsaved.len())
            }
        ));
        for rel in unsaved.iter().take(8) {
            let why = app
                .ws
                .sessions
                .get(rel)
                .and_then(|s| s.save_error.clone().or_else(|| s.read_only.clone()))
                .unwrap_or_else(|| "not saved yet".into());
            ui.label(format!("• {rel}: {why}"));
        }
        if unsaved.len() > 8 {
            ui.label(format!("• and {} more", unsaved.len() - 8));
        }
        ui.add_space(6.0);
        ui.label("Save a copy of the whole corpus, with these edits, in a new or empty folder:");
        ui.horizontal(|ui| {
            text_field(ui, "Copy to folder", &mut copy_to);
            if matches!(app.picker_mode, PickerMode::System) && ui.button("Choose…").clicked() {
                choice = Some(Choice::Pick);
            }
        });
        if let Some(e) = &error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Try saving again").clicked() {
                choice = Some(Choice::Retry);
            }
            if ui.button("Save a copy there").clicked() {
                choice = Some(Choice::Copy);
            }
            if ui.button("Discard these edits").clicked() {
                choice = Some(Choice::Discard);
            }
            if ui.button("Cancel").clicked() {
                choice = Some(Choice::Cancel);
            }
        });
    });
    match choice {
        Some(Choice::Retry) => app.retry_leaving(),
        Some(Choice::Discard) => app.discard_and_leave(),
        Some(Choice::Cancel) => app.cancel_leaving(),
        Some(Choice::Copy) => {
            let dest = PathBuf::from(copy_to.trim());
            if let Err(e) = app.copy_and_leave(&dest) {
                app.prompt = Some(Prompt::Unsaved {
                    copy_to,
                    error: Some(e),
                });
            }
        }
        Some(Choice::Pick) => {
            app.pick_copy_folder();
            app.prompt = Some(Prompt::Unsaved { copy_to, error });
        }
        None => app.prompt = Some(Prompt::Unsaved { copy_to, error }),
    }
}
