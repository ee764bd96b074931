//! `marginalia stats`.

use std::process::ExitCode;

/// Runs `marginalia stats` with the arguments after the subcommand.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("marginalia stats: not available in this build");
    ExitCode::from(2)
}
