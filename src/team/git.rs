//! Running the `git` program found on the system, never waiting on a prompt.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What came of one git command.
#[derive(Debug)]
pub struct GitOutput {
    /// True when git exited with status 0.
    pub ok: bool,
    /// Its exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, decoded leniently.
    pub stdout: String,
    /// Standard error, decoded leniently.
    pub stderr: String,
}

/// Why git could not be run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// No `git` program on this system.
    Missing,
    /// It exists but could not be started.
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing => f.write_str(
                "git is not installed on this computer. Install it from https://git-scm.com \
                 (on Debian or Ubuntu: the package \"git\"), then open the folder again.",
            ),
            GitError::Failed(e) => write!(f, "git could not be started: {e}"),
        }
    }
}

/// Runs `git ARGS` in `dir`. Git is told never to ask for a password or a
/// passphrase on a terminal (the app has none; a prompt would hang it): a
/// remote that needs one fails with a message instead.
pub fn git(dir: &Path, args: &[&str]) -> Result<GitOutput, GitError> {
    let out: Output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env("GCM_INTERACTIVE", "never")
        .env("GIT_SSH_COMMAND", ssh_command())
        // Messages are matched below to explain failures: keep them in English.
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Failed(e.to_string()),
        })?;
    Ok(GitOutput {
        ok: out.status.success(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// ssh as configured, but never asking on a terminal.
fn ssh_command() -> String {
    let base = std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh".into());
    format!("{base} -o BatchMode=yes")
}

/// The top folder of the git working tree holding `dir`, or `None` when `dir`
/// is not in one (or git is missing).
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    out.ok
        .then(|| PathBuf::from(out.stdout.trim_end_matches(['\n', '\r'])))
}

/// True when git is installed.
pub fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
