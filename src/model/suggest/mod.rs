//! Suggestions: annotations proposed from the analyst's own tags, from
//! detectors that need no tags, and from the corpus gazetteer.
//!
//! A suggestion is never an annotation: it is not written to the sidecar or
//! exported. Accepting one makes an ordinary annotation that records its
//! [`Origin`]. Everything here is pure: the corpus's annotations, the
//! rejections and the gazetteer come in, suggestions go out.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::annotation::{AnnId, Span, Stance};

/// Where a suggestion, and the annotation made by accepting it, came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// The same string (or a variant of it) was tagged before.
    Matcher,
    /// The statistical learner trained on the analyst's tags.
    Learner,
    /// A detector that needs no tags: figures, dates, claim cues.
    Detector,
    /// An entry of the corpus gazetteer.
    Gazetteer,
}

impl Origin {
    /// Every origin, in display order.
    pub const ALL: [Origin; 4] = [
        Origin::Matcher,
        Origin::Learner,
        Origin::Detector,
        Origin::Gazetteer,
    ];

    /// Lower-case name used in the sidecar, exports, the command line and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Matcher => "matcher",
            Origin::Learner => "learner",
            Origin::Detector => "detector",
            Origin::Gazetteer => "gazetteer",
        }
    }

    /// Parses [`Origin::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a claim-cue suggestion proposes beyond its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimHint {
    /// The cue words ("said", "according to").
    pub cue: Span,
    /// The existing entity annotation that is the subject of the cue, if any.
    pub speaker: Option<AnnId>,
    /// The stance the cue implies ("denied" → denies, "according to" → reports).
    pub stance: Stance,
}

/// One proposed annotation in one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// Where, in code points of the document's text, on word boundaries.
    pub span: Span,
    /// The label it proposes (from the tag set).
    pub label: CompactString,
    /// How sure: 0.0 to 1.0.
    pub score: f32,
    /// Which source proposed it.
    pub origin: Origin,
    /// The canonical id to give the entity (gazetteer, or learned from earlier tags).
    pub canonical: Option<String>,
    /// For a proposed claim: its cue, speaker and stance. `None` for entities.
    pub claim: Option<ClaimHint>,
}

/// Which origins are shown and computed (the View menu's toggles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled {
    /// Matches of strings tagged before.
    pub matcher: bool,
    /// The learner's proposals.
    pub learner: bool,
    /// Figures, dates and claim cues.
    pub detector: bool,
    /// Gazetteer entries.
    pub gazetteer: bool,
}

impl Default for Enabled {
    fn default() -> Self {
        Self {
            matcher: true,
            learner: true,
            detector: true,
            gazetteer: true,
        }
    }
}

impl Enabled {
    /// True when suggestions of `origin` are on.
    pub fn allows(&self, origin: Origin) -> bool {
        match origin {
            Origin::Matcher => self.matcher,
            Origin::Learner => self.learner,
            Origin::Detector => self.detector,
            Origin::Gazetteer => self.gazetteer,
        }
    }
}
