//! JSONL import: every line as Marginalia, doccano or spaCy JSON. No panic;
//! whatever reads back exports and renders as a sidecar.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia::formats::{doccano, jsonl};
use marginalia::store::corpus;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Ok((doc, anns)) = jsonl::from_value(&v) {
            let _ = jsonl::doc_line(&doc, &anns);
            let _ = corpus::render(&doc, &anns, (1, 0));
        }
        if doccano::is_doccano(&v) {
            let _ = doccano::read_doccano(&v);
        }
        let _ = doccano::read_spacy(&v);
    }
});
