//! Sidecar reading: any bytes, no panic; UTF-8 read in small windows, as a file
//! is, gives the same answer (errors and their places included) as read whole; whatever
//! parses re-anchors on a text and writes back to a file that reads as the same data.
//! (`tests/sidecar_read.rs` checks the reader against a serde oracle.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia::model::Document;
use marginalia::model::anchor::reanchor_all;
use marginalia::store::sidecar;

fuzz_target!(|data: &[u8]| {
    let whole = sidecar::from_bytes(data);
    // (Bytes that are not UTF-8 after another error may be found first by one
    // way of reading and second by the other.)
    if std::str::from_utf8(data).is_ok() {
        let windowed = sidecar::from_reader_in(7, data, |_| {}).expect("read from memory");
        assert_eq!(windowed, whole);
    }
    let Ok(sc) = whole else { return };
    let mut anns = sc.data.clone();
    let doc = Document::new(
        "a.txt",
        "North Korean refugees said 😀 e\u{301} at least 50.\r\nMore.",
    );
    let _ = reanchor_all(&doc, &mut anns);
    let written = sidecar::to_string(&sc);
    let back = sidecar::from_str(&written).expect("a written sidecar reads back");
    assert_eq!(back.data, sc.data);
});
