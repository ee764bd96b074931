//! Files on disk: corpus scanning, decoding, sidecars, the edit journal beside
//! them, atomic saves, re-anchoring on load, and change detection.

pub mod atomic;
pub mod batch;
pub mod check;
pub mod copy;
pub mod corpus;
pub mod decode;
pub mod disk;
pub mod extract;
pub mod journal;
mod lock;
pub mod safe_file;
pub mod scan;
pub mod sidecar;
mod sidecar_read;
pub mod stats;

/// Threads worth running at once for listing, loading and writing files: one
/// per core (at most eight). More than the cores would only take turns, and
/// threads creating files in one folder wait for its lock.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}
