//! The `marginalia` binary: the GUI by default, subcommands for headless use.

use std::process::ExitCode;

use marginalia::cli::{Invocation, dispatch};

fn main() -> ExitCode {
    // A child started to read one PDF under memory and time limits, not the app.
    if let Some(code) = marginalia::store::extract::pdf::worker_main() {
        return code;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Invocation::Done(code) => code,
        Invocation::Gui(folder) => marginalia::ui::run(folder),
    }
}
