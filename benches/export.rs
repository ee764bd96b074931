//! Export and import throughput over a generated corpus.
//!
//! Full size: 10,000 documents with 200,000 annotations. Set
//! `MARGINALIA_BENCH_QUICK=1` for a 50-document smoke run. `read_baseline`
//! reads the same sources and sidecars without parsing, to show what the
//! disk alone costs in the same run.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use divan::Bencher;
use marginalia::export::{ExportOptions, Format, export_corpus, import::import_brat};
use marginalia::store::corpus;

/// The generated corpus and a scratch folder beside it (outside the corpus).
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    scratch: PathBuf,
    brat: PathBuf,
}

fn quick() -> bool {
    std::env::var_os("MARGINALIA_BENCH_QUICK").is_some_and(|v| v != "0")
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let (docs, anns) = if quick() { (50, 1_000) } else { (10_000, 200_000) };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().join("corpus");
    marginalia::synth::write_corpus(&root, docs, anns, 42).expect("the generated corpus is written");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let brat = dir.path().join("brat");
    let opts = ExportOptions {
        format: Format::Brat,
        out: brat.clone(),
        ..ExportOptions::default()
    };
    export_corpus(&root, &opts, &mut |_, _| true).expect("the brat export for the import bench");
    Fixture {
        _dir: dir,
        root,
        scratch,
        brat,
    }
});

fn main() {
    let samples = if quick() { 5 } else { 3 };
    divan::Divan::default()
        .sample_count(samples)
        .sample_size(1)
        .config_with_args()
        .main();
}

/// Reads every source and sidecar as bytes: the floor under any export.
#[divan::bench]
fn read_baseline(bencher: Bencher) {
    let fx = &*FIXTURE;
    bencher.bench_local(|| {
        let mut bytes = 0;
        for e in corpus::scan(&fx.root).expect("scan") {
            let p = fx.root.join(&e.rel);
            bytes += std::fs::read(&p).expect("source").len();
            bytes += std::fs::read(corpus::sidecar_path(&p)).map_or(0, |b| b.len());
        }
        bytes
    });
}

#[divan::bench(args = ["jsonl", "brat", "conll", "w3c", "csv"])]
fn export(bencher: Bencher, format: &str) {
    let fx = &*FIXTURE;
    let format = Format::parse(format).expect("a known format");
    let opts = ExportOptions {
        format,
        out: fx.scratch.join(format!("export-{}", format.as_str())),
        force: true,
        ..ExportOptions::default()
    };
    bencher.bench_local(|| export_corpus(&fx.root, &opts, &mut |_, _| true).expect("export"));
}

/// Imports the brat export of the corpus into a fresh folder each time.
#[divan::bench]
fn import_brat_export(bencher: Bencher) {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let fx = &*FIXTURE;
    bencher
        .with_inputs(|| {
            fx.scratch
                .join(format!("import-{}", RUN.fetch_add(1, Ordering::Relaxed)))
        })
        .bench_local_values(|into| import_brat(&fx.brat, &into).expect("import"));
}
