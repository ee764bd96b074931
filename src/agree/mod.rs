//! Agreement between two annotators who annotated copies of the same corpus.
//!
//! The metrics (span precision / recall / F1, token-level Cohen's kappa,
//! Krippendorff's unitizing alpha αu, a code-point nominal Krippendorff's
//! alpha, claim stance and type agreement) and the disagreement list are pure
//! functions of a [`Document`] and two [`DocAnnotations`]; [`compare_folders`]
//! is the only part that reads files. Definitions and formulas are in
//! `docs/agreement.md`.
//!
//! Annotator A is the reference and B the prediction: precision is the share
//! of B's annotations that match one of A's, recall the share of A's matched
//! by B. F1 does not depend on which side is which.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{Annotation, ClaimType, DocAnnotations, Document, Span, Stance};
use crate::store::corpus::{self, LoadedDoc};

/// The label given to tokens and code points no entity covers.
pub const OUTSIDE: &str = "O";

pub mod adjudicate;
mod coefficients;
mod disagreement;
mod document;
mod folders;
mod matching;
mod unitizing;
pub use coefficients::*;
pub use disagreement::*;
pub use document::*;
pub use folders::*;
pub use matching::*;
pub use unitizing::*;
