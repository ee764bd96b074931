//! The egui workbench: one file per panel or widget, UI state kept apart from
//! document state, and every edit sent through the model's command history.

pub mod actions;
pub mod adjudicate;
pub mod app;
pub mod banners;
pub mod claims_board;
pub mod command;
pub mod compare;
pub mod doc_list;
pub mod entity_index;
pub mod export_dialog;
pub mod fonts;
pub mod inspector;
pub mod leaving;
pub mod palette;
pub mod propositions;
pub mod reader;
pub mod reader_marks;
pub mod reader_pages;
pub mod reader_scroll;
pub use crate::workspace::saver;
pub mod selection;
pub mod state;
pub mod team;
pub mod theme;
pub mod view;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;

pub use app::MarginaliaApp;

use state::Prefs;

const PREFS_KEY: &str = "marginalia-prefs";

/// The eframe application wrapper: loads preferences, saves them, flushes edits on quit.
struct EframeApp {
    app: MarginaliaApp,
}

impl eframe::App for EframeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        view::show(&mut self.app, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.app.prefs);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.ws.save_all_blocking();
    }
}

/// Starts the GUI on `folder` (or the last folder, or the bundled seeds).
pub fn run(folder: Option<PathBuf>) -> ExitCode {
    if let Some(f) = &folder
        && !f.is_dir()
    {
        eprintln!(
            "marginalia: {} is not a folder. Give the path of a folder of .txt/.md files, or no argument for the sample corpus.",
            f.display()
        );
        return ExitCode::from(2);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Marginalia")
            .with_app_id("marginalia")
            .with_inner_size([1280.0, 820.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Marginalia",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, PREFS_KEY))
                .unwrap_or_default();
            let mut app = MarginaliaApp::new(prefs);
            app.set_repaint_hook(&cc.egui_ctx);
            let start = folder
                .or_else(|| app.prefs.recent.first().filter(|p| p.is_dir()).cloned())
                .unwrap_or_else(crate::cli::default_corpus);
            app.open_folder(&start);
            Ok(Box::new(EframeApp { app }))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "marginalia: could not open a window: {e}. Subcommands (marginalia help) work without a display."
            );
            ExitCode::FAILURE
        }
    }
}
