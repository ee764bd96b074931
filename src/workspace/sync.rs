//! Disk sync of the open documents: autosave (edits appended to the journal at
//! once, whole rewrites after a pause), folding journals into sidecars, taking
//! in finished saves, and looking for changes made by others. What needs the
//! analyst comes back as a [`SyncEvent`]; the workbench decides how to ask.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::store::corpus::{self, DiskStamp, sidecar_path};
use crate::store::journal::{self, JournalStamp};

use super::saver::{SaveFailure, SaveJob, SaveWork};
use super::{CorpusView, DocSummary, FileTimes, Session, Workspace};

/// How long after the first unsaved edit the autosave writes a whole sidecar.
/// An edit that can go into the journal is saved at once (a synced append of
/// one line costs well under a millisecond); the wait is for whole rewrites.
pub(crate) const AUTOSAVE_AFTER: Duration = Duration::from_millis(300);
/// How long after the last edit the edit journal is folded into the sidecar.
/// Edits reach the disk at once through the journal; rewriting a large sidecar
/// waits for a pause, so it never delays the next edit's save.
pub(crate) const COMPACT_AFTER: Duration = Duration::from_millis(1500);
/// How long a failed save or fold waits before it is tried again.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(4);

/// What disk sync found that the analyst should hear of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncEvent {
    /// `rel` changed on disk while it holds unsaved edits: reload, or keep mine?
    Ask {
        /// The document.
        rel: String,
        /// What changed, in words.
        what: String,
    },
    /// `rel` changed on disk and had no unsaved edits: it was reloaded.
    Reloaded {
        /// The document.
        rel: String,
        /// What changed, in words.
        what: String,
    },
    /// `rel`'s source is gone from disk; the document is now read-only.
    SourceMissing {
        /// The message to show.
        message: String,
    },
    /// `rel`'s source is back; edits are taken again.
    SourceBack,
}

impl Workspace {
    /// The save `rel` needs now: its unsaved edits appended to the journal when
    /// that is all that changed, else (or when `fold`) the whole sidecar rewritten,
    /// which also folds in the journal.
    pub fn save_job(&self, rel: &str, fold: bool) -> Option<SaveJob> {
        let corpus = self.corpus.as_ref()?;
        let s = self.sessions.get(rel)?;
        if s.read_only.is_some() || s.in_flight.is_some() || !(s.is_dirty() || fold && s.journal_pending()) {
            return None;
        }
        let work = match s.journal_edits().filter(|_| !fold) {
            Some(edits) => SaveWork::Append(edits),
            None => SaveWork::Full {
                data: s.data.clone(),
                version: s.file_version,
            },
        };
        Some(SaveJob {
            root: corpus.root.clone(),
            doc: s.doc.clone(),
            work,
            expected: s.stamp.clone(),
            generation: s.version,
        })
    }

    /// Hands the save `rel` needs (see [`Self::save_job`]) to the saver.
    pub fn submit(&mut self, rel: &str, fold: bool) {
        if let Some(job) = self.save_job(rel, fold) {
            let generation = job.generation;
            self.saver.submit(job);
            if let Some(s) = self.sessions.get_mut(rel) {
                s.in_flight = Some(generation);
            }
        }
    }

    /// Starts saving `rel` now if it has unsaved edits.
    pub fn flush(&mut self, rel: &str) {
        self.submit(rel, false);
    }

    /// Starts writing everything of `rel` into its sidecar now: unsaved edits,
    /// and the edits its journal holds (the journal is then removed).
    pub fn compact(&mut self, rel: &str) {
        self.submit(rel, true);
    }

    /// Switching folders and quitting leave whole sidecars behind, journals folded in.
    pub fn flush_all(&mut self) {
        let rels: Vec<String> = self.sessions.keys().cloned().collect();
        for rel in rels {
            self.compact(&rel);
        }
    }

    /// Saves everything synchronously (on quit): waits for saves in flight, then
    /// writes the rest, folding every edit journal into its sidecar.
    pub fn save_all_blocking(&mut self) {
        self.flush_all();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.sessions.values().any(|s| s.in_flight.is_some()) && Instant::now() < deadline {
            if let Some(r) = self.saver.wait(Duration::from_millis(100)) {
                // Quitting: a conflict found now is left for the next session to show.
                let _ = self.apply_save_result(r);
                self.flush_all();
            }
        }
    }

    /// Takes in a finished save; a conflict the analyst must decide comes back
    /// as [`SyncEvent::Ask`].
    pub fn apply_save_result(&mut self, r: super::saver::SaveResult) -> Option<SyncEvent> {
        let s = self.sessions.get_mut(&r.rel)?;
        // Only the save in flight is answered; anything else belongs to a session
        // since replaced by a reload, and its stamp would describe other data.
        if s.in_flight != Some(r.generation) {
            return None;
        }
        s.in_flight = None;
        match r.outcome {
            Ok(stamp) => {
                s.stamp = stamp;
                s.saved_version = s.saved_version.max(r.generation);
                s.unsaved_edits.retain(|(v, _)| *v > r.generation);
                if r.full && s.unrecorded.is_some_and(|v| v <= r.generation) {
                    s.unrecorded = None;
                }
                s.save_error = None;
                s.compact_retry = None;
                if !s.is_dirty() {
                    s.dirty_since = None;
                }
                if let Some(c) = &self.corpus {
                    let now = file_mtimes(&c.root, &r.rel);
                    s.mtimes = (s.mtimes.0, now.1, now.2);
                }
                if let Some(c) = self.corpus.as_mut() {
                    c.summaries.insert(
                        r.rel.clone(),
                        DocSummary {
                            count: s.data.annotations.len(),
                            status: s.data.status,
                            broken: false,
                        },
                    );
                    // The session holds this document's annotations; a copy here
                    // would double the memory of a large document and cost a frame.
                    c.remove_disk(&r.rel);
                }
            }
            Err(SaveFailure::Conflict(_))
                if r.generation <= s.saved_version && !journal_unchanged(self.corpus.as_ref(), &r.rel, s) =>
            {
                // Only a fold, and another window has taken the journal over (folded it into
                // the sidecar, or added to it): nothing of ours is only here. The watcher
                // reloads what is on disk now.
                s.compact_retry = Some(Instant::now() + RETRY_AFTER);
            }
            Err(SaveFailure::Conflict(msg)) => {
                s.save_error = Some(msg.clone());
                // The autosave waits for the analyst's answer (keep mine or reload); without
                // this it would retry, and fail, on every frame while the question is open.
                s.dirty_since = None;
                return Some(SyncEvent::Ask {
                    rel: r.rel.clone(),
                    what: msg,
                });
            }
            Err(SaveFailure::Other(_)) if r.generation <= s.saved_version => {
                // Only the fold of the journal failed; the edits are on disk in the journal.
                s.compact_retry = Some(Instant::now() + RETRY_AFTER);
            }
            Err(SaveFailure::Other(msg)) => {
                s.save_error = Some(msg);
                // Retry later: the edits are still in memory.
                s.dirty_since = Some(Instant::now() + RETRY_AFTER);
            }
        }
        None
    }

    /// Starts the saves that are due (edits waiting to be appended or written,
    /// journals to fold after a pause), and says when to look again: `None`
    /// when nothing waits.
    pub fn autosave(&mut self) -> Option<Duration> {
        let due: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| {
                s.is_dirty()
                    && s.in_flight.is_none()
                    // A failed save sets the time in the future: no retry before it, even
                    // for an append (which is otherwise written at once).
                    && s.dirty_since.is_some_and(|t| {
                        Instant::now() >= t && (s.can_append() || t.elapsed() >= AUTOSAVE_AFTER)
                    })
            })
            .map(|(k, _)| k.clone())
            .collect();
        for rel in due {
            self.flush(&rel);
        }
        let now = Instant::now();
        let fold: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| {
                s.journal_pending()
                    && !s.is_dirty()
                    && s.in_flight.is_none()
                    && now.duration_since(s.last_change) >= COMPACT_AFTER
                    && s.compact_retry.is_none_or(|t| now >= t)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for rel in fold {
            self.compact(&rel);
        }
        let saving = self
            .sessions
            .values()
            .any(|s| s.is_dirty() || s.in_flight.is_some())
            .then_some(AUTOSAVE_AFTER);
        let folding = self
            .sessions
            .values()
            .filter(|s| s.journal_pending())
            .map(|s| {
                let at = (s.last_change + COMPACT_AFTER).max(s.compact_retry.unwrap_or(now));
                at.saturating_duration_since(now).max(AUTOSAVE_AFTER)
            })
            .min();
        match (saving, folding) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Looks at the files of the open document `rel` for changes made by
    /// others (or by the analyst's own saves, which it tells apart), and says
    /// what the analyst should hear of.
    pub fn check_disk(&mut self, rel: &str) -> Option<SyncEvent> {
        let rel = rel.to_owned();
        let c = self.corpus.as_ref()?;
        let s = self.sessions.get(&rel)?;
        if s.in_flight.is_some() {
            return None;
        }
        let now = file_mtimes(&c.root, &rel);
        if now == s.mtimes {
            return None;
        }
        let gone = now.0.is_none()
            && std::fs::symlink_metadata(c.root.join(&rel))
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if gone {
            if !s.source_missing {
                let mut msg = format!(
                    "{rel} was deleted or moved on disk. The document is read-only until the file is back, and nothing is written beside the missing file."
                );
                if s.is_dirty() {
                    msg.push_str(" Your unsaved edits are kept in memory: restore the file, or save a copy of the corpus elsewhere when you quit.");
                }
                if let Some(s) = self.sessions.get_mut(&rel) {
                    s.source_missing = true;
                    s.read_only = Some(msg.clone());
                    s.mtimes = now;
                }
                return Some(SyncEvent::SourceMissing { message: msg });
            }
            return None;
        }
        if s.source_missing {
            // Back: edits are taken again, and the text is compared below like any change.
            if let Some(s) = self.sessions.get_mut(&rel) {
                s.source_missing = false;
                s.read_only = None;
            }
            return Some(SyncEvent::SourceBack);
        }
        let side = sidecar_path(&c.root.join(&rel));
        let journal_now = journal::FileMark::read(&journal::journal_path(&side))
            .ok()
            .flatten();
        let journal_ours = s
            .stamp
            .journal
            .as_ref()
            .zip(journal_now)
            .is_some_and(|(j, m)| j.mark.same_journal(&m));
        if s.journal_pending() && !s.is_dirty() && journal_ours {
            // Fold the journal in first. Its result decides: saved, and the change is
            // looked at again against a sidecar that holds everything; or a conflict,
            // and the analyst is asked.
            if s.compact_retry.is_none_or(|t| Instant::now() >= t) {
                self.compact(&rel);
            }
            return None;
        }
        let source_changed =
            now.0 != s.mtimes.0 && corpus::source_hash(&c.root, &rel).as_deref() != Some(s.doc.hash.as_str());
        let stamp = DiskStamp::read(&side).unwrap_or_default();
        if s.journal_pending() && journal_now.is_none() && stamp.sidecar == s.stamp.sidecar {
            // Our journal was removed (by a clean-up tool, say) and nothing took its edits
            // into the sidecar: they are only in memory now, so write them all there.
            if let Some(s) = self.sessions.get_mut(&rel) {
                s.stamp.journal = None;
                s.record_unrecorded();
                s.mtimes = now;
            }
            return None;
        }
        let sidecar_changed = !stamp.same_files(&s.stamp);
        if !source_changed && !sidecar_changed {
            if let Some(s) = self.sessions.get_mut(&rel) {
                s.mtimes = now;
            }
            return None;
        }
        let what = match (source_changed, sidecar_changed) {
            (true, true) => "the source text and its annotation file both changed on disk",
            (true, false) => "the source text changed on disk",
            _ => "the annotation file changed on disk (another program or a git pull)",
        };
        let what = what.to_owned();
        if s.is_dirty() {
            if let Some(s) = self.sessions.get_mut(&rel) {
                s.mtimes = now;
            }
            Some(SyncEvent::Ask { rel, what })
        } else {
            Some(SyncEvent::Reloaded { rel, what })
        }
    }

    /// Takes the version on disk of `rel`, dropping its unsaved edits and the
    /// steps of the history that changed it (they describe other annotations now).
    pub fn reload_document(&mut self, rel: &str) -> Result<(), String> {
        let c = self.corpus.as_ref().ok_or("no folder is open")?;
        let loaded = corpus::load(&c.root, rel).map_err(|e| e.to_string())?;
        let mtimes = file_mtimes(&c.root, rel);
        self.history.forget(rel);
        self.sessions.insert(rel.to_owned(), Session::new(loaded, mtimes));
        Ok(())
    }

    /// Keep the analyst's version: write it over the file changed outside.
    pub fn keep_mine(&mut self, rel: &str) {
        if let (Some(c), Some(s)) = (&self.corpus, self.sessions.get_mut(rel)) {
            let on_disk = DiskStamp::read(&sidecar_path(&c.root.join(rel))).unwrap_or_default();
            // The analyst chose to overwrite what is on disk, a journal included: the
            // full save below replaces the sidecar and removes the journal.
            s.stamp = DiskStamp {
                journal: on_disk.journal.map(|j| JournalStamp { applied: true, ..j }),
                ..on_disk
            };
            s.save_error = None;
            s.saved_version = 0;
            s.unrecorded = Some(s.version);
            s.dirty_since = Some(Instant::now());
        }
    }
}

/// True when the journal beside `rel` is still the one the session last wrote or read.
pub(crate) fn journal_unchanged(corpus: Option<&CorpusView>, rel: &str, s: &Session) -> bool {
    let (Some(c), Some(ours)) = (corpus, &s.stamp.journal) else {
        return false;
    };
    let path = journal::journal_path(&sidecar_path(&c.root.join(rel)));
    journal::FileMark::read(&path)
        .ok()
        .flatten()
        .is_some_and(|m| ours.mark.same_journal(&m))
}

/// Modification times of a document's source, sidecar and edit journal.
pub(crate) fn file_mtimes(root: &Path, rel: &str) -> FileTimes {
    let src = root.join(rel);
    let side = sidecar_path(&src);
    let m = |p: &Path| std::fs::metadata(p).ok().and_then(|m| m.modified().ok());
    (m(&src), m(&side), m(&journal::journal_path(&side)))
}
