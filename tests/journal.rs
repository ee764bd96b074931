//! The edit journal beside a sidecar, on real files: appends replay to the
//! state in memory, a crash's torn last line is ignored, damage and a replaced
//! sidecar are reported and the journal kept, a full save folds it in, and
//! every reader (scan, check, stats, export) sees what it holds.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use marginalia::model::{
    Annotation, DocAnnotations, Document, Edit, History, Kind, Relation, Span, Status, Target,
};
use marginalia::store::check::{Problem, check_corpus};
use marginalia::store::corpus::{self, DiskStamp, SaveError};
use marginalia::store::journal;
use proptest::prelude::*;

const TEXT: &str = "Ana met Bo in Rome. \"Quoted\" words, é and 😀 and more words follow here.\nLine two.";

fn setup(with_sidecar: bool) -> (tempfile::TempDir, Document) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), TEXT).unwrap();
    let doc = Document::new("a.txt", TEXT);
    if with_sidecar {
        let mut data = DocAnnotations::default();
        data.annotations.push(ann(&doc, "base0", 0, 3, "PERSON", ""));
        data.sort();
        corpus::save(dir.path(), &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
    }
    (dir, doc)
}

fn ann(doc: &Document, id: &str, start: usize, len: usize, label: &str, note: &str) -> Annotation {
    let n = doc.len_chars();
    let start = start % n;
    let span = Span::new(start, (start + 1 + len).min(n));
    let mut a = common::ann(doc, id, vec![span], label, Kind::entity());
    a.note = note.into();
    a
}

fn side(root: &Path) -> PathBuf {
    root.join("a.txt.ron")
}

fn jpath(root: &Path) -> PathBuf {
    root.join("a.txt.ron.journal")
}

/// One step of an editing session.
#[derive(Clone, Debug)]
enum Op {
    Add {
        start: usize,
        len: usize,
        claim: bool,
        note: String,
    },
    Remove(usize),
    Relabel(usize, bool),
    Note(usize, String),
    Relate(usize, usize),
    Unrelate(usize),
    Status(u8),
    Batch(Vec<(usize, usize)>),
    Undo,
    Redo,
    Append,
    FullSave,
}

fn note() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z \"\\\\\n\r\t\u{0}\u{7f}\u{85}\u{2028}é😀]{0,12}",
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..200, 0usize..8, any::<bool>(), note())
            .prop_map(|(start, len, claim, note)| Op::Add { start, len, claim, note }),
        2 => (0usize..50).prop_map(Op::Remove),
        1 => (0usize..50, any::<bool>()).prop_map(|(i, b)| Op::Relabel(i, b)),
        1 => (0usize..50, note()).prop_map(|(i, n)| Op::Note(i, n)),
        1 => (0usize..50, 0usize..50).prop_map(|(a, b)| Op::Relate(a, b)),
        1 => (0usize..50).prop_map(Op::Unrelate),
        1 => (0u8..3).prop_map(Op::Status),
        1 => prop::collection::vec((0usize..200, 0usize..6), 1..4).prop_map(Op::Batch),
        2 => Just(Op::Undo),
        1 => Just(Op::Redo),
        3 => Just(Op::Append),
        1 => Just(Op::FullSave),
    ]
}

/// The edit an op makes on `data`, if it makes one.
fn edit_of(op: &Op, doc: &Document, data: &DocAnnotations, next_id: &mut usize) -> Option<Edit> {
    let mut fresh = |prefix: &str| {
        *next_id += 1;
        format!("{prefix}{next_id}")
    };
    let pick =
        |i: usize| (!data.annotations.is_empty()).then(|| &data.annotations[i % data.annotations.len()]);
    Some(match op {
        Op::Add {
            start,
            len,
            claim,
            note,
        } => {
            let mut a = ann(doc, &fresh("n"), *start, *len, "ORG", note);
            if *claim {
                a.kind = Kind::claim();
                a.label = "CLAIM".into();
            }
            Edit::Add(a)
        }
        Op::Remove(i) => Edit::Remove(pick(*i)?.id.clone()),
        Op::Relabel(i, b) => {
            let mut a = pick(*i)?.clone();
            a.label = if *b { "PERSON".into() } else { "GPE".into() };
            a.kind = Kind::Entity {
                canonical: b.then(|| "wikidata:Q1".into()),
            };
            Edit::Replace(a)
        }
        Op::Note(i, n) => {
            let mut a = pick(*i)?.clone();
            a.note = n.clone();
            a.extra.insert("future_field".into(), "(x: 1,\n y: \"z\")".into());
            Edit::Replace(a)
        }
        Op::Relate(i, j) => Edit::AddRelation(Relation {
            id: fresh("r").into(),
            from: pick(*i)?.id.clone(),
            to: Target {
                doc: None,
                id: pick(*j)?.id.clone(),
            },
            kind: "supports".into(),
            ..Default::default()
        }),
        Op::Unrelate(i) => {
            (!data.relations.is_empty()).then_some(())?;
            Edit::RemoveRelation(data.relations[i % data.relations.len()].id.clone())
        }
        Op::Status(s) => Edit::SetStatus(Status::ALL[*s as usize]),
        Op::Batch(v) => Edit::Batch(
            v.iter()
                .map(|(s, l)| Edit::Add(ann(doc, &fresh("b"), *s, *l, "MISC", "")))
                .chain([Edit::SetStatus(Status::InProgress)])
                .collect(),
        ),
        Op::Undo | Op::Redo | Op::Append | Op::FullSave => return None,
    })
}

fn run_session(with_sidecar: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let (dir, doc) = setup(with_sidecar);
    let root = dir.path();
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    let mut history = History::default();
    let mut unsaved: Vec<Edit> = Vec::new();
    let mut next_id = 0;
    let check_disk = |loaded: &corpus::LoadedDoc| -> Result<(), TestCaseError> {
        let again = corpus::load(root, "a.txt").unwrap();
        prop_assert!(again.read_only.is_none(), "{:?}", again.read_only);
        prop_assert_eq!(&again.data, &loaded.data);
        prop_assert_eq!(&again.stamp, &loaded.stamp);
        // Reading for export hashes the sidecar only for the journal's sake; it must
        // see the same annotations, and carries no stamp that a save could trust.
        let read = corpus::load_to_read(root, "a.txt").unwrap();
        prop_assert_eq!(&read.data, &loaded.data);
        prop_assert_eq!(read.journal_edits, again.journal_edits);
        prop_assert!(read.stamp.sidecar.is_none());
        Ok(())
    };
    for op in ops {
        match op {
            Op::Undo => {
                if let Some((_, e)) = history.undo(&mut loaded.data) {
                    unsaved.push(e);
                }
            }
            Op::Redo => {
                if let Some((_, e)) = history.redo(&mut loaded.data) {
                    unsaved.push(e);
                }
            }
            Op::Append => {
                let stamp = journal::append(root, &doc, &unsaved, &loaded.stamp).unwrap();
                if !unsaved.is_empty() {
                    prop_assert!(jpath(root).exists());
                }
                loaded.stamp = stamp;
                unsaved.clear();
                check_disk(&loaded)?;
            }
            Op::FullSave => {
                corpus::save_loaded(root, &mut loaded).unwrap();
                unsaved.clear();
                prop_assert!(!jpath(root).exists());
                prop_assert_eq!(
                    fs::read_to_string(side(root)).unwrap(),
                    corpus::render(&doc, &loaded.data, (1, 0))
                );
                check_disk(&loaded)?;
            }
            other => {
                if let Some(edit) = edit_of(other, &doc, &loaded.data, &mut next_id)
                    && let Ok(applied) = history.run(&mut loaded.data, "step", edit)
                {
                    unsaved.push(applied);
                }
            }
        }
    }
    loaded.stamp = journal::append(root, &doc, &unsaved, &loaded.stamp).unwrap();
    check_disk(&loaded)?;
    // Folding the journal gives the same sidecar as a full save of the same data.
    let mut reopened = corpus::load(root, "a.txt").unwrap();
    prop_assert_eq!(reopened.needs_save(), loaded.stamp.journal.is_some());
    corpus::save_loaded(root, &mut reopened).unwrap();
    prop_assert!(!jpath(root).exists());
    prop_assert_eq!(
        fs::read_to_string(side(root)).unwrap(),
        corpus::render(&doc, &loaded.data, (1, 0))
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn appended_edits_replay_to_the_state_in_memory(
        with_sidecar in any::<bool>(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        run_session(with_sidecar, &ops)?;
    }
}

/// A valid journal with a few edits, as bytes, for mutation.
fn sample_journal() -> Vec<u8> {
    static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let (dir, doc) = setup(true);
            journaled(dir.path(), &doc);
            fs::read(jpath(dir.path())).unwrap()
        })
        .clone()
}

proptest! {
    #[test]
    fn any_bytes_parse_or_are_reported_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = journal::parse(&bytes);
    }

    #[test]
    fn a_mutated_journal_parses_or_is_reported(cut in 0usize..2000, at in 0usize..2000, junk in "[\n\"()\\,:a-z0-9\u{0}é]{0,8}") {
        let mut bytes = sample_journal();
        let at = at % (bytes.len() + 1);
        bytes.splice(at..at, junk.bytes());
        bytes.truncate(cut.min(bytes.len()).max(bytes.len() / 2));
        match journal::parse(&bytes) {
            Ok(j) => prop_assert!(j.edits.len() <= 2 + junk.matches('\n').count()),
            Err(journal::JournalError::Damaged { line, .. }) => prop_assert!(line >= 1),
            // Junk landing in the header's version number can make it a newer one.
            Err(journal::JournalError::Newer(v)) => prop_assert!(v > 1, "version {v}"),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }
}

/// A sidecar, and a journal of two edits on top of it; returns the data they make.
fn journaled(root: &Path, doc: &Document) -> (corpus::LoadedDoc, DocAnnotations) {
    let mut loaded = corpus::load(root, "a.txt").unwrap();
    let before = loaded.data.clone();
    let mut history = History::default();
    let mut edits = Vec::new();
    for e in [
        Edit::Add(ann(doc, "j1", 8, 1, "PERSON", "first")),
        Edit::SetStatus(Status::Done),
    ] {
        edits.push(history.run(&mut loaded.data, "step", e).unwrap());
    }
    loaded.stamp = journal::append(root, doc, &edits[..1], &loaded.stamp).unwrap();
    loaded.stamp = journal::append(root, doc, &edits[1..], &loaded.stamp).unwrap();
    (loaded, before)
}

#[test]
fn a_torn_last_line_is_ignored_and_the_journal_still_folds() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (loaded, _) = journaled(root, &doc);
    let whole = fs::read(jpath(root)).unwrap();
    let tails: [&[u8]; 3] = [b"Add((id: \"cut short", b"\0\0\0\0", b"Replace((id: \"x\"\n"];
    for torn in tails {
        let mut bytes = whole.clone();
        bytes.extend_from_slice(torn);
        fs::write(jpath(root), &bytes).unwrap();
        let again = corpus::load(root, "a.txt").unwrap();
        assert!(again.read_only.is_none(), "{:?}", again.read_only);
        assert_eq!(again.data, loaded.data);
        assert_eq!(again.journal_edits, 2);
        assert!(again.needs_save());
        assert_eq!(
            fs::read(jpath(root)).unwrap(),
            bytes,
            "loading never changes the journal"
        );
    }
    // Nothing is appended after an incomplete line; a full save folds it all.
    let mut cut = whole.clone();
    cut.extend_from_slice(b"Add((id: \"cut short");
    fs::write(jpath(root), &cut).unwrap();
    let mut again = corpus::load(root, "a.txt").unwrap();
    assert!(!again.journal_appendable);
    let e = journal::append(root, &doc, &[Edit::SetStatus(Status::InProgress)], &again.stamp).unwrap_err();
    assert!(e.to_string().contains("incomplete line"), "{e}");
    corpus::save_loaded(root, &mut again).unwrap();
    assert!(!jpath(root).exists());
    assert_eq!(
        fs::read_to_string(side(root)).unwrap(),
        corpus::render(&doc, &loaded.data, (1, 0))
    );
}

#[test]
fn a_damaged_middle_line_is_reported_and_the_journal_kept() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (_, before) = journaled(root, &doc);
    let text = fs::read_to_string(jpath(root)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "Add((id: \"broken\", spans: [(start: 1,");
    let damaged = lines.join("\n") + "\n";
    fs::write(jpath(root), &damaged).unwrap();
    let side_before = fs::read(side(root)).unwrap();

    let mut loaded = corpus::load(root, "a.txt").unwrap();
    let why = loaded
        .read_only
        .clone()
        .expect("read-only while the journal is damaged");
    assert!(why.contains(&jpath(root).display().to_string()), "{why}");
    assert!(why.contains("line 3 is damaged"), "{why}");
    assert!(why.contains("left untouched"), "{why}");
    assert_eq!(loaded.data, before, "the sidecar alone is loaded");
    assert!(!loaded.needs_save());
    // Neither the app's path nor a tool calling the store directly replaces the sidecar.
    assert!(matches!(
        corpus::save_loaded(root, &mut loaded),
        Err(SaveError::ReadOnly(_))
    ));
    let e = corpus::save(root, &doc, &loaded.data, (1, 0), &loaded.stamp).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    let e = journal::append(root, &doc, &[Edit::SetStatus(Status::Done)], &loaded.stamp).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    assert_eq!(fs::read_to_string(jpath(root)).unwrap(), damaged);
    assert_eq!(fs::read(side(root)).unwrap(), side_before);

    let report = check_corpus(root).unwrap();
    let f: Vec<_> = report.of(Problem::JournalNotApplied).collect();
    assert_eq!(f.len(), 1, "{:?}", report.findings);
    assert_eq!(f[0].file, "a.txt");
    assert!(
        f[0].message.contains("a.txt.ron.journal: line 3 is damaged"),
        "{}",
        f[0].message
    );
    assert_eq!(fs::read_to_string(jpath(root)).unwrap(), damaged);
}

#[test]
fn an_edit_that_does_not_apply_is_reported_and_nothing_of_the_journal_applied() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (_, before) = journaled(root, &doc);
    let text = fs::read_to_string(jpath(root)).unwrap();
    let bad = text + &journal::render_record(&[Edit::Remove("no-such-id".into())]);
    fs::write(jpath(root), &bad).unwrap();
    let loaded = corpus::load(root, "a.txt").unwrap();
    let why = loaded.read_only.expect("read-only");
    assert!(why.contains("the edit on line 4 does not apply"), "{why}");
    assert_eq!(loaded.data, before);
    assert_eq!(fs::read_to_string(jpath(root)).unwrap(), bad);
}

#[test]
fn a_journal_made_on_a_replaced_sidecar_is_kept_and_reported() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (loaded, _) = journaled(root, &doc);
    let journal_bytes = fs::read(jpath(root)).unwrap();
    // `git checkout` puts another version of the sidecar in place.
    let mut theirs = DocAnnotations::default();
    theirs.annotations.push(ann(&doc, "theirs", 30, 4, "GPE", ""));
    let theirs_text = corpus::render(&doc, &theirs, (1, 0));
    fs::write(side(root), &theirs_text).unwrap();

    let again = corpus::load(root, "a.txt").unwrap();
    let why = again.read_only.clone().expect("read-only");
    assert!(why.contains("holds 2 edits made on another version of"), "{why}");
    assert!(why.contains("delete a.txt.ron.journal"), "{why}");
    assert_eq!(again.data, theirs);
    // Nothing of ours may go over their file, nor into the journal.
    let e = journal::append(root, &doc, &[Edit::SetStatus(Status::Done)], &loaded.stamp).unwrap_err();
    assert!(matches!(e, SaveError::Conflict(_)), "{e}");
    let e = corpus::save(root, &doc, &again.data, (1, 0), &again.stamp).unwrap_err();
    assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
    assert_eq!(fs::read(jpath(root)).unwrap(), journal_bytes);
    assert_eq!(fs::read_to_string(side(root)).unwrap(), theirs_text);

    let report = check_corpus(root).unwrap();
    assert_eq!(
        report.of(Problem::JournalNotApplied).count(),
        1,
        "{:?}",
        report.findings
    );
    assert!(!report.is_clean());
    // Putting the sidecar back lets the journal apply again.
    let mut original = DocAnnotations::default();
    original.annotations.push(ann(&doc, "base0", 0, 3, "PERSON", ""));
    fs::write(side(root), corpus::render(&doc, &original, (1, 0))).unwrap();
    let back = corpus::load(root, "a.txt").unwrap();
    assert!(back.read_only.is_none());
    assert_eq!(back.data, loaded.data);
}

#[test]
fn a_journal_beside_a_damaged_or_newer_sidecar_is_never_removed() {
    for side_text in [
        "(\n    format: \"marginalia\",\n    version: \"1.0\",\n    annotations: [ (id: ",
        "(format: \"marginalia\", version: \"2.0\")",
    ] {
        let (dir, doc) = setup(true);
        let root = dir.path();
        journaled(root, &doc);
        fs::write(side(root), side_text).unwrap();
        let journal_bytes = fs::read(jpath(root)).unwrap();
        let mut loaded = corpus::load(root, "a.txt").unwrap();
        let why = loaded.read_only.clone().expect("read-only");
        assert!(why.contains("a.txt.ron.journal beside it holds edits"), "{why}");
        assert!(corpus::save_loaded(root, &mut loaded).is_err());
        let e = corpus::save(root, &doc, &loaded.data, (1, 0), &loaded.stamp).unwrap_err();
        assert!(matches!(e, SaveError::ReadOnly(_)), "{e}");
        assert_eq!(fs::read(jpath(root)).unwrap(), journal_bytes);
        assert_eq!(fs::read_to_string(side(root)).unwrap(), side_text);
        let report = check_corpus(root).unwrap();
        assert_eq!(
            report.of(Problem::JournalNotApplied).count(),
            1,
            "{:?}",
            report.findings
        );
    }
}

#[test]
fn a_full_save_folds_the_journal_into_the_sidecar() {
    for with_sidecar in [true, false] {
        let (dir, doc) = setup(with_sidecar);
        let root = dir.path();
        let (mut loaded, _) = journaled(root, &doc);
        let header = fs::read_to_string(jpath(root)).unwrap();
        let header = header.lines().next().unwrap();
        assert!(header.contains("marginalia-journal"), "{header}");
        assert_eq!(header.contains("base: None"), !with_sidecar, "{header}");
        corpus::save_loaded(root, &mut loaded).unwrap();
        assert!(!jpath(root).exists());
        assert!(loaded.stamp.journal.is_none());
        assert_eq!(
            fs::read_to_string(side(root)).unwrap(),
            corpus::render(&doc, &loaded.data, (1, 0))
        );
        let names: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // The next edits start a fresh journal on the new sidecar.
        let stamp =
            journal::append(root, &doc, &[Edit::SetStatus(Status::InProgress)], &loaded.stamp).unwrap();
        assert!(stamp.journal.is_some());
        let again = corpus::load(root, "a.txt").unwrap();
        assert_eq!(again.data.status, Status::InProgress);
    }
}

#[test]
fn a_save_stopped_between_the_new_sidecar_and_removing_the_journal_loses_nothing() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (loaded, _) = journaled(root, &doc);
    // What a full save does before it removes the journal: name the new sidecar, then put it in place.
    let text = corpus::render(&doc, &loaded.data, (1, 0));
    let mut j = fs::read_to_string(jpath(root)).unwrap();
    j.push_str(&format!(
        "FoldedInto(\"{}\")\n",
        corpus::sidecar_hash(text.as_bytes())
    ));
    fs::write(jpath(root), &j).unwrap();
    // Stopped before the rename: the old sidecar and the whole journal are read.
    let before_rename = corpus::load(root, "a.txt").unwrap();
    assert!(before_rename.read_only.is_none(), "{:?}", before_rename.read_only);
    assert_eq!(before_rename.data, loaded.data);
    // Stopped after it: the journal is known to be in the sidecar already.
    fs::write(side(root), &text).unwrap();
    let mut after = corpus::load(root, "a.txt").unwrap();
    assert!(after.read_only.is_none(), "{:?}", after.read_only);
    assert_eq!(after.data, loaded.data);
    assert!(after.needs_save(), "so that the journal is removed");
    corpus::save_loaded(root, &mut after).unwrap();
    assert!(!jpath(root).exists());
    assert_eq!(fs::read_to_string(side(root)).unwrap(), text);
}

#[test]
fn appends_refuse_when_someone_else_changed_the_sidecar_or_the_journal() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let loaded = corpus::load(root, "a.txt").unwrap();
    let edit = [Edit::SetStatus(Status::Done)];
    // Rewritten in place with the same length: the size stays, the times do not.
    let bytes = fs::read(side(root)).unwrap();
    let mut changed = bytes.clone();
    let at = changed.len() - 3;
    changed[at] = b' ';
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(side(root), &changed).unwrap();
    let e = journal::append(root, &doc, &edit, &loaded.stamp).unwrap_err();
    assert!(matches!(e, SaveError::Conflict(_)), "{e}");
    assert!(!jpath(root).exists());
    // The same bytes back (new times): the hash decides, and it matches.
    fs::write(side(root), &bytes).unwrap();
    let stamp = journal::append(root, &doc, &edit, &loaded.stamp).unwrap();
    // Another writer's append is a conflict for ours.
    let mut other = fs::OpenOptions::new().append(true).open(jpath(root)).unwrap();
    std::io::Write::write_all(&mut other, journal::render_record(&edit).as_bytes()).unwrap();
    let e = journal::append(root, &doc, &edit, &stamp).unwrap_err();
    assert!(matches!(e, SaveError::Conflict(p) if p == jpath(root)));
    let e = corpus::save(root, &doc, &loaded.data, (1, 0), &stamp).unwrap_err();
    assert!(matches!(e, SaveError::Conflict(_)), "{e}");
    // A journal that appeared since is a conflict for a first append.
    let (dir2, doc2) = setup(false);
    let fresh = corpus::load(dir2.path(), "a.txt").unwrap();
    journal::append(dir2.path(), &doc2, &edit, &fresh.stamp).unwrap();
    let e = journal::append(dir2.path(), &doc2, &edit, &fresh.stamp).unwrap_err();
    assert!(matches!(e, SaveError::Conflict(_)), "{e}");
}

#[test]
fn scans_skip_journals_and_check_stats_and_export_see_their_edits() {
    let (dir, doc) = setup(true);
    let root = dir.path();
    let (loaded, _) = journaled(root, &doc);
    // A journal whose source was renamed away.
    fs::write(root.join("gone.txt.ron.journal"), "x\n").unwrap();
    let rels = |v: Vec<corpus::DocEntry>| v.into_iter().map(|e| e.rel).collect::<Vec<_>>();
    assert_eq!(rels(corpus::scan(root).unwrap()), ["a.txt"]);
    // The listing says which documents have a journal beside their sidecar.
    fs::write(root.join("b.txt"), "Another text.").unwrap();
    let listed = corpus::scan(root).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|e| (e.rel.as_str(), e.journal))
            .collect::<Vec<_>>(),
        [("a.txt", true), ("b.txt", false)]
    );
    fs::remove_file(root.join("b.txt")).unwrap();
    assert_eq!(rels(corpus::scan_sidecars(root).unwrap()), ["a.txt.ron"]);
    assert_eq!(
        rels(corpus::scan_journals(root).unwrap()),
        ["a.txt.ron.journal", "gone.txt.ron.journal"]
    );

    let report = check_corpus(root).unwrap();
    let pending: Vec<_> = report.of(Problem::JournalPending).collect();
    assert_eq!(pending.len(), 1, "{:?}", report.findings);
    assert!(
        pending[0].message.contains("a.txt.ron.journal holds 2 edits"),
        "{}",
        pending[0].message
    );
    let missing: Vec<_> = report
        .of(Problem::MissingSource)
        .map(|f| f.file.as_str())
        .collect();
    assert_eq!(missing, ["gone.txt.ron.journal"]);
    // The journaled annotation is checked like the others.
    assert_eq!(report.annotations, 2);
    fs::remove_file(root.join("gone.txt.ron.journal")).unwrap();

    let stats = marginalia::store::stats::corpus_stats(root).unwrap();
    assert_eq!(stats.annotations, loaded.data.annotations.len());
    assert_eq!(stats.per_status[&Status::Done], 1);

    let out = tempfile::tempdir().unwrap();
    let opts = marginalia::formats::ExportOptions {
        format: marginalia::formats::Format::Jsonl,
        out: out.path().join("out.jsonl"),
        only_done: true,
        force: false,
        strict: true,
        ..Default::default()
    };
    marginalia::formats::export_corpus(root, &opts, &mut |_, _| true).unwrap();
    let jsonl = fs::read_to_string(out.path().join("out.jsonl")).unwrap();
    assert!(jsonl.contains("\"j1\""), "{jsonl}");
    // Reading changed nothing.
    assert!(jpath(root).exists());

    // An export loads the corpus as listed: the journal it listed is applied,
    // and one begun after the listing is not looked for.
    let entry = corpus::scan(root).unwrap().remove(0);
    let with = corpus::load_for_export(root, &entry).unwrap();
    assert!(with.data.get("j1").is_some() && with.journal_edits == 2);
    assert_eq!(with.data, loaded.data);
    let before_the_journal = corpus::DocEntry {
        journal: false,
        ..entry
    };
    let without = corpus::load_for_export(root, &before_the_journal).unwrap();
    assert!(without.data.get("j1").is_none() && without.journal_edits == 0);
    assert_eq!(without.read_only, None);
}

#[test]
fn loading_while_another_writer_folds_never_shows_an_older_state() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (dir, doc) = setup(false);
    let root = dir.path().to_path_buf();
    // A sidecar large enough that reading it takes a while, so folds land in the middle
    // of loads: the load must notice and read again.
    let mut data = DocAnnotations::default();
    for i in 0..3000 {
        data.annotations
            .push(ann(&doc, &format!("base{i}"), i * 7, 2, "PERSON", "a note"));
    }
    data.sort();
    corpus::save(&root, &doc, &data, (1, 0), &DiskStamp::default()).unwrap();
    let base = data.annotations.len();
    let saved = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (root, doc, saved, done) = (root.clone(), doc.clone(), saved.clone(), done.clone());
        std::thread::spawn(move || {
            let mut loaded = corpus::load(&root, "a.txt").unwrap();
            for n in 1..=60 {
                let edit = Edit::Add(ann(&doc, &format!("w{n}"), n * 13, 3, "ORG", ""));
                let applied = History::default().run(&mut loaded.data, "add", edit).unwrap();
                loaded.stamp = journal::append(&root, &doc, &[applied], &loaded.stamp).unwrap();
                saved.store(n, Ordering::SeqCst);
                if n % 2 == 0 {
                    corpus::save_loaded(&root, &mut loaded).unwrap();
                    // Folds come after a pause in the work; a load is whole when read again.
                    std::thread::sleep(std::time::Duration::from_millis(30));
                }
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut loads = 0;
    while !done.load(Ordering::SeqCst) {
        let before = saved.load(Ordering::SeqCst);
        let loaded = corpus::load(&root, "a.txt").unwrap();
        assert!(loaded.read_only.is_none(), "{:?}", loaded.read_only);
        assert!(
            loaded.data.annotations.len() >= base + before,
            "a load showed {} annotations after {before} edits on {base} were saved",
            loaded.data.annotations.len()
        );
        loads += 1;
    }
    writer.join().unwrap();
    assert!(loads > 3, "only {loads} loads ran alongside the writer");
}

/// `check` while a workbench tags documents that had no sidecar yet: each one's
/// first fold creates its sidecar and removes its journal, and the next edit starts
/// a new journal on that sidecar. A check that caught the journal of one state and
/// the sidecar of another reported edits "made on another version".
#[test]
fn check_while_first_folds_happen_never_reports_a_journal_as_not_applied() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    // Many documents make a check long enough for folds to land between its steps.
    let docs = 120;
    for i in 0..docs {
        fs::write(root.join(format!("d{i:03}.txt")), TEXT).unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (root, done) = (root.clone(), done.clone());
        std::thread::spawn(move || {
            for i in 0..docs {
                let rel = format!("d{i:03}.txt");
                let doc = Document::new(rel.as_str(), TEXT);
                let mut loaded = corpus::load(&root, &rel).unwrap();
                for n in 0..3 {
                    let edit = Edit::Add(ann(&doc, &format!("w{n}"), n * 7, 2, "ORG", ""));
                    let applied = History::default().run(&mut loaded.data, "add", edit).unwrap();
                    loaded.stamp = journal::append(&root, &doc, &[applied], &loaded.stamp).unwrap();
                    if n == 1 {
                        corpus::save_loaded(&root, &mut loaded).unwrap();
                    }
                }
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut checks = 0;
    while !done.load(Ordering::SeqCst) || checks == 0 {
        let report = check_corpus(&root).unwrap();
        let wrong: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.problem == Problem::JournalNotApplied)
            .collect();
        assert!(wrong.is_empty(), "check reported {wrong:?}");
        checks += 1;
    }
    writer.join().unwrap();
    let report = check_corpus(&root).unwrap();
    assert_eq!(report.annotations, docs * 3);
}
