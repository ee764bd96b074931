//! Sidecar reading: any bytes, no panic; whatever the single-pass reader reads,
//! the general reader reads the same way; whatever parses re-anchors on a text
//! and writes back to a file that reads as the same data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia::model::Document;
use marginalia::model::anchor::reanchor_all;
use marginalia::store::sidecar;

fuzz_target!(|data: &[u8]| {
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if let Ok(text) = std::str::from_utf8(text)
        && let Some(fast) = sidecar::from_str_fast(text)
    {
        assert_eq!(Ok(fast), sidecar::from_str_reference(text));
    }
    let Ok(sc) = sidecar::from_bytes(data) else { return };
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
