//! REFI-QDA (.qdpx): the project validates against the published schema, is
//! the same bytes when exported twice, counts positions in code points, and
//! corpus → qdpx → corpus keeps spans, labels, claim fields, notes and
//! metadata (emoji, CJK, Arabic, CRLF); projects of other tools import, and
//! what they hold that Marginalia cannot keep is reported.

mod export_support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use export_support::{T0, ann, entity, find, fixture, load_all};
use marginalia::formats::import::import_qdpx;
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::quantity::Quantity;
use marginalia::model::{
    Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Relation, Speaker, Stance, Target,
};
use marginalia::store::corpus;
use marginalia::store::sidecar::{MAJOR, MINOR};

/// Arabic, emoji with a skin tone, CJK and CRLF in one text.
const ARABIC: &str = "قال المتحدث 👍🏽 إن 41 لاجئاً عادوا.\r\n北京 said: at least 41 returned.\r\n";

/// The export fixture plus a document in Arabic with a claim carrying every
/// field, a discontinuous entity and metadata.
fn corpus_with_arabic(dir: &Path) -> PathBuf {
    let root = fixture(dir);
    let doc = Document::new("extra/arabic.txt", ARABIC);
    let mut data = DocAnnotations::default();
    let speaker = entity(&doc, "s1", "المتحدث", "PERSON", Some("wd:Q1"));
    let mut c = ann(
        &doc,
        "c1",
        vec![find(&doc, "إن 41 لاجئاً عادوا", 0)],
        "CLAIM",
        Kind::Claim(Box::new(Claim {
            speaker: Speaker::Entity("s1".into()),
            cue: Some(Cue {
                span: find(&doc, "قال", 0),
                quote: "قال".into(),
            }),
            stance: Stance::Reports,
            claim_type: ClaimType::Quote,
            proposition: Some("returned-count".into()),
            value: Some(Quantity {
                low: Some(41.0),
                unit: "refugees".into(),
                ..Default::default()
            }),
        })),
    );
    c.note = "checked\r\nagainst the wire".into();
    c.attributes.insert("certainty".into(), "high".into());
    let mut pieces = ann(
        &doc,
        "e2",
        vec![find(&doc, "北京", 0), find(&doc, "returned", 0)],
        "MISC",
        Kind::entity(),
    );
    pieces.annotator = "李".into();
    data.annotations.extend([speaker, c, pieces]);
    data.relations.push(Relation {
        id: "r1".into(),
        from: "c1".into(),
        to: Target {
            doc: None,
            id: "s1".into(),
        },
        kind: "refers-to".into(),
        ..Relation::default()
    });
    data.meta.title = "بيان".into();
    data.meta.published = "2024-05-01".into();
    data.sort();
    std::fs::write(root.join("extra/arabic.txt"), ARABIC).unwrap();
    let side = corpus::sidecar_path(&root.join("extra/arabic.txt"));
    std::fs::write(side, corpus::render(&doc, &data, (MAJOR, MINOR))).unwrap();
    root
}

fn export(root: &Path, out: &Path) {
    let opts = ExportOptions {
        format: Format::Qdpx,
        out: out.to_path_buf(),
        ..Default::default()
    };
    let report = export_corpus(root, &opts, &mut |_, _| true).unwrap();
    assert!(report.skipped.is_empty(), "{}", report.summary());
}

fn zip_entry(file: &Path, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut out = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

/// Runs `xmllint --schema` on `xml`; `None` when xmllint is missing outside CI
/// (under CI a missing xmllint fails the test: .ci/run installs it).
fn validate(xml: &[u8], dir: &Path) -> Option<Result<(), String>> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refi_qda/Project.xsd");
    let file = dir.join("checked.qde");
    std::fs::write(&file, xml).unwrap();
    match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
    {
        Ok(out) if out.status.success() => Some(Ok(())),
        Ok(out) => Some(Err(String::from_utf8_lossy(&out.stderr).into_owned())),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "xmllint cannot run ({e}); install libxml2-utils"
            );
            eprintln!("xmllint is not installed (package libxml2-utils): schema check not run");
            None
        }
    }
}

#[test]
fn the_project_validates_against_the_refi_qda_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus_with_arabic(tmp.path());
    let out = tmp.path().join("p.qdpx");
    export(&root, &out);
    let qde = zip_entry(&out, "project.qde");
    let Some(result) = validate(&qde, tmp.path()) else {
        return;
    };
    result.unwrap();
    // The validator does catch a project that breaks the schema.
    let broken = String::from_utf8(qde)
        .unwrap()
        .replacen(" isCodable=\"true\"", "", 1);
    let err = validate(broken.as_bytes(), tmp.path()).unwrap().unwrap_err();
    assert!(err.contains("isCodable"), "{err}");
}

#[test]
fn exporting_twice_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus_with_arabic(tmp.path());
    export(&root, &tmp.path().join("a.qdpx"));
    export(&root, &tmp.path().join("b.qdpx"));
    assert_eq!(
        std::fs::read(tmp.path().join("a.qdpx")).unwrap(),
        std::fs::read(tmp.path().join("b.qdpx")).unwrap()
    );
}

/// The value of attribute `name` in the XML tag `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let at = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    &tag[at..at + tag[at..].find('"').unwrap()]
}

#[test]
fn positions_count_code_points_of_the_stored_text() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus_with_arabic(tmp.path());
    let out = tmp.path().join("p.qdpx");
    export(&root, &out);
    let qde = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    let source = qde
        .split("<TextSource ")
        .find(|s| s.contains("name=\"extra/arabic.txt\""))
        .unwrap();
    let path = attr(source, "plainTextPath").strip_prefix("internal://").unwrap();
    let text = String::from_utf8(zip_entry(&out, &format!("sources/{path}"))).unwrap();
    // Stored as it is: UTF-8 without a byte-order mark, CRLF kept.
    assert_eq!(text, ARABIC);
    let mut checked = 0;
    for sel in source.split("<PlainTextSelection ").skip(1) {
        let (s, e): (usize, usize) = (
            attr(sel, "startPosition").parse().unwrap(),
            attr(sel, "endPosition").parse().unwrap(),
        );
        let slice: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(attr(sel, "name"), slice);
        checked += 1;
    }
    assert_eq!(checked, 4);
}

/// An annotation as the round trip must keep it: extent, label, kind, claim
/// fields (the speaker by its spans), note, attributes, canonical id.
fn key(data: &DocAnnotations, a: &marginalia::model::Annotation) -> String {
    let claim = a.claim().map(|c| {
        let speaker = match &c.speaker {
            Speaker::Entity(id) => format!("entity {:?}", data.get(id).map(|e| &e.spans)),
            other => format!("{other:?}"),
        };
        format!(
            "{speaker} {:?} {:?} {:?} {:?} {:?}",
            c.cue, c.stance, c.claim_type, c.proposition, c.value
        )
    });
    format!(
        "{:?} {} {claim:?} {:?} {:?} {:?} {} {} {}",
        a.spans,
        a.label,
        a.note,
        a.attributes,
        a.canonical(),
        a.annotator,
        a.created,
        a.quote
    )
}

#[test]
fn corpus_to_qdpx_to_corpus_keeps_spans_labels_claim_fields_and_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = corpus_with_arabic(tmp.path());
    let out = tmp.path().join("p.qdpx");
    export(&root, &out);
    let back = tmp.path().join("back");
    let report = import_qdpx(&out, &back).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    let before = load_all(&root);
    let after = load_all(&back);
    assert_eq!(before.len(), after.len());
    for ((d1, a1), (d2, a2)) in before.iter().zip(&after) {
        assert_eq!(d1.path, d2.path);
        assert_eq!(d1.text, d2.text, "{}", d1.path);
        assert_eq!(a1.meta, a2.meta, "{}", d1.path);
        let k1: Vec<String> = a1.annotations.iter().map(|a| key(a1, a)).collect();
        let k2: Vec<String> = a2.annotations.iter().map(|a| key(a2, a)).collect();
        assert_eq!(k1, k2, "{}", d1.path);
        // Annotations that carried a note come back with their ids.
        for a in a1.annotations.iter().filter(|a| a.kind.is_claim()) {
            assert!(a2.get(&a.id).is_some(), "{}: {}", d1.path, a.id);
        }
        let rel = |d: &DocAnnotations, r: &Relation| {
            let spans = |id: &str| d.get(id).map(|a| a.spans.clone());
            (spans(&r.from), r.to.doc.clone(), r.kind.clone())
        };
        let r1: Vec<_> = a1.relations.iter().map(|r| rel(a1, r)).collect();
        let mut r2: Vec<_> = a2.relations.iter().map(|r| rel(a2, r)).collect();
        r2.sort();
        let mut r1 = r1;
        r1.sort();
        assert_eq!(r1, r2, "{}", d1.path);
    }
    // The code book became the tag set: the claim label is a claim label, colours kept.
    let set = corpus::load_tagset(&back).unwrap();
    let claim = set.label("CLAIM").unwrap();
    assert_eq!(claim.kind, marginalia::model::LabelKind::Claim);
    assert_eq!(claim.colour, "#8e44ad");
    let _ = T0;
}

/// A project as other tools write one: nested codes, a `Sources/` folder, a
/// byte-order mark, a selection with two codings, one without any, a memo
/// note, a picture, cases and a variable Marginalia has no field for.
fn foreign_project(path: &Path) {
    let xml = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Study" origin="Other QDA 1.0">
<Users><User guid="00000000-0000-0000-0000-0000000000a1" name="Ana"/></Users>
<CodeBook><Codes>
<Code guid="00000000-0000-0000-0000-0000000000c1" name="Themes" isCodable="false">
<Code guid="00000000-0000-0000-0000-0000000000c2" name="Trust" isCodable="true" color="#FF0000"><Description>Says whom they trust</Description></Code>
</Code>
<Code guid="00000000-0000-0000-0000-0000000000c3" name="Place" isCodable="true"/>
</Codes></CodeBook>
<Variables><Variable guid="00000000-0000-0000-0000-0000000000d1" name="Age" typeOfVariable="Integer"/>
<Variable guid="00000000-0000-0000-0000-0000000000d2" name="Date" typeOfVariable="Text"/></Variables>
<Cases><Case guid="00000000-0000-0000-0000-0000000000e1" name="C1"/></Cases>
<Sources>
<TextSource guid="00000000-0000-0000-0000-0000000000f1" name="Interview 1" plainTextPath="internal://00000000-0000-0000-0000-0000000000f1.txt">
<PlainTextSelection guid="00000000-0000-0000-0000-000000000101" startPosition="0" endPosition="5" creatingUser="00000000-0000-0000-0000-0000000000a1" creationDateTime="2020-01-02T03:04:05Z">
<Description>memo one</Description>
<Coding guid="00000000-0000-0000-0000-000000000201" creatingUser="00000000-0000-0000-0000-0000000000a1"><CodeRef targetGUID="00000000-0000-0000-0000-0000000000c2"/></Coding>
<Coding guid="00000000-0000-0000-0000-000000000202"><CodeRef targetGUID="00000000-0000-0000-0000-0000000000c3"/></Coding>
<NoteRef targetGUID="00000000-0000-0000-0000-000000000301"/>
</PlainTextSelection>
<PlainTextSelection guid="00000000-0000-0000-0000-000000000102" startPosition="8" endPosition="10"/>
<VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000d1"/><IntegerValue>42</IntegerValue></VariableValue>
<VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000d2"/><TextValue>2020-01-01</TextValue></VariableValue>
</TextSource>
<PictureSource guid="00000000-0000-0000-0000-0000000000f2" name="photo" path="internal://x.png"/>
</Sources>
<Notes><Note guid="00000000-0000-0000-0000-000000000301" name="n"><PlainTextContent>a memo in a note</PlainTextContent></Note></Notes>
</Project>
"##;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("project.qde", opts).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.start_file("Sources/00000000-0000-0000-0000-0000000000f1.txt", opts)
        .unwrap();
    z.write_all("\u{feff}Trust 😀 us, Seoul.".as_bytes()).unwrap();
    z.finish().unwrap();
}

#[test]
fn a_project_of_another_tool_imports_and_what_cannot_be_kept_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("study.qdpx");
    foreign_project(&file);
    let into = tmp.path().join("c");
    let report = import_qdpx(&file, &into).unwrap();
    assert_eq!(report.documents, ["Interview 1.txt"], "{}", report.summary());
    let d = corpus::load(&into, "Interview 1.txt").unwrap();
    assert_eq!(d.doc.text, "Trust 😀 us, Seoul.");
    assert_eq!(d.data.meta.published, "2020-01-01");
    let quotes: Vec<(&str, &str)> = d
        .data
        .annotations
        .iter()
        .map(|a| (a.quote.as_str(), a.label.as_str()))
        .collect();
    assert_eq!(quotes, [("Trust", "Trust"), ("Trust", "Place")]);
    let trust = d.data.annotations.iter().find(|a| a.label == "Trust").unwrap();
    assert_eq!(trust.annotator, "Ana");
    assert_eq!(trust.created, "2020-01-02T03:04:05Z");
    assert_eq!(trust.note, "memo one\n\na memo in a note");
    let set = corpus::load_tagset(&into).unwrap();
    assert_eq!(set.label("Trust").unwrap().colour, "#ff0000");
    assert_eq!(set.label("Trust").unwrap().description, "Says whom they trust");
    assert!(set.label("Themes").is_none());
    let lost: Vec<&str> = report.lost.iter().map(|l| l.what.as_str()).collect();
    for expected in [
        "code hierarchy",
        "PictureSource \"photo\"",
        "1 case(s)",
        "variable \"Age\"",
        "1 selection(s) without a code",
    ] {
        assert!(lost.iter().any(|l| l.contains(expected)), "{expected}: {lost:?}");
    }
}

#[test]
fn files_that_are_not_projects_are_refused_with_their_name() {
    let tmp = tempfile::tempdir().unwrap();
    let not_zip = tmp.path().join("x.qdpx");
    std::fs::write(&not_zip, "hello").unwrap();
    let err = import_qdpx(&not_zip, &tmp.path().join("c"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.qdpx") && err.contains("zip"), "{err}");
    let empty = tmp.path().join("y.qdpx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&empty).unwrap());
    z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.finish().unwrap();
    let err = import_qdpx(&empty, &tmp.path().join("c"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("project.qde"), "{err}");
    assert!(!tmp.path().join("c").exists());
}

#[test]
fn a_project_counting_crlf_as_one_character_is_read_so_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    // "Seoul" starts at code point 13 of the text, at 11 when CR LF counts as one.
    let text = "Line one.\r\n\r\nSeoul 😀 and\r\nBusan.";
    let sel = |g: &str, s: usize, e: usize, name: &str| {
        format!(
            "<PlainTextSelection guid=\"00000000-0000-0000-0000-00000000010{g}\" name=\"{name}\" startPosition=\"{s}\" endPosition=\"{e}\"><Coding guid=\"00000000-0000-0000-0000-00000000020{g}\"><CodeRef targetGUID=\"00000000-0000-0000-0000-0000000000c3\"/></Coding></PlainTextSelection>"
        )
    };
    let xml = format!(
        r#"<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="S" origin="ATLAS.ti 9"><CodeBook><Codes><Code guid="00000000-0000-0000-0000-0000000000c3" name="Place" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="00000000-0000-0000-0000-0000000000f1" name="a" plainTextPath="internal://f1.txt">{}{}</TextSource></Sources></Project>"#,
        sel("1", 11, 16, "Seoul"),
        sel("2", 23, 28, "Busan")
    );
    let file = tmp.path().join("atlas.qdpx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&file).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("project.qde", opts).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.start_file("sources/f1.txt", opts).unwrap();
    z.write_all(text.as_bytes()).unwrap();
    z.finish().unwrap();
    let into = tmp.path().join("c");
    let report = import_qdpx(&file, &into).unwrap();
    let d = corpus::load(&into, "a.txt").unwrap();
    let quotes: Vec<&str> = d.data.annotations.iter().map(|a| a.quote.as_str()).collect();
    assert_eq!(quotes, ["Seoul", "Busan"]);
    assert!(
        report
            .lost
            .iter()
            .any(|l| l.what.contains("CR LF line end as one character") && l.what.contains("ATLAS.ti 9")),
        "{}",
        report.summary()
    );
}
