use super::*;

/// [`super::extract`] within the usual limits.
fn extract(page: &str) -> Page {
    super::extract(page, &Limits::default()).unwrap()
}

fn fixture(name: &str) -> Page {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(name);
    let bytes = std::fs::read(path).unwrap();
    let (page, _, _) = decode_page(&bytes).unwrap();
    extract(&page)
}

/// The node an XPath of the form this module writes names.
fn resolve<'a>(doc: &'a Html, xpath: &str) -> NodeRef<'a, Node> {
    let mut at = doc.tree.root();
    for step in xpath.trim_start_matches('/').split('/') {
        let (name, k) = step.trim_end_matches(']').split_once('[').unwrap();
        let k: usize = k.parse().unwrap();
        at = at
            .children()
            .filter(|c| {
                if name == "text()" {
                    c.value().is_text()
                } else {
                    element_name(c) == Some(name)
                }
            })
            .nth(k - 1)
            .unwrap_or_else(|| panic!("{xpath}: no {step}"));
    }
    at
}

/// Every stretch of the text is the text of the node its piece names, at its offset.
fn assert_map_holds(html: &str, page: &Page) {
    let doc = Html::parse_document(html);
    let chars: Vec<char> = page.text.chars().collect();
    let mut last_end = 0;
    for p in &page.layout.html {
        assert!(p.start >= last_end, "pieces overlap or are out of order");
        last_end = p.start + p.len;
        let node = resolve(&doc, &p.xpath);
        let node_text: Vec<char> = node.value().as_text().expect("a text node").chars().collect();
        let ours: String = chars[p.start..p.start + p.len].iter().collect();
        let theirs: String = node_text[p.node_offset..p.node_offset + p.len].iter().collect();
        // Collapsed white space is one space standing for any white space.
        let norm = |s: &str| s.replace(['\n', '\t', '\r', '\u{c}'], " ");
        assert_eq!(norm(&ours), norm(&theirs), "{}", p.xpath);
    }
}

const DEBRIS: &[&str] = &[
    "Skip to",
    "Image Credit",
    "Photo:",
    "Home >",
    "Home",
    "Share",
    "Advertisement",
    "Comments",
    "comment",
    "cookies",
    "Related",
    "Tags:",
    "©",
    "Sign up",
    "Donate",
    "Most Read",
    "Popular",
    "Subscribe",
    "dataLayer",
    "font-family",
    "loadAd",
    "Follow us",
    "Print",
    "Facebook",
    "Twitter",
    "freelance journalist",
    "Regions",
    "2022.11.03",
    "By Lina",
    "January 15, 2024",
];

#[test]
fn news_pages_give_only_the_article() {
    let cases = [
        (
            "diplomat.html",
            "North Korea’s Border Guards Face a Hard Winter\n\nSoldiers stationed along the Yalu River",
            "traders & smugglers.",
        ),
        (
            "hrw.html",
            "North Korea: Forced Labor in Detention\n\n(Seoul) – North Korean authorities",
            "Human Rights Watch said.",
        ),
        (
            "dailynk.html",
            "Market prices of rice rise in Hyesan\n\nThe price of rice in markets in Hyesan",
            "a second source in the capital.",
        ),
        (
            "nknews.html",
            "Kim Jong Un inspects new missile launchers, state media says\n\nNorth Korean leader",
            "Edited by Bryan Betts",
        ),
    ];
    for (file, start, end) in cases {
        let p = fixture(file);
        assert!(p.text.starts_with(start), "{file}:\n{}", p.text);
        assert!(p.text.ends_with(end), "{file}:\n{}", p.text);
        for d in DEBRIS {
            assert!(!p.text.contains(d), "{file} keeps {d:?}:\n{}", p.text);
        }
        assert!(!p.text.contains("\n\n\n"), "{file}");
    }
    // The category link above the Diplomat's headline is not a paragraph.
    assert!(
        !fixture("diplomat.html")
            .text
            .split("\n\n")
            .any(|b| b == "Security")
    );
    let p = fixture("hrw.html");
    assert!(
        p.text
            .contains("\n\nRecommendations\n\nAbolish forced labor in all places of detention.\n\nAllow")
    );
    assert!(p.text.contains("“They made us carry logs"));
}

#[test]
fn metadata_comes_from_meta_tags_json_ld_and_the_page() {
    let m = fixture("diplomat.html").meta;
    assert_eq!(m.title, "North Korea’s Border Guards Face a Hard Winter");
    assert_eq!(m.outlet, "The Diplomat");
    assert_eq!(m.author, "Jane Park");
    assert_eq!(m.published, "2024-01-15");
    assert_eq!(
        m.url,
        "https://thediplomat.com/2024/01/north-koreas-border-guards-face-a-hard-winter/"
    );
    assert_eq!(m.language, "en-US");
    // JSON-LD: an author list, a date with a time zone, the language.
    let m = fixture("hrw.html").meta;
    assert_eq!(
        (m.author.as_str(), m.published.as_str()),
        ("Lina Yoon", "2023-06-12")
    );
    assert_eq!(m.outlet, "Human Rights Watch");
    // A page in EUC-KR, its language from og:locale.
    let m = fixture("dailynk.html").meta;
    assert_eq!(m.language, "en-US");
    assert_eq!(m.published, "2022-11-03");
    assert_eq!(m.author, "Kim Yoo Jin");
    let m = fixture("nknews.html").meta;
    assert_eq!(
        (m.author.as_str(), m.published.as_str()),
        ("Colin Zwirko", "2023-08-20")
    );
}

#[test]
fn every_offset_maps_back_into_the_fixtures() {
    for f in ["diplomat.html", "hrw.html", "dailynk.html", "nknews.html"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sources")
            .join(f);
        let (html, _, _) = decode_page(&std::fs::read(path).unwrap()).unwrap();
        let p = extract(&html);
        assert!(!p.layout.html.is_empty());
        assert_map_holds(&html, &p);
        // Letters all come from the page; only the breaks between blocks are added.
        let mapped: usize = p.layout.html.iter().map(|p| p.len).sum();
        let added = p.text.chars().count() - mapped;
        assert_eq!(added, p.text.matches("\n\n").count() * 2, "{f}");
    }
}

#[test]
fn references_are_decoded_and_scripts_never_shown() {
    let html = "<html><body><article><p>A &amp; B &lt;tag&gt; &#x263A; &eacute;t&eacute;</p>\
        <script>var x = '<p>no</p>';</script><style>p{}</style><noscript>Enable JS</noscript>\
        <p>Line<br>break   and\n  spaces</p><pre>  kept\n   as is</pre></article></body></html>";
    let p = extract(html);
    assert_eq!(
        p.text,
        "A & B <tag> ☺ été\n\nLine\nbreak and spaces\n\n  kept\n   as is"
    );
    assert_map_holds(html, &p);
}

#[test]
fn a_page_without_paragraphs_keeps_its_body_text() {
    let p = extract("<html><body><div>Just a line</div><div>and another</div></body></html>");
    assert_eq!(p.text, "Just a line\n\nand another");
    assert_eq!(extract("").text, "");
    assert_eq!(extract("<<<>>>&&&").text, "<<<>>>&&&");
}

#[test]
fn very_deep_nesting_is_read_without_exhausting_the_stack() {
    let depth = 3_000;
    let html = format!(
        "<html><body>{}<p>deep words here</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    // The test thread's stack, not a larger one: the workspace's jobs run on such threads.
    let p = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || super::extract(&html, &Limits::default()).unwrap())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(p.text.trim(), "deep words here");
}

#[test]
fn a_page_that_takes_too_long_is_stopped() {
    let limits = Limits {
        time: std::time::Duration::ZERO,
        ..Limits::default()
    };
    let html = "<p>words</p>".repeat(5_000);
    assert_eq!(
        super::extract(&html, &limits).unwrap_err(),
        ExtractError::TimedOut(crate::model::SourceKind::Html)
    );
}

proptest::proptest! {
    /// Made-up pages: paragraphs of words with inline markup, references and
    /// odd white space. The text is the words in order, and the map holds.
    #[test]
    fn generated_pages_map_back(
        paras in proptest::collection::vec(
            proptest::collection::vec(("[a-zA-Zé漢]{1,8}", 0..6usize, "[ \\t\\n]{1,3}"), 1..12),
            1..8,
        )
    ) {
        let mut html = String::from("<html><head><title>t</title></head><body><div class=\"story\">");
        let mut words = Vec::new();
        for para in &paras {
            html.push_str("<p>");
            for (w, markup, space) in para {
                words.push(w.clone());
                let w = w.replace('é', "&eacute;");
                match markup {
                    0 => html.push_str(&format!("<b>{w}</b>")),
                    1 => html.push_str(&format!("<a href=\"#\">{w}</a>")),
                    2 => html.push_str(&format!("<span><i>{w}</i></span>")),
                    3 => html.push_str(&format!("{w}<!-- note -->")),
                    _ => html.push_str(&w),
                }
                html.push_str(space);
            }
            html.push_str("</p>\n");
        }
        html.push_str("</div></body></html>");
        let p = extract(&html);
        assert_map_holds(&html, &p);
        let got: Vec<&str> = p.text.split_whitespace().collect();
        proptest::prop_assert_eq!(got.concat(), words.concat());
    }

    /// Any input at all gives a text without a panic, and its map holds.
    #[test]
    fn any_input_is_read(s in "[<>/a-z &;#\"=!\\-\n]{0,200}") {
        let p = extract(&s);
        assert_map_holds(&s, &p);
    }
}
