//! `marginalia export`.

use std::process::ExitCode;

/// Runs `marginalia export` with the arguments after the subcommand.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("marginalia export: not available in this build");
    ExitCode::from(2)
}
