//! The claims comparison of the open corpus, kept up to date: each document's
//! claim cells are computed once per state of its annotations, so an edit
//! recomputes one document and regroups, never the whole corpus. The first
//! build over a large corpus runs in the background (see `jobs.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::comparison::{self, Comparison};
use crate::model::{DocAnnotations, Kind};

use super::Workspace;
pub use super::corpus::{CellKey, DocCells};
use super::jobs::Done;

/// The comparison and what it was built from.
#[derive(Default)]
pub struct ClaimsCache {
    docs: HashMap<String, (CellKey, Arc<DocCells>)>,
    built: Option<Arc<Comparison>>,
    /// A background build is running.
    pending: bool,
    /// The state of the corpus the cells were last checked against.
    seen: Option<Seen>,
}

/// What the annotations of a corpus are, in a few numbers: the folder's
/// generation, the count of changes to what was read from disk and the
/// (epoch, version) of every open document, sorted. Equal when nothing changed,
/// so a frame compares this instead of walking every document.
type Seen = (u64, u64, Vec<(u64, u64)>);

/// Below this many documents to (re)compute, the work is done at once; above
/// it, in the background.
const AT_ONCE: usize = 200;

/// A document's cells.
pub fn doc_cells(rel: &str, data: &DocAnnotations) -> DocCells {
    if data.relations.is_empty() {
        return DocCells {
            cells: comparison::cells_of(rel, data),
            contradicts: Vec::new(),
        };
    }
    let claims: std::collections::HashSet<&str> = data
        .annotations
        .iter()
        .filter(|a| matches!(a.kind, Kind::Claim(_)))
        .map(|a| a.id.as_str())
        .collect();
    let contradicts = data
        .relations
        .iter()
        .filter(|r| r.kind.eq_ignore_ascii_case("contradicts") && claims.contains(r.from.as_str()))
        .map(|r| {
            let to_doc = r.to.doc.clone().unwrap_or_else(|| rel.to_owned());
            (
                (rel.to_owned(), r.from.to_string()),
                (to_doc, r.to.id.to_string()),
            )
        })
        .collect();
    DocCells {
        cells: comparison::cells_of(rel, data),
        contradicts,
    }
}

/// The cells of many documents, computed on every core: the first build over a
/// large corpus, which the analyst waits for.
pub fn cells_of_docs(docs: Vec<(String, CellKey, Arc<DocAnnotations>)>) -> Vec<(String, CellKey, DocCells)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let per = docs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let parts: Vec<_> = docs
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(rel, key, data)| (rel.clone(), *key, doc_cells(rel, data)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

impl Workspace {
    /// The claims comparison as of now, or the last one built while a newer one
    /// is computed in the background; `None` before the first.
    pub fn comparison(&mut self) -> Option<Arc<Comparison>> {
        let folder = self.folder;
        let c = self.corpus.as_ref()?;
        let mut open: Vec<(u64, u64)> = self.sessions.values().map(|s| (s.epoch, s.version)).collect();
        open.sort_unstable();
        let seen = (folder, c.disk_changes, open);
        if self.claims.seen.as_ref() == Some(&seen) && (self.claims.built.is_some() || self.claims.pending) {
            return self.claims.built.clone();
        }
        // What changed since the cells were computed.
        let mut stale: Vec<(String, CellKey, Arc<DocAnnotations>)> = Vec::new();
        let mut gone = false;
        for e in &c.entries {
            let (key, data) = match self.sessions.get(&e.rel) {
                Some(s) => (CellKey::Session(s.epoch, s.version), None),
                None => match c.disk.get(&e.rel) {
                    Some(d) => (
                        CellKey::Disk(c.disk_stamp.get(&e.rel).copied().unwrap_or(0)),
                        Some(d.clone()),
                    ),
                    None => {
                        gone |= self.claims.docs.contains_key(&e.rel);
                        continue;
                    }
                },
            };
            if self.claims.docs.get(&e.rel).is_none_or(|(k, _)| *k != key) {
                let data = data.unwrap_or_else(|| Arc::new(self.sessions[&e.rel].data.clone()));
                stale.push((e.rel.clone(), key, data));
            }
        }
        if stale.is_empty() && !gone && self.claims.built.is_some() {
            self.claims.seen = Some(seen);
            return self.claims.built.clone();
        }
        if stale.len() > AT_ONCE {
            if !self.claims.pending {
                let started = self.jobs.spawn("claims", move |out| {
                    let docs = cells_of_docs(stale);
                    out.send(Done::Claims { folder, docs });
                });
                self.claims.pending = started.is_ok();
                if self.claims.pending {
                    self.claims.seen = Some(seen);
                }
            }
            return self.claims.built.clone();
        }
        for (rel, key, data) in stale {
            let cells = doc_cells(&rel, &data);
            self.claims.docs.insert(rel, (key, Arc::new(cells)));
        }
        self.regroup();
        self.claims.seen = Some(seen);
        self.claims.built.clone()
    }

    /// Takes in cells computed in the background.
    pub fn take_claims(&mut self, folder: u64, docs: Vec<(String, CellKey, DocCells)>) {
        if folder != self.folder {
            return;
        }
        self.claims.pending = false;
        for (rel, key, cells) in docs {
            self.claims.docs.insert(rel, (key, Arc::new(cells)));
        }
        self.regroup();
    }

    /// True when a comparison is built and none is being built in the background.
    pub fn claims_built(&self) -> bool {
        self.claims.built.is_some() && !self.claims.pending
    }

    /// True while a newer comparison is being built in the background.
    pub fn comparison_pending(&self) -> bool {
        self.claims.pending
    }

    fn regroup(&mut self) {
        let Some(c) = self.corpus.as_ref() else { return };
        // Documents no longer listed leave the comparison.
        let listed: std::collections::HashSet<&str> = c.entries.iter().map(|e| e.rel.as_str()).collect();
        self.claims.docs.retain(|rel, _| listed.contains(rel.as_str()));
        let mut cells = Vec::new();
        let mut contradicts = Vec::new();
        for (_, d) in self.claims.docs.values() {
            cells.extend(d.cells.iter().cloned());
            contradicts.extend(d.contradicts.iter().cloned());
        }
        self.claims.built = Some(Arc::new(comparison::build(cells, &contradicts)));
    }
}
