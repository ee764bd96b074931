//! Sources as analysts get them: a folder holding a text, a saved news page, a
//! Word file, an OpenDocument text and a PDF works in every path (load, save,
//! export, import, check, stats, agree), the sidecar records the extraction,
//! and a changed extraction re-anchors without dropping anything.

mod sources_support;

use std::fs;
use std::path::Path;

use marginalia::formats::import::import_brat;
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::{Extraction, Kind, SourceKind, Span, content_hash};
use marginalia::store::{corpus, sidecar};
use sources_support::{DOCX_TEXT, ODT_TEXT, docx_report, odt_note};

fn fixture(name: &str) -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sources")
            .join(name),
    )
    .unwrap()
}

/// A folder of every kind.
fn mixed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a-notes.txt"), "Plain notes about Hyesan.\n").unwrap();
    fs::write(root.join("b-diplomat.html"), fixture("diplomat.html")).unwrap();
    fs::write(root.join("c-report.docx"), docx_report()).unwrap();
    fs::write(root.join("d-notes.odt"), odt_note()).unwrap();
    let columns = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/columns.pdf");
    fs::copy(columns, root.join("e-report.pdf")).unwrap();
    // Cut off after its header: damaged.
    fs::write(root.join("e-scan.pdf"), b"%PDF-1.7\n%\xe2\xe3\n").unwrap();
    dir
}

fn find(text: &str, needle: &str) -> Span {
    let b = text.find(needle).unwrap();
    let start = text[..b].chars().count();
    Span::new(start, start + needle.chars().count())
}

/// Annotates `needle` in `rel` and saves.
fn annotate(root: &Path, rel: &str, needle: &str, label: &str) {
    let mut loaded = corpus::load(root, rel).unwrap();
    let span = find(&loaded.doc.text, needle);
    let a = loaded.doc.annotate(vec![span], label, Kind::entity(), "tester");
    loaded.data.annotations.push(a);
    loaded.data.sort();
    corpus::save_loaded(root, &mut loaded).unwrap();
}

#[test]
fn a_mixed_folder_loads_with_kinds_text_and_metadata() {
    let dir = mixed();
    let root = dir.path();
    let listed: Vec<String> = corpus::scan(root).unwrap().into_iter().map(|e| e.rel).collect();
    assert_eq!(
        listed,
        [
            "a-notes.txt",
            "b-diplomat.html",
            "c-report.docx",
            "d-notes.odt",
            "e-report.pdf",
            "e-scan.pdf"
        ]
    );

    let html = corpus::load(root, "b-diplomat.html").unwrap();
    assert_eq!(html.doc.kind, SourceKind::Html);
    assert!(
        html.doc
            .text
            .starts_with("North Korea’s Border Guards Face a Hard Winter\n\nSoldiers")
    );
    assert!(!html.doc.text.contains("Skip to main content"));
    assert_eq!(html.data.meta.outlet, "The Diplomat");
    assert_eq!(html.data.meta.published, "2024-01-15");
    assert!(!html.doc.layout.html.is_empty());

    let docx = corpus::load(root, "c-report.docx").unwrap();
    assert_eq!(
        (docx.doc.kind, docx.doc.text.as_str()),
        (SourceKind::Docx, DOCX_TEXT)
    );
    assert_eq!(docx.data.meta.title, "Detention Report");
    assert_eq!(docx.data.meta.author, "Min-ji Lee");
    assert_eq!(docx.data.meta.language, "en-GB");

    let odt = corpus::load(root, "d-notes.odt").unwrap();
    assert_eq!((odt.doc.kind, odt.doc.text.as_str()), (SourceKind::Odt, ODT_TEXT));
    assert_eq!(odt.data.meta.author, "Jae Kim");

    let pdf = corpus::load(root, "e-report.pdf").unwrap();
    assert_eq!(pdf.doc.kind, SourceKind::Pdf);
    assert_eq!(pdf.doc.layout.pages.len(), 3, "three pages");
    assert!(
        pdf.doc.text.contains("Left column line 1 of page 1"),
        "{}",
        pdf.doc.text
    );
    assert!(
        !pdf.doc.layout.furniture.is_empty(),
        "running heads and page numbers"
    );
    let err = corpus::load(root, "e-scan.pdf").unwrap_err().to_string();
    assert!(
        err.contains("e-scan.pdf") && err.contains("save it again"),
        "{err}"
    );
    let txt = corpus::load(root, "a-notes.txt").unwrap();
    assert_eq!(txt.doc.kind, SourceKind::Text);
}

#[test]
fn the_sidecar_records_the_extraction_of_extracted_sources_only() {
    let dir = mixed();
    let root = dir.path();
    annotate(root, "b-diplomat.html", "Yalu River", "LOC");
    annotate(root, "a-notes.txt", "Hyesan", "LOC");
    let side = fs::read_to_string(root.join("b-diplomat.html.ron")).unwrap();
    let loaded = corpus::load(root, "b-diplomat.html").unwrap();
    assert!(side.contains("version: \"1.3\""), "{side}");
    assert!(
        side.contains(&format!(
            "extraction: (kind: \"html\", version: 1, text_hash: \"{}\"),",
            loaded.doc.hash
        )),
        "{side}"
    );
    let parsed = sidecar::from_str(&side).unwrap();
    assert_eq!(
        parsed.extraction,
        Some(Extraction {
            kind: SourceKind::Html,
            version: 1,
            text_hash: content_hash(&loaded.doc.text)
        })
    );
    // The page's metadata was filled in and saved with the annotation.
    assert!(side.contains("outlet: \"The Diplomat\""), "{side}");
    let plain = fs::read_to_string(root.join("a-notes.txt.ron")).unwrap();
    assert!(!plain.contains("extraction"), "{plain}");
    assert!(plain.contains("version: \"1.0\""), "{plain}");
    assert_eq!(loaded.data.annotations[0].quote, "Yalu River");
}

#[test]
fn a_changed_extraction_re_anchors_and_keeps_orphans() {
    let dir = mixed();
    let root = dir.path();
    let now = corpus::load(root, "b-diplomat.html").unwrap();
    // What an earlier extractor might have given: the page's skip link and
    // breadcrumbs kept before the article.
    let old_text = format!(
        "Skip to main content\n\nHome > East Asia > North Korea\n\n{}",
        now.doc.text
    );
    let old = marginalia::model::Document::new("b-diplomat.html", old_text.clone());
    let mut data = marginalia::model::DocAnnotations::default();
    for (needle, id) in [("Yalu River", "A1"), ("East Asia", "A2")] {
        let mut a = old.annotate(vec![find(&old_text, needle)], "LOC", Kind::entity(), "t");
        a.id = id.into();
        data.annotations.push(a);
    }
    data.sort();
    let extraction = Extraction {
        kind: SourceKind::Html,
        version: 0,
        text_hash: old.hash.clone(),
    };
    let side = sidecar::render((1, 3), "b-diplomat.html", &old.hash, Some(&extraction), &data);
    fs::write(root.join("b-diplomat.html.ron"), side).unwrap();

    let mut loaded = corpus::load(root, "b-diplomat.html").unwrap();
    let report = loaded.reanchor.clone().expect("re-anchored");
    assert_eq!(report.moved, vec!["A1".into()] as Vec<marginalia::model::AnnId>);
    assert_eq!(
        report.orphaned,
        vec!["A2".into()] as Vec<marginalia::model::AnnId>
    );
    assert_eq!(loaded.data.annotations.len(), 2, "nothing is dropped");
    let a1 = loaded.data.get("A1").unwrap();
    assert_eq!(loaded.doc.slice(a1.spans[0]), "Yalu River");
    assert!(loaded.data.get("A2").unwrap().orphaned);
    corpus::save_loaded(root, &mut loaded).unwrap();
    let side = fs::read_to_string(root.join("b-diplomat.html.ron")).unwrap();
    assert!(side.contains(&format!(
        "extraction: (kind: \"html\", version: 1, text_hash: \"{}\")",
        loaded.doc.hash
    )));
    assert!(side.contains("orphaned: true"));
}

#[test]
fn exports_imports_check_stats_and_agree_work_over_a_mixed_folder() {
    let dir = mixed();
    let root = dir.path();
    annotate(root, "b-diplomat.html", "Yalu River", "LOC");
    annotate(root, "c-report.docx", "Seoul", "LOC");
    annotate(root, "d-notes.odt", "Hyesan", "LOC");
    annotate(root, "a-notes.txt", "Hyesan", "LOC");
    let out = tempfile::tempdir().unwrap();

    // JSONL: the kind, the metadata, pages (none here), the extracted text.
    let jsonl = out.path().join("all.jsonl");
    let opts = ExportOptions {
        format: Format::Jsonl,
        out: jsonl.clone(),
        ..ExportOptions::default()
    };
    let report = export_corpus(root, &opts, &mut |_, _| true).unwrap();
    assert_eq!(report.skipped.len(), 1, "the damaged PDF is listed as skipped");
    assert!(report.skipped[0].path.ends_with("e-scan.pdf"));
    let lines: Vec<serde_json::Value> = fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["source_kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["text", "html", "docx", "odt", "pdf"]);
    let web = &lines[1];
    assert_eq!(web["meta"]["outlet"], "The Diplomat");
    let e = &web["entities"][0];
    assert_eq!(e["pages"], serde_json::json!([]));
    let text = web["text"].as_str().unwrap();
    let cps: Vec<char> = text.chars().collect();
    let (s, t) = (
        e["start"].as_u64().unwrap() as usize,
        e["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(cps[s..t].iter().collect::<String>(), "Yalu River");

    // brat: the extracted text as the .txt, and back in by import.
    let brat = out.path().join("brat");
    let opts = ExportOptions {
        format: Format::Brat,
        out: brat.clone(),
        ..ExportOptions::default()
    };
    export_corpus(root, &opts, &mut |_, _| true).unwrap();
    let html = corpus::load(root, "b-diplomat.html").unwrap();
    assert_eq!(
        fs::read_to_string(brat.join("b-diplomat.html.txt")).unwrap(),
        html.doc.text
    );
    assert_eq!(
        fs::read_to_string(brat.join("c-report.docx.txt")).unwrap(),
        DOCX_TEXT
    );
    let back = out.path().join("back");
    let imported = import_brat(&brat, &back).unwrap();
    assert!(
        imported.documents.contains(&"b-diplomat.html.txt".to_owned()),
        "{:?}",
        imported.documents
    );
    let again = corpus::load(&back, "b-diplomat.html.txt").unwrap();
    assert_eq!(again.doc.kind, SourceKind::Text);
    assert_eq!(again.data.annotations[0].quote, "Yalu River");

    // W3C: every target of the web page also points into the page itself.
    let w3c = out.path().join("w.jsonld");
    let opts = ExportOptions {
        format: Format::W3c,
        out: w3c.clone(),
        ..ExportOptions::default()
    };
    export_corpus(root, &opts, &mut |_, _| true).unwrap();
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&w3c).unwrap()).unwrap();
    let items = v["first"]["items"].as_array().unwrap();
    let page_item = items
        .iter()
        .find(|i| {
            i["target"]["source"]["id"]
                .as_str()
                .unwrap()
                .ends_with("b-diplomat.html")
        })
        .unwrap();
    let sel = page_item["target"]["selector"].as_array().unwrap();
    assert_eq!(sel.len(), 3);
    assert_eq!(sel[2]["type"], "RangeSelector");
    assert_eq!(sel[2]["startSelector"]["type"], "XPathSelector");
    assert!(
        sel[2]["startSelector"]["value"]
            .as_str()
            .unwrap()
            .ends_with("/p[1]/text()[1]"),
        "{}",
        sel[2]
    );
    let docx_item = items
        .iter()
        .find(|i| {
            i["target"]["source"]["id"]
                .as_str()
                .unwrap()
                .ends_with("c-report.docx")
        })
        .unwrap();
    assert_eq!(docx_item["target"]["selector"].as_array().unwrap().len(), 2);

    // check and stats: per kind, the PDF named with what to do.
    let check = marginalia::store::check::check_corpus(root).unwrap();
    assert_eq!(check.per_kind.get(&SourceKind::Pdf), Some(&2));
    assert_eq!(check.per_kind.get(&SourceKind::Html), Some(&1));
    let pdf = check.findings.iter().find(|f| f.file == "e-scan.pdf").unwrap();
    assert!(pdf.message.contains("save it again"), "{}", pdf.message);
    assert!(
        !check
            .findings
            .iter()
            .any(|f| f.file.starts_with("b-diplomat")
                && f.severity == marginalia::store::check::Severity::Error),
        "{:?}",
        check.findings
    );
    let st = marginalia::store::stats::corpus_stats(root).unwrap();
    assert_eq!(st.per_kind[&SourceKind::Html].annotations, 1);
    assert_eq!(st.per_kind[&SourceKind::Pdf].unreadable, 1);
    assert_eq!(st.not_text, 1);

    // agree: a second annotator's copy of the folder, compared document by document.
    let other = tempfile::tempdir().unwrap();
    for e in fs::read_dir(root).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), other.path().join(e.file_name())).unwrap();
    }
    let agreement = marginalia::agree::compare_folders(root, other.path()).unwrap();
    assert_eq!(
        agreement.documents_compared, 5,
        "every readable document, the PDF report too"
    );
    assert_eq!(agreement.overall.exact_matches, 4);
}
