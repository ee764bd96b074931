//! File → Export…: the same export as `marginalia export`, run on a
//! background thread with a progress bar and a Cancel button.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::export::{ExportOptions, Format, export_corpus};

use super::app::MarginaliaApp;
use super::widgets::text_field;

/// An export under way.
pub struct Running {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    rx: Receiver<Result<String, String>>,
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
    /// The export in progress, if any.
    pub running: Option<Running>,
    /// Outcome of the last run: Ok(summary) or Err(message).
    pub outcome: Option<Result<String, String>>,
}

impl ExportDialog {
    /// A dialog proposing `<corpus>-annotations.jsonl` beside the corpus folder.
    pub fn new(app: &MarginaliaApp) -> Self {
        let mut d = Self {
            format: Format::Jsonl,
            path: String::new(),
            only_done: false,
            force: false,
            running: None,
            outcome: None,
        };
        d.path = default_path(app, d.format);
        d
    }
}

fn default_path(app: &MarginaliaApp, format: Format) -> String {
    let Some(c) = &app.ws.corpus else {
        return String::new();
    };
    let name = if format.is_folder() {
        format!("{}-{}", c.name(), format.as_str())
    } else {
        format!("{}-annotations.{}", c.name(), format.extension())
    };
    c.beside(&name)
}

impl MarginaliaApp {
    /// Starts the export described by the dialog, after writing pending edits.
    pub fn start_export(&mut self) {
        let Some(root) = self.ws.corpus.as_ref().map(|c| c.root.clone()) else {
            return;
        };
        // Export reads the sidecars on disk, so unsaved edits must land first.
        self.ws.save_all_blocking();
        let Some(d) = self.export.as_mut() else { return };
        let opts = ExportOptions {
            format: d.format,
            out: d.path.trim().into(),
            only_done: d.only_done,
            force: d.force,
            strict: false,
        };
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let (done2, total2, cancel2) = (done.clone(), total.clone(), cancel.clone());
        std::thread::spawn(move || {
            let mut progress = |d: usize, t: usize| {
                done2.store(d, Ordering::Relaxed);
                total2.store(t, Ordering::Relaxed);
                !cancel2.load(Ordering::Relaxed)
            };
            let result = export_corpus(&root, &opts, &mut progress)
                .map(|r| r.summary())
                .map_err(|e| e.to_string());
            let _ = tx.send(result);
        });
        d.outcome = None;
        d.running = Some(Running {
            done,
            total,
            cancel,
            rx,
        });
    }
}

/// Shows the export window while it is open.
pub fn show(app: &mut MarginaliaApp, ctx: &egui::Context) {
    let Some(mut d) = app.export.take() else { return };
    let mut open = true;
    let mut start = false;
    let mut reset_path = false;
    egui::Window::new("Export annotated dataset")
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            let before = d.format;
            egui::ComboBox::from_label("Format")
                .selected_text(d.format.as_str())
                .show_ui(ui, |ui| {
                    for f in Format::ALL {
                        ui.selectable_value(&mut d.format, f, f.as_str());
                    }
                });
            reset_path = before != d.format;
            text_field(ui, "Destination", &mut d.path);
            ui.checkbox(&mut d.only_done, "Only documents marked done");
            ui.checkbox(&mut d.force, "Replace the destination if it exists");
            if let Some(r) = &d.running {
                let (done, total) = (r.done.load(Ordering::Relaxed), r.total.load(Ordering::Relaxed));
                let frac = if total == 0 {
                    0.0
                } else {
                    done as f32 / total as f32
                };
                ui.add(egui::ProgressBar::new(frac).text(format!("{done} of {total} documents")));
                if ui.button("Cancel").clicked() {
                    r.cancel.store(true, Ordering::Relaxed);
                }
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            } else if ui.button("Export").clicked() {
                start = true;
            }
            match &d.outcome {
                Some(Ok(summary)) => {
                    ui.label(format!("Done: {summary}"));
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
        });
    if let Some(r) = &d.running
        && let Ok(result) = r.rx.try_recv()
    {
        d.outcome = Some(result);
        d.running = None;
    }
    if reset_path {
        d.path = default_path(app, d.format);
    }
    let keep = open || d.running.is_some();
    if !open && let Some(r) = &d.running {
        r.cancel.store(true, Ordering::Relaxed);
    }
    app.export = keep.then_some(d);
    if start {
        app.start_export();
    }
}
