//! The domain model: documents, code-point spans, annotations, claims,
//! relations, the tag set, edits and re-anchoring. No UI and no I/O here, so
//! every rule is testable without a window or a disk.

pub mod anchor;
pub mod annotation;
pub mod bidi;
pub mod comparison;
pub mod document;
pub mod edit;
pub mod events;
pub mod index;
pub mod merge;
pub mod meta_guess;
pub mod offsets;
pub mod quantity;
pub mod source;
pub mod suggest;
pub mod tagset;
pub mod vocab;
pub mod words;

pub use annotation::{
    AnnId, Annotation, Attributes, Claim, ClaimType, Cue, Kind, Relation, Span, Spans, Speaker, Stance,
    Status, Target, new_id, now_rfc3339,
};
pub use document::{DocAnnotations, DocMeta, Document, content_hash};
pub use edit::{Edit, EditError, History};
pub use events::{Equivalence, Event, EventArg};
pub use source::{Extraction, Layout, SourceKind};
pub use tagset::{LabelDef, LabelKind, TagSet};
