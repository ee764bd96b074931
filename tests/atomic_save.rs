//! Atomic saves under SIGKILL: a child process saves in a loop and is killed
//! at random moments; the sidecar must always be one complete written state,
//! and with the edit journal, no acknowledged edit may be lost.

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use marginalia::model::{DocAnnotations, Document, Status};
use marginalia::store::{atomic, corpus, journal, sidecar};

const ENV: &str = "MARGINALIA_SAVE_LOOP_DIR";
const TEST_NAME: &str = "kill_during_save_never_leaves_a_partial_sidecar";
const STATES: usize = 4;
const KILLS: usize = 200;
const SAVED: &str = "child saved";

/// The `k`-th state the child cycles through: large enough that a write takes a while.
fn state(doc: &Document, k: usize) -> DocAnnotations {
    let mut data = DocAnnotations {
        status: Status::ALL[k % 3],
        ..DocAnnotations::default()
    };
    let words: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut start = None;
        for (i, c) in doc.text.chars().enumerate() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    v.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        v
    };
    for (n, (s, e)) in words.iter().enumerate().filter(|(n, _)| n % (3 * k + 4) == 0) {
        let mut a = common::ann(
            doc,
            &format!("w{n}"),
            vec![marginalia::model::Span::new(*s, *e)],
            "MISC",
            marginalia::model::Kind::entity(),
        );
        a.note = format!(
            "state {k}: note with \"quotes\" and a long tail {}",
            "x".repeat(k * 10)
        );
        data.annotations.push(a);
    }
    data.sort();
    data
}

fn rendered_states(doc: &Document) -> Vec<String> {
    (0..STATES)
        .map(|k| corpus::render(doc, &state(doc, k), (1, 0)))
        .collect()
}

/// The child's side: save the states in a loop until killed.
fn save_loop(root: &Path) -> ! {
    let mut loaded = corpus::load(root, "a.txt").expect("child loads the document");
    let mut k = 0;
    loop {
        k = (k + 1) % STATES;
        loaded.data = state(&loaded.doc, k);
        corpus::save_loaded(root, &mut loaded).expect("child saves");
        // Tell the parent each save finished, so its kill lands among saves, not during start-up.
        println!("{SAVED}");
        std::io::stdout().flush().unwrap();
    }
}

#[test]
fn kill_during_save_never_leaves_a_partial_sidecar() {
    if let Ok(dir) = std::env::var(ENV) {
        save_loop(Path::new(&dir));
    }
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let side = root.join("a.txt.ron");
    let doc = Document::new("a.txt", text);
    let states = rendered_states(&doc);
    let valid: HashSet<&str> = states.iter().map(String::as_str).collect();
    fs::write(&side, &states[0]).unwrap();

    let exe = std::env::current_exe().unwrap();
    // A small deterministic generator: reproducible runs, spread-out kill times.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut seen_states = HashSet::new();
    let mut reads = 0usize;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads", "1"])
            .env(ENV, root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("re-run the test binary");
        // Let the child finish a varying number of saves, then kill it at a random moment.
        let wanted = 1 + (next() % 3) as usize;
        // The pipe stays open until the kill, so the child never dies of a closed stdout.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let saves = lines
            .by_ref()
            .filter(|l| l.as_ref().is_ok_and(|l| l.contains(SAVED)))
            .take(wanted)
            .count();
        assert_eq!(saves, wanted, "round {round}: the child stopped saving");
        // Read while the child writes: a reader must never see a partial file.
        let until = Instant::now() + Duration::from_micros(next() % 15_000);
        while Instant::now() < until {
            let bytes = fs::read(&side).expect("the sidecar always exists");
            let s = std::str::from_utf8(&bytes).expect("UTF-8");
            assert!(
                valid.contains(s),
                "round {round}: a reader saw a partial sidecar ({} bytes)",
                bytes.len()
            );
            reads += 1;
        }
        child.kill().expect("SIGKILL the child");
        let status = child.wait().unwrap();
        drop(lines);
        assert!(!status.success(), "the child must have been killed, not finished");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                status.signal(),
                Some(9),
                "round {round}: the child died of SIGKILL, not of an error"
            );
        }

        let bytes = fs::read_to_string(&side).expect("sidecar readable after the kill");
        assert!(
            valid.contains(bytes.as_str()),
            "round {round}: partial sidecar after SIGKILL"
        );
        let parsed = sidecar::from_str(&bytes).expect("parses after the kill");
        let k = states.iter().position(|s| *s == bytes).unwrap();
        assert_eq!(parsed.data, state(&doc, k));
        seen_states.insert(k);
        // Temporary files of killed saves are hidden and never taken for sources or sidecars.
        for entry in fs::read_dir(root).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name == "a.txt" || name == "a.txt.ron" || atomic::is_temp_file(&name),
                "unexpected file {name}"
            );
        }
        let scanned: Vec<String> = corpus::scan(root).unwrap().into_iter().map(|e| e.rel).collect();
        assert_eq!(scanned, ["a.txt"]);
    }
    // The child really did save: the file moved through several states.
    assert!(seen_states.len() > 1, "only saw states {seen_states:?}");
    assert!(reads > KILLS);
    // The document still opens and saves after all that.
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    assert!(loaded.read_only.is_none());
    loaded.data.status = Status::Done;
    corpus::save_loaded(root, &mut loaded).unwrap();
    // That save also removed what the killed saves left behind.
    let temps: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| atomic::is_temp_file(n))
        .collect();
    assert!(temps.is_empty(), "left behind: {temps:?}");
}

const JOURNAL_ENV: &str = "MARGINALIA_JOURNAL_LOOP_DIR";
const JOURNAL_TEST: &str = "kill_during_journal_appends_and_folds_loses_no_acknowledged_edit";
const JOURNAL_KILLS: usize = 100;

fn digest(loaded: &corpus::LoadedDoc) -> String {
    corpus::sidecar_hash(corpus::render(&loaded.doc, &loaded.data, loaded.version).as_bytes())
}

/// The child's side: edit, append each edit to the journal, fold it now and then, until killed.
/// Prints the state before each save starts and once it is acknowledged.
fn journal_loop(root: &Path) -> ! {
    let mut loaded = corpus::load(root, "a.txt").expect("child loads the document");
    assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
    let mut history = marginalia::model::History::default();
    let mut n: u64 = u64::from(std::process::id()) << 20;
    let mut out = std::io::stdout().lock();
    // A document loaded with a journal is folded before anything is appended to it.
    let mut fold = loaded.needs_save();
    writeln!(out, "acked {}", digest(&loaded)).unwrap();
    loop {
        n += 1;
        let applied = match n % 7 {
            0 => history.undo(&mut loaded.data).map(|(_, e)| e),
            1 => history.redo(&mut loaded.data).map(|(_, e)| e),
            k => {
                let start = (n as usize * 7919) % (loaded.doc.len_chars() - 12);
                let mut a = common::ann(
                    &loaded.doc,
                    &format!("j{n}"),
                    vec![marginalia::model::Span::new(start, start + 1 + (n as usize % 11))],
                    "MISC",
                    marginalia::model::Kind::entity(),
                );
                a.note = format!("edit {n}, \"quoted\"\nline two");
                let edit = match (k, loaded.data.annotations.first()) {
                    (2, Some(first)) => marginalia::model::Edit::Remove(first.id.clone()),
                    (3, _) => marginalia::model::Edit::Batch(vec![
                        marginalia::model::Edit::Add(a),
                        marginalia::model::Edit::SetStatus(Status::ALL[n as usize % 3]),
                    ]),
                    _ => marginalia::model::Edit::Add(a),
                };
                history.run(&mut loaded.data, "edit", edit).ok()
            }
        };
        writeln!(out, "pending {}", digest(&loaded)).unwrap();
        if fold || n.is_multiple_of(4) {
            corpus::save_loaded(root, &mut loaded).expect("child folds");
            fold = false;
        } else if let Some(e) = applied {
            loaded.stamp = journal::append(root, &loaded.doc, &[e], &loaded.stamp).expect("child appends");
        }
        writeln!(out, "acked {}", digest(&loaded)).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_during_journal_appends_and_folds_loses_no_acknowledged_edit() {
    if let Ok(dir) = std::env::var(JOURNAL_ENV) {
        journal_loop(Path::new(&dir));
    }
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let doc = Document::new("a.txt", text);
    corpus::save(root, &doc, &state(&doc, 1), (1, 0), &Default::default()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut acknowledged, mut unacknowledged_found, mut journals_left) = (0, 0, 0);
    for round in 0..JOURNAL_KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", JOURNAL_TEST, "--nocapture", "--test-threads", "1"])
            .env(JOURNAL_ENV, root)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("re-run the test binary");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut log: Vec<String> = Vec::new();
        // Let the child acknowledge a few saves, then kill it at a random moment.
        let wanted = 2 + (next() % 4) as usize;
        while log.iter().filter(|l| l.starts_with("acked ")).count() < wanted {
            match lines.next() {
                Some(Ok(l)) => log.push(l),
                other => panic!("round {round}: the child stopped: {other:?}"),
            }
        }
        std::thread::sleep(Duration::from_micros(next() % 4_000));
        child.kill().expect("SIGKILL the child");
        let status = child.wait().unwrap();
        assert!(!status.success(), "the child must have been killed, not finished");
        // What the child printed before it died.
        log.extend(
            lines
                .map_while(Result::ok)
                .filter(|l| l.starts_with("acked ") || l.starts_with("pending ")),
        );
        let last = log.iter().rposition(|l| l.starts_with("acked ")).unwrap();
        let acked = &log[last]["acked ".len()..];
        let started: Vec<&str> = log[last + 1..]
            .iter()
            .filter_map(|l| l.strip_prefix("pending "))
            .collect();
        acknowledged += log.iter().filter(|l| l.starts_with("acked ")).count() - 1;

        journals_left += usize::from(root.join("a.txt.ron.journal").exists());
        let loaded = corpus::load(root, "a.txt").unwrap();
        assert!(
            loaded.read_only.is_none(),
            "round {round}: {:?}",
            loaded.read_only
        );
        let now = digest(&loaded);
        assert!(
            now == acked || started.contains(&now.as_str()),
            "round {round}: an acknowledged edit was lost, or a state never saved appeared"
        );
        unacknowledged_found += usize::from(now != acked);
        for entry in fs::read_dir(root).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                ["a.txt", "a.txt.ron", "a.txt.ron.journal"].contains(&name.as_str())
                    || atomic::is_temp_file(&name),
                "round {round}: unexpected file {name}"
            );
        }
        let scanned: Vec<String> = corpus::scan(root).unwrap().into_iter().map(|e| e.rel).collect();
        assert_eq!(scanned, ["a.txt"]);
    }
    assert!(
        acknowledged > JOURNAL_KILLS,
        "only {acknowledged} edits were acknowledged"
    );
    assert!(journals_left > 0, "no kill left a journal behind to be replayed");
    eprintln!(
        "{JOURNAL_KILLS} kills, {acknowledged} edits acknowledged, none lost; a journal was left {journals_left} times; an edit not yet acknowledged was found {unacknowledged_found} times"
    );
}

/// A kill can leave the sidecar in exactly the state saved next; that save writes
/// nothing, and must still clear what the killed save left behind.
#[test]
fn a_save_that_writes_nothing_still_removes_temporaries_of_killed_saves() {
    let text = common::seed(common::CLINTON);
    let dir = common::corpus(&[("a.txt", text.as_bytes())]);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    loaded.data = state(&loaded.doc, 2);
    corpus::save_loaded(root, &mut loaded).unwrap();
    let stray = root.join(format!(".a.txt.ron.{}.7.tmp", u32::MAX));
    fs::write(&stray, "half a sidecar").unwrap();
    let mut again = corpus::load(root, "a.txt").unwrap();
    corpus::save_loaded(root, &mut again).unwrap();
    assert!(!stray.exists(), "the killed save's temporary file is still there");
}
