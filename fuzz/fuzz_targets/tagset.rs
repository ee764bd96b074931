//! Tag set parsing and validation: any text, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia::formats::brat;
use marginalia::model::TagSet;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(set) = TagSet::parse(src) {
        let _ = brat::tagset_to_ron(&set);
        for l in &set.labels {
            let _ = l.rgb();
        }
    }
});
