//! Two analysts, two clones of one bare repository, `marginalia git-setup` in
//! each: whatever they do to the same document, `git pull` merges the sidecar
//! without conflict markers, `check` passes, nothing is lost, and a field both
//! changed differently is reported. Runs the real `git` and the real binary.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use marginalia::model::merge::DELETED;
use marginalia::model::{DocAnnotations, Document, Kind, Stance};
use marginalia::store::corpus;

/// One analyst: a clone with a home folder of its own, so the machine's git
/// configuration (aliases, hooks, drivers) cannot change the outcome.
struct Clone {
    home: PathBuf,
    dir: PathBuf,
}

fn git_in(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git is installed (the team features need it)")
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Clone {
    fn git(&self, args: &[&str]) -> String {
        ok(git_in(&self.dir, &self.home, args), &format!("git {args:?}"))
    }

    fn marginalia(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join("gitconfig"))
            .env("HOME", &self.home)
            .output()
            .unwrap()
    }

    /// Loads `rel`, lets `f` change its annotations, saves through the store, commits.
    fn annotate(&self, rel: &str, f: impl FnOnce(&Document, &mut DocAnnotations)) {
        let mut loaded = corpus::load(&self.dir, rel).unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        f(&loaded.doc, &mut loaded.data);
        loaded.data.sort();
        corpus::save_loaded(&self.dir, &mut loaded).unwrap();
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "annotate"]);
    }

    /// Loads `rel`, lets `f` change its annotations and saves, without committing.
    fn annotate_saved(&self, rel: &str, f: impl FnOnce(&Document, &mut DocAnnotations)) {
        let mut loaded = corpus::load(&self.dir, rel).unwrap();
        f(&loaded.doc, &mut loaded.data);
        loaded.data.sort();
        corpus::save_loaded(&self.dir, &mut loaded).unwrap();
    }

    fn data(&self, rel: &str) -> DocAnnotations {
        let loaded = corpus::load(&self.dir, rel).unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        loaded.data
    }

    /// Pulls (the merge driver active) and checks what every pull must give:
    /// no unmerged file, no conflict marker in any sidecar, `check` passing.
    fn pull(&self) {
        let out = git_in(&self.dir, &self.home, &["pull", "-q", "--no-rebase", "--no-edit"]);
        let unmerged = self.git(&["diff", "--name-only", "--diff-filter=U"]);
        assert!(
            out.status.success() && unmerged.is_empty(),
            "pull did not merge cleanly: {unmerged}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for entry in fs::read_dir(&self.dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "ron") {
                let text = fs::read_to_string(&p).unwrap();
                assert!(
                    !text.contains("<<<<<<<") && !text.contains(">>>>>>>"),
                    "{}",
                    p.display()
                );
            }
        }
        let check = self.marginalia(&["check", "."]);
        assert!(
            check.status.success(),
            "check after the pull:\n{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    fn check_report(&self) -> String {
        String::from_utf8_lossy(&self.marginalia(&["check", "."]).stdout).into_owned()
    }
}

struct Team {
    _root: tempfile::TempDir,
    a: Clone,
    b: Clone,
}

const DOC: &str = "doc.txt";

/// A bare repository holding one seed article with a person and a claim, and
/// two set-up clones of it.
fn team() -> Team {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let mk_home = |name: &str| {
        let home = r.join(format!("home-{name}"));
        fs::create_dir_all(&home).unwrap();
        fs::write(
            home.join("gitconfig"),
            format!(
                "[user]\n\tname = {name}\n\temail = {name}@example.org\n[init]\n\tdefaultBranch = main\n"
            ),
        )
        .unwrap();
        home
    };
    let seed_home = mk_home("seed");
    let remote = r.join("remote.git");
    ok(
        git_in(r, &seed_home, &["init", "-q", "--bare", "remote.git"]),
        "init",
    );
    let first = Clone {
        home: seed_home,
        dir: r.join("first"),
    };
    ok(
        git_in(
            r,
            &first.home,
            &["clone", "-q", remote.to_str().unwrap(), "first"],
        ),
        "clone",
    );
    fs::write(first.dir.join(DOC), common::seed(common::CLINTON)).unwrap();
    first.annotate(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "p1", "Hillary Clinton", 0, "PERSON"));
        data.annotations
            .push(common::entity(doc, "o1", "China", 0, "PLACE"));
        let mut c = common::claim(
            doc,
            "c1",
            "We urge every country",
            marginalia::model::Speaker::Entity("p1".into()),
            None,
        );
        c.label = "CLAIM".into();
        data.annotations.push(c);
    });
    first.git(&["push", "-q", "origin", "HEAD:main"]);
    let clone = |name: &str| {
        let c = Clone {
            home: mk_home(name),
            dir: r.join(name),
        };
        ok(
            git_in(r, &c.home, &["clone", "-q", remote.to_str().unwrap(), name]),
            "clone",
        );
        let setup = c.marginalia(&["git-setup", "."]);
        ok(setup, "marginalia git-setup");
        c.git(&["add", "-A"]);
        c.git(&["commit", "-q", "--allow-empty", "-m", "set up"]);
        c
    };
    let a = clone("ana");
    a.git(&["push", "-q", "origin", "HEAD:main"]);
    let b = clone("ben");
    b.git(&["pull", "-q", "--no-rebase", "--no-edit"]);
    Team { _root: root, a, b }
}

fn ids(data: &DocAnnotations) -> Vec<String> {
    let mut v: Vec<String> = data.annotations.iter().map(|a| a.id.to_string()).collect();
    v.sort();
    v
}

#[test]
fn setup_is_idempotent_and_keeps_journals_out() {
    let t = team();
    let before = (
        fs::read_to_string(t.a.dir.join(".gitattributes")).unwrap(),
        fs::read_to_string(t.a.dir.join(".gitignore")).unwrap(),
    );
    let again = t.a.marginalia(&["git-setup", "."]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already set up"));
    let after = (
        fs::read_to_string(t.a.dir.join(".gitattributes")).unwrap(),
        fs::read_to_string(t.a.dir.join(".gitignore")).unwrap(),
    );
    assert_eq!(before, after);
    assert!(after.0.lines().any(|l| l == "*.ron merge=marginalia"));
    fs::write(t.a.dir.join("doc.txt.ron.journal"), "x").unwrap();
    assert_eq!(t.a.git(&["status", "--porcelain", "--ignored=no"]), "");
}

#[test]
fn both_add_at_the_same_place() {
    let t = team();
    t.a.annotate(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "a-new", "refugees", 0, "MISC"));
    });
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "b-new", "refugees", 0, "GROUP"));
    });
    t.b.pull();
    let merged = t.b.data(DOC);
    assert_eq!(ids(&merged), ["a-new", "b-new", "c1", "o1", "p1"]);
    assert!(merged.annotations.iter().all(|a| a.conflicts.is_empty()));
    // The merged file is what the app writes: saving it again changes nothing.
    let side = t.b.dir.join("doc.txt.ron");
    let bytes = fs::read(&side).unwrap();
    let mut loaded = corpus::load(&t.b.dir, DOC).unwrap();
    corpus::save_loaded(&t.b.dir, &mut loaded).unwrap();
    assert_eq!(fs::read(&side).unwrap(), bytes);
}

#[test]
fn different_fields_of_one_claim_combine() {
    let t = team();
    t.a.annotate(DOC, |_, data| {
        let c = data.annotations.iter_mut().find(|a| a.id == "c1").unwrap();
        if let Kind::Claim(claim) = &mut c.kind {
            claim.stance = Stance::Reports;
        }
        c.modified = "2026-02-01T00:00:00Z".into();
    });
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |_, data| {
        let c = data.annotations.iter_mut().find(|a| a.id == "c1").unwrap();
        if let Kind::Claim(claim) = &mut c.kind {
            claim.proposition = Some("repatriated-count".into());
        }
        c.note = "check the figure".into();
        c.modified = "2026-02-02T00:00:00Z".into();
    });
    t.b.pull();
    let merged = t.b.data(DOC);
    let c = merged.get("c1").unwrap();
    let claim = c.claim().unwrap();
    assert_eq!(claim.stance, Stance::Reports);
    assert_eq!(claim.proposition.as_deref(), Some("repatriated-count"));
    assert_eq!(c.note, "check the figure");
    assert_eq!(c.modified, "2026-02-02T00:00:00Z");
    assert!(c.conflicts.is_empty(), "{:?}", c.conflicts);
}

#[test]
fn a_true_conflict_keeps_ours_and_records_theirs() {
    let t = team();
    t.a.annotate(DOC, |_, data| {
        data.annotations.iter_mut().find(|a| a.id == "o1").unwrap().label = "GROUP".into();
    });
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |_, data| {
        data.annotations.iter_mut().find(|a| a.id == "o1").unwrap().label = "ORG".into();
    });
    t.b.pull();
    let merged = t.b.data(DOC);
    let o = merged.get("o1").unwrap();
    assert_eq!(o.label, "ORG");
    assert_eq!(o.conflicts.len(), 1);
    assert_eq!(o.conflicts[0].field, "label");
    assert_eq!(o.conflicts[0].theirs, "\"GROUP\"");
    let report = t.b.check_report();
    assert!(
        report.contains("merge_conflict") && report.contains("\"GROUP\""),
        "{report}"
    );
}

#[test]
fn one_deletes_what_the_other_edits() {
    let t = team();
    t.a.annotate(DOC, |_, data| data.annotations.retain(|a| a.id != "o1"));
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |_, data| {
        data.annotations.iter_mut().find(|a| a.id == "o1").unwrap().note = "Beijing's position".into();
    });
    t.b.pull();
    let merged = t.b.data(DOC);
    let o = merged.get("o1").expect("the edited annotation is kept");
    assert_eq!(o.note, "Beijing's position");
    assert_eq!(o.conflicts[0].field, DELETED);
    assert!(t.b.check_report().contains("merge_conflict"));
    // The other way round: ours deleted, theirs edited.
    t.b.git(&["push", "-q", "origin", "HEAD:main"]);
    t.a.pull();
    assert!(t.a.data(DOC).get("o1").is_some());
}

#[test]
fn a_canonical_rename_reaches_the_others_new_tags() {
    let t = team();
    t.a.annotate(DOC, |_, data| {
        for a in &mut data.annotations {
            if a.id == "p1" {
                a.kind = Kind::Entity {
                    canonical: Some("clinton".into()),
                };
            }
        }
    });
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.pull();
    // Ana renames the id everywhere; Ben tags another mention with the old one.
    t.a.annotate(DOC, |_, data| {
        for a in &mut data.annotations {
            if a.canonical() == Some("clinton") {
                a.kind = Kind::Entity {
                    canonical: Some("wikidata:Q6294".into()),
                };
            }
        }
    });
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |doc, data| {
        let mut e = common::entity(doc, "p2", "Secretary of State", 0, "PERSON");
        e.kind = Kind::Entity {
            canonical: Some("clinton".into()),
        };
        data.annotations.push(e);
    });
    t.b.pull();
    let merged = t.b.data(DOC);
    assert_eq!(merged.get("p1").unwrap().canonical(), Some("wikidata:Q6294"));
    assert_eq!(merged.get("p2").unwrap().canonical(), Some("wikidata:Q6294"));
}

#[test]
fn the_tag_set_gets_a_line_merge() {
    let t = team();
    let conf = "(labels: [])\n";
    fs::write(t.a.dir.join("notes.ron"), conf).unwrap();
    t.a.git(&["add", "-A"]);
    t.a.git(&["commit", "-q", "-m", "notes"]);
    t.a.git(&["push", "-q", "origin", "HEAD:main"]);
    t.b.annotate(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "b2", "North Korea", 3, "PLACE"));
    });
    t.b.pull();
    assert_eq!(fs::read_to_string(t.b.dir.join("notes.ron")).unwrap(), conf);
}

/// Runs a sync as the app does, in this clone's git environment.
fn sync(c: &Clone, name: &str) -> Result<marginalia::team::sync::Report, marginalia::team::sync::SyncError> {
    with_git_env(c, || marginalia::team::sync::sync(&c.dir, name, |_| {}))
}

/// The library runs `git` itself: point it at the clone's own configuration.
/// Tests in this file that call the library hold this lock, as the
/// environment is the process's.
fn with_git_env<T>(c: &Clone, f: impl FnOnce() -> T) -> T {
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = ENV.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: every test of this file that changes or reads these variables
    // through git holds `ENV`, and nothing else in this test binary reads them.
    unsafe {
        std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
        std::env::set_var("GIT_CONFIG_GLOBAL", c.home.join("gitconfig"));
        std::env::set_var("HOME", &c.home);
    }
    f()
}

#[test]
fn sync_commits_pulls_and_pushes_and_says_who_changed_what() {
    let t = team();
    t.a.annotate_saved(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "a-new", "refugees", 0, "GROUP"));
    });
    let r = sync(&t.a, "ana").unwrap();
    assert_eq!(r.committed, [DOC]);
    assert!(r.pushed);
    t.b.annotate_saved(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "b-new", "North Korea", 2, "PLACE"));
    });
    let r = sync(&t.b, "ben").unwrap();
    assert_eq!(r.committed, [DOC]);
    assert_eq!(r.changed, [DOC]);
    assert_eq!(r.pulled.len(), 1, "{:?}", r.pulled);
    assert_eq!(r.pulled[0].author, "ana");
    assert_eq!(r.pulled[0].documents, [DOC]);
    assert!(r.pushed);
    assert!(ids(&t.b.data(DOC)).contains(&"a-new".to_owned()));
    // Ana's panel, after a fetch, shows Ben's change since her last sync.
    t.a.git(&["fetch", "-q"]);
    let s = with_git_env(&t.a, || marginalia::team::sync::status(&t.a.dir, Some("ana"))).unwrap();
    assert_eq!(s.behind, 3, "Ben's set-up, his annotations and his merge");
    assert!(
        s.since_sync
            .iter()
            .any(|c| c.author == "ben" && c.documents == [DOC]),
        "{:?}",
        s.since_sync
    );
    sync(&t.a, "ana").unwrap();
    assert!(ids(&t.a.data(DOC)).contains(&"b-new".to_owned()));
    let last = t.a.git(&["log", "-1", "--format=%an|%s", "HEAD^1"]);
    assert_eq!(last.trim(), "ben|Annotations: doc.txt");
}

#[test]
fn a_sync_without_network_says_so_and_keeps_the_commit() {
    let t = team();
    t.a.annotate_saved(DOC, |doc, data| {
        data.annotations
            .push(common::entity(doc, "a-new", "refugees", 0, "GROUP"));
    });
    t.a.git(&["remote", "set-url", "origin", "/nonexistent/remote.git"]);
    let e = sync(&t.a, "ana").unwrap_err();
    assert!(
        matches!(e, marginalia::team::sync::SyncError::Network(_)),
        "{e:?}"
    );
    assert!(e.to_string().contains("could not be reached"), "{e}");
    assert_eq!(t.a.git(&["status", "--porcelain"]), "", "the work is committed");
}

#[test]
fn a_conflict_outside_the_sidecars_is_explained_and_left_to_git() {
    let t = team();
    for (c, text) in [(&t.a, "ana's notes\n"), (&t.b, "ben's notes\n")] {
        fs::write(c.dir.join("notes.csv"), text).unwrap();
    }
    sync(&t.a, "ana").unwrap();
    let e = sync(&t.b, "ben").unwrap_err();
    assert_eq!(
        e,
        marginalia::team::sync::SyncError::Conflict(vec!["notes.csv".into()])
    );
    assert!(
        fs::read_to_string(t.b.dir.join("notes.csv"))
            .unwrap()
            .contains("<<<<<<<")
    );
    // Another sync is refused until the merge is finished.
    assert_eq!(
        sync(&t.b, "ben").unwrap_err(),
        marginalia::team::sync::SyncError::MergeInProgress
    );
}
