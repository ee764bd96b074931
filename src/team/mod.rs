//! Teams through git: the sidecar merge driver, setting a repository up for
//! it, and running git for the app. Git is the `git` program found on the
//! system; nothing here needs a window.

pub mod driver;
pub mod git;
pub mod setup;
pub mod sync;
pub mod versions;
