//! Export and import throughput over a generated corpus.
//!
//! Full size: 10,000 documents with 200,000 annotations, generated once into
//! `target/bench-cache`. Set `MARGINALIA_BENCH_QUICK=1` for a 50-document
//! smoke run. `read_baseline` reads the same sources and sidecars without
//! parsing, to show what the disk alone costs in the same run.
//!
//! With `MARGINALIA_BENCH_SUMMARY=1` the same cases run under a plain timer
//! and print `BENCH <key> <value> <unit>` lines (medians, and each format's
//! throughput as a ratio to the plain read), which `scripts/bench.sh` collects;
//! otherwise divan reports them.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Samples, corpus_root, empty_scratch_trash, quick, report, report_samples, scratch, settle};
use divan::Bencher;
use marginalia::formats::{ExportOptions, Format, export_corpus, import::import_brat};
use marginalia::store::batch::Batch;
use marginalia::store::corpus;

/// Formats measured, in report order.
const FORMATS: [&str; 5] = ["jsonl", "brat", "conll", "w3c", "csv"];

/// The generated corpus and a scratch folder beside it (outside the corpus).
struct Fixture {
    root: PathBuf,
    scratch: PathBuf,
    brat: PathBuf,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let root = corpus_root();
    let scratch = scratch("export");
    let brat = scratch.join("brat-source");
    let opts = ExportOptions {
        format: Format::Brat,
        out: brat.clone(),
        ..ExportOptions::default()
    };
    export_corpus(&root, &opts, &mut |_, _| true).expect("the brat export for the import bench");
    Fixture { root, scratch, brat }
});

/// Every file of a brat export, by path relative to it, each document's two together.
fn brat_files(dir: &Path) -> Vec<Vec<(String, Vec<u8>)>> {
    let mut rels = Vec::new();
    let mut dirs = vec![String::new()];
    while let Some(rel_dir) = dirs.pop() {
        for e in std::fs::read_dir(dir.join(&rel_dir))
            .expect("the brat export")
            .flatten()
        {
            let rel = if rel_dir.is_empty() {
                e.file_name().to_string_lossy().into_owned()
            } else {
                format!("{rel_dir}/{}", e.file_name().to_string_lossy())
            };
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(rel);
            } else {
                rels.push(rel);
            }
        }
    }
    rels.sort();
    let mut groups: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for rel in rels {
        let bytes = std::fs::read(dir.join(&rel)).expect("a file of the brat export");
        let stem = rel.strip_suffix(".ann").or_else(|| rel.strip_suffix(".txt"));
        match groups.last_mut() {
            Some(g) if stem.is_some() && g[0].0.rsplit_once('.').map(|(s, _)| s) == stem => {
                g.push((rel, bytes))
            }
            _ => groups.push(vec![(rel, bytes)]),
        }
    }
    groups
}

/// Writes `groups` into a new folder `out` as a brat export does: a [`Batch`]
/// shared by one thread per core, committed at the end.
fn write_files(out: &Path, groups: &[Vec<(String, Vec<u8>)>]) {
    let batch = Batch::begin(out).expect("a new folder");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for t in 0..threads {
            let batch = &batch;
            scope.spawn(move || {
                for g in groups.iter().skip(t).step_by(threads) {
                    let files: Vec<(&str, &[u8])> =
                        g.iter().map(|(r, b)| (r.as_str(), b.as_slice())).collect();
                    batch.write_group(&files).expect("written");
                }
            });
        }
    });
    batch.commit().expect("committed");
}

/// Reads every source and sidecar as bytes: the floor under any export.
fn read_all(root: &Path) -> usize {
    let mut bytes = 0;
    for e in corpus::scan(root).expect("scan") {
        let p = root.join(&e.rel);
        bytes += std::fs::read(&p).expect("source").len();
        bytes += std::fs::read(corpus::sidecar_path(&p)).map_or(0, |b| b.len());
    }
    bytes
}

/// Options for one export run. Each run writes a new output (what an analyst's
/// first export does): replacing a file also drops the previous export, which
/// for W3C's 144 MB took 24 ms inside the rename, all of it on one core, and
/// is measured on its own (`export.w3c_again`). The previous run's file is
/// removed before each run, outside the timing: on this kind of virtual machine
/// memory freed just before is far quicker to write into than memory not
/// touched for a while, and leaving the files made each run slower than the last.
fn export_options(fx: &Fixture, format: &str) -> ExportOptions {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let format = Format::parse(format).expect("a known format");
    let mut name = format!(
        "export-{}-{}",
        format.as_str(),
        RUN.fetch_add(1, Ordering::Relaxed)
    );
    if !format.is_folder() {
        name = format!("{name}.{}", format.extension());
    }
    let out = fx.scratch.join(name);
    ExportOptions {
        format,
        out,
        force: true,
        ..ExportOptions::default()
    }
}

/// Removes the single-file outputs of earlier runs (brat folders are left to
/// the end: deleting 20,000 files slows creating files for minutes after).
fn remove_file_outputs(fx: &Fixture) {
    for e in std::fs::read_dir(&fx.scratch).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("export-") && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A fresh folder for each import, since import refuses to overwrite.
fn next_import_folder(fx: &Fixture) -> PathBuf {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    fx.scratch
        .join(format!("import-{}", RUN.fetch_add(1, Ordering::Relaxed)))
}

fn main() {
    if std::env::var_os("MARGINALIA_BENCH_SUMMARY").is_some_and(|v| v != "0") {
        return summary();
    }
    let samples = if quick() { 5 } else { 3 };
    divan::Divan::default()
        .sample_count(samples)
        .sample_size(1)
        .config_with_args()
        .main();
    empty_scratch_trash();
}

/// The same cases under a plain timer, as `BENCH` lines.
fn summary() {
    let fx = &*FIXTURE;
    let samples = 3;
    // The page cache of this kind of virtual machine is trimmed within
    // seconds of a read (a file read 5 s ago is often no longer cached), so a
    // plain read timed once at the start and exports timed later would be
    // compared in different cache states. Each export sample is paired with a
    // plain read timed just before it, after an untimed read that brings the
    // files back into the cache: both halves of a ratio see the same state.
    let mut all_reads = Samples::default();
    let mut bytes = 0;
    // The single-file formats first: creating brat's 20,000 files leaves the
    // file system busy (journal commits, write-back) for a while after, which
    // slowed whatever was measured next by up to a third.
    let mut order = FORMATS;
    order.sort_by_key(|f| Format::parse(f).is_some_and(Format::is_folder));
    for f in order {
        // One run untimed first: on this virtual machine, memory the guest has
        // not touched for a while is slow to write the first time (page cache
        // for a new output file), which made one of three samples up to twice as
        // slow as the others. Every bench harness warms up alike.
        remove_file_outputs(fx);
        settle();
        let opts = export_options(fx, f);
        export_corpus(&fx.root, &opts, &mut |_, _| true).expect("export");
        let (mut read, mut s) = (Samples::default(), Samples::default());
        for _ in 0..samples {
            remove_file_outputs(fx);
            read_all(&fx.root);
            bytes = read.time(|| read_all(&fx.root));
            let opts = export_options(fx, f);
            s.time(|| export_corpus(&fx.root, &opts, &mut |_, _| true).expect("export"));
        }
        all_reads.0.extend(read.0.iter().copied());
        report_samples(&format!("export.{f}"), &s);
        // Throughput relative to the plain read: read time over export time.
        report(&format!("export.{f}.vs_read"), read.p50() / s.p50(), "ratio");
    }
    report("input.export_bytes", bytes as f64, "bytes");
    report_samples("export.read_baseline", &all_reads);
    // W3C again over the file of the run before: what re-exporting costs
    // when the largest export is replaced.
    remove_file_outputs(fx);
    settle();
    let again = export_options(fx, "w3c");
    export_corpus(&fx.root, &again, &mut |_, _| true).expect("export");
    let mut s = Samples::default();
    for _ in 0..samples {
        read_all(&fx.root);
        s.time(|| export_corpus(&fx.root, &again, &mut |_, _| true).expect("export"));
    }
    report_samples("export.w3c_again", &s);
    remove_file_outputs(fx);
    // The file system's part of a brat export: the same files, their bytes
    // already in memory, written into a new folder by as many threads as an
    // export uses, made durable and put in place (`Batch`, as the export does).
    // No export into a folder of files can be faster on this disk.
    let files = brat_files(&fx.brat);
    let mut floor = Samples::default();
    for _ in 0..samples {
        settle();
        let out = export_options(fx, "brat").out;
        floor.time(|| write_files(&out, &files));
    }
    report_samples("export.brat_floor", &floor);
    settle();
    let mut import = Samples::default();
    for _ in 0..samples {
        let into = next_import_folder(fx);
        import.time(|| import_brat(&fx.brat, &into).expect("import"));
    }
    report_samples("import.brat", &import);
    // Exporting brat again over the first export, with nothing changed: what a
    // re-export after a session of reading costs.
    let again = ExportOptions {
        out: fx.brat.clone(),
        ..export_options(fx, "brat")
    };
    let mut s = Samples::default();
    for _ in 0..samples {
        s.time(|| export_corpus(&fx.root, &again, &mut |_, _| true).expect("export"));
    }
    report_samples("export.brat_again", &s);
    empty_scratch_trash();
}

/// Reads every source and sidecar as bytes: the floor under any export.
#[divan::bench]
fn read_baseline(bencher: Bencher) {
    let fx = &*FIXTURE;
    bencher.bench_local(|| black_box(read_all(&fx.root)));
}

#[divan::bench(args = FORMATS)]
fn export(bencher: Bencher, format: &str) {
    let fx = &*FIXTURE;
    bencher
        .with_inputs(|| export_options(fx, format))
        .bench_local_values(|opts| export_corpus(&fx.root, &opts, &mut |_, _| true).expect("export"));
}

/// Imports the brat export of the corpus into a fresh folder each time.
#[divan::bench]
fn import_brat_export(bencher: Bencher) {
    let fx = &*FIXTURE;
    bencher
        .with_inputs(|| next_import_folder(fx))
        .bench_local_values(|into| import_brat(&fx.brat, &into).expect("import"));
}
