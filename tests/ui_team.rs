//! The Team tab and adjudication, driven through the real workbench against
//! a local bare repository: the set-up offer, Sync bringing a colleague's
//! annotations in and sending ours, and adjudicating two branches.

mod ui_common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use egui_kittest::kittest::Queryable;
use marginalia::model::Span;
use marginalia::store::corpus;
use marginalia::workspace::Change;
use ui_common::{harness, wait_until};

const DOC: &str = "doc.txt";

/// git with the test's own configuration, so the machine's cannot change the outcome.
fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let out: Output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("HOME", home)
        .env("LC_ALL", "C")
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The app runs git itself and inherits this process's environment: every
/// test of this file uses the same settings folder, set once.
fn app_home() -> PathBuf {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        // Lives as long as the test binary: its settings must outlive every test.
        let home = tempfile::Builder::new()
            .prefix("marginalia-ui-team")
            .tempdir()
            .unwrap()
            .keep();
        fs::write(home.join("gitconfig"), "[init]\n\tdefaultBranch = main\n").unwrap();
        // SAFETY: set once, before any thread of this test binary runs git.
        unsafe {
            std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
            std::env::set_var("GIT_CONFIG_GLOBAL", home.join("gitconfig"));
        }
        home
    })
    .clone()
}

struct Setup {
    _root: tempfile::TempDir,
    /// Ana's clone, driven with git.
    ana: PathBuf,
    ana_home: PathBuf,
    /// Ben's clone, opened in the app.
    ben: PathBuf,
}

/// A bare remote holding one seed article with one person tagged, Ana's
/// clone, and Ben's clone (not set up yet: the app offers it).
fn setup() -> Setup {
    let root = tempfile::tempdir().unwrap();
    let app_home = app_home();
    let r = root.path();
    let ana_home = r.join("ana-home");
    fs::create_dir_all(&ana_home).unwrap();
    fs::write(
        ana_home.join("gitconfig"),
        "[user]\n\tname = ana\n\temail = ana@example.org\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    git(r, &ana_home, &["init", "-q", "--bare", "remote.git"]);
    git(r, &ana_home, &["clone", "-q", "remote.git", "ana"]);
    let ana = r.join("ana");
    fs::write(ana.join(DOC), fs::read_to_string(seed()).unwrap()).unwrap();
    ui_common::annotate(
        &ana,
        DOC,
        &[("Hillary Clinton", "PERSON", marginalia::model::Kind::entity())],
    );
    let driver = format!("'{}' merge-driver %O %A %B %P", env!("CARGO_BIN_EXE_marginalia"));
    git(&ana, &ana_home, &["config", "merge.marginalia.driver", &driver]);
    fs::write(ana.join(".gitattributes"), "*.ron merge=marginalia\n").unwrap();
    git(&ana, &ana_home, &["add", "-A"]);
    git(&ana, &ana_home, &["commit", "-q", "-m", "start"]);
    git(&ana, &ana_home, &["push", "-q", "origin", "HEAD:main"]);
    git(r, &app_home, &["clone", "-q", "remote.git", "ben"]);
    Setup {
        ana,
        ana_home,
        ben: r.join("ben"),
        _root: root,
    }
}

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(ui_common::CLINTON_DOC)
}

fn span_of(dir: &Path, needle: &str, nth: usize) -> Span {
    let loaded = corpus::load(dir, DOC).unwrap();
    let (b, _) = loaded.doc.text.match_indices(needle).nth(nth).unwrap();
    let start = loaded.doc.cp_of(b);
    Span::new(start, start + needle.chars().count())
}

fn labels_on_disk(dir: &Path) -> Vec<(String, String)> {
    let loaded = corpus::load(dir, DOC).unwrap();
    loaded
        .data
        .annotations
        .iter()
        .map(|a| (a.quote.to_string(), a.label.to_string()))
        .collect()
}

#[test]
fn the_team_tab_sets_up_and_syncs_with_a_colleague() {
    let s = setup();
    let mut h = harness(&s.ben);
    h.state_mut().team.program = Some(env!("CARGO_BIN_EXE_marginalia").into());
    // Opening a clone that is not set up offers it.
    wait_until(&mut h, "the set-up offer", |app| app.prompt.is_some());
    h.get_by_label("Set up").click();
    wait_until(&mut h, "the set-up", |app| {
        matches!(app.team.setup, Some(marginalia::team::setup::State::Ready))
    });
    assert!(
        fs::read_to_string(s.ben.join(".gitignore"))
            .unwrap()
            .contains("*.ron.journal")
    );

    // Ana tags a place and shares it; Ben tags a group in the app.
    let place = span_of(&s.ana, "China", 0);
    let mut data = corpus::load(&s.ana, DOC).unwrap();
    let a = data
        .doc
        .annotate(vec![place], "PLACE", marginalia::model::Kind::entity(), "ana");
    data.data.annotations.push(a);
    data.data.sort();
    corpus::save_loaded(&s.ana, &mut data).unwrap();
    git(&s.ana, &s.ana_home, &["commit", "-qam", "China"]);
    git(&s.ana, &s.ana_home, &["push", "-q", "origin", "HEAD:main"]);
    let group = span_of(&s.ben, "refugees", 0);
    h.state_mut()
        .change(Change::Tag {
            doc: DOC.into(),
            spans: vec![group],
            label: "GROUP".into(),
        })
        .expect("tagged");

    h.get_by_label("Team").click();
    h.run_steps(2);
    h.get_by_label("Sync").click();
    wait_until(&mut h, "the sync", |app| {
        app.team.last.is_some() && !app.team.busy()
    });
    let last = h.state().team.last.clone().unwrap();
    let report = last.unwrap_or_else(|e| panic!("sync failed: {e}"));
    assert_eq!(report.committed, [DOC]);
    assert_eq!(report.pulled.len(), 1);
    assert_eq!(report.pulled[0].author, "ana");
    assert!(report.pushed);
    // Both annotations are on disk, merged; the open document shows Ana's too.
    let on_disk = labels_on_disk(&s.ben);
    assert!(on_disk.contains(&("China".into(), "PLACE".into())), "{on_disk:?}");
    assert!(
        on_disk.contains(&("refugees".into(), "GROUP".into())),
        "{on_disk:?}"
    );
    wait_until(&mut h, "the reload", |app| {
        app.session()
            .is_some_and(|s| s.data.annotations.iter().any(|a| a.label == "PLACE"))
    });
    assert!(h.query_by_label_contains("got 1 change from the team").is_some());
    // Ana gets Ben's work, committed in his name.
    git(&s.ana, &s.ana_home, &["pull", "-q", "--no-rebase", "--no-edit"]);
    let log = git(&s.ana, &s.ana_home, &["log", "--format=%an %s"]);
    assert!(log.contains("tester Annotations: doc.txt"), "{log}");
    assert!(labels_on_disk(&s.ana).contains(&("refugees".into(), "GROUP".into())));
}

#[test]
fn adjudicating_two_branches_accepts_into_this_version_with_undo() {
    let s = setup();
    // Two annotators' branches: both tag Clinton as before and China, Ana as
    // a PLACE and Ben as a GROUP; only Ben tags "refugees".
    let branch = |name: &str, china: &str, refugees: bool| {
        git(&s.ana, &s.ana_home, &["checkout", "-q", "-b", name, "main"]);
        let mut l = corpus::load(&s.ana, DOC).unwrap();
        let china_span = span_of(&s.ana, "China", 0);
        let mut c = l
            .doc
            .annotate(vec![china_span], china, marginalia::model::Kind::entity(), name);
        c.id = "china".into();
        l.data.annotations.push(c);
        if refugees {
            let r = l.doc.annotate(
                vec![span_of(&s.ana, "refugees", 0)],
                "GROUP",
                marginalia::model::Kind::entity(),
                name,
            );
            l.data.annotations.push(r);
        }
        l.data.sort();
        corpus::save_loaded(&s.ana, &mut l).unwrap();
        git(&s.ana, &s.ana_home, &["commit", "-qam", name]);
        git(&s.ana, &s.ana_home, &["push", "-q", "origin", name]);
    };
    branch("ana-work", "PLACE", false);
    branch("ben-work", "GROUP", true);
    fs::remove_file(s.ben.join(format!("{DOC}.ron"))).unwrap();
    git(&s.ben, &app_home(), &["fetch", "-q"]);
    let mut h = harness(&s.ben);
    if h.state().prompt.is_some() {
        h.get_by_label("Not now").click();
        h.run_steps(1);
    }
    h.get_by_label("Team").click();
    wait_until(&mut h, "the branches", |app| app.team.branches.len() >= 3);
    h.get_by_label_contains("origin/ana-work").click();
    // Ben's version by its commit, as a reviewer given a commit id would.
    let commit = git(&s.ben, &app_home(), &["rev-parse", "origin/ben-work"]);
    h.get_by_label("A commit or tag").focus();
    h.run_steps(1);
    h.get_by_label("A commit or tag").type_text(commit.trim());
    h.run_steps(1);
    h.get_by_label("Add commit").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Add commit").click();
    h.run_steps(1);
    assert_eq!(h.state().team.picked.len(), 2, "{:?}", h.state().team.picked);
    // The Team tab is taller than the window here: scroll to the button, as a person would.
    h.get_by_label("Compare these versions").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Compare these versions").click();
    wait_until(&mut h, "the versions", |app| {
        app.adjudication.is_some() || app.notice.is_some()
    });
    assert!(h.state().adjudication.is_some(), "{:?}", h.state().notice);
    h.run_steps(2);
    assert!(h.query_by_label_contains("differs: label").is_some());
    // The corpus figures are pooled in the background and then shown.
    let start = std::time::Instant::now();
    while h.query_by_label_contains("(1 document) A–B").is_none() {
        assert!(
            start.elapsed() < ui_common::DEADLINE,
            "the corpus figures never came"
        );
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(h.query_by_label_contains("only in B").is_some());

    // Clinton is agreed by both: accept all agreed brings it in, as one step.
    h.get_by_label("Accept all agreed (1)").click();
    h.run_steps(2);
    let labels = |h: &egui_kittest::Harness<'_, marginalia::ui::MarginaliaApp>| -> Vec<String> {
        h.state()
            .session()
            .unwrap()
            .data
            .annotations
            .iter()
            .map(|a| a.label.to_string())
            .collect()
    };
    assert_eq!(labels(&h), ["PERSON"]);
    // China: take Ben's label. Rows are in text order: "refugees" (only in
    // B), "China", then Clinton.
    let use_b = h.get_all_by_label("Use B").nth(1).expect("China's Use B button");
    use_b.click();
    h.run_steps(2);
    let mut got = labels(&h);
    got.sort();
    assert_eq!(got, ["GROUP", "PERSON"]);
    // Undo takes the last decision back, and only it.
    h.state_mut().change(Change::Undo);
    h.run_steps(2);
    assert_eq!(labels(&h), ["PERSON"]);
    ui_common::settle(&mut h);
    assert_eq!(
        labels_on_disk(&s.ben),
        [("Hillary Clinton".to_owned(), "PERSON".to_owned())]
    );
}
