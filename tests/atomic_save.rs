//! Atomic saves under SIGKILL: a child process saves in a loop and is killed
//! at random moments; the sidecar must always be one complete written state.

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use marginalia::model::{DocAnnotations, Document, Status};
use marginalia::store::{atomic, corpus, sidecar};

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
