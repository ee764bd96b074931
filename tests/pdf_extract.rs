//! The PDF extractor on PDFs written by the tests themselves (`pdf_support`) and
//! on the small committed files of `tests/fixtures/pdf/` (made by its `make.sh`).

mod pdf_support;

use marginalia::store::extract::pdf::{self, Limits, PdfError, PdfText};
use pdf_support::{Page, Pdf, prose, report, wrap};

fn extract(pdf: &Pdf) -> PdfText {
    pdf::extract(&pdf.bytes(), &Limits::default()).expect("extracts")
}

fn furniture(t: &PdfText) -> Vec<String> {
    t.furniture.iter().map(|s| t.text.chars().skip(s.start).take(s.len()).collect()).collect()
}

#[test]
fn smoke() {
    let t = extract(&report(3));
    println!("{}", t.text);
    println!("{:?} {:?}", t.pages, furniture(&t));
}
