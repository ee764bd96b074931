//! Tests of the engine as the reader and the command line use it.

use super::*;
use crate::model::Kind;

fn doc(path: &str, text: &str) -> Document {
    Document::new(path, text)
}

/// An entity annotation on the first occurrence of `quote` (after `from` code points).
fn tag(d: &Document, quote: &str, label: &str) -> Annotation {
    let b = d.text.find(quote).expect("the quote is in the text");
    let s = d.cp_of(b);
    d.annotate(
        vec![Span::new(s, s + quote.chars().count())],
        label,
        Kind::entity(),
        "t",
    )
}

fn texts(d: &Document, s: &[Suggestion]) -> Vec<(String, String)> {
    s.iter()
        .map(|x| (d.slice(x.span).to_owned(), x.label.to_string()))
        .collect()
}

fn learn(pairs: &[(&Document, Vec<Annotation>)]) -> Learned {
    Learned::learn(
        pairs.iter().map(|(d, a)| (*d, a.as_slice())),
        &TagSet::builtin(),
        &Rejections::default(),
        &Gazetteer::default(),
    )
}

#[test]
fn a_tagged_string_is_proposed_at_word_boundaries_only() {
    let a = doc("a.txt", "China sent aid.");
    let tags = vec![tag(&a, "China", "PLACE")];
    let l = learn(&[(&a, tags.clone())]);
    let b = doc("b.txt", "Chinatown and China, then CHINA again.");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    assert_eq!(
        texts(&b, &s),
        [("China".into(), "PLACE".into()), ("CHINA".into(), "PLACE".into())]
    );
    assert_eq!(s[0].origin, Origin::Matcher);
    assert_eq!(s[0].score, 1.0);
    assert!(s[1].score < 1.0, "a case variant scores lower");
    // Already tagged in its own document: nothing to propose there.
    assert!(suggest(&l, &a, &tags, &Rejections::default(), Enabled::default()).is_empty());
    // Exact matching alone leaves the case variant out.
    let exact = suggest_with(
        &l,
        &b,
        &[],
        &Rejections::default(),
        Options {
            variants: false,
            ..Options::default()
        },
    );
    assert_eq!(texts(&b, &exact), [("China".into(), "PLACE".into())]);
    // Turned off, nothing.
    let off = Enabled {
        matcher: false,
        ..Enabled::default()
    };
    assert!(suggest(&l, &b, &[], &Rejections::default(), off).is_empty());
}

#[test]
fn the_score_is_the_label_s_share_of_past_tags() {
    let a = doc("a.txt", "Jordan said. Jordan again. Jordan.");
    let b0 = a.cp_of(a.text.find("Jordan again").unwrap());
    let b1 = a.cp_of(a.text.rfind("Jordan").unwrap());
    let tags = vec![
        tag(&a, "Jordan", "PLACE"),
        a.annotate(vec![Span::new(b0, b0 + 6)], "PLACE", Kind::entity(), "t"),
        a.annotate(vec![Span::new(b1, b1 + 6)], "PERSON", Kind::entity(), "t"),
    ];
    let l = learn(&[(&a, tags)]);
    let b = doc("b.txt", "Jordan");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].label, "PLACE");
    assert!((s[0].score - 2.0 / 3.0).abs() < 1e-6, "{}", s[0].score);
}

#[test]
fn an_annotation_of_the_same_label_blocks_an_overlapping_suggestion() {
    let a = doc("a.txt", "Hillary Clinton and Clinton");
    let l = learn(&[(&a, vec![tag(&a, "Clinton", "PERSON")])]);
    let b = doc("b.txt", "Clinton met Clinton.");
    let mine = vec![tag(&b, "Clinton met", "PERSON")];
    let s = suggest(&l, &b, &mine, &Rejections::default(), Enabled::default());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].span.start, 12);
    // Another label on the same words does not block, except on exactly the same span.
    let other = vec![tag(&b, "Clinton met", "ORG")];
    assert_eq!(
        suggest(&l, &b, &other, &Rejections::default(), Enabled::default()).len(),
        2
    );
    let same_span = vec![tag(&b, "Clinton", "ORG")];
    assert_eq!(
        suggest(&l, &b, &same_span, &Rejections::default(), Enabled::default()).len(),
        1
    );
}

#[test]
fn a_rejected_suggestion_stays_away_after_an_edit_elsewhere_and_lowers_its_string() {
    let a = doc("a.txt", "Gaza");
    let l = learn(&[(&a, vec![tag(&a, "Gaza", "PLACE")])]);
    let b = doc("b.txt", "Gaza, then Gaza, then Gaza.");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    assert_eq!(s.len(), 3);
    let mut r = Rejections::default();
    r.reject_in(&b, &s[1]);
    // Text inserted before it moves it by a few code points.
    let edited = doc("b.txt", "In May: Gaza, then Gaza, then Gaza.");
    let after = suggest(&l, &edited, &[], &r, Enabled::default());
    assert_eq!(after.iter().map(|x| x.span.start).collect::<Vec<_>>(), [8, 30]);
    assert!(
        after.iter().all(|x| x.score < 1.0),
        "the rejected string scores lower everywhere"
    );
    // In another document, the string is still proposed, with a lower score.
    let c = doc("c.txt", "Gaza");
    let other = suggest(&l, &c, &[], &r, Enabled::default());
    assert_eq!(other.len(), 1);
    assert!(other[0].score < 1.0);
    // Rejected by place only, it goes to the nearest occurrence.
    let mut by_place = Rejections::default();
    by_place.reject("b.txt", &s[1], b.slice(s[1].span));
    let moved = doc("b.txt", "In: Gaza, then Gaza, then Gaza.");
    let after = suggest(&l, &moved, &[], &by_place, Enabled::default());
    assert_eq!(after.iter().map(|x| x.span.start).collect::<Vec<_>>(), [4, 26]);
}

#[test]
fn gazetteer_entries_come_with_their_canonical_id_and_labels_only_from_the_tag_set() {
    let g = Gazetteer::parse("UNHCR\tORG\tQ180034\nthe Blob\tMONSTER\n").unwrap();
    let l = Learned::learn(
        std::iter::empty::<(&Document, &[Annotation])>(),
        &TagSet::builtin(),
        &Rejections::default(),
        &g,
    );
    let b = doc("b.txt", "UNHCR and the Blob");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].origin, Origin::Gazetteer);
    assert_eq!(s[0].canonical.as_deref(), Some("Q180034"));
}
