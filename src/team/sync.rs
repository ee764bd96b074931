//! One action that shares an analyst's saved work with the team: commit what
//! was saved, pull (sidecars merge through the driver), push. Each failure is
//! explained in plain words and leaves the working tree as git left it.

use std::path::{Path, PathBuf};

use super::git::{GitError, GitOutput, git};

/// The ref that marks where the last sync left `HEAD`, so the panel can say
/// what others changed since then.
pub const LAST_SYNC_REF: &str = "refs/marginalia/last-sync";

/// One commit as the Team panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Abbreviated commit id.
    pub commit: String,
    /// Who made it.
    pub author: String,
    /// When, as `YYYY-MM-DD HH:MM`.
    pub when: String,
    /// Its message's first line.
    pub subject: String,
    /// Documents (sources, relative to the corpus folder) whose annotations or text it changed.
    pub documents: Vec<String>,
}

/// Where the corpus stands with the team.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The repository's top folder.
    pub repository: PathBuf,
    /// The current branch, if any.
    pub branch: Option<String>,
    /// The branch it shares with (`origin/main`), if one is set.
    pub upstream: Option<String>,
    /// Documents with saved work not yet committed.
    pub unshared: Vec<String>,
    /// Commits here not yet pushed.
    pub ahead: usize,
    /// Commits known from the last fetch that are not here yet.
    pub behind: usize,
    /// Commits by others since the last sync, up to the upstream as last fetched.
    pub since_sync: Vec<Change>,
    /// Why the team's work could not be fetched, when it could not.
    pub note: Option<String>,
}

/// A step of [`sync`], for progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Committing saved work.
    Committing,
    /// Fetching and merging the team's work.
    Pulling,
    /// Sending the merged work.
    Pushing,
}

impl Step {
    /// What the step is doing, for a progress line.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Committing => "Recording your saved work…",
            Step::Pulling => "Getting the team's work…",
            Step::Pushing => "Sending your work…",
        }
    }
}

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Documents whose saved work was committed.
    pub committed: Vec<String>,
    /// Commits the pull brought in, made by others.
    pub pulled: Vec<Change>,
    /// Documents the pull changed: these reload (and re-anchor) in the app.
    pub changed: Vec<String>,
    /// True when work was pushed.
    pub pushed: bool,
    /// Said when part of the sync could not happen but nothing failed (no remote).
    pub note: Option<String>,
}

/// Why a sync stopped. Each says what happened and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// Git is not installed, or could not run.
    Git(GitError),
    /// The folder is not in a git working tree.
    NotRepository(PathBuf),
    /// A merge was already in progress before the sync.
    MergeInProgress,
    /// The server could not be reached.
    Network(String),
    /// The server refused the credentials, or asked for some.
    Authentication(String),
    /// Files other than sidecars conflict; they are left as git left them.
    Conflict(Vec<String>),
    /// Someone shared work between our pull and push.
    Rejected,
    /// Anything else git said.
    Other(String),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Git(e) => write!(f, "{e}"),
            SyncError::NotRepository(p) => write!(
                f,
                "{} is not in a git repository, so there is no team to sync with. Clone the team's repository and open the folder from there.",
                p.display()
            ),
            SyncError::MergeInProgress => f.write_str(
                "A git merge is unfinished in this repository. Finish or abort it in a git tool (git merge --abort), then sync again.",
            ),
            SyncError::Network(why) => write!(
                f,
                "The team's server could not be reached ({why}). Your work is saved and committed here; sync again when you are online."
            ),
            SyncError::Authentication(why) => write!(
                f,
                "The team's server did not accept your sign-in ({why}). Set up your credentials for git (a credential helper or an SSH key), then sync again. Your work is committed here."
            ),
            SyncError::Conflict(files) => write!(
                f,
                "Git could not merge {}: {} not annotations Marginalia can merge. They are left as git left them, with conflict markers; resolve them in a git tool or text editor, commit, then sync again.",
                files.join(", "),
                if files.len() == 1 { "it is" } else { "they are" }
            ),
            SyncError::Rejected => f.write_str(
                "Someone shared work while you were syncing. Nothing was lost: sync again to merge it.",
            ),
            SyncError::Other(why) => write!(f, "Git stopped: {why}"),
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<GitOutput, SyncError> {
    git(dir, args).map_err(SyncError::Git)
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// The document a corpus file belongs to: a sidecar's source, or the source
/// itself; `None` for other files (the tag set, `.gitignore`).
fn document_of(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.starts_with('.') || name == crate::model::tagset::CORPUS_TAGSET_FILE {
        return None;
    }
    if let Some(src) = path.strip_suffix(crate::store::sidecar::EXTENSION) {
        return Some(src.to_owned());
    }
    crate::store::scan::is_source_name(name).then(|| path.to_owned())
}

fn documents(paths: &str) -> Vec<String> {
    let mut v: Vec<String> = lines(paths).filter_map(document_of).collect();
    v.sort();
    v.dedup();
    v
}

/// Commits in `range` (a git revision range) by anyone but `me`, newest first,
/// with the documents under `folder` each changed.
fn changes(folder: &Path, range: &str, me: Option<&str>) -> Result<Vec<Change>, SyncError> {
    let out = run(
        folder,
        &[
            "log",
            "--no-merges",
            "--date=format:%Y-%m-%d %H:%M",
            "--format=%x1e%h%x1f%an%x1f%ad%x1f%s",
            "--name-only",
            "--relative",
            range,
            "--",
            ".",
        ],
    )?;
    if !out.ok {
        return Ok(Vec::new());
    }
    let mut v = Vec::new();
    for record in out.stdout.split('\u{1e}').filter(|r| !r.trim().is_empty()) {
        let (head, files) = record.split_once('\n').unwrap_or((record, ""));
        let f: Vec<&str> = head.split('\u{1f}').collect();
        let [commit, author, when, subject] = f[..] else {
            continue;
        };
        if me.is_some_and(|me| me == author) {
            continue;
        }
        v.push(Change {
            commit: commit.into(),
            author: author.into(),
            when: when.into(),
            subject: subject.into(),
            documents: documents(files),
        });
    }
    Ok(v)
}

/// Where `folder` stands, without touching the network. `me` is the analyst's
/// name: their own commits are not listed as others' changes.
pub fn status(folder: &Path, me: Option<&str>) -> Result<Status, SyncError> {
    let top = run(folder, &["rev-parse", "--show-toplevel"])?;
    if !top.ok {
        return Err(SyncError::NotRepository(folder.to_path_buf()));
    }
    let branch = run(folder, &["symbolic-ref", "--quiet", "--short", "HEAD"])?;
    let upstream = run(
        folder,
        &["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"],
    )?;
    let upstream = upstream.ok.then(|| upstream.stdout.trim().to_owned());
    let porcelain = run(
        folder,
        &["status", "--porcelain", "--no-renames", "-z", "--", "."],
    )?;
    let unshared = documents(
        &porcelain
            .stdout
            .split('\0')
            .filter_map(|e| e.get(3..))
            .map(|p| relative_to(folder, &top.stdout, p))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let (mut ahead, mut behind) = (0, 0);
    if upstream.is_some() {
        let counts = run(
            folder,
            &["rev-list", "--left-right", "--count", "HEAD...@{upstream}"],
        )?;
        let mut n = counts.stdout.split_whitespace().map(|x| x.parse().unwrap_or(0));
        ahead = n.next().unwrap_or(0);
        behind = n.next().unwrap_or(0);
    }
    let has_sync = run(folder, &["rev-parse", "--verify", "--quiet", LAST_SYNC_REF])?.ok;
    let tip = if upstream.is_some() { "@{upstream}" } else { "HEAD" };
    let since_sync = if has_sync {
        changes(folder, &format!("{LAST_SYNC_REF}..{tip}"), me)?
    } else {
        Vec::new()
    };
    Ok(Status {
        repository: PathBuf::from(top.stdout.trim_end_matches(['\n', '\r'])),
        branch: branch.ok.then(|| branch.stdout.trim().to_owned()),
        upstream,
        unshared,
        ahead,
        behind,
        since_sync,
        note: None,
    })
}

/// `git status` paths are relative to the repository's top; the panel names
/// documents relative to the corpus folder.
fn relative_to(folder: &Path, top: &str, path: &str) -> String {
    let top = Path::new(top.trim_end_matches(['\n', '\r']));
    let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
    let top = top.canonicalize().unwrap_or_else(|_| top.to_path_buf());
    match folder.strip_prefix(&top) {
        Ok(sub) if !sub.as_os_str().is_empty() => {
            let sub = sub.to_string_lossy().replace('\\', "/");
            path.strip_prefix(&format!("{sub}/")).unwrap_or(path).to_owned()
        }
        _ => path.to_owned(),
    }
}

/// Who commits: the analyst's name, with the e-mail git is configured with
/// (or none), passed as settings so a fresh clone without an identity works.
fn identity(folder: &Path, name: &str) -> Result<Vec<String>, SyncError> {
    let email = run(folder, &["config", "user.email"])?;
    let email = if email.ok {
        email.stdout.trim().to_owned()
    } else {
        String::new()
    };
    Ok(vec![
        "-c".into(),
        format!("user.name={name}"),
        "-c".into(),
        format!("user.email={email}"),
    ])
}

fn classify(out: &GitOutput, folder: &Path) -> SyncError {
    let e = out.stderr.to_lowercase();
    let first = lines(&out.stderr)
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .unwrap_or_else(|| lines(&out.stderr).next().unwrap_or("no message"))
        .trim_start_matches("fatal: ")
        .trim_start_matches("error: ")
        .to_owned();
    if e.contains("authentication failed")
        || e.contains("permission denied")
        || e.contains("could not read username")
        || e.contains("terminal prompts disabled")
        || e.contains("access denied")
        || e.contains("403")
    {
        return SyncError::Authentication(first);
    }
    if e.contains("could not resolve host")
        || e.contains("unable to access")
        || e.contains("connection refused")
        || e.contains("could not read from remote")
        || e.contains("network is unreachable")
        || e.contains("timed out")
        || e.contains("does not appear to be a git repository")
    {
        return SyncError::Network(first);
    }
    if e.contains("[rejected]") || e.contains("non-fast-forward") || e.contains("fetch first") {
        return SyncError::Rejected;
    }
    let unmerged = git(folder, &["diff", "--name-only", "--diff-filter=U"]).map(|o| o.stdout);
    if let Ok(files) = unmerged
        && !files.trim().is_empty()
    {
        return SyncError::Conflict(lines(&files).map(str::to_owned).collect());
    }
    SyncError::Other(first)
}

/// Gets the team's work without merging it, so [`status`] can say what
/// others changed. Failures are explained as for a sync.
pub fn fetch(folder: &Path) -> Result<(), SyncError> {
    let out = run(folder, &["fetch", "-q"])?;
    if out.ok {
        Ok(())
    } else {
        Err(classify(&out, folder))
    }
}

/// Commits the saved work under `folder` as `name`, pulls and pushes.
/// `step` is told as each step begins. Nothing is retried or undone: on a
/// failure the working tree is as git left it.
pub fn sync(folder: &Path, name: &str, mut step: impl FnMut(Step)) -> Result<Report, SyncError> {
    let top = run(folder, &["rev-parse", "--show-toplevel"])?;
    if !top.ok {
        return Err(SyncError::NotRepository(folder.to_path_buf()));
    }
    let merging = run(folder, &["rev-parse", "--verify", "--quiet", "MERGE_HEAD"])?;
    if merging.ok {
        return Err(SyncError::MergeInProgress);
    }
    let mut report = Report::default();
    let me = if name.trim().is_empty() {
        "Marginalia user"
    } else {
        name.trim()
    };
    let id = identity(folder, me)?;
    let with_id = |args: &[&str]| -> Vec<String> {
        id.iter()
            .cloned()
            .chain(args.iter().map(|s| (*s).to_owned()))
            .collect()
    };
    let call = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(folder, &refs)
    };

    step(Step::Committing);
    let add = run(folder, &["add", "-A", "--", "."])?;
    if !add.ok {
        return Err(classify(&add, folder));
    }
    let staged = run(
        folder,
        &["diff", "--cached", "--name-only", "--relative", "--", "."],
    )?;
    report.committed = documents(&staged.stdout);
    if !staged.stdout.trim().is_empty() {
        let message = commit_message(&report.committed);
        let commit = call(with_id(&["commit", "-q", "-m", &message]))?;
        if !commit.ok {
            return Err(classify(&commit, folder));
        }
    }

    let upstream = run(
        folder,
        &["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"],
    )?;
    if !upstream.ok {
        let remotes = run(folder, &["remote"])?;
        report.note = Some(if remotes.stdout.trim().is_empty() {
            "Your work is committed. This repository has no remote to share it with: ask whoever set up the team's repository for its address.".into()
        } else {
            "Your work is committed. This branch does not follow a branch of the team's repository, so nothing was pulled or pushed; set one with git push -u once.".into()
        });
        mark_synced(folder)?;
        return Ok(report);
    }

    step(Step::Pulling);
    let before = run(folder, &["rev-parse", "HEAD"])?.stdout.trim().to_owned();
    let pull = call(with_id(&["pull", "--no-rebase", "--no-edit", "-q"]))?;
    if !pull.ok {
        return Err(classify(&pull, folder));
    }
    let after = run(folder, &["rev-parse", "HEAD"])?.stdout.trim().to_owned();
    if before != after && !before.is_empty() {
        report.pulled = changes(folder, &format!("{before}..{after}"), Some(me))?;
        let diff = run(
            folder,
            &["diff", "--name-only", "--relative", &before, &after, "--", "."],
        )?;
        report.changed = documents(&diff.stdout);
    }

    let ahead = run(folder, &["rev-list", "--count", "@{upstream}..HEAD"])?;
    if ahead.stdout.trim() != "0" {
        step(Step::Pushing);
        let push = run(folder, &["push", "-q"])?;
        if !push.ok {
            return Err(classify(&push, folder));
        }
        report.pushed = true;
    }
    mark_synced(folder)?;
    Ok(report)
}

fn mark_synced(folder: &Path) -> Result<(), SyncError> {
    let head = run(folder, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
    if head.ok {
        run(folder, &["update-ref", LAST_SYNC_REF, head.stdout.trim()])?;
    }
    Ok(())
}

/// "Annotations: a.txt, b.txt" (up to five names, then a count).
pub fn commit_message(documents: &[String]) -> String {
    match documents.len() {
        0 => "Corpus settings".to_owned(),
        n if n <= 5 => format!("Annotations: {}", documents.join(", ")),
        n => format!(
            "Annotations: {} and {} more documents",
            documents[..5].join(", "),
            n - 5
        ),
    }
}
