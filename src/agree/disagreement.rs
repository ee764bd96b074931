//! Disagreements.

use super::*;

/// What kind of disagreement an entry of [`Disagreement`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisagreementKind {
    /// A has an annotation B has nothing to pair with.
    OnlyA,
    /// B has an annotation A has nothing to pair with.
    OnlyB,
    /// Same spans, different labels.
    LabelDiffers,
    /// Same label, overlapping spans with different boundaries.
    BoundaryDiffers,
    /// Matched claims (same label, overlapping) whose stance or claim type differ.
    ClaimDiffers,
}

impl DisagreementKind {
    /// Plain words for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DisagreementKind::OnlyA => "only in A",
            DisagreementKind::OnlyB => "only in B",
            DisagreementKind::LabelDiffers => "label differs",
            DisagreementKind::BoundaryDiffers => "boundaries differ",
            DisagreementKind::ClaimDiffers => "claim differs",
        }
    }
}

/// One side of a disagreement: an annotation as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnnSide {
    /// Annotation id in that annotator's sidecar.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its spans (code points, end-exclusive).
    pub spans: Vec<Span>,
    /// The covered text, read from the document (fragments joined by one space).
    pub quote: String,
    /// Stance, for claims.
    #[serde(serialize_with = "stance_name")]
    pub stance: Option<Stance>,
    /// Claim type, for claims.
    #[serde(serialize_with = "claim_type_name")]
    pub claim_type: Option<ClaimType>,
}

// JSON uses the same lower-case names as the text report and the exports.
fn stance_name<S: serde::Serializer>(v: &Option<Stance>, s: S) -> Result<S::Ok, S::Error> {
    v.map(Stance::as_str).serialize(s)
}

fn claim_type_name<S: serde::Serializer>(v: &Option<ClaimType>, s: S) -> Result<S::Ok, S::Error> {
    v.map(ClaimType::as_str).serialize(s)
}

impl AnnSide {
    pub(super) fn new(doc: &Document, a: &Annotation) -> Self {
        let quote = a
            .spans
            .iter()
            .map(|s| doc.slice(*s))
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            id: a.id.to_string(),
            label: a.label.to_string(),
            spans: a.spans.to_vec(),
            quote,
            stance: a.claim().map(|c| c.stance),
            claim_type: a.claim().map(|c| c.claim_type),
        }
    }

    /// First and last code point covered.
    pub fn extent(&self) -> Span {
        let start = self.spans.iter().map(|s| s.start).min().unwrap_or(0);
        let end = self.spans.iter().map(|s| s.end).max().unwrap_or(0);
        Span { start, end }
    }
}

/// One place where the two annotators differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// What differs.
    pub kind: DisagreementKind,
    /// A's annotation (absent for [`DisagreementKind::OnlyB`]).
    pub a: Option<AnnSide>,
    /// B's annotation (absent for [`DisagreementKind::OnlyA`]).
    pub b: Option<AnnSide>,
}

impl Disagreement {
    /// Where the disagreement starts in the text: the earlier of the two sides.
    pub fn start(&self) -> usize {
        [&self.a, &self.b]
            .into_iter()
            .flatten()
            .map(|s| s.extent().start)
            .min()
            .unwrap_or(0)
    }
}
