//! brat round trips that keep everything: event-annotated corpora shaped like
//! the BioNLP shared-task data (events with nested event arguments, numbered
//! roles, modifiers and attributes on events, equivalences, notes on events and
//! relations, discontinuous spans, CRLF texts) go brat → Marginalia → brat and
//! come back line for line; a Marginalia corpus with CRLF and CR line ends,
//! byte-order marks, emoji, CJK and Arabic goes Marginalia → brat → Marginalia
//! and comes back whole. Every brat file written passes brat's parser rules
//! (`brat_support`).

mod brat_support;
mod common;

use std::path::Path;

use marginalia::formats::import::import_brat;
use marginalia::formats::{ExportOptions, Format, export_corpus};
use marginalia::model::{
    Attributes, Claim, ClaimType, Cue, DocAnnotations, Document, Edit, Equivalence, Event, EventArg, Kind,
    Relation, Span, Speaker, Stance, Target,
};
use marginalia::store::corpus;

/// Builds `T` lines with offsets found in the text as brat sees it.
struct Ann {
    text: Vec<char>,
    lines: Vec<String>,
}

impl Ann {
    fn new(txt: &str) -> Self {
        Ann {
            text: brat_support::brat_text(txt),
            lines: Vec::new(),
        }
    }

    /// Offsets of the `nth` occurrence of `needle`.
    fn at(&self, needle: &str, nth: usize) -> (usize, usize) {
        let n: Vec<char> = needle.chars().collect();
        let start = (0..self.text.len())
            .filter(|&i| self.text[i..].starts_with(&n))
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} not in the text"));
        (start, start + n.len())
    }

    /// A `T` line over the given (needle, nth) fragments.
    fn t(&mut self, id: &str, ty: &str, frags: &[(&str, usize)]) -> &mut Self {
        let spans: Vec<(usize, usize)> = frags.iter().map(|(n, k)| self.at(n, *k)).collect();
        let offs: Vec<String> = spans.iter().map(|(s, e)| format!("{s} {e}")).collect();
        let texts: Vec<String> = spans
            .iter()
            .map(|&(s, e)| self.text[s..e].iter().collect())
            .collect();
        self.lines
            .push(format!("{id}\t{ty} {}\t{}", offs.join(";"), texts.join(" ")));
        self
    }

    /// Any other line, as it is.
    fn l(&mut self, line: &str) -> &mut Self {
        self.lines.push(line.to_owned());
        self
    }

    fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

const CONF: &str = "[entities]\nProtein\nEntity\n\n[relations]\nSubunit-Complex\tSubunit:Protein, Complex:Protein\n\
Precedes\tArg1:<EVENT>, Arg2:<EVENT>\n<OVERLAP>\tArg1:Entity, Arg2:Protein, <OVL-TYPE>:contain\n\n[events]\n\
Phosphorylation\tTheme:Protein, Site?:Entity\n\
-----\n\
Binding\tTheme+:Protein\n\
Gene_expression\tTheme:Protein\n\
!Regulation\n\
 Negative_regulation\tTheme:Protein|<EVENT>, Cause?:Protein|<EVENT>\n\
 Positive_regulation\tTheme:Protein|<EVENT>, Cause?:Protein|<EVENT>\n\n\
[attributes]\nNegation\tArg:<EVENT>\nSpeculation\tArg:<EVENT>\nConfidence\tArg:<RELATION>, Value:High|Low\n";

/// A small corpus shaped like the BioNLP shared-task data, as brat files.
fn bionlp_corpus(dir: &Path) -> Vec<(String, String, String)> {
    let mut docs = Vec::new();

    let txt = "BMP-6 inhibits the phosphorylation of Smad1 and Smad5 at Ser463 in B cells.\n\
The inhibition was not observed for TGF-beta (TGF-b) signalling.\n\
Smad1 binds Smad5 directly.\n";
    let mut a = Ann::new(txt);
    a.t("T1", "Protein", &[("BMP-6", 0)])
        .t("T2", "Protein", &[("Smad1", 0)])
        .t("T3", "Protein", &[("Smad5", 0)])
        .t("T4", "Protein", &[("TGF-beta", 0)])
        .t("T5", "Protein", &[("TGF-b", 1)])
        .t("T6", "Entity", &[("Ser463", 0)])
        .t("T7", "Protein", &[("Smad1", 1)])
        .t("T8", "Protein", &[("Smad5", 1)])
        .t("T9", "Negative_regulation", &[("inhibits", 0)])
        .t("T10", "Phosphorylation", &[("phosphorylation", 0)])
        .t("T11", "Negative_regulation", &[("inhibition", 0)])
        .t("T12", "Binding", &[("binds", 0)])
        .l("E1\tPhosphorylation:T10 Theme:T2 Site:T6")
        .l("E2\tPhosphorylation:T10 Theme:T3")
        .l("E3\tNegative_regulation:T9 Theme:E1 Cause:T1")
        .l("E4\tNegative_regulation:T9 Theme:E2 Cause:T1")
        .l("E5\tNegative_regulation:T11 Theme:T4")
        .l("E6\tBinding:T12 Theme:T7 Theme2:T8")
        .l("A1\tNegation E5")
        .l("M1\tSpeculation E3")
        .l("*\tEquiv T4 T5")
        .l("#1\tAnnotatorNotes E5\tnegated by \"not observed\"")
        .l("N1\tReference T2 UniProt:Q15797\tSmad1")
        .l("N2\tReference T3 UniProt:Q99717\tSmad5")
        .l("R1\tPrecedes Arg1:E1 Arg2:E3");
    docs.push(("PMID-10085101".to_owned(), txt.to_owned(), a.text()));

    // A CRLF text (brat counts CRLF as one character), a discontinuous mention,
    // a selection across a line break, relation roles of its own, and the
    // attribute, note and normalisation of a relation.
    let txt = "IL-2 and IL-4 gene expression\r\nwas induced in T cells.\r\nThe p50 subunit of NF-kappa B binds DNA.\r\n";
    let mut a = Ann::new(txt);
    a.t("T1", "Protein", &[("IL-2", 0)])
        .t("T2", "Protein", &[("IL-4", 0)])
        .t("T3", "Entity", &[("IL-2", 0), ("gene", 0)])
        .t("T4", "Gene_expression", &[("expression", 0)])
        .t("T5", "Positive_regulation", &[("induced", 0)])
        .t("T6", "Protein", &[("p50", 0)])
        .t("T7", "Protein", &[("NF-kappa B", 0)])
        .t("T8", "Entity", &[("gene expression", 0), ("was induced", 0)])
        .t("T9", "Binding", &[("binds", 0)])
        .l("E1\tGene_expression:T4 Theme:T1")
        .l("E2\tGene_expression:T4 Theme:T2")
        .l("E3\tPositive_regulation:T5 Theme:E1")
        .l("E4\tPositive_regulation:T5 Theme:E2")
        .l("E5\tBinding:T9 Theme:T7")
        .l("R1\tSubunit-Complex Subunit:T6 Complex:T7")
        .l("A1\tConfidence R1 High")
        .l("#1\tAnnotatorNotes R1\tfrom the abstract")
        .l("N1\tReference R1 GO:0005667\ttranscription factor complex")
        .l("#2\tAnnotatorNotes E5\tbinding to DNA")
        .l("#3\tAnnotatorNotes E5\tsecond line of the note")
        .l("M1\tNegation E4")
        .l("*\tEquiv T1 T3")
        .l("R2\tPrecedes Arg1:E1 Arg2:E3");
    docs.push(("sub/PMID-9361015".to_owned(), txt.to_owned(), a.text()));

    // An event without arguments, one whose argument is a later event, and
    // an equivalence of three members.
    let txt = "Expression of p53 increases, and p53 then up-regulates MDM2 (HDM2, mdm-2).\n";
    let mut a = Ann::new(txt);
    a.t("T1", "Protein", &[("p53", 0)])
        .t("T2", "Protein", &[("p53", 1)])
        .t("T3", "Protein", &[("MDM2", 0)])
        .t("T4", "Protein", &[("HDM2", 0)])
        .t("T5", "Protein", &[("mdm-2", 0)])
        .t("T6", "Gene_expression", &[("Expression", 0)])
        .t("T7", "Positive_regulation", &[("increases", 0)])
        .t("T8", "Positive_regulation", &[("up-regulates", 0)])
        .l("E1\tPositive_regulation:T7 Theme:E2")
        .l("E2\tGene_expression:T6 Theme:T1")
        .l("E3\tPositive_regulation:T8 Theme:T3 Cause:T2")
        .l("E4\tGene_expression:T6")
        .l("*\tEquiv T3 T4 T5")
        .l("A1\tSpeculation E4");
    docs.push(("PMID-1".to_owned(), txt.to_owned(), a.text()));

    for (stem, txt, ann) in &docs {
        let p = dir.join(format!("{stem}.txt"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, txt).unwrap();
        std::fs::write(dir.join(format!("{stem}.ann")), ann).unwrap();
    }
    std::fs::write(dir.join("annotation.conf"), CONF).unwrap();
    docs
}

fn export_brat(root: &Path, out: &Path) {
    let opts = ExportOptions {
        format: Format::Brat,
        out: out.to_path_buf(),
        ..ExportOptions::default()
    };
    let report = export_corpus(root, &opts, &mut |_, _| true).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
}

#[test]
fn the_test_corpus_itself_is_valid_brat() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = bionlp_corpus(tmp.path());
    assert_eq!(brat_support::validate_folder(tmp.path()), docs.len());
    brat_support::validate_conf(CONF).unwrap();
    assert!(brat_support::validate_conf("[events]\nBinding\twith space*:<ENTITY>\n").is_err());
    assert!(brat_support::validate_conf("[entities]\n Child\n").is_err());
    // And the validator refuses what brat refuses.
    for (bad, why) in [
        ("T1\tProtein 0 5\tBMP-6 \nT2\tProtein 4 9\tx\n", "text field"),
        ("T1\tProtein 0 3;4 9\tBMP\n-6 inhi\n", "tab"),
        (
            "T1\tProtein 0 5\tBMP-6\nA1\tNegation T1\nE1\tProtein:T1\n",
            "trigger T1",
        ),
        ("T1\tProtein 0 5\tBMP-6\nE1\tBinding:T1\n", "is a Protein"),
        ("E1\tBinding:T9 Theme:T1\n", "not defined"),
        ("T1\tProtein 0 5\tBMP-6\nR1\tX Arg1:T1 Arg1:T1\n", "the same"),
        ("T1\tProtein 0 5\tBMP-6\nT1\tProtein 0 5\tBMP-6\n", "duplicate"),
        ("T1\tProtein 6 14;0 6\tinhibits BMP-6 \n", "overlaps"),
        ("T1\tProtein 0 5\tBMP\u{2028}6\n", "tab"),
    ] {
        let txt = &docs[0].1;
        let errors = brat_support::validate(txt, bad).expect_err(bad).join("\n");
        assert!(errors.contains(why), "{bad:?}: {errors}");
    }
}

#[test]
fn an_event_corpus_comes_back_line_for_line() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bionlp");
    let docs = bionlp_corpus(&src);
    let into = tmp.path().join("corpus");
    let report = import_brat(&src, &into).unwrap();
    assert!(report.is_complete(), "{}", report.summary());

    // The model holds the events, their nested arguments and the equivalences.
    let d = corpus::load(&into, "PMID-10085101.txt").unwrap().data;
    assert_eq!(d.events.len(), 6);
    let e3 = d.event("E3").unwrap();
    assert_eq!(
        (e3.kind.as_str(), e3.trigger.as_str()),
        ("Negative_regulation", "T9")
    );
    let args: Vec<(&str, &str)> = e3
        .arguments
        .iter()
        .map(|a| (a.role.as_str(), a.id.as_str()))
        .collect();
    assert_eq!(args, [("Theme", "E1"), ("Cause", "T1")]);
    assert_eq!(d.event("E6").unwrap().arguments[1].role, "Theme2");
    assert_eq!(
        d.event("E5")
            .unwrap()
            .attributes
            .get("Negation")
            .map(String::as_str),
        Some("")
    );
    assert_eq!(d.event("E5").unwrap().note, "negated by \"not observed\"");
    assert_eq!(d.equivalences[0].members, ["T4", "T5"]);
    assert_eq!(d.relations[0].from, "E1");
    let d2 = corpus::load(&into, "sub/PMID-9361015.txt").unwrap();
    // The selection across the line break is one span again, the break inside.
    let t8 = d2.data.get("T8").unwrap();
    assert_eq!(t8.spans.len(), 1);
    assert_eq!(t8.quote, "gene expression\nwas induced");
    let r1 = &d2.data.relations.iter().find(|r| r.id == "R1").unwrap();
    assert_eq!(r1.note, "from the abstract");
    assert_eq!(r1.attributes.get("Confidence").map(String::as_str), Some("High"));
    let sidecar = std::fs::read_to_string(into.join("sub/PMID-9361015.txt.ron")).unwrap();
    assert!(sidecar.contains("version: \"1.2\""), "{sidecar}");

    let out = tmp.path().join("out");
    export_brat(&into, &out);
    assert_eq!(brat_support::validate_folder(&out), docs.len());
    for (stem, txt, ann) in &docs {
        let again = std::fs::read_to_string(out.join(format!("{stem}.ann"))).unwrap();
        assert_eq!(
            brat_support::comparable_lines(ann),
            brat_support::comparable_lines(&again),
            "{stem}:\n{again}"
        );
        let text = std::fs::read_to_string(out.join(format!("{stem}.txt"))).unwrap();
        assert_eq!(text, txt.replace("\r\n", "\n"));
    }
    assert_eq!(
        std::fs::read_to_string(out.join("annotation.conf")).unwrap(),
        CONF
    );

    // And once more: the second export is the first, byte for byte.
    let into2 = tmp.path().join("corpus2");
    let report = import_brat(&out, &into2).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    let out2 = tmp.path().join("out2");
    export_brat(&into2, &out2);
    for (stem, _, _) in &docs {
        let ann = |d: &Path| std::fs::read_to_string(d.join(format!("{stem}.ann"))).unwrap();
        assert_eq!(ann(&out), ann(&out2), "{stem}");
    }
}

#[test]
fn deleting_a_trigger_or_an_argument_keeps_the_brat_files_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bionlp");
    bionlp_corpus(&src);
    let into = tmp.path().join("corpus");
    import_brat(&src, &into).unwrap();
    let mut loaded = corpus::load(&into, "PMID-10085101.txt").unwrap();
    let before = loaded.data.clone();
    let mut history = marginalia::model::History::default();
    // T10 triggers E1 and E2, which E3, E4 and R1 name; T4 is in the equivalence.
    for id in ["T10", "T4"] {
        history
            .run(&mut loaded.data, "delete", Edit::Remove(id.into()))
            .unwrap();
    }
    assert!(loaded.data.event("E1").is_none() && loaded.data.event("E2").is_none());
    assert!(
        loaded
            .data
            .event("E3")
            .unwrap()
            .arguments
            .iter()
            .all(|a| a.id != "E1")
    );
    assert!(loaded.data.equivalences.is_empty());
    assert!(loaded.data.relations.is_empty());
    corpus::save(&into, &loaded.doc, &loaded.data, loaded.version, &loaded.stamp).unwrap();
    let out = tmp.path().join("out");
    export_brat(&into, &out);
    brat_support::validate_folder(&out);
    // Undo gives everything back.
    history.undo(&mut loaded.data).unwrap();
    history.undo(&mut loaded.data).unwrap();
    assert_eq!(loaded.data, before);
}

// ---- Marginalia → brat → Marginalia ----

/// Sources with CRLF and CR line ends, byte-order marks, emoji, CJK, Arabic,
/// and the line separators brat's line reader breaks at.
const SOURCES: &[(&str, &[u8])] = &[
    (
        "crlf.txt",
        "Kim Jong-un 😀 met\r\nMoon Jae-in in 판문점.\r\n\r\nBoth said peace is near.\r\n".as_bytes(),
    ),
    (
        "cr.txt",
        "السلام عليكم\rمرحبا بالعالم\r北朝鮮 and 日本 signed.\r".as_bytes(),
    ),
    (
        "bom.txt",
        "\u{feff}Ahmed said: “القاهرة” is big.\nSecond line 👩‍👩‍👧 here.\n".as_bytes(),
    ),
    (
        "separators.md",
        "alpha\u{2028}beta\u{85}gamma\u{c}delta\u{1d}epsilon and more text.\n".as_bytes(),
    ),
];

fn span_of(doc: &Document, needle: &str) -> Span {
    common::find(&doc.text, needle, 0)
}

fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The annotations, events, equivalences and relations of one source, built
/// on its text: spans across line breaks and ending inside CRLF, a span of
/// only a line break, notes and attributes holding line breaks, events with
/// roles brat cannot hold, an event whose trigger is missing, an equivalence
/// with a trigger and one whose type has a space, a relation from an event.
fn annotate(doc: &Document) -> DocAnnotations {
    let mut d = DocAnnotations::default();
    let e = |d: &mut DocAnnotations, id: &str, spans: Vec<Span>, label: &str| {
        d.annotations
            .push(common::ann(doc, id, spans, label, Kind::entity()));
    };
    let n = doc.len_chars();
    let trigger = match doc.path.as_str() {
        "crlf.txt" => {
            e(&mut d, "k1", vec![span_of(doc, "Kim Jong-un")], "PERSON");
            // Across the CRLF; ending between CR and LF; the line break alone.
            let from = span_of(doc, "met").start;
            e(
                &mut d,
                "x1",
                vec![Span::new(from, span_of(doc, "Moon").end)],
                "MISC",
            );
            let cr = span_of(doc, "met").end;
            e(
                &mut d,
                "x2",
                vec![Span::new(span_of(doc, "😀").start, cr + 1)],
                "MISC",
            );
            e(&mut d, "x3", vec![Span::new(cr, cr + 2)], "MISC");
            e(&mut d, "m1", vec![span_of(doc, "Moon Jae-in")], "PERSON");
            e(&mut d, "p1", vec![span_of(doc, "판문점")], "PLACE");
            e(&mut d, "t1", vec![span_of(doc, "met")], "Meeting");
            let mut c = common::claim(
                doc,
                "c1",
                "peace is near",
                Speaker::Entity("k1".into()),
                Some("said"),
            );
            if let Kind::Claim(claim) = &mut c.kind {
                claim.stance = Stance::Questions;
                claim.claim_type = ClaimType::Prediction;
            }
            c.note = "line one\u{2028}still one\r\nline two".into();
            d.annotations.push(c);
            d.annotations.last_mut().unwrap().attributes =
                attrs(&[("where", "after\nthe talks"), ("tone", "calm")]);
            "t1"
        }
        "cr.txt" => {
            e(&mut d, "a1", vec![span_of(doc, "السلام")], "GREETING");
            // Discontinuous, one fragment across a lone CR.
            let s = span_of(doc, "عليكم").start;
            e(
                &mut d,
                "a2",
                vec![span_of(doc, "السلام"), Span::new(s, span_of(doc, "مرحبا").end)],
                "GREETING",
            );
            e(&mut d, "j1", vec![span_of(doc, "北朝鮮")], "PLACE");
            e(&mut d, "j2", vec![span_of(doc, "日本")], "PLACE");
            e(&mut d, "s1", vec![span_of(doc, "signed")], "Signing");
            "s1"
        }
        "bom.txt" => {
            e(&mut d, "b1", vec![span_of(doc, "Ahmed")], "PERSON");
            e(&mut d, "b2", vec![span_of(doc, "القاهرة")], "PLACE");
            e(&mut d, "b3", vec![span_of(doc, "👩‍👩‍👧")], "GROUP");
            e(&mut d, "b4", vec![Span::new(0, n)], "DOC");
            e(&mut d, "t2", vec![span_of(doc, "said")], "Saying");
            "t2"
        }
        _ => {
            e(
                &mut d,
                "g1",
                vec![Span::new(0, span_of(doc, "delta").end)],
                "SPAN",
            );
            e(&mut d, "g2", vec![span_of(doc, "epsilon")], "WORD");
            e(&mut d, "t3", vec![span_of(doc, "gamma")], "Event");
            "t3"
        }
    };
    let t: marginalia::model::AnnId = trigger.into();
    d.sort();
    let first = d.annotations[0].id.clone();
    let second = d.annotations[1].id.clone();
    d.events.push(Event {
        id: "ev1".into(),
        kind: "Happening".into(),
        trigger: t.clone(),
        arguments: vec![
            EventArg {
                role: "Agent".into(),
                id: first.clone(),
            },
            EventArg {
                role: "Agent2".into(),
                id: second.clone(),
            },
            EventArg {
                role: "with space".into(),
                id: first.clone(),
            },
        ],
        attributes: attrs(&[("Negation", ""), ("Source", "two words")]),
        note: "event note\u{85}with NEL".into(),
    });
    d.events.push(Event {
        id: "E7".into(),
        kind: d.get(&t).unwrap().label.to_string(),
        trigger: t.clone(),
        arguments: vec![EventArg {
            role: "Theme".into(),
            id: "ev1".into(),
        }],
        attributes: Attributes::new(),
        note: "plain".into(),
    });
    // An event whose trigger is gone from the document (a hand-edited file).
    d.events.push(Event {
        id: "lost".into(),
        kind: "Orphan".into(),
        trigger: "nowhere".into(),
        arguments: Vec::new(),
        attributes: Attributes::new(),
        note: String::new(),
    });
    d.equivalences.push(Equivalence {
        kind: "Equiv".into(),
        members: vec![first.clone(), second.clone()],
    });
    d.equivalences.push(Equivalence {
        kind: "Same as".into(),
        members: vec![second.clone(), t.clone()],
    });
    d.relations.push(Relation {
        id: "r1".into(),
        from: "ev1".into(),
        to: Target {
            doc: None,
            id: first.clone(),
        },
        kind: "causes".into(),
        attributes: attrs(&[("brat:roles", "Cause Effect"), ("Confidence", "High")]),
        note: "relation\u{2028}note".into(),
    });
    d.relations.push(Relation {
        id: "R3".into(),
        from: first,
        to: Target {
            doc: Some("crlf.txt".into()),
            id: "k1".into(),
        },
        kind: "same person".into(),
        ..Relation::default()
    });
    d.sort();
    d
}

#[test]
fn a_corpus_with_every_kind_of_line_end_and_script_comes_back_whole() {
    let dir = common::corpus(SOURCES);
    let root = dir.path();
    let mut before = Vec::new();
    for (rel, _) in SOURCES {
        let loaded = corpus::load(root, rel).unwrap();
        let data = annotate(&loaded.doc);
        corpus::save(root, &loaded.doc, &data, loaded.version, &loaded.stamp).unwrap();
        before.push((loaded.doc, data));
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("brat");
    export_brat(root, &out);
    assert_eq!(brat_support::validate_folder(&out), SOURCES.len());
    let into = tmp.path().join("back");
    let report = import_brat(&out, &into).unwrap();
    assert!(report.is_complete(), "{}", report.summary());
    for (doc, data) in &before {
        let back = corpus::load(&into, &doc.path).unwrap();
        let (text, map) = marginalia::formats::brat::NewlineMap::normalise(&doc.text);
        assert_eq!(back.doc.text, text, "{}", doc.path);
        let ndoc = Document::new("", text);
        let mut want = data.clone();
        for a in &mut want.annotations {
            a.spans = a.spans.iter().map(|s| map.span(*s)).collect();
            (a.quote, a.prefix, a.suffix) = ndoc.selector(&a.spans);
            if let Kind::Claim(c) = &mut a.kind {
                let c: &mut Claim = c;
                if let Some(Cue { span, .. }) = &mut c.cue {
                    *span = map.span(*span);
                }
            }
        }
        want.sort();
        assert_eq!(back.data, want, "{}", doc.path);
    }
}

#[test]
fn references_to_what_is_not_there_are_reported_and_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("in");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "p53 binds MDM2.\n").unwrap();
    std::fs::write(
        src.join("a.ann"),
        "T1\tProtein 0 3\tp53\nT2\tBinding 4 9\tbinds\nE1\tBinding:T2 Theme:T1 Theme2:T7\nE2\tBinding:T9 Theme:T1\n\
E3\tBinding\n*\tEquiv T1 T8\nA1\tNegation E2\nR1\tX Arg1:E1 Arg2:T1\n",
    )
    .unwrap();
    let into = tmp.path().join("out");
    let report = import_brat(&src, &into).unwrap();
    let lost: Vec<&str> = report.lost.iter().map(|l| l.what.as_str()).collect();
    for want in [
        "E1: its argument Theme2:T7 is not a kept annotation or event; left out",
        "E2: its trigger T9 is not a kept text annotation; the event (and the line about it) is skipped",
        "E3: the event \"Binding\" does not begin with Type:Trigger; skipped",
        "*: the equivalence Equiv names T8, which is not a kept annotation or event; left out of it",
        "*: the equivalence Equiv T1 T8 has fewer than two kept members; skipped",
    ] {
        assert!(lost.contains(&want), "{want:?} not in {lost:?}");
    }
    assert_eq!(lost.len(), 5, "{lost:?}");
    let d = corpus::load(&into, "a.txt").unwrap().data;
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].arguments.len(), 1);
    assert_eq!(d.relations[0].from, "E1");
}

#[test]
fn check_accepts_imported_events_and_reports_what_they_name_that_is_gone() {
    use marginalia::store::check::{Problem, check_corpus};
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("bionlp");
    bionlp_corpus(&src);
    let into = tmp.path().join("corpus");
    import_brat(&src, &into).unwrap();
    let report = check_corpus(&into).unwrap();
    // Relations from events and equivalences resolve; the types come from annotation.conf.
    assert_eq!(
        report.of(Problem::DanglingRelation).count(),
        0,
        "{:?}",
        report.findings
    );
    assert_eq!(
        report.of(Problem::DuplicateId).count(),
        0,
        "{:?}",
        report.findings
    );
    // A file edited by hand: a trigger and an equivalence member removed outright.
    let mut loaded = corpus::load(&into, "PMID-1.txt").unwrap();
    loaded.data.annotations.retain(|a| a.id != "T6" && a.id != "T4");
    corpus::save(&into, &loaded.doc, &loaded.data, loaded.version, &loaded.stamp).unwrap();
    let report = check_corpus(&into).unwrap();
    let dangling: Vec<&str> = report
        .of(Problem::DanglingRelation)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        dangling
            .iter()
            .any(|m| m.starts_with("event E2 is stated by T6, which is not an annotation")),
        "{dangling:?}"
    );
    assert!(dangling.iter().any(|m| m.contains("names T4")), "{dangling:?}");
}
