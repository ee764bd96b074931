//! `marginalia merge-driver` (called by git) and `marginalia git-setup`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::team::driver::{self, Outcome};
use crate::team::setup;

const DRIVER_USAGE: &str = "Usage: marginalia merge-driver BASE OURS THEIRS PATH\n\
Git runs this to merge a sidecar (set it up with `marginalia git-setup`): BASE, OURS and\n\
THEIRS are git's %O %A %B files, PATH is %P. The merged sidecar is written over OURS.\n\
Annotations both versions added are kept, deletions are applied, changes to different\n\
fields are combined; a field changed differently on both sides keeps our value and\n\
records theirs in the file (`marginalia check` lists them as merge_conflict notes).\n\
Files that are not sidecars get git's own line merge.\n\
Exit status: 0 when merged, 1 when a line merge left conflicts, 2 for usage errors or\n\
files that cannot be read or written.";

const SETUP_USAGE: &str = "Usage: marginalia git-setup [FOLDER]\n\
Prepares the corpus FOLDER (default: the current folder), which must be in a git\n\
repository, for a team: adds `*.ron merge=marginalia` to FOLDER/.gitattributes,\n\
edit journals and temporary files to FOLDER/.gitignore, and registers this program\n\
as the merge driver in the repository's own settings (.git/config). Running it\n\
again changes nothing. Every clone needs it once (the settings are not shared by git).\n\
Exit status: 0 when set up, 2 for usage errors or when FOLDER is not in a repository.";

/// Runs `marginalia merge-driver`.
pub fn run_driver(args: &[String]) -> ExitCode {
    let [base, ours, theirs, path] = args else {
        if matches!(args, [h] if h == "--help" || h == "-h") {
            println!("{DRIVER_USAGE}");
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "marginalia merge-driver: expected four arguments, got {}\n\n{DRIVER_USAGE}",
            args.len()
        );
        return ExitCode::from(super::EXIT_USAGE);
    };
    match driver::run(Path::new(base), Path::new(ours), Path::new(theirs), path) {
        Ok(Outcome::Merged(report)) => {
            for (id, c) in &report.conflicts {
                let what = crate::model::merge::describe(c);
                match id {
                    Some(id) => eprintln!("marginalia: {path}: {id}: {what}"),
                    None => eprintln!("marginalia: {path}: {what}"),
                }
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::LineMerge(0)) => ExitCode::SUCCESS,
        Ok(Outcome::LineMerge(_)) => ExitCode::from(1),
        Err(e) => {
            eprintln!("marginalia merge-driver: {e}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

/// Runs `marginalia git-setup`.
pub fn run_setup(args: &[String]) -> ExitCode {
    let folder = match args {
        [] => PathBuf::from("."),
        [h] if h == "--help" || h == "-h" => {
            println!("{SETUP_USAGE}");
            return ExitCode::SUCCESS;
        }
        [f] if !f.starts_with('-') => PathBuf::from(f),
        _ => {
            eprintln!(
                "marginalia git-setup: expected at most one folder, got: {}\n\n{SETUP_USAGE}",
                args.join(" ")
            );
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    if let Err(code) = super::existing_folder("git-setup", &folder) {
        return code;
    }
    let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("marginalia"));
    match setup::setup(&folder, &program) {
        Ok(report) if report.changed.is_empty() => {
            println!("{} is already set up for merging annotations.", folder.display());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            for line in &report.changed {
                println!("{line}");
            }
            println!(
                "Sidecars in {} now merge as annotations.",
                report.repository.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("marginalia git-setup: {e}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}
