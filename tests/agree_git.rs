//! Two analysts annotate on two git branches and merge. The sidecar writer
//! sorts annotations by position and writes one field per line, so git merges
//! work on different documents, and on distant parts of one document, without
//! conflicts; only edits of the same annotation conflict, and only there.
//!
//! Runs the real `git` in a temporary repository with its own configuration;
//! when `git` is not installed the tests print why and pass without checking.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use marginalia::model::{DocAnnotations, Document, Status};
use marginalia::store::corpus;

/// A throwaway repository with a home folder of its own, so the machine's git
/// configuration (aliases, hooks, merge drivers, signing) cannot change the outcome.
struct Repo {
    _home: tempfile::TempDir,
    home: PathBuf,
    dir: tempfile::TempDir,
}

impl Repo {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> Output {
        Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join("gitconfig"))
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("run git")
    }

    /// Runs git and fails the test, with git's own words, when it fails.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn commit_all(&self, message: &str) {
        self.ok(&["add", "-A"]);
        self.ok(&["commit", "-q", "-m", message]);
    }

    /// Loads `rel`, lets `f` change its annotations, saves through the store, commits.
    fn annotate(&self, rel: &str, message: &str, f: impl FnOnce(&Document, &mut DocAnnotations)) {
        let mut loaded = corpus::load(self.path(), rel).unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        f(&loaded.doc, &mut loaded.data);
        loaded.data.sort();
        corpus::save_loaded(self.path(), &mut loaded).unwrap();
        self.commit_all(message);
    }

    /// Files git reports as unmerged.
    fn conflicted(&self) -> Vec<String> {
        self.ok(&["diff", "--name-only", "--diff-filter=U"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn ids(&self, rel: &str) -> Vec<String> {
        let loaded = corpus::load(self.path(), rel).unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        loaded.data.annotations.iter().map(|a| a.id.to_string()).collect()
    }
}

fn git_available() -> bool {
    match Command::new("git").arg("--version").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            println!("skipped: the `git` command is not installed, so branch merges cannot be tried");
            false
        }
    }
}

fn clinton() -> String {
    format!("news/{}", common::CLINTON)
}

fn other() -> String {
    format!("news/{}", common::seed_names()[1])
}

/// A repository on `main` holding two seed articles; the Clinton article has
/// three annotations spread over the text, so additions near its start and
/// near its end are separated by untouched sidecar lines.
fn repo() -> Repo {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(home.path().join("gitconfig"), "").unwrap();
    let repo = Repo {
        home: home.path().to_path_buf(),
        _home: home,
        dir,
    };
    repo.ok(&["init", "-q", "-b", "main"]);
    for (k, v) in [
        ("user.name", "Test Analyst"),
        ("user.email", "analyst@example.org"),
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("merge.conflictStyle", "merge"),
    ] {
        repo.ok(&["config", k, v]);
    }
    for rel in [clinton(), other()] {
        let name = rel.trim_start_matches("news/");
        let p = repo.path().join(&rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, common::seed(name)).unwrap();
    }
    repo.commit_all("sources");
    repo.annotate(&clinton(), "base annotations", |doc, data| {
        data.annotations.extend([
            common::entity(doc, "base-early", "North Korean refugees", 0, "GROUP"),
            common::entity(doc, "base-mid", "South Korean government", 0, "ORG"),
            common::entity(doc, "base-late", "Hillary Clinton", 0, "PERSON"),
        ]);
    });
    repo
}

#[test]
fn branches_on_different_documents_merge_cleanly() {
    if !git_available() {
        return;
    }
    let repo = repo();
    repo.ok(&["checkout", "-q", "-b", "ana"]);
    repo.annotate(&clinton(), "ana: date", |doc, data| {
        data.annotations
            .push(common::entity(doc, "ana-1", "March 12, 2012", 0, "DATE"));
        data.status = Status::InProgress;
    });
    repo.ok(&["checkout", "-q", "main"]);
    repo.ok(&["checkout", "-q", "-b", "ben"]);
    let other_word = {
        let text = common::seed(&common::seed_names()[1]);
        text.split_whitespace().find(|w| w.len() > 6).unwrap().to_owned()
    };
    repo.annotate(&other(), "ben: other article", |doc, data| {
        data.annotations
            .push(common::entity(doc, "ben-1", &other_word, 0, "MISC"));
    });

    repo.ok(&["checkout", "-q", "ana"]);
    let merge = repo.git(&["merge", "--no-edit", "ben"]);
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stdout)
    );
    assert!(repo.conflicted().is_empty());
    let mut ids = repo.ids(&clinton());
    ids.sort();
    assert_eq!(ids, ["ana-1", "base-early", "base-late", "base-mid"]);
    assert_eq!(repo.ids(&other()), ["ben-1"]);
}

#[test]
fn distant_annotations_in_one_document_merge_cleanly() {
    if !git_available() {
        return;
    }
    let repo = repo();
    repo.ok(&["checkout", "-q", "-b", "ana"]);
    // Before the first base annotation.
    repo.annotate(&clinton(), "ana: early", |doc, data| {
        data.annotations
            .push(common::entity(doc, "ana-early", "March 12, 2012", 0, "DATE"));
        data.status = Status::InProgress;
    });
    repo.ok(&["checkout", "-q", "main"]);
    repo.ok(&["checkout", "-q", "-b", "ben"]);
    // After the last base annotation ("Hillary Clinton" comes late in the article).
    repo.annotate(&clinton(), "ben: late", |doc, data| {
        let late = doc.text.rfind("China").unwrap();
        assert!(late > doc.text.find("Hillary Clinton").unwrap());
        let nth = doc.text.matches("China").count() - 1;
        data.annotations
            .push(common::entity(doc, "ben-late", "China", nth, "PLACE"));
        // The same status change on both branches is one change to git.
        data.status = Status::InProgress;
    });

    repo.ok(&["checkout", "-q", "ana"]);
    let merge = repo.git(&["merge", "--no-edit", "ben"]);
    assert!(
        merge.status.success(),
        "{}{}",
        String::from_utf8_lossy(&merge.stdout),
        fs::read_to_string(corpus::sidecar_path(&repo.path().join(clinton()))).unwrap()
    );
    assert!(repo.conflicted().is_empty());
    let loaded = corpus::load(repo.path(), &clinton()).unwrap();
    let ids: Vec<&str> = loaded.data.annotations.iter().map(|a| a.id.as_str()).collect();
    // Loaded in position order, both branches' work present.
    assert_eq!(
        ids,
        ["ana-early", "base-early", "base-mid", "base-late", "ben-late"]
    );
    assert_eq!(loaded.data.status, Status::InProgress);
    assert!(loaded.reanchor.is_none(), "the merged file matches its source");
}

#[test]
fn editing_the_same_annotation_conflicts_only_there() {
    if !git_available() {
        return;
    }
    let repo = repo();
    repo.ok(&["checkout", "-q", "-b", "ana"]);
    repo.annotate(&clinton(), "ana: relabel and add", |doc, data| {
        let i = data.position("base-mid").unwrap();
        data.annotations[i].label = "GROUP".into();
        data.annotations[i].modified = "2026-02-01T10:00:00Z".into();
        data.annotations
            .push(common::entity(doc, "ana-early", "March 12, 2012", 0, "DATE"));
    });
    repo.ok(&["checkout", "-q", "main"]);
    repo.ok(&["checkout", "-q", "-b", "ben"]);
    repo.annotate(&clinton(), "ben: relabel and add", |doc, data| {
        let i = data.position("base-mid").unwrap();
        data.annotations[i].label = "MISC".into();
        data.annotations[i].modified = "2026-02-02T11:00:00Z".into();
        let nth = doc.text.matches("China").count() - 1;
        data.annotations
            .push(common::entity(doc, "ben-late", "China", nth, "PLACE"));
    });

    repo.ok(&["checkout", "-q", "ana"]);
    let merge = repo.git(&["merge", "--no-edit", "ben"]);
    assert!(!merge.status.success(), "both relabelled base-mid: git must ask");
    let side_rel = format!("{}.ron", clinton());
    assert_eq!(repo.conflicted(), vec![side_rel.clone()]);

    let merged = fs::read_to_string(repo.path().join(&side_rel)).unwrap();
    let lines: Vec<&str> = merged.lines().collect();
    // Every conflict region sits inside base-mid's block: the nearest `id:` line above it is
    // base-mid's, and no other annotation's lines are inside a region.
    let mut regions = 0;
    let mut inside = false;
    for (n, line) in lines.iter().enumerate() {
        if line.starts_with("<<<<<<<") {
            regions += 1;
            inside = true;
            let owner = lines[..n]
                .iter()
                .rev()
                .find(|l| l.trim_start().starts_with("id: "))
                .unwrap();
            assert!(
                owner.contains("\"base-mid\""),
                "conflict outside base-mid:\n{merged}"
            );
        } else if line.starts_with(">>>>>>>") {
            inside = false;
        } else if inside {
            assert!(
                !line.contains("id: "),
                "a conflict region spans annotations:\n{merged}"
            );
        }
    }
    assert!(regions >= 1, "{merged}");
    for id in ["ana-early", "ben-late", "base-early", "base-late"] {
        assert!(
            merged.contains(&format!("id: \"{id}\"")),
            "{id} missing:\n{merged}"
        );
    }

    // Resolve by keeping A's side of each region: the result is a valid sidecar with
    // both branches' other work.
    let mut resolved = String::new();
    let mut keep = true;
    for line in &lines {
        if line.starts_with("<<<<<<<") {
            keep = true;
        } else if line.starts_with("=======") {
            keep = false;
        } else if line.starts_with(">>>>>>>") {
            keep = true;
        } else if keep {
            resolved.push_str(line);
            resolved.push('\n');
        }
    }
    fs::write(repo.path().join(&side_rel), resolved).unwrap();
    let loaded = corpus::load(repo.path(), &clinton()).unwrap();
    assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
    let ids: Vec<&str> = loaded.data.annotations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ana-early", "base-early", "base-mid", "base-late", "ben-late"]
    );
    let mid = loaded.data.get("base-mid").unwrap();
    assert_eq!(mid.label, "GROUP");
    assert_eq!(mid.modified, "2026-02-01T10:00:00Z");
    repo.commit_all("merge ben, keeping ana's label");
}
