//! What a view asks the workbench to do. A view reads the app and returns a
//! [`Command`]; `MarginaliaApp::run` (`app/run.rs`) carries it out in one
//! place, after the view is drawn. Commands that change documents become a
//! workspace `Change`, applied by `Workspace::apply` on the one undo history.

use crate::model::{AnnId, Annotation, Status};

/// One thing the analyst asked for in a view.
#[derive(Clone, Debug)]
pub enum Command {
    /// Set the current document's status.
    SetStatus(Status),
    /// Something of the Team tab or the adjudication.
    Team(super::team::TeamCommand),
    /// Set the status of a document from the list (opening it first).
    SetStatusOf(String, Status),
    /// Undo the last step of the history.
    Undo,
    /// Select a relation of the shown document (Delete then removes it), or none.
    SelectRelation(Option<AnnId>),
    /// Remove a relation of the shown document.
    DeleteRelation(AnnId),
    /// Redo the last undone step.
    Redo,
    /// Give mentions (document, id) a canonical id everywhere, as one step;
    /// `None` removes it.
    SetCanonical {
        /// The mentions.
        mentions: Vec<(String, String)>,
        /// The canonical id.
        to: Option<String>,
    },
    /// Tag every find match with the find bar's label, as one step.
    AnnotateAllMatches,
    /// Tag the ticked occurrences of the propagation preview, as one step.
    ConfirmPropagation,
    /// Take the version on disk of a document changed outside, dropping unsaved edits.
    Reload(String),
    /// Keep the analyst's version of a document changed outside, writing it over the file.
    KeepMine(String),
    /// Tag the selection with a label, or relabel the selected annotation.
    ApplyLabel(String),
    /// Add the selected text to the selected annotation as another fragment.
    AddFragmentFromSelection,
    /// Make the selected text the cue of the selected claim.
    SetCueFromSelection,
    /// Select an annotation of the current document.
    Select(AnnId),
    /// Go to an annotation, in this document (`doc: None`) or another.
    Follow {
        /// The document it is in, when not the current one.
        doc: Option<String>,
        /// The annotation.
        id: AnnId,
    },
    /// Add a relation from an annotation of the current document.
    AddRelation {
        /// The annotation it starts from.
        from: AnnId,
        /// The document of the far end, when not the current one.
        doc: Option<String>,
        /// The far end.
        to: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Let the next click in the text choose the speaker of this claim.
    PickSpeaker(AnnId),
    /// Let the next click in the text choose the far end of a new relation.
    PickRelationTarget {
        /// The annotation it starts from.
        from: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Show an annotation of any document in the reader.
    Open {
        /// Its document.
        doc: String,
        /// The annotation.
        id: AnnId,
    },
    /// Set (or clear) a claim's proposition key, in any document.
    SetProposition {
        /// The claim's document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// The key; `None` clears it.
        key: Option<String>,
    },
    /// Relate two annotations, possibly in different documents.
    Relate {
        /// The document of the annotation it starts from.
        from_doc: String,
        /// The annotation it starts from.
        from: AnnId,
        /// The document of the far end.
        to_doc: String,
        /// The far end.
        to: AnnId,
        /// The relation type.
        kind: String,
    },
    /// Open "annotate all occurrences in the corpus" for the selected annotation.
    StartPropagation,
    /// Set what the shown document is cited by (title, outlet, date…).
    SetMeta(Box<crate::model::DocMeta>),
    /// Correct the figure of a claim (`None`: read it from the text again).
    SetClaimValue {
        /// The claim's document.
        doc: String,
        /// The claim.
        id: AnnId,
        /// The value.
        value: Option<crate::model::quantity::Quantity>,
    },
    /// Ask where to write the claims comparison (CSV, or the HTML report).
    AskExportComparison {
        /// The report rather than the CSV.
        html: bool,
    },
    /// Remove the selected annotation.
    DeleteSelected,
    /// Make a suggestion of the shown document current (inspector, list).
    FocusSuggestion(Box<crate::model::suggest::Suggestion>),
    /// Accept the current suggestion.
    AcceptSuggestion,
    /// Reject the current suggestion.
    RejectSuggestion,
    /// Accept every suggestion of this label in the shown document, as one step.
    AcceptAllSuggested(String),
    /// Go to the next (`true`) or previous suggestion.
    StepSuggestion(bool),
    /// Remove an event of the current document (its trigger stays).
    DeleteEvent(AnnId),
    /// Replace an annotation with an edited copy, as one undoable step.
    UpdateAnnotation {
        /// What the edit did, in words (shown by undo).
        description: &'static str,
        /// The edited annotation (boxed: the other commands are small).
        ann: Box<Annotation>,
    },
}
