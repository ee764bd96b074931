//! The Team tab: where the corpus stands with the team's git repository, one
//! Sync action, and the choice of versions to adjudicate.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::team::setup::State as SetupState;
use crate::team::sync::{Report, Status, Step, SyncError};
use crate::team::versions::Source;

use super::app::MarginaliaApp;
use super::command::Command;
use super::widgets::bare_field;

/// What the Team tab asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TeamCommand {
    /// Read the repository's state again.
    Refresh,
    /// Set the folder up for merging annotations.
    SetUp,
    /// Commit saved work, pull, push.
    Sync,
    /// Line up these versions of the shown document for adjudication.
    Adjudicate(Vec<Source>),
    /// Take version `version`'s annotation for item `item` into this version.
    Accept {
        /// The item, by its place in the list.
        item: usize,
        /// The version.
        version: usize,
    },
    /// Take item `item` out of this version.
    Reject(usize),
    /// Accept every agreed item this version lacks.
    AcceptAgreed,
    /// Show item `item` in the text and select this version's annotation for it.
    Pick(usize),
    /// Close the adjudication.
    CloseAdjudication,
    /// Settle the `index`-th merge conflict of an annotation of the shown
    /// document: keep this version's value, or take the other's.
    Resolve {
        /// The annotation.
        id: crate::model::AnnId,
        /// Which of its conflicts.
        index: usize,
        /// Take the other version's value.
        theirs: bool,
    },
}

/// What the Team tab knows and is doing.
#[derive(Default)]
pub struct TeamState {
    /// The folder generation the state below was read for.
    pub folder: u64,
    /// How far the folder is set up; `None` until read.
    pub setup: Option<SetupState>,
    /// Branch, unshared work, others' changes; or why they could not be read.
    pub status: Option<Result<Status, String>>,
    /// True while the state is being read.
    pub reading: bool,
    /// A sync was asked for and waits for saves to finish.
    pub waiting_for_saves: bool,
    /// The step of the sync under way.
    pub running: Option<Step>,
    /// How the last sync ended.
    pub last: Option<Result<Report, SyncError>>,
    /// The set-up offer was answered for this folder.
    pub offer_answered: bool,
    /// Branches to pick versions from, with who last committed and when.
    pub branches: Vec<(String, String)>,
    /// The versions ticked for adjudication, in the order picked (the first is A).
    pub picked: Vec<Source>,
    /// A folder typed to add as a version.
    pub folder_text: String,
    /// A commit or tag typed to add as a version.
    pub commit_text: String,
    /// The program git runs as the merge driver; this one when `None`. Tests,
    /// which run inside a test program, name the real one.
    pub program: Option<PathBuf>,
}

impl TeamState {
    /// True while a sync waits or runs.
    pub fn busy(&self) -> bool {
        self.waiting_for_saves || self.running.is_some()
    }
}

/// Draws the Team tab.
pub fn show(app: &mut MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    let mut out = None;
    let Some(root) = app.ws.corpus.as_ref().map(|c| c.root.clone()) else {
        ui.label("Open a folder first.");
        return None;
    };
    egui::ScrollArea::vertical().id_salt("team").show(ui, |ui| {
        ui.heading("Team");
        let t = &app.team;
        match (&t.setup, &t.status) {
            (None, _) | (_, None) if t.reading => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading the repository…");
                });
                return;
            }
            (Some(SetupState::NotRepository), _) => {
                not_a_repository(ui, &root, app.team.status.as_ref());
                return;
            }
            _ => {}
        }
        if let Some(SetupState::Missing(what)) = &t.setup {
            ui.group(|ui| {
                ui.label(RichText::new("Annotations do not merge yet").strong());
                ui.label(format!(
                    "This folder is shared through git, but {} {} missing. Without it, two people who annotate the same document get conflicts git cannot settle. Setting up adds two small files to the folder and a setting to this computer's copy of the repository.",
                    what.join(", "),
                    if what.len() == 1 { "is" } else { "are" }
                ));
                if ui.button("Set up merging").clicked() {
                    out = Some(Command::Team(TeamCommand::SetUp));
                }
            });
        }
        if let Some(Ok(s)) = &t.status {
            status(ui, s);
        } else if let Some(Err(e)) = &t.status {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let busy = t.busy();
            let sync = ui.add_enabled(!busy, egui::Button::new(RichText::new("Sync").strong()));
            if sync.on_hover_text("Record your saved work, get the team's, and send yours").clicked() {
                out = Some(Command::Team(TeamCommand::Sync));
            }
            let refresh = ui.add_enabled(!busy, egui::Button::new("Refresh"));
            if refresh.on_hover_text("Look for the team's new work without merging it").clicked() {
                out = Some(Command::Team(TeamCommand::Refresh));
            }
            if t.waiting_for_saves {
                ui.spinner();
                ui.label("Saving your edits first…");
            } else if let Some(step) = t.running {
                ui.spinner();
                ui.label(step.describe());
            }
        });
        match &t.last {
            Some(Ok(r)) => last_sync(ui, r),
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
            None => {}
        }
        ui.separator();
        if let Some(c) = adjudication_picker(app, ui) {
            out = Some(c);
        }
    });
    out
}

fn not_a_repository(ui: &mut Ui, root: &std::path::Path, status: Option<&Result<Status, String>>) {
    if let Some(Err(e)) = status {
        ui.label(e);
        return;
    }
    ui.label(format!(
        "{} is not shared through git. To work on it with a team, put it in a git repository that everyone can reach (on GitHub, GitLab, or a shared drive), clone that repository on each computer, and open the folder from the clone. Marginalia then merges everyone's annotations.",
        root.display()
    ));
}

fn status(ui: &mut Ui, s: &Status) {
    egui::Grid::new("team-status")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label("Repository");
            ui.label(s.repository.display().to_string());
            ui.end_row();
            ui.label("Branch");
            ui.label(match (&s.branch, &s.upstream) {
                (Some(b), Some(u)) => format!("{b}, shared as {u}"),
                (Some(b), None) => format!("{b} (not shared with a remote)"),
                (None, _) => "no branch (a commit is checked out)".to_owned(),
            });
            ui.end_row();
            ui.label("Your work");
            ui.label(match (s.unshared.len(), s.ahead) {
                (0, 0) => "everything is shared".to_owned(),
                (0, n) => format!("{n} commit{} not sent yet", if n == 1 { "" } else { "s" }),
                (d, _) => format!(
                    "saved changes to {d} document{} not shared yet",
                    if d == 1 { "" } else { "s" }
                ),
            });
            ui.end_row();
            if s.behind > 0 {
                ui.label("The team's work");
                ui.label(format!(
                    "{} commit{} to get",
                    s.behind,
                    if s.behind == 1 { "" } else { "s" }
                ));
                ui.end_row();
            }
        });
    if !s.unshared.is_empty() {
        ui.collapsing(format!("Not shared yet ({})", s.unshared.len()), |ui| {
            for d in &s.unshared {
                ui.label(d);
            }
        });
    }
    if let Some(n) = &s.note {
        ui.colored_label(ui.visuals().warn_fg_color, n);
    }
    ui.add_space(4.0);
    ui.label(RichText::new("Changed by others since your last sync").strong());
    if s.since_sync.is_empty() {
        ui.label("Nothing (as of the last time the team's work was fetched).");
    }
    changes(ui, &s.since_sync);
}

fn changes(ui: &mut Ui, list: &[crate::team::sync::Change]) {
    for c in list {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&c.author).strong());
            ui.label(RichText::new(&c.when).weak());
            ui.label(match c.documents.len() {
                0 => c.subject.clone(),
                1..=3 => c.documents.join(", "),
                n => format!("{} and {} more", c.documents[..3].join(", "), n - 3),
            });
        });
    }
}

fn last_sync(ui: &mut Ui, r: &Report) {
    let mut parts = Vec::new();
    if !r.committed.is_empty() {
        parts.push(format!(
            "recorded your work on {} document{}",
            r.committed.len(),
            plural(r.committed.len())
        ));
    }
    if !r.pulled.is_empty() {
        parts.push(format!(
            "got {} change{} from the team",
            r.pulled.len(),
            plural(r.pulled.len())
        ));
    }
    if r.pushed {
        parts.push("sent your work".to_owned());
    }
    let said = if parts.is_empty() {
        "Synced: nothing to record, get or send.".to_owned()
    } else {
        format!("Synced: {}.", parts.join(", "))
    };
    ui.label(RichText::new(said).strong());
    if let Some(n) = &r.note {
        ui.label(n);
    }
    if !r.pulled.is_empty() {
        ui.label("Brought in:");
        changes(ui, &r.pulled);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Adds a version once.
fn pick(picked: &mut Vec<Source>, s: Source) {
    if !picked.contains(&s) {
        picked.push(s);
    }
}

fn adjudication_picker(app: &mut MarginaliaApp, ui: &mut Ui) -> Option<Command> {
    ui.label(RichText::new("Adjudicate").strong());
    let Some(rel) = app.current.clone() else {
        ui.label("Open a document to compare annotators' versions of it.");
        return None;
    };
    ui.label(format!(
        "Line up two or more annotators' versions of {rel} (branches or commits of the repository, or other copies of the folder), then accept or reject each annotation into the version open here."
    ));
    // The ticks and the typed folder are view state, not edits.
    let t = &mut app.team;
    for (branch, who) in &t.branches {
        let source = Source::Revision(branch.clone());
        let mut on = t.picked.contains(&source);
        if ui.checkbox(&mut on, format!("{branch} ({who})")).changed() {
            if on {
                t.picked.push(source);
            } else {
                t.picked.retain(|s| *s != source);
            }
        }
    }
    let branch_names: BTreeSet<&String> = t.branches.iter().map(|(b, _)| b).collect();
    let mut drop = None;
    let typed = t.picked.iter().filter(|s| match s {
        Source::Folder(_) => true,
        Source::Revision(r) => !branch_names.contains(r),
    });
    for s in typed {
        ui.horizontal(|ui| {
            let what = if matches!(s, Source::Folder(_)) {
                "Folder"
            } else {
                "Commit"
            };
            ui.label(format!("{what}: {}", s.name()));
            if ui.small_button("Remove").clicked() {
                drop = Some(s.clone());
            }
        });
    }
    if let Some(s) = drop {
        t.picked.retain(|x| *x != s);
    }
    let enough = t.picked.len() >= 2;
    let go = ui
        .add_enabled(enough, egui::Button::new("Compare these versions"))
        .clicked();
    if !enough {
        ui.label(RichText::new("Tick at least two versions.").weak());
    }
    ui.horizontal(|ui| {
        ui.label("Add another copy of the folder:");
        bare_field(ui, "Another copy (folder)", &mut t.folder_text, "its path", 320.0);
        if ui.button("Add folder").clicked() && !t.folder_text.trim().is_empty() {
            pick(&mut t.picked, Source::Folder(PathBuf::from(t.folder_text.trim())));
            t.folder_text.clear();
        }
    });
    ui.horizontal(|ui| {
        ui.label("Add a commit or tag:");
        bare_field(ui, "A commit or tag", &mut t.commit_text, "its id or name", 200.0);
        if ui.button("Add commit").clicked() && !t.commit_text.trim().is_empty() {
            pick(&mut t.picked, Source::Revision(t.commit_text.trim().to_owned()));
            t.commit_text.clear();
        }
    });
    go.then(|| Command::Team(TeamCommand::Adjudicate(t.picked.to_vec())))
}
