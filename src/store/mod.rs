//! Files on disk: corpus scanning, decoding, sidecars, the edit journal beside
//! them, atomic saves, re-anchoring on load, and change detection.

pub mod atomic;
pub mod batch;
pub mod check;
pub mod corpus;
pub mod decode;
pub mod journal;
pub mod ronscan;
pub mod sidecar;
mod sidecar_read;
pub mod stats;
