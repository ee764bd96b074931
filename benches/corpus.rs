//! Opening a large corpus, headless: 10,000 documents (~50 MB with sidecars,
//! 200,000 annotations; `MARGINALIA_BENCH_QUICK=1`: 50 documents), generated
//! once into `target/bench-cache`.
//!
//! - `corpus.scan`: listing the folder in natural order.
//! - `corpus.open_until_listed`: `MarginaliaApp::open_folder` plus the first
//!   workbench frame, which shows the document list and the first document.
//! - `corpus.summaries`: the background read of every sidecar (counts,
//!   statuses and the data the index is built from), until the last arrived.
//! - `corpus.index`: `CorpusIndex::build` over all of it (entity index and claims board).
//! - `sidecar.parse_article`: reading the large article's sidecar (5.8 MB, 10,000
//!   annotations; `MARGINALIA_BENCH_QUICK=1`: 500) from memory, with
//!   `sidecar.parse_article.mb_per_s`.
//!
//! Prints `BENCH <key> <value> <unit>` lines; `scripts/bench.sh` collects them.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{Samples, article_root, corpus_bytes, corpus_root, quick, report, report_samples};
use egui::{Context, FontDefinitions, Pos2, RawInput, Rect};
use marginalia::model::index::CorpusIndex;
use marginalia::store::{corpus, sidecar};
use marginalia::ui::MarginaliaApp;
use marginalia::ui::app::Tab;
use marginalia::ui::state::Prefs;
use marginalia::workspace::Change;
use marginalia::workspace::claims::{CellKey, cells_of_docs};

fn frame(ctx: &Context, app: &mut MarginaliaApp) {
    let raw = RawInput {
        screen_rect: Some(Rect::from_min_max(Pos2::ZERO, Pos2::new(1280.0, 800.0))),
        max_texture_side: Some(8192),
        ..RawInput::default()
    };
    let out = ctx.run_ui(raw, |ui| marginalia::ui::view::show(app, ui));
    black_box(common::finish_frame(ctx, out));
}

/// Reads the article's sidecar from memory, the way a document is opened.
fn parse_article() {
    let path = corpus::sidecar_path(&article_root().join("big.txt"));
    let bytes = std::fs::read(path).expect("the article's sidecar");
    report("input.article_sidecar_bytes", bytes.len() as f64, "bytes");
    let samples = if quick() { 5 } else { 20 };
    let mut parse = Samples::default();
    for _ in 0..samples {
        parse.time(|| black_box(sidecar::from_bytes(black_box(&bytes)).expect("the sidecar reads")));
    }
    report_samples("sidecar.parse_article", &parse);
    let mb = bytes.len() as f64 / 1e6;
    report("sidecar.parse_article.mb_per_s", mb / (parse.p50() / 1e3), "MB/s");
}

fn main() {
    parse_article();
    let root = corpus_root();
    let samples = if quick() { 3 } else { 5 };
    let entries = corpus::scan(&root).expect("scan");
    report("input.corpus_documents", entries.len() as f64, "count");
    report("input.corpus_bytes", corpus_bytes(&root) as f64, "bytes");

    let mut scan = Samples::default();
    for _ in 0..samples {
        scan.time(|| black_box(corpus::scan(&root).expect("scan")));
    }
    report_samples("corpus.scan", &scan);

    let ctx = Context::default();
    ctx.set_fonts(FontDefinitions::default());
    let mut app = MarginaliaApp::new(Prefs::default());
    frame(&ctx, &mut app);
    let mut open = Samples::default();
    let mut summaries = Samples::default();
    for _ in 0..samples {
        app = MarginaliaApp::new(Prefs::default());
        let t = Instant::now();
        app.open_folder(&root);
        frame(&ctx, &mut app);
        open.0.push(t.elapsed());
        // The list is usable from here on; counts fill in as the background read arrives.
        loop {
            app.tick(&ctx);
            let c = app.ws.corpus.as_ref().expect("corpus open");
            if c.summaries.len() == c.entries.len() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        summaries.0.push(t.elapsed());
    }
    report_samples("corpus.open_until_listed", &open);
    report_samples("corpus.summaries", &summaries);

    let c = app.ws.corpus.as_ref().expect("corpus open");
    let annotations: usize = c.disk.values().map(|d| d.annotations.len()).sum();
    report("input.corpus_annotations", annotations as f64, "count");
    let mut index = Samples::default();
    for _ in 0..samples {
        let docs = c
            .entries
            .iter()
            .filter_map(|e| c.disk.get(&e.rel).map(|d| (e.rel.as_str(), &**d)));
        index.time(|| black_box(CorpusIndex::build(docs)));
    }
    report_samples("corpus.index", &index);

    // The claims comparison: the full build (every document's cells, on every
    // core, and the grouping, as the background job does it), an edit's update (one
    // document's cells again and the regrouping), and frames with the
    // Propositions tab shown.
    let mut build = Samples::default();
    for _ in 0..samples {
        let docs: Vec<_> = c
            .entries
            .iter()
            .filter_map(|e| Some((e.rel.clone(), CellKey::Disk(0), c.disk.get(&e.rel)?.clone())))
            .collect();
        build.time(|| {
            let mut cells = Vec::new();
            let mut contradicts = Vec::new();
            for (_, _, dc) in cells_of_docs(docs) {
                cells.extend(dc.cells);
                contradicts.extend(dc.contradicts);
            }
            black_box(marginalia::model::comparison::build(cells, &contradicts))
        });
    }
    report_samples("claims.build", &build);
    app.tab = Tab::Propositions;
    loop {
        frame(&ctx, &mut app);
        app.tick(&ctx);
        if app.ws.claims_built() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut frames = Samples::default();
    for _ in 0..(samples * 10) {
        frames.time(|| frame(&ctx, &mut app));
    }
    report_samples("claims.frame", &frames);
    // An edit: a claim of the first document that has one gets a proposition.
    let (rel, id) = {
        let c = app.ws.corpus.as_ref().expect("corpus open");
        c.entries
            .iter()
            .find_map(|e| {
                let a = c
                    .disk
                    .get(&e.rel)?
                    .annotations
                    .iter()
                    .find(|a| a.kind.is_claim())?;
                Some((e.rel.clone(), a.id.clone()))
            })
            .expect("a claim in the corpus")
    };
    let mut update = Samples::default();
    for i in 0..samples {
        let change = Change::SetProposition {
            doc: rel.clone(),
            id: id.clone(),
            key: Some(format!("bench-{i}")),
        };
        app.ws.apply(change, "bench").expect("the edit applies");
        update.time(|| black_box(app.ws.comparison()));
    }
    report_samples("claims.update_after_edit", &update);
}
