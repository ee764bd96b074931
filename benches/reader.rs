//! The reader and editing at scale, headless: frames run through
//! `egui::Context::run_ui` plus tessellation (the CPU half of a frame; no GPU,
//! no window) with the real `ReaderState` inside a `CentralPanel`, on the
//! ~1 MB article with 10,000 annotations (`MARGINALIA_BENCH_QUICK=1`: 50 kB,
//! 500). egui's own `TextEdit::multiline` and `Label` show the same text in
//! the same run as a yardstick. Then the whole workbench
//! (`marginalia::ui::view::show`) opened on a folder holding the article:
//! open until shown, hotkey to annotation, hotkey to saved (with the next frame
//! drawn meanwhile, and without it: `app.hotkey_to_durable`).
//!
//! Suggestions: the reader with 10,000 suggestions outlined (`reader.suggestions.*`),
//! and in the workbench the time from a tag to the suggestions computed for it
//! (`app.tag_to_suggestions`: learning and suggesting in the background).
//!
//! Prints `BENCH <key> <value> <unit>` lines; `scripts/bench.sh` collects them.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{Samples, article, article_copy, empty_scratch_trash, quick, report, report_samples};
use egui::{Context, Event, FontDefinitions, Modifiers, MouseWheelUnit, Pos2, RawInput, Rect, Ui, vec2};
use marginalia::model::index::CorpusIndex;
use marginalia::model::suggest::{Origin, Suggestion};
use marginalia::model::{DocAnnotations, Document, TagSet};
use marginalia::ui::MarginaliaApp;
use marginalia::ui::reader::{ReaderState, ReaderView, Selection};
use marginalia::ui::state::{Prefs, SaveState};

/// A typical laptop window.
const SCREEN: Rect = Rect::from_min_max(Pos2::ZERO, Pos2::new(1280.0, 800.0));

/// A headless egui context fed one frame at a time, 60 frames a second of virtual time.
struct Headless {
    ctx: Context,
    time: f64,
}

impl Headless {
    fn new(accesskit: bool) -> Self {
        let ctx = Context::default();
        ctx.set_fonts(FontDefinitions::default());
        if accesskit {
            ctx.enable_accesskit();
        }
        let mut h = Self { ctx, time: 0.0 };
        // Fonts are built on the first frame; an app has done that before a document opens.
        h.frame(Vec::new(), |ui| {
            ui.label("warm-up");
        });
        h
    }

    /// Runs one frame with `events` and tessellates its output; returns the time taken.
    fn frame(&mut self, events: Vec<Event>, mut ui_fn: impl FnMut(&mut Ui)) -> Duration {
        let raw = RawInput {
            screen_rect: Some(SCREEN),
            time: Some(self.time),
            max_texture_side: Some(8192),
            events,
            ..RawInput::default()
        };
        self.time += 1.0 / 60.0;
        let start = Instant::now();
        let out = self.ctx.run_ui(raw, &mut ui_fn);
        black_box(common::finish_frame(&self.ctx, out));
        start.elapsed()
    }

    /// Vertices tessellated for one frame of `ui_fn`, to show that frames really draw the text.
    fn vertices(&mut self, mut ui_fn: impl FnMut(&mut Ui)) -> usize {
        let raw = RawInput {
            screen_rect: Some(SCREEN),
            time: Some(self.time),
            max_texture_side: Some(8192),
            ..RawInput::default()
        };
        self.time += 1.0 / 60.0;
        let out = self.ctx.run_ui(raw, &mut ui_fn);
        let prims = common::finish_frame(&self.ctx, out);
        prims
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum()
    }

    /// Two empty frames, so egui's own layout cache forgets galleys of earlier frames.
    fn forget(&mut self) {
        for _ in 0..2 {
            self.frame(Vec::new(), |_| {});
        }
    }
}

/// The reader widget over the article, as the workbench drives it.
struct Reader {
    doc: Document,
    data: DocAnnotations,
    version: u64,
    tagset: TagSet,
    state: ReaderState,
    selection: Selection,
    suggestions: Vec<Suggestion>,
}

impl Reader {
    fn new(doc: Document, data: DocAnnotations) -> Self {
        let state = ReaderState::new(&doc);
        Self {
            doc,
            data,
            version: 1,
            tagset: TagSet::builtin(),
            state,
            selection: Selection::default(),
            suggestions: Vec::new(),
        }
    }

    fn ui(&mut self, ui: &mut Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            let view = ReaderView {
                doc: &self.doc,
                data: &self.data,
                data_version: self.version,
                tagset: &self.tagset,
                font_size: 17.0,
                selected: None,
                linked: &[],
                matches: &[],
                current_match: None,
                picking: false,
                direction: Default::default(),
                suggestions: &self.suggestions,
                current_suggestion: self.suggestions.get(self.suggestions.len() / 2),
                dim_furniture: true,
            };
            self.state.show(ui, &view, &mut self.selection);
        });
    }

    /// Adds a copy of annotation `k` under a new id, as a hotkey would, and
    /// marks the data changed.
    fn add_annotation(&mut self, k: usize) {
        let mut a = self.data.annotations[k % self.data.annotations.len()].clone();
        a.id = compact_str::format_compact!("bench-{k}");
        a.label = "ORG".into();
        self.data.annotations.push(a);
        self.data.sort();
        self.version += 1;
    }
}

/// Number of scroll steps and idle frames.
fn steps() -> usize {
    if quick() { 30 } else { 400 }
}

/// The reader cases, with or without AccessKit; keys get `suffix`.
fn reader_cases(doc: &Document, data: &DocAnnotations, accesskit: bool, suffix: &str) {
    let mut h = Headless::new(accesskit);

    // First layout: cutting into blocks plus the first frame, on a warm context.
    let mut first = Samples::default();
    for _ in 0..if quick() { 3 } else { 5 } {
        h.forget();
        let t = Instant::now();
        let mut r = Reader::new(doc.clone(), data.clone());
        h.frame(Vec::new(), |ui| r.ui(ui));
        first.0.push(t.elapsed());
    }
    report_samples(&format!("reader.first{suffix}"), &first);

    let mut r = Reader::new(doc.clone(), data.clone());
    h.frame(Vec::new(), |ui| r.ui(ui));
    let chars = doc.len_chars();

    // Idle: nothing changes, as while the analyst reads.
    let mut idle = Samples::default();
    for _ in 0..steps() {
        idle.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples(&format!("reader.idle{suffix}"), &idle);
    report(
        &format!("reader.vertices{suffix}"),
        h.vertices(|ui| r.ui(ui)) as f64,
        "count",
    );

    // Jumps through the whole document: every step lands on text never laid out before.
    let mut jump = Samples::default();
    for k in 0..steps() {
        r.state.scroll_to = Some(k * chars / steps());
        jump.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples(&format!("reader.jump{suffix}"), &jump);

    // Mouse wheel: three notches a frame, with the pointer over the text.
    r.state.scroll_to = Some(0);
    h.frame(Vec::new(), |ui| r.ui(ui));
    let mut wheel = Samples::default();
    let pointer = Pos2::new(640.0, 400.0);
    for _ in 0..steps() {
        let events = vec![
            Event::PointerMoved(pointer),
            Event::MouseWheel {
                unit: MouseWheelUnit::Line,
                delta: vec2(0.0, -3.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: Modifiers::NONE,
            },
        ];
        wheel.0.push(h.frame(events, |ui| r.ui(ui)));
    }
    report_samples(&format!("reader.wheel{suffix}"), &wheel);

    // One more annotation where the analyst is reading, then the next frame.
    let mut add = Samples::default();
    let n = if quick() { 10 } else { 50 };
    for k in 0..n {
        let target = k * r.data.annotations.len() / n;
        r.state.scroll_to = Some(r.data.annotations[target].extent().start);
        h.frame(Vec::new(), |ui| r.ui(ui));
        r.add_annotation(target);
        add.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples(&format!("reader.add{suffix}"), &add);
}

/// `n` suggestions spread evenly over the text, each on a word (the word
/// starting at or after its place), with labels of the built-in tag set.
fn spread_suggestions(doc: &Document, n: usize) -> Vec<Suggestion> {
    let chars: Vec<char> = doc.text.chars().collect();
    let labels = ["PERSON", "ORG", "PLACE", "DATE", "NUMBER"];
    let mut out: Vec<Suggestion> = Vec::with_capacity(n);
    for k in 0..n {
        let mut start = k * chars.len() / n;
        while start < chars.len() && !chars[start].is_alphanumeric() {
            start += 1;
        }
        let mut end = start;
        while end < chars.len() && chars[end].is_alphanumeric() {
            end += 1;
        }
        if start == end || out.last().is_some_and(|s| s.span.end > start) {
            continue;
        }
        out.push(Suggestion {
            span: marginalia::model::Span::new(start, end),
            label: labels[k % labels.len()].into(),
            score: 0.8,
            origin: Origin::ALL[k % 4],
            canonical: None,
            claim: None,
        });
    }
    out
}

/// The reader with 10,000 suggestions outlined (500 when quick): idle, jumps, wheel.
fn suggestion_cases(doc: &Document, data: &DocAnnotations) {
    let mut h = Headless::new(false);
    let mut r = Reader::new(doc.clone(), data.clone());
    r.suggestions = spread_suggestions(doc, if quick() { 500 } else { 10_000 });
    report("reader.suggestions.count", r.suggestions.len() as f64, "count");
    h.frame(Vec::new(), |ui| r.ui(ui));
    let mut idle = Samples::default();
    for _ in 0..steps() {
        idle.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples("reader.suggestions.idle", &idle);
    let chars = doc.len_chars();
    let mut jump = Samples::default();
    for k in 0..steps() {
        r.state.scroll_to = Some(k * chars / steps());
        jump.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples("reader.suggestions.jump", &jump);
    r.state.scroll_to = Some(0);
    h.frame(Vec::new(), |ui| r.ui(ui));
    let mut wheel = Samples::default();
    for _ in 0..steps() {
        let events = vec![
            Event::PointerMoved(Pos2::new(640.0, 400.0)),
            Event::MouseWheel {
                unit: MouseWheelUnit::Line,
                delta: vec2(0.0, -3.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: Modifiers::NONE,
            },
        ];
        wheel.0.push(h.frame(events, |ui| r.ui(ui)));
    }
    report_samples("reader.suggestions.wheel", &wheel);
}

/// The same article in Hebrew letters (one letter for one, so offsets and
/// annotations stay put) with the bundled fonts: every block goes through the
/// bidirectional layout. Jumps through the document and wheel scrolling.
fn rtl_cases(doc: &Document, data: &DocAnnotations) {
    let hebrew: String = doc
        .text
        .chars()
        .map(|c| match c {
            'a'..='z' => char::from_u32(0x05D0 + (c as u32 - 'a' as u32) % 27).unwrap_or(c),
            'A'..='Z' => char::from_u32(0x05D0 + (c as u32 - 'A' as u32) % 27).unwrap_or(c),
            c => c,
        })
        .collect();
    let doc = Document::new(doc.path.clone(), hebrew);
    let mut h = Headless::new(false);
    marginalia::ui::fonts::install_bundled(&h.ctx);
    h.forget();
    let mut r = Reader::new(doc.clone(), data.clone());
    let t = Instant::now();
    h.frame(Vec::new(), |ui| r.ui(ui));
    report("reader.first.rtl", t.elapsed().as_secs_f64() * 1000.0, "ms");
    let chars = doc.len_chars();
    let mut jump = Samples::default();
    for k in 0..steps() {
        r.state.scroll_to = Some(k * chars / steps());
        jump.0.push(h.frame(Vec::new(), |ui| r.ui(ui)));
    }
    report_samples("reader.jump.rtl", &jump);
    r.state.scroll_to = Some(0);
    h.frame(Vec::new(), |ui| r.ui(ui));
    let mut wheel = Samples::default();
    for _ in 0..steps() {
        let events = vec![
            Event::PointerMoved(Pos2::new(640.0, 400.0)),
            Event::MouseWheel {
                unit: MouseWheelUnit::Line,
                delta: vec2(0.0, -3.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: Modifiers::NONE,
            },
        ];
        wheel.0.push(h.frame(events, |ui| r.ui(ui)));
    }
    report_samples("reader.wheel.rtl", &wheel);
}

/// egui's own widgets over the same text: first frame and idle frames.
fn egui_widget_cases(doc: &Document, accesskit: bool, suffix: &str) {
    for (name, use_label) in [("textedit", false), ("label", true)] {
        let mut h = Headless::new(accesskit);
        let text = doc.text.as_str();
        let mut show = |ui: &mut Ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        if use_label {
                            ui.label(text);
                        } else {
                            let mut read_only = text;
                            ui.add(egui::TextEdit::multiline(&mut read_only).desired_width(f32::INFINITY));
                        }
                    });
            });
        };
        let mut first = Samples::default();
        first.0.push(h.frame(Vec::new(), &mut show));
        report_samples(&format!("{name}.first{suffix}"), &first);
        // Each frame may cost seconds here; stop after a fixed budget of time.
        let mut idle = Samples::default();
        let budget = Instant::now();
        while idle.0.len() < steps() && (idle.0.len() < 5 || budget.elapsed() < Duration::from_secs(10)) {
            idle.0.push(h.frame(Vec::new(), &mut show));
        }
        report_samples(&format!("{name}.idle{suffix}"), &idle);
        report(
            &format!("{name}.vertices{suffix}"),
            h.vertices(&mut show) as f64,
            "count",
        );
    }
}

/// Selects twelve code points from `start`, with no annotation selected: what a drag does before the hotkey.
fn select_at(app: &mut MarginaliaApp, start: usize) {
    if let Some(s) = app.view_mut() {
        s.selected = None;
        s.selection = Selection {
            anchor: start,
            focus: start + 12,
        };
    }
}

/// The whole workbench on a folder holding the article: open until shown,
/// frames, hotkey to annotation (model) and to sidecar saved.
fn workbench_cases() {
    let root = article_copy();
    let mut h = Headless::new(false);
    let mut open = Samples::default();
    let mut app = MarginaliaApp::new(Prefs::default());
    for _ in 0..if quick() { 3 } else { 5 } {
        h.forget();
        let t = Instant::now();
        app = MarginaliaApp::new(Prefs::default());
        app.open_folder(&root);
        // The document is read on a background thread; "shown" is the first frame
        // drawn after it arrived, so frames run (as the event loop would) until then.
        loop {
            let was_loaded = app.session().is_some();
            h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui));
            if was_loaded {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        open.0.push(t.elapsed());
    }
    report_samples("app.open_until_shown", &open);

    let mut idle = Samples::default();
    for _ in 0..steps() {
        idle.0
            .push(h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui)));
    }
    report_samples("app.idle", &idle);

    let rel = app.current.clone().expect("the article is open");
    let starts: Vec<usize> = {
        let s = app.session().expect("session");
        let n = s.data.annotations.len();
        let count = if quick() { 10 } else { 50 };
        (0..count)
            .map(|k| s.data.annotations[k * n / count].extent().start)
            .collect()
    };
    let mut model = Samples::default();
    let mut frame_after = Samples::default();
    let mut saved = Samples::default();
    for &start in &starts {
        // Bring the place into view and select a few words, as the analyst would.
        if let Some(v) = app.view_mut() {
            v.reader.scroll_to = Some(start);
        }
        h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui));
        select_at(&mut app, start);
        let t = Instant::now();
        app.apply_label("ORG");
        model.0.push(t.elapsed());
        // Autosave waits for a pause in typing; start the save at once to time the save
        // itself from the keypress. It runs on the saver thread while the next frame draws.
        app.ws.flush(&rel);
        let frame = h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui));
        frame_after.0.push(frame);
        loop {
            app.tick(&h.ctx);
            if app.session().is_some_and(|s| s.save_state() == SaveState::Saved) {
                break;
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        saved.0.push(t.elapsed());
    }
    // The same keypress with no frame drawn before the save is looked at: how long the
    // edit takes to be on disk by itself (appended to the edit journal and synced),
    // apart from the frame that shows it.
    let mut durable = Samples::default();
    for &start in &starts {
        select_at(&mut app, start);
        let t = Instant::now();
        app.apply_label("ORG");
        app.ws.flush(&rel);
        loop {
            app.tick(&h.ctx);
            if app.session().is_some_and(|s| s.save_state() == SaveState::Saved) {
                break;
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        durable.0.push(t.elapsed());
    }
    // Edits reach the disk through the edit journal; fold it into the sidecar now (as
    // a pause in the work would) so the frames below do not share the machine with
    // that rewrite, and the cached article is left whole for the next run.
    app.ws.save_all_blocking();
    // Draw what the loop above changed without a frame, so the frames below start as
    // they would after a hotkey.
    h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui));
    // The new annotation stays selected, so the inspector shows it: frames while reading on.
    let mut selected = Samples::default();
    for _ in 0..steps() / 4 {
        let frame = h.frame(Vec::new(), |ui| marginalia::ui::view::show(&mut app, ui));
        selected.0.push(frame);
    }
    report_samples("app.idle_selected", &selected);
    report_samples("app.hotkey_to_model", &model);
    report_samples("app.frame_after_hotkey", &frame_after);
    report_samples("app.hotkey_to_saved", &saved);
    report_samples("app.hotkey_to_durable", &durable);
    tag_to_suggestions(&mut app, &mut h, &rel, &starts);
}

/// From a tag to the suggestions shown for the document as it is after it:
/// the tag learned at once and the open document's suggestions made in the
/// background, while learning over the corpus waits for them. Each tag is
/// made once the learning from the one before has finished, as at an
/// analyst's pace.
fn tag_to_suggestions(app: &mut MarginaliaApp, h: &mut Headless, rel: &str, starts: &[usize]) {
    let mut samples = Samples::default();
    for &start in starts {
        select_at(app, start + 40);
        let t = Instant::now();
        app.apply_label("PLACE");
        let version = app.session().map_or(0, |s| s.version);
        loop {
            app.tick(&h.ctx);
            let shown = app.ws.suggest.shown_for(rel).map(|s| s.key.version);
            if shown == Some(version) {
                break;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        samples.0.push(t.elapsed());
        // At an analyst's pace: the next tag once learning from this one is done.
        while app.ws.suggest.busy() {
            app.tick(&h.ctx);
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    report_samples("app.tag_to_suggestions", &samples);
    app.ws.save_all_blocking();
}

/// True when `group` is among the comma-separated `MARGINALIA_BENCH_CASES`
/// (reader, accesskit, egui, app), or that variable is unset; for profiling one group.
fn wanted(group: &str) -> bool {
    std::env::var("MARGINALIA_BENCH_CASES").map_or(true, |v| v.split(',').any(|g| g.trim() == group))
}

fn main() {
    let (doc, data) = article();
    report("input.article_bytes", doc.text.len() as f64, "bytes");
    report(
        "input.article_annotations",
        data.annotations.len() as f64,
        "count",
    );
    if wanted("reader") {
        reader_cases(&doc, &data, false, "");
    }
    if wanted("accesskit") {
        reader_cases(&doc, &data, true, ".accesskit");
    }
    if wanted("suggestions") {
        suggestion_cases(&doc, &data);
    }
    if wanted("rtl") {
        rtl_cases(&doc, &data);
    }
    if wanted("egui") {
        egui_widget_cases(&doc, false, "");
        egui_widget_cases(&doc, true, ".accesskit");
    }
    if wanted("app") {
        // What the workbench rebuilds after an edit: the corpus index over this one document.
        let mut index = Samples::default();
        for _ in 0..if quick() { 3 } else { 10 } {
            index.time(|| black_box(CorpusIndex::build([("big.txt", &data)])));
        }
        report_samples("app.index_article", &index);
        workbench_cases();
        empty_scratch_trash();
    }
}
