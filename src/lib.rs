//! Marginalia: read folders of source documents, tag entities and claims, and
//! keep the annotations as RON files beside the sources.
//!
//! `model` holds the data and its rules, `store` the files on disk, `export`
//! the interchange formats, `workspace` what is open and how it reaches the disk
//! (no egui), `ui` the egui workbench, and `cli` the command line.

#![warn(missing_docs)]

pub mod agree;
pub mod cli;
pub mod formats;
pub mod model;
pub mod store;
#[cfg(feature = "synth")]
pub mod synth;
pub mod team;
pub mod ui;
pub mod workspace;
