//! Properties of the three-way merge of sidecars (`model::merge`), on
//! generated sidecars: what either side added is kept, a side that changed
//! nothing takes the other's version whole, and the result, conflicts
//! included, goes through the sidecar writer and reader unchanged.

mod sidecar_support;

use std::collections::BTreeSet;

use marginalia::model::DocAnnotations;
use marginalia::model::merge::merge;
use marginalia::store::sidecar;
use proptest::prelude::*;
use sidecar_support::sidecar_value;

fn ids(d: &DocAnnotations) -> BTreeSet<String> {
    d.annotations.iter().map(|a| a.id.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_side_that_changed_nothing_takes_the_other_whole(o in sidecar_value(), b in sidecar_value()) {
        let (merged, _) = merge(&o.data, &o.data, &b.data);
        prop_assert_eq!(&merged.annotations, &b.data.annotations);
        let (merged, _) = merge(&o.data, &b.data, &o.data);
        prop_assert_eq!(&merged.annotations, &b.data.annotations);
    }

    #[test]
    fn the_same_change_on_both_sides_is_that_change(o in sidecar_value(), a in sidecar_value()) {
        let (merged, report) = merge(&o.data, &a.data, &a.data);
        prop_assert_eq!(&merged.annotations, &a.data.annotations);
        prop_assert!(report.conflicts.is_empty());
    }

    #[test]
    fn additions_are_kept_and_the_result_round_trips(o in sidecar_value(), a in sidecar_value(), b in sidecar_value()) {
        let (merged, _) = merge(&o.data, &a.data, &b.data);
        let got = ids(&merged);
        let base = ids(&o.data);
        for id in ids(&a.data).union(&ids(&b.data)) {
            if !base.contains(id) {
                prop_assert!(got.contains(id), "{id} was added and is gone");
            }
        }
        let text = sidecar::render((sidecar::MAJOR, 0), "a.txt", "h", None, &merged);
        let back = sidecar::from_str(&text).unwrap();
        prop_assert_eq!(back.data, merged);
    }
}
