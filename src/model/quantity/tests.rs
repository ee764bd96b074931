//! The quantity reader held to the forms news uses, and to generated phrases.

use super::*;
use proptest::prelude::*;

fn q(text: &str) -> Quantity {
    read(text)
        .unwrap_or_else(|| panic!("no figure in {text:?}"))
        .value
}

fn iv(text: &str) -> (Option<f64>, Option<f64>, bool) {
    let v = q(text);
    (v.low, v.high, v.approximate)
}

#[test]
fn the_forms_news_uses() {
    assert_eq!(iv("at least 50 North Korean refugees"), (Some(50.0), None, false));
    assert_eq!(q("at least 50 North Korean refugees").unit, "refugees");
    assert_eq!(iv("more than 1,000 people"), (Some(1000.0), None, false));
    assert_eq!(iv("The 30-plus group"), (Some(30.0), None, false));
    assert_eq!(q("The 30-plus group").unit, "group");
    let some = q("some 5,000 a year");
    assert_eq!(
        (some.low, some.high, some.approximate),
        (Some(5000.0), Some(5000.0), true)
    );
    assert_eq!(some.rate.as_deref(), Some("year"));
    assert_eq!(iv("nearly two dozen defectors"), (None, Some(24.0), true));
    assert_eq!(iv("between 70 and 80"), (Some(70.0), Some(80.0), false));
    assert_eq!(
        iv("a group of nine North Korean refugees"),
        (Some(9.0), Some(9.0), false)
    );
    assert_eq!(iv("dozens of refugees"), (Some(24.0), None, true));
    assert_eq!(q("dozens of refugees").unit, "refugees");
    assert_eq!(
        iv("Hundreds of North Koreans risk everything"),
        (Some(200.0), None, true)
    );
    assert_eq!(q("Hundreds of North Koreans risk everything").unit, "Koreans");
    assert_eq!(iv("as many as three or four times"), (None, Some(3.0), false));
    assert_eq!(iv("up to 300 people"), (None, Some(300.0), false));
    assert_eq!(iv("1.2 million people"), (Some(1.2e6), Some(1.2e6), false));
    assert_eq!(
        iv("China eventually arrested 31 refugees"),
        (Some(31.0), Some(31.0), false)
    );
    assert_eq!(iv("70–80 people"), (Some(70.0), Some(80.0), false));
    assert_eq!(iv("forty-one refugees"), (Some(41.0), Some(41.0), false));
    let est = q("Like an estimated 5,000 others annually");
    assert_eq!(
        (est.low, est.approximate, est.rate.as_deref()),
        (Some(5000.0), true, Some("year"))
    );
    assert_eq!(iv("tens of thousands of people"), (Some(20000.0), None, true));
    assert_eq!(q("45% of them").unit, "percent");
}

#[test]
fn figures_that_are_not_counts_are_passed_over() {
    assert_eq!(read("a 14-month old infant"), None);
    assert_eq!(read("the 1951 Refugee Convention"), None);
    assert_eq!(read("Date : March 12, 2012"), None);
    assert_eq!(read("on February 14th through Donga News"), None);
    assert_eq!(read("in 2015"), None);
    // The count is found past the date.
    assert_eq!(
        iv("On March 18, 2015, nine refugees were held"),
        (Some(9.0), Some(9.0), false)
    );
    assert_eq!(
        iv("At least 41 refugees had fled North Korea in 3 separate groups"),
        (Some(41.0), None, false)
    );
}

#[test]
fn ranges_and_overlap() {
    let a = q("31 refugees");
    let b = q("at least 41 refugees");
    let c = q("The 30-plus group");
    assert!(!a.overlaps(&b), "31 and at least 41 disagree");
    assert!(a.overlaps(&c) && b.overlaps(&c));
    assert!(q("some 5,000").overlaps(&q("5,200")));
}

#[test]
fn typed_values() {
    let was = q("31 refugees");
    assert_eq!(Quantity::parse_typed("41+", &was).unwrap().low, Some(41.0));
    assert_eq!(Quantity::parse_typed("<= 300", &was).unwrap().high, Some(300.0));
    let r = Quantity::parse_typed("70-80", &was).unwrap();
    assert_eq!(
        (r.low, r.high, r.unit.as_str()),
        (Some(70.0), Some(80.0), "refugees")
    );
    let y = Quantity::parse_typed("~5,000 / year", &was).unwrap();
    assert_eq!(
        (y.low, y.approximate, y.rate.as_deref()),
        (Some(5000.0), true, Some("year"))
    );
    assert!(Quantity::parse_typed("lots", &was).is_err());
    assert_eq!(
        Quantity::parse_typed("41+", &was).unwrap().display(),
        "≥ 41 refugees"
    );
}

fn words(n: u32) -> String {
    let n = n as usize;
    if n < 20 {
        UNITS[n].to_owned()
    } else if n.is_multiple_of(10) {
        TENS[n / 10 - 2].to_owned()
    } else {
        format!("{}-{}", TENS[n / 10 - 2], UNITS[n % 10])
    }
}

fn grouped(n: u64) -> String {
    number(n as f64)
}

proptest! {
    /// Phrases built from the forms the reader knows read back as built.
    #[test]
    fn phrases_read_back(
        n in 2u64..2_000_000,
        m in 1u64..500,
        form in 0usize..8,
        as_words in any::<bool>(),
        noun in prop::sample::select(vec!["refugees", "people", "defectors", "families"]),
        rate in prop::option::of(prop::sample::select(vec![("a year", "year"), ("per month", "month"), ("annually", "year")])),
        lead in prop::sample::select(vec!["", "Officials said ", "Reports say that "]),
    ) {
        // Years look like years and are passed over on purpose.
        prop_assume!(!(1800..=2100).contains(&n) || form != 0);
        let num = if as_words && n < 100 { words(n as u32) } else { grouped(n) };
        let (phrase, low, high, approx) = match form {
            0 => (num.clone(), Some(n), Some(n), false),
            1 => (format!("at least {num}"), Some(n), None, false),
            2 => (format!("more than {num}"), Some(n), None, false),
            3 => (format!("up to {num}"), None, Some(n), false),
            4 => (format!("some {num}"), Some(n), Some(n), true),
            5 => (format!("nearly {num}"), None, Some(n), true),
            6 => (format!("{}-plus", grouped(n)), Some(n), None, false),
            _ => (format!("between {} and {}", grouped(n), grouped(n + m)), Some(n), Some(n + m), false),
        };
        let mut text = format!("{lead}{phrase} {noun}");
        if let Some((r, _)) = rate {
            text.push(' ');
            text.push_str(r);
        }
        let got = read(&text).expect("a figure");
        prop_assert_eq!(got.value.low, low.map(|x| x as f64), "{}", text);
        prop_assert_eq!(got.value.high, high.map(|x| x as f64), "{}", text);
        prop_assert_eq!(got.value.approximate, approx, "{}", text);
        prop_assert_eq!(got.value.unit.as_str(), noun, "{}", text);
        prop_assert_eq!(got.value.rate.as_deref(), rate.map(|(_, p)| p), "{}", text);
        prop_assert!(text[got.range.clone()].contains(&phrase), "{} / {:?}", text, &text[got.range.clone()]);
    }

    /// The quick test for a figure lets through every text the reader finds one in.
    #[test]
    fn the_quick_test_passes_every_text_with_a_figure(
        words in prop::collection::vec(prop::sample::select(vec![
            "One", "one's", "someone", "TEN", "often", "tens", "of", "thousands", "Dozens", "a", "dozen",
            "twenty-one", "fourteen", "Hundreds", "score", "scores", "million", "bn", "mn", "nine", "nineteen",
            "seventy-five", "zero", "eight", "eighteen", "refugees", "some", "nearly", "at", "least", "more",
            "than", "between", "and", "up", "to", "half", "a", "year", "per", "–", "-", ",", ".", "’s",
            "thirty-plus", "Eleven", "twelve", "five", "six", "seven", "fifty", "ninety", "billion",
        ]), 0..12),
    ) {
        let text = words.join(" ");
        prop_assert!(read_tokens(&text).is_empty() || may_hold_a_figure(&text), "{}", text);
    }

    /// The reader never panics and its ranges lie on the text's characters.
    #[test]
    fn any_text_is_read_safely(text in "\\PC{0,60}") {
        for f in read_all(&text) {
            prop_assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
            prop_assert!(f.range.start < f.range.end);
        }
    }
}
