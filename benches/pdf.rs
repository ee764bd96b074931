//! PDF sources: a generated 300-page report in two columns with running heads
//! and page numbers (`MARGINALIA_BENCH_QUICK=1`: 30 pages). Its first page
//! (what the reader shows first) and its whole text, on a thread in this
//! process and in the worker child process the app uses (the `marginalia`
//! binary under memory and CPU limits, startup included), which hands over the
//! first page as soon as it is read and then goes on to the whole text. Wall time and CPU
//! time: on a shared machine the first also counts the neighbours.
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
    // CPU time beside wall time: on a shared machine the wall clock also
    // measures the neighbours, the CPU time only this work.
    let (mut first_cpu, mut whole_cpu) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let c = cpu_ms(Who::Me);
        black_box(
            first
                .time(|| pdf::extract_first_page(&bytes, &limits))
                .expect("first page"),
        );
        first_cpu.push(cpu_ms(Who::Me) - c);
        let c = cpu_ms(Who::Me);
        black_box(whole.time(|| pdf::extract(&bytes, &limits)).expect("whole text"));
        whole_cpu.push(cpu_ms(Who::Me) - c);
        // As the app reads it: one child, the first page handed over as soon
        // as it is read, then the whole text.
        let start = std::time::Instant::now();
        let mut first_at = None;
        black_box(
            pdf::isolate::extract_with_worker_previewing(worker, &bytes, &limits, &mut |t| {
                first_at = Some(start.elapsed());
                black_box(t);
            })
            .expect("whole text"),
        );
        whole_worker.0.push(start.elapsed());
        first_worker.0.push(first_at.expect("the first page came first"));
    }
    let children = cpu_ms(Who::Children);
    report_samples("pdf.first_page", &first);
    report_samples("pdf.whole", &whole);
    report_samples("pdf.first_page.worker", &first_worker);
    report_samples("pdf.whole.worker", &whole_worker);
    report("pdf.first_page.cpu.p50", median(first_cpu), "ms");
    report("pdf.whole.cpu.p50", median(whole_cpu), "ms");
    // Both worker cases together, per run.
    report("pdf.worker_pair.cpu.mean", children / runs as f64, "ms");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

enum Who {
    Me,
    Children,
}

/// User and system CPU time so far, in milliseconds: of this process (all its
/// threads), or of its children that have ended.
fn cpu_ms(who: Who) -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let whom = match who {
        Who::Me => libc::RUSAGE_SELF,
        Who::Children => libc::RUSAGE_CHILDREN,
    };
    // SAFETY: as above.
    unsafe { libc::getrusage(whom, &mut u) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(u.ru_utime) + ms(u.ru_stime)
}
