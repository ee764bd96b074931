//! `marginalia check`.

use std::process::ExitCode;

/// Runs `marginalia check` with the arguments after the subcommand.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("marginalia check: not available in this build");
    ExitCode::from(2)
}
