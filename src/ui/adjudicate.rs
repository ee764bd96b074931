//! The Compare tab when adjudicating: the versions of one document lined up
//! item by item, each accepted or rejected into the version open here, with
//! the agreement figures kept up to date as the analyst decides.

use egui::{Color32, RichText, Ui};

use crate::agree::adjudicate::{CorpusTally, Item, Tally, Verdict, line_up};
use crate::model::{DocAnnotations, Document};
use crate::team::versions::Source;

use super::app::MarginaliaApp;
use super::command::Command;
use super::team::TeamCommand;

/// One document's versions being adjudicated.
pub struct Adjudication {
    /// The document.
    pub rel: String,
    /// Where each version comes from.
    pub sources: Vec<Source>,
    /// Their names in headings ("A: ana-branch").
    pub names: Vec<String>,
    /// Their annotations.
    pub versions: Vec<DocAnnotations>,
    /// The item picked in the list.
    pub picked: Option<usize>,
    /// Show only the items not settled yet.
    pub open_only: bool,
    /// The items and figures, for the state of the open version they were made from.
    cache: Option<Cache>,
    /// Agreement over the rest of the corpus, once pooled in the background.
    corpus: Option<CorpusTally>,
}

struct Cache {
    key: (u64, u64),
    items: Vec<Item>,
    figures: Vec<String>,
}

impl Adjudication {
    /// Versions of `rel` read from `sources`.
    pub fn new(rel: String, sources: Vec<Source>, versions: Vec<DocAnnotations>) -> Self {
        let names = sources
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}: {}", letter(i), s.name()))
            .collect();
        Self {
            rel,
            sources,
            names,
            versions,
            picked: None,
            open_only: false,
            cache: None,
            corpus: None,
        }
    }

    /// Takes in the corpus figures.
    pub fn set_corpus(&mut self, tally: CorpusTally) {
        self.corpus = Some(tally);
        self.cache = None;
    }

    /// The items for the open version `current`, whose state is `key`
    /// (epoch, version): computed again only when it changed.
    pub fn items(&mut self, doc: &Document, current: &DocAnnotations, key: (u64, u64)) -> &[Item] {
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            let refs: Vec<&DocAnnotations> = self.versions.iter().collect();
            let items = line_up(&refs, current);
            let figures = figures(doc, &self.versions, current, self.corpus.as_ref());
            self.cache = Some(Cache { key, items, figures });
        }
        &self.cache.as_ref().expect("just filled").items
    }

    fn figures(&self) -> &[String] {
        self.cache.as_ref().map_or(&[], |c| &c.figures)
    }
}

/// "A", "B", … for version `i`.
pub fn letter(i: usize) -> String {
    char::from_u32('A' as u32 + (i % 26) as u32).map_or_else(|| i.to_string(), String::from)
}

/// Agreement in this document (between each pair of versions, and of the
/// open version with each), then over the corpus once it is pooled; the
/// adjudicated document's part of the corpus figures is the live one.
fn figures(
    doc: &Document,
    versions: &[DocAnnotations],
    current: &DocAnnotations,
    corpus: Option<&CorpusTally>,
) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..versions.len() {
        for j in i + 1..versions.len() {
            out.push(format!(
                "{}–{}: {}",
                letter(i),
                letter(j),
                Tally::of(doc, &versions[i], &versions[j]).describe()
            ));
        }
    }
    let live: Vec<Tally> = versions.iter().map(|v| Tally::of(doc, v, current)).collect();
    for (i, t) in live.iter().enumerate() {
        out.push(format!("this version–{}: {}", letter(i), t.describe()));
    }
    let Some(c) = corpus else {
        out.push("corpus: being counted…".into());
        return out;
    };
    for ((i, j), t) in &c.pairs {
        let n = t.documents;
        let docs = format!("{n} document{}", if n == 1 { "" } else { "s" });
        out.push(format!(
            "corpus ({docs}) {}–{}: {}",
            letter(*i),
            letter(*j),
            t.describe()
        ));
    }
    for (i, (other, here)) in c.others.iter().zip(&live).enumerate() {
        let mut t = other.clone();
        t.add(here);
        out.push(format!("corpus this version–{}: {}", letter(i), t.describe()));
    }
    out
}

fn verdict_colour(v: &Verdict, ui: &Ui) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (v, dark) {
        (Verdict::Agreed, false) => Color32::from_rgb(0x1b, 0x6e, 0x3a),
        (Verdict::Agreed, true) => Color32::from_rgb(0x7c, 0xd6, 0x9a),
        (Verdict::OnlyIn(_), false) => Color32::from_rgb(0x8a, 0x5a, 0x00),
        (Verdict::OnlyIn(_), true) => Color32::from_rgb(0xf0, 0xc0, 0x60),
        (Verdict::Differing(_), false) => Color32::from_rgb(0xa3, 0x1d, 0x1d),
        (Verdict::Differing(_), true) => Color32::from_rgb(0xff, 0x9a, 0x9a),
    }
}

/// Draws the adjudication of the open document.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let mut out = None;
    let rel = app.adjudication.as_ref()?.rel.clone();
    let Some(s) = app.ws.sessions.get(&rel) else {
        ui.label(format!("Open {rel} to adjudicate it."));
        return None;
    };
    let (doc, key) = (s.doc.clone(), (s.epoch, s.version));
    let data = &s.data;
    let adj = app.adjudication.as_mut()?;
    let items = adj.items(&doc, data, key).to_vec();
    let names = adj.names.clone();
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("Adjudicating {rel}"));
        ui.label(format!("— {}", names.join(" · ")));
        if ui.button("Close").clicked() {
            out = Some(Command::Team(TeamCommand::CloseAdjudication));
        }
    });
    let figures = adj.figures();
    let (here, corpus): (Vec<&String>, Vec<&String>) = figures.iter().partition(|f| !f.starts_with("corpus"));
    ui.label(RichText::new(format!("Agreement in this document: {}", join(&here))).weak());
    ui.label(
        RichText::new(format!(
            "Over the corpus: {}",
            join(&corpus).replace("corpus ", "")
        ))
        .weak(),
    );
    let agreed_open = items
        .iter()
        .filter(|i| i.verdict == Verdict::Agreed && !i.settled())
        .count();
    let settled = items.iter().filter(|i| i.settled()).count();
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} items, {settled} in this version as one annotator had them",
            items.len()
        ));
        if ui
            .add_enabled(
                agreed_open > 0,
                egui::Button::new(format!("Accept all agreed ({agreed_open})")),
            )
            .clicked()
        {
            out = Some(Command::Team(TeamCommand::AcceptAgreed));
        }
        ui.checkbox(&mut adj.open_only, "Only undecided");
    });
    ui.separator();
    let picked = adj.picked;
    let open_only = adj.open_only;
    egui::ScrollArea::vertical()
        .id_salt("adjudication")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("adjudication-items")
                .num_columns(names.len() + 2)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("Verdict");
                    for n in &names {
                        ui.strong(n);
                    }
                    ui.strong("Decide");
                    ui.end_row();
                    for (i, it) in items.iter().enumerate() {
                        if open_only && it.settled() {
                            continue;
                        }
                        let here = if it.settled() { " ✔" } else { "" };
                        let text = RichText::new(format!(
                            "{}{here}",
                            it.verdict.describe(&names_short(names.len()))
                        ))
                        .color(verdict_colour(&it.verdict, ui));
                        if ui.selectable_label(picked == Some(i), text).clicked() {
                            out = Some(Command::Team(TeamCommand::Pick(i)));
                        }
                        for v in &it.versions {
                            match v {
                                Some(a) => {
                                    let quote = crate::model::bidi::display_order(&a.quote);
                                    ui.label(format!("{} “{}”", a.label, short(&quote)));
                                }
                                None => {
                                    ui.label(RichText::new("—").weak());
                                }
                            }
                        }
                        ui.horizontal(|ui| {
                            for (v, a) in it.versions.iter().enumerate() {
                                if a.is_none() {
                                    continue;
                                }
                                let chosen = it.holds(v);
                                let b = ui.add_enabled(
                                    !chosen,
                                    egui::Button::new(format!("Use {}", letter(v)).as_str()).small(),
                                );
                                if b.on_hover_text(format!("Put {}'s annotation in this version", names[v]))
                                    .clicked()
                                {
                                    out = Some(Command::Team(TeamCommand::Accept { item: i, version: v }));
                                }
                            }
                            let b = ui.add_enabled(it.current.is_some(), egui::Button::new("Reject").small());
                            if b.on_hover_text("Take it out of this version").clicked() {
                                out = Some(Command::Team(TeamCommand::Reject(i)));
                            }
                        });
                        ui.end_row();
                    }
                });
            if items.is_empty() {
                ui.label("None of the versions has an annotation in this document.");
            }
        });
    out
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
}

/// Names for verdicts: just the letters.
fn names_short(n: usize) -> Vec<String> {
    (0..n).map(letter).collect()
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
