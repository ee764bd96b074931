//! Suggestions as the workspace keeps them: what was learned from the corpus,
//! the remembered rejections, and the suggestions of the open document.
//!
//! Two kinds of background work, through the one job queue: learning (when
//! the corpus's annotations change; one run at a time, the next one starting
//! from whatever state it finds, so a burst of edits costs one or two runs)
//! and suggesting for the open document (again one at a time). Each result is
//! tagged with the state it was computed from. The text of an open document
//! changes only when it is read again, which makes a new session (a new
//! `epoch`): a result for another epoch is dropped, and a result older than
//! the one shown never replaces it. Suggestions are never annotations: they
//! are not in the session's data, so nothing of them reaches a sidecar, the
//! journal or an export.

use std::sync::{Arc, Mutex, PoisonError};

use crate::model::suggest::{
    self, Enabled, Gazetteer, Learned, Options, Origin, Prepared, Rejections, Suggestion,
};
use crate::model::{Annotation, Claim, Cue, Document, Edit, Kind, LabelKind, Speaker, TagSet};
use crate::store::suggest_files;

use super::jobs::Done;
use super::saver::Stall;
use super::{IndexKey, Workspace};

/// What a list of suggestions was computed from: the document (by path and
/// session epoch), its annotations' version, what was learned and rejected,
/// and which origins were on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestKey {
    /// The document.
    pub rel: String,
    /// Its session: another epoch may be another text.
    pub epoch: u64,
    /// The version of its annotations.
    pub version: u64,
    /// Which learning it used.
    pub learned: u64,
    /// Which state of the rejections it used.
    pub rejections: u64,
    /// Which origins were on.
    pub enabled: Enabled,
}

/// A result of suggestion work.
pub enum SuggestDone {
    /// Learning finished (and, the first time in a folder, the gazetteer and
    /// rejections files were read).
    Learned {
        /// The folder generation it ran for.
        folder: u64,
        /// The state of the annotations it learned from.
        key: IndexKey,
        /// What was learned.
        learned: Arc<Learned>,
        /// The corpus files, when they were read in this run.
        files: Option<(Result<Gazetteer, String>, Result<Rejections, String>)>,
    },
    /// Suggestions for the open document.
    Suggested {
        /// The folder generation it ran for.
        folder: u64,
        /// What they were computed from.
        key: SuggestKey,
        /// The suggestions, sorted by start.
        list: Vec<Suggestion>,
    },
    /// The rejections file was written (or not).
    Saved {
        /// The folder generation it ran for.
        folder: u64,
        /// The state of the rejections written.
        generation: u64,
        /// Why it failed, if it did.
        result: Result<(), String>,
    },
}

/// Suggestions shown for one document.
#[derive(Clone, Debug)]
pub struct Shown {
    /// What they were computed from.
    pub key: SuggestKey,
    /// The suggestions, sorted by start; accepted and rejected ones are taken
    /// out at once, before the next computation.
    pub list: Arc<Vec<Suggestion>>,
    /// How many of them propose each label, by label: counted when the list
    /// changes rather than in every frame that shows the counts.
    pub counts: Vec<(compact_str::CompactString, usize)>,
}

/// How many suggestions of `list` propose each label, by label.
fn count_labels(list: &[Suggestion]) -> Vec<(compact_str::CompactString, usize)> {
    let mut counts: Vec<(compact_str::CompactString, usize)> = Vec::new();
    for s in list {
        match counts.iter_mut().find(|(l, _)| *l == s.label) {
            Some((_, n)) => *n += 1,
            None => counts.push((s.label.clone(), 1)),
        }
    }
    counts.sort();
    counts
}

/// The workspace's suggestion state, reset when another folder is opened.
#[derive(Default)]
pub struct SuggestState {
    /// Which origins are computed and shown (the View menu; kept in preferences).
    pub enabled: Enabled,
    folder: u64,
    learned: Option<(IndexKey, u64, Arc<Learned>)>,
    learned_count: u64,
    learning: Option<IndexKey>,
    gazetteer: Option<Arc<Gazetteer>>,
    rejections: Option<Arc<Rejections>>,
    rejections_gen: u64,
    saved_gen: u64,
    saving: bool,
    shown: Option<Shown>,
    running: Option<SuggestKey>,
    /// The open document's words and what the detectors and the learner
    /// found in its text, by document and epoch: kept between runs, since
    /// tagging never changes a text. Only the one running job uses it.
    prepared: Arc<Mutex<Option<(String, u64, Prepared)>>>,
    /// Held while suggestions for the open document are made: learning waits
    /// at its next pause, so that the run the analyst waits for has the
    /// processor to itself.
    foreground: Arc<Stall>,
    /// Why the gazetteer or the rejections file could not be used, once.
    pub problem: Option<String>,
}

impl SuggestState {
    /// The suggestions shown for `rel`, if any.
    pub fn shown_for(&self, rel: &str) -> Option<&Shown> {
        self.shown.as_ref().filter(|s| s.key.rel == rel)
    }

    /// True while a suggestion or learning run is under way.
    pub fn busy(&self) -> bool {
        self.running.is_some() || self.learning.is_some()
    }

    /// True while rejections wait to be written.
    pub fn unsaved(&self) -> bool {
        self.saved_gen != self.rejections_gen
    }

    /// How many tags the suggestions were learned from.
    pub fn tags_learned(&self) -> usize {
        self.learned.as_ref().map_or(0, |(_, _, l)| l.tags())
    }

    /// Takes `pick` out of the list shown, so it is gone before the next run.
    pub(crate) fn take_out(&mut self, rel: &str, pick: impl Fn(&Suggestion) -> bool) {
        if let Some(s) = self.shown.as_mut().filter(|s| s.key.rel == rel) {
            Arc::make_mut(&mut s.list).retain(|x| !pick(x));
            s.counts = count_labels(&s.list);
        }
    }
}

/// Lets learning go on when dropped: at the end of a suggestion run, or when
/// it panics or could not be started.
struct Release(Arc<Stall>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The annotations of a document known only from disk, rebuilt as a small
/// document of their quotes: matching needs only the tagged strings.
fn from_quotes(rel: &str, anns: &[Annotation]) -> (Document, Vec<Annotation>) {
    let mut text = String::new();
    let mut out = Vec::new();
    let mut at = 0usize;
    for a in anns.iter().filter(|a| a.spans.len() == 1 && !a.quote.is_empty()) {
        let n = a.quote.chars().count();
        let mut b = a.clone();
        b.spans = smallvec::smallvec![crate::model::Span::new(at, at + n)];
        text.push_str(&a.quote);
        text.push('\n');
        at += n + 1;
        out.push(b);
    }
    (Document::new(rel, text), out)
}

impl Workspace {
    /// Starts suggestion work that the state calls for: learning when the
    /// corpus's annotations changed, suggesting when the open document `rel`
    /// (or what was learned, rejected or switched on) changed. Cheap when
    /// nothing changed; called every frame.
    pub fn suggest_tick(&mut self, rel: Option<&str>) {
        if self.suggest.folder != self.folder {
            let enabled = self.suggest.enabled;
            self.suggest = SuggestState {
                enabled,
                folder: self.folder,
                ..Default::default()
            };
        }
        if self.corpus.is_none() {
            return;
        }
        // The open document's suggestions first: after an edit they follow
        // within a few frames from what was learned plus the edit, while the
        // slower learning over the whole corpus waits until they are in.
        if let Some(rel) = rel {
            self.start_suggesting(rel);
        }
        // Nor while the open document is still being read: it is shown first.
        let reading = rel.is_some_and(|r| !self.sessions.contains_key(r));
        if self.suggest.running.is_none() && !reading {
            self.start_learning(rel);
        }
    }

    /// Learns in the background; the learner's proposals for the open
    /// document `rel` are made there too.
    fn start_learning(&mut self, rel: Option<&str>) {
        let key = self.suggest_learn_key();
        let st = &self.suggest;
        if st.learning.is_some() || st.learned.as_ref().is_some_and(|(k, _, _)| *k == key) {
            return;
        }
        let Some(c) = self.corpus.as_ref() else { return };
        let mut docs: Vec<(Document, Vec<Annotation>)> = Vec::new();
        let mut open: Vec<(Arc<Document>, Vec<Annotation>)> = Vec::new();
        for e in &c.entries {
            if let Some(s) = self.sessions.get(&e.rel) {
                open.push((s.doc.clone(), s.data.annotations.clone()));
            } else if let Some(d) = c.disk.get(&e.rel) {
                docs.push(from_quotes(&e.rel, &d.annotations));
            }
        }
        let tagset: TagSet = c.tagset.clone();
        let root = c.root.clone();
        let first = st.rejections.is_none();
        let rejections = st.rejections.clone().unwrap_or_default();
        let gazetteer = st.gazetteer.clone().unwrap_or_default();
        let folder = self.folder;
        let rel = rel.map(str::to_owned);
        let gate = st.foreground.clone();
        let started = self.jobs.spawn("learn", move |out| {
            let files = first.then(|| {
                (
                    suggest_files::load_gazetteer(&root),
                    suggest_files::load_rejections(&root),
                )
            });
            let (gaz, rej) = match &files {
                Some((g, r)) => (
                    g.as_ref().ok().cloned().unwrap_or_default(),
                    r.as_ref().ok().cloned().unwrap_or_default(),
                ),
                None => ((*gazetteer).clone(), (*rejections).clone()),
            };
            let all = open
                .iter()
                .map(|(d, a)| (&**d, a.as_slice()))
                .chain(docs.iter().map(|(d, a)| (d, a.as_slice())));
            let mut learned = Learned::learn_pausing(all, &tagset, &rej, &gaz, &|| gate.wait_while_held());
            if let Some((doc, _)) = open.iter().find(|(d, _)| Some(d.path.as_str()) == rel.as_deref()) {
                learned.tag_ahead(doc);
            }
            let learned = Arc::new(learned);
            out.send(Done::Suggest(Box::new(SuggestDone::Learned {
                folder,
                key,
                learned,
                files,
            })));
        });
        if started.is_ok() {
            self.suggest.learning = Some(key);
        }
    }

    fn start_suggesting(&mut self, rel: &str) {
        let st = &self.suggest;
        let (Some((_, learned_gen, learned)), Some(rejections), Some(s)) = (
            st.learned.as_ref(),
            st.rejections.as_ref(),
            self.sessions.get(rel),
        ) else {
            return;
        };
        if st.running.is_some() {
            return;
        }
        let key = SuggestKey {
            rel: rel.to_owned(),
            epoch: s.epoch,
            version: s.version,
            learned: *learned_gen,
            rejections: st.rejections_gen,
            enabled: st.enabled,
        };
        if st.shown.as_ref().is_some_and(|x| x.key == key) {
            return;
        }
        let (learned, rejections) = (learned.clone(), rejections.clone());
        let doc = s.doc.clone();
        let annotations = s.data.annotations.clone();
        let folder = self.folder;
        let k = key.clone();
        let prepared = st.prepared.clone();
        let foreground = st.foreground.clone();
        foreground.set(true);
        let release = Release(foreground);
        let started = self.jobs.spawn("suggest", move |out| {
            let _release = release;
            // The tags made since learning count at once; the next learning
            // brings the rest (the learner, and strings read past untagged).
            let learned = learned.with_doc(&doc, &annotations);
            let mut slot = prepared.lock().unwrap_or_else(PoisonError::into_inner);
            if slot
                .as_ref()
                .is_none_or(|(rel, epoch, _)| *rel != k.rel || *epoch != k.epoch)
            {
                *slot = Some((k.rel.clone(), k.epoch, Prepared::new(&doc)));
            }
            let opt = Options {
                enabled: k.enabled,
                ..Options::default()
            };
            let list = match slot.as_mut() {
                Some((_, _, prep)) => {
                    suggest::suggest_prepared(&learned, prep, &doc, &annotations, &rejections, opt)
                }
                None => Vec::new(),
            };
            drop(slot);
            out.send(Done::Suggest(Box::new(SuggestDone::Suggested {
                folder,
                key: k,
                list,
            })));
        });
        if started.is_ok() {
            self.suggest.running = Some(key);
        }
    }

    /// The state of the annotations learning follows (as the index does).
    fn suggest_learn_key(&self) -> IndexKey {
        (
            self.corpus_version,
            self.sessions.len(),
            self.sessions.values().map(|s| s.version).sum::<u64>(),
        )
    }

    /// Takes in a result of suggestion work. Returns a message for the
    /// analyst when a corpus file could not be used or saved.
    pub fn take_suggest(&mut self, done: SuggestDone) -> Option<String> {
        match done {
            SuggestDone::Learned {
                folder,
                key,
                learned,
                files,
            } => {
                if folder != self.folder {
                    return None;
                }
                let st = &mut self.suggest;
                st.learning = None;
                st.learned_count += 1;
                st.learned = Some((key, st.learned_count, learned));
                let (gaz, rej) = files?;
                let mut problems = Vec::new();
                st.gazetteer = Some(Arc::new(gaz.unwrap_or_else(|e| {
                    problems.push(e);
                    Gazetteer::default()
                })));
                st.rejections = Some(Arc::new(rej.unwrap_or_else(|e| {
                    problems.push(e);
                    Rejections::default()
                })));
                if !problems.is_empty() {
                    st.problem = Some(problems.join(" "));
                }
                st.problem.clone()
            }
            SuggestDone::Suggested { folder, key, list } => {
                if folder != self.folder {
                    return None;
                }
                let st = &mut self.suggest;
                if st.running.as_ref() == Some(&key) {
                    st.running = None;
                }
                // Only for the text as it is now, and never over a newer result.
                let current = self.sessions.get(&key.rel).is_some_and(|s| s.epoch == key.epoch);
                // Each of version, learning and rejections only grows: a result
                // behind the shown one in any of them is older.
                let older = st.shown.as_ref().is_some_and(|x| {
                    x.key.rel == key.rel
                        && x.key.epoch == key.epoch
                        && (x.key.version > key.version
                            || x.key.learned > key.learned
                            || x.key.rejections > key.rejections)
                });
                if current && !older {
                    st.shown = Some(Shown {
                        key,
                        counts: count_labels(&list),
                        list: Arc::new(list),
                    });
                }
                None
            }
            SuggestDone::Saved {
                folder,
                generation,
                result,
            } => {
                if folder != self.folder {
                    return None;
                }
                self.suggest.saving = false;
                match result {
                    Ok(()) => {
                        self.suggest.saved_gen = self.suggest.saved_gen.max(generation);
                        self.save_rejections();
                        None
                    }
                    Err(e) => Some(e),
                }
            }
        }
    }

    /// Writes the rejections file in the background, one write at a time; a
    /// rejection made while one runs is written by the next.
    fn save_rejections(&mut self) {
        let st = &self.suggest;
        if st.saving || st.saved_gen == st.rejections_gen {
            return;
        }
        let (Some(c), Some(r)) = (self.corpus.as_ref(), st.rejections.clone()) else {
            return;
        };
        let root = c.root.clone();
        let (folder, generation) = (self.folder, st.rejections_gen);
        let started = self.jobs.spawn("save-rejections", move |out| {
            let result = suggest_files::save_rejections(&root, &r).map_err(|e| {
                format!(
                    "Could not remember the rejected suggestions in {}: {e}. They stay rejected until Marginalia is closed; check that the folder can be written to.",
                    root.display()
                )
            });
            out.send(Done::Suggest(Box::new(SuggestDone::Saved {
                folder,
                generation,
                result,
            })));
        });
        if started.is_ok() {
            self.suggest.saving = true;
        }
    }

    /// Rejects suggestions of document `rel`: they go from the list at once,
    /// are remembered for the corpus, and the file is written in the background.
    pub fn reject_suggestions(&mut self, rel: &str, which: &[Suggestion]) {
        let Some(s) = self.sessions.get(rel) else { return };
        let doc = s.doc.clone();
        let st = &mut self.suggest;
        let Some(r) = st.rejections.as_mut() else { return };
        let r = Arc::make_mut(r);
        for x in which {
            r.reject_in(&doc, x);
        }
        st.rejections_gen += 1;
        st.take_out(rel, |x| {
            which.iter().any(|w| w.span == x.span && w.label == x.label)
        });
        self.save_rejections();
    }

    /// The edits that accept suggestions of document `rel`: one annotation
    /// each, recording its origin and `annotator` (who accepted it), with the
    /// gazetteer's canonical id, or a claim's cue, speaker and stance.
    /// Suggestions already tagged with their label are left out.
    pub(super) fn accept_edits(
        &self,
        rel: &str,
        which: &[Suggestion],
        annotator: &str,
    ) -> Result<Vec<Edit>, String> {
        let s = self
            .sessions
            .get(rel)
            .ok_or_else(|| format!("{rel} is not open."))?;
        let tagset = &self.corpus.as_ref().ok_or("no folder is open")?.tagset;
        let mut out = Vec::new();
        for x in which {
            let def = tagset.label(&x.label).ok_or_else(|| {
                format!(
                    "The label {} is not in the tag set any more; the suggestion was not accepted.",
                    x.label
                )
            })?;
            if !s.doc.spans_in_range(&[x.span]) {
                return Err(format!(
                    "The suggestion at {}–{} lies past the end of {rel}; it was not accepted.",
                    x.span.start, x.span.end
                ));
            }
            let taken = s
                .data
                .annotations
                .iter()
                .any(|a| a.label == x.label && a.spans.as_slice() == [x.span]);
            if taken {
                continue;
            }
            let kind = match (def.kind, &x.claim) {
                (LabelKind::Claim, hint) => {
                    let mut c = Claim::default();
                    if let Some(h) = hint {
                        c.cue = Some(Cue {
                            span: h.cue,
                            quote: s.doc.slice(h.cue).into(),
                        });
                        c.stance = h.stance;
                        if let Some(id) = h.speaker.as_ref().filter(|id| s.data.get(id).is_some()) {
                            c.speaker = Speaker::Entity(id.clone());
                        }
                    }
                    Kind::Claim(Box::new(c))
                }
                (LabelKind::Entity, _) => Kind::Entity {
                    canonical: x.canonical.as_deref().map(str::to_owned),
                },
            };
            let mut ann = s.doc.annotate(vec![x.span], &x.label, kind, annotator);
            ann.origin = Some(x.origin);
            out.push(Edit::Add(ann));
        }
        Ok(out)
    }
}

/// How a suggestion is explained in the inspector: why it was proposed.
pub fn why(s: &Suggestion) -> String {
    let how = match s.origin {
        Origin::Matcher => format!("this text, or a form of it, was tagged {} before", s.label),
        Origin::Learner => format!("it looks like words tagged {} before", s.label),
        Origin::Detector => match &s.claim {
            Some(_) => "a claim cue (such as “said” or “according to”) introduces it".to_owned(),
            None => format!("it reads as a {} (found without any tags)", s.label),
        },
        Origin::Gazetteer => "it is listed in the corpus gazetteer".to_owned(),
    };
    format!("Proposed because {how}.")
}
