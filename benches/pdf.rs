//! PDF sources: a generated 300-page report in two columns with running heads
//! and page numbers (`MARGINALIA_BENCH_QUICK=1`: 30 pages). Its first page
//! (what the reader shows first) and its whole text, on a thread in this
//! process and in the worker child process the app uses (the `marginalia`
//! binary under memory and CPU limits, startup included).
//!
//! Prints `BENCH <key> <value> <unit>` lines; `scripts/bench.sh` collects them.

mod common;
#[path = "../tests/pdf_support/mod.rs"]
mod pdf_support;

use std::hint::black_box;
use std::path::Path;

use common::{Samples, quick, report, report_samples};
use marginalia::store::extract::pdf::{self, Limits};

fn main() {
    let pages = if quick() { 30 } else { 300 };
    let runs = if quick() { 2 } else { 7 };
    let bytes = pdf_support::report(pages).bytes();
    report("pdf.input_pages", pages as f64, "pages");
    report("pdf.input_bytes", bytes.len() as f64, "bytes");
    let limits = Limits::default();
    let worker = Path::new(env!("CARGO_BIN_EXE_marginalia"));

    let mut first = Samples::default();
    let mut whole = Samples::default();
    let mut first_worker = Samples::default();
    let mut whole_worker = Samples::default();
    for _ in 0..runs {
        black_box(
            first
                .time(|| pdf::extract_first_page(&bytes, &limits))
                .expect("first page"),
        );
        black_box(whole.time(|| pdf::extract(&bytes, &limits)).expect("whole text"));
        black_box(
            first_worker
                .time(|| pdf::isolate::extract_with_worker(worker, &bytes, &limits, true))
                .expect("first page"),
        );
        black_box(
            whole_worker
                .time(|| pdf::isolate::extract_with_worker(worker, &bytes, &limits, false))
                .expect("whole text"),
        );
    }
    report_samples("pdf.first_page", &first);
    report_samples("pdf.whole", &whole);
    report_samples("pdf.first_page.worker", &first_worker);
    report_samples("pdf.whole.worker", &whole_worker);
}
