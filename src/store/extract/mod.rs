//! Text extracted from sources that are not plain text.

pub mod pdf;
