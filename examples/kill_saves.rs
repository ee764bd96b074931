//! Crash safety under SIGKILL, meant for a release build (CI runs it):
//!
//! ```text
//! cargo run --release --example kill_saves -- [KILLS]
//! ```
//!
//! Three scenarios, `KILLS` rounds each (1000 by default; a quarter of that for
//! the third). In every round a child process (this program again) saves in a loop
//! and is killed with SIGKILL at a random moment; then every sidecar must parse
//! and equal a state that was written in full, never a mix.
//!
//! 1. One document saved through `store::corpus::save_loaded`, cycling through
//!    four known states; while the child writes, the parent also reads the file
//!    and must never see a partial one.
//! 2. A corpus-wide rename through the workbench (`MarginaliaApp::set_canonical`
//!    over every mention in five documents, then its background saver): each
//!    sidecar must afterwards hold its old or its new canonical id for every
//!    mention, with nothing else changed.
//! 3. Editing through the workbench, each edit saved by appending it to the
//!    edit journal (`<source>.ron.journal`) and the journal folded into the
//!    sidecar after a third of them, at random: random adds, removals, changes, batches, undo
//!    and redo. The child logs the state before each save and once the save is
//!    acknowledged; after the kill, the document as loaded (sidecar plus journal)
//!    must be the last acknowledged state or one whose save had started.
//!
//! 4. Documents with no sidecar yet, edited through the workbench, whose journals
//!    the workbench folds on its own timer (the first fold creates the sidecar),
//!    while the parent loads and checks the corpus in a loop: no reader may take a
//!    pair caught half before and half after a fold for a verdict, and after the
//!    kill no acknowledged edit is lost. A tenth of `KILLS` rounds.
//! 5. `export` (brat and JSONL) and `import` (JSONL and brat) into new
//!    destinations, killed at random: the destination is complete or absent,
//!    never partial under its real name, and the next run of the same command
//!    removes what the killed one left and writes the same result. A tenth of
//!    `KILLS` rounds, on an 800-document corpus.
//!
//! Scenario 1's child logs each save once it returns; the sidecar after the kill
//! must hold that state or the one being saved after it.
//!
//! The fast `cargo test` versions are in `tests/atomic_save.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use marginalia::model::{Annotation, DocAnnotations, Document, Edit, Kind, Span, Status};
use marginalia::store::{atomic, corpus, journal, sidecar};
use marginalia::ui::MarginaliaApp;
use marginalia::ui::app::PickerMode;
use marginalia::ui::command::Command as UiCommand;
use marginalia::ui::state::{Prefs, SaveState, Session};
use marginalia::workspace::Change;

const CHILD: &str = "MARGINALIA_KILL_CHILD";
const DIR: &str = "MARGINALIA_KILL_DIR";
/// Where the child of scenario 3 logs the states it saves (outside the corpus folder).
const LOG: &str = "MARGINALIA_KILL_LOG";
/// Hidden marker the child writes once saving is under way (named like a temp file, so scans skip it).
const STARTED: &str = ".child-started.tmp";
const STATES: usize = 4;
/// Canonical ids the rename cycles through.
const NAMES: usize = 5;
const RENAME_DOCS: usize = 5;

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

fn seed_names() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(seeds())
        .expect("seeds folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    v.sort();
    v
}

/// Word spans of a text, in code points.
fn words(text: &str) -> Vec<Span> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in text.chars().chain(std::iter::once(' ')).enumerate() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                v.push(Span::new(s, i));
                start = None;
            }
            _ => {}
        }
    }
    v
}

fn entity(doc: &Document, id: String, span: Span, canonical: Option<String>, note: String) -> Annotation {
    let (quote, prefix, suffix) = doc.selector(&[span]);
    Annotation {
        id: id.into(),
        spans: vec![span].into(),
        quote,
        prefix,
        suffix,
        label: "PERSON".into(),
        kind: Kind::Entity { canonical },
        attributes: Default::default(),
        note,
        annotator: "kill-test".into(),
        created: "2026-01-01T00:00:00Z".into(),
        modified: "2026-01-01T00:00:00Z".into(),
        orphaned: false,
        conflicts: Vec::new(),
        origin: None,
        extra: Default::default(),
    }
}

/// The `k`-th state of scenario 1: large enough that a write takes a while.
fn state(doc: &Document, k: usize) -> DocAnnotations {
    let mut data = DocAnnotations {
        status: Status::ALL[k % 3],
        ..DocAnnotations::default()
    };
    for (n, span) in words(&doc.text)
        .into_iter()
        .enumerate()
        .filter(|(n, _)| n % (k + 2) == 0)
    {
        let note = format!("state {k}: \"quoted\" {}", "x".repeat(k * 10));
        data.annotations
            .push(entity(doc, format!("w{n}"), span, None, note));
    }
    data.sort();
    data
}

/// A small deterministic generator: reproducible runs, spread-out kill times.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn spawn_child(mode: &str, root: &Path) -> Child {
    Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD, mode)
        .env(DIR, root)
        .env(LOG, log_path(root))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the child")
}

fn wait_started(root: &Path) {
    let waiting = Instant::now();
    while !root.join(STARTED).exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "the child never started saving"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn kill(mut child: Child, root: &Path) {
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("reap the child");
    assert!(!status.success(), "the child must have been killed, not finished");
    fs::remove_file(root.join(STARTED)).expect("remove the marker");
}

/// Files of `root` that are neither `expected` nor temporary files of killed saves.
fn strays(root: &Path, expected: &BTreeSet<String>) -> (Vec<String>, usize) {
    let mut stray = Vec::new();
    let mut temps = 0;
    for e in fs::read_dir(root).expect("read the folder") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if atomic::is_temp_file(&name) {
            temps += 1;
        } else if !expected.contains(&name) {
            stray.push(name);
        }
    }
    (stray, temps)
}

// ---- scenario 1: one document ----

fn child_single(root: &Path, log: &Path) -> ! {
    use std::io::Write as _;
    let mut log = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .expect("child opens its log");
    let mut loaded = corpus::load(root, "a.txt").expect("child loads the document");
    // Go on from the state on disk, so every round writes new bytes from its first save.
    let mut k = (0..STATES)
        .find(|&k| state(&loaded.doc, k) == loaded.data)
        .expect("the sidecar holds one of the states");
    let mut first = true;
    loop {
        k = (k + 1) % STATES;
        loaded.data = state(&loaded.doc, k);
        corpus::save_loaded(root, &mut loaded).expect("child saves");
        // Unbuffered, after the save returned: a state logged here must survive the kill.
        writeln!(log, "acked {k}").expect("child writes its log");
        if first {
            fs::write(root.join(STARTED), b"").expect("child writes its marker");
            first = false;
        }
    }
}

struct SingleReport {
    states_seen: BTreeMap<usize, usize>,
    reads: usize,
    temps: usize,
}

fn run_single(kills: usize, rng: &mut XorShift) -> SingleReport {
    let text = fs::read_to_string(seeds().join(&seed_names()[0])).expect("seed");
    let dir = tempfile::tempdir().expect("temp dir");
    let root = &dir.path().join("corpus");
    fs::create_dir(root).expect("corpus folder");
    fs::write(root.join("a.txt"), &text).expect("write source");
    let doc = Document::new("a.txt", text);
    let states: Vec<String> = (0..STATES)
        .map(|k| corpus::render(&doc, &state(&doc, k), (1, 0)))
        .collect();
    let side = root.join("a.txt.ron");
    fs::write(&side, &states[0]).expect("write first state");
    let expected: BTreeSet<String> = ["a.txt".to_owned(), "a.txt.ron".to_owned()].into();
    let mut report = SingleReport {
        states_seen: BTreeMap::new(),
        reads: 0,
        temps: 0,
    };
    let log = log_path(root);
    for round in 0..kills {
        fs::write(&log, b"").expect("empty the log");
        let child = spawn_child("single", root);
        wait_started(root);
        // Read while the child writes: a reader must never see a partial file either.
        let until = Instant::now() + Duration::from_micros(rng.next() % 25_000);
        loop {
            let bytes = fs::read(&side).expect("the sidecar always exists");
            assert!(
                states.iter().any(|s| s.as_bytes() == bytes),
                "round {round}: a reader saw a partial sidecar ({} bytes)",
                bytes.len()
            );
            report.reads += 1;
            if Instant::now() >= until {
                break;
            }
        }
        kill(child, root);
        let bytes = fs::read_to_string(&side).expect("sidecar readable after the kill");
        let k = states
            .iter()
            .position(|s| *s == bytes)
            .unwrap_or_else(|| panic!("round {round}: partial sidecar after SIGKILL"));
        let parsed = sidecar::from_str(&bytes).expect("parses after the kill");
        assert_eq!(parsed.data, state(&doc, k), "round {round}");
        // The last save the child saw return is on disk, or the one it had begun since.
        let acked = fs::read_to_string(&log)
            .expect("read the log")
            .lines()
            .filter_map(|l| l.strip_prefix("acked ")?.parse::<usize>().ok())
            .next_back()
            .expect("the child acknowledged a save before the kill");
        assert!(
            k == acked || k == (acked + 1) % STATES,
            "round {round}: the last acknowledged save (state {acked}) was lost; the sidecar holds state {k}"
        );
        *report.states_seen.entry(k).or_default() += 1;
        let (stray, temps) = strays(root, &expected);
        assert!(stray.is_empty(), "round {round}: unexpected files {stray:?}");
        // Each save removes what earlier killed saves of the same file left: at most the last one stays.
        assert!(temps <= 1, "round {round}: {temps} temporary files pile up");
        report.temps = report.temps.max(temps);
        let scanned: Vec<String> = corpus::scan(root)
            .expect("scan")
            .into_iter()
            .map(|e| e.rel)
            .collect();
        assert_eq!(scanned, ["a.txt"], "round {round}");
    }
    assert!(
        report.states_seen.len() > 1,
        "the child never got past its first save: {:?}",
        report.states_seen
    );
    // The document still opens and saves after all that.
    let mut loaded = corpus::load(root, "a.txt").expect("load");
    assert!(loaded.read_only.is_none());
    loaded.data.status = Status::Done;
    corpus::save_loaded(root, &mut loaded).expect("save after the kills");
    report
}

// ---- scenario 2: corpus-wide rename through the workbench ----

fn name(k: usize) -> String {
    format!("person-{}", k % NAMES)
}

fn child_rename(root: &Path) -> ! {
    let mut app = MarginaliaApp::new(Prefs::default());
    app.picker_mode = PickerMode::Unavailable;
    app.open_folder(root);
    let mut mentions = Vec::new();
    let mut k = 0;
    for e in corpus::scan(root).expect("scan") {
        let loaded = corpus::load(root, &e.rel).expect("load");
        mentions.extend(
            loaded
                .data
                .annotations
                .iter()
                .map(|a| (e.rel.clone(), a.id.to_string())),
        );
        // Go on from the name the last document carries, so every round renames.
        if let Some(n) = loaded.data.annotations.first().and_then(|a| a.canonical()) {
            k = (0..NAMES).find(|&k| name(k) == n).expect("a known name");
        }
    }
    let mut first = true;
    loop {
        k += 1;
        let mentions = mentions
            .iter()
            .map(|(d, id)| (d.clone(), id.as_str().into()))
            .collect();
        app.ws
            .apply(
                Change::SetCanonical {
                    mentions,
                    to: Some(name(k)),
                },
                "kill test",
            )
            .expect("rename");
        app.ws.save_all_blocking();
        if let Some(s) = app.ws.sessions.values().find(|s| s.save_error.is_some()) {
            panic!("child could not save: {:?}", s.save_error);
        }
        if first {
            fs::write(root.join(STARTED), b"").expect("child writes its marker");
            first = false;
        }
    }
}

/// Everything of an annotation but what a rename changes.
fn without_rename(a: &Annotation) -> Annotation {
    let mut a = a.clone();
    a.kind = Kind::entity();
    a.modified.clear();
    a
}

struct RenameReport {
    docs: usize,
    mentions: usize,
    /// Rounds after which the documents did not all carry the same name: the kill landed mid-rename.
    split_rounds: usize,
    names_seen: BTreeSet<String>,
    temps: usize,
}

fn run_rename(kills: usize, rng: &mut XorShift) -> RenameReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let mut originals: BTreeMap<String, DocAnnotations> = BTreeMap::new();
    let mut expected = BTreeSet::new();
    for seed in seed_names().into_iter().take(RENAME_DOCS) {
        let text = fs::read_to_string(seeds().join(&seed)).expect("seed");
        fs::write(root.join(&seed), &text).expect("write source");
        let doc = Document::new(seed.as_str(), text);
        let mut data = DocAnnotations {
            status: Status::InProgress,
            ..Default::default()
        };
        // Capitalised words stand in for the mentions of one person.
        let caps = words(&doc.text)
            .into_iter()
            .filter(|s| doc.slice(*s).starts_with(|c: char| c.is_uppercase()))
            .take(40);
        for (n, span) in caps.enumerate() {
            data.annotations
                .push(entity(&doc, format!("m{n}"), span, Some(name(0)), String::new()));
        }
        data.sort();
        corpus::save(root, &doc, &data, (1, 0), &Default::default()).expect("write first sidecar");
        expected.insert(seed.clone());
        expected.insert(format!("{seed}.ron"));
        originals.insert(seed, data);
    }
    let mut report = RenameReport {
        docs: originals.len(),
        mentions: originals.values().map(|d| d.annotations.len()).sum(),
        split_rounds: 0,
        names_seen: BTreeSet::new(),
        temps: 0,
    };
    for round in 0..kills {
        let child = spawn_child("rename", root);
        wait_started(root);
        std::thread::sleep(Duration::from_micros(rng.next() % 25_000));
        kill(child, root);
        let mut names_now = BTreeSet::new();
        for (rel, original) in &originals {
            let path = root.join(format!("{rel}.ron"));
            let text = fs::read_to_string(&path).expect("sidecar readable after the kill");
            let sc = sidecar::from_str(&text)
                .unwrap_or_else(|e| panic!("round {round}: {rel}.ron does not parse after SIGKILL: {e}"));
            assert_eq!(
                sc.data.annotations.len(),
                original.annotations.len(),
                "round {round}: {rel}"
            );
            let names: BTreeSet<Option<&str>> = sc.data.annotations.iter().map(|a| a.canonical()).collect();
            assert_eq!(
                names.len(),
                1,
                "round {round}: {rel}.ron mixes old and new names: {names:?}"
            );
            let now = names.into_iter().next().flatten().expect("a name").to_owned();
            assert!((0..NAMES).any(|k| name(k) == now), "round {round}: {now}");
            for (a, b) in sc.data.annotations.iter().zip(&original.annotations) {
                assert_eq!(without_rename(a), without_rename(b), "round {round}: {rel}");
            }
            assert_eq!(sc.data.status, original.status);
            names_now.insert(now);
        }
        if names_now.len() > 1 {
            report.split_rounds += 1;
        }
        report.names_seen.extend(names_now);
        let (stray, temps) = strays(root, &expected);
        assert!(stray.is_empty(), "round {round}: unexpected files {stray:?}");
        assert!(
            temps <= originals.len(),
            "round {round}: {temps} temporary files pile up"
        );
        report.temps = report.temps.max(temps);
    }
    assert!(
        report.names_seen.len() > 1,
        "the child never finished a rename: {:?}",
        report.names_seen
    );
    for rel in originals.keys() {
        let loaded = corpus::load(root, rel).expect("load");
        assert!(loaded.read_only.is_none(), "{rel}");
    }
    report
}

// ---- scenario 3: edits saved through the journal ----

/// The log of scenario 3 sits beside the corpus folder, so it is never part of it.
fn log_path(root: &Path) -> PathBuf {
    root.with_extension("log")
}

/// What a check compares: the sidecar a full save of this state would write.
fn digest(doc: &Document, data: &DocAnnotations, version: (u32, u32)) -> String {
    corpus::sidecar_hash(corpus::render(doc, data, version).as_bytes())
}

fn session_digest(app: &MarginaliaApp) -> String {
    let s = app.session().expect("the document is open");
    digest(&s.doc, &s.data, s.file_version)
}

/// Runs the workbench's per-frame work until `done`; a failed save ends the child.
fn tick_until(app: &mut MarginaliaApp, ctx: &egui::Context, done: impl Fn(&Session) -> bool) {
    loop {
        app.tick(ctx);
        let s = app.session().expect("the document is open");
        if let Some(e) = &s.save_error {
            panic!("child could not save: {e}");
        }
        assert!(app.prompt.is_none(), "child was asked {:?}", app.prompt);
        if done(s) {
            return;
        }
        std::thread::sleep(Duration::from_micros(50));
    }
}

/// One random edit through the workbench, as the analyst's keys would make it.
fn random_edit(app: &mut MarginaliaApp, rng: &mut XorShift, n: u64) {
    let s = app.session().expect("the document is open");
    let spans = words(&s.doc.text);
    let word = |r: u64| spans[(r % spans.len() as u64) as usize];
    let new = |r: u64, k: u64| {
        entity(
            &s.doc,
            format!("k{}x{n}x{k}", std::process::id()),
            word(r),
            None,
            format!("edit {n}, \"{k}\""),
        )
    };
    let pick = (!s.data.annotations.is_empty())
        .then(|| s.data.annotations[(rng.next() % s.data.annotations.len() as u64) as usize].clone());
    let edit = match (rng.next() % 10, pick) {
        (0..=2, _) | (3..=5, None) => Edit::Add(new(rng.next(), 0)),
        (3, Some(a)) => Edit::Remove(a.id),
        (4, Some(mut a)) => {
            a.note = format!("changed by edit {n}\nsecond line");
            a.kind = Kind::Entity {
                canonical: Some(format!("person-{}", n % 7)),
            };
            Edit::Replace(a)
        }
        (5, Some(a)) => Edit::Batch(vec![
            Edit::Remove(a.id),
            Edit::Add(new(rng.next(), 1)),
            Edit::Add(new(rng.next(), 2)),
        ]),
        (6 | 7, _) => return app.run(UiCommand::Undo),
        (8, _) => return app.run(UiCommand::Redo),
        _ => Edit::SetStatus(Status::ALL[(n % 3) as usize]),
    };
    let Some(doc) = app.current.clone() else { return };
    app.change(Change::Edits {
        description: "edit".into(),
        parts: vec![(doc, edit)],
    });
}

fn child_journal(root: &Path, log: &Path) -> ! {
    use std::io::Write as _;
    let mut app = MarginaliaApp::new(Prefs::default());
    app.picker_mode = PickerMode::Unavailable;
    app.open_folder(root);
    let ctx = egui::Context::default();
    while app.session().is_none() {
        app.tick(&ctx);
        std::thread::sleep(Duration::from_micros(200));
    }
    if let Some(why) = &app.session().expect("open").read_only {
        panic!("child found the document read-only: {why}");
    }
    let mut log = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .expect("child opens its log");
    // Unbuffered: each line is in the file before the next step, whenever the kill comes.
    let mut note = |line: String| writeln!(log, "{line}").expect("child writes its log");
    note(format!("acked {}", session_digest(&app)));
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d ^ u64::from(std::process::id()));
    let rel = app.current.clone().expect("a current document");
    for n in 1.. {
        random_edit(&mut app, &mut rng, n);
        note(format!("pending {}", session_digest(&app)));
        app.ws.flush(&rel);
        tick_until(&mut app, &ctx, |s| s.save_state() == SaveState::Saved);
        note(format!("acked {}", session_digest(&app)));
        if n == 1 {
            fs::write(root.join(STARTED), b"").expect("child writes its marker");
        }
        // Folds come at random, so kills land in the middle of some of them.
        if rng.next().is_multiple_of(3) {
            note("fold".into());
            app.ws.compact(&rel);
            tick_until(&mut app, &ctx, |s| !s.journal_pending() && s.in_flight.is_none());
            note("folded".into());
        }
    }
    unreachable!("the child edits until it is killed")
}

/// Where the kills of scenario 3 landed, and what they left.
#[derive(Default)]
struct JournalReport {
    rounds: usize,
    /// Killed while an edit was being saved (appended, or the full save after a reload).
    during_save: usize,
    /// Killed while the journal was being folded into the sidecar.
    during_fold: usize,
    /// A journal was on disk after the kill.
    journal_left: usize,
    /// Its last line was cut short.
    torn: usize,
    /// It ended with the marker of a fold that stopped before removing it.
    folded_marker: usize,
    /// The state found was one whose save had started but was not acknowledged.
    unacknowledged_found: usize,
    edits_acknowledged: usize,
    temps: usize,
}

fn run_journal(kills: usize, rng: &mut XorShift) -> JournalReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("corpus");
    fs::create_dir(&root).expect("corpus folder");
    let log = log_path(&root);
    // Two articles in one document: a sidecar of some size, so folding it takes a while.
    let names = seed_names();
    let text = [&names[0], &names[1]]
        .iter()
        .map(|n| fs::read_to_string(seeds().join(n)).expect("seed"))
        .collect::<Vec<_>>()
        .join("\n\n");
    fs::write(root.join("a.txt"), &text).expect("write source");
    let doc = Document::new("a.txt", text);
    let mut data = DocAnnotations {
        status: Status::InProgress,
        ..Default::default()
    };
    for (n, span) in words(&doc.text)
        .into_iter()
        .enumerate()
        .filter(|(n, _)| n % 3 == 0)
    {
        data.annotations
            .push(entity(&doc, format!("w{n}"), span, None, format!("word {n}")));
    }
    data.sort();
    corpus::save(&root, &doc, &data, (1, 0), &Default::default()).expect("write first sidecar");
    let mut previous = digest(&doc, &data, (1, 0));
    let expected: BTreeSet<String> = ["a.txt", "a.txt.ron", "a.txt.ron.journal"]
        .map(str::to_owned)
        .into();
    let journal = journal::journal_path(&corpus::sidecar_path(&root.join("a.txt")));
    let mut report = JournalReport::default();
    for round in 0..kills {
        fs::write(&log, b"").expect("empty the log");
        let child = spawn_child("journal", &root);
        wait_started(&root);
        std::thread::sleep(Duration::from_micros(rng.next() % 40_000));
        kill(child, &root);
        report.rounds += 1;

        let lines: Vec<String> = fs::read_to_string(&log)
            .expect("read the log")
            .lines()
            .map(str::to_owned)
            .collect();
        let last_acked = lines.iter().rposition(|l| l.starts_with("acked "));
        let mut allowed = BTreeSet::new();
        match last_acked {
            Some(i) => {
                allowed.insert(lines[i]["acked ".len()..].to_owned());
            }
            None => {
                allowed.insert(previous.clone());
            }
        }
        let started: BTreeSet<String> = lines[last_acked.map_or(0, |i| i + 1)..]
            .iter()
            .filter_map(|l| l.strip_prefix("pending "))
            .map(str::to_owned)
            .collect();
        allowed.extend(started.iter().cloned());
        // The first acknowledged state is the one the child loaded.
        report.edits_acknowledged += lines
            .iter()
            .filter(|l| l.starts_with("acked "))
            .count()
            .saturating_sub(1);
        match lines.last().map(|l| l.split(' ').next().unwrap_or_default()) {
            Some("pending") => report.during_save += 1,
            Some("fold") => report.during_fold += 1,
            _ => {}
        }
        if let Ok(bytes) = fs::read(&journal) {
            report.journal_left += 1;
            report.torn += usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
            let text = String::from_utf8_lossy(&bytes);
            report.folded_marker +=
                usize::from(text.lines().last().is_some_and(|l| l.starts_with("FoldedInto(")));
        }

        let loaded = corpus::load(&root, "a.txt").expect("load after the kill");
        if let Some(why) = &loaded.read_only {
            panic!(
                "round {round}: the document opens read-only after SIGKILL: {why}\njournal:\n{}",
                fs::read_to_string(&journal).unwrap_or_default()
            );
        }
        let now = digest(&loaded.doc, &loaded.data, loaded.version);
        assert!(
            allowed.contains(&now),
            "round {round}: the document after SIGKILL is neither the last acknowledged state nor one being saved; log:\n{}",
            lines.join("\n")
        );
        report.unacknowledged_found +=
            usize::from(started.contains(&now) && last_acked.is_some_and(|i| lines[i][6..] != now));
        previous = now;
        let (stray, temps) = strays(&root, &expected);
        assert!(stray.is_empty(), "round {round}: unexpected files {stray:?}");
        // At most what one killed write of the sidecar and one of the journal left.
        assert!(temps <= 2, "round {round}: {temps} temporary files pile up");
        report.temps = report.temps.max(temps);
        let scanned: Vec<String> = corpus::scan(&root)
            .expect("scan")
            .into_iter()
            .map(|e| e.rel)
            .collect();
        assert_eq!(scanned, ["a.txt"], "round {round}");
    }
    // Short runs (a smoke check) may miss a fold; a real run must not.
    assert!(
        report.edits_acknowledged >= kills
            && (kills < 100 || report.during_save > 0 && report.during_fold > 0),
        "the kills did not land among journal saves and folds: {} edits, {} during saves, {} during folds",
        report.edits_acknowledged,
        report.during_save,
        report.during_fold
    );
    report
}

// ---- scenario 4: first folds and timer folds while others read ----

/// The child of scenario 4: in a corpus whose newest document has no sidecar
/// yet, edits it through the workbench and lets the timer fold each journal
/// (the first fold creates the sidecar), logging like scenario 3.
fn child_first_folds(root: &Path, log: &Path) -> ! {
    use std::io::Write as _;
    let rel = std::env::var(FRESH).expect("the fresh document");
    let mut app = MarginaliaApp::new(Prefs::default());
    app.picker_mode = PickerMode::Unavailable;
    app.open_folder(root);
    let ctx = egui::Context::default();
    app.open_document(&rel);
    while app.session().is_none_or(|s| s.doc.path != rel) {
        app.tick(&ctx);
        std::thread::sleep(Duration::from_micros(200));
    }
    let mut log = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .expect("child opens its log");
    let mut note = |line: String| writeln!(log, "{line}").expect("child writes its log");
    note(format!("acked {}", session_digest(&app)));
    let mut rng = XorShift(0x51_7cc1_b727_220a ^ u64::from(std::process::id()));
    for n in 1.. {
        for k in 0..1 + rng.next() % 3 {
            random_edit(&mut app, &mut rng, n * 10 + k);
            note(format!("pending {}", session_digest(&app)));
            app.ws.flush(&rel);
            tick_until(&mut app, &ctx, |s| s.save_state() == SaveState::Saved);
            note(format!("acked {}", session_digest(&app)));
        }
        if n == 1 {
            fs::write(root.join(STARTED), b"").expect("child writes its marker");
        }
        // No call here: the workbench folds the journal on its own after a pause.
        note("fold".into());
        tick_until(&mut app, &ctx, |s| !s.journal_pending() && s.in_flight.is_none());
        note("folded".into());
    }
    unreachable!("the child edits until it is killed")
}

/// The environment variable naming scenario 4's fresh document.
const FRESH: &str = "MARGINALIA_KILL_FRESH";

/// Where the kills of scenario 4 landed, and what the readers saw.
#[derive(Default)]
struct FirstFoldReport {
    rounds: usize,
    during_fold: usize,
    first_folds: usize,
    loads: usize,
    checks: usize,
}

fn run_first_folds(kills: usize, rng: &mut XorShift) -> FirstFoldReport {
    use marginalia::store::check::{Problem, check_corpus};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("corpus");
    fs::create_dir(&root).expect("corpus folder");
    let log = log_path(&root);
    let text = fs::read_to_string(seeds().join(&seed_names()[2])).expect("seed");
    let mut report = FirstFoldReport::default();
    for round in 0..kills {
        // A new document each round, with no sidecar: its first fold creates one.
        let rel = format!("r{round:04}.txt");
        fs::write(root.join(&rel), &text).expect("write source");
        fs::write(&log, b"").expect("empty the log");
        let child = Command::new(std::env::current_exe().expect("own path"))
            .env(CHILD, "first-folds")
            .env(DIR, &root)
            .env(LOG, &log)
            .env(FRESH, &rel)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the child");
        wait_started(&root);
        // Readers run while the child edits and folds: a load and a check must never
        // take a pair of files caught half before and half after a fold for a verdict.
        let until = Instant::now() + Duration::from_millis(rng.next() % 2_500);
        loop {
            let loaded = corpus::load(&root, &rel).expect("load while the child works");
            assert!(
                loaded.read_only.is_none(),
                "round {round}: a load during folds found the document read-only: {:?}",
                loaded.read_only
            );
            report.loads += 1;
            if report.loads.is_multiple_of(4) {
                let found = check_corpus(&root).expect("check while the child works");
                let wrong: Vec<_> = found
                    .findings
                    .iter()
                    .filter(|f| f.problem == Problem::JournalNotApplied)
                    .collect();
                assert!(
                    wrong.is_empty(),
                    "round {round}: check during folds reported {wrong:?}"
                );
                report.checks += 1;
            }
            if Instant::now() >= until {
                break;
            }
        }
        kill(child, &root);
        report.rounds += 1;
        let lines: Vec<String> = fs::read_to_string(&log)
            .expect("read the log")
            .lines()
            .map(str::to_owned)
            .collect();
        let last_acked = lines
            .iter()
            .rposition(|l| l.starts_with("acked "))
            .expect("the child logged the state it loaded");
        let mut allowed: BTreeSet<String> = [lines[last_acked]["acked ".len()..].to_owned()].into();
        allowed.extend(
            lines[last_acked + 1..]
                .iter()
                .filter_map(|l| l.strip_prefix("pending "))
                .map(str::to_owned),
        );
        report.during_fold += usize::from(lines.last().is_some_and(|l| l == "fold"));
        report.first_folds += usize::from(lines.iter().any(|l| l == "folded"));
        for entry in corpus::scan(&root).expect("scan") {
            let loaded = corpus::load(&root, &entry.rel).expect("load after the kill");
            assert!(
                loaded.read_only.is_none(),
                "round {round}: {} opens read-only after SIGKILL: {:?}",
                entry.rel,
                loaded.read_only
            );
            if entry.rel == rel {
                let now = digest(&loaded.doc, &loaded.data, loaded.version);
                assert!(
                    allowed.contains(&now),
                    "round {round}: an acknowledged edit of a document with no sidecar before was lost; log:\n{}",
                    lines.join("\n")
                );
            }
        }
    }
    assert!(
        kills < 20 || report.during_fold > 0 && report.first_folds > 0,
        "the kills never landed in a timer fold ({} of {} rounds) or no first fold completed",
        report.during_fold,
        report.rounds
    );
    report
}

// ---- scenario 5: imports and exports ----

/// Where scenario 5's child writes, beside the corpus.
fn batch_dest(root: &Path, mode: &str) -> PathBuf {
    root.with_file_name(match mode {
        "export-brat" => "out-brat",
        "export-jsonl" => "out.jsonl",
        "import-jsonl" => "in-jsonl",
        _ => "in-brat",
    })
}

/// Runs one export or import into its fresh destination.
fn run_batch(mode: &str, root: &Path) -> Result<(), String> {
    use marginalia::formats::{self, ExportOptions, Format};
    let dest = batch_dest(root, mode);
    let export = |format, out: PathBuf| {
        let opts = ExportOptions {
            format,
            out,
            only_done: false,
            force: false,
            strict: false,
            ..ExportOptions::default()
        };
        formats::export_corpus(root, &opts, &mut |_, _| true)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    match mode {
        "export-brat" => export(Format::Brat, dest),
        "export-jsonl" => export(Format::Jsonl, dest),
        "import-jsonl" => formats::import::import_jsonl(&root.with_file_name("ref.jsonl"), &dest)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        _ => formats::import::import_brat(&root.with_file_name("ref-brat"), &dest)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

fn child_batch(mode: &str, root: &Path) -> ! {
    fs::write(root.with_file_name(STARTED), b"").expect("child writes its marker");
    run_batch(mode, root).expect("child runs the command");
    // Finished before the kill: wait for it, so the parent sees a finished run.
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            out.insert(String::new(), fs::read(&d).expect("read"));
            continue;
        }
        for e in fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// Hidden staging folders and temporaries left beside `dest`.
fn staging_beside(dest: &Path) -> usize {
    let name = dest.file_name().expect("name").to_string_lossy().into_owned();
    fs::read_dir(dest.parent().expect("parent"))
        .expect("list")
        .filter(|e| {
            let n = e
                .as_ref()
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            n.starts_with(&format!(".{name}.")) && n.ends_with(".tmp")
        })
        .count()
}

/// Kills per mode of scenario 5, and how many left staging that the next run removed.
#[derive(Default)]
struct BatchReport {
    rounds: BTreeMap<&'static str, usize>,
    partial_left: BTreeMap<&'static str, usize>,
    complete: BTreeMap<&'static str, usize>,
}

fn run_batches(kills: usize, rng: &mut XorShift) -> BatchReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("corpus");
    fs::create_dir(&root).expect("corpus folder");
    marginalia::synth::write_corpus(&root, 800, 20, 7).expect("a corpus to export");
    // The inputs of the imports, and every reference output, from runs left alone.
    let modes = ["export-brat", "export-jsonl", "import-jsonl", "import-brat"];
    let mut reference = BTreeMap::new();
    for mode in modes {
        run_batch(mode, &root).expect("a run left alone");
        let dest = batch_dest(&root, mode);
        if mode == "export-jsonl" {
            fs::copy(&dest, root.with_file_name("ref.jsonl")).expect("keep the JSONL");
        }
        if mode == "export-brat" {
            fs::rename(&dest, root.with_file_name("ref-brat")).expect("keep the brat folder");
            reference.insert(mode, tree(&root.with_file_name("ref-brat")));
            continue;
        }
        reference.insert(mode, tree(&dest));
        remove(&dest);
    }
    let mut report = BatchReport::default();
    for round in 0..kills {
        let mode = modes[round % modes.len()];
        let dest = batch_dest(&root, mode);
        let child = Command::new(std::env::current_exe().expect("own path"))
            .env(CHILD, mode)
            .env(DIR, &root)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the child");
        let marker = root.with_file_name(STARTED);
        let waiting = Instant::now();
        while !marker.exists() {
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "the child never started"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 80_000));
        let mut child: Child = child;
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
        fs::remove_file(&marker).expect("remove the marker");
        *report.rounds.entry(mode).or_default() += 1;
        // All of it or none of it, under its real name.
        if dest.exists() {
            assert_eq!(
                tree(&dest),
                reference[mode],
                "round {round}: {mode} left a partial result under its real name"
            );
            *report.complete.entry(mode).or_default() += 1;
            remove(&dest);
        }
        if staging_beside(&dest) > 0 {
            *report.partial_left.entry(mode).or_default() += 1;
        }
        // The next run of the same command removes what the killed one left.
        run_batch(mode, &root).unwrap_or_else(|e| panic!("round {round}: {mode} after a kill: {e}"));
        assert_eq!(tree(&dest), reference[mode], "round {round}: {mode} after a kill");
        assert_eq!(
            staging_beside(&dest),
            0,
            "round {round}: {mode} left staging behind"
        );
        remove(&dest);
    }
    report
}

fn remove(p: &Path) {
    if p.is_dir() {
        fs::remove_dir_all(p).expect("remove the output");
    } else {
        fs::remove_file(p).expect("remove the output");
    }
}

fn main() -> ExitCode {
    if let (Ok(mode), Ok(dir)) = (std::env::var(CHILD), std::env::var(DIR)) {
        match mode.as_str() {
            "single" => child_single(Path::new(&dir), Path::new(&std::env::var(LOG).expect("log path"))),
            "first-folds" => {
                child_first_folds(Path::new(&dir), Path::new(&std::env::var(LOG).expect("log path")))
            }
            "export-brat" | "export-jsonl" | "import-jsonl" | "import-brat" => {
                child_batch(&mode, Path::new(&dir))
            }
            "rename" => child_rename(Path::new(&dir)),
            "journal" => child_journal(Path::new(&dir), Path::new(&std::env::var(LOG).expect("log path"))),
            other => panic!("unknown child mode {other}"),
        }
    }
    let kills: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 1000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: kill_saves [KILLS]   (a positive number; 1000 by default)");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; CI runs it with --release");
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let lap = Instant::now();
    let single = run_single(kills, &mut rng);
    println!(
        "one document: {kills} kills while saving, {} reads during writes, every sidecar complete; states found after kills {:?}; at most {} temporary file of a killed save left at a time (hidden, removed by the next save); {:.0} s",
        single.reads,
        single.states_seen,
        single.temps,
        lap.elapsed().as_secs_f64()
    );
    let lap = Instant::now();
    let rename = run_rename(kills, &mut rng);
    println!(
        "corpus-wide rename: {kills} kills while renaming {} mentions in {} documents, every sidecar old or new; {} kills left documents on different names (killed mid-rename); at most {} temporary files left at a time; {:.0} s",
        rename.mentions,
        rename.docs,
        rename.split_rounds,
        rename.temps,
        lap.elapsed().as_secs_f64()
    );
    // A quarter of the rounds: each starts the workbench, and they still land hundreds of kills
    // in appends and in folds.
    let lap = Instant::now();
    let journal = run_journal(kills.div_ceil(4), &mut rng);
    println!(
        "journal: {} kills while editing through the workbench ({} edits acknowledged), every acknowledged edit found after each; {} kills landed while an edit was being saved, {} while the journal was being folded; a journal was left {} times ({} with a torn last line, {} folded but not yet removed); {} times the edit being saved was found on disk before it was acknowledged; at most {} temporary files left at a time; {:.0} s",
        journal.rounds,
        journal.edits_acknowledged,
        journal.during_save,
        journal.during_fold,
        journal.journal_left,
        journal.torn,
        journal.folded_marker,
        journal.unacknowledged_found,
        journal.temps,
        lap.elapsed().as_secs_f64()
    );
    let lap = Instant::now();
    let first = run_first_folds(kills.div_ceil(10), &mut rng);
    println!(
        "first and timer folds: {} kills while the workbench edited documents with no sidecar and folded on its timer ({} landed while it waited for or ran that fold, {} rounds completed a first fold); {} loads and {} checks ran alongside, none saw a half-folded pair; {:.0} s",
        first.rounds,
        first.during_fold,
        first.first_folds,
        first.loads,
        first.checks,
        lap.elapsed().as_secs_f64()
    );
    let lap = Instant::now();
    let batches = run_batches(kills.div_ceil(10), &mut rng);
    println!(
        "imports and exports: kills per command {:?}; finished before the kill {:?}; staging left by the kill (removed by the next run) {:?}; never a partial result under the real name; {:.0} s",
        batches.rounds,
        batches.complete,
        batches.partial_left,
        lap.elapsed().as_secs_f64()
    );
    println!(
        "kill test: {} kills, sidecars lost or partial and acknowledged edits lost: 0, in {:.0} s",
        2 * kills + journal.rounds + first.rounds + batches.rounds.values().sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
