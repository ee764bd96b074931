//! Imports: plain brat data round trip, what brat has that cannot be kept,
//! doccano UTF-16 offsets, spaCy spans, and names that try to leave the folder.

mod brat_support;

use std::collections::BTreeSet;
use std::path::Path;

use marginalia::formats::import::{import_brat, import_jsonl, safe_rel};
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::{Kind, LabelKind, Span, TagSet};
use marginalia::store::corpus;

const TXT: &str =
    "Sony formed a joint venture with Ericsson in Sweden.\nNorth America and South America 😀 日本.\n";

const ANN: &str = "T1\tOrganization 0 4\tSony\n\
T3\tOrganization 33 41\tEricsson\n\
T4\tCountry 45 51\tSweden\n\
T5\tLocation 53 58;77 84\tNorth America\n\
T6\tCountry 87 89\t日本\n\
R1\tOrigin Arg1:T3 Arg2:T4\n\
A1\tConfidence T3 High\n\
A2\tNegated T4\n\
N1\tReference T1 Wikipedia:534366\tSony Group\n\
N2\tReference T6 Wikipedia:17\t日本\n\
N3\tOther T6 GeoNames:1861060\tJapan\n\
#1\tAnnotatorNotes T1\tchecked\n\
#2\tAnnotatorNotes T1\ttwice\n\
#3\tReviewerNotes T4\tok\n";

const CONF: &str = "[entities]\nOrganization\nCountry\nLocation\n\n[relations]\nOrigin\tArg1:Organization, Arg2:Country\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\nConfidence\tArg:Organization, Value:High|Low\nNegated\tArg:<ENTITY>\n";

/// Lines of an .ann file as a set, ignoring the ids of A, N and # lines
/// (brat gives those no meaning) and Marginalia's own notes.
fn ann_set(ann: &str) -> BTreeSet<String> {
    ann.lines()
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (id, rest) = l.split_once('\t').unwrap();
            let rest = rest.to_owned();
            match id.chars().next().unwrap() {
                'T' | 'R' => Some(format!("{id}\t{rest}")),
                '#' if rest.starts_with("Marginalia ") => None,
                c => Some(format!("{c}\t{rest}")),
            }
        })
        .collect()
}

fn write_brat(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/doc1.txt"), TXT).unwrap();
    std::fs::write(dir.join("sub/doc1.ann"), ANN).unwrap();
    std::fs::write(dir.join("annotation.conf"), CONF).unwrap();
}

#[test]
fn brat_to_marginalia_to_brat_keeps_every_line() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("brat-in");
    write_brat(&src);
    let into = tmp.path().join("corpus");
    let report = import_brat(&src, &into).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    assert_eq!(report.documents, vec!["sub/doc1.txt".to_owned()]);
    // The tag set comes from annotation.conf and validates.
    let set = corpus::load_tagset(&into).unwrap();
    assert!(set.label("Organization").is_some());
    assert_eq!(set.relations, vec!["Origin".to_owned()]);
    let org = set.label("Organization").unwrap();
    assert_eq!(
        org.attributes[0].values,
        vec!["High".to_owned(), "Low".to_owned()]
    );

    let loaded = corpus::load(&into, "sub/doc1.txt").unwrap();
    assert!(loaded.read_only.is_none());
    let t5 = loaded.data.get("T5").unwrap();
    assert_eq!(t5.spans.as_slice(), [Span::new(53, 58), Span::new(77, 84)]);
    assert_eq!(t5.quote, "North America");
    assert_eq!(
        loaded.data.get("T1").unwrap().canonical(),
        Some("Wikipedia:534366")
    );
    assert_eq!(loaded.data.get("T1").unwrap().note, "checked\ntwice");

    let out = tmp.path().join("brat-out");
    let opts = ExportOptions {
        format: Format::Brat,
        out: out.clone(),
        ..ExportOptions::default()
    };
    export_corpus(&into, &opts, &mut |_, _| true).unwrap();
    brat_support::validate_folder(&src);
    brat_support::validate_folder(&out);
    let again = std::fs::read_to_string(out.join("sub/doc1.ann")).unwrap();
    assert_eq!(ann_set(ANN), ann_set(&again), "{again}");
    assert_eq!(std::fs::read_to_string(out.join("sub/doc1.txt")).unwrap(), TXT);
    // annotation.conf is kept in the corpus and comes back as it was.
    assert_eq!(
        std::fs::read_to_string(into.join("annotation.conf")).unwrap(),
        CONF
    );
    let conf = std::fs::read_to_string(out.join("annotation.conf")).unwrap();
    assert_eq!(conf, CONF);
}

#[test]
fn brat_lines_that_cannot_be_kept_are_reported_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("in");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "Bombs fell on Tumen.\r\nMore later.").unwrap();
    std::fs::write(
        src.join("a.ann"),
        "T1\tAttack 0 10\tBombs fell\nT2\tPlace 14 19\tTumen\nE1\tAttack:T1 Place:T2\n*\tEquiv T1 T2\nA1\tSpeculation E1\nT3\tPlace 99 120\tnowhere\n",
    )
    .unwrap();
    std::fs::write(src.join("lonely.ann"), "T1\tPlace 0 1\tx\n").unwrap();
    let into = tmp.path().join("out");
    let report = import_brat(&src, &into).unwrap();
    assert!(!report.is_complete());
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].reason.contains("lonely.ann has no .txt"),
        "{}",
        report.summary()
    );
    let lost: Vec<&str> = report.lost.iter().map(|l| l.what.as_str()).collect();
    assert!(report.lost.iter().all(|l| l.file == "a.ann"));
    // The event, the equivalence and the event's attribute are kept; the T
    // line outside the text is not.
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].starts_with("T3: the offsets"), "{lost:?}");
    // brat's universal newlines: CRLF became LF, so offsets after it still match.
    let text = std::fs::read_to_string(into.join("a.txt")).unwrap();
    assert_eq!(text, "Bombs fell on Tumen.\nMore later.");
    let loaded = corpus::load(&into, "a.txt").unwrap();
    assert_eq!(loaded.data.annotations.len(), 2);
    assert_eq!(loaded.data.events.len(), 1);
    assert_eq!(
        loaded.data.events[0]
            .attributes
            .get("Speculation")
            .map(String::as_str),
        Some("")
    );
    assert_eq!(loaded.data.equivalences.len(), 1);
}

#[test]
fn doccano_offsets_are_utf16_and_are_converted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("doccano.jsonl");
    // "😀" is two UTF-16 code units, so "EU" starts at 3 in doccano and at 2 in code points.
    let lines = [
        r#"{"text": "😀 EU rejects German call.", "label": [[3, 5, "ORG"], [14, 20, "MISC"]]}"#,
        r#"{"text": "𝒜 Ericsson in Sweden", "entities": [{"id": 7, "start_offset": 3, "end_offset": 11, "label": "ORG"}, {"id": 8, "start_offset": 15, "end_offset": 21, "label": "PLACE"}], "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "based-in"}]}"#,
        r#"{"text": "😀x", "label": [[1, 3, "ORG"]]}"#,
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let into = tmp.path().join("corpus");
    let report = import_jsonl(&file, &into).unwrap();
    assert_eq!(report.documents.len(), 3);
    // The span starting inside the surrogate pair is reported, not guessed.
    assert_eq!(report.lost.len(), 1, "{}", report.summary());
    let a = corpus::load(&into, "doc-00001.txt").unwrap();
    let quotes: Vec<&str> = a.data.annotations.iter().map(|x| x.quote.as_str()).collect();
    assert_eq!(quotes, vec!["EU", "German"]);
    let b = corpus::load(&into, "doc-00002.txt").unwrap();
    assert_eq!(b.data.get("d7").unwrap().quote, "Ericsson");
    assert_eq!(b.data.get("d8").unwrap().quote, "Sweden");
    assert_eq!(b.data.relations.len(), 1);
    assert_eq!(b.data.relations[0].from, "d7");
    // The new relation type and nothing else is added to the built-in tag set.
    let set = corpus::load_tagset(&into).unwrap();
    assert!(set.relations.contains(&"based-in".to_owned()));
    assert!(set.label("CLAIM").is_some());
}

#[test]
fn spacy_spans_import_and_claim_labels_become_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("spacy.jsonl");
    std::fs::write(
        &file,
        "{\"text\": \"Sony 😀 said it grew.\", \"spans\": [{\"start\": 0, \"end\": 4, \"label\": \"ORG\"}, {\"start\": 12, \"end\": 19, \"label\": \"CLAIM\"}]}\n",
    )
    .unwrap();
    let into = tmp.path().join("c");
    let report = import_jsonl(&file, &into).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    let d = corpus::load(&into, "doc-00001.txt").unwrap();
    assert_eq!(d.data.annotations[0].quote, "Sony");
    assert_eq!(d.data.annotations[1].quote, "it grew");
    assert!(matches!(d.data.annotations[1].kind, Kind::Claim(_)));
    assert!(report.tagset_written.is_none());
    assert_eq!(TagSet::builtin().label("CLAIM").unwrap().kind, LabelKind::Claim);
}

#[test]
fn names_cannot_leave_the_destination() {
    for bad in [
        "../evil.txt",
        "/etc/evil.txt",
        "a/../../evil.txt",
        "C:\\evil.txt",
        "..\\evil.txt",
        ".hidden.txt",
        "a//b.txt",
        "",
    ] {
        assert!(safe_rel(bad).is_err(), "{bad:?} was accepted");
    }
    assert_eq!(safe_rel("dir/a.txt").unwrap(), "dir/a.txt");
    assert_eq!(safe_rel("notes").unwrap(), "notes.txt");
    assert_eq!(safe_rel("x.txt.ron").unwrap(), "x.txt.ron.txt");
}

#[test]
fn existing_sources_are_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.jsonl");
    std::fs::write(&file, "{\"text\": \"new\", \"spans\": []}\n").unwrap();
    let into = tmp.path().join("c");
    std::fs::create_dir_all(&into).unwrap();
    std::fs::write(into.join("doc-00001.txt"), "old").unwrap();
    let report = import_jsonl(&file, &into).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].reason.contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(into.join("doc-00001.txt")).unwrap(),
        "old"
    );
}

#[test]
fn two_documents_of_one_name_in_a_file_keep_the_first_and_report_the_second() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.jsonl");
    let line = |text: &str| {
        format!(
            "{{\"format\": \"marginalia-jsonl/1\", \"id\": \"a.txt\", \"path\": \"a.txt\", \"text\": \"{text}\", \"status\": \"not_started\", \"entities\": [], \"claims\": [], \"relations\": [], \"extra\": []}}\n"
        )
    };
    // Many documents in between, so the writers are busy when the second one comes.
    let mut content = line("first");
    for k in 0..40 {
        content.push_str(&format!("{{\"text\": \"filler {k}\", \"spans\": []}}\n"));
    }
    content.push_str(&line("second"));
    std::fs::write(&file, content).unwrap();
    let into = tmp.path().join("c");
    let report = import_jsonl(&file, &into).unwrap();
    assert_eq!(report.documents.len(), 41, "{:?}", report.skipped);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "s.jsonl line 42");
    assert!(report.skipped[0].reason.contains("already exists"));
    assert_eq!(std::fs::read_to_string(into.join("a.txt")).unwrap(), "first");
    // Every document written has its sidecar, and the corpus reads back whole.
    for rel in &report.documents {
        corpus::load(&into, rel).unwrap();
    }
}

#[test]
fn labels_of_a_document_that_could_not_be_written_stay_out_of_the_tag_set() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"text\": \"new words\", \"spans\": [{\"start\": 0, \"end\": 3, \"label\": \"ZED\"}]}\n",
            "{\"text\": \"more words\", \"spans\": [{\"start\": 0, \"end\": 4, \"label\": \"YAK\"}]}\n",
        ),
    )
    .unwrap();
    let into = tmp.path().join("c");
    std::fs::create_dir_all(&into).unwrap();
    // The first document's name is taken, so it is not written.
    std::fs::write(into.join("doc-00001.txt"), "old").unwrap();
    let report = import_jsonl(&file, &into).unwrap();
    assert_eq!(report.documents, ["doc-00002.txt"]);
    assert_eq!(report.skipped.len(), 1);
    let set = corpus::load_tagset(&into).unwrap();
    assert!(set.label("YAK").is_some());
    assert!(set.label("ZED").is_none(), "{:?}", set.labels);
}

/// A brat folder of `n` documents `d00.txt`…, each "Kim pledged aid." with its
/// `.ann` given by `ann(k)`.
fn brat_folder(dir: &Path, n: usize, ann: impl Fn(usize) -> String) {
    std::fs::create_dir_all(dir).unwrap();
    for k in 0..n {
        std::fs::write(dir.join(format!("d{k:02}.txt")), "Kim pledged aid.").unwrap();
        std::fs::write(dir.join(format!("d{k:02}.ann")), ann(k)).unwrap();
    }
}

#[test]
fn a_label_learnt_as_a_claim_makes_later_documents_claims_whichever_thread_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("brat");
    // No annotation.conf: "Pledge" is unknown until d00 uses it with a stance,
    // which makes it a claim label; d37 uses it bare, and must read as a claim
    // too. The other documents use a label of the starting tag set.
    brat_folder(&src, 40, |k| match k {
        0 => "T1\tPledge 4 16\tpledged aid.\nA1\tStance T1 asserts\n".into(),
        37 => "T1\tPledge 4 16\tpledged aid.\n".into(),
        _ => "T1\tPERSON 0 3\tKim\n".into(),
    });
    let into = tmp.path().join("c");
    let report = import_brat(&src, &into).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    assert_eq!(report.documents.len(), 40);
    // In the order of the folder, whichever thread wrote each.
    let names: Vec<String> = (0..40).map(|k| format!("d{k:02}.txt")).collect();
    assert_eq!(report.documents, names);
    for (k, name) in names.iter().enumerate() {
        let loaded = corpus::load(&into, name).unwrap();
        let a = &loaded.data.annotations[0];
        let claim = matches!(a.kind, Kind::Claim(_));
        assert_eq!(claim, k == 0 || k == 37, "{name}: {a:?}");
    }
    let set = corpus::load_tagset(&into).unwrap();
    assert_eq!(set.label("Pledge").map(|l| l.kind), Some(LabelKind::Claim));
}

#[test]
fn two_brat_texts_of_one_name_keep_the_first_and_report_the_second() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("brat");
    brat_folder(&src, 30, |_| "T1\tPERSON 0 3\tKim\n".into());
    // `x.txt.txt` came from the source `x.txt`, which is also what `x.txt`
    // imports as; `x.txt` sorts first.
    std::fs::write(src.join("x.txt"), "first").unwrap();
    std::fs::write(src.join("x.txt.txt"), "second").unwrap();
    let into = tmp.path().join("c");
    let report = import_brat(&src, &into).unwrap();
    assert_eq!(report.documents.len(), 31, "{}", report.summary());
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "x.txt.txt", "{}", report.summary());
    assert!(report.skipped[0].reason.contains("already exists"));
    assert_eq!(std::fs::read_to_string(into.join("x.txt")).unwrap(), "first");
    for rel in &report.documents {
        corpus::load(&into, rel).unwrap();
    }
}

#[test]
fn a_marginalia_note_that_cannot_be_read_is_reported_and_the_rest_still_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("in");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "Kim said it rained.").unwrap();
    std::fs::write(
        src.join("a.ann"),
        "T1\tPerson 0 3\tKim\n#1\tMarginalia T1\t{\"annotator\":\"ana\",\"orphaned\":\"yes\"}\n\
T2\tPlace 9 11\tit\n#2\tMarginalia T2\t{\"annotator\":\"bo\",\"id\":\"p1\",\"later\":{\"x\":[1]}}\n",
    )
    .unwrap();
    let into = tmp.path().join("out");
    let report = import_brat(&src, &into).unwrap();
    let lost: Vec<&str> = report.lost.iter().map(|l| l.what.as_str()).collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].starts_with("#1: the Marginalia note of T1 cannot be read (")
            && lost[0].contains("line 1 column"),
        "{lost:?}"
    );
    let loaded = corpus::load(&into, "a.txt").unwrap();
    // T1 is read by the plain brat rules; T2's note applies, its unknown key ignored.
    let t1 = loaded.data.get("T1").unwrap();
    assert_eq!((t1.annotator.as_str(), t1.orphaned), ("", false));
    assert_eq!(loaded.data.get("p1").unwrap().annotator, "bo");
}

#[test]
fn a_jsonl_annotation_field_of_the_wrong_type_skips_its_line_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("m.jsonl");
    let line = |note: &str| {
        format!(
            r#"{{"format":"marginalia-jsonl/1","path":"a.txt","text":"Kim","entities":[{{"id":"e1","start":0,"end":3,"label":"Person","note":{note},"annotator":null}}],"claims":[],"relations":[]}}"#
        )
    };
    std::fs::write(
        &file,
        format!("{}\n{}\n", line("7"), line("\"ok\"").replace("a.txt", "b.txt")),
    )
    .unwrap();
    let into = tmp.path().join("corpus");
    let report = import_jsonl(&file, &into).unwrap();
    assert_eq!(report.documents, vec!["b.txt".to_owned()], "{}", report.summary());
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0]
            .reason
            .starts_with("annotation \"e1\": invalid type"),
        "{}",
        report.summary()
    );
    let b = corpus::load(&into, "b.txt").unwrap();
    assert_eq!(b.data.get("e1").unwrap().note, "ok");
}
