//! The PDF extractor on PDFs written by the tests themselves (`pdf_support`) and
//! on the small committed files of `tests/fixtures/pdf/` (made by its `make.sh`).

mod pdf_support;

use std::path::Path;

use marginalia::store::extract::pdf::{self, Limits, PdfError, PdfText};
use pdf_support::{Page, Pdf, prose, report, wrap};
use proptest::prelude::*;

fn extract(pdf: &Pdf) -> PdfText {
    pdf::extract(&pdf.bytes(), &Limits::default()).expect("extracts")
}

fn furniture(t: &PdfText) -> Vec<String> {
    t.furniture
        .iter()
        .map(|s| t.text.chars().skip(s.start).take(s.len()).collect())
        .collect()
}

/// Code-point offset of `needle` in the text.
fn offset(t: &PdfText, needle: &str) -> usize {
    let byte = t
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {:?}", t.text));
    t.text[..byte].chars().count()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pdf")
            .join(name),
    )
    .expect("fixture")
}

#[test]
fn two_columns_are_read_one_after_the_other() {
    let mut page = Page::default();
    page.text(60.0, 790.0, 16.0, "Floods in the north");
    let left = prose(1, 90);
    let right = prose(2, 90);
    page.lines(
        60.0,
        760.0,
        10.0,
        12.0,
        &wrap(&left, 44).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    page.lines(
        310.0,
        760.0,
        10.0,
        12.0,
        &wrap(&right, 44).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    page.text(
        60.0,
        300.0,
        10.0,
        "A line under both columns, as wide as the page and more than that, ends here.",
    );
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    let paragraphs: Vec<&str> = t.text.split("\n\n").collect();
    assert_eq!(
        paragraphs,
        [
            "Floods in the north",
            left.as_str(),
            right.as_str(),
            "A line under both columns, as wide as the page and more than that, ends here."
        ]
    );
    assert!(t.furniture.is_empty());
    assert_eq!(t.pages, [0]);
}

#[test]
fn a_ghostscript_report_in_two_columns_reads_like_the_page() {
    // tests/fixtures/pdf/make.sh: an embedded Type 1 font, lines shown with the
    // ' operator, an "fi" ligature glyph, a running head and page numbers.
    let t = pdf::extract(&fixture("columns.pdf"), &Limits::default()).expect("extracts");
    let mut expected = Vec::new();
    for p in 1..=3 {
        let column = |side: &str| {
            (1..=20)
                .map(|i| format!("{side} column line {i} of page {p}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        expected.push("Quarterly Field Report".to_string());
        expected.push(format!("{} The field team ended the column.", column("Left")));
        expected.push(column("Right"));
        expected.push(p.to_string());
    }
    assert_eq!(t.text, expected.join("\n\n"));
    assert_eq!(
        furniture(&t),
        [
            "Quarterly Field Report",
            "1",
            "Quarterly Field Report",
            "2",
            "Quarterly Field Report",
            "3"
        ]
    );
    assert_eq!(t.pages.len(), 3);
    assert_eq!(t.page_of(offset(&t, "line 7 of page 2")), Some(2));
}

#[test]
fn paragraphs_in_a_column_stay_apart() {
    let first = prose(3, 40);
    let second = prose(4, 40);
    let mut page = Page::default();
    let lines_a = wrap(&first, 60);
    page.lines(
        72.0,
        760.0,
        10.0,
        12.0,
        &lines_a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let y = 760.0 - 12.0 * lines_a.len() as f32 - 10.0;
    page.lines(
        72.0,
        y,
        10.0,
        12.0,
        &wrap(&second, 60).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(t.text, format!("{first}\n\n{second}"));
}

/// What a right-to-left line looks like drawn left to right: reversed, numbers kept.
fn visual(logical: &str) -> String {
    let mut chars: Vec<char> = logical.chars().rev().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let j = (i..chars.len())
                .find(|&k| !chars[k].is_ascii_digit())
                .unwrap_or(chars.len());
            chars[i..j].reverse();
            i = j;
        } else {
            i += 1;
        }
    }
    chars.into_iter().collect()
}

#[test]
fn arabic_comes_out_in_logical_order() {
    let lines = [
        "تقرير عن الفيضانات في عام 2024",
        "وصلت المساعدات متأخرة إلى القرى",
        "قال المسؤولون إن المياه ارتفعت",
    ];
    let mut page = Page::default();
    for (i, l) in lines.iter().enumerate() {
        // Right-aligned, as a right-to-left page is set.
        let width = l.chars().count() as f32 * 5.0;
        page.text(520.0 - width, 760.0 - 12.0 * i as f32, 10.0, &visual(l));
    }
    let t = extract(&Pdf {
        pages: vec![page],
        lang: Some("ar".into()),
        ..Pdf::default()
    });
    assert_eq!(t.text, lines.join(" "));
    assert_eq!(t.meta.language, "ar");
}

#[test]
fn arabic_presentation_forms_become_letters() {
    // "لا" as the one lam-alef ligature glyph, then "سلام" as initial seen,
    // final lam-alef and final meem, drawn right to left.
    let mut page = Page::default();
    page.text(300.0, 700.0, 10.0, "\u{FEE2}\u{FEFC}\u{FEB3} \u{FEFB}");
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(t.text, "\u{0644}\u{0627} \u{0633}\u{0644}\u{0627}\u{0645}");
}

#[test]
fn ligatures_become_letters() {
    let mut page = Page::default();
    page.text(
        72.0,
        700.0,
        10.0,
        "The \u{FB01}rst \u{FB02}ood a\u{FB00}ected \u{FB01}ve o\u{FB03}ces and ba\u{FB04}ed us.",
    );
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(t.text, "The first flood affected five offices and baffled us.");
}

#[test]
fn hyphenated_line_ends_are_joined() {
    let mut page = Page::default();
    page.lines(
        72.0,
        700.0,
        10.0,
        12.0,
        &[
            "The assessment was an exam-",
            "ple of careful work, and infor\u{AD}",
            "mation was shared with well-",
            "Known partners in the region at last.",
        ],
    );
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(
        t.text,
        "The assessment was an example of careful work, and information was shared with well-Known partners in the region at last."
    );
}

#[test]
fn each_bulleted_item_is_a_paragraph() {
    let mut page = Page::default();
    page.lines(
        72.0,
        700.0,
        10.0,
        12.0,
        &[
            "The plan has three parts:",
            "• roads reopened in the",
            "north first",
            "• clinics resupplied",
            "• schools reopened",
        ],
    );
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(
        t.text,
        "The plan has three parts:\n\n• roads reopened in the north first\n\n• clinics resupplied\n\n• schools reopened"
    );
}

#[test]
fn running_heads_and_page_numbers_are_furniture_on_every_page() {
    let doc = report(4);
    let t = extract(&doc);
    assert_eq!(t.pages.len(), 4);
    assert_eq!(t.page_count, 4);
    let expected: Vec<String> = (1..=4)
        .flat_map(|p| ["Flood Response Review 2024".to_string(), p.to_string()])
        .collect();
    assert_eq!(furniture(&t), expected);
    for (p, span) in t.furniture.iter().enumerate() {
        assert_eq!(
            t.page_of(span.start),
            Some(p / 2 + 1),
            "furniture {p} is on its page"
        );
    }
    // The body is whole: each column's paragraphs, in order, page after page.
    for p in 0..4 {
        for col in 0..2 {
            let first = prose(p * 2 + col, 120);
            let at = offset(&t, &first);
            assert_eq!(t.page_of(at), Some(p + 1));
            assert!(
                t.text
                    .contains(&format!("{first}\n\n{}", prose(p * 2 + col + 1000, 80)))
            );
        }
    }
}

#[test]
fn a_page_number_alone_is_furniture_even_on_one_page() {
    let mut page = Page::default();
    page.lines(
        72.0,
        700.0,
        10.0,
        12.0,
        &["Only one page of text here.", "And a second line of it."],
    );
    page.text(290.0, 40.0, 9.0, "- 1 -");
    let t = extract(&Pdf {
        pages: vec![page],
        ..Pdf::default()
    });
    assert_eq!(furniture(&t), ["- 1 -"]);
    assert_eq!(
        t.text,
        "Only one page of text here. And a second line of it.\n\n- 1 -"
    );
}

#[test]
fn a_blank_page_starts_where_the_next_page_does() {
    let mut one = Page::default();
    one.text(72.0, 700.0, 10.0, "First.");
    let mut three = Page::default();
    three.text(72.0, 700.0, 10.0, "Third.");
    let t = extract(&Pdf {
        pages: vec![one, Page::default(), three],
        ..Pdf::default()
    });
    assert_eq!(t.text, "First.\n\nThird.");
    assert_eq!(t.pages, [0, 8, 8]);
    assert_eq!(t.page_of(8), Some(3));
    assert_eq!(t.page_of(0), Some(1));
}

#[test]
fn metadata_comes_from_info_and_xmp() {
    let mut page = Page::default();
    page.text(72.0, 700.0, 10.0, "Text.");
    let doc = Pdf {
        pages: vec![page.clone()],
        info: vec![
            ("Title", "Microsoft Word - Flood Review".into()),
            ("Author", "Amina Yusuf".into()),
            ("CreationDate", "D:20240312093000+01'00'".into()),
        ],
        ..Pdf::default()
    };
    let t = extract(&doc);
    assert_eq!(
        (
            t.meta.title.as_str(),
            t.meta.author.as_str(),
            t.meta.published.as_str()
        ),
        ("Flood Review", "Amina Yusuf", "2024-03-12")
    );
    let xmp = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Rivers &amp; Roads</rdf:li></rdf:Alt></dc:title><dc:creator><rdf:Seq><rdf:li>Ann Lee</rdf:li><rdf:li>Omar Haddad</rdf:li></rdf:Seq></dc:creator><xmp:CreateDate>2023-11-02T08:00:00Z</xmp:CreateDate><dc:language><rdf:Bag><rdf:li>fr</rdf:li></rdf:Bag></dc:language></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
    let t = extract(&Pdf {
        pages: vec![page],
        xmp: Some(xmp.into()),
        ..Pdf::default()
    });
    assert_eq!(t.meta.title, "Rivers & Roads");
    assert_eq!(t.meta.author, "Ann Lee; Omar Haddad");
    assert_eq!(t.meta.published, "2023-11-02");
    assert_eq!(t.meta.language, "fr");
}

fn encrypted_in_code() -> Vec<u8> {
    use lopdf::encryption::{EncryptionState, EncryptionVersion, Permissions};
    let mut page = Page::default();
    page.text(72.0, 700.0, 10.0, "Secret text.");
    let mut doc = Pdf {
        pages: vec![page],
        ..Pdf::default()
    }
    .document();
    doc.trailer.set(
        "ID",
        vec![
            lopdf::Object::string_literal("0123456789abcdef"),
            lopdf::Object::string_literal("0123456789abcdef"),
        ],
    );
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "reader",
        key_length: 128,
        permissions: Permissions::all(),
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypts");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

#[test]
fn a_password_protected_pdf_says_so() {
    let bytes = encrypted_in_code();
    assert_eq!(pdf::extract(&bytes, &Limits::default()), Err(PdfError::Encrypted));
    // AES-256, as qpdf writes it (tests/fixtures/pdf/make.sh).
    assert_eq!(
        pdf::extract(&fixture("encrypted.pdf"), &Limits::default()),
        Err(PdfError::Encrypted)
    );
    assert!(PdfError::Encrypted.to_string().contains("password"));
}

#[test]
fn a_scan_without_text_says_so() {
    let scan = Pdf {
        pages: vec![
            Page {
                image: true,
                ..Page::default()
            },
            Page {
                image: true,
                ..Page::default()
            },
        ],
        ..Pdf::default()
    };
    assert_eq!(
        pdf::extract(&scan.bytes(), &Limits::default()),
        Err(PdfError::NoTextLayer)
    );
    assert!(PdfError::NoTextLayer.to_string().contains("OCR"));
}

#[test]
fn damaged_files_say_so() {
    let good = report(2).bytes();
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("not a pdf", b"<html><body>Not a PDF</body></html>".to_vec()),
        ("header only", b"%PDF-1.7\n".to_vec()),
        ("first tenth", good[..good.len() / 10].to_vec()),
        (
            "garbage after the header",
            [b"%PDF-1.4\n".as_slice(), &[0xA5; 4000]].concat(),
        ),
    ] {
        match pdf::extract(&bytes, &Limits::default()) {
            Err(PdfError::Damaged(detail)) => assert!(!detail.is_empty(), "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn limits_are_kept() {
    let bytes = report(3).bytes();
    let small = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert_eq!(pdf::extract(&bytes, &small), Err(PdfError::TooLarge));
    let little_text = Limits {
        max_text_bytes: 500,
        ..Limits::default()
    };
    assert_eq!(pdf::extract(&bytes, &little_text), Err(PdfError::TooLarge));
    let no_time = Limits {
        max_millis: 0,
        ..Limits::default()
    };
    assert_eq!(pdf::extract(&bytes, &no_time), Err(PdfError::TimedOut));
}

#[test]
fn a_300_page_report_whole_and_its_first_page() {
    let bytes = report(300).bytes();
    // Correctness only (speed is benches/pdf.rs): an unoptimised build on a busy machine may be slow.
    let limits = Limits {
        max_millis: 600_000,
        ..Limits::default()
    };
    let first = pdf::extract_first_page(&bytes, &limits).expect("first page");
    assert_eq!(first.pages, [0]);
    assert_eq!(first.page_count, 300);
    assert!(first.text.starts_with("Flood Response Review 2024\n\n"));
    let whole = pdf::extract(&bytes, &limits).expect("whole");
    assert_eq!(whole.pages.len(), 300);
    assert_eq!(whole.furniture.len(), 600);
    // The first page is the same either way, but for the running head only
    // the whole document shows to repeat.
    let end = whole.pages[1] - 2;
    let page_one: String = whole.text.chars().take(end).collect();
    assert_eq!(page_one, first.text);
    assert_eq!(furniture(&first), ["1"]);
    assert!(whole.text.contains(&prose(599, 120)));
}

#[test]
fn the_worker_process_gives_the_same_text_and_its_errors() {
    let worker = Path::new(env!("CARGO_BIN_EXE_marginalia"));
    let bytes = report(3).bytes();
    let limits = Limits::default();
    let in_child =
        pdf::isolate::extract_with_worker(worker, &bytes, &limits, false).expect("extracts in a child");
    assert_eq!(in_child, pdf::extract(&bytes, &limits).unwrap());
    let first =
        pdf::isolate::extract_with_worker(worker, &bytes, &limits, true).expect("first page in a child");
    assert_eq!(first.pages, [0]);
    // As the app reads a PDF: the first page as soon as it is read, then the whole.
    let mut early = Vec::new();
    let streamed =
        pdf::isolate::extract_with_worker_previewing(worker, &bytes, &limits, &mut |t| early.push(t))
            .expect("the whole text after the first page");
    assert_eq!(early, std::slice::from_ref(&first));
    assert_eq!(streamed, in_child);
    // The same on a thread, where no child can be started.
    let mut early = Vec::new();
    let on_thread = pdf::extract_previewing(&bytes, &limits, &mut |t| early.push(t)).expect("whole");
    assert_eq!((early, on_thread), (vec![first.clone()], in_child.clone()));
    // A damaged file gives its error and no first page.
    let mut early = Vec::new();
    let bad = pdf::isolate::extract_with_worker_previewing(worker, b"%PDF-1.4 junk", &limits, &mut |t| {
        early.push(t)
    });
    assert!(matches!(bad, Err(PdfError::Damaged(_))) && early.is_empty());
    assert_eq!(
        pdf::isolate::extract_with_worker(worker, &encrypted_in_code(), &limits, false),
        Err(PdfError::Encrypted)
    );
    assert!(matches!(
        pdf::isolate::extract_with_worker(worker, b"%PDF-1.4 junk", &limits, false),
        Err(PdfError::Damaged(_))
    ));
    let no_time = Limits {
        max_millis: 0,
        ..Limits::default()
    };
    assert_eq!(
        pdf::isolate::extract_with_worker(worker, &bytes, &no_time, false),
        Err(PdfError::TimedOut)
    );
}

#[test]
fn the_worker_process_is_held_to_its_memory() {
    let worker = Path::new(env!("CARGO_BIN_EXE_marginalia"));
    let bytes = report(50).bytes();
    // Far less than parsing fifty pages needs: the child dies, the app does not.
    let tight = Limits {
        max_memory: 8 << 20,
        ..Limits::default()
    };
    let got = pdf::isolate::extract_with_worker(worker, &bytes, &tight, false);
    assert!(matches!(got, Err(PdfError::Damaged(_))), "{got:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever bytes are changed in a valid PDF, extraction returns, with text
    /// or with an error, and never panics.
    #[test]
    fn mutated_pdfs_never_panic(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..40), cut in any::<prop::sample::Index>(), truncate in any::<bool>()) {
        let mut bytes = report(2).bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()) + 1);
        }
        let limits = Limits { max_millis: 2_000, ..Limits::default() };
        let start = std::time::Instant::now();
        let got = pdf::extract(&bytes, &limits);
        // The guard answers by the deadline even if the walk would not stop.
        prop_assert!(start.elapsed().as_millis() < 2_000 + 1_000, "{got:?}");
        if let Ok(t) = got {
            prop_assert!(t.pages.windows(2).all(|w| w[0] <= w[1]));
            let len = t.text.chars().count();
            prop_assert!(t.furniture.iter().all(|s| s.end <= len));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any words, laid out one column on any number of pages, come back whole
    /// and in order, each page starting where its first word is. (Right-to-left
    /// text has its own tests: drawing it needs its visual order.)
    #[test]
    fn words_come_back_in_order_on_their_pages(
        pages in prop::collection::vec(prop::collection::vec("[a-zà-ÿ]{1,9}|[A-Z][a-z]{0,6}[.,;]?|[0-9]{1,4}", 1..30), 1..5)
    ) {
        let mut pdf = Pdf::default();
        for words in &pages {
            let mut page = Page::default();
            let text = words.join(" ");
            page.lines(72.0, 760.0, 10.0, 12.0, &wrap(&text, 60).iter().map(String::as_str).collect::<Vec<_>>());
            pdf.pages.push(page);
        }
        let t = extract(&pdf);
        prop_assert_eq!(t.pages.len(), pages.len());
        prop_assert!(t.pages.windows(2).all(|w| w[0] < w[1]));
        let len = t.text.chars().count();
        prop_assert!(t.furniture.iter().all(|s| s.start < s.end && s.end <= len));
        for (p, words) in pages.iter().enumerate() {
            let start = t.pages[p];
            let end = t.pages.get(p + 1).map_or(len, |&n| n - 2);
            let page: String = t.text.chars().skip(start).take(end - start).collect();
            // Furniture aside (a lone number may be taken for a page number),
            // the page's words are its text.
            let body: Vec<&str> = page.split_whitespace().collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            if t.furniture.is_empty() {
                prop_assert_eq!(body, words);
            }
        }
    }
}
