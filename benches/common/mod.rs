//! Shared pieces of the benchmark binaries: sizes, cached corpora, timing and
//! the one-line result format that `scripts/bench.sh` collects.

// Each bench binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginalia::store::corpus;

/// Seed of every generated input, so runs compare like with like.
pub const SEED: u64 = 42;

/// True for the smoke run (`--quick`, `MARGINALIA_BENCH_QUICK=1`): small inputs, few samples.
pub fn quick() -> bool {
    std::env::var_os("MARGINALIA_BENCH_QUICK").is_some_and(|v| v != "0")
}

/// Documents and annotations of the corpus benchmarks.
pub fn corpus_size() -> (usize, usize) {
    if quick() { (50, 1_000) } else { (10_000, 200_000) }
}

/// Bytes and annotations of the single large article.
pub fn article_size() -> (usize, usize) {
    if quick() {
        (50_000, 500)
    } else {
        (1_000_000, 10_000)
    }
}

/// The cargo target folder: generated inputs live there, outside version control,
/// and survive between runs.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Folder of cached inputs.
pub fn cache_dir() -> PathBuf {
    target_dir().join("bench-cache")
}

/// A scratch folder for outputs, empty; never inside a corpus.
///
/// The previous run's folder is moved aside, not deleted, and deleted by
/// [`empty_scratch_trash`] once measuring is over: ext4 makes file creation
/// slow for a few minutes after many deletions nearby (it avoids reusing
/// recently freed inodes), which would charge the benchmark's own clean-up to
/// the export and import cases.
pub fn scratch(name: &str) -> PathBuf {
    let base = target_dir().join("bench-scratch");
    let dir = base.join(name);
    if dir.exists() {
        let trash = base.join(format!(".trash-{name}-{}", std::process::id()));
        std::fs::rename(&dir, &trash).expect("move the old scratch folder aside");
    }
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Deletes the scratch folders [`scratch`] moved aside; call after the last measurement.
pub fn empty_scratch_trash() {
    let base = target_dir().join("bench-scratch");
    let Ok(entries) = std::fs::read_dir(&base) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(".trash-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The generated corpus of [`corpus_size`], written once. A marker beside the
/// folder (not inside it, so the scan does not see it) says it is complete.
pub fn corpus_root() -> PathBuf {
    let (docs, anns) = corpus_size();
    let root = cache_dir().join(format!("corpus-{docs}-{anns}-{SEED}"));
    let done = root.with_extension("done");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        eprintln!("generating {docs} documents with {anns} annotations (once)…");
        marginalia::synth::write_corpus(&root, docs, anns, SEED).expect("the generated corpus is written");
        std::fs::write(&done, b"").expect("marker");
    }
    root
}

/// A copy of [`article_root`] in a scratch folder, for cases that edit and save
/// it: the cached input must stay as generated, or later runs measure another article.
pub fn article_copy() -> PathBuf {
    let from = article_root();
    let to = scratch("article");
    for name in ["big.txt", "big.txt.ron"] {
        std::fs::copy(from.join(name), to.join(name)).expect("copy of the article");
    }
    to
}

/// A corpus folder holding only the large article (`big.txt` and its sidecar).
pub fn article_root() -> PathBuf {
    let (bytes, anns) = article_size();
    let root = cache_dir().join(format!("article-{bytes}-{anns}-{SEED}"));
    let done = root.with_extension("done");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("article folder");
        let (doc, data) = article();
        std::fs::write(root.join("big.txt"), &doc.text).expect("source");
        let version = (
            marginalia::store::sidecar::MAJOR,
            marginalia::store::sidecar::MINOR,
        );
        std::fs::write(
            corpus::sidecar_path(&root.join("big.txt")),
            corpus::render(&doc, &data, version),
        )
        .expect("sidecar");
        std::fs::write(&done, b"").expect("marker");
    }
    root
}

/// The large article in memory.
pub fn article() -> (marginalia::model::Document, marginalia::model::DocAnnotations) {
    let (bytes, anns) = article_size();
    marginalia::synth::article(SEED, "big.txt", bytes, anns)
}

/// Total bytes of sources and sidecars under `root`.
pub fn corpus_bytes(root: &Path) -> u64 {
    let mut total = 0;
    for e in corpus::scan(root).expect("scan") {
        let p = root.join(&e.rel);
        total += std::fs::metadata(&p).map_or(0, |m| m.len());
        total += std::fs::metadata(corpus::sidecar_path(&p)).map_or(0, |m| m.len());
    }
    total
}

/// Timings of repeated runs of one case.
#[derive(Default)]
pub struct Samples(pub Vec<Duration>);

impl Samples {
    /// Times `f` once and keeps the duration.
    pub fn time<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let t = Instant::now();
        let r = f();
        self.0.push(t.elapsed());
        r
    }

    /// The `q` quantile (0.0–1.0), nearest rank, in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let mut v: Vec<Duration> = self.0.clone();
        v.sort();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1].as_secs_f64() * 1e3
    }

    /// Median in milliseconds.
    pub fn p50(&self) -> f64 {
        self.quantile_ms(0.5)
    }

    /// 95th percentile in milliseconds.
    pub fn p95(&self) -> f64 {
        self.quantile_ms(0.95)
    }

    /// Slowest sample in milliseconds.
    pub fn max(&self) -> f64 {
        self.quantile_ms(1.0)
    }
}

/// Prints one result as `BENCH <key> <value> <unit>`; the script collects these lines.
pub fn report(key: &str, value: f64, unit: &str) {
    println!("BENCH {key} {value:.4} {unit}");
}

/// Reports median, p95 and slowest of a case in milliseconds.
pub fn report_samples(key: &str, s: &Samples) {
    report(&format!("{key}.p50"), s.p50(), "ms");
    report(&format!("{key}.p95"), s.p95(), "ms");
    report(&format!("{key}.max"), s.max(), "ms");
}

/// Peak resident memory of this process in bytes (`VmHWM`), where /proc exists.
pub fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// Writes back everything the file systems hold in memory (`sync`), untimed,
/// so that a case does not pay for the write-back of the one before it.
pub fn settle() {
    let _ = std::process::Command::new("sync").status();
}

/// A size from `/proc/self/status` (`VmHWM:`, `RssFile:`, `RssAnon:`…), in bytes.
pub fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Tessellates a frame's shapes (the last CPU step before the GPU) and drops
/// its font atlas updates, which headless there is no GPU to apply.
pub fn finish_frame(ctx: &egui::Context, mut out: egui::FullOutput) -> Vec<egui::ClippedPrimitive> {
    let shapes = std::mem::take(&mut out.shapes);
    let prims = ctx.tessellate(shapes, out.pixels_per_point);
    out.textures_delta.clear();
    prims
}
