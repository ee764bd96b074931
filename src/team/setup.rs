//! `marginalia git-setup`: what a corpus in git needs so that sidecars merge
//! as annotations and journals stay out of commits.

use std::fs;
use std::path::{Path, PathBuf};

use super::git::{GitError, git, toplevel};
use crate::store::atomic::write_atomic;

/// The merge driver's name in `.gitattributes` and the repository config.
pub const DRIVER: &str = "marginalia";

/// The `.gitattributes` line that sends sidecars to the driver. The driver
/// hands anything it cannot read as a sidecar (the tag set) to git's line merge.
pub const ATTRIBUTES_LINE: &str = "*.ron merge=marginalia";

/// `.gitignore` lines: edit journals and the temporary files of atomic saves
/// belong to one analyst's machine.
pub const IGNORE_LINES: [&str; 2] = ["*.ron.journal", ".*.tmp"];

/// How far a folder is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Not inside a git working tree (or git is missing).
    NotRepository,
    /// In a working tree; these parts are missing.
    Missing(Vec<&'static str>),
    /// Everything is in place.
    Ready,
}

/// What [`setup`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The repository's top folder.
    pub repository: PathBuf,
    /// One plain line per change made; empty when everything was already there.
    pub changed: Vec<String>,
}

/// The command line git runs for the driver, with the program's path quoted for a shell.
pub fn driver_command(program: &Path) -> String {
    let p = program.to_string_lossy().replace('\'', r"'\''");
    format!("'{p}' merge-driver %O %A %B %P")
}

/// Looks at `folder` without changing anything.
pub fn state(folder: &Path) -> State {
    if toplevel(folder).is_none() {
        return State::NotRepository;
    }
    let mut missing = Vec::new();
    if !has_line(&folder.join(".gitattributes"), ATTRIBUTES_LINE) {
        missing.push(".gitattributes");
    }
    if !IGNORE_LINES
        .iter()
        .all(|l| has_line(&folder.join(".gitignore"), l))
    {
        missing.push(".gitignore");
    }
    let registered = git(folder, &["config", "--get", &format!("merge.{DRIVER}.driver")])
        .is_ok_and(|o| o.ok && !o.stdout.trim().is_empty());
    if !registered {
        missing.push("the merge driver in the repository's settings");
    }
    if missing.is_empty() {
        State::Ready
    } else {
        State::Missing(missing)
    }
}

/// True when the analyst should be asked to set `folder` up as soon as it
/// opens: it is the top of its repository, or the repository already shares
/// annotations from it. A folder of examples inside a program's own
/// repository is neither, and is not asked about.
pub fn worth_offering(folder: &Path) -> bool {
    let Some(top) = toplevel(folder) else { return false };
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    if same(folder, &top) {
        return true;
    }
    git(folder, &["ls-files", "--", "*.ron"]).is_ok_and(|o| o.ok && !o.stdout.trim().is_empty())
}

/// Writes `.gitattributes` and `.gitignore` entries in `folder` (the corpus
/// root) and registers the driver, running `program`, in the repository's
/// local settings. Running it again changes nothing.
pub fn setup(folder: &Path, program: &Path) -> Result<Report, String> {
    let repository = toplevel(folder).ok_or_else(|| match git(folder, &["--version"]) {
        Err(GitError::Missing) => GitError::Missing.to_string(),
        _ => format!(
            "{} is not in a git repository. Make it one first (git init, or clone the team's repository), then set up again.",
            folder.display()
        ),
    })?;
    let mut report = Report {
        repository,
        changed: Vec::new(),
    };
    if add_lines(&folder.join(".gitattributes"), &[ATTRIBUTES_LINE])? {
        report
            .changed
            .push("added the sidecar merge rule to .gitattributes".into());
    }
    if add_lines(&folder.join(".gitignore"), &IGNORE_LINES)? {
        report
            .changed
            .push("added edit journals and temporary files to .gitignore".into());
    }
    let wanted = [
        (
            format!("merge.{DRIVER}.name"),
            "Marginalia sidecar merge".to_owned(),
        ),
        (format!("merge.{DRIVER}.driver"), driver_command(program)),
    ];
    for (key, value) in wanted {
        let now = git(folder, &["config", "--local", "--get", &key]).map_err(|e| e.to_string())?;
        if now.ok && now.stdout.trim_end_matches('\n') == value {
            continue;
        }
        let set = git(folder, &["config", "--local", &key, &value]).map_err(|e| e.to_string())?;
        if !set.ok {
            return Err(format!(
                "git could not save the setting {key}: {}",
                set.stderr.trim()
            ));
        }
        if key.ends_with(".driver") {
            report
                .changed
                .push("registered the merge driver in the repository's settings".into());
        }
    }
    Ok(report)
}

fn has_line(file: &Path, line: &str) -> bool {
    fs::read_to_string(file).is_ok_and(|s| s.lines().any(|l| l.trim() == line))
}

/// Appends the lines `file` lacks; true when it changed.
fn add_lines(file: &Path, lines: &[&str]) -> Result<bool, String> {
    let now = match fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let missing: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !now.lines().any(|have| have.trim() == *l))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut text = now;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# Marginalia: sidecars merge as annotations; journals stay on each computer\n");
    for l in missing {
        text.push_str(l);
        text.push('\n');
    }
    write_atomic(file, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(true)
}
