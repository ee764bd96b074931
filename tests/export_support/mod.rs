//! Shared fixture of the export tests: the seeds plus one extra document, with a
//! fixed annotation set (fixed ids and timestamps).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marginalia::model::{
    Annotation, Claim, ClaimType, Cue, DocAnnotations, Document, Kind, Relation, Span, Speaker, Stance,
    Status, Target,
};
use marginalia::store::corpus;
use marginalia::store::sidecar::MAJOR;

/// Time stamp of every fixture annotation.
pub const T0: &str = "2026-03-01T09:00:00Z";

/// The extra document: CRLF line ends, emoji, CJK, curly quotes, em and en dashes.
pub const EXTRA: &str = "Report from Seoul — 2024\r\n\r\n“We will not return,” said Kim Ji-woo 😀 of the 北朝鮮難民協会.\r\nThe UN said 50 refugees 🙏 were sent back – again.\r\n";

/// Code-point span of the `nth` occurrence of `needle` in `doc`.
pub fn find(doc: &Document, needle: &str, nth: usize) -> Span {
    let (b, _) = doc
        .text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not found in {}", doc.path));
    let start = doc.cp_of(b);
    Span::new(start, start + needle.chars().count())
}

/// An annotation over `spans` with fixed metadata.
pub fn ann(doc: &Document, id: &str, spans: Vec<Span>, label: &str, kind: Kind) -> Annotation {
    let (quote, prefix, suffix) = doc.selector(&spans);
    Annotation {
        id: id.into(),
        spans: spans.into(),
        quote,
        prefix,
        suffix,
        label: label.into(),
        kind,
        attributes: Default::default(),
        note: String::new(),
        annotator: "ana".into(),
        created: T0.into(),
        modified: T0.into(),
        orphaned: false,
        conflicts: Vec::new(),
        origin: None,
        extra: BTreeMap::new(),
    }
}

/// An entity with a canonical id.
pub fn entity(doc: &Document, id: &str, needle: &str, label: &str, canonical: Option<&str>) -> Annotation {
    ann(
        doc,
        id,
        vec![find(doc, needle, 0)],
        label,
        Kind::Entity {
            canonical: canonical.map(str::to_owned),
        },
    )
}

/// A claim.
pub fn claim(doc: &Document, id: &str, needle: &str, claim: Claim) -> Annotation {
    ann(
        doc,
        id,
        vec![find(doc, needle, 0)],
        "CLAIM",
        Kind::Claim(Box::new(claim)),
    )
}

fn cue(doc: &Document, needle: &str, nth: usize) -> Option<Cue> {
    let span = find(doc, needle, nth);
    Some(Cue {
        span,
        quote: doc.slice(span).into(),
    })
}

fn rel(id: &str, from: &str, to: &str, kind: &str) -> Relation {
    Relation {
        id: id.into(),
        from: from.into(),
        to: Target {
            doc: None,
            id: to.into(),
        },
        kind: kind.into(),
        ..Default::default()
    }
}

/// The fixed annotations of one fixture document.
pub fn annotations_for(doc: &Document) -> DocAnnotations {
    let mut d = DocAnnotations::default();
    let name = doc.path.as_str();
    if name.starts_with("000") {
        let mut n = entity(doc, "e1", "at least 50", "NUMBER", None);
        n.attributes.insert("approx".into(), "at least".into());
        d.annotations.push(n);
        d.annotations.push(entity(
            doc,
            "e2",
            "North Korean refugees",
            "GROUP",
            Some("nk-refugees"),
        ));
        d.annotations
            .push(entity(doc, "e3", "North Korean", "MISC", None));
        // Accepted from a gazetteer suggestion: the origin reaches every export.
        let mut china = entity(doc, "e4", "China", "PLACE", Some("wd:Q148"));
        china.origin = Some(marginalia::model::suggest::Origin::Gazetteer);
        d.annotations.push(china);
        d.status = Status::Done;
    } else if name.starts_with("001") {
        let steps = find(doc, "retracing their steps", 0);
        let willing = find(doc, "willingly", 0);
        d.annotations
            .push(ann(doc, "e1", vec![steps, willing], "MISC", Kind::entity()));
        let mut s = entity(doc, "e2", "Smugglers. Bootleggers.", "GROUP", None);
        s.note = "two groups;\nkept together".into();
        d.annotations.push(s);
        d.status = Status::InProgress;
    } else if name.starts_with("002") {
        d.annotations
            .push(entity(doc, "e1", "Chinese officials", "ORG", None));
        d.annotations.push(claim(
            doc,
            "c1",
            "Chinese officials arrested a group of North Korea refugees",
            Claim {
                speaker: Speaker::Author,
                cue: None,
                stance: Stance::Asserts,
                claim_type: ClaimType::Fact,
                proposition: Some("arrests-feb-2012".into()),
                value: None,
            },
        ));
        d.annotations.push(entity(doc, "e2", "you’ve", "MISC", None));
        d.status = Status::Done;
    } else if name.starts_with("003") {
        let mut q = entity(doc, "e1", "‘voting with their feet’", "EVENT", None);
        q.attributes
            .insert("source".into(), "the article’s own words".into());
        d.annotations.push(q);
        d.annotations.push(entity(
            doc,
            "e2",
            "1951 United Nations Convention Relating to the Status of Refugees",
            "LAW",
            Some("refugee-convention-1951"),
        ));
        d.status = Status::Done;
    } else if name.starts_with("004") {
        let mut hrw = entity(doc, "e1", "Human Rights Watch", "ORG", Some("hrw"));
        hrw.attributes.insert("type".into(), "ngo".into());
        d.annotations.push(hrw);
        d.annotations
            .push(entity(doc, "e2", "Park Geun-Hye", "PERSON", None));
        let mut c = claim(
            doc,
            "c1",
            "“Time is running out for these nine refugees, so President Park needs to immediately press China’s government to ensure this group is not sent back into harm’s way,”",
            Claim {
                speaker: Speaker::Entity("e1".into()),
                cue: cue(doc, "said", 1),
                stance: Stance::Asserts,
                claim_type: ClaimType::Quote,
                proposition: Some("halt-forced-return".into()),
                value: None,
            },
        );
        c.attributes.insert("certainty".into(), "high".into());
        c.note = "quoted, with \"double\" quotes, commas, and a tab\there".into();
        c.origin = Some(marginalia::model::suggest::Origin::Detector);
        d.annotations.push(c);
        d.relations.push(rel("r1", "c1", "e2", "refers-to"));
        d.status = Status::Done;
    } else {
        d.annotations
            .push(entity(doc, "e1", "Seoul", "PLACE", Some("wd:Q8684")));
        d.annotations
            .push(entity(doc, "e2", "Kim Ji-woo 😀", "PERSON", None));
        d.annotations
            .push(entity(doc, "e3", "北朝鮮難民協会", "ORG", None));
        d.annotations
            .push(entity(doc, "e4", "50 refugees 🙏", "GROUP", None));
        // Crosses a CRLF line break.
        d.annotations
            .push(entity(doc, "e5", "協会.\r\nThe UN", "MISC", None));
        d.annotations.push(claim(
            doc,
            "c1",
            "“We will not return,”",
            Claim {
                speaker: Speaker::Entity("e2".into()),
                cue: cue(doc, "said", 0),
                stance: Stance::Denies,
                claim_type: ClaimType::Quote,
                proposition: None,
                value: None,
            },
        ));
        d.annotations.push(claim(
            doc,
            "c2",
            "50 refugees 🙏 were sent back – again",
            Claim {
                speaker: Speaker::Entity("e3".into()),
                cue: cue(doc, "said", 1),
                stance: Stance::Reports,
                claim_type: ClaimType::Fact,
                proposition: Some("returns".into()),
                value: None,
            },
        ));
        d.relations.push(rel("r1", "c2", "c1", "contradicts"));
        d.relations.push(Relation {
            id: "r2".into(),
            from: "c2".into(),
            to: Target {
                doc: Some("000_13d38fe2f37237c1.txt".into()),
                id: "e2".into(),
            },
            kind: "refers-to".into(),
            ..Default::default()
        });
        d.status = Status::InProgress;
    }
    d.sort();
    d
}

/// Builds the fixture corpus in `dir/corpus` and returns its path.
pub fn fixture(dir: &Path) -> PathBuf {
    let root = dir.join("corpus");
    std::fs::create_dir_all(root.join("extra")).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut names: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    for n in &names {
        std::fs::copy(seeds.join(n), root.join(n)).unwrap();
    }
    std::fs::write(root.join("extra/mixed.txt"), EXTRA).unwrap();
    for rel in names.iter().map(String::as_str).chain(["extra/mixed.txt"]) {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let doc = Document::new(rel, text);
        let data = annotations_for(&doc);
        let side = corpus::sidecar_path(&root.join(rel));
        std::fs::write(side, corpus::render(&doc, &data, (MAJOR, 0))).unwrap();
    }
    root
}

/// Every document of a corpus folder as loaded by the store.
pub fn load_all(root: &Path) -> Vec<(Document, DocAnnotations)> {
    corpus::scan(root)
        .unwrap()
        .into_iter()
        .map(|e| {
            let l = corpus::load(root, &e.rel).unwrap();
            assert!(l.read_only.is_none(), "{}: {:?}", e.rel, l.read_only);
            (l.doc, l.data)
        })
        .collect()
}
