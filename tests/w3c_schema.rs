//! The W3C export checked with the JSON schemas of the W3C Web Annotation test
//! suite (vendored in `tests/w3c_schemas/`, see its README), run by the
//! `jsonschema` crate with format checks on: every annotation, page and the
//! collection, over the bundled seeds and over a corpus of CRLF and CR line
//! ends, byte-order marks, UTF-16, emoji, CJK and Arabic, with names that need
//! percent-encoding and enough annotations for several pages.

mod export_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::{Draft, Retrieve, Uri, Validator};
use marginalia::formats::w3c::{self, PAGE_SIZE, iri};
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::{Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Span, Speaker, Stance};
use marginalia::store::corpus;
use marginalia::store::sidecar::{MAJOR, MINOR};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Where the suite's relative ids (`id.json`, `3.1-…json`) resolve.
const BASE: &str = "https://w3c.test/annotation-model/definitions/";

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/w3c_schemas")
}

/// Serves the suite's definition files by name, as the suite's harness does; nothing is fetched.
struct Definitions;

impl Retrieve for Definitions {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(BASE)
            .ok_or_else(|| format!("{} is not a vendored definition", uri.as_str()))?;
        let text = std::fs::read_to_string(schemas().join("definitions").join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn compile(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true)
        .with_base_uri(BASE)
        .with_retriever(Definitions)
        .build(schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}"))
}

/// The vendored assertions of one folder, by file name.
fn assertions(folder: &str) -> Vec<(String, Validator)> {
    let mut out: Vec<(String, Validator)> = std::fs::read_dir(schemas().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let schema: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            assert_eq!(schema["assertionType"], "must", "{}", p.display());
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                compile(&schema),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A check built on a definition of the suite.
fn definition(name: &str, schema: Value) -> (String, Validator) {
    (name.to_owned(), compile(&schema))
}

struct Suite {
    annotation: Vec<(String, Validator)>,
    page: Vec<(String, Validator)>,
    collection: Vec<(String, Validator)>,
    selector: Vec<(String, Validator)>,
}

impl Suite {
    fn load() -> Self {
        let context = |file: &str| {
            json!({"type": "object", "required": ["@context"], "properties": {"@context": {"oneOf": [
                {"$ref": format!("{file}#/definitions/contextValueFound")},
                {"$ref": format!("{file}#/definitions/contextValueInArrayFound")}]}}})
        };
        let mut collection = assertions("collections");
        // collectionMusts.test's other assertions, from the definitions they use.
        collection.extend([
            definition("5.1 context", context("collections.json")),
            definition(
                "5.1 type",
                json!({"$ref": "collections.json#/definitions/annotationCollectionTypeValueFound"}),
            ),
            definition(
                "5.1 label",
                json!({"$ref": "collections.json#/definitions/labelDefinition"}),
            ),
            definition(
                "5.1 total",
                json!({"$ref": "collections.json#/definitions/totalDefinition"}),
            ),
            definition(
                "5.1 first",
                json!({"allOf": [
                    {"$ref": "collections.json#/definitions/firstRequiredIfTotalMoreThanZero"},
                    {"$ref": "collections.json#/definitions/firstValidIfPresent"}]}),
            ),
            definition(
                "5.1 last",
                json!({"$ref": "collections.json#/definitions/lastValidIfPresent"}),
            ),
        ]);
        let mut page = assertions("collections/pages");
        page.push(definition("5.2 context", context("collections.json")));
        Suite {
            annotation: assertions("annotations"),
            page,
            collection,
            selector: vec![
                definition(
                    "4.2.4 text quote selector",
                    json!({"$ref": "specificResource.json#/definitions/textQuoteSelectorTypeValidIfPresent"}),
                ),
                definition(
                    "4.2.5 text position selector",
                    json!({"$ref": "specificResource.json#/definitions/textPositionSelectorTypeValidIfPresent"}),
                ),
                definition(
                    "4.2 selector",
                    json!({"$ref": "specificResource.json#/definitions/selectorDetected"}),
                ),
            ],
        }
    }
}

/// The failures of `checks` on `value`, named.
fn failures(checks: &[(String, Validator)], what: &str, value: &Value) -> Vec<String> {
    checks
        .iter()
        .filter_map(|(name, v)| {
            let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
            (!errors.is_empty()).then(|| format!("{what}: {name}: {}", errors.join("; ")))
        })
        .collect()
}

/// Every MUST assertion over a whole export; returns the annotations.
fn validate(suite: &Suite, export: &Value) -> Vec<Value> {
    let mut bad = failures(&suite.collection, "collection", export);
    bad.extend(failures(&suite.page, "collection", export));
    let mut pages = vec![export["first"].clone()];
    pages.extend(export["@included"].as_array().cloned().unwrap_or_default());
    let mut items = Vec::new();
    for mut page in pages {
        // A page and its items take the collection's context, as JSON-LD does
        // for nodes of the same document; the suite checks them standing alone.
        page["@context"] = export["@context"].clone();
        bad.extend(failures(&suite.page, &format!("page {}", page["id"]), &page));
        for item in page["items"].as_array().unwrap() {
            let mut item = item.clone();
            item["@context"] = export["@context"].clone();
            let name = format!("annotation {}", item["id"]);
            bad.extend(failures(&suite.annotation, &name, &item));
            for t in targets(&item) {
                if t.is_object() {
                    bad.extend(failures(&suite.selector[2..], &name, &t));
                    for sel in t["selector"].as_array().unwrap() {
                        bad.extend(failures(&suite.selector[..2], &name, sel));
                    }
                }
            }
            items.push(item);
        }
    }
    assert!(bad.is_empty(), "{} failures:\n{}", bad.len(), bad.join("\n"));
    assert_eq!(export["total"].as_u64().unwrap() as usize, items.len());
    items
}

fn targets(item: &Value) -> Vec<Value> {
    match &item["target"] {
        Value::Array(a) => a.clone(),
        t => vec![t.clone()],
    }
}

fn export_w3c(root: &Path, out: &Path, base_uri: Option<&str>) -> Value {
    let opts = ExportOptions {
        format: Format::W3c,
        out: out.to_path_buf(),
        base_uri: base_uri.map(str::to_owned),
        ..ExportOptions::default()
    };
    let report = export_corpus(root, &opts, &mut |_, _| true).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// The path a `file://` URI names.
fn path_of(uri: &str) -> PathBuf {
    let rest = uri.strip_prefix("file://").unwrap_or_else(|| panic!("{uri}"));
    let mut bytes = Vec::new();
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(bytes).unwrap())
}

/// The text of a file as a browser or any decoder following the WHATWG
/// Encoding Standard gives it: the byte-order mark picks the encoding and is
/// not part of the text.
fn decoded(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let enc = encoding_rs::Encoding::for_bom(&bytes).map_or(encoding_rs::UTF_8, |(e, _)| e);
    enc.decode_with_bom_removal(&bytes).0.into_owned()
}

/// Checks that each target's selectors hold of the file its source IRI names.
fn selectors_match_the_files(items: &[Value]) -> usize {
    let mut texts: BTreeMap<String, Vec<char>> = BTreeMap::new();
    let mut checked = 0;
    for item in items {
        for t in targets(item).iter().filter(|t| t.is_object()) {
            let id = t["source"]["id"].as_str().unwrap();
            let chars = texts
                .entry(id.to_owned())
                .or_insert_with(|| decoded(&path_of(id)).chars().collect());
            let sel = t["selector"].as_array().unwrap();
            let (s, e) = (
                sel[0]["start"].as_u64().unwrap() as usize,
                sel[0]["end"].as_u64().unwrap() as usize,
            );
            let at = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
            assert_eq!(sel[1]["exact"].as_str().unwrap(), at(s, e), "{id}");
            let prefix = sel[1]["prefix"].as_str().unwrap();
            assert_eq!(prefix, at(s - prefix.chars().count(), s), "{id}");
            let suffix = sel[1]["suffix"].as_str().unwrap();
            assert_eq!(suffix, at(e, e + suffix.chars().count()), "{id}");
            checked += 1;
        }
    }
    checked
}

/// Writes `data` as the sidecar of the document `rel`, as the store reads the source.
fn annotate(root: &Path, rel: &str, make: impl FnOnce(&Document) -> DocAnnotations) {
    let loaded = corpus::load(root, rel).unwrap();
    let mut data = make(&loaded.doc);
    data.sort();
    let side = corpus::sidecar_path(&root.join(rel));
    std::fs::write(side, corpus::render(&loaded.doc, &data, (MAJOR, MINOR))).unwrap();
}

/// Every word of the document (UAX #29 segments with a letter or digit) as an entity.
fn every_word(doc: &Document, label: &str) -> DocAnnotations {
    let mut d = DocAnnotations::default();
    for (i, t) in marginalia::formats::conll::tokenize(&doc.text)
        .iter()
        .filter(|t| t.text.chars().any(char::is_alphanumeric))
        .enumerate()
    {
        d.annotations.push(export_support::ann(
            doc,
            &format!("w{i}"),
            vec![t.span],
            label,
            Kind::entity(),
        ));
    }
    d
}

#[test]
fn the_seeds_pass_every_must_assertion() {
    let suite = Suite::load();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("seeds copy");
    std::fs::create_dir(&root).unwrap();
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, root.join(p.file_name().unwrap())).unwrap();
    }
    let names: Vec<String> = corpus::scan(&root).unwrap().into_iter().map(|e| e.rel).collect();
    assert_eq!(names.len(), 5);
    for rel in &names {
        annotate(&root, rel, |doc| every_word(doc, "WORD"));
    }
    let export = export_w3c(&root, &tmp.path().join("out.jsonld"), None);
    let items = validate(&suite, &export);
    assert!(items.len() > PAGE_SIZE, "{} annotations", items.len());
    assert!(export["@included"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(selectors_match_the_files(&items) > PAGE_SIZE);
    // The collection is named by the file written.
    let out = std::fs::canonicalize(tmp.path()).unwrap().join("out.jsonld");
    assert_eq!(export["id"], iri::file_uri(&out, false));
    assert!(export["id"].as_str().unwrap().contains("/out.jsonld"));
}

const ARABIC: &str = "قال المتحدث باسم الأمم المتحدة إن ٥٠ لاجئاً أعيدوا.";

/// A corpus of awkward texts and names; returns its root and the relative paths.
fn awkward_corpus(dir: &Path) -> (PathBuf, Vec<&'static str>) {
    let root = dir.join("corpus ü #1");
    std::fs::create_dir_all(root.join("sub dir")).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(format!("{ARABIC}\r\nSeoul 😀 北朝鮮難民協会 said \"no\".\r\n").as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "UTF-16 text: 😀 Kim said 北朝鮮.\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let long: String = (0..120)
        .map(|i| format!("Line {i}: the UN said 50 refugees 🙏 were sent back – again.\r"))
        .collect();
    let files: [(&str, Vec<u8>); 5] = [
        ("bom arabic.txt", bom),
        (
            "crlf.txt",
            "Report from Seoul — 2024\r\n\r\n“We will not return,” said Kim 😀 of the 北朝鮮難民協会.\r\n"
                .into(),
        ),
        ("sub dir/cr only 100%.txt", long.into_bytes()),
        ("utf16.txt", utf16),
        (
            "日本語 ملف.txt",
            "東京で会議が開かれた。北朝鮮の代表は来なかった。\n".into(),
        ),
    ];
    for (rel, bytes) in &files {
        std::fs::write(root.join(rel), bytes).unwrap();
    }
    (root, files.iter().map(|(r, _)| *r).collect())
}

#[test]
fn an_awkward_corpus_passes_and_every_quote_matches_the_file_its_iri_names() {
    let suite = Suite::load();
    let tmp = tempfile::tempdir().unwrap();
    let (root, names) = awkward_corpus(tmp.path());
    for rel in &names {
        annotate(&root, rel, |doc| {
            let mut d = every_word(doc, "WORD");
            let words: Vec<Span> = d.annotations.iter().map(|a| a.spans[0]).collect();
            // A claim with a speaker and a cue, and a discontinuous entity.
            if words.len() >= 4 {
                let mut speaker = export_support::ann(doc, "spk", vec![words[0]], "PERSON", Kind::entity());
                speaker.created = "yesterday".into();
                speaker.modified = Default::default();
                d.annotations.push(speaker);
                d.annotations.push(export_support::ann(
                    doc,
                    "claim",
                    vec![Span::new(words[1].start, words[3].end)],
                    "CLAIM",
                    Kind::Claim(Box::new(Claim {
                        speaker: Speaker::Entity("spk".into()),
                        cue: Some(Cue {
                            span: words[2],
                            quote: doc.slice(words[2]).into(),
                        }),
                        stance: Stance::Asserts,
                        claim_type: ClaimType::Quote,
                        proposition: Some("p".into()),
                        value: None,
                    })),
                ));
                d.annotations.push(export_support::ann(
                    doc,
                    "gap",
                    vec![words[0], words[2]],
                    "MISC",
                    Kind::entity(),
                ));
            }
            d.meta.title = format!("Title of {rel} – «ü»");
            d.meta.outlet = "=HYPERLINK(\"x\")".into();
            d.meta.language = "ar".into();
            d.meta.url = "https://example.org/a b".into();
            d.meta.published = "12 March 2012".into();
            d
        });
    }
    for base in [None, Some("https://example.org/pub lished/corpus")] {
        let out = tmp.path().join(format!("out {}.jsonld", base.is_some()));
        if let Some(bad) = base {
            // A base with a space is refused, with the reason.
            let opts = ExportOptions {
                format: Format::W3c,
                out: out.clone(),
                base_uri: Some(bad.to_owned()),
                ..ExportOptions::default()
            };
            let err = export_corpus(&root, &opts, &mut |_, _| true).unwrap_err();
            assert!(err.to_string().contains("%20"), "{err}");
            assert!(!out.exists());
            let export = export_w3c(&root, &out, Some("https://example.org/pub%20lished/corpus"));
            let items = validate(&suite, &export);
            assert_eq!(
                export["id"],
                format!("https://example.org/pub%20lished/corpus/out%20true.jsonld")
            );
            for item in items.iter().filter(|i| i["mrg:kind"] != "relation") {
                let id = item["target"]
                    .get("source")
                    .or_else(|| item["target"][0].get("source"))
                    .map(|s| s["id"].as_str().unwrap().to_owned())
                    .unwrap();
                assert!(id.starts_with("https://example.org/pub%20lished/corpus/"), "{id}");
            }
            continue;
        }
        let export = export_w3c(&root, &out, None);
        let items = validate(&suite, &export);
        assert!(items.len() > PAGE_SIZE);
        assert!(selectors_match_the_files(&items) > PAGE_SIZE);
        // Metadata rides on the source; a time that is not a date-time is kept aside.
        let spk = items.iter().find(|i| i["mrg:id"] == "spk").unwrap();
        assert!(spk.get("created").is_none() && spk.get("modified").is_none());
        assert_eq!(spk["mrg:created"], "yesterday");
        let source = &spk["target"]["source"];
        assert_eq!(source["language"], "ar");
        assert_eq!(source["type"], "Text");
        assert!(source["dcterms:title"].as_str().unwrap().ends_with("«ü»"));
        assert_eq!(source["dcterms:publisher"], "=HYPERLINK(\"x\")");
        assert_eq!(source["dcterms:issued"], "12 March 2012");
        assert_eq!(source["schema:url"], "https://example.org/a b");
        // The cue names the source by its IRI alone.
        let claim = items.iter().find(|i| i["mrg:id"] == "claim").unwrap();
        assert_eq!(
            claim["mrg:claim"]["cue"]["source"],
            claim["target"]["source"]["id"]
        );
        // A file:// IRI of each file, percent-encoded.
        let ids: Vec<&str> = items
            .iter()
            .filter_map(|i| i["target"]["source"]["id"].as_str())
            .collect();
        assert!(
            ids.iter()
                .any(|i| i.ends_with("/corpus%20%C3%BC%20%231/sub%20dir/cr%20only%20100%25.txt"))
        );
    }
}

#[test]
fn positions_do_not_count_a_byte_order_mark() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, _) = awkward_corpus(tmp.path());
    annotate(&root, "bom arabic.txt", |doc| {
        let mut d = DocAnnotations::default();
        let at = doc.text.find("المتحدث").unwrap();
        let start = doc.cp_of(at);
        d.annotations.push(export_support::ann(
            doc,
            "a1",
            vec![Span::new(start, start + "المتحدث".chars().count())],
            "PERSON",
            Kind::entity(),
        ));
        d
    });
    let export = export_w3c(&root, &tmp.path().join("bom.jsonld"), None);
    let item = &export["first"]["items"][0];
    let sel = &item["target"]["selector"];
    assert_eq!(sel[0]["start"], 4, "the BOM is not a character of the text");
    assert_eq!(sel[1]["exact"], "المتحدث");
    assert_eq!(sel[1]["prefix"], "قال ");
    // Counting the BOM's U+FEFF as a character would move the quote by one.
    let raw = String::from_utf8(std::fs::read(root.join("bom arabic.txt")).unwrap()).unwrap();
    assert!(raw.starts_with('\u{feff}'));
    let raw: Vec<char> = raw.chars().collect();
    assert_ne!(raw[4..11].iter().collect::<String>(), "المتحدث");
    assert_eq!(selectors_match_the_files(std::slice::from_ref(item)), 1);
}

/// A validator of one format, as the suite's schemas check it.
fn format_check(format: &str) -> Arc<Validator> {
    Arc::new(compile(&json!({"type": "string", "format": format})))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn source_iris_are_uris_and_name_the_file(
        parts in proptest::collection::vec("[a-zA-Z0-9 %#?&=+@:;'\"<>{}|\\\\^`!$()*,~\\-._ü北😀ملف\t]{1,12}", 1..4),
    ) {
        let rel = parts.join("/");
        let uri = format_check("uri");
        for base in ["https://example.org/corpus/", "file:///tmp/corpus%20x/", "urn:example:c/"] {
            let id = w3c::source_iri(base, &rel);
            prop_assert!(uri.is_valid(&json!(id)), "{id}");
            prop_assert!(id.is_ascii());
        }
        let id = w3c::source_iri("file:///", &rel);
        prop_assert_eq!(path_of(&id), PathBuf::from(format!("/{rel}")));
    }

    #[test]
    fn what_is_written_as_a_date_time_passes_the_format_check(
        s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,4})?([Zz]|[+-][0-9]{2}:[0-9]{2})?",
    ) {
        if iri::is_date_time(&s) {
            prop_assert!(format_check("date-time").is_valid(&json!(s)), "{s}");
        }
    }
}

#[test]
fn a_base_uri_is_checked_like_an_iri() {
    let uri = format_check("uri");
    for good in [
        "https://example.org/corpus",
        "urn:example:corpus",
        "file:///srv/c%C3%BC/",
    ] {
        let base = iri::check_base(good).unwrap();
        assert!(uri.is_valid(&json!(w3c::source_iri(&base, "a b.txt"))), "{base}");
    }
}

#[test]
fn the_suite_rejects_a_relative_source_a_bad_date_and_a_page_without_an_id() {
    let suite = Suite::load();
    let tmp = tempfile::tempdir().unwrap();
    let root = export_support::fixture(tmp.path());
    let export = export_w3c(&root, &tmp.path().join("out.jsonld"), None);
    let mut item = export["first"]["items"][0].clone();
    item["@context"] = export["@context"].clone();
    assert!(failures(&suite.annotation, "item", &item).is_empty());
    // What the export wrote before: the source as a bare relative path.
    let mut relative = item.clone();
    relative["target"]["source"] = json!("000_13d38fe2f37237c1.txt");
    let bad = failures(&suite.annotation, "item", &relative);
    assert!(
        bad.iter().any(|f| f.contains("3.2-targetObjectsRecognized")),
        "{bad:?}"
    );
    let mut date = item.clone();
    date["created"] = json!("2026-03-01 09:00");
    let bad = failures(&suite.annotation, "item", &date);
    assert!(
        bad.iter().any(|f| f.contains("3.3.1-annotationCreatedValidated")),
        "{bad:?}"
    );
    let mut page = export["first"].clone();
    page["@context"] = export["@context"].clone();
    assert!(failures(&suite.page, "page", &page).is_empty());
    page.as_object_mut().unwrap().remove("id");
    page["next"] = json!("page 2");
    let bad = failures(&suite.page, "page", &page);
    assert!(bad.iter().any(|f| f.contains("5.2-pageIdValidated")), "{bad:?}");
    assert!(bad.iter().any(|f| f.contains("5.2-pageNextValidated")), "{bad:?}");
    let mut collection = export.clone();
    collection["id"] = json!("corpus");
    let bad = failures(&suite.collection, "collection", &collection);
    assert!(
        bad.iter().any(|f| f.contains("5.1-collectionIdValidated")),
        "{bad:?}"
    );
}
