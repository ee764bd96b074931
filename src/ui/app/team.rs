//! Carrying out the Team tab's commands: reading the repository's state,
//! setting it up, syncing (after every edit is saved), and adjudicating.

use crate::model::Edit;
use crate::model::merge::DELETED;
use crate::team::{setup, sync, versions};
use crate::workspace::Change;
use crate::workspace::jobs::{Done, TeamDone};

use super::super::adjudicate::Adjudication;
use super::super::team::TeamCommand;
use super::{MarginaliaApp, Prompt, Tab};

impl MarginaliaApp {
    /// Reads where the corpus stands with git, in the background.
    pub fn team_refresh(&mut self) {
        self.team_read(false);
    }

    /// Reads where the corpus stands; with `fetch`, gets the team's work first
    /// (without merging it) so the tab can say what others changed.
    fn team_read(&mut self, fetch: bool) {
        let Some(root) = self.ws.corpus.as_ref().map(|c| c.root.clone()) else {
            return;
        };
        let (folder, me) = (self.ws.folder, self.annotator());
        self.team.reading = true;
        let _ = self.ws.jobs.spawn("team-status", move |out| {
            let setup = setup::state(&root);
            let offer = setup::worth_offering(&root);
            let status = if setup == setup::State::NotRepository {
                if crate::team::git::available() {
                    Ok(Default::default())
                } else {
                    Err(crate::team::git::GitError::Missing.to_string())
                }
            } else {
                let fetched = if fetch { sync::fetch(&root).err() } else { None };
                sync::status(&root, Some(&me))
                    .map_err(|e| e.to_string())
                    .map(|mut s| {
                        s.note = fetched.map(|e| e.to_string());
                        s
                    })
            };
            let branches = versions::branches(&root);
            out.send(Done::Team(TeamDone::Status {
                folder,
                setup,
                offer,
                status,
                branches,
            }));
        });
    }

    /// Carries out a Team tab command.
    pub fn run_team(&mut self, c: TeamCommand) {
        match c {
            TeamCommand::Refresh => self.team_read(true),
            TeamCommand::SetUp => {
                let Some(root) = self.ws.corpus.as_ref().map(|c| c.root.clone()) else {
                    return;
                };
                let program = self
                    .team
                    .program
                    .clone()
                    .unwrap_or_else(|| std::env::current_exe().unwrap_or_else(|_| "marginalia".into()));
                let _ = self.ws.jobs.spawn("team-setup", move |out| {
                    out.send(Done::Team(TeamDone::SetUp(setup::setup(&root, &program))));
                });
            }
            TeamCommand::Sync => {
                if self.team.busy() || self.ws.corpus.is_none() {
                    return;
                }
                // Edit journals stay on this computer: everything is written
                // into the sidecars first, and the sync starts once it is.
                self.ws.flush_all();
                self.team.waiting_for_saves = true;
                self.team.last = None;
                self.team_tick();
            }
            TeamCommand::Adjudicate(sources) => self.start_adjudication(sources),
            TeamCommand::CloseAdjudication => {
                self.adjudication = None;
                if self.compare.is_none() && self.tab == Tab::Compare {
                    self.tab = Tab::Team;
                }
            }
            TeamCommand::Pick(i) => self.pick_item(i),
            TeamCommand::Accept { item, version } => {
                let edits = self.with_items(|items, data, who, now| {
                    items
                        .get(item)
                        .map(|it| crate::agree::adjudicate::accept(it, version, data, who, now))
                        .unwrap_or_default()
                });
                self.apply_adjudication("accept an annotator's annotation", edits);
            }
            TeamCommand::Reject(item) => {
                let edits = self.with_items(|items, _, _, _| {
                    items
                        .get(item)
                        .map(crate::agree::adjudicate::reject)
                        .unwrap_or_default()
                });
                self.apply_adjudication("reject an annotation", edits);
            }
            TeamCommand::AcceptAgreed => {
                let edits = self.with_items(crate::agree::adjudicate::accept_agreed);
                self.apply_adjudication("accept all agreed annotations", edits);
            }
            TeamCommand::Resolve { id, index, theirs } => self.resolve_conflict(&id, index, theirs),
        }
    }

    /// Starts a waiting sync once every edit is on disk. Called each frame.
    pub(crate) fn team_tick(&mut self) {
        if !self.team.waiting_for_saves || !self.unsaved_documents().is_empty() {
            return;
        }
        let Some(root) = self.ws.corpus.as_ref().map(|c| c.root.clone()) else {
            self.team.waiting_for_saves = false;
            return;
        };
        self.team.waiting_for_saves = false;
        self.team.running = Some(sync::Step::Committing);
        let me = self.annotator();
        let started = self.ws.jobs.spawn("team-sync", move |out| {
            let result = sync::sync(&root, &me, |step| {
                out.send(Done::Team(TeamDone::Step(step)));
            });
            out.send(Done::Team(TeamDone::Synced(result)));
        });
        if let Err(e) = started {
            self.team.running = None;
            self.notice = Some(format!("Could not sync: {e}."));
        }
    }

    /// Takes in what the team's background work reported.
    pub(crate) fn take_team(&mut self, done: TeamDone) {
        match done {
            TeamDone::Status {
                folder,
                setup,
                offer,
                status,
                branches,
            } => {
                if folder != self.ws.folder {
                    return;
                }
                self.team.reading = false;
                self.team.folder = folder;
                let missing = match &setup {
                    setup::State::Missing(m) if offer && !self.team.offer_answered => Some(m.clone()),
                    _ => None,
                };
                self.team.setup = Some(setup);
                self.team.status = Some(status);
                self.team.branches = branches;
                if let Some(missing) = missing
                    && self.prompt.is_none()
                {
                    self.team.offer_answered = true;
                    self.prompt = Some(Prompt::SetUpGit {
                        missing: missing.iter().map(|m| (*m).to_owned()).collect(),
                    });
                }
            }
            TeamDone::Step(step) => self.team.running = Some(step),
            TeamDone::Synced(result) => {
                self.team.running = None;
                if let Ok(r) = &result {
                    self.after_pull(&r.changed);
                    self.inform(match r.pulled.len() {
                        0 => "Synced with the team.".to_owned(),
                        n => format!(
                            "Synced with the team: {n} change{} came in.",
                            if n == 1 { "" } else { "s" }
                        ),
                    });
                }
                self.team.last = Some(result);
                self.team_refresh();
            }
            TeamDone::SetUp(result) => {
                match result {
                    Ok(r) if r.changed.is_empty() => self.inform("This folder was already set up.".into()),
                    Ok(r) if r.changed.iter().any(|c| c.contains(".git")) => self.inform(
                        "Set up: annotations now merge when the team's work comes in. The next Sync shares the changed .gitattributes and .gitignore, so the team's copies merge alike.".into(),
                    ),
                    Ok(_) => self.inform("Set up: annotations now merge when the team's work comes in.".into()),
                    Err(e) => self.notice = Some(e),
                }
                self.team_refresh();
            }
            TeamDone::Versions { rel, sources, result } => match result {
                Ok(versions) => {
                    self.adjudication = Some(Adjudication::new(rel, sources, versions));
                    self.tab = Tab::Compare;
                }
                Err(e) => self.notice = Some(format!("Could not read the versions: {e}.")),
            },
            TeamDone::CorpusTally { rel, tally } => {
                if let Some(adj) = self.adjudication.as_mut().filter(|a| a.rel == rel) {
                    adj.set_corpus(tally);
                }
            }
        }
    }

    /// Documents a pull changed reload (and re-anchor) as for any change on
    /// disk; the list's counts are read again for the others.
    fn after_pull(&mut self, changed: &[String]) {
        for rel in changed {
            if self.ws.sessions.contains_key(rel) {
                if let Some(event) = self.ws.check_disk(rel) {
                    self.on_sync_event(event);
                }
            } else if let Some(c) = &self.ws.corpus {
                let (folder, root, rel) = (self.ws.folder, c.root.clone(), rel.clone());
                let _ = self.ws.jobs.spawn("summary", move |out| {
                    super::open::send_summary(out, folder, &root, rel);
                });
            }
        }
        let known = self.ws.corpus.as_ref().map(|c| c.entries.len()).unwrap_or(0);
        let new = changed
            .iter()
            .filter(|r| {
                self.ws
                    .corpus
                    .as_ref()
                    .is_some_and(|c| !c.entries.iter().any(|e| &e.rel == *r))
            })
            .count();
        if new > 0 && known > 0 {
            self.notice = Some(format!(
                "{new} new document{} came with the team's work. Open the folder again (File → Open folder…) to list {}.",
                if new == 1 { "" } else { "s" },
                if new == 1 { "it" } else { "them" }
            ));
        }
    }

    fn start_adjudication(&mut self, sources: Vec<versions::Source>) {
        let (Some(rel), Some(root)) = (
            self.current.clone(),
            self.ws.corpus.as_ref().map(|c| c.root.clone()),
        ) else {
            self.notice = Some("Open the document to adjudicate first.".into());
            return;
        };
        let rels: Vec<String> = self
            .ws
            .corpus
            .as_ref()
            .map(|c| c.entries.iter().map(|e| e.rel.clone()).collect())
            .unwrap_or_default();
        let _ = self.ws.jobs.spawn("versions", move |out| {
            let result: Result<Vec<_>, String> =
                sources.iter().map(|s| versions::load(&root, s, &rel)).collect();
            let failed = result.is_err();
            if !out.send(Done::Team(TeamDone::Versions {
                rel: rel.clone(),
                sources: sources.clone(),
                result,
            })) || failed
            {
                return;
            }
            // Then the corpus figures, which read every document of every version.
            let mut docs = Vec::new();
            let mut per_version: Vec<Vec<crate::model::DocAnnotations>> = vec![Vec::new(); sources.len()];
            for r in &rels {
                let Ok(loaded) = crate::store::corpus::load_to_read(&root, r) else {
                    continue;
                };
                for (v, s) in sources.iter().enumerate() {
                    per_version[v].push(versions::load(&root, s, r).unwrap_or_default());
                }
                docs.push((loaded.doc, loaded.data));
            }
            let tally = crate::agree::adjudicate::corpus_tally(&docs, &per_version, &rel);
            out.send(Done::Team(TeamDone::CorpusTally { rel, tally }));
        });
    }

    /// Runs `f` on the adjudication's items for the open version's state.
    fn with_items(
        &mut self,
        f: impl FnOnce(&[crate::agree::adjudicate::Item], &crate::model::DocAnnotations, &str, &str) -> Vec<Edit>,
    ) -> (String, Vec<Edit>) {
        let who = self.annotator();
        let now = crate::model::now_rfc3339();
        let Some(adj) = self.adjudication.as_mut() else {
            return (String::new(), Vec::new());
        };
        let rel = adj.rel.clone();
        let Some(s) = self.ws.sessions.get(&rel) else {
            return (String::new(), Vec::new());
        };
        let items = adj.items(&s.doc, &s.data, (s.epoch, s.version));
        let edits = f(items, &s.data, &who, &now);
        (rel, edits)
    }

    fn apply_adjudication(&mut self, description: &str, (rel, edits): (String, Vec<Edit>)) {
        if edits.is_empty() {
            return;
        }
        self.change(Change::Edits {
            description: description.to_owned(),
            parts: edits.into_iter().map(|e| (rel.clone(), e)).collect(),
        });
    }

    fn pick_item(&mut self, i: usize) {
        let Some(adj) = self.adjudication.as_mut() else {
            return;
        };
        adj.picked = Some(i);
        let rel = adj.rel.clone();
        let Some(s) = self.ws.sessions.get(&rel) else {
            return;
        };
        let items = adj.items(&s.doc, &s.data, (s.epoch, s.version));
        let Some(it) = items.get(i) else { return };
        match &it.current {
            Some(a) => {
                let id = a.id.clone();
                self.follow(Some(&rel), &id);
                self.tab = Tab::Reader;
            }
            None => {
                self.inform("This version does not have it: use one annotator's first, then edit it.".into())
            }
        }
    }

    /// Settles a merge conflict of an annotation of the shown document.
    fn resolve_conflict(&mut self, id: &crate::model::AnnId, index: usize, theirs: bool) {
        let Some(doc) = self.current.clone() else { return };
        let Some(a) = self.ws.sessions.get(&doc).and_then(|s| s.data.get(id)).cloned() else {
            return;
        };
        let Some(c) = a.conflicts.get(index).cloned() else {
            return;
        };
        if theirs && c.field == DELETED && c.theirs == "null" {
            // The other version deleted it: taking theirs deletes it here.
            self.change(Change::Delete { doc, id: id.clone() });
            return;
        }
        match crate::model::merge::resolve(&a, index, theirs) {
            Some(fixed) => {
                self.change(Change::Update {
                    doc,
                    description: "settle a merge conflict",
                    ann: Box::new(fixed),
                });
            }
            None => {
                self.notice =
                    Some("The other version's value no longer fits this annotation; edit it by hand.".into())
            }
        }
    }
}
