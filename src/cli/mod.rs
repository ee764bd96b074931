//! The command line: the GUI by default, headless subcommands for pipelines and tests.
//!
//! `marginalia [FOLDER]` starts the workbench; `check`, `stats`, `export`,
//! `import`, `claims`, `agree`, `suggest`, `git-setup` and `merge-driver` run
//! without a window and report through the exit status.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub mod agree;
pub mod check;
pub mod claims;
pub mod export;
pub mod import;
pub mod stats;
pub mod suggest;
pub mod team;

/// What `main` should do after reading the arguments.
#[derive(Debug)]
pub enum Invocation {
    /// Start the GUI, on this folder if one was given.
    Gui(Option<PathBuf>),
    /// A subcommand ran; exit with this status.
    Done(ExitCode),
}

/// The usage text printed by `marginalia help`.
pub const USAGE: &str = "\
Marginalia: annotate entities and claims in folders of source documents.

Usage:
  marginalia [FOLDER]                 open the workbench on FOLDER (default: last folder, or the bundled seeds/)
  marginalia check FOLDER             validate the tag set and every annotation file; exit 0 only when clean
  marginalia stats FOLDER             count documents, annotations per label, claims per speaker, statuses
  marginalia export FOLDER --format jsonl|brat|conll|w3c|csv|qdpx --out PATH|- [OPTIONS]  (see export --help)
  marginalia import brat SRC_DIR --into FOLDER
  marginalia import jsonl FILE --into FOLDER
  marginalia import qdpx FILE --into FOLDER
  marginalia claims FOLDER [--json | --csv [FILE] | --html FILE] [--csv-formulas]  what each source claims, and where they disagree
  marginalia agree FOLDER_A FOLDER_B [--json]  compare two annotators' copies: F1, kappa, alpha, disagreements
  marginalia git-setup [FOLDER]       make a corpus in git merge annotations (sidecars) without conflicts
  marginalia merge-driver BASE OURS THEIRS PATH  git's merge driver for sidecars (set up by git-setup)
  marginalia suggest FOLDER [--json] [--accept-above SCORE]  annotations proposed from the corpus's own tags (see suggest --help)
  marginalia help                     show this text
";

/// Reads the arguments (without the program name) and runs a subcommand, or
/// says that the GUI should start.
pub fn dispatch(args: &[String]) -> Invocation {
    let rest = args.get(1..).unwrap_or(&[]);
    match args.first().map(String::as_str) {
        None => Invocation::Gui(None),
        Some("check") => Invocation::Done(check::run(rest)),
        Some("stats") => Invocation::Done(stats::run(rest)),
        Some("export") => Invocation::Done(export::run(rest)),
        Some("import") => Invocation::Done(import::run(rest)),
        Some("agree") => Invocation::Done(agree::run(rest)),
        Some("claims") => Invocation::Done(claims::run(rest)),
        Some("git-setup") => Invocation::Done(team::run_setup(rest)),
        Some("merge-driver") => Invocation::Done(team::run_driver(rest)),
        Some("suggest") => Invocation::Done(suggest::run(rest)),
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Invocation::Done(ExitCode::SUCCESS)
        }
        Some("--version" | "-V") => {
            println!("marginalia {}", env!("CARGO_PKG_VERSION"));
            Invocation::Done(ExitCode::SUCCESS)
        }
        Some(flag) if flag.starts_with('-') => {
            eprintln!("marginalia: unknown option {flag}\n\n{USAGE}");
            Invocation::Done(ExitCode::from(2))
        }
        Some(folder) => {
            if rest.is_empty() {
                Invocation::Gui(Some(PathBuf::from(folder)))
            } else {
                eprintln!("marginalia: unexpected arguments after {folder}\n\n{USAGE}");
                Invocation::Done(ExitCode::from(2))
            }
        }
    }
}

/// Exit status of every subcommand for wrong arguments, a folder or file
/// given that does not exist among them.
pub const EXIT_USAGE: u8 = 2;

/// Checks that `path`, given to `command` as a folder, is one. When it is
/// not, says so in the same words for every subcommand and gives the exit
/// status ([`EXIT_USAGE`]) to leave with.
pub(crate) fn existing_folder(command: &str, path: &Path) -> Result<(), ExitCode> {
    let why = if path.is_dir() {
        return Ok(());
    } else if path.exists() {
        "is a file, not a folder; give the folder that holds the documents"
    } else {
        "does not exist; check the path"
    };
    eprintln!("marginalia {command}: the folder {} {why}", path.display());
    Err(ExitCode::from(EXIT_USAGE))
}

/// [`existing_folder`] for an input file. Anything else that exists (a pipe,
/// say) is left to the reader, which refuses what it cannot read safely.
pub(crate) fn existing_file(command: &str, path: &Path) -> Result<(), ExitCode> {
    let why = if path.is_dir() {
        "is a folder; give the file to read"
    } else if path.exists() {
        return Ok(());
    } else {
        "does not exist; check the path"
    };
    eprintln!("marginalia {command}: the file {} {why}", path.display());
    Err(ExitCode::from(EXIT_USAGE))
}

/// The bundled sample corpus: `seeds/` in the working folder, else beside the crate.
pub fn default_corpus() -> PathBuf {
    let local = PathBuf::from("seeds");
    if local.is_dir() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}
