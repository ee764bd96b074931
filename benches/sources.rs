//! Extracting the text of sources that are not plain text: a generated news
//! web page shaped like the pages analysts save (about 100 kB: inline scripts,
//! a long navigation, share buttons, advertisements, a comment thread,
//! JSON-LD), and a generated Word report of 3,000 paragraphs.
//!
//! Prints `BENCH <key> <value> <unit>` lines; `scripts/bench.sh` collects them.

mod common;

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use common::{Samples, quick, report, report_samples};
use marginalia::store::extract::extract;

/// A news page of `paragraphs` paragraphs inside the furniture of a real site.
fn news_page(paragraphs: usize) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>A long report on the border economy | The Outlet</title>\
         <meta property=\"og:site_name\" content=\"The Outlet\"><meta property=\"og:title\" content=\"A long report on the border economy\">\
         <meta property=\"article:published_time\" content=\"2024-02-01T08:00:00Z\">\
         <script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"A long report\",\"author\":{\"name\":\"A. Writer\"}}</script>\
         <style>body{font:16px serif}.ad{display:block}</style><script>var tracking = {id: 1};</script></head><body>\
         <a class=\"skip-link\" href=\"#main\">Skip to main content</a><header class=\"site-header\"><nav><ul>",
    );
    // Saved pages carry their scripts inline: tens of kilobytes of them.
    s.push_str("<script>");
    for i in 0..800 {
        s.push_str(&format!(
            "window.cfg{i} = {{slot: '<div class=\"ad\">', id: {i}}};\n"
        ));
    }
    s.push_str("</script>");
    for i in 0..200 {
        s.push_str(&format!("<li><a href=\"/section/{i}\"><svg viewBox=\"0 0 8 8\"><path d=\"M0 0h8v8z\"/></svg>Section {i}</a></li>"));
    }
    s.push_str("</ul></nav></header><div class=\"breadcrumbs\">Home &gt; News &gt; Economy</div><main id=\"main\"><article>");
    s.push_str("<h1>A long report on the border economy</h1><div class=\"byline\">By A. Writer</div><div class=\"share\"><a href=\"#\">Share</a></div><div class=\"article-body\">");
    for i in 0..paragraphs {
        s.push_str(&format!(
            "<p>Paragraph {i}: traders in Hyesan said the price of rice rose to 6,{i:03} won, &ldquo;the highest since spring,&rdquo; according to <a href=\"/s/{i}\">a source</a> in the <em>province</em>, while smugglers waited at the river &amp; guards looked on.</p>"
        ));
        if i % 8 == 7 {
            s.push_str("<div class=\"ad-slot\"><span>Advertisement</span><script>loadAd()</script></div>");
            s.push_str("<figure><img src=\"x.jpg\"><figcaption>Image Credit: Flickr</figcaption></figure>");
        }
    }
    s.push_str("</div></article><section class=\"comments\">");
    for i in 0..100 {
        s.push_str(&format!("<div class=\"comment\"><p>Comment {i}: a reader's long reply to the article, with opinions of their own.</p></div>"));
    }
    s.push_str("</section></main><aside class=\"sidebar\"><h3>Most read</h3></aside><footer><p>© The Outlet</p></footer></body></html>");
    s
}

/// A Word document of `paragraphs` paragraphs.
fn word_report(paragraphs: usize) -> Vec<u8> {
    let mut body = String::new();
    for i in 0..paragraphs {
        body.push_str(&format!(
            "<w:p><w:r><w:t>Paragraph {i} of the report: former detainees described conditions in the facility &amp; the work they were made to do.</w:t></w:r></w:p>"
        ));
    }
    let doc = format!(
        "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(doc.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

fn time(runs: usize, name: &str, bytes: &[u8]) -> Samples {
    let mut s = Samples::default();
    for _ in 0..runs {
        let t = Instant::now();
        let e = extract(name, bytes.to_vec()).expect("extracts");
        black_box(&e);
        s.0.push(t.elapsed());
    }
    s
}

fn main() {
    let runs = if quick() { 5 } else { 50 };
    let page = news_page(60);
    report("input.news_page_bytes", page.len() as f64, "bytes");
    let e = extract("page.html", page.clone().into_bytes()).unwrap();
    assert!(
        e.text
            .starts_with("A long report on the border economy\n\nParagraph 0")
    );
    assert!(!e.text.contains("Comment 3") && !e.text.contains("Advertisement"));
    report_samples("extract.html", &time(runs, "page.html", page.as_bytes()));
    let word = word_report(3000);
    report("input.word_paragraphs", 3000.0, "paragraphs");
    report_samples("extract.docx", &time(runs.min(20), "report.docx", &word));
}
