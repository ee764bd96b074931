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
            untagged: false,
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

#[test]
fn variants_analysts_mean_are_proposed_longest_first() {
    let a = doc(
        "a.txt",
        "Hillary Clinton met the UN High Commissioner for Refugees about refugees in China.",
    );
    let l = learn(&[(
        &a,
        vec![
            tag(&a, "Hillary Clinton", "PERSON"),
            tag(&a, "UN High Commissioner for Refugees", "ORG"),
            tag(&a, "refugees", "GROUP"),
            tag(&a, "China", "PLACE"),
        ],
    )]);
    let b = doc(
        "b.txt",
        "Clinton spoke first. Later Hillary Clinton said China's refugee policy worried UNHCR, and Clinton agreed.",
    );
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    let got = texts(&b, &s);
    let want: Vec<(String, String)> = [
        ("Hillary Clinton", "PERSON"),
        ("China", "PLACE"),
        ("refugee", "GROUP"),
        ("UNHCR", "ORG"),
        ("Clinton", "PERSON"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let entities: Vec<(String, String)> = got.iter().filter(|(_, l)| l != "CLAIM").cloned().collect();
    // The first "Clinton" comes before the full name, so it is not proposed.
    assert_eq!(entities, want);
    let score = |t: &str| s.iter().find(|x| b.slice(x.span) == t).map(|x| x.score).unwrap();
    assert!(score("Hillary Clinton") > score("Clinton"));
    assert!(score("China") > score("refugee"));
    // Exact matching alone finds only the repeated full name.
    let exact = suggest_with(
        &l,
        &b,
        &[],
        &Rejections::default(),
        Options {
            variants: false,
            untagged: false,
            enabled: Enabled {
                detector: false,
                ..Enabled::default()
            },
        },
    );
    assert_eq!(
        texts(&b, &exact),
        [("Hillary Clinton".to_string(), "PERSON".to_string())]
    );
}

#[test]
fn canonical_ids_of_past_tags_come_with_the_match() {
    let a = doc("a.txt", "UNHCR");
    let mut t = tag(&a, "UNHCR", "ORG");
    t.kind = Kind::Entity {
        canonical: Some("unhcr".into()),
    };
    let l = learn(&[(&a, vec![t])]);
    let b = doc("b.txt", "and UNHCR");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    assert_eq!(s[0].canonical.as_deref(), Some("unhcr"));
}

mod scripts {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    /// Words of several scripts, spaces and punctuation, figures and cue words.
    const PIECES: &[&str] = &[
        "China",
        "China's",
        "Clinton",
        "Hillary",
        "said",
        "according",
        "to",
        "UNHCR",
        "1,200",
        "12",
        "March",
        "2012",
        "كوبا",
        "قال",
        "الأمم",
        "שלום",
        "אמר",
        "北京",
        "难民",
        "東京",
        "😀",
        "👍🏽",
        "🇫🇷",
        "é",
        "e\u{301}",
        " ",
        " ",
        "\n",
        ".",
        ",",
        "’s",
        "'",
        "-",
        "(",
        ")",
        "\u{200d}",
        "\u{a0}",
        "refugees",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
    }

    /// Code-point offsets where a UAX #29 word segment starts or ends.
    fn boundaries(t: &str) -> std::collections::BTreeSet<usize> {
        let mut out = std::collections::BTreeSet::new();
        let mut cp = 0;
        out.insert(0);
        for seg in crate::model::words::word_bounds(t) {
            cp += seg.chars().count();
            out.insert(cp);
        }
        out
    }

    /// A corpus that tags names in several scripts, so the matcher, the
    /// learner and the detectors all have something to propose.
    fn learned() -> Learned {
        let mut text = String::new();
        for _ in 0..6 {
            text.push_str("Hillary Clinton said 北京 and كوبا and שלום and UNHCR. ");
        }
        let a = doc("a.txt", &text);
        let mut tags = Vec::new();
        for (q, label) in [
            ("Hillary Clinton", "PERSON"),
            ("北京", "PLACE"),
            ("كوبا", "PLACE"),
            ("שלום", "PERSON"),
            ("UNHCR", "ORG"),
        ] {
            for (b, _) in a.text.match_indices(q) {
                let s = a.cp_of(b);
                tags.push(a.annotate(
                    vec![Span::new(s, s + q.chars().count())],
                    label,
                    Kind::entity(),
                    "t",
                ));
            }
        }
        let g = Gazetteer::parse("难民\tGROUP\n").unwrap();
        Learned::learn(
            [(&a, tags.as_slice())],
            &TagSet::builtin(),
            &Rejections::default(),
            &g,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn suggestions_lie_on_word_boundaries_in_every_script(t in text()) {
            let l = learned();
            prop_assert!(l.has_learner());
            let d = doc("b.txt", &t);
            let cuts = boundaries(&t);
            let s = suggest(&l, &d, &[], &Rejections::default(), Enabled::default());
            for x in &s {
                prop_assert!(x.span.start < x.span.end && x.span.end <= d.len_chars(), "{x:?} in {t:?}");
                prop_assert!(cuts.contains(&x.span.start), "start of {x:?} in {t:?}");
                // A possessive ending ("China's") is the one place a suggestion
                // ends inside a UAX #29 word: just before the apostrophe.
                let possessive = {
                    let rest: String = t.chars().skip(x.span.end).take(2).collect();
                    matches!(rest.as_str(), "'s" | "’s")
                };
                prop_assert!(cuts.contains(&x.span.end) || possessive, "end of {x:?} in {t:?}");
                // Never an annotation-free space or punctuation at either edge.
                let q = d.slice(x.span);
                prop_assert!(q.split_word_bounds().next().is_some_and(|w| w.chars().any(char::is_alphanumeric)), "{q:?}");
            }
            prop_assert!(s.windows(2).all(|w| w[0].span.start <= w[1].span.start));
        }
    }
}

#[test]
fn a_string_read_past_untagged_scores_lower_than_one_always_tagged() {
    // "Sport" is tagged once and left untagged twice before the last tag;
    // "Gent" is tagged every time. Past the last tag nothing counts: unread.
    let a = doc("a.txt", "Sport. Sport in Gent. Sport and Gent. Sport later.");
    let gent2 = a.cp_of(a.text.rfind("Gent").unwrap());
    let tags = vec![
        tag(&a, "Sport", "MISC"),
        tag(&a, "Gent", "PLACE"),
        a.annotate(vec![Span::new(gent2, gent2 + 4)], "PLACE", Kind::entity(), "t"),
    ];
    let l = learn(&[(&a, tags)]);
    let b = doc("b.txt", "Sport in Gent");
    let s = suggest(&l, &b, &[], &Rejections::default(), Enabled::default());
    let score = |t: &str| s.iter().find(|x| b.slice(x.span) == t).map(|x| x.score).unwrap();
    assert!((score("Sport") - 1.0 / 3.0).abs() < 1e-6, "{s:?}");
    assert_eq!(score("Gent"), 1.0);
    // INCEpTION's score, by the share of tags alone.
    let tags_only = Options {
        untagged: false,
        ..Options::default()
    };
    let s = suggest_with(&l, &b, &[], &Rejections::default(), tags_only);
    assert_eq!(s.iter().find(|x| b.slice(x.span) == "Sport").unwrap().score, 1.0);
}

#[test]
fn what_was_learned_can_be_shared_with_a_background_job() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Learned>();
    shareable::<Rejections>();
    shareable::<Gazetteer>();
}

#[test]
fn a_tag_made_after_learning_counts_at_once_and_a_removed_one_stops_counting() {
    let a = doc(
        "a.txt",
        "Kim Jong Un spoke. UNHCR answered. Later Kim Jong Un left, and UNHCR stayed.",
    );
    let unhcr = tag(&a, "UNHCR", "ORG");
    let l = learn(&[(&a, vec![unhcr.clone()])]);
    let mut prep = Prepared::new(&a);
    let run = |l: &Learned, prep: &mut Prepared, anns: &[Annotation]| {
        let s = suggest_prepared(l, prep, &a, anns, &Rejections::default(), Options::default());
        texts(&a, &s)
            .into_iter()
            .filter(|(_, label)| label != "CLAIM")
            .collect::<Vec<_>>()
    };
    let kim = tag(&a, "Kim Jong Un", "PERSON");
    // Nothing changed since learning: the same learning, borrowed.
    assert!(matches!(
        l.with_doc(&a, std::slice::from_ref(&unhcr)),
        Cow::Borrowed(_)
    ));
    let now = [unhcr.clone(), kim.clone()];
    let fresh = l.with_doc(&a, &now);
    assert!(matches!(fresh, Cow::Owned(_)));
    assert_eq!(fresh.tags(), 2);
    let shown = run(&fresh, &mut prep, &now);
    assert!(
        shown.contains(&("Kim Jong Un".into(), "PERSON".into())),
        "{shown:?}"
    );
    assert!(shown.contains(&("UNHCR".into(), "ORG".into())), "{shown:?}");
    // As if learned from scratch with both tags.
    let again = learn(&[(&a, now.to_vec())]);
    assert_eq!(shown, run(&again, &mut Prepared::new(&a), &now));
    // UNHCR untagged after learning: its other mention is no longer proposed.
    let only_kim = [kim];
    let fewer = l.with_doc(&a, &only_kim);
    assert_eq!(fewer.tags(), 1);
    let shown = run(&fewer, &mut prep, &only_kim);
    assert!(!shown.iter().any(|(t, _)| t == "UNHCR"), "{shown:?}");
}

#[test]
fn a_prepared_text_gives_what_a_fresh_run_gives() {
    let a = doc(
        "a.txt",
        "About 50 refugees were detained on 3 March 2024, Human Rights Watch said. Human Rights Watch said 31 more.",
    );
    let hrw = tag(&a, "Human Rights Watch", "ORG");
    let l = learn(&[(&a, vec![hrw.clone()])]);
    let mut prep = Prepared::new(&a);
    let first = suggest_prepared(&l, &mut prep, &a, &[], &Rejections::default(), Options::default());
    // The claims' speakers follow the annotations though the cues were found before.
    let anns = [hrw];
    let second = suggest_prepared(
        &l,
        &mut prep,
        &a,
        &anns,
        &Rejections::default(),
        Options::default(),
    );
    assert_eq!(
        second,
        suggest_with(&l, &a, &anns, &Rejections::default(), Options::default())
    );
    assert_eq!(
        first,
        suggest_with(&l, &a, &[], &Rejections::default(), Options::default())
    );
    assert!(
        second
            .iter()
            .any(|s| s.claim.as_ref().is_some_and(|c| c.speaker.is_some()))
    );
}
