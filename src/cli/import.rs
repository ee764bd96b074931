//! `marginalia import`.

use std::process::ExitCode;

/// Runs `marginalia import` with the arguments after the subcommand.
pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("marginalia import: not available in this build");
    ExitCode::from(2)
}
