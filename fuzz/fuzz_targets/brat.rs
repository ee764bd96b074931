//! brat import: the input is a `.txt`, a NUL byte, then its `.ann` (and it is
//! also read as an `annotation.conf`). No panic, and every imported span lies
//! inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia::formats::brat;
use marginalia::model::TagSet;

fuzz_target!(|data: &[u8]| {
    let (txt, ann) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let txt = String::from_utf8_lossy(txt);
    let ann = String::from_utf8_lossy(ann);
    let imported = brat::from_brat(&txt, &ann, &TagSet::builtin(), "2026-01-01T00:00:00Z");
    let mut doc = imported.doc;
    doc.path = "a.txt".into();
    for a in &imported.data.annotations {
        assert!(doc.spans_in_range(&a.spans), "span outside the text: {a:?}");
    }
    let _ = brat::to_brat(&doc, &imported.data);
    let _ = brat::tagset_from_conf(&ann);
});
