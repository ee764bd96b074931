//! Corpus statistics: documents, annotations per label, claims per speaker,
//! documents per status. `marginalia stats` prints them; the GUI may show them.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use crate::model::{SourceKind, Speaker, Status};

use super::corpus::{read_annotations, read_text, scan, sidecar_path};
use super::extract::kind_of;

/// Counts over a whole corpus.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Source documents found (text or not).
    pub documents: usize,
    /// Sources that are not text (NUL bytes), cannot be read, or whose text
    /// cannot be extracted.
    pub not_text: usize,
    /// Sidecars that could not be read (damaged or from a newer version); their
    /// annotations are not counted.
    pub unreadable_sidecars: usize,
    /// Annotations in all readable sidecars.
    pub annotations: usize,
    /// Annotations flagged orphaned.
    pub orphaned: usize,
    /// Relations in all readable sidecars.
    pub relations: usize,
    /// Annotations per label name.
    pub per_label: BTreeMap<String, usize>,
    /// Claims per speaker: the speaker entity's canonical id, else its quote;
    /// `author` for the document's author, `unknown` when none is recorded.
    pub claims_per_speaker: BTreeMap<String, usize>,
    /// Text documents per workflow status (documents without a sidecar are not started).
    pub per_status: BTreeMap<Status, usize>,
    /// Documents and annotations per kind of source (only kinds found).
    pub per_kind: BTreeMap<SourceKind, KindStats>,
}

/// Counts for one kind of source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindStats {
    /// Sources of this kind.
    pub documents: usize,
    /// Those whose text could not be had (not text, damaged, not readable yet).
    pub unreadable: usize,
    /// Annotations on those that could be read.
    pub annotations: usize,
}

/// Key used in [`CorpusStats::claims_per_speaker`] for the author.
pub const AUTHOR: &str = "author";
/// Key used in [`CorpusStats::claims_per_speaker`] when no speaker is recorded.
pub const UNKNOWN: &str = "unknown";

impl CorpusStats {
    /// Labels by count, most used first (ties by name).
    pub fn labels_by_count(&self) -> Vec<(&str, usize)> {
        sorted(&self.per_label)
    }

    /// Speakers by count, most claims first (ties by name).
    pub fn speakers_by_count(&self) -> Vec<(&str, usize)> {
        sorted(&self.claims_per_speaker)
    }
}

fn sorted(m: &BTreeMap<String, usize>) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = m.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v
}

/// Computes the statistics of the corpus at `root`. Fails only when `root`
/// cannot be listed; unreadable files are counted, not fatal.
pub fn corpus_stats(root: &Path) -> io::Result<CorpusStats> {
    let mut st = CorpusStats::default();
    for s in Status::ALL {
        st.per_status.insert(s, 0);
    }
    for entry in scan(root)? {
        st.documents += 1;
        let path = root.join(&entry.rel);
        let kind = st.per_kind.entry(kind_of(&entry.rel)).or_default();
        kind.documents += 1;
        if read_text(root, &entry.rel).is_err() {
            st.not_text += 1;
            kind.unreadable += 1;
            continue;
        }
        // The edit journal beside a sidecar holds saved edits too.
        let data = match read_annotations(&sidecar_path(&path)) {
            Ok(Some((data, _))) => data,
            Ok(None) => {
                *st.per_status.entry(Status::NotStarted).or_insert(0) += 1;
                continue;
            }
            Err(_) => {
                st.unreadable_sidecars += 1;
                continue;
            }
        };
        let data = &data;
        *st.per_status.entry(data.status).or_insert(0) += 1;
        st.annotations += data.annotations.len();
        if let Some(k) = st.per_kind.get_mut(&kind_of(&entry.rel)) {
            k.annotations += data.annotations.len();
        }
        st.relations += data.relations.len();
        for a in &data.annotations {
            st.orphaned += usize::from(a.orphaned);
            *st.per_label.entry(a.label.to_string()).or_insert(0) += 1;
            let Some(claim) = a.claim() else { continue };
            let who = match &claim.speaker {
                Speaker::Unknown => UNKNOWN.to_owned(),
                Speaker::Author => AUTHOR.to_owned(),
                // A speaker id that points nowhere (or to a claim) is a `check` error; count it as unknown.
                Speaker::Entity(id) => match data.get(id).filter(|e| !e.kind.is_claim()) {
                    Some(e) => {
                        let quote = e.quote.split_whitespace().collect::<Vec<_>>().join(" ");
                        match e.canonical() {
                            Some(c) if !c.trim().is_empty() => c.to_owned(),
                            _ if !quote.is_empty() => quote,
                            _ => id.to_string(),
                        }
                    }
                    None => UNKNOWN.to_owned(),
                },
            };
            *st.claims_per_speaker.entry(who).or_insert(0) += 1;
        }
    }
    Ok(st)
}
